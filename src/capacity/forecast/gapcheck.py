"""The gap check: the registered counts published after the models' data end against the forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from capacity.data import observed
from capacity.errors import DataError
from capacity.forecast.paths import simulate_stock
from capacity.forecast.population import forecast_run
from capacity.params.forecast import ForecastConfig
from capacity.quantiles import summarise


def gap_check(
    history: pd.DataFrame,
    cfg: ForecastConfig,
    *,
    rng: np.random.Generator,
    scorecard: pd.DataFrame | None = None,
    n_paths: int = 500,
) -> pd.DataFrame:
    """Compare the registered counts published after the models' data end with the forecast.

    The models fit to the last month with data (arrivals: Eurostat to 2024-08). Starting
    from the first observed registered count after that month, the forecast arrivals and
    departure rates are run forward (grants minus departures only: the flows-only model; the
    state-space model is scored in the stock backtest) to every later observed count up to
    the jump-off.

    Args:
        history: Long history frame.
        cfg: Forecast settings (shocks start after the jump-off and do not matter here).
        rng: Random generator.
        scorecard: Backtest to reuse (computed if ``None``).
        n_paths: Sample paths.

    Returns:
        One row per later observed month: ``date, observed, start_date, start_value,
        median, q0.10, q0.90, q0.025, q0.975`` (persons) and ``inside_80``, ``inside_95``;
        empty if fewer than two observed counts fall in that window.

    """
    run = forecast_run(history, cfg, rng=rng, n_paths=n_paths, scorecard=scorecard, stock="flows")
    cols = [
        "date",
        "observed",
        "start_date",
        "start_value",
        "median",
        "q0.10",
        "q0.90",
        "q0.025",
        "q0.975",
        "inside_80",
        "inside_95",
    ]
    points = observed(history, "registered", after=run.arrivals.series.y.index[-1])
    points = points[points.index <= run.population.jump_off_date]
    if len(points) < 2:
        return pd.DataFrame(columns=cols)
    start_date, start_value = points.index[0], points.iloc[0]
    months = pd.date_range(start_date, points.index[-1], freq="MS")[1:]
    try:
        a, r = run.inputs(months)
    except DataError:
        return pd.DataFrame(columns=cols)
    _, reg, _ = simulate_stock(a, r, start_value)
    q = summarise(reg, months, "registered").set_index("date")
    rows = []
    for d, v in points.iloc[1:].items():
        qq = q.loc[d]
        rows.append(
            {
                "date": d,
                "observed": v,
                "start_date": start_date,
                "start_value": start_value,
                "median": qq["q0.50"],
                "q0.10": qq["q0.10"],
                "q0.90": qq["q0.90"],
                "q0.025": qq["q0.025"],
                "q0.975": qq["q0.975"],
                "inside_80": bool(qq["q0.10"] <= v <= qq["q0.90"]),
                "inside_95": bool(qq["q0.025"] <= v <= qq["q0.975"]),
            }
        )
    return pd.DataFrame(rows, columns=cols)
