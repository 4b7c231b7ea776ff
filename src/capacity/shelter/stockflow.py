"""Stock-flow model of municipal shelter for people from Ukraine: demand against places.

On every forecast path the number of people who need a municipal shelter place
(``demand``) follows

    demand[t] = demand[t-1] + entries[t] - move_outs[t] - departures[t] - unmet_exits[t]
                + entitlement_change[t]

with ``entries = entry_share * arrivals`` (newly registered people who need a place),
``move_outs = move_out_rate * demand[t-1]`` (moves to own housing),
``departures = departure_rate_ratio * departure_rate[t] * demand[t-1]`` and ``unmet_exits``
the people refused or waiting who find other accommodation. ``departure_rate`` is the
forecast path's own monthly rate (:attr:`PopulationPaths.departure_rates`): the one
departure process of a run, shared with the forecast and the backlog cohort, so that
people in shelter leave the country at the rate of the registered population they are
part of (times the ratio, 1 unless a scenario says they leave more or less often).
``entitlement_change`` is zero while temporary protection (TPD) runs; from the month the
TPD ends, demand is set to the path of people still entitled to shelter (the backlog
model's path, or without one :func:`entitled_from_parameters`) and the difference is
booked as ``entitlement_change`` so that the identity still holds. After the TPD end the
entitled are asylum seekers: those the Ukraine places no longer hold (places closed at
the TPD end) are received by COA, so they are not Ukraine-shelter demand and never
"without a place" (``ShelterResult.after_tpd.asylum_reception`` counts them all).

Occupied places never exceed the places: ``in_shelter = min(demand, places)`` and the rest is
``unmet_demand`` (people refused or waiting), reported as such.

All stocks are persons at month end; flows are persons per month; places are places at month
end; costs are EUR. The jump-off state, the rates and the places response estimated from the
history are in :mod:`capacity.shelter.history`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity import distributions
from capacity.errors import ParameterError
from capacity.forecast.paths import PopulationPaths
from capacity.params.shelter import ShelterConfig
from capacity.shelter.destinations import Destinations, HomeExits, destinations, place_waiting
from capacity.shelter.history import jump_off_state
from capacity.shelter.result import ENTITLED_EXTERNAL, ENTITLED_FROM_PARAMETERS, ShelterResult

logger = logging.getLogger(__name__)

__all__ = ["PlacesResponse", "closure_month", "entitled_from_parameters", "places_path", "simulate_shelter"]


@dataclass(frozen=True)
class PlacesResponse:
    """How places respond to pressure, per path.

    Each month before the TPD ends, ``gain`` of the gap between the places wanted
    (demand ``lead`` months earlier divided by ``pressure``) and the places is opened, at
    most ``cap`` places a month (new places need buildings and staff).

    Attributes:
        gain: Share of the gap opened per month, shape (n_paths,).
        lead: Months between the demand seen and the places opened, shape (n_paths,), ints.
        pressure: Demand per place that the openings aim at.
        cap: Most places opened a month (the supply cap, places/month); inf: no cap.

    """

    gain: np.ndarray
    lead: np.ndarray
    pressure: float
    cap: float = np.inf


# --------------------------------------------------------------------------- months


def _month_start(d: object) -> pd.Timestamp:
    """Return the first day of the month of ``d``."""
    return pd.Timestamp(d).to_period("M").to_timestamp()


# --------------------------------------------------------------------------- simulation


def places_path(
    dates: pd.DatetimeIndex, start_places: float, cfg: ShelterConfig, *, tpd_month: pd.Timestamp | None = None
) -> np.ndarray:
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
        m = _month_start(change.month)
        if m < months[0]:
            logger.info("places change of %s in %s is before the forecast; ignored", change.change, f"{m:%Y-%m}")
            continue
        places[months >= m] += change.change
    if cfg.places_closed_at_tpd_end_share > 0:
        tpd_month = _month_start(cfg.tpd_end if tpd_month is None else tpd_month)
        places[months >= tpd_month] *= 1.0 - cfg.places_closed_at_tpd_end_share
    return np.maximum(places, 0.0)


def closure_month(cfg: ShelterConfig, switch_month: pd.Timestamp | None = None) -> pd.Timestamp:
    """Return the month Ukraine shelter closes: ``cfg.ukraine_shelter_close_date`` or the TPD end.

    Never before the TPD-end month (``switch_month``, default the month of ``cfg.tpd_end``):
    until then temporary protection gives the right to a place.
    """
    switch = _month_start(cfg.tpd_end if switch_month is None else switch_month)
    if cfg.ukraine_shelter_close_date is None:
        return switch
    return max(_month_start(cfg.ukraine_shelter_close_date), switch)


def entitled_from_parameters(
    demand_before: np.ndarray, n_months: int, *, share: np.ndarray, exit_rate: float
) -> np.ndarray:
    """Return the people still entitled to shelter after the TPD ends, without the backlog model.

    A share of those needing shelter keep the right (asylum case pending), then their cases
    end at a constant monthly rate: ``E[k] = share * demand_before * (1 - exit_rate) ** k``.
    :func:`simulate_shelter` uses it only when no backlog path is given but the TPD ends
    within the horizon (a stand-alone shelter run); the pipeline always gives the backlog's
    path then.

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


