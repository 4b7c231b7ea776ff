"""One scenario end to end through the pipeline, with its cache and headline numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity import data, headline, params, pipeline
from capacity.quantiles import QUANTILE_COLUMNS, check_contract

pytestmark = pytest.mark.integration

N_PATHS = 200


@pytest.fixture(scope="module")
def baseline(baseline_results: pipeline.ScenarioResults) -> pipeline.ScenarioResults:
    """The session's shared baseline result (tests/conftest.py), computed once for every tier."""
    assert baseline_results.population.n_paths == N_PATHS
    return baseline_results


def test_population_identity_holds_on_every_path(baseline: pipeline.ScenarioResults) -> None:
    pop = baseline.population
    jump_month, jump_value = data.last_observed(baseline.history, "registered")
    # paths from the month after the last count to 36 months after the run month
    assert pop.registered.shape == (N_PATHS, data.months_between(jump_month, pop.today) + 36)
    assert pop.identity_error() < 1e-6
    assert pop.jump_off_registered == pytest.approx(jump_value, rel=0.01)  # the filtered level at the count
    assert pop.dates[0] == jump_month + pd.offsets.MonthBegin(1)


def test_shelter_never_above_places_and_unmet_never_negative(baseline: pipeline.ScenarioResults) -> None:
    sh = baseline.shelter
    assert (sh.in_shelter <= sh.places + 1e-6).all()
    assert (sh.unmet_demand >= -1e-6).all()
    assert np.allclose(sh.in_shelter + sh.unmet_demand, sh.demand)


def test_backlog_feeds_shelter_from_the_tpd_end(baseline: pipeline.ScenarioResults) -> None:
    tpd_end = pd.Timestamp(baseline.scenario.backlog.tpd_end_date).to_period("M").to_timestamp()
    entitled, start = pipeline.entitled_on_forecast_months(baseline.backlog, baseline.population.dates)
    assert start == tpd_end
    before = baseline.population.dates < tpd_end
    assert (entitled[:, before] == 0).all() and (entitled[:, ~before] > 0).all()
    assert baseline.shelter.entitled_from == tpd_end


def test_tables_follow_the_contract(baseline: pipeline.ScenarioResults) -> None:
    for table in (baseline.population.table(), baseline.shelter.table(), baseline.backlog.table()):
        check_contract(table)
    variables = set(baseline.backlog.table()["variable"])
    assert {"pending", "decisions", "late_decisions", "penalty_eur", "dtv_caseload", "shelter_entitled"} <= variables
    assert {"in_shelter", "places", "occupancy_rate", "unmet_demand", "places_needed"} <= set(
        baseline.shelter.table()["variable"]
    )


def test_same_seed_same_numbers(baseline: pipeline.ScenarioResults) -> None:
    scn = params.load()
    # the backtest is the shared one (it has no random draws of its own to compare)
    a = pipeline.run_scenario(scn, n_paths=50, scorecard=baseline.scorecard)
    b = pipeline.run_scenario(scn, n_paths=50, scorecard=a.scorecard)
    assert np.array_equal(a.population.registered, b.population.registered)
    assert np.array_equal(a.backlog.paths["pending"], b.backlog.paths["pending"])
    assert np.array_equal(a.shelter.in_shelter, b.shelter.in_shelter)


def test_cache_is_reused_and_invalidated(tmp_path: Path, baseline: pipeline.ScenarioResults) -> None:
    cache = tmp_path / "results.pkl"
    scn = params.load()
    data.save_pickle(baseline, cache)
    loaded = pipeline.scenario_results(scn, cache_path=cache, n_paths=N_PATHS)
    assert np.array_equal(loaded.population.registered, baseline.population.registered)
    other = params.load(meta__seed=1)
    fresh = pipeline.scenario_results(other, cache_path=cache, n_paths=20, scorecard=baseline.scorecard)
    assert fresh.scenario.meta.seed == 1 and fresh.population.n_paths == 20
    assert data.load_pickle(cache).scenario.meta.seed == 1  # rewritten


def test_headline_table_is_complete_and_ordered(baseline: pipeline.ScenarioResults) -> None:
    head = baseline.headline
    assert list(head.columns) == ["key", "label_en", "label_nl", "value", "p10", "p90", "unit", "rounding"]
    assert head["key"].is_unique and set(headline.MAIN) <= set(head["key"])
    rows = headline.lookup(head)
    assert 0 < rows["shelter_peak_occupancy"]["value"] <= 1.0
    per_path = head[head["p10"].notna()]
    assert (per_path["p10"] <= per_path["value"]).all() and (per_path["value"] <= per_path["p90"]).all()


