"""Rolling-origin backtest of the registered population itself, and the stock calibration.

Planners read the bands of the registered population, so that is where the forecast is
scored and calibrated:

1. :func:`vintage`: the history as it stood at an origin month ``T`` — every value dated
   after ``T`` dropped, and so are interpolated values that lean on a later published
   point (departures spread between CBS cumulative counts published after ``T``; BRP
   counts interpolated towards a later count). Data are taken as known in their own month
   (publication lags are not modelled: optimistic by a month or two). Origins before the
   CBS count of May 2024 are skipped: the departures then published end in December
   2022, before ``departure_fit_start``, so there is no departure rate to fit (fitting
   the rate on the four 2022 months instead drifts the median 20-30 % low a year ahead).
2. :func:`stock_records`: at every origin the whole forecast is refitted on the vintage
   (its own nested backtest for weights, calibration and error process; no stock
   residual) and every published BRP count 1..``horizons`` months after ``T`` is an
   outcome. One record per (origin, outcome).
3. :func:`stock_calibration`: ``var(k) = a + b k`` fitted to the squared log errors
   (``k``: months from the last count known at the origin to the outcome); ``a`` is the
   error of the count and the months already elapsed, ``b`` what every further month adds.
   The forecast's residual term (:func:`~capacity.forecast.paths.simulate_stock`)
   tops the paths up to this variance.
4. :func:`stock_table`: coverage, MAE, MASE and interval score per horizon, with the bands
   calibrated leave-one-outcome-out (the calibration used for a record never saw that
   record's published count), so the coverage is an honest estimate.

This is the simplest honest equivalent of a state-space stock model: the stock identity
plus an explicit residual random walk whose size comes from the stock's own errors. It
does not filter the sources jointly (no nowcast of arrivals from the counts).
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
from scipy.stats import norm

from capacity.data import history_wide, months_between, observed
from capacity.errors import DataError
from capacity.forecast.backtest import fit_variance
from capacity.forecast.backtest import run_backtest as series_backtest
from capacity.forecast.population import forecast_run
from capacity.params.forecast import ForecastConfig

logger = logging.getLogger(__name__)

#: Columns of ``tables/stock_backtest.csv``.
STOCK_COLUMNS: tuple[str, ...] = ("horizon", "n", "coverage_50", "coverage_80", "coverage_95", "mae", "mase",
                                  "interval_score", "n_counts")
#: Sample paths per origin (a numerical setting: quantile error of ~1-2 pp at 300).
STOCK_PATHS = 300
#: Fixed seed of the stock backtest: it is scenario-independent and shared by every scenario.
STOCK_SEED = 20250301
#: Fewest scored forecasts at a horizon below which the table calls the horizon thin.
THIN = 10
LEVELS = (50, 80, 95)
_ANCHOR = re.compile(r"and (\d{4}-\d{2}-\d{2})")


def run_backtest(history: pd.DataFrame, cfg: ForecastConfig, *, rng: np.random.Generator,
                 stock: bool = True) -> pd.DataFrame:
    """Run the backtest of both series (:func:`capacity.forecast.backtest.run_backtest`) and of the stock.

    Scenario-independent and deterministic (the stock backtest draws from
    :data:`STOCK_SEED`), so a run computes it once (``pipeline.shared_backtest``).

    Returns:
        The series scorecard with ``attrs["stock_records"]`` (:func:`stock_records`) and
        ``attrs["stock_calibration"]`` (:func:`stock_calibration` on all records, or ``None``)
        when ``stock``.

    """
    card = series_backtest(history, cfg, rng=rng)
    if stock:
        records = stock_records(history, cfg, horizons=cfg.backtest_horizons)
        card.attrs["stock_records"] = records
        card.attrs["stock_calibration"] = None if records.empty else stock_calibration(records)
    return card


def vintage(history: pd.DataFrame, origin: pd.Timestamp) -> pd.DataFrame:
    """Return the history as it stood at month ``origin`` (see the module docstring)."""
    origin = pd.Timestamp(origin)
    h = history[history["date"] <= origin]
    later_anchor = h["note"].astype(str).str.extract(_ANCHOR, expand=False)
    later_anchor = pd.to_datetime(later_anchor, errors="coerce")
    drop = (h["flag"] == "interpolated") & (later_anchor > origin + pd.offsets.MonthEnd(0))
    for var in h.loc[h["flag"] == "interpolated", "variable"].unique():
        obs = h[(h["variable"] == var) & (h["flag"] == "observed")]["date"]
        if not obs.empty:
            drop |= (h["variable"] == var) & (h["flag"] == "interpolated") & (h["date"] > obs.max())
    return h[~drop].reset_index(drop=True)


def stock_records(history: pd.DataFrame, cfg: ForecastConfig, *, horizons: int = 12,
                  n_paths: int = STOCK_PATHS) -> pd.DataFrame:
    """Forecast the registered count from every origin with the data of the time.

    Returns:
        One row per origin and later published count within ``horizons`` months:
        ``origin, jump_off, jump_value, date, h`` (months from the origin), ``k`` (months from the last
        count known at the origin), ``actual, median, log_median, log_var`` (of the
        paths), ``q0.10, q0.90, q0.025, q0.975, q0.25, q0.75`` (uncalibrated paths) and
        ``scale`` (mean absolute monthly change of the BRP series known at the origin, the
        MASE denominator).

    """
    counts = observed(history, "registered")
    base = cfg.model_copy(update={"shocks": (), "calibrate": cfg.calibrate})
    rng = np.random.default_rng(STOCK_SEED)
    rows = []
    origins = pd.date_range(pd.Timestamp(cfg.fit_start), counts.index[-1], freq="MS")[:-1]
    for origin in origins:
        targets = counts[(counts.index > origin) & (counts.index <= origin + pd.DateOffset(months=horizons))]
        if targets.empty:
            continue
        past = vintage(history, origin)
        try:
            card = series_backtest(past, base, rng=rng)
            jump = observed(past, "registered").index[-1]
            horizon = months_between(jump, targets.index[-1])
            run = forecast_run(past, base, rng=rng, n_paths=n_paths, horizon=int(horizon), scorecard=card)
        except (DataError, IndexError, ValueError) as exc:
            logger.info("stock backtest: origin %s skipped (%s)", f"{origin:%Y-%m}", exc)
            continue
        pop = run.population
        reg = history_wide(past)["registered"].dropna()
        scale = float(np.mean(np.abs(np.diff(reg.to_numpy())))) if len(reg) > 1 else 1.0
        for d, v in targets.items():
            j = pop.dates.get_loc(d)
            paths = pop.registered[:, j]
            logp = np.log(np.maximum(paths, 1.0))
            rows.append({"origin": origin, "jump_off": pop.jump_off_date, "jump_value": pop.jump_off_registered,
                         "date": d,
                         "h": int(months_between(origin, d)), "k": int(months_between(pop.jump_off_date, d)),
                         "actual": float(v), "median": float(np.median(paths)),
                         "log_median": float(np.median(logp)), "log_var": float(np.var(logp)),
                         **{f"q{q:.3f}".rstrip("0"): float(np.quantile(paths, q))
                            for q in (0.025, 0.1, 0.25, 0.75, 0.9, 0.975)},
                         "scale": scale if scale > 0 else 1.0})
    return pd.DataFrame(rows)


def stock_calibration(records: pd.DataFrame, *, exclude: pd.Timestamp | None = None) -> tuple[float, float] | None:
    """Fit ``var(k) = a + b k`` to the squared log errors of the stock backtest.

    Args:
        records: :func:`stock_records`.
        exclude: Leave out the records whose outcome is this month's count.

    Returns:
        ``(a, b)`` (log scale), or ``None`` with fewer than 3 records.

    """
    r = records if exclude is None else records[records["date"] != exclude]
    if len(r) < 3:
        return None
    err2 = (np.log(r["actual"]) - r["log_median"]) ** 2
    g = err2.groupby(r["k"]).agg(["mean", "size"])
    a, b = fit_variance(g.index.to_numpy(), g["mean"].to_numpy(), g["size"].to_numpy())
    return (a, b) if a + b > 0 else None


def _bands(records: pd.DataFrame, calibrated: bool) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper bounds (persons) of each record's 50/80/95 % bands."""
    if not calibrated:
        cols = {50: ("q0.25", "q0.75"), 80: ("q0.1", "q0.9"), 95: ("q0.025", "q0.975")}
        return {lv: (records[lo].to_numpy(), records[hi].to_numpy()) for lv, (lo, hi) in cols.items()}
    sd = np.empty(len(records))
    for i, (d, k, v) in enumerate(zip(records["date"], records["k"], records["log_var"], strict=True)):
        cal = stock_calibration(records, exclude=d)
        target = 0.0 if cal is None else cal[0] + cal[1] * k
        sd[i] = np.sqrt(max(v, target))
    out = {}
    for lv in LEVELS:
        z = norm.ppf(0.5 + lv / 200)
        out[lv] = (np.exp(records["log_median"].to_numpy() - z * sd), np.exp(records["log_median"].to_numpy() + z * sd))
    return out


