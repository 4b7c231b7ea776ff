"""What the shelter model takes from the published history: its jump-off state, rates and places response.

- :func:`jump_off_state`: the last month with both people in shelter and places counted;
- :func:`estimate_rates`: the shelter share and the move-out rate the stock-flow identity implies;
- :func:`estimate_places_response`: how places followed demand in 2022-2025 (the rule of
  :class:`~capacity.shelter.stockflow.PlacesResponse`, fitted on a grid).
"""

from __future__ import annotations

import logging
from typing import TypedDict

import numpy as np
import pandas as pd

from capacity.errors import DataError
from capacity.i18n import N_

logger = logging.getLogger(__name__)

__all__ = ["estimate_places_response", "estimate_rates", "fit_places_rule", "jump_off_state"]


def _months_between(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Return the whole calendar months from ``start`` to ``end`` (days ignored)."""
    return (end.year - start.year) * 12 + end.month - start.month


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


class JumpOff(TypedDict):
    """The last month with both shelter series observed (:func:`jump_off_state`)."""

    date: pd.Timestamp
    in_shelter: float  # persons
    places: float  # places
    occupancy_rate: float  # share; nan without places


#: One grid point of the places-response fit: RMSE (places), pressure, lead (months), gain, cap.
PlacesFit = tuple[float, float, int, float, float]


class PlacesFitData(TypedDict):
    """What the places-response fit ran on: its months, demand proxy and observed places."""

    months: pd.DatetimeIndex
    demand: np.ndarray
    places: pd.Series


def jump_off_state(history: pd.DataFrame, *, at: pd.Timestamp | None = None) -> JumpOff:
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
        raise DataError(
            "history has no month with both in_shelter and places observed"
            + (f" on or before {pd.Timestamp(at):%Y-%m}" if at is not None else "")
        )
    date = both.index[-1]
    in_shelter, places = float(both["in_shelter"].iloc[-1]), float(both["places"].iloc[-1])
    if at is not None and date < pd.Timestamp(at):
        logger.warning(
            "last shelter observation %s is before the population jump-off %s",
            f"{date:%Y-%m}",
            f"{pd.Timestamp(at):%Y-%m}",
        )
    return {
        "date": pd.Timestamp(date),
        "in_shelter": in_shelter,
        "places": places,
        "occupancy_rate": in_shelter / places if places > 0 else float("nan"),
    }


def estimate_rates(
    history: pd.DataFrame,
    *,
    entry_share: float = 0.78,
    departure_share: float = 0.78,
    window_start: pd.Timestamp | str = "2023-07-01",
) -> pd.DataFrame:
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
        rows.append(
            {
                "parameter": "shelter_share_of_registered",
                "value": pair["in_shelter"].iloc[-1] / pair["registered"].iloc[-1],
                "unit": "share",
                "window": f"{last:%Y-%m}",
                "method": "in shelter / registered, last month with both observed",
            }
        )
        win = pair[pair.index >= pd.Timestamp(window_start)]
        arrivals = wide.get("arrivals")
        if len(win) >= 2 and arrivals is not None:
            t0, t1 = win.index[0], win.index[-1]
            months = _months_between(t0, t1)
            a = arrivals[(arrivals.index > t0) & (arrivals.index <= t1)].dropna()
            if months > 0 and not a.empty:
                mean_a = float(a.mean())
                d_reg = float(win["registered"].iloc[-1] - win["registered"].iloc[0]) / months
                d_sh = float(win["in_shelter"].iloc[-1] - win["in_shelter"].iloc[0]) / months
                dep = mean_a - d_reg
                mean_s = float(win["in_shelter"].mean())
                rate = (entry_share * mean_a - departure_share * dep - d_sh) / mean_s
                rows += [
                    {
                        "parameter": "arrivals_per_month",
                        "value": mean_a,
                        "unit": "persons/month",
                        "window": f"{a.index[0]:%Y-%m}..{a.index[-1]:%Y-%m}",
                        "method": "mean of observed monthly arrivals (TP grants) in the window",
                    },
                    {
                        "parameter": "departures_per_month",
                        "value": dep,
                        "unit": "persons/month",
                        "window": f"{t0:%Y-%m}..{t1:%Y-%m}",
                        "method": "arrivals minus the mean monthly change in registered",
                    },
                    {
                        "parameter": "move_out_rate",
                        "value": rate,
                        "unit": "share/month",
                        "window": f"{t0:%Y-%m}..{t1:%Y-%m}",
                        "method": f"stock-flow identity with entry share {entry_share}, "
                        f"departure share {departure_share}",
                    },
                ]
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "window", "method"])


def _demand_proxy(wide: pd.DataFrame, months: pd.DatetimeIndex) -> pd.Series:
    """Monthly demand not capped by places: the last shelter share times registered (interpolated)."""
    pair = wide[["in_shelter", "registered"]].dropna()
    share = float(pair["in_shelter"].iloc[-1] / pair["registered"].iloc[-1])
    registered = wide["registered"].dropna()
    grid = registered.reindex(registered.index.union(months)).interpolate(method="time", limit_area="inside")
    return (share * grid.reindex(months)).bfill().ffill()


def _rule_paths(
    demand: np.ndarray,
    start: float,
    gain: np.ndarray | float,
    lead: int,
    pressure: float,
    cap: np.ndarray | float = np.inf,
    *,
    first: int = 0,
) -> np.ndarray:
    """Places under the response rule on a given monthly demand, one row per (gain, cap) pair.

    From ``start`` places in month ``first``, each later month opens ``gain`` of the gap to the
    places wanted (demand ``lead`` months earlier, divided by ``pressure``), at most ``cap``
    places a month.

    Args:
        demand: Demand per month (persons), shape (h,); months before ``first`` are the past.
        start: Places in month ``first``.
        gain: Share of the gap opened per month, scalar or shape (k,).
        lead: Months between the demand seen and the places opened.
        pressure: Demand per place aimed at.
        cap: Most places opened a month (inf: no cap), scalar or shape (k,).
        first: Index of the month of ``start`` in ``demand``.

    Returns:
        Places, shape (k, h - first), the first column ``start``.

    """
    gain, cap = np.broadcast_arrays(
        np.atleast_1d(np.asarray(gain, dtype=float)), np.atleast_1d(np.asarray(cap, dtype=float))
    )
    out = np.empty((gain.size, len(demand) - first))
    out[:, 0] = start
    for t in range(1, out.shape[1]):
        wanted = demand[max(first + t - lead, 0)] / pressure
        out[:, t] = out[:, t - 1] + np.minimum(gain * np.maximum(wanted - out[:, t - 1], 0.0), cap)
    return out


def _replay_places(
    demand: np.ndarray, start: float, gain: float, lead: int, pressure: float, cap: float = np.inf
) -> np.ndarray:
    """Places under the response rule on a given monthly demand, from ``start`` places (one path)."""
    return _rule_paths(demand, start, gain, lead, pressure, cap)[0]


def fit_places_rule(
    history: pd.DataFrame,
    *,
    start: str = "2022-07-01",
    end: str | None = None,
    pressures: tuple[float, ...] = (0.91, 0.95, 0.98, 1.0),
    leads: tuple[int, ...] = tuple(range(13)),
    gains: tuple[float, ...] = tuple(np.round(np.linspace(0.01, 1.0, 100), 2)),
    caps: tuple[float, ...] = (np.inf,),
) -> tuple[list[PlacesFit], PlacesFitData]:
    """Score every (pressure, lead, gain, cap) of the grid against the observed places.

    Returns:
        The fits as (rmse, pressure, lead, gain, cap) tuples, and the data they were scored on:
        ``months`` (the monthly grid), ``demand`` (the demand proxy on it, persons) and
        ``places`` (the observed counts used, a Series).

    Raises:
        DataError: Without places, registered or in_shelter, or with fewer than 3 counts.

    """
    wide = _wide(history)
    for col in ("places", "registered", "in_shelter"):
        if col not in wide.columns:
            raise DataError(f"history has no '{col}' series; load it with capacity.data.load_history()")
    places = wide["places"].dropna()
    places = places[places.index >= pd.Timestamp(start)]
    if end is not None:
        places = places[places.index <= pd.Timestamp(end)]
    if len(places) < 3:
        raise DataError(f"need at least 3 observed counts of places from {start}, got {len(places)}")
    months = pd.date_range(places.index[0], places.index[-1], freq="MS")
    demand = _demand_proxy(wide, months).to_numpy()
    at = np.array([months.get_loc(d) for d in places.index])
    observed = places.to_numpy()
    gain_grid = np.asarray(gains, dtype=float)
    fits: list[PlacesFit] = []
    for pressure in pressures:
        for lead in leads:
            for cap in caps:
                sims = _rule_paths(demand, observed[0], gain_grid, lead, pressure, cap)
                rmse = np.sqrt(np.mean((sims[:, at] - observed) ** 2, axis=1))
                fits += [(float(r), pressure, lead, float(g), float(cap)) for r, g in zip(rmse, gain_grid, strict=True)]
    return fits, {"months": months, "demand": demand, "places": places}


def estimate_places_response(
    history: pd.DataFrame,
    *,
    start: str = "2022-07-01",
    end: str | None = None,
    pressures: tuple[float, ...] = (0.91, 0.95, 0.98, 1.0),
    leads: tuple[int, ...] = tuple(range(13)),
    gains: tuple[float, ...] = tuple(np.round(np.linspace(0.01, 1.0, 100), 2)),
    caps: tuple[float, ...] = (np.inf,),
    tolerance: float = 1.25,
) -> pd.DataFrame:
    """Estimate how places followed demand: gain, lead time, pressure aimed at and (optionally) a cap.

    Demand while shelter was full is not observed (in_shelter is capped by places), so the
    demand it responds to is the last shelter share times registered people (interpolated
    between counts), a series that does not depend on places. The rule of
    :class:`~capacity.shelter.stockflow.PlacesResponse` is replayed from the first observed
    places on or after ``start`` (to ``end``) for every (pressure, lead, gain, cap) on the
    grid, and scored by the root mean squared error against every observed count of places
    in the window. The range is every grid point of the best pressure within ``tolerance``
    times the best error.

    Returns:
        Frame with columns parameter (places_response_gain, places_response_lead_months,
        places_response_pressure, places_response_max_per_month when ``caps`` is given,
        rmse_places), value (best fit), low, high, unit, window, n, method.

    """
    fits, fitted = fit_places_rule(
        history, start=start, end=end, pressures=pressures, leads=leads, gains=gains, caps=caps
    )
    months, observed = fitted["months"], fitted["places"]
    best = min(fits)
    near = [f for f in fits if f[1] == best[1] and f[0] <= tolerance * best[0]]
    window = f"{months[0]:%Y-%m}..{months[-1]:%Y-%m}"
    method = (
        f"grid fit of places to demand (shelter share x registered); range: fits within "
        f"{tolerance:g} x the best RMSE at the best pressure"
    )
    rows = [
        ("places_response_gain", best[3], min(f[3] for f in near), max(f[3] for f in near), "share/month"),
        ("places_response_lead_months", best[2], min(f[2] for f in near), max(f[2] for f in near), "months"),
        ("places_response_pressure", best[1], best[1], best[1], "share"),
    ]
    if tuple(caps) != (np.inf,):
        rows.append(
            (
                "places_response_max_per_month",
                best[4],
                min(f[4] for f in near),
                max(f[4] for f in near),
                N_("places/month"),
            )
        )  # a unit the report translates
    rows.append(("rmse_places", best[0], best[0], best[0], "places"))
    return pd.DataFrame(
        [
            {
                "parameter": p,
                "value": float(v),
                "low": float(lo),
                "high": float(hi),
                "unit": u,
                "window": window,
                "n": len(observed),
                "method": method,
            }
            for p, v, lo, hi, u in rows
        ]
    )
