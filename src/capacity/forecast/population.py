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
4. :func:`stock_paths`: the registered count continues the state-space nowcast
   (:mod:`capacity.forecast.nowcast`: every published count fused, its drift estimated)
   from the last count to the end of the horizon, ``departures[t] = rate[t] x
   registered[t-1]``, scenario shocks added through what they change in arrivals and
   departures, and a residual that closes ``registered[t] = registered[t-1] +
   arrivals[t] - departures[t] + residual[t]`` on every path. The horizon counts from the
   run's "today" (``forecast.as_of`` or the run date); months between the last count and
   today are the nowcast.

The models fit to the last month with data (arrivals: Eurostat to 2024-08); the months
between that and the jump-off (the last observed registered count, 2025-03) are
forecasts, not data. The result, :class:`~capacity.forecast.paths.PopulationPaths`, is what
the shelter and backlog models take from the forecast; the gap check against the counts
published after the data end is in :mod:`capacity.forecast.gapcheck`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capacity.data import history_wide, last_observed, months_between, observed, reference_month
from capacity.errors import DataError
from capacity.forecast.backtest import NORMAL_K, calibration, ensemble_weights, fit_forecast, fit_variance
from capacity.forecast.models import combine, from_scale
from capacity.forecast.nowcast import Nowcast, fit_nowcast
from capacity.forecast.paths import PopulationPaths, simulate_stock
from capacity.forecast.series import Series, model_series
from capacity.forecast.shocks import apply_shocks
from capacity.params import Scenario
from capacity.params.forecast import ForecastConfig

logger = logging.getLogger(__name__)


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


def ensemble_forecast(
    series: Series, cfg: ForecastConfig, *, until: pd.Timestamp, scorecard: pd.DataFrame | None
) -> SeriesForecast:
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
        raise DataError(
            f"{series.name}: none of the models {list(weights.index)} could be fitted on "
            f"{len(series.y)} months; add 'naive' to forecast.models"
        )
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


def ar1(z: np.ndarray, phi: float) -> np.ndarray:
    """Turn independent N(0,1) columns into a stationary AR(1) with unit variance, lag-1 correlation ``phi``."""
    out = np.empty_like(z, dtype=float)
    if z.shape[1] == 0:
        return out
    out[:, 0] = z[:, 0]
    c = np.sqrt(max(1.0 - phi**2, 0.0))
    for t in range(1, z.shape[1]):
        out[:, t] = phi * out[:, t - 1] + c * z[:, t]
    return out