def _checked_entitled(entitled: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    """Return ``entitled`` as floats, or raise if its shape or values are wrong."""
    if entitled is None:
        return None
    entitled = np.asarray(entitled, dtype=float)
    if entitled.shape != shape:
        raise ParameterError(f"entitled must have shape (n_paths, h) = {shape}, got {entitled.shape}")
    if np.any(entitled < 0) or not np.all(np.isfinite(entitled)):
        raise ParameterError("entitled must be finite and >= 0 persons on every path")
    return entitled


def _respond(
    places: np.ndarray, demand: np.ndarray, t: int, *, d0: float, response: PlacesResponse, added: np.ndarray
) -> np.ndarray:
    """Return the places added by month ``t``: the gap to the places wanted, closed at the gain.

    The places wanted are demand ``lead`` months earlier (the jump-off demand before the
    forecast) divided by the pressure aimed at, at most ``response.cap`` a month; only
    openings respond (no closures were seen in 2022-2025).
    """
    rows = np.arange(places.shape[0])
    back = t - response.lead
    seen = np.where(back >= 0, demand[rows, np.maximum(back, 0)], d0)
    wanted = seen / response.pressure
    gap = np.maximum(wanted - (places[:, t] + added), 0.0)
    return added + np.minimum(response.gain * gap, response.cap)


def _after_switch(
    t: int, s_idx: int, ent_path: np.ndarray, dest: Destinations | None, places: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (entitled asylum users, demand) in Ukraine shelter in month ``t`` >= the switch.

    Document holders still waiting for a home keep their Ukraine place while it is open;
    asylum users fill the places left, the rest are received by COA.
    """
    a_t = ent_path[:, t - s_idx]
    waiting = dest.waiting[:, t - s_idx] if dest is not None and dest.waiting is not None else 0.0
    docs_in = np.minimum(waiting, places)
    return a_t, docs_in + np.minimum(a_t, np.maximum(places - docs_in, 0.0))


def _run_months(
    pop: PopulationPaths,
    places: np.ndarray,
    *,
    start: tuple[float, float],
    rates: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    switch_index: int,
    after_tpd: Callable[[np.ndarray], np.ndarray],
    response: PlacesResponse | None = None,
    closure: tuple[int | None, float] = (None, 0.0),
    homes: HomeExits | None = None,
) -> tuple[dict[str, np.ndarray], Destinations | None]:
    """Step demand month by month; from ``switch_index`` on it follows ``after_tpd``.

    Places are the planned ``places`` plus, before the switch, the places opened in response
    to pressure (:func:`_respond`; off in the baseline: places are policy); from
    ``close_index`` (default the switch) on the opened places stay, less the ``closed_share``
    closed when Ukraine shelter closes. ``places`` is updated in place. From the switch on,
    the people in shelter at the TPD end split over destinations (:func:`destinations`):
    document holders wait in Ukraine shelter while it is open (they are its demand then),
    asylum users take the places left.

    Args:
        pop: Population paths (arrivals and departures, persons per month).
        places: Places, shape (n_paths, h).
        start: Demand and unmet demand at the jump-off (persons).
        rates: Per-path entry share, departure-rate ratio, move-out rate (share/month) and
            unmet exit rate (share of the unmet demand finding other accommodation, share/month).
        switch_index: First month index after the TPD (h: never).
        after_tpd: Demand before the switch (n_paths,) -> entitled demand (n_paths, h - switch).
        response: How places respond to pressure (None: they follow the plan only).
        closure: Month index Ukraine shelter closes (``close_index``; None: the switch) and the
            share of opened places closed then (``closed_share``).
        homes: How the housing task moves to a home (None: it leaves shelter at the TPD end).

    Returns:
        Arrays (n_paths, h): demand, in_shelter, unmet, entries, moves, deps, uexits, ent,
        opened (places opened in response, cumulative), entitled; and the destinations.

    """
    e, s, m, unmet_exit_rate = rates
    d0, u0 = start
    n, h = places.shape
    close_index, closed_share = closure
    close_index = switch_index if close_index is None else close_index
    arrays = {
        k: np.zeros((n, h))
        for k in ("demand", "in_shelter", "unmet", "entries", "moves", "deps", "uexits", "ent", "opened", "entitled")
    }
    added = np.zeros(n)
    d_prev = np.full(n, d0)
    u_prev = np.full(n, u0 + 0.0)
    arrivals = np.maximum(np.asarray(pop.arrivals, dtype=float), 0.0)
    leaving = np.clip(pop.departure_rates, 0.0, 1.0) * s[:, None]  # share/month, per path
    ent_path, dest = None, None
    for t in range(h):
        if t < switch_index:
            entries = e * arrivals[:, t]
            moves = m * d_prev
            deps = np.minimum(leaving[:, t] * d_prev, d_prev - moves + entries)
            uexits = np.minimum(unmet_exit_rate * u_prev, d_prev - moves + entries - deps)
            d_t = d_prev + entries - moves - deps - uexits
            arrays["entries"][:, t], arrays["moves"][:, t] = entries, moves
            arrays["deps"][:, t], arrays["uexits"][:, t] = deps, uexits
            if response is not None:
                arrays["demand"][:, t] = d_t
                added = _respond(places, arrays["demand"], t, d0=d0, response=response, added=added)
        if t == close_index:
            added = added * (1.0 - closed_share)
        places[:, t] = np.maximum(places[:, t] + added, 0.0)
        arrays["opened"][:, t] = added
        if t >= switch_index:
            if ent_path is None:
                ent_path = after_tpd(d_prev)
                full = np.zeros((n, h))
                full[:, switch_index:] = ent_path
                dest = destinations(
                    dates=pd.DatetimeIndex(pop.dates),
                    switch_index=switch_index,
                    in_shelter=arrays["in_shelter"],
                    demand=arrays["demand"],
                    departure_rate=leaving,
                    entitled=full,
                    homes=homes,
                )
            arrays["entitled"][:, t], d_t = _after_switch(t, switch_index, ent_path, dest, places[:, t])
            arrays["ent"][:, t] = d_t - d_prev
        occupied = np.minimum(d_t, places[:, t])
        arrays["demand"][:, t], arrays["in_shelter"][:, t] = d_t, occupied
        arrays["unmet"][:, t] = d_t - occupied
        d_prev, u_prev = d_t, d_t - occupied
    return arrays, dest


def simulate_shelter(
    pop: PopulationPaths,
    cfg: ShelterConfig,
    *,
    history: pd.DataFrame,
    entitled: np.ndarray | None = None,
    entitled_from: pd.Timestamp | None = None,
    rng: np.random.Generator | None = None,
) -> ShelterResult:
    """Simulate shelter demand against places on every population path.

    Args:
        pop: Population sample paths (arrivals, departures, registered), shape (n_paths, h).
        cfg: Shelter parameters.
        history: Long history frame (date, variable, value) with in_shelter and places; the
            jump-off state is its last month with both observed.
        entitled: Persons still entitled to shelter, shape (n_paths, h), used from
            ``entitled_from`` on instead of the TPD dynamics (e.g. the backlog model's
            ``shelter_entitled``); demand is ``cfg.entitled_shelter_share`` of them. None:
            :func:`entitled_from_parameters` from the month of ``cfg.tpd_end`` on.
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
    # drawn in this order on every run: the order is part of the seeded numbers
    e = distributions.sample(cfg.entry_share, n, rng)
    s = distributions.sample(cfg.departure_rate_ratio, n, rng)
    m = distributions.sample(cfg.move_out_rate, n, rng)
    keep = distributions.sample(cfg.post_tpd_entitled_share, n, rng)
    use = distributions.sample(cfg.entitled_shelter_share, n, rng)
    u = distributions.sample(cfg.unmet_exit_rate, n, rng)
    gain = distributions.sample(cfg.places_response_gain, n, rng)
    lead = np.rint(distributions.sample(cfg.places_response_lead_months, n, rng)).astype(int)
    cap = np.inf if cfg.places_response_max_per_month is None else float(cfg.places_response_max_per_month)
    response = (
        PlacesResponse(gain=gain, lead=np.maximum(lead, 0), pressure=cfg.places_response_pressure, cap=cap)
        if np.any(gain > 0)
        else None
    )

    home_e = distributions.sample(cfg.home_exit_rate_employed, n, rng)
    home_o = distributions.sample(cfg.home_exit_rate_other, n, rng)
    homes = HomeExits(
        employed_share=cfg.employed_share, rate_employed=home_e, rate_other=home_o, cap=cfg.housing_supply_per_month
    )

    switch_month = _month_start(cfg.tpd_end if entitled_from is None else entitled_from)
    close_month = closure_month(cfg, switch_month)
    places_row = places_path(dates, state["places"], cfg, tpd_month=close_month)
    places = np.broadcast_to(places_row, (n, h)).copy()
    entitled = _checked_entitled(entitled, (n, h))
    hits = np.flatnonzero(dates >= switch_month)
    s_idx = int(hits[0]) if hits.size else h
    closing = np.flatnonzero(dates >= close_month)
    c_idx = int(closing[0]) if closing.size else h
    source = (ENTITLED_EXTERNAL if entitled is not None else ENTITLED_FROM_PARAMETERS) if s_idx < h else ""

    def after_tpd(demand_before: np.ndarray) -> np.ndarray:
        if entitled is not None:
            return use[:, None] * entitled[:, s_idx:]
        return entitled_from_parameters(demand_before, h - s_idx, share=keep, exit_rate=cfg.post_tpd_exit_rate)

    d0 = state["in_shelter"] + cfg.initial_unmet_demand
    arrays, after = _run_months(
        pop,
        places,
        start=(d0, max(d0 - state["places"], 0.0)),
        rates=(e, s, m, u),
        switch_index=s_idx,
        after_tpd=after_tpd,
        response=response,
        closure=(c_idx, cfg.places_closed_at_tpd_end_share),
        homes=homes,
    )
    if after is not None:  # the waiting keep a Ukraine place while one is open
        after = place_waiting(
            after,
            room=places[:, s_idx:],
            fallback_share=cfg.fallback_share,
            close_date=close_month if c_idx < h else None,
        )
    return ShelterResult(
        dates=dates,
        demand=arrays["demand"],
        in_shelter=arrays["in_shelter"],
        places=places,
        unmet_demand=arrays["unmet"],
        entries=arrays["entries"],
        move_outs=arrays["moves"],
        departures=arrays["deps"],
        unmet_exits=arrays["uexits"],
        entitlement_change=arrays["ent"],
        jump_off_date=state["date"],
        jump_off_in_shelter=state["in_shelter"],
        jump_off_places=state["places"],
        jump_off_demand=d0,
        cfg=cfg,
        entitled_from=dates[s_idx] if s_idx < h else None,
        entitled_source=source,
        rates={
            "entry_share": e,
            "departure_rate_ratio": s,
            "move_out_rate": m,
            "unmet_exit_rate": u,
            "places_response_gain": gain,
            "places_response_lead_months": lead.astype(float),
            "home_exit_rate_employed": home_e,
            "home_exit_rate_other": home_o,
            **({"entitled_shelter_share": use} if entitled is not None else {"post_tpd_entitled_share": keep}),
        },
        after_tpd=after,
        today=pop.today,
    )
