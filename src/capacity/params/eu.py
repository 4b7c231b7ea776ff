"""Schema section ``eu``: the EU around the Netherlands (secondary movement after the TPD end).

Every parameter here is an assumption: no published estimate of moves between member states
after temporary protection ends exists in the data, and the attractiveness of most national
statuses is unknown (``datasets/post_tp_statuses.csv``). The defaults carry wide ranges so
that the uncertainty shows; a scenario narrows them only with a source.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import field_validator

from capacity.i18n import N_
from capacity.params.base import Distribution, Frozen, MonthsDist, ShareDist, param, within
from capacity.params.types import ranged

#: Exponent of the gravity term (0: stock size does not matter; 2: strongly).
if TYPE_CHECKING:  # for the type checker a bounded distribution is a Distribution
    GravityDist = Distribution
else:
    GravityDist = within(0, 3, what="a gravity exponent")


class SecondaryMovementConfig(Frozen):
    """Moves between member states when temporary protection ends everywhere at once.

    A simple share-and-gravity model (:func:`capacity.forecast.secondary.secondary_movement`):
    of the people under TP in member state ``i`` (stock ``S_i``), a share
    ``share_moving x (1 - a_i)`` moves within ``months`` after the TPD end, where ``a_i`` in
    0..1 is the attractiveness of ``i``'s post-TP status (1: nobody leaves for status reasons).
    A mover from ``i`` goes to ``j != i`` with probability proportional to
    ``S_j ** gravity x a_j`` (networks of compatriots, and a status worth moving for).
    """

    baseline_key = "eu.secondary_movement"

    enabled: bool = param(
        unit="-", doc=N_("compute the layer (it feeds no forecast yet: the pipeline decides where it enters)")
    )
    share_moving: ShareDist = param(
        unit="share",
        doc=N_(
            "assumption: share of TP holders in a member state with the least attractive status "
            "(a = 0) who move to another member state after the TPD end"
        ),
    )
    months: MonthsDist = param(
        unit="months", doc=N_("assumption: months after the TPD end over which the moves spread evenly")
    )
    gravity: GravityDist = param(
        unit="-", doc=N_("assumption: exponent on the destination's TP stock (1: in proportion to its size)")
    )
    status_attractiveness: dict[str, ShareDist] = param(
        unit="index 0-1",
        doc=N_(
            "assumption per member state: attractiveness of its post-TP status (1: best); a "
            "state not listed draws unknown_attractiveness"
        ),
    )
    unknown_attractiveness: ShareDist = param(
        unit="index 0-1", doc=N_("attractiveness of a status that is not known (any value equally likely)")
    )
    scale_to_eu_total: bool = param(
        unit="-",
        doc=N_(
            "scale the latest per-country stocks to the latest EU-27 total "
            "(eurostat_tp_eu_totals.csv), keeping their shares"
        ),
    )
    n_months: ranged(int, 1, 120) = param(unit="months", doc=N_("months after the TPD end the layer covers"))

    @field_validator("status_attractiveness", mode="before")
    @classmethod
    def _country_codes(cls, value: object) -> object:
        if isinstance(value, dict):
            bad = [k for k in value if not (isinstance(k, str) and re.fullmatch(r"[A-Z]{2}", k))]
            if bad:
                raise ValueError(f"keys must be Eurostat country codes such as NL, DE, EL; got {bad}")
        return value

    @field_validator("months")
    @classmethod
    def _positive_months(cls, value: Distribution) -> Distribution:
        if value.kind == "fixed" and (value.value or 0) < 1:
            raise ValueError("months must be at least 1 (moves spread over at least one month)")
        return value


class EuConfig(Frozen):
    """The EU around the Netherlands."""

    baseline_key = "eu"

    secondary_movement: SecondaryMovementConfig = param(
        unit="-", doc=N_("moves between member states when TP ends everywhere (all parameters assumptions)")
    )
