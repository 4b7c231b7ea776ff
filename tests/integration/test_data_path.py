"""The data path a planner keeps current, end to end without kernels: a new row and an update reach the next run.

A planner adds the ministry's newest count as one row of ``data/counts.csv`` and runs
``capacity data update`` (recorded Eurostat and CBS responses, never the network); the next
run reads both (its manifest hashes the files, so "what changed" names them) and the history
has the new month as an observed ``registered`` value, with its series.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from capacity import data, params, project
from capacity.data import update as updating
from capacity.data.fetch import request_url
from capacity.runner.manifest import DataProvenance
from capacity.vintages.changes import data_changes, new_observations
from capacity.vintages.record import observed

pytestmark = pytest.mark.integration

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"
ROW = (
    "date,date_precision,registered_brp,in_municipal_shelter,shelter_places,occupancy_pct_reported,source,"
    "note,series\n2025-09-21,day,131450,,,,test letter to parliament https://example.org/letter,,rtb_letter\n"
)


def replay(url: str, params_: Mapping[str, str] | None) -> bytes:
    index = json.loads((RECORDED / "index.json").read_text(encoding="utf-8"))
    return (RECORDED / index[request_url(url, params_)]).read_bytes()


def test_a_new_row_and_an_update_reach_the_next_run_and_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = tmp_path / "proj"
    project.init_project(proj)
    monkeypatch.setenv(project.ENV_VAR, str(proj))
    baseline = proj / "params" / "baseline.yaml"
    baseline.write_text(
        baseline.read_text(encoding="utf-8").replace("  data_dir: null", "  data_dir: data", 1), encoding="utf-8"
    )
    (proj / "data").mkdir()
    shipped = (data.shipped_dir() / "eurostat_tp_nl_monthly.csv").read_text(encoding="utf-8").splitlines(True)
    (proj / "data" / "eurostat_tp_nl_monthly.csv").write_text("".join(shipped[:-2]), encoding="utf-8")
    scn = params.load(baseline)
    then = DataProvenance().of_scenario(scn)

    result = updating.update(proj / "data", fetch=replay, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert result.lines[0] == "eurostat_tp_nl_monthly.csv: 2 new rows (2024-07, 2024-08)" and not result.failed
    before = observed(data.load_history(scn.data.data_dir, scn.data.files))
    (proj / "data" / "counts.csv").write_text(ROW, encoding="utf-8")

    assert data.check_scenario_data(scn.data, today="2026-06-01") == []
    history = data.load_history(scn.data.data_dir, scn.data.files)
    month = history[(history["variable"] == "registered") & (history["date"] == pd.Timestamp("2025-09-01"))]
    assert month[["value", "flag", "source"]].values.tolist() == [
        [131_450.0, "observed", "test letter to parliament https://example.org/letter"]
    ]
    counts = history.attrs.get("registered_counts")
    if counts is not None:  # every count with its series, as the nowcast reads them
        assert counts.loc[counts["date"] == pd.Timestamp("2025-09-21"), "series"].tolist() == ["rtb_letter"]
    assert data.last_observed(history, "tp_stock") == (pd.Timestamp("2024-08-01"), 117_905)

    now = DataProvenance().of_scenario(scn)
    changed = data_changes(*({f["name"]: f["sha256"] for f in v["data_files"]} for v in (then, now)))
    assert {"name": "counts", "change": "added"} in changed
    assert {"name": "eurostat_tp_nl_monthly", "change": "changed"} in changed
    assert new_observations(before, observed(history)) == {"registered": ["2025-09"]}
