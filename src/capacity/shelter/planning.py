"""Capacity planning on the shelter paths: threshold crossings, places needed, costs, headline.

Occupancy thresholds are read on demand per place (``ShelterResult.pressure``), so a month
counts as "over 100 %" when people are refused. Places are places, costs EUR, bed-days
place-days (calendar days per month).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from capacity.errors import ParameterError
from capacity.shelter.result import ShelterResult

__all__ = [
    "already_above",
    "cost_curve",
    "cost_optimum",
    "crossing_distribution",
    "first_crossing",
    "headline",
    "planning_table",
]


def first_crossing(result: ShelterResult, threshold: float) -> np.ndarray:
    """Return per path the index of the first month whose demand per place exceeds ``threshold``.

    ``threshold=0.95`` is the month occupancy passes 95 %; ``threshold=1.0`` the month demand
    exceeds the places (occupancy at 100 % and people refused). ``-1`` where it never happens
    within the horizon.
    """
    above = result.pressure > threshold
    idx = np.argmax(above, axis=1)
    return np.where(above.any(axis=1), idx, -1)


def already_above(result: ShelterResult, threshold: float) -> bool:
    """Return whether demand per place already exceeded ``threshold`` at the jump-off (last count).

    Then the "first crossing" in the forecast is no finding: it happened before the forecast
    starts, and reports say so instead of giving the first forecast month.
    """
    return bool(result.jump_off_pressure > threshold)


def crossing_distribution(result: ShelterResult, thresholds: tuple[float, ...] = (0.95, 1.0)) -> pd.DataFrame:
    """Return the distribution of the first crossing month for each threshold.

    Returns:
        Frame with columns threshold, date (None row = never within the horizon), share
        (of paths), cumulative_share.

    """
    rows = []
    for thr in thresholds:
        idx = first_crossing(result, thr)
        for k, date in enumerate(result.dates):
            rows.append({"threshold": thr, "date": date, "share": float(np.mean(idx == k))})
        rows.append({"threshold": thr, "date": pd.NaT, "share": float(np.mean(idx < 0))})
    table = pd.DataFrame(rows)
    table["cumulative_share"] = table.groupby("threshold")["share"].cumsum()
    return table


def _median_date(result: ShelterResult, threshold: float) -> pd.Timestamp | None:
    if already_above(result, threshold):
        return pd.Timestamp(result.jump_off_date)
    idx = first_crossing(result, threshold).astype(float)
    idx[idx < 0] = np.inf  # never within the horizon sorts last
    med = np.sort(idx)[(len(idx) - 1) // 2]  # lower median: an actual path's month
    return None if not np.isfinite(med) else pd.Timestamp(result.dates[int(med)])


def planning_table(
    result: ShelterResult,
    *,
    target: float | None = None,
    probability: float | None = None,
    lead_time_months: int | None = None,
) -> pd.DataFrame:
    """Return, per month, the places needed to keep occupancy at or under a target.

    ``places_needed`` is the ``probability`` quantile of demand divided by ``target``, so
    occupancy stays at or under the target with that probability; ``extra_places`` is what
    exceeds the planned places; ``request_by`` is the month the request must go out given
    the lead time (``too_late`` when that month is not after the run's today,
    :attr:`ShelterResult.reference_month`: a deadline in the past or this month cannot be
    met). ``probability`` is the one probability of every "places needed" figure (national
    and, as its share, municipal).

    Returns:
        Frame with columns date, demand_p50, demand_at_probability, places_planned,
        places_needed, extra_places, request_by, too_late, occupancy_p50, p_over_95,
        p_over_100, places_short_p50, places_short_p90, probability, today.

    """
    cfg = result.cfg
    target = cfg.target_occupancy if target is None else target
    probability = cfg.planning_probability if probability is None else probability
    lead = cfg.lead_time_months if lead_time_months is None else lead_time_months
    if not 0 < target <= 1 or not 0 < probability < 1:
        raise ParameterError(f"target must be in (0, 1] and probability in (0, 1), got {target}, {probability}")
    dem_p = np.quantile(result.demand, probability, axis=0)
    needed = np.ceil(dem_p / target - 1e-9)
    planned = np.median(result.places, axis=0)
    request_by = result.dates - pd.DateOffset(months=lead)
    return pd.DataFrame(
        {
            "date": result.dates,
            "demand_p50": np.median(result.demand, axis=0),
            "demand_at_probability": dem_p,
            "places_planned": planned,
            "places_needed": needed,
            "extra_places": np.maximum(needed - planned, 0.0),
            "request_by": request_by,
            "too_late": request_by <= result.reference_month,
            "occupancy_p50": np.median(result.occupancy_rate, axis=0),
            "p_over_95": np.mean(result.pressure > 0.95, axis=0),
            "p_over_100": np.mean(result.pressure > 1.0, axis=0),
            "places_short_p50": np.median(result.unmet_demand, axis=0),
            "places_short_p90": np.quantile(result.unmet_demand, 0.9, axis=0),
            "probability": probability,
            "today": result.reference_month,
        }
    )


def _window(result: ShelterResult, lead: int, window: tuple[int, int] | None) -> tuple[int, int]:
    """Return the months (start, stop) over which one level of places is chosen.

    From the lead time to the TPD switch (after it, demand follows a different regime) or
    the horizon end.
    """
    h = len(result.dates)
    if window is not None:
        start, stop = window
    else:
        start = min(lead, h - 1)
        stop = h
        if result.entitled_from is not None:
            stop = int(np.flatnonzero(result.dates >= result.entitled_from)[0])
        if stop <= start:
            stop = h
    if not 0 <= start < stop <= h:
        raise ParameterError(f"cost window must satisfy 0 <= start < stop <= {h}, got ({start}, {stop})")
    return start, stop


def _costs(
    demand: np.ndarray, days: np.ndarray, places: np.ndarray, c_idle: float, c_short: float, c_occ: float
) -> dict[str, np.ndarray]:
    """Return expected bed-days and costs for each level (averaged over paths, summed over months)."""
    d = demand[None, :, :]
    p = places[:, None, None]
    w = days[None, None, :]
    n_paths = demand.shape[0]
    idle = (np.maximum(p - d, 0.0) * w).sum(axis=(1, 2)) / n_paths
    short = (np.maximum(d - p, 0.0) * w).sum(axis=(1, 2)) / n_paths
    occ = (np.minimum(d, p) * w).sum(axis=(1, 2)) / n_paths
    return {
        "idle_bed_days": idle,
        "short_bed_days": short,
        "occupied_bed_days": occ,
        "cost_idle_eur": c_idle * idle,
        "cost_short_eur": c_short * short,
        "cost_occupied_eur": c_occ * occ,
        "cost_tradeoff_eur": c_idle * idle + c_short * short,
        "cost_total_eur": c_idle * idle + c_short * short + c_occ * occ,
    }


def cost_curve(
    result: ShelterResult,
    *,
    places: np.ndarray | None = None,
    lead_time_months: int | None = None,
    window: tuple[int, int] | None = None,
    cost_idle: float | None = None,
    cost_short: float | None = None,
    cost_occupied: float | None = None,
) -> pd.DataFrame:
    """Return expected bed-days and costs for constant levels of places.

    Places are held at one level from the lead time on (new places cannot open sooner) to
    the month before the TPD switch (or the horizon end). Bed-days use calendar days per
    month; expectations average over paths.

    Args:
        result: Shelter simulation.
        places: Levels to evaluate; default 41 levels around the demand range.
        lead_time_months: Months before a new level can be in place; default cfg.
        window: Explicit (start, stop) month indices instead.
        cost_idle: EUR per empty place per day; default cfg.
        cost_short: EUR per person without a place per day; default cfg.
        cost_occupied: EUR per occupied place per day; default cfg.

    Returns:
        Frame with columns places, idle_bed_days, short_bed_days, occupied_bed_days,
        cost_idle_eur, cost_short_eur, cost_occupied_eur, cost_tradeoff_eur (idle + short),
        cost_total_eur (with occupied), window_start, window_end.

    """
    cfg = result.cfg
    lead = cfg.lead_time_months if lead_time_months is None else lead_time_months
    start, stop = _window(result, lead, window)
    demand = result.demand[:, start:stop]
    days = np.asarray(result.dates[start:stop].days_in_month, dtype=float)
    if places is None:
        lo, hi = np.quantile(demand, [0.01, 0.99])
        places = np.unique(np.round(np.linspace(0.9 * lo, 1.1 * hi, 41)))
    places = np.asarray(places, dtype=float)
    curve = pd.DataFrame(
        {
            "places": places,
            **_costs(
                demand,
                days,
                places,
                cfg.cost_idle_bed_day_eur if cost_idle is None else cost_idle,
                cfg.cost_short_bed_day_eur if cost_short is None else cost_short,
                cfg.cost_occupied_bed_day_eur if cost_occupied is None else cost_occupied,
            ),
        }
    )
    curve["window_start"] = result.dates[start]
    curve["window_end"] = result.dates[stop - 1]
    return curve


def cost_optimum(
    result: ShelterResult,
    *,
    lead_time_months: int | None = None,
    window: tuple[int, int] | None = None,
    cost_idle: float | None = None,
    cost_short: float | None = None,
) -> dict[str, object]:
    """Return the whole number of places that minimises expected idle plus shortage cost.

    The cost ``sum_t days_t * (c_idle * (P - D_t)+ + c_short * (D_t - P)+)`` is convex in
    ``P``; its minimum lies at the day-weighted quantile of demand at the critical ratio
    ``c_short / (c_short + c_idle)`` (the newsvendor solution), and the best whole number is
    the floor or the ceiling of it.

    Returns:
        ``{"places", "critical_ratio", "expected_idle_bed_days", "expected_short_bed_days",
        "expected_cost_eur", "window_start", "window_end"}``.

    """
    cfg = result.cfg
    c_i = cfg.cost_idle_bed_day_eur if cost_idle is None else cost_idle
    c_s = cfg.cost_short_bed_day_eur if cost_short is None else cost_short
    lead = cfg.lead_time_months if lead_time_months is None else lead_time_months
    start, stop = _window(result, lead, window)
    demand = result.demand[:, start:stop]
    days = np.asarray(result.dates[start:stop].days_in_month, dtype=float)
    if c_i + c_s == 0:
        raise ParameterError("cost_idle and cost_short cannot both be 0: every level costs nothing")
    ratio = c_s / (c_i + c_s)
    values = demand.ravel()
    weights = np.broadcast_to(days, demand.shape).ravel()
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    k = min(int(np.searchsorted(cum, ratio - 1e-12)), len(values) - 1)
    q = float(values[order][k])
    candidates = np.unique([max(np.floor(q), 0.0), max(np.ceil(q), 0.0)])
    costs = _costs(demand, days, candidates, c_i, c_s, 0.0)
    best = int(np.argmin(costs["cost_tradeoff_eur"]))
    return {
        "places": int(candidates[best]),
        "critical_ratio": ratio,
        "expected_idle_bed_days": float(costs["idle_bed_days"][best]),
        "expected_short_bed_days": float(costs["short_bed_days"][best]),
        "expected_cost_eur": float(costs["cost_tradeoff_eur"][best]),
        "window_start": result.dates[start],
        "window_end": result.dates[stop - 1],
    }


def peak_short_before_tpd(result: ShelterResult) -> np.ndarray:
    """Per path, the most people without a place up to the TPD end (or the cost window's end)."""
    _, stop = _window(result, result.cfg.lead_time_months, None)
    before = result.unmet_demand[:, :stop] if stop > 0 else result.unmet_demand[:, :1]
    return before.max(axis=1)


def _peak_median(paths: np.ndarray) -> float:
    """Highest month of the median over paths, skipping months where it is undefined (NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(paths, axis=0)
    return float(np.nanmax(med)) if np.isfinite(med).any() else float("nan")


def _peak_pressure(result: ShelterResult) -> float:
    """Highest month of the median demand per place, over months with places."""
    return _peak_median(np.where(result.places > 0, result.pressure, np.nan))


def headline(result: ShelterResult) -> dict[str, object]:
    """Return the headline planning figures of a shelter simulation.

    Returns:
        Dict with peak_occupancy (max over months of the median occupancy, share),
        places_short_p50 / places_short_p90 (median / 90th percentile over paths of the
        peak unmet demand, persons), places_short_before_tpd_p50 / _p90 (the same up to
        the month the TPD ends, or the cost window's end), first_month_95 / first_month_100 (median first month
        in which demand per place exceeds 0.95 / 1.0; None if on most paths never),
        share_paths_100 (share of paths ever above 100 %), places_needed (peak over the
        cost window of places needed at the target with the planning probability),
        cost_optimal_places, places_jump_off, in_shelter_jump_off, jump_off_date,
        entitled_source.

    """
    plan = planning_table(result)
    opt = cost_optimum(result)
    start, stop = _window(result, result.cfg.lead_time_months, None)
    peak_short = result.unmet_demand.max(axis=1)
    peak_before = peak_short_before_tpd(result)
    return {
        "peak_occupancy": _peak_median(result.occupancy_rate),
        "pressure_jump_off": result.jump_off_pressure,
        "peak_pressure": _peak_pressure(result),
        "already_95": already_above(result, 0.95),
        "already_100": already_above(result, 1.0),
        "places_short_p50": float(np.median(peak_short)),
        "places_short_p90": float(np.quantile(peak_short, 0.9)),
        "places_short_before_tpd_p50": float(np.median(peak_before)),
        "places_short_before_tpd_p90": float(np.quantile(peak_before, 0.9)),
        "first_month_95": _median_date(result, 0.95),
        "first_month_100": _median_date(result, 1.0),
        "share_paths_100": float(np.mean(first_crossing(result, 1.0) >= 0)),
        "places_needed": float(plan["places_needed"].iloc[start:stop].max()),
        "target_occupancy": result.cfg.target_occupancy,
        "planning_probability": result.cfg.planning_probability,
        "cost_optimal_places": opt["places"],
        "places_jump_off": result.jump_off_places,
        "in_shelter_jump_off": result.jump_off_in_shelter,
        "jump_off_date": result.jump_off_date,
        "entitled_source": result.entitled_source,
    }
