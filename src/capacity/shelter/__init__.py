"""Municipal shelter for people from Ukraine: the stock-flow model, planning on it, and its allocation.

- :mod:`~capacity.shelter.stockflow`: demand against places on every population path
  (:func:`simulate_shelter`);
- :mod:`~capacity.shelter.history`: its jump-off state, rates and places response from the history;
- :mod:`~capacity.shelter.result`: :class:`ShelterResult`, the paths and their quantile table;
- :mod:`~capacity.shelter.planning`: threshold crossings, places needed, cost curve and
  optimum, the headline figures;
- :mod:`~capacity.shelter.allocation`: the national figures shared out over the
  municipalities (largest remainder, so every column sums to the national figure).
"""

from capacity.shelter.allocation import (
    EXIT_COLUMNS,
    RELIABILITY,
    allocate,
    allocation_key,
    largest_remainder,
    municipal_exits,
    municipality_housing_table,
    municipality_row,
    municipality_table,
    national_figures,
    resolve_municipality,
)
from capacity.shelter.destinations import Destinations, destinations, share_in_shelter_at
from capacity.shelter.history import estimate_places_response, estimate_rates, fit_places_rule, jump_off_state
from capacity.shelter.planning import (
    already_above,
    cost_curve,
    cost_optimum,
    crossing_distribution,
    first_crossing,
    headline,
    peak_short_before_tpd,
    planning_table,
)
from capacity.shelter.replay import replay, replay_out_of_sample
from capacity.shelter.result import ENTITLED_EXTERNAL, ENTITLED_FROM_PARAMETERS, ShelterResult
from capacity.shelter.stockflow import (
    PlacesResponse,
    closure_month,
    entitled_from_parameters,
    places_path,
    simulate_shelter,
)

__all__ = [
    "ENTITLED_EXTERNAL",
    "ENTITLED_FROM_PARAMETERS",
    "EXIT_COLUMNS",
    "RELIABILITY",
    "Destinations",
    "PlacesResponse",
    "ShelterResult",
    "allocate",
    "allocation_key",
    "already_above",
    "cost_curve",
    "cost_optimum",
    "crossing_distribution",
    "closure_month",
    "destinations",
    "entitled_from_parameters",
    "estimate_places_response",
    "estimate_rates",
    "fit_places_rule",
    "first_crossing",
    "headline",
    "jump_off_state",
    "largest_remainder",
    "municipal_exits",
    "municipality_housing_table",
    "replay",
    "replay_out_of_sample",
    "municipality_row",
    "municipality_table",
    "national_figures",
    "peak_short_before_tpd",
    "places_path",
    "planning_table",
    "resolve_municipality",
    "share_in_shelter_at",
    "simulate_shelter",
]
