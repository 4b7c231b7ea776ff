"""The vintage store, what changed, the track record and the early-warning triggers on synthetic runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from capacity.params.warnings import (
    BacklogCapacity,
    PenaltyBudget,
    RegistrationsAboveBand,
    ShelterPressure,
    WarningsConfig,
)
from capacity.vintages import changes, notify, record_run, store, track
from capacity.vintages import warnings as early

pytestmark = pytest.mark.unit

QUANTILES = ["q0.025", "q0.05", "q0.10", "q0.165", "q0.25", "q0.50", "q0.75", "q0.835", "q0.90", "q0.95", "q0.975"]
#: Offsets of the quantiles from the median (a symmetric band of ±10 … ±100 persons).
OFFSETS = dict(zip(QUANTILES, [-100, -80, -60, -40, -20, 0, 20, 40, 60, 80, 100], strict=True))


def forecast_table(start: str, months: int, median: float, variable: str = "registered") -> pd.DataFrame:
    """A contract forecast table: ``median`` each month with bands of fixed width."""
    dates = pd.date_range(start, periods=months, freq="MS")
    rows = [
        {
            "date": d.strftime("%Y-%m-%d"),
            "variable": variable,
            "mean": median,
            **{q: median + off for q, off in OFFSETS.items()},
        }
        for d in dates
    ]
    return pd.DataFrame(rows)


def history(last: str, value: float = 1000.0, extra: dict[str, float] | None = None) -> pd.DataFrame:
    """Observed registered counts up to ``last`` (``extra``: month → value overrides)."""
    dates = pd.date_range("2025-01-01", last, freq="MS")
    values = {d.strftime("%Y-%m-%d"): value for d in dates} | (extra or {})
    return pd.DataFrame(
        {
            "date": list(values),
            "variable": "registered",
            "value": list(values.values()),
            "flag": "observed",
            "source": "test",
            "note": "",
        }
    )


def headline(value: float, penalty: float = 1e6) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "key": "registered_end_p50",
                "label_en": "Registered at the end",
                "label_nl": "Ingeschreven",
                "value": value,
                "p10": value - 50,
                "p90": value + 50,
                "unit": "persons",
                "rounding": 100,
            },
            {
                "key": "shelter_first_month_100",
                "label_en": "First month over",
                "label_nl": "Eerste maand",
                "value": "2026-05",
                "p10": None,
                "p90": None,
                "unit": "month",
                "rounding": 1,
            },
            {
                "key": "backlog_penalty_eur_total",
                "label_en": "Penalties",
                "label_nl": "Dwangsommen",
                "value": penalty,
                "p10": penalty / 2,
                "p90": penalty * 2,
                "unit": "EUR",
                "rounding": 100_000,
            },
        ]
    )


def make_run(
    root: Path,
    run_id: str,
    *,
    params_text: str,
    data_sha: str,
    last_obs: str,
    forecast_start: str,
    median: float,
    obs_extra: dict[str, float] | None = None,
) -> Path:
    """Write a synthetic run folder (manifest and tables) as the runner leaves it."""
    run_dir = root / run_id
    tables = run_dir / "vt" / "tables"
    tables.mkdir(parents=True)
    params_file = root / f"{run_id}.yaml"
    params_file.write_text(params_text, encoding="utf-8")
    headline(median).to_csv(tables / "headline.csv", index=False)
    history(last_obs, extra=obs_extra).to_csv(tables / "history.csv", index=False)
    forecast_table(forecast_start, 6, median).to_csv(tables / "population_forecast.csv", index=False)
    started = (pd.Timestamp(last_obs) + pd.DateOffset(months=2)).isoformat()  # recent data: not stale
    manifest = {
        "run_id": run_id,
        "started": started,
        "git_commit": "abc123",
        "package_version": "0.1.0",
        "headline": {},
        "scenarios": [
            {
                "name": "vt",
                "title": "Test",
                "params_file": str(params_file),
                "params_sha256": "p",
                "seed": 1,
                "data_vintage": f"registered to {last_obs[:7]}",
                "data_files": [{"name": "ukraine_shelter_nl", "path": "x.csv", "sha256": data_sha}],
            }
        ],
    }
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def _record(run_dir: Path, db: Path) -> dict:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    out = record_run(run_dir, manifest, status="ok", store_path=db)
    assert out is not None, "record_run failed (see the log)"
    return out


# --- the store -------------------------------------------------------------------------------


def _vintage(run_id: str, params: dict) -> dict:
    return {
        "run_id": run_id,
        "scenario": "vt",
        "run_date": "2026-01-01T00:00:00+00:00",
        "data_date": pd.Timestamp("2025-03-01"),
        "status": "ok",
        "code_version": "abc",
        "seed": 7,
        "params": params,
        "data_files": {"a": "1"},
    }


def test_store_round_trips_a_vintage_and_is_versioned(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "v.duckdb")
    assert store.schema_version(con) == store.SCHEMA_VERSION
    obs = pd.DataFrame(
        {"date": pd.to_datetime(["2025-02-01", "2025-03-01"]).date, "variable": "registered", "value": [1.0, 2.0]}
    )
    fc = pd.DataFrame(
        {
            "table_name": "population_forecast",
            "date": pd.to_datetime(["2025-04-01"]).date,
            "variable": "registered",
            "stat": "q0.50",
            "value": [3.0],
        }
    )
    store.append(
        con,
        _vintage("20260101T000000Z", {"shelter": {"lead_time_months": 6}}),
        headline=headline(1000.0),
        forecasts=fc,
        observations=obs,
    )
    store.append(
        con,
        _vintage("20260101T000000Z", {"shelter": {"lead_time_months": 6}}),
        headline=headline(1000.0),
        forecasts=fc,
        observations=obs,
    )  # same run again: replaced
    back = store.load(con, "20260101T000000Z", "vt")
    assert back["params"] == {"shelter": {"lead_time_months": 6}}
    assert back["data_files"] == {"a": "1"} and back["seed"] == 7
    rows = {r["key"]: r for r in back["headline"]}
    assert rows["registered_end_p50"]["value"] == 1000.0
    assert rows["shelter_first_month_100"]["value"] == "2026-05"  # a month comes back as written
    assert len(back["observations"]) == 2
    assert con.execute("SELECT count(*) FROM forecasts").fetchone()[0] == 1
    con.close()
    again = store.connect(tmp_path / "v.duckdb")  # reopening migrates nothing twice
    assert again.execute("SELECT count(*) FROM schema_version").fetchone()[0] == store.SCHEMA_VERSION
    again.close()


def test_store_lists_exports_and_prunes(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "v.duckdb")
    empty = pd.DataFrame(columns=["table_name", "date", "variable", "stat", "value"])
    for run in ("20260101T000000Z", "20260201T000000Z", "20260301T000000Z"):
        store.append(
            con,
            _vintage(run, {}),
            headline=headline(1.0),
            forecasts=empty,
            observations=pd.DataFrame(columns=["date", "variable", "value"]),
        )
    assert list(store.list_vintages(con)["run_id"]) == ["20260301T000000Z", "20260201T000000Z", "20260101T000000Z"]
    for fmt in ("parquet", "csv"):
        paths = store.export(con, tmp_path / fmt, fmt)
        assert (tmp_path / fmt / f"vintages.{fmt}") in paths
    assert len(pd.read_csv(tmp_path / "csv" / "vintages.csv")) == 3
    parquet = str(tmp_path / "parquet" / "headlines.parquet")
    assert con.execute("SELECT count(*) FROM read_parquet(?)", [parquet]).fetchone()[0] == 9
    assert store.prune(con, keep=2) == ["20260101T000000Z"]
    assert con.execute("SELECT count(*) FROM headlines").fetchone()[0] == 6
    assert store.previous(con, "vt", "20260301T000000Z") == "20260201T000000Z"
    with pytest.raises(ValueError, match="at least 1"):
        store.prune(con, keep=0)


def test_default_path_follows_the_setting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(store.ENV, raising=False)
    assert store.default_path(tmp_path) == tmp_path / "vintages.duckdb"
    monkeypatch.setenv(store.ENV, str(tmp_path / "elsewhere.duckdb"))
    assert store.default_path(tmp_path) == tmp_path / "elsewhere.duckdb"


# --- what changed ----------------------------------------------------------------------------


def test_compare_names_the_changed_key_file_months_and_code() -> None:
    obs1 = history("2025-03-01")[["date", "variable", "value"]]
    obs2 = history("2025-05-01")[["date", "variable", "value"]]
    before = {
        "run_id": "r1",
        "code_version": "a",
        "params": {"shelter": {"lead_time_months": 6, "x": 1}},
        "data_files": {"f": "1", "g": "2"},
        "observations": obs1,
        "headline": [],
    }
    after = {
        "run_id": "r2",
        "code_version": "b",
        "params": {"shelter": {"lead_time_months": 4, "x": 1}},
        "data_files": {"f": "1", "g": "3"},
        "observations": obs2,
        "headline": [],
    }
    out = changes.compare(before, after)
    assert out["params"] == [{"key": "shelter.lead_time_months", "then": "6", "now": "4"}]
    assert out["data"] == [{"name": "g", "change": "changed"}]
    assert out["new_months"] == {"registered": ["2025-04", "2025-05"]}
    assert out["code"] == {"then": "a", "now": "b"}
    assert not out["unchanged"] and out["previous_run"] == "r1"


def test_compare_says_unchanged_when_nothing_changed() -> None:
    obs = history("2025-03-01")[["date", "variable", "value"]]
    record = {
        "run_id": "r1",
        "code_version": "a",
        "params": {"a": [1, 2]},
        "data_files": {"f": "1"},
        "observations": obs,
        "headline": headline(5.0).to_dict("records"),
    }
    out = changes.compare(record, {**record, "run_id": "r2"})
    assert out["unchanged"] and not out["params"] and not out["data"] and out["code"] is None
    assert changes.compare(None, record)["first"]


# --- track record ----------------------------------------------------------------------------


def _long(table: pd.DataFrame, run_id: str) -> pd.DataFrame:
    frame = table.melt(id_vars=["date", "variable"], var_name="stat")
    return frame.assign(run_id=run_id, scenario="vt", table_name="population_forecast")


def test_track_record_scores_a_known_outcome() -> None:
    fc = _long(forecast_table("2025-04-01", 3, 1000.0), "r1")
    obs = pd.DataFrame(
        {"date": ["2025-04-01", "2025-05-01"], "variable": "registered", "value": [1000.0, 1070.0]}
    )  # at the median; above q0.90 (1060), below q0.95
    scores = track.score(fc, obs)
    assert list(scores["horizon"]) == [1, 2]
    at, above = scores.iloc[0], scores.iloc[1]
    assert at["error"] == 0 and at["in_50"] and at["in_80"] and at["in_95"]
    assert above["error"] == 70 and not above["in_50"] and not above["in_80"] and above["in_95"]
    summary = track.summary(scores)
    assert list(summary["coverage_80"]) == [1.0, 0.0]


# --- early warning ---------------------------------------------------------------------------


def _obs(values: list[float], start: str = "2025-04-01") -> pd.DataFrame:
    dates = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"date": dates, "variable": "registered", "value": values})


def test_registrations_trigger_fires_only_on_two_months_above_the_band() -> None:
    earlier = track.wide(_long(forecast_table("2025-04-01", 6, 1000.0), "r1"))
    cfg = RegistrationsAboveBand()
    fired = early.registrations_above_band(cfg, _obs([1000, 1100, 1100]), earlier)
    assert fired["status"] == "amber" and "above the earlier forecast's 80 % band" in fired["text"]
    one = early.registrations_above_band(cfg, _obs([1000, 1000, 1100]), earlier)
    assert one["status"] == "green"
    assert early.registrations_above_band(cfg, _obs([1100]), earlier)["status"] == "unknown"
    assert early.registrations_above_band(cfg, _obs([1100, 1100]), None)["status"] == "unknown"


def test_shelter_pressure_trigger_compares_lead_time() -> None:
    table = forecast_table("2025-04-01", 12, 0.0, variable="pressure")
    table.loc[table.index >= 2, "q0.50"] = 1.0  # reaches 100 % in June 2025, 3 months after March
    cfg = ShelterPressure(threshold=0.95)
    assert early.shelter_pressure(cfg, table, lead_time_months=6)["status"] == "red"
    quiet = early.shelter_pressure(cfg, table, lead_time_months=2)
    assert quiet["status"] == "green" and "June 2025" in quiet["text"]
    assert early.shelter_pressure(ShelterPressure(threshold=1.5), table, 6)["status"] == "green"
    now = early.shelter_pressure(ShelterPressure(threshold=1.5), table, 6, jump_off_pressure=1.6)
    assert now["status"] == "red" and "already" in now["text"]
    assert early.shelter_pressure(cfg, None, 6)["status"] == "unknown"


def test_backlog_capacity_trigger_uses_the_margin() -> None:
    table = pd.DataFrame(
        [
            {
                "service": "IND",
                "variant": "constant",
                "capacity_per_month": 3000.0,
                "planned_per_month": 2640.0,
                "ratio_to_planned": 3000 / 2640,
            }
        ]
    )
    fired = early.backlog_capacity(BacklogCapacity(margin=0.10), table)
    assert fired["status"] == "amber" and "IND" in fired["text"] and "14 %" in fired["text"]
    assert early.backlog_capacity(BacklogCapacity(margin=0.20), table)["status"] == "green"
    assert early.backlog_capacity(BacklogCapacity(), None)["status"] == "unknown"


def test_penalty_trigger_against_the_budget() -> None:
    # the trigger reads three years of exposure (the budget is three years)
    table = headline(1.0, penalty=100e6).replace({"key": {"backlog_penalty_eur_total": "backlog_penalty_eur_3y"}})
    rows = {r["key"]: r for r in table.to_dict("records")}  # p90 200 m
    assert early.penalty_budget(PenaltyBudget(budget_eur=50e6), rows)["status"] == "red"
    assert early.penalty_budget(PenaltyBudget(budget_eur=150e6), rows)["status"] == "amber"
    quiet = early.penalty_budget(PenaltyBudget(budget_eur=300e6), rows)
    assert quiet["status"] == "green" and "€ 300 million" in quiet["text"]
    assert early.penalty_budget(PenaltyBudget(), {})["status"] == "unknown"


def test_overall_status_is_the_worst_and_disabled_triggers_are_skipped() -> None:
    assert early.overall([{"status": "green"}, {"status": "red"}, {"status": "unknown"}]) == "red"
    assert early.overall([{"status": "unknown"}]) == "unknown"
    # not evaluated is its own status, never green: 1 green + 3 not evaluated is "not evaluated"
    assert early.overall([{"status": "green"}] + [{"status": "unknown"}] * 3) == "unknown"
    assert early.overall([{"status": "green"}, {"status": "green"}]) == "green"
    assert early.overall([{"status": "amber"}, {"status": "unknown"}]) == "amber"
    cfg = WarningsConfig(penalty_budget=PenaltyBudget(enabled=False))
    out = early.evaluate(cfg, observations=_obs([1.0]), earlier=None, tables={}, headline={}, lead_time_months=6)
    assert [r["trigger"] for r in out] == ["registrations_above_band", "shelter_pressure", "backlog_capacity"]


# --- a run after a run -----------------------------------------------------------------------


def test_two_runs_record_changes_scores_and_warnings(tmp_path: Path) -> None:
    db = tmp_path / "v.duckdb"
    first = make_run(
        tmp_path,
        "20260101T000000Z",
        params_text="meta:\n  name: vt\n",
        data_sha="1",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=1000.0,
    )
    out1 = _record(first, db)
    assert out1["scenarios"]["vt"]["changes"]["first"]
    assert (first / "warnings.json").is_file()
    # New data: April at the median, May and June above the 80 % band; one parameter changed.
    second = make_run(
        tmp_path,
        "20260201T000000Z",
        params_text="meta:\n  name: vt\nshelter:\n  lead_time_months: 4\n",
        data_sha="2",
        last_obs="2025-06-01",
        forecast_start="2025-07-01",
        median=1100.0,
        obs_extra={"2025-05-01": 1100.0, "2025-06-01": 1100.0},
    )
    out2 = _record(second, db)["scenarios"]["vt"]
    ch = out2["changes"]
    assert ch["previous_run"] == "20260101T000000Z"
    assert [p["key"] for p in ch["params"]] == ["shelter.lead_time_months"]
    assert ch["data"] == [{"name": "ukraine_shelter_nl", "change": "changed"}]
    assert ch["new_months"]["registered"] == ["2025-04", "2025-05", "2025-06"]
    then_now = {r["key"]: r for r in ch["headline"]}["registered_end_p50"]
    assert then_now["then"]["value"] == 1000.0 and then_now["now"]["value"] == 1100.0
    assert out2["scored_runs"] == ["20260101T000000Z"]
    by_h = {r["horizon"]: r for r in out2["track"]}
    assert by_h[1]["mean_error"] == 0 and by_h[1]["coverage_80"] == 1.0
    assert by_h[2]["coverage_80"] == 0.0
    warn = json.loads((second / "warnings.json").read_text())
    reg = warn["scenarios"]["vt"]["triggers"][0]
    assert reg["trigger"] == "registrations_above_band" and reg["status"] == "amber"
    assert warn["status"] == "amber"
    con = store.connect(db)
    assert con.execute("SELECT count(*) FROM track_record WHERE run_id = '20260101T000000Z'").fetchone()[0] == 3
    con.close()
    # A third run on the same inputs: "inputs unchanged".
    third = make_run(
        tmp_path,
        "20260301T000000Z",
        params_text="meta:\n  name: vt\nshelter:\n  lead_time_months: 4\n",
        data_sha="2",
        last_obs="2025-06-01",
        forecast_start="2025-07-01",
        median=1100.0,
        obs_extra={"2025-05-01": 1100.0, "2025-06-01": 1100.0},
    )
    assert _record(third, db)["scenarios"]["vt"]["changes"]["unchanged"]


def test_index_view_names_the_changed_key_and_shows_the_status_in_words(tmp_path: Path, monkeypatch) -> None:
    from capacity.runner import index
    from capacity.runner.index import vintage_view
    from capacity.runner.plan import ScenarioSpec

    monkeypatch.setattr(index, "_fan_chart", lambda title, fan, **kw: f"{len(fan)} runs" if len(fan) > 1 else None)

    db = tmp_path / "v.duckdb"
    _record(
        make_run(
            tmp_path,
            "20260101T000000Z",
            params_text="meta:\n  name: vt\n",
            data_sha="1",
            last_obs="2025-03-01",
            forecast_start="2025-04-01",
            median=1000.0,
        ),
        db,
    )
    second = make_run(
        tmp_path,
        "20260201T000000Z",
        params_text="meta:\n  name: vt\nshelter:\n  lead_time_months: 4\n",
        data_sha="1",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=1200.0,
    )
    _record(second, db)
    spec = ScenarioSpec(name="vt", params_path=tmp_path / "x.yaml", title="Test scenario", language="en", seed=1)
    view = vintage_view(second, [spec])
    change = view["changes"][0]
    assert change["params"][0]["key"] == "shelter.lead_time_months" and change["title"] == "Test scenario"
    row = {r["key"]: r for r in change["headline"]}["registered_end_p50"]
    assert (row["then"], row["now"], row["changed"]) == ("1,000", "1,200", True)
    assert view["warnings"]["status_text"].split()[0] in {"RED", "AMBER", "GREEN", "NOT"}
    assert view["fans"] == ["2 runs"]  # two runs: one chart of both forecasts


def test_interrupted_run_is_not_recorded(tmp_path: Path) -> None:
    run = make_run(
        tmp_path,
        "20260101T000000Z",
        params_text="meta:\n  name: vt\n",
        data_sha="1",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=1000.0,
    )
    manifest = json.loads((run / "manifest.json").read_text())
    assert record_run(run, manifest, status="interrupted", store_path=tmp_path / "v.duckdb") is None
    assert not (run / "warnings.json").exists()


def test_notify_runs_the_command_without_a_shell_with_the_json_path(tmp_path: Path) -> None:
    path = tmp_path / "warnings.json"
    path.write_text("{}")
    out = tmp_path / "called.txt"
    code = f'import sys, pathlib; pathlib.Path("{out}").write_text(sys.argv[1])'
    command = f"{sys.executable} -c '{code}'"
    assert notify(command, path) == 0
    assert out.read_text() == str(path)
    assert notify(f"{sys.executable} -c 'import time; time.sleep(5)'", path, timeout=0.5) is None
    assert notify("/nonexistent/command", path) is None


def test_a_version_1_store_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute("CREATE TABLE schema_version (version INTEGER, migrated_at TIMESTAMP)")
    old.execute(store.MIGRATIONS[1])
    old.execute("INSERT INTO schema_version VALUES (1, now())")
    old.execute("INSERT INTO vintages (run_id, scenario, status) VALUES ('20250101T000000Z', 'vt', 'ok')")
    old.close()
    con = store.connect(path)
    assert store.schema_version(con) == 2
    assert con.execute("SELECT published FROM vintages").fetchone()[0] is True
    assert store.previous(con, "vt", "20260101T000000Z") == "20250101T000000Z"
    con.close()


def test_an_unpublished_run_is_stored_but_never_the_one_compared_with(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "v.duckdb")
    empty = pd.DataFrame(columns=["table_name", "date", "variable", "stat", "value"])
    no_obs = pd.DataFrame(columns=["date", "variable", "value"])
    store.append(con, _vintage("20260101T000000Z", {}), headline=headline(1.0), forecasts=empty, observations=no_obs)
    store.append(
        con,
        {**_vintage("20260201T000000Z", {}), "published": False},
        headline=headline(1.0),
        forecasts=empty,
        observations=no_obs,
    )
    assert len(store.list_vintages(con)) == 2
    assert store.previous(con, "vt", "20260301T000000Z") == "20260101T000000Z"


def test_cli_vintages_and_on_warning(tmp_path: Path, capsys) -> None:
    import argparse

    from capacity import cli

    assert cli.main(["vintages", "list", "--vintages", str(tmp_path / "none.duckdb")]) == cli.EXIT_INPUT
    assert "no vintage store" in capsys.readouterr().err
    (tmp_path / "warnings.json").write_text(json.dumps({"status": "amber"}))
    out = tmp_path / "called.txt"
    command = f"{sys.executable} -c 'import sys, pathlib; pathlib.Path(\"{out}\").write_text(sys.argv[1])'"
    cli._on_warning(argparse.Namespace(on_warning=command), tmp_path)
    assert out.read_text() == str(tmp_path / "warnings.json")
    assert "early warning: amber" in capsys.readouterr().out


def test_a_store_that_cannot_be_written_still_leaves_warnings_json(tmp_path: Path) -> None:
    run = make_run(
        tmp_path,
        "20260101T000000Z",
        params_text="meta:\n  name: vt\n",
        data_sha="1",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=1000.0,
    )
    (tmp_path / "not-a-db.duckdb").write_text("this is not a DuckDB file")
    manifest = json.loads((run / "manifest.json").read_text())
    out = record_run(run, manifest, status="ok", store_path=tmp_path / "not-a-db.duckdb")
    assert "not a DuckDB database" in out["store_error"] and (run / store.PENDING).is_file()
    warn = json.loads((run / "warnings.json").read_text())
    assert warn["vintage_store"]["stored"] is False
    assert "not yet in the vintage store" in warn["scenarios"]["vt"]["triggers"][-1]["text"]
    assert "not-a-db.duckdb" in json.loads((run / "vintages.json").read_text())["store_error"]


def test_a_run_never_scores_its_own_forecast(tmp_path: Path) -> None:
    run = make_run(
        tmp_path,
        "20260101T000000Z",
        params_text="meta:\n  name: vt\n",
        data_sha="1",
        last_obs="2025-06-01",
        forecast_start="2025-04-01",
        median=1000.0,
    )  # overlapping
    out = _record(run, tmp_path / "v.duckdb")["scenarios"]["vt"]
    assert out["scored_runs"] == [] and out["track"] == []


def test_track_record_rows_show_the_direction_of_the_error_in_words_and_signs() -> None:
    from capacity.runner.index import _track_rows

    row = {
        "variable": "registered",
        "horizon": 1,
        "n": 2,
        "vintages": 2,
        "mean_error": -7757.2,
        "mape": 0.0593,
        "coverage_50": 0.0,
        "coverage_80": 1.0,
        "coverage_95": None,
    }
    shown = _track_rows("vt", [row, {**row, "mean_error": 12.0}])
    assert (shown[0]["mean_error"], shown[0]["mape"], shown[0]["coverage_80"]) == ("−7,757", "5.9 %", "100 %")
    assert shown[1]["mean_error"] == "+12" and shown[0]["coverage_95"] == "–"


def test_national_and_municipal_reports_get_the_note(tmp_path: Path) -> None:
    from capacity.vintages.banner import MARKER, note_html

    db = tmp_path / "v.duckdb"
    _record(
        make_run(
            tmp_path,
            "20260101T000000Z",
            params_text="meta:\n  name: vt\n",
            data_sha="1",
            last_obs="2025-03-01",
            forecast_start="2025-04-01",
            median=1000.0,
        ),
        db,
    )
    second = make_run(
        tmp_path,
        "20260201T000000Z",
        params_text="meta:\n  name: vt\nshelter:\n  lead_time_months: 4\n",
        data_sha="1",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=1000.0,
    )
    report = second / "vt" / "03_shelter.html"
    report.write_text(f"<body><div>bar</div>{MARKER}<p>report</p></body>")
    (second / "vt" / "municipalities").mkdir()
    municipal = second / "vt" / "municipalities" / "GM0363.html"
    municipal.write_text(f"<body>{MARKER}</body>")
    _record(second, db)
    text = report.read_text()
    assert MARKER not in text and 'id="capacity-vintage"' in text
    assert "Since run 20260101T000000Z: parameters shelter.lead_time_months." in text
    assert "Early warning:" in text and 'href="../index.html#early-warning"' in text
    page = municipal.read_text()  # the warning reaches the municipal page, in Dutch
    assert MARKER not in page and "Vroegsignalering:" in page and 'href="../../index.html#early-warning"' in page
    hostile = note_html(
        "red",
        [{"title": "<script>x</script>", "status": "red"}],
        {"previous_run": "r1", "params": [{"key": "a<b"}]},
        language="nl",
    )
    assert "<script>" not in hostile and "&lt;script&gt;" in hostile and "ROOD — actie nodig" in hostile


def test_a_run_without_a_headline_table_is_recorded_and_the_store_path_is_relative(tmp_path: Path) -> None:
    run = make_run(
        tmp_path,
        "20260101T000000Z",
        params_text="meta: {seed: 1}\n",
        data_sha="d",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=100.0,
    )
    (run / "vt" / "tables" / "headline.csv").unlink()  # e.g. a run of notebooks that write none
    out = _record(run, tmp_path / "v.duckdb")
    assert out["store"] == "../v.duckdb"  # published files carry no machine path
    assert json.loads((run / "vintages.json").read_text())["store"] == "../v.duckdb"


def test_municipal_pages_get_the_warning_in_dutch(tmp_path: Path) -> None:
    from capacity.vintages.banner import MARKER, note_html, stamp_reports

    national, municipal = tmp_path / "02_arrivals_departures.html", tmp_path / "municipalities" / "GM0363.html"
    municipal.parent.mkdir()
    for page in (national, municipal):
        page.write_text(f"<body>{MARKER}<p>page</p></body>", encoding="utf-8")
    results = [
        {"trigger": "data_age", "status": "stale", "title": early.TITLES["data_age"], "text": "old"},
        {
            "trigger": "shelter_pressure",
            "status": "unknown",
            "title": early.TITLES["shelter_pressure"],
            "text": "not evaluated",
        },
    ]
    status = early.overall(results)
    changed = stamp_reports(
        tmp_path,
        note_html(status, results, None, language="en"),
        note_html(status, results, None, language="nl", index_href="../../index.html"),
    )
    assert changed == [national, municipal]
    page = municipal.read_text(encoding="utf-8")
    assert MARKER not in page and 'href="../../index.html#early-warning"' in page
    assert "Ouderdom van de gegevens" in page and "Age of the data" not in page  # the trigger in Dutch
    assert "Age of the data" in national.read_text(encoding="utf-8")
