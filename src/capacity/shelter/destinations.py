"""After the TPD, a destination for everyone who was in Ukraine shelter when it ended.

When temporary protection ends, the people in municipal Ukraine shelter (the *cohort*,
in shelter in the month before the TPD-end month) split, every month, into exactly one of:

- ``asylum_reception``: still entitled to shelter because they pursue asylum (the share of
  the pre-TPD need that the entitled path keeps: ``demand[t] / demand_before``, from the
  backlog model's ``shelter_entitled``); reception by COA (or Ukraine places kept open);
- ``left_country``: left the Netherlands (the forecast's departure rate after the TPD,
  applied to the cohort members not in asylum reception; cumulative);
- ``housing_task``: everyone else (transition-document and other permit holders): people
  who must move out of Ukraine shelter to regular or other housing, the housing task
  municipalities face.

``asylum_reception + left_country + housing_task == cohort`` on every path and month (the
conservation law tested in ``tests/unit/test_shelter_destinations.py``). ``housing_task_new``
is the monthly increase of the housing task (people who must move that month). Persons.

The housing task is not housed at once (the plan of 28 Nov 2025, issue 25): each month a
share of those still waiting moves to a home (``home_exit_rate_employed`` for people in a
household with work, ``home_exit_rate_other`` for the rest, the work share
``employed_share``), and all moves together are capped by ``housing_supply_per_month``
(pro rata). So ``housing_task == moved_home + waiting``; :func:`place_waiting` then puts the
waiting in Ukraine shelter (while it is open and has room), in the national fallback or
"without accommodation" (when it has closed), so that
``waiting == waiting_in_shelter + fallback + without_accommodation``. Nobody is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from capacity.quantiles import summarise_many

__all__ = ["Destinations", "HomeExits", "destinations", "place_waiting", "share_in_shelter_at"]


@dataclass(frozen=True)
class HomeExits:
    """How people in the housing task move to a home: hazards per path and the national cap.

    Attributes:
        employed_share: Share of those waiting in a household with work.
        rate_employed: Monthly hazard for them, shape (n_paths,).
        rate_other: Monthly hazard for the others, shape (n_paths,).
        cap: Homes available per month (persons per month, nationally).

    """

    employed_share: float
    rate_employed: np.ndarray
    rate_other: np.ndarray
    cap: float


@dataclass(frozen=True)
class Destinations:
    """Where the people in Ukraine shelter at the TPD end are, per month from the TPD end.

    Arrays (n_paths, k) over ``dates`` (the TPD-end month to the horizon); ``cohort`` (n_paths,).
    """

    dates: pd.DatetimeIndex
    cohort: np.ndarray
    asylum_reception: np.ndarray
    left_country: np.ndarray
    housing_task: np.ndarray
    moved_home: np.ndarray | None = None
    moved_home_new: np.ndarray | None = None
    waiting: np.ndarray | None = None
    waiting_in_shelter: np.ndarray | None = None
    fallback: np.ndarray | None = None
    without_accommodation: np.ndarray | None = None
    asylum_in_shelter: np.ndarray | None = None
    close_date: pd.Timestamp | None = None

    def exits(self) -> dict[str, np.ndarray]:
        """Monthly moves of the cohort, persons per month, arrays (n_paths, k).

        ``to_home``: moves to a home (from Ukraine shelter or the fallback);
        ``to_asylum_reception``: asylum users leaving Ukraine shelter for COA reception (all
        of them in the closure month); ``abroad``: left the Netherlands; ``to_fallback`` and
        ``to_no_accommodation``: people waiting for a home who lose their Ukraine place
        (at the closure) and go to the national fallback or are without accommodation.
        """

        def new(stock: np.ndarray | None) -> np.ndarray:
            if stock is None:
                return np.zeros_like(self.housing_task)
            prev = np.concatenate([np.zeros((stock.shape[0], 1)), stock[:, :-1]], axis=1)
            return np.maximum(stock - prev, 0.0)

        coa = None if self.asylum_in_shelter is None else self.asylum_reception - self.asylum_in_shelter
        return {
            "to_home": self.moved_home_new if self.moved_home_new is not None else np.zeros_like(self.housing_task),
            "to_asylum_reception": new(coa),
            "abroad": new(self.left_country),
            "to_fallback": new(self.fallback),
            "to_no_accommodation": new(self.without_accommodation),
        }

    @property
    def housing_task_new(self) -> np.ndarray:
        """People who must move out of Ukraine shelter in each month (persons per month)."""
        previous = np.concatenate([np.zeros((self.cohort.shape[0], 1)), self.housing_task[:, :-1]], axis=1)
        return np.maximum(self.housing_task - previous, 0.0)

    def conservation_error(self) -> float:
        """Largest breach of ``asylum + left + housing == cohort`` over paths and months (persons)."""
        total = self.asylum_reception + self.left_country + self.housing_task
        return float(np.max(np.abs(total - self.cohort[:, None]))) if total.size else 0.0

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table (``tables/housing_task.csv``).

        Variables: cohort_in_shelter, asylum_reception, left_country, housing_task (stock),
        housing_task_new (per month); with the move to a home: moved_home (stock),
        moved_home_new (per month), waiting_for_home, waiting_in_shelter, fallback,
        without_accommodation (stocks).
        """
        arrays = {
            "cohort_in_shelter": np.broadcast_to(self.cohort[:, None], self.housing_task.shape),
            "asylum_reception": self.asylum_reception,
            "left_country": self.left_country,
            "housing_task": self.housing_task,
            "housing_task_new": self.housing_task_new,
        }
        extra = {
            "moved_home": self.moved_home,
            "moved_home_new": self.moved_home_new,
            "waiting_for_home": self.waiting,
            "waiting_in_shelter": self.waiting_in_shelter,
            "fallback": self.fallback,
            "without_accommodation": self.without_accommodation,
        }
        arrays.update({k: v for k, v in extra.items() if v is not None})
        return summarise_many(arrays, self.dates)


