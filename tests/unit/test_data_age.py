"""The data-age trigger: old data give the status "stale data", never red on old counts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from capacity.params.warnings import DataAge, WarningsConfig
from capacity.vintages import record_run
from capacity.vintages import warnings as early

pytestmark = pytest.mark.unit


def _pressure_table(level: float) -> dict[str, pd.DataFrame]:
    dates = pd.date_range("2025-07-01", periods=6, freq="MS")
    return {"shelter_forecast": pd.DataFrame({"date": dates, "variable": "pressure", "q0.50": level})}


@pytest.mark.parametrize(
    ("last", "run", "status", "words"),
    [
        ("2025-06-01", "2025-09-02", "green", "3 months before this run"),
        ("2025-06-01", "2025-10-02", "stale", "Stale data: the last registered count is of June 2025, 4 months"),
        ("2025-06-01", "2026-12-06T14:00:00+00:00", "stale", "18 months before this run (December 2026"),
        (None, "2025-09-02", "unknown", "no observed registered count"),
    ],
)
def test_data_older_than_max_months_are_stale(last, run, status, words) -> None:
    out = early.data_age(DataAge(max_months=3), None if last is None else pd.Timestamp(last), run)
    assert out["status"] == status and words in out["text"] and out["trigger"] == "data_age"


def test_stale_data_replace_red_on_old_counts_by_stale() -> None:
    kwargs = {
        "observations": pd.DataFrame(columns=["date", "variable", "value"]),
        "earlier": None,
        "tables": _pressure_table(1.2),
        "headline": {},
        "lead_time_months": 6,
    }
    fresh = early.evaluate(WarningsConfig(), **kwargs, data_date=pd.Timestamp("2025-06-01"), run_date="2025-08-02")
    assert {r["trigger"]: r["status"] for r in fresh}["shelter_pressure"] == "red"
    assert early.overall(fresh) == "red"
    old = early.evaluate(WarningsConfig(), **kwargs, data_date=pd.Timestamp("2025-06-01"), run_date="2026-12-02")
    by = {r["trigger"]: r for r in old}
    assert by["shelter_pressure"]["status"] == "unknown" and "stale" in by["shelter_pressure"]["text"]
    assert by["data_age"]["status"] == "stale"
    assert early.overall(old) == "stale"  # one status a hook can tell from red
    off = WarningsConfig(data_age=DataAge(enabled=False))
    assert "data_age" not in {
        r["trigger"] for r in early.evaluate(off, **kwargs, data_date=None, run_date="2026-12-02")
    }


def test_a_run_on_old_data_writes_stale_to_warnings_json(tmp_path: Path) -> None:
    run_dir = tmp_path / "20261206T000000Z"
    tables = run_dir / "vt" / "tables"
    tables.mkdir(parents=True)
    dates = pd.date_range("2025-01-01", "2025-06-01", freq="MS")
    pd.DataFrame(
        {"date": dates, "variable": "registered", "value": 1000.0, "flag": "observed", "source": "t", "note": ""}
    ).to_csv(tables / "history.csv", index=False)
    params_file = tmp_path / "vt.yaml"
    params_file.write_text("meta:\n  name: vt\n")
    manifest = {
        "run_id": run_dir.name,
        "started": "2026-12-06T00:00:00+00:00",
        "git_commit": "abc",
        "package_version": "0",
        "headline": {},
        "scenarios": [
            {
                "name": "vt",
                "title": "T",
                "params_file": str(params_file),
                "params_sha256": "p",
                "seed": 1,
                "data_vintage": "registered to 2025-06",
                "data_files": [],
            }
        ],
    }
    assert record_run(run_dir, manifest, status="ok", store_path=tmp_path / "v.duckdb") is not None
    warn = json.loads((run_dir / "warnings.json").read_text())
    assert warn["status"] == "stale"
    assert warn["scenarios"]["vt"]["triggers"][-1]["trigger"] == "data_age"
