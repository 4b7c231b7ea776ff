"""Stock-flow model of municipal shelter for people from Ukraine, and capacity planning on it.

On every forecast path the number of people who need a municipal shelter place
(``demand``) follows

    demand[t] = demand[t-1] + entries[t] - move_outs[t] - departures[t] - unmet_exits[t]
                + entitlement_change[t]

with ``entries = entry_share * arrivals`` (newly registered people who need a place),
``move_outs = move_out_rate * demand[t-1]`` (moves to own housing),
``departures = departure_share * departures_from_NL`` and ``unmet_exits`` the people refused
or waiting who find other accommodation. ``entitlement_change`` is zero while temporary
protection (TPD) runs; from the month the TPD ends, demand is set to the path of people still
entitled to shelter (from the backlog model, or a labelled placeholder) and the difference is
booked as ``entitlement_change`` so that the identity still holds.

Occupied places never exceed the places: ``in_shelter = min(demand, places)`` and the rest is
``unmet_demand`` (people refused or waiting), reported as such.

All stocks are persons at month end; flows are persons per month; places are places at month
end; costs are EUR.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capacity.errors import DataError, ParameterError
from capacity.params.shelter import ShelterConfig
from capacity.paths import PopulationPaths
from capacity.quantiles import summarise_many

logger = logging.getLogger(__name__)

__all__ = [
    "ShelterResult", "simulate_shelter", "jump_off_state", "estimate_rates", "places_path",
    "placeholder_entitled", "first_crossing", "crossing_distribution", "planning_table",
    "cost_curve", "cost_optimum", "headline",
]

#: Where the entitled-to-shelter path after the TPD came from.
ENTITLED_PLACEHOLDER = "placeholder (parameter-driven; replace by the backlog model)"
ENTITLED_EXTERNAL = "backlog model"


@dataclass(frozen=True)
class ShelterResult:
    """Sample paths of municipal shelter demand, places and occupancy.

    Every array has shape (n_paths, h); stocks are persons (places for ``places``) at month
    end, flows persons per month.

    Attributes:
        dates: Forecast months (month starts).
        demand: People who need a place (in shelter + unmet demand).
        in_shelter: Occupied places, never above ``places``.
        places: Shelter places.
        unmet_demand: People refused or waiting for a place (``demand - in_shelter``).
        entries: Newly registered people who need a place.
        move_outs: Moves from (the need for) shelter to own housing.
        departures: People needing shelter who leave the Netherlands.
        unmet_exits: People refused or waiting who find other accommodation.
        entitlement_change: Change booked when demand is set to the entitled path (after TPD).
        jump_off_date: Last observed month of in_shelter and places.
        jump_off_in_shelter: Observed people in shelter at the jump-off (persons).
        jump_off_places: Observed places at the jump-off.
        jump_off_demand: Demand at the jump-off (in shelter + initial unmet demand).
        cfg: The shelter parameters used.
        entitled_from: First month in which demand follows the entitled path (None: never).
        entitled_source: Where that path came from (backlog model or placeholder).
        rates: Per-path sampled rates (entry_share, departure_share, move_out_rate, ...).

    """

    dates: pd.DatetimeIndex
    demand: np.ndarray
    in_shelter: np.ndarray
    places: np.ndarray
    unmet_demand: np.ndarray
    entries: np.ndarray
    move_outs: np.ndarray
    departures: np.ndarray
    unmet_exits: np.ndarray
    entitlement_change: np.ndarray
    jump_off_date: pd.Timestamp
    jump_off_in_shelter: float
    jump_off_places: float
    jump_off_demand: float
    cfg: ShelterConfig
    entitled_from: pd.Timestamp | None = None
    entitled_source: str = ""
    rates: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.demand.shape[0])

    @property
    def occupancy_rate(self) -> np.ndarray:
        """Occupied share of places (0..1); 1 when there are no places but people need one."""
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.places > 0, self.in_shelter / self.places,
                            np.where(self.demand > 0, 1.0, 0.0))
        return np.clip(rate, 0.0, 1.0)

    @property
    def pressure(self) -> np.ndarray:
        """Demand per place (can exceed 1: the occupancy there would be without a cap)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.places > 0, self.demand / np.maximum(self.places, 1e-12),
                            np.where(self.demand > 0, np.inf, 0.0))

    def places_needed(self, target: float | None = None) -> np.ndarray:
        """Places that keep occupancy at or under ``target`` on each path (places).

        Args:
            target: Occupancy target (share); default ``cfg.target_occupancy``.

        """
        target = self.cfg.target_occupancy if target is None else target
        return np.ceil(self.demand / target - 1e-9)

    def identity_error(self) -> float:
        """Return the largest breach of the demand stock-flow identity over all paths (persons)."""
        previous = np.concatenate(
            [np.full((self.n_paths, 1), self.jump_off_demand), self.demand[:, :-1]], axis=1
        )
        flows = (self.entries - self.move_outs - self.departures - self.unmet_exits
                 + self.entitlement_change)
        return float(np.max(np.abs(previous + flows - self.demand)))

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table.

        Variables: demand, in_shelter, places, occupancy_rate (share), unmet_demand,
        places_needed (at ``cfg.target_occupancy``; read the quantile column of the wanted
        probability, e.g. ``q0.90``).
        """
        return summarise_many(
            {
                "demand": self.demand,
                "in_shelter": self.in_shelter,
                "places": self.places,
                "occupancy_rate": self.occupancy_rate,
                "unmet_demand": self.unmet_demand,
                "places_needed": self.places_needed(),
            },
            self.dates,
        )


# --------------------------------------------------------------------------- history


def _wide(history: pd.DataFrame) -> pd.DataFrame:
    """One column per variable; only observed or derived values (no interpolation, no gaps)."""
    needed = {"date", "variable", "value"}
    if not needed <= set(history.columns):
        raise DataError(f"history must be long with columns {sorted(needed)}, got {list(history.columns)}")
    if "flag" in history.columns:
        history = history[history["flag"].isin(["observed", "derived"])]
    wide = history.pivot_table(index="date", columns="variable", values="value", aggfunc="last")
    wide.index = pd.DatetimeIndex(wide.index)
    return wide.sort_index()


def jump_off_state(history: pd.DataFrame, *, at: pd.Timestamp | None = None) -> dict[str, object]:
    """Return the last month (at or before ``at``) with both in_shelter and places observed.

    Args:
        history: Long history frame (date, variable, value) as from ``capacity.data.load_history``.
        at: Latest month to consider (e.g. the population jump-off); None: any.

    Returns:
        ``{"date", "in_shelter", "places", "occupancy_rate"}`` (persons, places, share).

    Raises:
        DataError: If no month has both series.

    """
    wide = _wide(history)
    for col in ("in_shelter", "places"):
        if col not in wide.columns:
            raise DataError(f"history has no '{col}' series; load it with capacity.data.load_history()")
    both = wide[["in_shelter", "places"]].dropna()
    if at is not None:
        both = both[both.index <= pd.Timestamp(at)]
    if both.empty:
        raise DataError("history has no month with both in_shelter and places observed"
                        + (f" on or before {pd.Timestamp(at):%Y-%m}" if at is not None else ""))
    date = both.index[-1]
    in_shelter, places = float(both["in_shelter"].iloc[-1]), float(both["places"].iloc[-1])
    if at is not None and date < pd.Timestamp(at):
        logger.warning("last shelter observation %s is before the population jump-off %s",
                       f"{date:%Y-%m}", f"{pd.Timestamp(at):%Y-%m}")
    return {"date": pd.Timestamp(date), "in_shelter": in_shelter, "places": places,
            "occupancy_rate": in_shelter / places if places > 0 else float("nan")}


def estimate_rates(history: pd.DataFrame, *, entry_share: float = 0.78,
                   departure_share: float = 0.78,
                   window_start: pd.Timestamp | str = "2023-07-01") -> pd.DataFrame:
    """Estimate the shelter share and the implied move-out rate from the observed history.

    The shelter share is in_shelter / registered at the last month with both observed. The
    move-out rate is what makes the stock-flow identity hold on average between the first
    month on or after ``window_start`` and the last month with both in_shelter and registered
    observed: ``m = (e * A - s * D_out - dS) / mean(S)`` per month, with ``A`` the mean
    arrivals (TP grants) observed in the window, ``D_out = A - dR`` the departures implied by
    the change in registered ``dR``, ``dS`` the change in shelter. Because shelter ran at
    97-99.8 % of places in the window, this is an effective rate under the places cap.

    Args:
        history: Long history frame (date, variable, value).
        entry_share: Share of arrivals needing shelter assumed in the derivation.
        departure_share: Share of departures leaving shelter assumed in the derivation.
        window_start: First month of the estimation window.

    Returns:
        Frame with columns parameter, value, unit, window, method.

    """
    wide = _wide(history)
    pair = wide[["in_shelter", "registered"]].dropna()
    rows = []
    if not pair.empty:
        last = pair.index[-1]
        rows.append({"parameter": "shelter_share_of_registered",
                     "value": pair["in_shelter"].iloc[-1] / pair["registered"].iloc[-1],
                     "unit": "share", "window": f"{last:%Y-%m}",
                     "method": "in_shelter / registered, last month with both observed"})
        win = pair[pair.index >= pd.Timestamp(window_start)]
        arrivals = wide.get("arrivals")
        if len(win) >= 2 and arrivals is not None:
            t0, t1 = win.index[0], win.index[-1]
            months = (t1.year - t0.year) * 12 + t1.month - t0.month
            a = arrivals[(arrivals.index > t0) & (arrivals.index <= t1)].dropna()
            if months > 0 and not a.empty:
                mean_a = float(a.mean())
                d_reg = float(win["registered"].iloc[-1] - win["registered"].iloc[0]) / months
                d_sh = float(win["in_shelter"].iloc[-1] - win["in_shelter"].iloc[0]) / months
                dep = mean_a - d_reg
                mean_s = float(win["in_shelter"].mean())
                rate = (entry_share * mean_a - departure_share * dep - d_sh) / mean_s
                rows += [
                    {"parameter": "arrivals_per_month", "value": mean_a, "unit": "persons/month",
                     "window": f"{a.index[0]:%Y-%m}..{a.index[-1]:%Y-%m}",
                     "method": "mean of observed monthly arrivals (TP grants) in the window"},
                    {"parameter": "departures_per_month", "value": dep, "unit": "persons/month",
                     "window": f"{t0:%Y-%m}..{t1:%Y-%m}",
                     "method": "arrivals minus the mean monthly change in registered"},
                    {"parameter": "move_out_rate", "value": rate, "unit": "share/month",
                     "window": f"{t0:%Y-%m}..{t1:%Y-%m}",
                     "method": f"stock-flow identity with entry_share={entry_share}, "
                               f"departure_share={departure_share}"},
                ]
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "window", "method"])


# --------------------------------------------------------------------------- simulation


def _month(d: object) -> pd.Timestamp:
    return pd.Timestamp(d).to_period("M").to_timestamp()


def places_path(dates: pd.DatetimeIndex, start_places: float, cfg: ShelterConfig, *,
                tpd_month: pd.Timestamp | None = None) -> np.ndarray:
    """Return places by month: today's places plus planned changes, minus TPD-end closures.

    Args:
        dates: Forecast months.
        start_places: Places at the jump-off.
        cfg: Shelter parameters (``places_changes``, ``places_closed_at_tpd_end_share``).
        tpd_month: Month the TPD ends (default the month of ``cfg.tpd_end``).

    Returns:
        Places per month, shape (h,), never negative.

    """
    months = pd.DatetimeIndex(dates)
    places = np.full(len(months), float(start_places))
    for change in cfg.places_changes:
        m = _month(change.month)
        if m < months[0]:
            logger.info("places change of %s in %s is before the forecast; ignored",
                        change.change, f"{m:%Y-%m}")
            continue
        places[months >= m] += change.change
    if cfg.places_closed_at_tpd_end_share > 0:
        tpd_month = _month(cfg.tpd_end if tpd_month is None else tpd_month)
        places[months >= tpd_month] *= 1.0 - cfg.places_closed_at_tpd_end_share
    return np.maximum(places, 0.0)


def placeholder_entitled(demand_before: np.ndarray, n_months: int, *, share: np.ndarray,
                         exit_rate: float) -> np.ndarray:
    """Return the PLACEHOLDER path of people still entitled to shelter after the TPD ends.

    A share of those needing shelter keep the right (asylum case pending), then their cases
    end at a constant monthly rate: ``E[k] = share * demand_before * (1 - exit_rate) ** k``.

    Args:
        demand_before: Demand in the month before the TPD ends, shape (n_paths,).
        n_months: Months from the TPD end to the end of the horizon.
        share: Share keeping the right, shape (n_paths,).
        exit_rate: Share of entitled cases ending each month.

    Returns:
        Persons, shape (n_paths, n_months).

    """
    decay = (1.0 - exit_rate) ** np.arange(n_months)
    return (share * demand_before)[:, None] * decay[None, :]


def _sample_share(dist, n: int, rng: np.random.Generator | None) -> np.ndarray:
    if rng is None:
        if dist.kind != "fixed":
            logger.info("no rng given: the uncertain rate uses its central value %s on every path",
                        dist.central)
        return np.full(n, dist.central)
    return np.clip(dist.sample(n, rng), 0.0, 1.0)


def simulate_shelter(pop: PopulationPaths, cfg: ShelterConfig, *, history: pd.DataFrame,
                     entitled: np.ndarray | None = None,
                     entitled_from: pd.Timestamp | None = None,
                     rng: np.random.Generator | None = None) -> ShelterResult:
    """Simulate shelter demand against places on every population path.

    Args:
        pop: Population sample paths (arrivals, departures, registered), shape (n_paths, h).
        cfg: Shelter parameters.
        history: Long history frame (date, variable, value) with in_shelter and places; the
            jump-off state is its last month with both observed.
        entitled: Persons still entitled to shelter, shape (n_paths, h), used from
            ``entitled_from`` on instead of the TPD dynamics (e.g. the backlog model's
            ``shelter_entitled``); demand is ``cfg.entitled_shelter_share`` of them. None:
            the labelled placeholder from the month of ``cfg.tpd_end`` on.
        entitled_from: First month of ``entitled`` (the TPD-end month; places close from
            it when ``cfg.places_closed_at_tpd_end_share`` > 0); default: ``cfg.tpd_end``.
        rng: Generator for the per-path rates; None: the central value of each rate.

    Returns:
        A :class:`ShelterResult`.

    Raises:
        ParameterError: If ``entitled`` has the wrong shape or negative values.
        DataError: If the history lacks in_shelter or places.

    """
    dates = pd.DatetimeIndex(pop.dates)
    n, h = pop.registered.shape
    state = jump_off_state(history, at=pop.jump_off_date)
    e = _sample_share(cfg.entry_share, n, rng)
    s = _sample_share(cfg.departure_share, n, rng)
    m = _sample_share(cfg.move_out_rate, n, rng)
    keep = _sample_share(cfg.post_tpd_entitled_share, n, rng)
    use = _sample_share(cfg.entitled_shelter_share, n, rng)

    switch_month = _month(entitled_from) if entitled_from is not None else _month(cfg.tpd_end)
    places_row = places_path(dates, state["places"], cfg, tpd_month=switch_month)
    places = np.broadcast_to(places_row, (n, h)).copy()
    if entitled is not None:
        entitled = np.asarray(entitled, dtype=float)
        if entitled.shape != (n, h):
            raise ParameterError(f"entitled must have shape (n_paths, h) = {(n, h)}, got {entitled.shape}")
        if np.any(entitled < 0) or not np.all(np.isfinite(entitled)):
            raise ParameterError("entitled must be finite and >= 0 persons on every path")
    hits = np.flatnonzero(dates >= switch_month)
    s_idx = int(hits[0]) if hits.size else h
    source = (ENTITLED_EXTERNAL if entitled is not None else ENTITLED_PLACEHOLDER) if s_idx < h else ""

    arrays = {k: np.zeros((n, h)) for k in (
        "demand", "in_shelter", "unmet", "entries", "moves", "deps", "uexits", "ent")}
    d0 = state["in_shelter"] + cfg.initial_unmet_demand
    d_prev = np.full(n, d0)
    u_prev = np.full(n, max(d0 - state["places"], 0.0) + 0.0)
    arrivals = np.maximum(np.asarray(pop.arrivals, dtype=float), 0.0)
    leaving = np.maximum(np.asarray(pop.departures, dtype=float), 0.0)
    ent_path = None
    for t in range(h):
        if t >= s_idx:
            if ent_path is None and entitled is not None:
                ent_path = use[:, None] * entitled[:, s_idx:]
            elif ent_path is None:
                ent_path = placeholder_entitled(d_prev, h - s_idx, share=keep,
                                                exit_rate=cfg.post_tpd_exit_rate)
            d_t = ent_path[:, t - s_idx]
            arrays["ent"][:, t] = d_t - d_prev
        else:
            entries = e * arrivals[:, t]
            moves = m * d_prev
            deps = np.minimum(s * leaving[:, t], d_prev - moves + entries)
            uexits = np.minimum(cfg.unmet_exit_rate * u_prev, d_prev - moves + entries - deps)
            d_t = d_prev + entries - moves - deps - uexits
            arrays["entries"][:, t], arrays["moves"][:, t] = entries, moves
            arrays["deps"][:, t], arrays["uexits"][:, t] = deps, uexits
        occupied = np.minimum(d_t, places[:, t])
        arrays["demand"][:, t], arrays["in_shelter"][:, t] = d_t, occupied
        arrays["unmet"][:, t] = d_t - occupied
        d_prev, u_prev = d_t, d_t - occupied

    return ShelterResult(
        dates=dates, demand=arrays["demand"], in_shelter=arrays["in_shelter"], places=places,
        unmet_demand=arrays["unmet"], entries=arrays["entries"], move_outs=arrays["moves"],
        departures=arrays["deps"], unmet_exits=arrays["uexits"],
        entitlement_change=arrays["ent"], jump_off_date=state["date"],
        jump_off_in_shelter=state["in_shelter"], jump_off_places=state["places"],
        jump_off_demand=d0, cfg=cfg,
        entitled_from=dates[s_idx] if s_idx < h else None, entitled_source=source,
        rates={"entry_share": e, "departure_share": s, "move_out_rate": m,
               **({"entitled_shelter_share": use} if entitled is not None
                  else {"post_tpd_entitled_share": keep})},
    )


# --------------------------------------------------------------------------- planning


def first_crossing(result: ShelterResult, threshold: float) -> np.ndarray:
    """Return per path the index of the first month whose demand per place exceeds ``threshold``.

    ``threshold=0.95`` is the month occupancy passes 95 %; ``threshold=1.0`` the month demand
    exceeds the places (occupancy at 100 % and people refused). ``-1`` where it never happens
    within the horizon.
    """
    above = result.pressure > threshold
    idx = np.argmax(above, axis=1)
    return np.where(above.any(axis=1), idx, -1)


def crossing_distribution(result: ShelterResult, thresholds: tuple[float, ...] = (0.95, 1.0)
                          ) -> pd.DataFrame:
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
    idx = first_crossing(result, threshold).astype(float)
    idx[idx < 0] = np.inf  # never within the horizon sorts last
    med = np.sort(idx)[(len(idx) - 1) // 2]  # lower median: an actual path's month
    return None if not np.isfinite(med) else pd.Timestamp(result.dates[int(med)])


def planning_table(result: ShelterResult, *, target: float | None = None,
                   probability: float | None = None,
                   lead_time_months: int | None = None) -> pd.DataFrame:
    """Return, per month, the places needed to keep occupancy at or under a target.

    ``places_needed`` is the ``probability`` quantile of demand divided by ``target``, so
    occupancy stays at or under the target with that probability; ``extra_places`` is what
    exceeds the planned places; ``request_by`` is the month the request must go out given
    the lead time (``too_late`` when that is before the forecast starts).

    Returns:
        Frame with columns date, demand_p50, demand_at_probability, places_planned,
        places_needed, extra_places, request_by, too_late, occupancy_p50, p_over_95,
        p_over_100, places_short_p50, places_short_p90.

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
    return pd.DataFrame({
        "date": result.dates,
        "demand_p50": np.median(result.demand, axis=0),
        "demand_at_probability": dem_p,
        "places_planned": planned,
        "places_needed": needed,
        "extra_places": np.maximum(needed - planned, 0.0),
        "request_by": request_by,
        "too_late": request_by <= result.jump_off_date,
        "occupancy_p50": np.median(result.occupancy_rate, axis=0),
        "p_over_95": np.mean(result.pressure > 0.95, axis=0),
        "p_over_100": np.mean(result.pressure > 1.0, axis=0),
        "places_short_p50": np.median(result.unmet_demand, axis=0),
        "places_short_p90": np.quantile(result.unmet_demand, 0.9, axis=0),
    })


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


