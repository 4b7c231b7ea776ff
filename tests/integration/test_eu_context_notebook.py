"""Report 06 (the EU around the Netherlands) through the runner, in English and Dutch (slow: real kernels)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from capacity import params, runner

pytestmark = pytest.mark.notebook


def test_06_eu_context_renders_in_english_and_dutch(tmp_path: Path) -> None:
    files = [params.BASELINE_PATH, params.PARAMS_DIR / "scenarios" / "baseline_nl.yaml"]
    result = runner.run(
        files,
        notebooks=["06_eu_context"],
        reports_dir=tmp_path,
        jobs=2,
        prepare=False,
        progress=False,
        extra_parameters={},
    )
    assert result.ok, [r.error for r in result.failed]
    en = (result.run_dir / "baseline" / "06_eu_context.html").read_text(encoding="utf-8")
    nl = (result.run_dir / "baseline_nl" / "06_eu_context.html").read_text(encoding="utf-8")
    assert "The EU around the Netherlands" in en and "De EU rond Nederland" in nl
    assert "De EU rond Nederland" not in en and "The EU around the Netherlands" not in nl  # one twin a page
    assert "lidstaat" in nl and "Duitsland" in nl and "Germany" not in nl  # columns and countries in Dutch
    assert "params.load" not in en  # code-free
    latest = pd.read_csv(result.run_dir / "baseline" / "tables" / "eu_tp_latest.csv")
    assert len(latest) >= 20 and latest.iloc[:, 0].is_unique  # at least 20 member states, one row each
    assert latest["source"].str.contains("migr_asytpsm").all()  # every series names its source
    assert {"Germany", "Poland", "Netherlands"} <= set(latest.iloc[:, 0])
    statuses = pd.read_csv(result.run_dir / "baseline_nl" / "tables" / "eu_post_tp_statuses.csv")
    assert (statuses.iloc[:, 1] == "onbekend").sum() >= 20  # unknown statuses said to be unknown