def stock_table(records: pd.DataFrame, *, horizons: int = 12, calibrated: bool = True) -> pd.DataFrame:
    """Score the stock backtest per horizon (months after the origin): ``STOCK_COLUMNS``.

    ``coverage_*``: share of published counts inside the central band; ``mae`` persons;
    ``mase``: MAE over the mean absolute monthly change of the BRP series known at the
    origin; ``interval_score``: mean interval score of the 80 % band (width + 2/0.2 x the
    miss, persons; lower is better); ``n``: forecasts scored; ``n_counts``: distinct
    published counts among them (the forecasts of one count from neighbouring origins are
    not independent). With ``calibrated`` the bands are the stock-calibrated ones
    (leave-one-count-out); otherwise the paths' own.
    """
    if records.empty:
        return pd.DataFrame({"horizon": range(1, horizons + 1), "n": 0, "n_counts": 0}).reindex(
            columns=list(STOCK_COLUMNS))
    r = records.copy()
    bands = _bands(r, calibrated)
    for lv, (lo, hi) in bands.items():
        r[f"in{lv}"] = ((r["actual"] >= lo) & (r["actual"] <= hi)).astype(float)
    lo, hi = bands[80]
    r["is"] = (hi - lo) + 10 * np.maximum(lo - r["actual"], 0) + 10 * np.maximum(r["actual"] - hi, 0)
    r["ae"] = np.abs(r["actual"] - r["median"])
    r["ase"] = r["ae"] / r["scale"]
    g = r.groupby("h")
    table = pd.DataFrame({"n": g.size(), "coverage_50": g["in50"].mean(), "coverage_80": g["in80"].mean(),
                          "coverage_95": g["in95"].mean(), "mae": g["ae"].mean(), "mase": g["ase"].mean(),
                          "interval_score": g["is"].mean(), "n_counts": g["date"].nunique()})
    table = table.reindex(range(1, horizons + 1)).rename_axis("horizon").reset_index()
    table["n"] = table["n"].fillna(0).astype(int)
    table["n_counts"] = table["n_counts"].fillna(0).astype(int)
    return table[list(STOCK_COLUMNS)]