def joint_normals(n_paths: int, h: int, rho: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return two (2, n_paths, h) arrays of N(0,1) (level and noise innovations) correlated ``rho`` pairwise."""
    z1 = rng.standard_normal((2, n_paths, h))
    z2 = rho * z1 + np.sqrt(max(1.0 - rho**2, 0.0)) * rng.standard_normal((2, n_paths, h))
    return z1, z2


def sample_series(
    fc: SeriesForecast, *, n_paths: int, rng: np.random.Generator, phi: float = 0.0, z: np.ndarray | None = None
) -> np.ndarray:
    """Draw paths (original scale), shape (n_paths, len(fc.dates)).

    Each path is ``loc + sqrt(b) x cumulative sum of N(0,1) + sqrt(a) x AR(1)`` on the
    fitting scale: a random-walk level plus noise whose month-to-month correlation ``phi``
    is the one the backtest's errors show (:func:`~capacity.forecast.backtest.error_process`),
    so that whole error trajectories, not single months, are drawn and a miss persists as
    it did in the backtest. ``z`` (shape (2, n_paths, h): level and noise innovations) lets
    the caller correlate two series; drawn from ``rng`` if ``None``.
    """
    h = fc.loc.size
    if z is None:
        z = rng.standard_normal((2, n_paths, h))
    level = np.cumsum(z[0] * np.sqrt(fc.b)[None, :], axis=1)
    noise = ar1(z[1], phi) * np.sqrt(fc.a)
    sd = np.sqrt(fc.a + np.cumsum(fc.b))
    safe = np.where(sd > 0, sd, 1.0)
    # Gaussian copula: keep the coherent random-walk paths, give each month the calibrated marginal.
    deviation = _warp((level + noise) / safe[None, :], fc.k) * sd[None, :]
    return from_scale(fc.loc[None, :] + deviation, fc.series.transform)


@dataclass(frozen=True)
class ForecastRun:
    """Everything one forecast produces: the population paths and what they rest on.

    Attributes:
        population: The hand-over paths from the month after the jump-off.
        arrivals: Arrivals forecast from the month after the last data month.
        departure_rate: Departure-rate forecast likewise.
        arrival_paths: Shocked arrival paths on ``arrivals.dates`` (persons/month).
        rate_paths: Shocked departure-rate paths on ``departure_rate.dates`` (share/month).
        nowcast: The state-space model of the registered count the paths continue
            (:mod:`capacity.forecast.nowcast`), or ``None`` for the flows-only model.

    """

    population: PopulationPaths
    arrivals: SeriesForecast
    departure_rate: SeriesForecast
    arrival_paths: np.ndarray
    rate_paths: np.ndarray
    nowcast: Nowcast | None = None

    def inputs(self, months: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """Return arrivals and departure-rate paths on ``months``: data where there are data, else forecasts.

        Raises:
            DataError: If a month is neither in a series' data nor in its forecast.

        """
        return (
            _on_months(months, self.arrivals, self.arrival_paths),
            _on_months(months, self.departure_rate, self.rate_paths),
        )


def _on_months(months: pd.DatetimeIndex, fc: SeriesForecast, paths: np.ndarray) -> np.ndarray:
    """Values of a series on ``months``: its data (same on every path) up to its last month, then its paths."""
    out = np.empty((paths.shape[0], len(months)))
    idx = fc.dates.get_indexer(months)
    data = fc.series.y
    for j, m in enumerate(months):
        if m in data.index:
            out[:, j] = float(data.loc[m])
        elif idx[j] >= 0:
            out[:, j] = paths[:, idx[j]]
        else:
            raise DataError(f"{fc.series.name}: no data and no forecast for {m:%Y-%m}")
    return out


def forecast_run(
    history: pd.DataFrame,
    cfg: ForecastConfig,
    *,
    rng: np.random.Generator,
    n_paths: int | None = None,
    horizon: int | None = None,
    scorecard: pd.DataFrame | None = None,
    stock: str | None = None,
) -> ForecastRun:
    """Forecast arrivals, departures and the registered population as sample paths.

    Arrivals and the departure rate are drawn jointly (correlated innovations, AR(1)
    noise: :func:`sample_series`); months between the jump-off count and the end of a
    series' data use the data. The registered count continues the state-space model of
    every published count from the last one (:func:`stock_paths`): its bands come from the
    filter's state, not from the flows' spread.

    Args:
        history: Long history frame (``capacity.data.load_history``).
        cfg: Forecast settings and scenario shocks.
        rng: Random generator; the same seed gives the same numbers.
        n_paths: Number of paths (default ``cfg.n_paths``).
        horizon: Months after the run's "today" (``cfg.as_of`` or the run date; default
            ``cfg.horizon_months``); the paths start the month after the last count.
        scorecard: A backtest from :func:`capacity.forecast.run_backtest` to take weights and
            calibration from; computed here if ``None``.
        stock: ``"nowcast"``: the registered count follows the state-space model of every
            published count (:func:`stock_paths`); ``"flows"``: grants minus departures from
            the last count, nothing else (the flows-only benchmark); default
            ``cfg.stock_model``.

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
    nowcast = fit_stock_nowcast(history, cfg) if (stock or cfg.stock_model) == "nowcast" else None
    if nowcast is not None:
        jump_date, jump_value = nowcast.last_month, float(np.exp(nowcast.state[0]))
        end = max(reference_month(cfg.as_of), jump_date) + pd.DateOffset(months=horizon)
    else:
        jump_date, jump_value = last_observed(history, "registered")
        end = max(reference_month(cfg.as_of), jump_date) + pd.DateOffset(months=horizon)
    dates = pd.date_range(jump_date, end, freq="MS")[1:]

    fa = ensemble_forecast(series["arrivals"], cfg, until=end, scorecard=scorecard)
    fr = ensemble_forecast(series["departure_rate"], cfg, until=end, scorecard=scorecard)
    process = scorecard.attrs.get("error_process", {})
    za, zr = joint_normals(n_paths, max(fa.loc.size, fr.loc.size), float(process.get("rho", 0.0)), rng)
    arr = sample_series(
        fa, n_paths=n_paths, rng=rng, phi=float(process.get("phi_arrivals", 0.0)), z=za[:, :, : fa.loc.size]
    )
    rate = sample_series(
        fr, n_paths=n_paths, rng=rng, phi=float(process.get("phi_departure_rate", 0.0)), z=zr[:, :, : fr.loc.size]
    )
    a_base, r_base = _on_months(dates, fa, arr), _on_months(dates, fr, rate)  # before the shocks
    arr = apply_shocks(arr, fa.dates, cfg.shocks, "arrivals", rng=rng)
    rate = apply_shocks(rate, fr.dates, cfg.shocks, "departure_rate", rng=rng)
    a_future, r_future = _on_months(dates, fa, arr), _on_months(dates, fr, rate)
    if nowcast is not None:
        departures, registered, residual = stock_paths(
            nowcast, a_future, r_future, base_arrivals=a_base, base_rate=r_base, rng=rng
        )
    else:
        departures, registered, residual = simulate_stock(a_future, r_future, jump_value)
    population = PopulationPaths(
        dates=dates,
        arrivals=a_future,
        departures=departures,
        registered=registered,
        jump_off_date=jump_date,
        jump_off_registered=jump_value,
        residual=residual,
        today=reference_month(cfg.as_of),
    )
    return ForecastRun(population, fa, fr, arr, rate, nowcast)


