"""The population sample paths the forecast hands over, and the stock identity that produces them.

- :class:`PopulationPaths`: monthly sample paths of arrivals, departures and the
  registered population (what the shelter and backlog models take from the forecast);
- :func:`simulate_stock` / :func:`simulate_population`: the stock identity
  ``registered[t] = registered[t-1] + arrivals[t] - departures[t]`` run forward on every
  path (the flows-only model; the state-space paths are in
  :func:`capacity.forecast.population.stock_paths`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity.quantiles import summarise_many


@dataclass(frozen=True)
class PopulationPaths:
    """Monthly sample paths of arrivals, departures and the registered population.

    The stock identity ``registered[:, t] = registered[:, t-1] + arrivals[:, t] -
    departures[:, t] + residual[:, t]`` holds on every path, with ``registered[:, -1]``
    taken as ``jump_off_registered`` before the first month. The residual (persons) is
    what the registered count moves by beyond grants minus departures: the nowcast's drift
    and noise (registration lags, unrecorded departures) and the jump-off level's own
    uncertainty (:func:`capacity.forecast.population.stock_paths`); zeros for the flows-only
    model.

    Attributes:
        dates: Forecast months (month starts), length ``h``.
        arrivals: Persons registering per month, shape (n_paths, h).
        departures: Persons leaving per month, shape (n_paths, h).
        registered: Persons registered at month end, shape (n_paths, h).
        jump_off_date: Month of the last observed registered count.
        jump_off_registered: That count (persons).
        residual: The identity's residual term per month, shape (n_paths, h), or ``None``.
        today: The run's "today" (month start): months up to it are a nowcast, later
            ones a forecast; ``None``: not known.

    """

    dates: pd.DatetimeIndex
    arrivals: np.ndarray
    departures: np.ndarray
    registered: np.ndarray
    jump_off_date: pd.Timestamp
    jump_off_registered: float
    residual: np.ndarray | None = None
    today: pd.Timestamp | None = None

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.registered.shape[0])

    @property
    def departure_rates(self) -> np.ndarray:
        """Per-path departure rate per month (share of the previous month's registered), shape (n_paths, h).

        The one departure process of a run: ``departures[:, t] = departure_rates[:, t] x
        registered[:, t-1]``. A model that follows a part of the registered population
        (people in shelter, the post-TPD cohort) should let that part leave at the same
        path's rate in the same month, so that the modules agree on who leaves.
        """
        previous = np.concatenate(
            [np.full((self.n_paths, 1), self.jump_off_registered), self.registered[:, :-1]], axis=1
        )
        return np.divide(self.departures, previous, out=np.zeros_like(self.departures), where=previous > 0)

    def at(self, month: pd.Timestamp) -> np.ndarray:
        """Return the registered paths at ``month`` (persons, (n_paths,)); the jump-off count before them."""
        month = pd.Timestamp(month).to_period("M").to_timestamp()
        if month <= self.jump_off_date or month < self.dates[0]:
            return np.full(self.n_paths, self.jump_off_registered)
        j = min(int(self.dates.searchsorted(month)), len(self.dates) - 1)
        return self.registered[:, j]

    def identity_error(self) -> float:
        """Return the largest absolute breach of the stock identity over all paths (persons)."""
        previous = np.concatenate(
            [np.full((self.n_paths, 1), self.jump_off_registered), self.registered[:, :-1]], axis=1
        )
        residual = 0.0 if self.residual is None else self.residual
        return float(np.max(np.abs(previous + self.arrivals - self.departures + residual - self.registered)))

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table of arrivals, departures and registered."""
        return summarise_many(
            {"arrivals": self.arrivals, "departures": self.departures, "registered": self.registered},
            self.dates,
        )


def simulate_population(
    arrivals: np.ndarray, rate: np.ndarray, start: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Run the stock identity forward on every path (no residual term).

    Args:
        arrivals: Persons arriving per month, shape (n_paths, h).
        rate: Departure rate per month (share of last month's registered), shape (n_paths, h).
        start: Registered count before the first month (persons), scalar or (n_paths,).

    Returns:
        ``(departures, registered)``, each (n_paths, h):
        ``departures[:, t] = rate[:, t] * registered[:, t-1]`` and
        ``registered[:, t] = registered[:, t-1] + arrivals[:, t] - departures[:, t]``.

    """
    departures, registered, _ = simulate_stock(arrivals, rate, start)
    return departures, registered


def simulate_stock(
    arrivals: np.ndarray, rate: np.ndarray, start: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the stock identity forward: grants minus departures, nothing else (the flows-only model).

    ``registered[t] = registered[t-1] + arrivals[t] - departures[t]``, with
    ``departures[t] = rate[t] x registered[t-1]``.

    Args:
        arrivals: Persons arriving per month, shape (n_paths, h).
        rate: Departure rate per month, shape (n_paths, h).
        start: Registered count before the first month (persons).

    Returns:
        ``(departures, registered, residual)``, each (n_paths, h), persons; the residual is
        zero.

    """
    n, h = arrivals.shape
    rate = np.clip(rate, 0.0, 1.0)
    prev = np.broadcast_to(np.asarray(start, dtype=float), (n,)).copy()
    departures = np.empty((n, h))
    registered = np.empty((n, h))
    for t in range(h):
        departures[:, t] = rate[:, t] * prev
        prev = prev + arrivals[:, t] - departures[:, t]
        registered[:, t] = prev
    return departures, registered, np.zeros((n, h))
