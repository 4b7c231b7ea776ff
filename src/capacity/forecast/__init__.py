"""Arrivals and departures forecasts: models, backtests, calibrated sample paths, scenario shocks.

Public entry points:

- :func:`run_backtest` ``(history, cfg, *, rng) -> scorecard`` (scenario-independent);
- :func:`forecast_population` ``(history, cfg, *, rng, n_paths, horizon, scorecard) ->
  PopulationPaths`` (the sample paths the shelter and backlog models take);
- :func:`stock_backtest_table` ``(scorecard) -> tables/stock_backtest.csv``: the
  rolling-origin backtest of the registered stock that the run's backtest carries;
- :func:`forecast_run` (the same plus the per-series forecasts, for reports) and
  :func:`gap_check` (forecast vs the registered counts published after the data end).

Arrivals are a count; departures are a rate on the people present
(``departures = rate x registered[t-1]``), so a larger population gives proportionally
more departures.
"""

from capacity.forecast.backtest import (
    SCORECARD_COLUMNS,
    calibration,
    ensemble_weights,
    summary,
)
from capacity.forecast.gapcheck import gap_check
from capacity.forecast.models import (
    ETS,
    SARIMAX,
    UCM,
    Drift,
    Mean,
    Model,
    Naive,
    SeasonalNaive,
    combine,
)
from capacity.forecast.nowcast import TARGET, Nowcast, fit_nowcast
from capacity.forecast.paths import PopulationPaths, simulate_population, simulate_stock
from capacity.forecast.population import (
    ForecastRun,
    SeriesForecast,
    forecast_population,
    forecast_run,
    scenario_tables,
)
from capacity.forecast.registry import make_model
from capacity.forecast.series import arrivals_series, departure_rate, departure_rate_series, model_series
from capacity.forecast.shocks import apply_shocks, profile
from capacity.forecast.stock import (
    STOCK_COLUMNS,
    nowcast_records,
    run_backtest,
    stock_backtest_table,
    stock_records,
    vintage,
)

__all__ = [
    "ETS",
    "SARIMAX",
    "SCORECARD_COLUMNS",
    "UCM",
    "Drift",
    "ForecastRun",
    "Mean",
    "Model",
    "Naive",
    "PopulationPaths",
    "SeasonalNaive",
    "SeriesForecast",
    "apply_shocks",
    "arrivals_series",
    "calibration",
    "combine",
    "departure_rate",
    "departure_rate_series",
    "ensemble_weights",
    "forecast_population",
    "forecast_run",
    "gap_check",
    "make_model",
    "model_series",
    "profile",
    "run_backtest",
    "scenario_tables",
    "simulate_population",
    "simulate_stock",
    "stock_backtest_table",
    "stock_records",
    "nowcast_records",
    "Nowcast",
    "fit_nowcast",
    "TARGET",
    "summary",
    "vintage",
    "STOCK_COLUMNS",
]