def fit_stock_nowcast(history: pd.DataFrame, cfg: ForecastConfig) -> Nowcast:
    """Fit the state-space model of the registered count on the history's counts (from ``cfg.fit_start``).

    The counts with their series: :func:`stock_counts`.
    """
    return fit_nowcast(
        stock_counts(history), observed(history, "tp_stock"), history_wide(history), start=pd.Timestamp(cfg.fit_start)
    )


def stock_counts(history: pd.DataFrame) -> pd.DataFrame:
    """Return the history's published registered counts: ``date`` (day), ``value`` (persons), ``series``.

    From ``history.attrs["registered_counts"]`` (:func:`capacity.data.load_history` puts them
    there) up to the history's last month; a history without them (e.g. a synthetic one)
    counts its observed ``registered`` values as the target series (``rtb_letter``).
    """
    counts = history.attrs.get("registered_counts")
    last = pd.Timestamp(history["date"].max()) + pd.offsets.MonthEnd(0)
    if counts is None:
        reg = observed(history, "registered")
        counts = pd.DataFrame({"date": reg.index, "value": reg.to_numpy(), "series": "rtb_letter"})
    return counts[pd.to_datetime(counts["date"]) <= last]


def stock_paths(
    nowcast: Nowcast,
    arrivals: np.ndarray,
    rate: np.ndarray,
    *,
    base_arrivals: np.ndarray,
    base_rate: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Continue the state-space model on every path: ``(departures, registered, residual)``, persons.

    The count's own paths ``L`` are the filter's: :meth:`Nowcast.simulate` (level, drift
    and net flow stepped on from the state at the last count; what the stock backtest
    scores). Scenario shocks move the count by what they change in arrivals and departures:
    ``R = L + S``, ``S[t] = S[t-1] + (arrivals - base_arrivals)[t] - (rate[t] R[t-1] -
    base_rate[t] L[t-1])`` (zero without shocks). ``residual`` closes the identity
    ``R[t] = R[t-1] + arrivals[t] - departures[t] + residual[t]``, departures ``= rate[t]
    R[t-1]``: the arrivals and departure-rate paths say who comes and goes, the filter how
    many are registered.
    """
    n, h = arrivals.shape
    own = np.exp(nowcast.simulate(h, n, rng))
    rate, base_rate = np.clip(rate, 0.0, 1.0), np.clip(base_rate, 0.0, 1.0)
    jump = float(np.exp(nowcast.state[0]))
    own_before = np.concatenate([np.full((n, 1), jump), own[:, :-1]], axis=1)
    departures = np.empty((n, h))
    registered = np.empty((n, h))
    shift = np.zeros(n)
    for t in range(h):
        before = np.full(n, jump) if t == 0 else registered[:, t - 1]
        departures[:, t] = rate[:, t] * before
        shift += arrivals[:, t] - base_arrivals[:, t] - (departures[:, t] - base_rate[:, t] * own_before[:, t])
        registered[:, t] = np.maximum(own[:, t] + shift, 0.0)
    previous = np.concatenate([np.full((n, 1), jump), registered[:, :-1]], axis=1)
    residual = registered - previous - arrivals + departures
    return departures, registered, residual


def forecast_population(
    history: pd.DataFrame,
    cfg: ForecastConfig,
    *,
    rng: np.random.Generator,
    n_paths: int | None = None,
    horizon: int | None = None,
    scorecard: pd.DataFrame | None = None,
) -> PopulationPaths:
    """Return sample paths of arrivals, departures and registered from the month after the jump-off.

    See :func:`forecast_run` for the arguments; this returns only its ``population``.
    """
    return forecast_run(history, cfg, rng=rng, n_paths=n_paths, horizon=horizon, scorecard=scorecard).population


def scenario_tables(
    history: pd.DataFrame, scenarios: list[Scenario], *, scorecard: pd.DataFrame, n_paths: int = 500
) -> dict[str, pd.DataFrame]:
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
        pop = forecast_population(
            history, scn.forecast, rng=np.random.default_rng(scn.meta.seed), n_paths=n_paths, scorecard=scorecard
        )
        out[name] = pop.table()
    return out