def stock_backtest_table(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Return the stock backtest table (``tables/stock_backtest.csv``) a run's backtest carries.

    Horizons 1..12 (``backtest_horizons``) with no scored forecast keep ``n = 0`` and empty
    scores, so that a thin horizon is visible rather than missing.
    """
    records = scorecard.attrs.get("stock_records")
    if records is None:
        records = pd.DataFrame()
    return stock_table(records)


def thin_horizons(table: pd.DataFrame, *, minimum: int = THIN) -> list[int]:
    """Horizons with fewer than ``minimum`` scored forecasts (too thin to calibrate on their own)."""
    return [int(h) for h, n in zip(table["horizon"], table["n"], strict=True) if n < minimum]


def pooled(table: pd.DataFrame, lo: int = 1, hi: int = 6) -> dict[str, float]:
    """N-weighted mean coverage over horizons ``lo..hi`` and the number of forecasts."""
    rows = table[(table["horizon"] >= lo) & (table["horizon"] <= hi) & (table["n"] > 0)]
    n = int(rows["n"].sum())
    out: dict[str, float] = {"n": n}
    for c in ("coverage_50", "coverage_80", "coverage_95"):
        out[c] = float(np.average(rows[c], weights=rows["n"])) if n else float("nan")
    return out


def nowcast(counts: pd.Series, increments: pd.Series, *, q: float, r: float,
            start_var: float | None = None) -> tuple[pd.Timestamp, float, float]:
    """Nowcast the registered stock at the last month of ``increments`` from every published count.

    A local level with a control input on the log scale (Kalman filter):
    ``x[t] = x[t-1] + u[t] + w[t]``, ``w ~ N(0, q)`` (the residual per month) and, in
    months with a published count, ``log(count[t]) = x[t] + v[t]``, ``v ~ N(0, r)`` (the
    count's own error: register lags and clean-ups). ``u[t]`` is the expected log change
    from grants minus departures (data where there are data, else the forecast median).
    With the stock calibration ``a + b k``, ``r = a / 2`` and ``q = b`` (the error between two
    counts ``k`` months apart is ``v[J+k] - v[J] + sum w``).

    Args:
        counts: Published counts (persons) indexed by month.
        increments: ``u`` (log change) for every month from the month after the first count
            to the nowcast month.
        q: Residual variance per month (log scale).
        r: Variance of a count's error (log scale).
        start_var: Variance of the first state (default ``r``).

    Returns:
        ``(month, level, variance)``: the nowcast month, the filtered stock (persons, the
        exponential of the log level) and the variance of its log.

    """
    counts = counts.sort_index()
    x = float(np.log(counts.iloc[0]))
    p = r if start_var is None else float(start_var)
    month = counts.index[0]
    for month, u in increments.sort_index().items():
        x, p = x + float(u), p + q
        if month in counts.index:
            gain = p / (p + r)
            x += gain * (float(np.log(counts.loc[month])) - x)
            p *= 1 - gain
    return pd.Timestamp(month), float(np.exp(x)), float(p)
