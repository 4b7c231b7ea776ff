"""Sample paths of arrivals, the departure rate and the registered population.

Recipe (one function per step):

1. :func:`ensemble_forecast`: fit every configured model on the full series and combine
   them with the backtest's weights into a location per month on the log scale.
2. :func:`sample_series`: draw coherent paths around it; the spread grows as
   ``var(h) = a + b h`` (noise plus a random-walk level), with ``a`` and ``b`` fitted to
   the ensemble's backtest errors (calibrated) or, without a backtest, to the models' own
   spread. Beyond the backtested horizons the level's variance grows per month by at
   least what the models themselves claim (``b_models``), so that long horizons are never
   narrower than the models say.
3. :func:`~capacity.forecast.shocks.apply_shocks`: scenario shocks on the future.
4. :func:`simulate_population`: ``departures[t] = rate[t] x registered[t-1]`` and
   ``registered[t] = registered[t-1] + arrivals[t] - departures[t]`` on every path, from
   the last observed registered count.

The models fit to the last month with data (arrivals: Eurostat to 2024-08); the months
between that and the jump-off (the last observed registered count, 2025-03) are
forecasts, not data. The result, :class:`PopulationPaths`, is what the shelter and
backlog models take from the forecast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capacity.data import last_observed, months_between, observed
from capacity.errors import DataError
from capacity.forecast.backtest import NORMAL_K, calibration, ensemble_weights, fit_forecast, fit_variance
from capacity.forecast.models import combine, from_scale
from capacity.forecast.series import Series, model_series
from capacity.forecast.shocks import apply_shocks
from capacity.params import Scenario
from capacity.params.forecast import ForecastConfig
from capacity.quantiles import summarise, summarise_many

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PopulationPaths:
    """Monthly sample paths of arrivals, departures and the registered population.

    The stock identity ``registered[:, t] = registered[:, t-1] + arrivals[:, t] -
    departures[:, t]`` holds on every path, with ``registered[:, -1]`` taken as
    ``jump_off_registered`` before the first month.

    Attributes:
        dates: Forecast months (month starts), length ``h``.
        arrivals: Persons registering per month, shape (n_paths, h).
        departures: Persons leaving per month, shape (n_paths, h).
        registered: Persons registered at month end, shape (n_paths, h).
        jump_off_date: Month of the last observed registered count.
        jump_off_registered: That count (persons).

    """

    dates: pd.DatetimeIndex
    arrivals: np.ndarray
    departures: np.ndarray
    registered: np.ndarray
    jump_off_date: pd.Timestamp
    jump_off_registered: float

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.registered.shape[0])

    def identity_error(self) -> float:
        """Return the largest absolute breach of the stock identity over all paths (persons)."""
        previous = np.concatenate(
            [np.full((self.n_paths, 1), self.jump_off_registered), self.registered[:, :-1]], axis=1
        )
        return float(np.max(np.abs(previous + self.arrivals - self.departures - self.registered)))

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table of arrivals, departures and registered."""
        return summarise_many(
            {"arrivals": self.arrivals, "departures": self.departures, "registered": self.registered},
            self.dates,
        )


@dataclass(frozen=True)
class SeriesForecast:
    """Ensemble forecast of one series from its last data month.

    Attributes:
        series: The fitted series.
        dates: Forecast months, starting the month after the series' last month.
        loc: Ensemble location per month (log scale).
        a: Noise variance of the spread model (fitting scale).
        b: Random-walk variance added per month, one value per forecast month (fitting scale).
        weights: Model weights used (model -> share).
        calibrated: Whether ``a``/``b`` come from backtest errors.
        k: Half-widths of the central 50/80/95 % bands in standard deviations (normal:
            0.674/1.282/1.960; calibrated: from the backtest's standardised errors).

    """

    series: Series
    dates: pd.DatetimeIndex
    loc: np.ndarray
    a: float
    b: np.ndarray
    weights: dict[str, float]
    calibrated: bool
    k: dict[int, float] = field(default_factory=lambda: dict(NORMAL_K))