def share_in_shelter_at(
    in_shelter: np.ndarray, registered: np.ndarray, dates: pd.DatetimeIndex, month: pd.Timestamp
) -> np.ndarray:
    """Share of the registered in municipal shelter at the end of the month before ``month``.

    The share of the cohort at the TPD end (``month``: the TPD-end month) that lives in
    shelter; the forecast's first month when ``month`` is at or before it, the last when
    after the horizon. Shape (n_paths,), in [0, 1].
    """
    k = int(np.searchsorted(pd.DatetimeIndex(dates).values, pd.Timestamp(month).to_datetime64())) - 1
    k = min(max(k, 0), in_shelter.shape[1] - 1)
    reg = registered[:, k]
    return np.clip(np.divide(in_shelter[:, k], reg, out=np.zeros_like(reg, dtype=float), where=reg > 0), 0.0, 1.0)


def _move_home(housing: np.ndarray, rate: np.ndarray, homes: HomeExits) -> tuple[np.ndarray, np.ndarray]:
    """Return (moved_home stock, moves per month) for the housing task ``housing`` (n, k).

    People in the housing task who have not yet moved wait in two pools (household with work or
    not); each month departures leave both pools and the moved at ``rate``, newcomers to the
    task join in the work share, and each pool moves at its hazard, all moves scaled down
    together to at most ``homes.cap`` a month.
    """
    n, k = housing.shape
    moved, new = np.zeros((n, k)), np.zeros((n, k))
    m = np.zeros(n)
    w_e, w_o = np.zeros(n), np.zeros(n)
    for j in range(k):
        stay = 1.0 - rate[:, j]
        m, w_e, w_o = m * stay, w_e * stay, w_o * stay
        target = np.maximum(housing[:, j] - m, 0.0)  # waiting before this month's moves
        inflow = target - (w_e + w_o)
        grow = inflow >= 0
        w_e = np.where(
            grow,
            w_e + homes.employed_share * inflow,
            np.divide(w_e * target, w_e + w_o, out=np.zeros(n), where=(w_e + w_o) > 0),
        )
        w_o = target - w_e
        want = homes.rate_employed * w_e + homes.rate_other * w_o
        scale = np.minimum(1.0, np.divide(homes.cap, want, out=np.ones(n), where=want > 0))
        w_e, w_o = w_e - scale * homes.rate_employed * w_e, w_o - scale * homes.rate_other * w_o
        new[:, j] = scale * want
        m = m + new[:, j]
        moved[:, j] = m
    return moved, new