def _costs(demand: np.ndarray, days: np.ndarray, places: np.ndarray, c_idle: float,
           c_short: float, c_occ: float) -> dict[str, np.ndarray]:
    """Return expected bed-days and costs for each level (averaged over paths, summed over months)."""
    d = demand[None, :, :]
    p = places[:, None, None]
    w = days[None, None, :]
    n_paths = demand.shape[0]
    idle = (np.maximum(p - d, 0.0) * w).sum(axis=(1, 2)) / n_paths
    short = (np.maximum(d - p, 0.0) * w).sum(axis=(1, 2)) / n_paths
    occ = (np.minimum(d, p) * w).sum(axis=(1, 2)) / n_paths
    return {"idle_bed_days": idle, "short_bed_days": short, "occupied_bed_days": occ,
            "cost_idle_eur": c_idle * idle, "cost_short_eur": c_short * short,
            "cost_occupied_eur": c_occ * occ,
            "cost_tradeoff_eur": c_idle * idle + c_short * short,
            "cost_total_eur": c_idle * idle + c_short * short + c_occ * occ}


def cost_curve(result: ShelterResult, *, places: np.ndarray | None = None,
               lead_time_months: int | None = None, window: tuple[int, int] | None = None,
               cost_idle: float | None = None, cost_short: float | None = None,
               cost_occupied: float | None = None) -> pd.DataFrame:
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
    curve = pd.DataFrame({"places": places, **_costs(
        demand, days, places,
        cfg.cost_idle_bed_day_eur if cost_idle is None else cost_idle,
        cfg.cost_short_bed_day_eur if cost_short is None else cost_short,
        cfg.cost_occupied_bed_day_eur if cost_occupied is None else cost_occupied)})
    curve["window_start"] = result.dates[start]
    curve["window_end"] = result.dates[stop - 1]
    return curve


def cost_optimum(result: ShelterResult, *, lead_time_months: int | None = None,
                 window: tuple[int, int] | None = None, cost_idle: float | None = None,
                 cost_short: float | None = None) -> dict[str, object]:
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
    return {"places": int(candidates[best]), "critical_ratio": ratio,
            "expected_idle_bed_days": float(costs["idle_bed_days"][best]),
            "expected_short_bed_days": float(costs["short_bed_days"][best]),
            "expected_cost_eur": float(costs["cost_tradeoff_eur"][best]),
            "window_start": result.dates[start], "window_end": result.dates[stop - 1]}


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
    before = result.unmet_demand[:, :stop] if stop > 0 else result.unmet_demand[:, :1]
    peak_before = before.max(axis=1)
    return {
        "peak_occupancy": float(np.median(result.occupancy_rate, axis=0).max()),
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