def ensemble_forecast(series: Series, cfg: ForecastConfig, *, until: pd.Timestamp,
                      scorecard: pd.DataFrame | None) -> SeriesForecast:
    """Fit the models on the whole series and combine them up to month ``until``.

    Raises:
        DataError: If no model can be fitted, or ``until`` is not after the series' end.

    """
    last = series.y.index[-1]
    h = months_between(last, until)
    if h < 1:
        raise DataError(f"{series.name}: forecast end {until:%Y-%m} is not after the last data month {last:%Y-%m}")
    card = scorecard if scorecard is not None else pd.DataFrame(columns=["series", "model", "h"])
    weights = ensemble_weights(card, series.name, cfg)
    fits = {}
    for name in weights.index:
        fc = fit_forecast(name, series.y, h, series, cfg)
        if fc is not None:
            fits[name] = fc
    if not fits:
        raise DataError(f"{series.name}: none of the models {list(weights.index)} could be fitted on "
                        f"{len(series.y)} months; add 'naive' to forecast.models")
    names = list(fits)
    locs = np.array([fits[n][0] for n in names])
    scales = np.array([fits[n][1] for n in names])
    w = weights.loc[names].to_numpy()
    w = w / w.sum()
    use_median = cfg.ensemble == "median"
    loc, sd = combine(locs, scales, None if use_median else w)
    steps = np.arange(1, h + 1)
    loc = damp_trend(loc, after=cfg.backtest_horizons, factor=cfg.trend_damping)
    a_raw, b_raw = fit_variance(steps, sd**2, np.ones_like(steps))
    cal = calibration(card, series.name) if cfg.calibrate else None
    k = dict(NORMAL_K)
    if cal is not None:
        a, b_cal, k = cal
        tested = int(card.loc[(card["series"] == series.name) & (card["model"] == "ensemble"), "h"].max())
        b = np.where(steps <= tested, b_cal, max(b_cal, b_raw))
    else:
        a, b = a_raw, np.full(h, b_raw)
    dates = pd.date_range(last, periods=h + 1, freq="MS")[1:]
    return SeriesForecast(series, dates, loc, a, b, dict(zip(names, w.tolist(), strict=True)), cal is not None, k)


def damp_trend(loc: np.ndarray, *, after: int, factor: float) -> np.ndarray:
    """Shrink the month-to-month change of a forecast beyond horizon ``after``.

    The change from month ``h-1`` to ``h`` (``h > after``) is multiplied by
    ``factor ** (h - after)``, so a trend seen in a short history levels off instead of
    running on for years (the idea of a damped trend, applied to the ensemble).
    """
    loc = np.asarray(loc, dtype=float)
    if factor >= 1 or loc.size <= after + 1:
        return loc.copy()
    steps = np.diff(loc, prepend=loc[0])
    k = np.arange(1, loc.size + 1)
    weights = np.where(k > after, factor ** np.maximum(k - after, 0), 1.0)
    weights[0] = 1.0
    return loc[0] + np.cumsum(steps * weights) - steps[0]


def _warp(x: np.ndarray, k: dict[int, float]) -> np.ndarray:
    """Map standard-normal values to the calibrated standardised-error distribution.

    A piecewise-linear odd function through (0, 0), (0.674, k50), (1.282, k80),
    (1.960, k95), extended beyond with the slope ``k95 / 1.960``; the identity when ``k``
    is the normal's.
    """
    knots = np.array([0.0, NORMAL_K[50], NORMAL_K[80], NORMAL_K[95]])
    values = np.array([0.0, k[50], k[80], k[95]])
    ax = np.abs(x)
    inner = np.interp(ax, knots, values)
    outer = values[-1] + (ax - knots[-1]) * values[-1] / knots[-1]
    return np.sign(x) * np.where(ax <= knots[-1], inner, outer)