def place_waiting(
    dest: Destinations, *, room: np.ndarray, fallback_share: float, close_date: pd.Timestamp | None
) -> Destinations:
    """Return ``dest`` with the waiting put in Ukraine shelter, the fallback or nowhere.

    Args:
        dest: Destinations with ``waiting`` set.
        room: Ukraine places open to the waiting each month, shape (n_paths, k) (0 once closed).
        fallback_share: Share of the waiting without a Ukraine place who go to the fallback.
        close_date: Month Ukraine shelter closes (shown in reports), or None.

    """
    if dest.waiting is None:
        return dest
    inside = np.minimum(dest.waiting, np.maximum(room, 0.0))
    out = dest.waiting - inside
    asylum_in = np.minimum(dest.asylum_reception, np.maximum(room - inside, 0.0))
    return replace(
        dest,
        waiting_in_shelter=inside,
        fallback=fallback_share * out,
        without_accommodation=(1.0 - fallback_share) * out,
        asylum_in_shelter=asylum_in,
        close_date=close_date,
    )


def destinations(
    *,
    dates: pd.DatetimeIndex,
    switch_index: int,
    in_shelter: np.ndarray,
    demand: np.ndarray,
    departure_rate: np.ndarray,
    entitled: np.ndarray | None = None,
    homes: HomeExits | None = None,
) -> Destinations | None:
    """Split the cohort in shelter at the TPD end over asylum reception, departure and housing.

    Args:
        dates: Forecast months.
        switch_index: Index of the TPD-end month (the first month demand follows the entitled
            path); ``len(dates)``: the TPD ends after the horizon (returns None).
        in_shelter: Occupied places, shape (n_paths, h); the cohort is the month before the switch.
        demand: Shelter demand, shape (n_paths, h) (after the switch: entitled people using a place).
        departure_rate: Share of people leaving the Netherlands per month, shape (n_paths, h).
        entitled: People entitled to reception after the switch, shape (n_paths, h), when
            some of them are received by COA beyond the Ukraine places (default ``demand``).
        homes: How the housing task moves to a home (None: not modelled; no ``moved_home``).

    Returns:
        :class:`Destinations` over the months from the switch, or None.

    """
    n, h = demand.shape
    if switch_index >= h or switch_index < 1:
        return None
    cohort = in_shelter[:, switch_index - 1].astype(float)
    before = demand[:, switch_index - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        after = (demand if entitled is None else entitled)[:, switch_index:]
        kept = np.where(before[:, None] > 0, after / before[:, None], 0.0)
    asylum = cohort[:, None] * np.clip(kept, 0.0, 1.0)
    k = h - switch_index
    left = np.zeros((n, k))
    gone = np.zeros(n)
    rate = np.clip(departure_rate[:, switch_index:], 0.0, 1.0)
    for j in range(k):
        free = np.maximum(cohort - asylum[:, j] - gone, 0.0)
        gone = np.minimum(gone + rate[:, j] * free, cohort - asylum[:, j])
        left[:, j] = gone
    housing = np.maximum(cohort[:, None] - asylum - left, 0.0)
    out = Destinations(
        dates=pd.DatetimeIndex(dates[switch_index:]),
        cohort=cohort,
        asylum_reception=asylum,
        left_country=left,
        housing_task=housing,
    )
    if homes is None:
        return out
    moved, new = _move_home(housing, rate, homes)
    return replace(out, moved_home=moved, moved_home_new=new, waiting=housing - moved)
