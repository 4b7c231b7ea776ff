"""Rolling-origin backtest of the registered count: the state-space nowcast against benchmarks.

Planners read the registered count's bands, so that is where the forecast is scored:

1. :func:`vintage`: the history as it stood at an origin month ``T`` — every value dated
   after ``T`` dropped, and so are interpolated values that lean on a later published
   point. Data are taken as known in their own month (publication lags are not modelled:
   optimistic by a month or two).
2. :func:`nowcast_records`: at every month from the fit start to the last count, the
   state-space model (:mod:`capacity.forecast.nowcast`) is refitted on the counts and
   flows known then, and every count published 1..``horizons`` months later is scored
   against the model's predictive distribution of that source's count (level, the source's
   offset and its measurement noise; log-normal). Beside it on the same records: a random
   walk with drift on the counts known at the origin (:func:`rw_drift`) and, where the
   flows-only model could be fitted (:func:`stock_records`: grants minus departures from
   the last count, origins from May 2024), that model.
3. :func:`stock_table`: per horizon the mean CRPS of each (``scoringrules``), the skill
   ``1 - CRPS / CRPS(random walk with drift)``, the weighted interval score, and the
   coverage of the 50/80/95 % bands with a Clopper-Pearson interval on the effective
   number of forecasts (the distinct counts scored: forecasts of one count from
   neighbouring origins are not independent).

No MPP peer is scored: the MPP's figures for people from Ukraine are not in the data
(``policy_timeline.csv`` holds its asylum totals), and it was published in September 2025,
after the last count.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import scoringrules
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

from capacity.data import history_wide, months_between, observed
from capacity.errors import DataError
from capacity.forecast.backtest import run_backtest as series_backtest
from capacity.forecast.nowcast import OBS_SD, fit_nowcast
from capacity.forecast.population import forecast_run
from capacity.params.forecast import ForecastConfig

logger = logging.getLogger(__name__)

#: Columns of ``tables/stock_backtest.csv``.
STOCK_COLUMNS: tuple[str, ...] = (
    "horizon",
    "n",
    "n_counts",
    "crps",
    "crps_rw_drift",
    "skill",
    "crps_flows",
    "n_flows",
    "skill_flows",
    "coverage_50",
    "coverage_80",
    "coverage_95",
    "coverage_80_lo",
    "coverage_80_hi",
    "mae",
    "interval_score",
)
#: Sample paths per origin (a numerical setting: quantile error of ~1-2 pp at 300).
STOCK_PATHS = 300
#: Fixed seed of the stock backtest: it is scenario-independent and shared by every scenario.
STOCK_SEED = 20250301
#: Fewest distinct counts scored at a horizon below which the table calls the horizon thin.
THIN = 10
LEVELS = (50, 80, 95)
_ANCHOR = re.compile(r"and (\d{4}-\d{2}-\d{2})")


def run_backtest(
    history: pd.DataFrame, cfg: ForecastConfig, *, rng: np.random.Generator, stock: bool = True
) -> pd.DataFrame:
    """Run the backtest of both series (:func:`capacity.forecast.backtest.run_backtest`) and of the stock.

    Scenario-independent and deterministic (the stock backtest draws from
    :data:`STOCK_SEED`), so a run computes it once (``pipeline.shared_backtest``).

    Returns:
        The series scorecard with ``attrs["stock_records"]`` (:func:`nowcast_records`, with the
        benchmarks' scores beside the model's) when ``stock``.

    """
    card = series_backtest(history, cfg, rng=rng)
    if stock:
        flows = stock_records(history, cfg, horizons=cfg.backtest_horizons)
        card.attrs["stock_records"] = nowcast_records(history, cfg, horizons=cfg.backtest_horizons, flows=flows)
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


def stock_records(
    history: pd.DataFrame, cfg: ForecastConfig, *, horizons: int = 12, n_paths: int = STOCK_PATHS
) -> pd.DataFrame:
    """Forecast the registered count from every origin with the flows-only model (a benchmark).

    Grants minus departures from the last count, nothing else. Origins before the CBS count
    of May 2024 are skipped: the departures then published end in December 2022, so there
    is no departure rate to fit.

    Returns:
        One row per origin and later published count within ``horizons`` months:
        ``origin, jump_off, jump_value, date, h`` (months from the origin), ``k`` (months from the last
        count known at the origin), ``actual, median, log_median, log_var`` (of the
        paths), ``q0.10, q0.90, q0.025, q0.975, q0.25, q0.75`` (uncalibrated paths) and
        ``scale`` (mean absolute monthly change of the BRP series known at the origin, the
        MASE denominator).

    """
    counts = observed(history, "registered")
    base = cfg.model_copy(update={"shocks": ()})
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
            run = forecast_run(
                past, base, rng=rng, n_paths=n_paths, horizon=int(horizon), scorecard=card, stock="flows"
            )
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
            rows.append(
                {
                    "origin": origin,
                    "jump_off": pop.jump_off_date,
                    "jump_value": pop.jump_off_registered,
                    "date": d,
                    "h": int(months_between(origin, d)),
                    "k": int(months_between(pop.jump_off_date, d)),
                    "actual": float(v),
                    "median": float(np.median(paths)),
                    "log_median": float(np.median(logp)),
                    "log_var": float(np.var(logp)),
                    **{
                        f"q{q:.3f}".rstrip("0"): float(np.quantile(paths, q))
                        for q in (0.025, 0.1, 0.25, 0.75, 0.9, 0.975)
                    },
                    "scale": scale if scale > 0 else 1.0,
                }
            )
    return pd.DataFrame(rows)


def _counts_known(history: pd.DataFrame, origin: pd.Timestamp) -> pd.DataFrame:
    """Return the counts (``date, value, series``) dated on or before the end of month ``origin``."""
    counts = history.attrs.get("registered_counts")
    if counts is None:
        reg = observed(history, "registered")
        counts = pd.DataFrame({"date": reg.index, "value": reg.to_numpy(), "series": "rtb_letter"})
    return counts[pd.to_datetime(counts["date"]) <= origin + pd.offsets.MonthEnd(0)]


def _sd_of(source: str, value: float) -> float:
    """Measurement noise (log sd) of one published count."""
    rounded = source == "table_press" and float(value) % 1000 == 0
    return OBS_SD["press_rounded" if rounded else source]


def rw_drift(counts: pd.DataFrame, start: pd.Timestamp) -> tuple[pd.Timestamp, float, float, float]:
    """Fit a random walk with drift to the counts from ``start`` (log scale; a month's latest count).

    Returns:
        ``(month of the last count, its log, drift per month, variance per month)``: the
        drift is the mean monthly change, the variance that of the changes around it,
        both over the irregular gaps between counts.

    """
    c = counts[pd.to_datetime(counts["date"]) >= start].sort_values("date", kind="stable")
    month = pd.to_datetime(c["date"]).dt.to_period("M").dt.to_timestamp()
    y = np.log(c.assign(month=month.to_numpy()).groupby("month")["value"].last())
    gaps = np.array([months_between(a, b) for a, b in zip(y.index[:-1], y.index[1:], strict=True)], dtype=float)
    steps = np.diff(y.to_numpy())
    drift = float(steps.sum() / gaps.sum()) if gaps.size else 0.0
    var = float(((steps - drift * gaps) ** 2 / gaps).sum() / max(len(steps) - 1, 1)) if gaps.size > 1 else 0.01**2
    return pd.Timestamp(y.index[-1]), float(y.iloc[-1]), drift, var


def nowcast_records(
    history: pd.DataFrame, cfg: ForecastConfig, *, horizons: int = 12, flows: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Score the state-space model and the random walk with drift at every origin (see the module docstring).

    Args:
        history: The long history with its counts (``attrs["registered_counts"]``).
        cfg: Forecast settings (``fit_start``: the model's first month).
        horizons: Counts published 1..``horizons`` months after an origin are scored.
        flows: :func:`stock_records` of the flows-only model, scored on the same records
            where it has them.

    Returns:
        One row per origin and later count: ``origin, date, source, h, actual, mulog,
        sdlog`` (the model's log-normal predictive), ``rw_mulog, rw_sdlog``, ``crps``,
        ``crps_rw_drift``, ``crps_flows`` (NaN where not scored).

    """
    start = pd.Timestamp(cfg.fit_start)
    counts = _counts_known(history, pd.Timestamp(history["date"].max()))
    last = pd.Timestamp(counts["date"].max()).to_period("M").to_timestamp()
    rows = []
    for origin in pd.date_range(start + pd.DateOffset(months=1), last - pd.DateOffset(months=1), freq="MS"):
        known = _counts_known(history, origin)
        cut = origin + pd.offsets.MonthEnd(0)
        targets = counts[
            (pd.to_datetime(counts["date"]) > cut)
            & (pd.to_datetime(counts["date"]) <= cut + pd.DateOffset(months=horizons))
        ]
        if targets.empty or (known["series"] == "rtb_letter").sum() == 0:
            continue
        past = vintage(history, origin)
        try:
            model = fit_nowcast(known, observed(past, "tp_stock"), history_wide(past), start=start, end=origin)
        except (DataError, ValueError, np.linalg.LinAlgError) as exc:
            logger.info("stock backtest: origin %s skipped (%s)", f"{origin:%Y-%m}", exc)
            continue
        rw_month, rw_level, rw_step, rw_var = rw_drift(known, start)
        means, variances = model.predict(horizons + 1)
        for date, value, source in zip(targets["date"], targets["value"], targets["series"], strict=True):
            h = int(months_between(origin, pd.Timestamp(date)))
            offset, offset_var = model.source_offset(source)
            noise = _sd_of(source, value) ** 2
            k = int(months_between(rw_month, pd.Timestamp(date)))
            rows.append(
                {
                    "origin": origin,
                    "date": pd.Timestamp(date),
                    "source": source,
                    "h": h,
                    "actual": float(value),
                    "mulog": means[h - 1] + offset,
                    "sdlog": float(np.sqrt(variances[h - 1] + offset_var + noise)),
                    "rw_mulog": rw_level + rw_step * k,
                    "rw_sdlog": float(np.sqrt(rw_var * k + noise)),
                }
            )
    records = pd.DataFrame(rows)
    if records.empty:
        return records
    records["crps"] = scoringrules.crps_lognormal(records["actual"], records["mulog"], records["sdlog"])
    records["crps_rw_drift"] = scoringrules.crps_lognormal(records["actual"], records["rw_mulog"], records["rw_sdlog"])
    records["crps_flows"] = np.nan
    if flows is not None and not flows.empty:
        f = flows.assign(sdlog=np.sqrt(flows["log_var"].clip(lower=1e-8)))
        f["crps_flows"] = scoringrules.crps_lognormal(f["actual"], f["log_median"], f["sdlog"])
        key = ["origin", "date"]
        f["date"] = pd.to_datetime(f["date"])
        first = f.groupby(key, as_index=False)["crps_flows"].first()
        merged = records.drop(columns="crps_flows").assign(_month=records["date"].dt.to_period("M").dt.to_timestamp())
        merged = merged.merge(first.rename(columns={"date": "_month"}), on=["origin", "_month"], how="left")
        records = merged.drop(columns="_month")
    return records


def _interval_bounds(records: pd.DataFrame) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper bounds (persons) of each record's central 50/80/95 % band."""
    out = {}
    for lv in LEVELS:
        z = norm.ppf(0.5 + lv / 200)
        out[lv] = (
            np.exp(records["mulog"] - z * records["sdlog"]).to_numpy(),
            np.exp(records["mulog"] + z * records["sdlog"]).to_numpy(),
        )
    return out


def stock_table(records: pd.DataFrame, *, horizons: int = 12) -> pd.DataFrame:
    """Score the stock backtest per horizon (months after the origin): :data:`STOCK_COLUMNS`.

    ``crps`` and ``crps_rw_drift``: mean CRPS (persons) of the model and of the random walk
    with drift on the same records; ``skill`` = ``1 - crps / crps_rw_drift`` (above 0: the
    model is better); ``crps_flows`` and ``skill_flows`` likewise against the flows-only
    model on the ``n_flows`` records it has; ``coverage_*``: share of counts inside the
    central band, ``coverage_80_lo/hi`` its 95 % Clopper-Pearson interval on ``n_counts``
    (the distinct counts scored); ``mae`` persons (median vs count); ``interval_score``:
    the weighted interval score of the 50/80/95 % bands and the median (persons).
    """
    if records.empty:
        return pd.DataFrame({"horizon": range(1, horizons + 1), "n": 0, "n_counts": 0, "n_flows": 0}).reindex(
            columns=list(STOCK_COLUMNS)
        )
    r = records.copy()
    bands = _interval_bounds(r)
    for lv, (lo, hi) in bands.items():
        r[f"in{lv}"] = ((r["actual"] >= lo) & (r["actual"] <= hi)).astype(float)
    lower = np.column_stack([bands[lv][0] for lv in LEVELS])
    upper = np.column_stack([bands[lv][1] for lv in LEVELS])
    alpha = np.array([1 - lv / 100 for lv in LEVELS])
    actual, median = r["actual"].to_numpy(), np.exp(r["mulog"].to_numpy())
    # scoringrules 0.10 adds w_median x median where the WIS has w_median x |obs - median|
    # (core/interval.py); passing |obs - median| as the median gives the standard WIS.
    r["wis"] = scoringrules.weighted_interval_score(actual, np.abs(actual - median), lower, upper, alpha)
    r["ae"] = np.abs(r["actual"] - np.exp(r["mulog"]))
    g = r.groupby("h")
    table = pd.DataFrame(
        {
            "n": g.size(),
            "n_counts": g["date"].nunique(),
            "crps": g["crps"].mean(),
            "crps_rw_drift": g["crps_rw_drift"].mean(),
            "crps_flows": g["crps_flows"].mean(),
            "n_flows": g["crps_flows"].count(),
            "coverage_50": g["in50"].mean(),
            "coverage_80": g["in80"].mean(),
            "coverage_95": g["in95"].mean(),
            "mae": g["ae"].mean(),
            "interval_score": g["wis"].mean(),
        }
    )
    table["skill"] = 1 - table["crps"] / table["crps_rw_drift"]
    paired = r[r["crps_flows"].notna()].groupby("h")
    table["skill_flows"] = 1 - paired["crps"].mean() / paired["crps_flows"].mean()
    bounds = [
        proportion_confint(int(round(cov * n)), n, alpha=0.05, method="beta")
        for cov, n in zip(table["coverage_80"], table["n_counts"], strict=True)
    ]
    table["coverage_80_lo"] = [b[0] for b in bounds]
    table["coverage_80_hi"] = [b[1] for b in bounds]
    table = table.reindex(range(1, horizons + 1)).rename_axis("horizon").reset_index()
    for col in ("n", "n_counts", "n_flows"):
        table[col] = table[col].fillna(0).astype(int)
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
    """Horizons with fewer than ``minimum`` distinct counts scored (too thin to judge a band on)."""
    return [int(h) for h, n in zip(table["horizon"], table["n_counts"], strict=True) if n < minimum]


def pooled(table: pd.DataFrame, lo: int = 1, hi: int = 6) -> dict[str, float]:
    """N-weighted mean coverage and CRPS skill over horizons ``lo..hi``, the forecasts and distinct counts."""
    rows = table[(table["horizon"] >= lo) & (table["horizon"] <= hi) & (table["n"] > 0)]
    n = int(rows["n"].sum())
    out: dict[str, float] = {"n": n, "n_counts": int(rows["n_counts"].max()) if n else 0}
    for c in ("coverage_50", "coverage_80", "coverage_95"):
        out[c] = float(np.average(rows[c], weights=rows["n"])) if n else float("nan")
    if n:
        out["skill"] = 1 - float(
            np.average(rows["crps"], weights=rows["n"]) / np.average(rows["crps_rw_drift"], weights=rows["n"])
        )
    else:
        out["skill"] = float("nan")
    return out