def sample_series(fc: SeriesForecast, *, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Draw paths (original scale), shape (n_paths, len(fc.dates)).

    Each path is ``loc + sqrt(b) x cumulative sum of N(0,1) + sqrt(a) x N(0,1)`` on the log
    scale, so that neighbouring months move together as real series do.
    """
    h = fc.loc.size
    level = np.cumsum(rng.standard_normal((n_paths, h)) * np.sqrt(fc.b)[None, :], axis=1)
    noise = rng.standard_normal((n_paths, h)) * np.sqrt(fc.a)
    sd = np.sqrt(fc.a + np.cumsum(fc.b))
    safe = np.where(sd > 0, sd, 1.0)
    # Gaussian copula: keep the coherent random-walk paths, give each month the calibrated marginal.
    deviation = _warp((level + noise) / safe[None, :], fc.k) * sd[None, :]
    return from_scale(fc.loc[None, :] + deviation, fc.series.transform)


def simulate_population(arrivals: np.ndarray, rate: np.ndarray,
                        start: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Run the stock identity forward on every path.

    Args:
        arrivals: Persons arriving per month, shape (n_paths, h).
        rate: Departure rate per month (share of last month's registered), shape (n_paths, h).
        start: Registered count before the first month (persons), scalar or (n_paths,).

    Returns:
        ``(departures, registered)``, each (n_paths, h):
        ``departures[:, t] = rate[:, t] * registered[:, t-1]`` and
        ``registered[:, t] = registered[:, t-1] + arrivals[:, t] - departures[:, t]``.

    """
    n, h = arrivals.shape
    prev = np.broadcast_to(np.asarray(start, dtype=float), (n,)).copy()
    departures = np.empty((n, h))
    registered = np.empty((n, h))
    rate = np.clip(rate, 0.0, 1.0)
    for t in range(h):
        departures[:, t] = rate[:, t] * prev
        prev = prev + arrivals[:, t] - departures[:, t]
        registered[:, t] = prev
    return departures, registered


@dataclass(frozen=True)
class ForecastRun:
    """Everything one forecast produces: the population paths and what they rest on.

    Attributes:
        population: The hand-over paths from the month after the jump-off.
        arrivals: Arrivals forecast from the month after the last data month.
        departure_rate: Departure-rate forecast likewise.
        arrival_paths: Shocked arrival paths on ``arrivals.dates`` (persons/month).
        rate_paths: Shocked departure-rate paths on ``departure_rate.dates`` (share/month).

    """

    population: PopulationPaths
    arrivals: SeriesForecast
    departure_rate: SeriesForecast
    arrival_paths: np.ndarray
    rate_paths: np.ndarray


def forecast_run(history: pd.DataFrame, cfg: ForecastConfig, *, rng: np.random.Generator,
                 n_paths: int | None = None, horizon: int | None = None,
                 scorecard: pd.DataFrame | None = None) -> ForecastRun:
    """Forecast arrivals, departures and the registered population as sample paths.

    Args:
        history: Long history frame (``capacity.data.load_history``).
        cfg: Forecast settings and scenario shocks.
        rng: Random generator; the same seed gives the same numbers.
        n_paths: Number of paths (default ``cfg.n_paths``).
        horizon: Months after the jump-off month (default ``cfg.horizon_months``).
        scorecard: A backtest from :func:`capacity.forecast.run_backtest` to take weights and
            calibration from; computed here if ``None``.

    Returns:
        The :class:`ForecastRun`.

    Raises:
        DataError: If the history lacks a series or a registered count.

    """
    n_paths = cfg.n_paths if n_paths is None else int(n_paths)
    horizon = cfg.horizon_months if horizon is None else int(horizon)
    if n_paths < 1 or horizon < 1:
        raise ValueError(f"n_paths and horizon must be >= 1, got {n_paths}, {horizon}")
    if scorecard is None:
        from capacity.forecast.backtest import run_backtest

        logger.info("no scorecard given: running the backtest")
        scorecard = run_backtest(history, cfg, rng=rng)
    series = model_series(history, cfg)
    jump_date, jump_value = last_observed(history, "registered")
    end = jump_date + pd.DateOffset(months=horizon)
    dates = pd.date_range(jump_date, periods=horizon + 1, freq="MS")[1:]

    fa = ensemble_forecast(series["arrivals"], cfg, until=end, scorecard=scorecard)
    fr = ensemble_forecast(series["departure_rate"], cfg, until=end, scorecard=scorecard)
    arr = apply_shocks(sample_series(fa, n_paths=n_paths, rng=rng), fa.dates, cfg.shocks, "arrivals", rng=rng)
    rate = apply_shocks(sample_series(fr, n_paths=n_paths, rng=rng), fr.dates, cfg.shocks, "departure_rate",
                        rng=rng)
    a_future = arr[:, fa.dates.get_indexer(dates)]
    r_future = rate[:, fr.dates.get_indexer(dates)]
    departures, registered = simulate_population(a_future, r_future, jump_value)
    population = PopulationPaths(dates=dates, arrivals=a_future, departures=departures, registered=registered,
                                 jump_off_date=jump_date, jump_off_registered=jump_value)
    return ForecastRun(population, fa, fr, arr, rate)


def forecast_population(history: pd.DataFrame, cfg: ForecastConfig, *, rng: np.random.Generator,
                        n_paths: int | None = None, horizon: int | None = None,
                        scorecard: pd.DataFrame | None = None) -> PopulationPaths:
    """Return sample paths of arrivals, departures and registered from the month after the jump-off.

    See :func:`forecast_run` for the arguments; this returns only its ``population``.
    """
    return forecast_run(history, cfg, rng=rng, n_paths=n_paths, horizon=horizon,
                        scorecard=scorecard).population


def gap_check(history: pd.DataFrame, cfg: ForecastConfig, *, rng: np.random.Generator,
              scorecard: pd.DataFrame | None = None, n_paths: int = 500) -> pd.DataFrame:
    """Compare the registered counts published after the models' data end with the forecast.

    The models fit to the last month with data (arrivals: Eurostat to 2024-08). Starting
    from the first observed registered count after that month, the forecast arrivals and
    departure rates are run forward to every later observed count up to the jump-off.

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
    run = forecast_run(history, cfg, rng=rng, n_paths=n_paths, scorecard=scorecard)
    cols = ["date", "observed", "start_date", "start_value", "median", "q0.10", "q0.90", "q0.025", "q0.975",
            "inside_80", "inside_95"]
    points = observed(history, "registered", after=run.arrivals.series.y.index[-1])
    points = points[points.index <= run.population.jump_off_date]
    if len(points) < 2:
        return pd.DataFrame(columns=cols)
    start_date, start_value = points.index[0], points.iloc[0]
    months = pd.date_range(start_date, points.index[-1], freq="MS")[1:]
    a = run.arrival_paths[:, run.arrivals.dates.get_indexer(months)]
    r = run.rate_paths[:, run.departure_rate.dates.get_indexer(months)]
    if (run.arrivals.dates.get_indexer(months) < 0).any() or (run.departure_rate.dates.get_indexer(months) < 0).any():
        return pd.DataFrame(columns=cols)
    _, reg = simulate_population(a, r, start_value)
    q = summarise(reg, months, "registered").set_index("date")
    rows = []
    for d, v in points.iloc[1:].items():
        qq = q.loc[d]
        rows.append({"date": d, "observed": v, "start_date": start_date, "start_value": start_value,
                     "median": qq["q0.50"], "q0.10": qq["q0.10"], "q0.90": qq["q0.90"],
                     "q0.025": qq["q0.025"], "q0.975": qq["q0.975"],
                     "inside_80": bool(qq["q0.10"] <= v <= qq["q0.90"]),
                     "inside_95": bool(qq["q0.025"] <= v <= qq["q0.975"])})
    return pd.DataFrame(rows, columns=cols)


def scenario_tables(history: pd.DataFrame, scenarios: list[Scenario], *, scorecard: pd.DataFrame,
                    n_paths: int = 500) -> dict[str, pd.DataFrame]:
    """Forecast every scenario that changes the forecast; return its quantile table by name.

    The baseline (no shocks) always comes first; scenarios whose forecast settings equal an
    earlier one's (e.g. shelter-only variants) are skipped. Each uses its own seed.

    Args:
        history: Long history frame.
        scenarios: Validated scenarios (e.g. every shipped file).
        scorecard: The backtest to reuse (scenario-independent).
        n_paths: Sample paths per scenario.

    Returns:
        ``{scenario name: quantile-contract table}``.

    """
    ordered = sorted(scenarios, key=lambda s: (bool(s.forecast.shocks), s.meta.name))
    seen: list[ForecastConfig] = []
    out: dict[str, pd.DataFrame] = {}
    for scn in ordered:
        if any(scn.forecast == cfg for cfg in seen):
            continue
        seen.append(scn.forecast)
        name = scn.meta.name if scn.forecast.shocks else "baseline"
        pop = forecast_population(history, scn.forecast, rng=np.random.default_rng(scn.meta.seed),
                                  n_paths=n_paths, scorecard=scorecard)
        out[name] = pop.table()
    return out
