"""Sample paths of the registered population: the hand-over from forecast to shelter and backlog."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity.quantiles import summarise_many


@dataclass(frozen=True)
class PopulationPaths:
    """Monthly sample paths of arrivals, departures and the registered population.

    The stock identity ``registered[:, t] = registered[:, t-1] + arrivals[:, t] -
    departures[:, t]`` holds on every path, with ``registered[:, -1]`` taken as
    ``jump_off_registered`` before the first month.

    Attributes:
        dates: Forecast months (month starts), length ``h``.
        arrivals: Persons registering per month, shape (n_paths, h).
        departures: Persons leaving per month, shape (n_paths, h).
        registered: Persons registered at month end, shape (n_paths, h).
        jump_off_date: Month of the last observed registered count.
        jump_off_registered: That count (persons).

    """

    dates: pd.DatetimeIndex
    arrivals: np.ndarray
    departures: np.ndarray
    registered: np.ndarray
    jump_off_date: pd.Timestamp
    jump_off_registered: float

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.registered.shape[0])

    def identity_error(self) -> float:
        """Return the largest absolute breach of the stock identity over all paths (persons)."""
        previous = np.concatenate(
            [np.full((self.n_paths, 1), self.jump_off_registered), self.registered[:, :-1]], axis=1
        )
        return float(np.max(np.abs(previous + self.arrivals - self.departures - self.registered)))

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table of arrivals, departures and registered."""
        return summarise_many(
            {"arrivals": self.arrivals, "departures": self.departures, "registered": self.registered},
            self.dates,
        )
