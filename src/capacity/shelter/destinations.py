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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity.quantiles import summarise_many

__all__ = ["Destinations", "destinations", "share_in_shelter_at"]


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
        housing_task_new (per month).
        """
        return summarise_many({
            "cohort_in_shelter": np.broadcast_to(self.cohort[:, None], self.housing_task.shape),
            "asylum_reception": self.asylum_reception,
            "left_country": self.left_country,
            "housing_task": self.housing_task,
            "housing_task_new": self.housing_task_new,
        }, self.dates)


def share_in_shelter_at(in_shelter: np.ndarray, registered: np.ndarray, dates: pd.DatetimeIndex,
                        month: pd.Timestamp) -> np.ndarray:
    """Share of the registered in municipal shelter at the end of the month before ``month``.

    The share of the cohort at the TPD end (``month``: the TPD-end month) that lives in
    shelter; the forecast's first month when ``month`` is at or before it, the last when
    after the horizon. Shape (n_paths,), in [0, 1].
    """
    k = int(np.searchsorted(pd.DatetimeIndex(dates).values, pd.Timestamp(month).to_datetime64())) - 1
    k = min(max(k, 0), in_shelter.shape[1] - 1)
    reg = registered[:, k]
    return np.clip(np.divide(in_shelter[:, k], reg, out=np.zeros_like(reg, dtype=float), where=reg > 0), 0.0, 1.0)


def destinations(*, dates: pd.DatetimeIndex, switch_index: int, in_shelter: np.ndarray,
                 demand: np.ndarray, departure_rate: np.ndarray,
                 entitled: np.ndarray | None = None) -> Destinations | None:
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
    housing = cohort[:, None] - asylum - left
    return Destinations(dates=pd.DatetimeIndex(dates[switch_index:]), cohort=cohort,
                        asylum_reception=asylum, left_country=left, housing_task=np.maximum(housing, 0.0))
