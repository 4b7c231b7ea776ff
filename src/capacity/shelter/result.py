"""The result of the shelter stock-flow model: sample paths, occupancy and its quantile table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capacity.params.shelter import ShelterConfig
from capacity.quantiles import summarise_many
from capacity.shelter.destinations import Destinations, HomeExits

__all__ = ["ENTITLED_EXTERNAL", "ENTITLED_FROM_PARAMETERS", "ShelterResult"]

#: Source of the post-TPD path of people entitled to shelter: the backlog model's path ...
ENTITLED_EXTERNAL = "backlog model"
#: ... or, when no backlog path is given, the shelter parameters' share and exit rate.
ENTITLED_FROM_PARAMETERS = "shelter parameters (post_tpd_entitled_share, post_tpd_exit_rate)"


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
        entitled_source: Where that path came from (:data:`ENTITLED_EXTERNAL` or
            :data:`ENTITLED_FROM_PARAMETERS`; empty if the TPD runs past the horizon).
        rates: Per-path sampled rates (entry_share, departure_rate_ratio, move_out_rate, ...).
        after_tpd: Where the people in shelter at the TPD end go, month by month (asylum
            reception, left the country, housing task); None if the TPD ends after the horizon.
        today: The run's "today" (month start, ``PopulationPaths.today``): dates such as a
            request deadline are judged against it, not against the last count; None: unknown
            (then the last count, :attr:`reference_month`).

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
    after_tpd: Destinations | None = None
    today: pd.Timestamp | None = None

    @property
    def reference_month(self) -> pd.Timestamp:
        """The month dates are judged against: the run's today, or the last count if unknown."""
        month = self.today if self.today is not None else self.jump_off_date
        return pd.Timestamp(month).to_period("M").to_timestamp()

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.demand.shape[0])

    @property
    def occupancy_rate(self) -> np.ndarray:
        """Occupied share of places (0..1); undefined (NaN) in a month without places.

        A month with no places is not "100 % occupied": everyone needing a place goes
        without one, which :attr:`pressure` and ``unmet_demand`` show.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.places > 0, self.in_shelter / np.maximum(self.places, 1e-12), np.nan)
        return np.clip(rate, 0.0, 1.0)

    @property
    def pressure(self) -> np.ndarray:
        """Demand per place (can exceed 1: the occupancy there would be without a cap).

        ``inf`` in a month without places but with demand (so it passes every threshold);
        NaN without places and without demand (after a closure: nothing to compare).
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                self.places > 0, self.demand / np.maximum(self.places, 1e-12), np.where(self.demand > 0, np.inf, np.nan)
            )

    @property
    def jump_off_pressure(self) -> float:
        """Demand per place at the jump-off (the last count: in shelter + unmet over places)."""
        if self.jump_off_places <= 0:
            return float("inf") if self.jump_off_demand > 0 else 0.0
        return float(self.jump_off_demand / self.jump_off_places)

    def places_needed(self, target: float | None = None) -> np.ndarray:
        """Places that keep occupancy at or under ``target`` on each path (places).

        Args:
            target: Occupancy target (share); default ``cfg.target_occupancy``.

        """
        target = self.cfg.target_occupancy if target is None else target
        return np.ceil(self.demand / target - 1e-9)

    def identity_error(self) -> float:
        """Return the largest breach of the demand stock-flow identity over all paths (persons)."""
        previous = np.concatenate([np.full((self.n_paths, 1), self.jump_off_demand), self.demand[:, :-1]], axis=1)
        flows = self.entries - self.move_outs - self.departures - self.unmet_exits + self.entitlement_change
        return float(np.max(np.abs(previous + flows - self.demand)))

    def home_exits(self) -> HomeExits:
        """Return the exit to a home this run used: hazards per path, the work share and the housing cap.

        The one source of the shelter-to-home rate: the population ledger takes it too
        (:func:`capacity.backlog.build_ledger`'s ``homes``).
        """
        return HomeExits(
            employed_share=self.cfg.employed_share,
            rate_employed=self.rates["home_exit_rate_employed"],
            rate_other=self.rates["home_exit_rate_other"],
            cap=self.cfg.housing_supply_per_month,
        )

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table.

        Variables: demand, in_shelter, places, occupancy_rate (share; empty in a month
        without places), pressure (demand per place; empty without places), unmet_demand,
        places_needed (at ``cfg.target_occupancy``; read the quantile column of the wanted
        probability, e.g. ``q0.90``).
        """
        return summarise_many(
            {
                "demand": self.demand,
                "in_shelter": self.in_shelter,
                "places": self.places,
                "occupancy_rate": self.occupancy_rate,
                "pressure": np.where(np.isfinite(self.pressure), self.pressure, np.nan),
                "unmet_demand": self.unmet_demand,
                "places_needed": self.places_needed(),
            },
            self.dates,
        )
