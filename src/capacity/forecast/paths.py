"""The population sample paths the forecast hands over, and the stock identity that produces them.

- :class:`PopulationPaths`: monthly sample paths of arrivals, departures and the
  registered population (what the shelter and backlog models take from the forecast);
- :func:`simulate_stock` / :func:`simulate_population`: the stock identity
  ``registered[t] = registered[t-1] + arrivals[t] - departures[t] (+ residual[t])`` run
  forward on every path.
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
    what the published counts move by beyond grants minus departures: registration lags,
    unrecorded departures, clean-ups and the jump-off count's own error
    (:func:`simulate_stock`); ``None`` or zeros without a stock calibration.

    Attributes:
        dates: Forecast months (month starts), length ``h``.
        arrivals: Persons registering per month, shape (n_paths, h).
        departures: Persons leaving per month, shape (n_paths, h).
        registered: Persons registered at month end, shape (n_paths, h).
        jump_off_date: Month of the last observed registered count.
        jump_off_registered: That count (persons).
        residual: The identity's residual term per month, shape (n_paths, h), or ``None``.

    """

    dates: pd.DatetimeIndex
    arrivals: np.ndarray
    departures: np.ndarray
    registered: np.ndarray
    jump_off_date: pd.Timestamp
    jump_off_registered: float
    residual: np.ndarray | None = None

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


def simulate_population(arrivals: np.ndarray, rate: np.ndarray,
                        start: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
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


def simulate_stock(arrivals: np.ndarray, rate: np.ndarray, start: np.ndarray | float, *,
                   stock_var: np.ndarray | None = None, rng: np.random.Generator | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the stock identity forward with an explicit residual term.

    ``registered[t] = registered[t-1] + arrivals[t] - departures[t] + residual[t]``, with
    ``departures[t] = rate[t] x registered[t-1]``. The residual stands for what the
    published counts show and grants minus departures do not: registration lags,
    unrecorded departures, register clean-ups, and the error of the jump-off count itself.
    It is a multiplicative random walk on the stock whose variance tops the paths' own
    spread of ``log(registered)`` up to ``stock_var`` (the stock backtest's error
    variance by months ahead, :func:`capacity.forecast.stock.stock_calibration`): where
    arrivals and departure paths already spread as far as the backtest says, it adds
    nothing. Its median is zero (no drift is assumed).

    Args:
        arrivals: Persons arriving per month, shape (n_paths, h).
        rate: Departure rate per month, shape (n_paths, h).
        start: Registered count before the first month (persons).
        stock_var: Target variance of ``log(registered)`` at months 1..h (``None``: no residual).
        rng: Random generator for the residual (needed with ``stock_var``).

    Returns:
        ``(departures, registered, residual)``, each (n_paths, h), persons.

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
    residual = np.zeros((n, h))
    if stock_var is None:
        return departures, registered, residual
    # The stock shifts by a random walk R (log scale) off the path grants minus departures
    # give; departures act on the shifted stock and the residual is what closes the identity.
    own = np.var(np.log(np.maximum(registered, 1.0)), axis=0)
    extra = np.maximum.accumulate(np.maximum(np.asarray(stock_var, dtype=float)[:h] - own, 0.0))
    walk = np.cumsum(rng.standard_normal((n, h)) * np.sqrt(np.diff(extra, prepend=0.0))[None, :], axis=1)
    registered = registered * np.exp(walk)
    previous = np.concatenate([np.broadcast_to(np.asarray(start, dtype=float), (n,))[:, None],
                               registered[:, :-1]], axis=1)
    departures = rate * previous
    residual = registered - previous - arrivals + departures
    return departures, registered, residual
