"""Golden summary of the default run: rounded headline numbers of params/baseline.yaml.

A change to a model, a parameter or a dependency that moves a headline number fails here.
If the change is deliberate, regenerate and review the diff:

    CAPACITY_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/integration/test_golden.py
    git diff tests/data/golden/
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity import params, pipeline

pytestmark = pytest.mark.integration

GOLDEN = Path(__file__).parents[1] / "data" / "golden" / "baseline_headline.csv"


def _round(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) < 1e-9:  # sums of denormal floats read as 0
            return str(value) if not math.isfinite(value) else "0"
        digits = 3 - int(math.floor(math.log10(abs(value)))) - 1
        return f"{round(value, digits):.{max(digits, 0)}f}"
    return str(value)


#: The run's "today" of the golden run: fixed, so that the figures do not move with the calendar.
AS_OF = "2026-12-06"


def summary() -> pd.DataFrame:
    head = pipeline.run_scenario(params.load(forecast__as_of=AS_OF)).headline
    return pd.DataFrame(
        {"key": head["key"], **{col: [_round(v) for v in head[col]] for col in ("value", "p10", "p90")}}
    )


def test_baseline_headline_matches_golden() -> None:
    current = summary()
    if os.environ.get("CAPACITY_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        current.to_csv(GOLDEN, index=False)
    golden = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    merged = golden.merge(current, on="key", how="outer", suffixes=("_golden", "_now"), indicator=True)
    moved = np.zeros(len(merged), dtype=bool)
    for col in ("value", "p10", "p90"):
        moved |= (merged[f"{col}_golden"] != merged[f"{col}_now"]).to_numpy()
    changed = merged[(merged["_merge"] != "both").to_numpy() | moved]
    assert changed.empty, (
        "headline numbers moved (regenerate deliberately, see module docstring):\n" + changed.to_string()
    )
