"""``capacity backtest`` prints and saves the forecast scorecard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.integration


def test_backtest_prints_and_saves_the_scorecard(tmp_path: Path) -> None:
    pytest.importorskip("capacity.forecast")
    out = tmp_path / "scorecard.csv"
    done = subprocess.run([sys.executable, "-m", "capacity", "backtest", "--output", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    scorecard = pd.read_csv(out)
    assert len(scorecard) > 0 and {"series", "model", "h"} <= set(scorecard.columns)
    assert f"saved {out}" in done.stdout