def test_peaks_are_maxima_over_the_horizon(baseline: pipeline.ScenarioResults) -> None:
    rows = headline.lookup(baseline.headline)
    pending = baseline.backlog.paths["pending_regular"]
    assert rows["backlog_regular_backlog_peak"]["value"] == pytest.approx(np.median(pending.max(axis=1)))
    assert rows["backlog_regular_backlog_peak"]["value"] >= np.median(pending[:, -1])


def test_every_step_has_its_own_stream_and_the_results_hold_every_report_table(
    baseline: pipeline.ScenarioResults,
) -> None:
    assert set(pipeline.STREAMS) >= {"backtest", "forecast", "backlog", "shelter", "gap_check", "policies", "solver"}
    for name in (
        "headline",
        "population_forecast",
        "forecast_gap_check",
        "shelter_forecast",
        "shelter_planning",
        "municipalities",
        "backlog_forecast",
        "backlog_policies",
        "capacity_needed",
        "anchor_checks",
    ):
        assert not baseline.tables[name].empty, name
    assert baseline.allocation["in_shelter"].sum() == pytest.approx(
        baseline.allocation.attrs["national"]["in_shelter"], abs=1
    )


def test_backtest_is_shared_across_scenarios_of_a_run(
    tmp_path: Path, baseline: pipeline.ScenarioResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    from capacity import forecast

    calls = []

    def backtest(history: pd.DataFrame, cfg: object, *, rng: object) -> pd.DataFrame:
        calls.append(cfg)  # the session's real scorecard, without computing it a second time
        return baseline.scorecard.copy()

    monkeypatch.setattr(forecast, "run_backtest", backtest)
    scn = params.load()
    shocked = params.load(params.PARAMS_DIR / "scenarios" / "ceasefire.yaml")
    assert pipeline.backtest_key(baseline.history, scn) == pipeline.backtest_key(baseline.history, shocked)
    first = pipeline.shared_backtest(scn, baseline.history, tmp_path)
    assert len(list(tmp_path.glob("backtest-*.pkl"))) == 1
    again = pipeline.shared_backtest(shocked, baseline.history, tmp_path)
    pd.testing.assert_frame_equal(first, again)
    assert len(calls) == 1  # the second scenario read the first one's file


def _slow_backtest(history: pd.DataFrame, cfg: object, *, rng: object) -> pd.DataFrame:
    """A stand-in backtest that takes a while and leaves one line per call in $COUNT_FILE."""
    import os
    import time

    with open(os.environ["COUNT_FILE"], "a", encoding="utf-8") as fh:
        fh.write("computed\n")
    time.sleep(1.0)
    return pd.DataFrame({"series": ["arrivals"], "mase": [1.0]})


#: The history the forked workers of the test below read (set before they fork).
_HISTORY: list[pd.DataFrame] = []


def _prepare_one(cache_dir: str) -> int:
    return len(pipeline.shared_backtest(params.load(), _HISTORY[0], cache_dir))


def test_scenarios_prepared_at_once_compute_the_backtest_once(
    tmp_path: Path, baseline: pipeline.ScenarioResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers preparing scenarios together: one computes the backtest, the other waits for it."""
    import multiprocessing

    from capacity import forecast

    count = tmp_path / "count.txt"
    monkeypatch.setenv("COUNT_FILE", str(count))
    monkeypatch.setenv("CAPACITY_CACHE_KEY", "test-key-0123456789")
    monkeypatch.setattr(forecast, "run_backtest", _slow_backtest)
    _HISTORY[:] = [baseline.history]
    with multiprocessing.get_context("fork").Pool(2) as pool:  # forked: the stand-in carries over
        sizes = pool.map(_prepare_one, [str(tmp_path / "cache")] * 2)
    assert sizes == [1, 1]
    assert count.read_text(encoding="utf-8").splitlines() == ["computed"]


def test_dutch_edition_has_the_baseline_numbers(baseline: pipeline.ScenarioResults) -> None:
    dutch = params.load(params.PARAMS_DIR / "scenarios" / "baseline_nl.yaml")
    assert dutch.meta.language == "nl" and dutch.meta.seed == baseline.scenario.meta.seed
    same = pipeline.run_scenario(dutch, n_paths=N_PATHS, scorecard=baseline.scorecard, history=baseline.history)
    assert np.array_equal(same.population.registered, baseline.population.registered)
    assert np.array_equal(same.backlog.paths["pending"], baseline.backlog.paths["pending"])
    assert np.array_equal(same.shelter.in_shelter, baseline.shelter.in_shelter)


def test_stock_backtest_beats_a_random_walk_with_drift_at_horizons_1_to_6(baseline: pipeline.ScenarioResults) -> None:
    from capacity.forecast import STOCK_COLUMNS

    table = baseline.tables["stock_backtest"]
    assert list(table.columns) == list(STOCK_COLUMNS)
    assert list(table["horizon"]) == list(range(1, 13))
    near = table[table["horizon"] <= 6]
    assert (near["n"] > 0).all() and (near["n_counts"] >= 5).all()
    # the state-space model's forecast distribution is better (CRPS) than the random walk with drift
    assert (near["skill"] > 0).all(), near[["horizon", "crps", "crps_rw_drift", "skill"]]
    scored = table[table["n"] > 0]
    assert ((scored["coverage_80"] >= 0) & (scored["coverage_80"] <= 1)).all()
    assert (scored["coverage_80_lo"] <= scored["coverage_80"]).all()
    assert (scored["coverage_80_hi"] >= scored["coverage_80"]).all()
    gap = baseline.gap_check
    assert len(gap) >= 2  # counts published after the flows end, against the flows-only model
    assert baseline.population.residual is not None
    assert baseline.population.identity_error() < 1e-6


def test_the_nowcast_names_today_and_the_months_since_the_last_count(baseline: pipeline.ScenarioResults) -> None:
    from capacity.data import months_between, reference_month

    rows = baseline.headline.set_index("key")
    pop = baseline.population
    assert pop.jump_off_date == pd.Timestamp("2025-06-01") and pop.today == reference_month()
    assert rows.loc["registered_last_count_month", "value"] == "2025-06"
    assert rows.loc["registered_months_since_count", "value"] == months_between(pop.jump_off_date, pop.today)
    now = rows.loc["registered_nowcast"]
    assert now["p10"] < now["value"] < now["p90"]
    # one month after a count the band is a few per cent; it widens with every month without one
    first = np.quantile(pop.registered[:, 0], [0.1, 0.5, 0.9])
    assert (first[2] - first[0]) / 2 / first[1] < 0.03
    width = (now["p90"] - now["p10"]) / 2 / now["value"]
    assert width > (first[2] - first[0]) / 2 / first[1]


def test_backlog_penalties_terms_and_replay_are_in_the_results(baseline: pipeline.ScenarioResults) -> None:
    tables, rows = baseline.tables, baseline.headline.set_index("key")
    penalties = tables["backlog_penalties"]
    assert set(penalties["stream"]) == {"cohort", "regular", "total"}
    assert (penalties["penalty_eur_p10"] >= 0).all()
    for term in (6, 21):
        assert f"backlog_penalty_eur_cohort_term{term}" in rows.index
    assert (
        rows.loc["backlog_penalty_eur_cohort_term6", "value"] >= rows.loc["backlog_penalty_eur_cohort_term21", "value"]
    )
    validation = tables["backlog_validation"]
    assert set(validation["year"]) == {2023, 2024, 2025}
    pen = validation[validation["quantity"] == "penalty_eur"].set_index("year")
    for year in (2023, 2024):
        assert pen.loc[year, "sim_p10"] <= pen.loc[year, "observed"] <= pen.loc[year, "sim_p90"]


def test_shelter_housing_task_and_pressure_in_the_baseline(baseline: pipeline.ScenarioResults) -> None:
    sh, tables, rows = baseline.shelter, baseline.tables, baseline.headline.set_index("key")
    after = sh.after_tpd
    assert after is not None and after.dates[0] == sh.entitled_from
    assert after.conservation_error() < 1e-6 * after.cohort.max()
    housing = check_contract(tables["housing_task"])
    assert {"housing_task", "housing_task_new", "asylum_reception", "left_country"} <= set(housing["variable"])
    # the people in shelter at the last count already passed 95 % of the places: said, not forecast
    assert rows.loc["shelter_first_month_95", "value"] == f"{sh.jump_off_date:%Y-%m}"
    assert rows.loc["shelter_pressure_jump_off", "value"] > 0.95
    # places are policy (issue 25): as announced until the plan closes Ukraine shelter at the TPD end
    np.testing.assert_allclose(sh.places[:, sh.dates < sh.entitled_from], sh.jump_off_places)
    np.testing.assert_allclose(sh.places[:, sh.dates >= sh.entitled_from], 0.0)
    assert {"moved_home", "fallback", "without_accommodation"} <= set(housing["variable"])
    exits = tables["municipal_exits"]
    assert exits["code"].nunique() == 342 and set(exits["date"]) == set(after.dates)
    # one chain: municipalities add up to their safety region every month and quantile
    chain = (
        tables["municipal_forecast"].groupby(["safety_region", "date", "variable"])[["mean", *QUANTILE_COLUMNS]].sum()
    )
    regions = tables["regions"][tables["regions"]["region_type"] == "safety_region"].set_index(
        ["region", "date", "variable"]
    )[["mean", *QUANTILE_COLUMNS]]
    assert (regions.loc[chain.index].to_numpy() == chain.to_numpy()).all()


def test_shelter_replay_table_is_in_the_results(baseline: pipeline.ScenarioResults) -> None:
    replay = baseline.tables["shelter_replay"]
    assert {"observed", "inside_80", "arrivals_source", "q0.10", "q0.90"} <= set(replay.columns)
    assert replay["observed"].notna().sum() >= 10
    assert "shelter_replay" in pipeline.STREAMS


def test_forecast_shelter_and_backlog_share_one_departure_process(baseline: pipeline.ScenarioResults) -> None:
    # the departure rate each model applies in a month is the forecast path's rate for that month
    pop, sh, bl = baseline.population, baseline.shelter, baseline.backlog
    rate = pop.departure_rates
    # shelter, until the TPD ends (from then on demand follows the backlog's entitled path)
    before_tpd = sh.dates < sh.entitled_from
    assert before_tpd.sum() >= 12
    demand_before = np.concatenate([np.full((pop.n_paths, 1), sh.jump_off_demand), sh.demand[:, :-1]], axis=1)
    applied = sh.departures[:, before_tpd] / demand_before[:, before_tpd]
    ratio = sh.rates["departure_rate_ratio"][:, None]
    np.testing.assert_allclose(applied, ratio * rate[:, before_tpd], rtol=1e-10)
    # the backlog cohort, on its months inside the forecast horizon, path by path
    inside = np.flatnonzero(bl.dates <= pop.dates[-1])
    assert inside.size >= 6
    columns = [pop.dates.get_loc(d) for d in bl.dates[inside]]
    np.testing.assert_allclose(bl.paths["departure_rate"][:, inside], rate[:, columns], rtol=1e-12)
    # beyond the horizon the backlog carries each path's last rate on
    beyond = bl.paths["departure_rate"][:, inside[-1] + 1 :]
    np.testing.assert_allclose(beyond, np.broadcast_to(rate[:, -1:], beyond.shape), rtol=1e-12)
    # the paths differ: one process with its uncertainty, not one fixed rate
    assert np.ptp(rate[:, columns[0]]) > 0


def test_regions_reconcile_exactly_with_the_national_shelter_figures(baseline: pipeline.ScenarioResults) -> None:
    regions = baseline.tables["regions"]
    cols = ["mean", *QUANTILE_COLUMNS]
    national = baseline.tables["shelter_forecast"].set_index(["date", "variable"])[cols].round()
    for region_type, n in (("safety_region", 25), ("province", 12)):
        part = regions[regions["region_type"] == region_type]
        assert part["region"].nunique() == n
        sums = part.groupby(["date", "variable"])[cols].sum()
        assert len(sums) == len(baseline.shelter.dates) * 5
        assert (sums.to_numpy() == national.loc[sums.index].to_numpy()).all(), region_type
    assert set(regions.loc[regions["key_source"] == "observed", "region"]) == {"Drenthe", "Groningen"}


def test_tp_arrivals_stop_at_the_tpd_end_and_later_arrivals_seek_asylum(baseline: pipeline.ScenarioResults) -> None:
    tpd_end = pd.Timestamp(baseline.scenario.backlog.tpd_end_date).to_period("M").to_timestamp()
    table = baseline.tables["population_forecast"]
    after = table["date"] >= tpd_end
    tp = table[after & (table["variable"] == "arrivals")]
    assert not tp.empty and (tp[["mean", *QUANTILE_COLUMNS]] == 0).all().all()
    asylum = table[after & (table["variable"] == "arrivals_post_tpd_asylum")]
    assert (asylum["q0.50"] > 0).all()
    # they join the IND's regular inflow from the TPD-end month
    first = baseline.regime.asylum_on(tpd_end, 1)[:, 0]
    assert np.median(first) > 0
    assert baseline.population.identity_error() < 1e-6


def test_ledger_sums_and_the_coa_intake_counts_only_continuing_persons(baseline: pipeline.ScenarioResults) -> None:
    ledger = baseline.ledger
    assert ledger.conservation_error() < 1e-6 * ledger.expected_total().max()
    assert set(baseline.tables["ledger"]["state"]) == set(ledger.stocks)
    figures = headline.lookup(baseline.headline)
    cohort = figures["backlog_cohort_persons"]["value"]
    intake = figures["ledger_coa_intake_tpd_month"]["value"]
    continuing = figures["backlog_continuing_persons"]["value"]
    assert intake <= continuing * 1.001 and intake < 0.5 * cohort
    assert figures["backlog_permits_issued_total"]["unit"] == "persons"
