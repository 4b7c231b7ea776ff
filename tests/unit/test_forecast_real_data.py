"""The forecast on the shipped data: every shipped scenario, 36 months, identity on every path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from capacity import params
from capacity.data import load_history
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
    pop = forecast_population(history, scn.forecast, rng=np.random.default_rng(scn.meta.seed), n_paths=200,
                              scorecard=scorecard)
    assert pop.jump_off_date == pd.Timestamp("2025-03-01") and pop.jump_off_registered == 120_820
    assert pop.dates[0] == pd.Timestamp("2025-04-01") and len(pop.dates) == 36
    assert pop.identity_error() < 1e-6
    table = check_contract(pop.table())
    assert list(table.columns) == list(CONTRACT_COLUMNS)
    assert set(table["variable"]) == {"arrivals", "departures", "registered"}


def test_scenarios_with_surges_raise_arrivals_above_the_baseline(history, scorecard):
    def arrivals(name: str) -> float:
        path = params.PARAMS_DIR / "scenarios" / f"{name}.yaml" if name != "baseline" else None
        scn = params.load(path, forecast__models=FAST)
        return forecast_population(history, scn.forecast, rng=np.random.default_rng(1), n_paths=200,
                                   scorecard=scorecard).arrivals.sum(axis=1).mean()

    base = arrivals("baseline")
    for name in ("front_breakthrough", "unfavourable_deal", "grid_collapse_winter", "exit_rules_relaxed"):
        assert arrivals(name) > base
