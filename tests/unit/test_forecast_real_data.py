"""The forecast on the shipped data: every shipped scenario, 36 months, identity on every path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from capacity import params
from capacity.data import load_history, months_between, reference_month
from capacity.forecast import forecast_population, model_series, run_backtest
from capacity.quantiles import CONTRACT_COLUMNS, check_contract

pytestmark = pytest.mark.unit

FAST = ["naive", "mean", "drift", "seasonal_naive", "ucm"]  # ETS and Prophet are covered elsewhere


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_history()


@pytest.fixture(scope="module")
def scorecard(history) -> pd.DataFrame:
    cfg = params.load(forecast__models=FAST).forecast
    return run_backtest(history, cfg, rng=np.random.default_rng(0))


def test_series_match_the_published_figures(history):
    series = model_series(history, params.load().forecast)
    arrivals = series["arrivals"].y
    assert arrivals.index[-1] == pd.Timestamp("2024-08-01") and arrivals.iloc[-1] == 2670  # Eurostat 2024-08
    rate = series["departure_rate"].y
    # 8,215 departed 1 May - 1 Nov 2024 (monitor report) of ~117,000-122,000 registered: ~1.1-1.2 %/month
    assert 0.010 < rate.loc["2024-05-01":"2024-10-01"].mean() < 0.013


@pytest.mark.parametrize("path", params.scenario_files(), ids=lambda p: p.stem)
def test_every_shipped_scenario_forecasts_36_months_with_the_identity(history, scorecard, path):
    scn = params.load(path, forecast__models=FAST)
    pop = forecast_population(
        history, scn.forecast, rng=np.random.default_rng(scn.meta.seed), n_paths=200, scorecard=scorecard
    )
    # the paths start after the last count (the letters' 129,230 of 21 June 2025, filtered with
    # every other source) and run to 36 months after the run month
    assert pop.jump_off_date == pd.Timestamp("2025-06-01")
    assert pop.jump_off_registered == pytest.approx(129_230, rel=0.01)
    today = reference_month()
    assert pop.today == today
    assert pop.dates[0] == pd.Timestamp("2025-07-01")
    assert len(pop.dates) == months_between(pd.Timestamp("2025-06-01"), today) + 36
    assert pop.identity_error() < 1e-6
    table = check_contract(pop.table())
    assert list(table.columns) == list(CONTRACT_COLUMNS)
    assert set(table["variable"]) == {"arrivals", "departures", "registered"}


def test_scenarios_with_surges_raise_arrivals_above_the_baseline(history, scorecard):
    def arrivals(name: str) -> float:
        path = params.PARAMS_DIR / "scenarios" / f"{name}.yaml" if name != "baseline" else None
        scn = params.load(path, forecast__models=FAST)
        return (
            forecast_population(history, scn.forecast, rng=np.random.default_rng(1), n_paths=200, scorecard=scorecard)
            .arrivals.sum(axis=1)
            .mean()
        )

    base = arrivals("baseline")
    for name in ("front_breakthrough", "unfavourable_deal", "grid_collapse_winter", "exit_rules_relaxed"):
        assert arrivals(name) > base


def test_as_of_sees_only_the_data_of_then_and_counts_horizons_from_it():
    past = load_history(as_of="2025-03-31")
    counts = past.attrs["registered_counts"]
    assert counts["date"].max() == pd.Timestamp("2025-03-19")  # the table's count of 19 March 2025
    assert past.loc[past["flag"] != "missing", "date"].max() <= pd.Timestamp("2025-03-01")
    cfg = params.load(forecast__models=FAST, forecast__as_of="2025-03-31").forecast
    pop = forecast_population(past, cfg, rng=np.random.default_rng(2), n_paths=100, scorecard=None)
    assert pop.jump_off_date == pd.Timestamp("2025-03-01") and pop.today == pd.Timestamp("2025-03-01")
    assert pop.dates[0] == pd.Timestamp("2025-04-01") and len(pop.dates) == 36


def test_a_new_count_in_the_data_moves_and_sharpens_the_nowcast(tmp_path):
    from capacity.data import shipped_dir
    from capacity.forecast.population import fit_stock_nowcast

    cfg = params.load().forecast
    before = fit_stock_nowcast(load_history(), cfg)
    text = (shipped_dir() / "ukraine_shelter_nl.csv").read_text(encoding="utf-8").rstrip("\n")
    extra = tmp_path / "ukraine_shelter_nl.csv"
    # a test row, not a published figure: a letters' count in December 2025 above the trend
    extra.write_text(
        text + "\n2025-12-14,day,140000,,,,,,test row,not a published figure,rtb_letter\n", encoding="utf-8"
    )
    after = fit_stock_nowcast(load_history(files={"ukraine_shelter_nl": str(extra)}), cfg)
    assert after.last_month == pd.Timestamp("2025-12-01")
    today = reference_month()
    k_before, k_after = months_between(before.last_month, today), months_between(after.last_month, today)
    mean_b, var_b = before.predict(k_before)
    mean_a, var_a = after.predict(k_after)
    assert np.exp(mean_a[-1]) != pytest.approx(np.exp(mean_b[-1]), rel=0.005)
    assert var_a[-1] < var_b[-1]  # six months since the last count, not eighteen
