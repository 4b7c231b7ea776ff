"""Schema section `warnings`: early-warning triggers evaluated on every run.

Each trigger watches one indicator against a threshold and, when it fires, raises the
run's status to its ``level`` (``amber`` or ``red``); a trigger that is not ``enabled`` is
skipped. :mod:`capacity.vintages.warnings` evaluates them against the observations and the
tables a run wrote.
"""

from __future__ import annotations

from typing import Literal

from capacity.i18n import N_
from capacity.params.base import Frozen, param
from capacity.params.types import ranged

Level = Literal["amber", "red"]
#: Largest penalty budget (EUR over the horizon): forty times the baseline's, a guard against
#: typos such as three zeros too many (the per-day amounts' ``Money`` stops at 1 million).
MAX_BUDGET_EUR = 10_000_000_000
#: A budget in euro: a finite number from 0 to MAX_BUDGET_EUR.
BudgetEur = ranged(float, 0, MAX_BUDGET_EUR)


class RegistrationsAboveBand(Frozen):
    """Observations above the previous run's forecast band in consecutive months."""

    baseline_key = "warnings.registrations_above_band"

    enabled: bool = param(unit="-", doc=N_("evaluate this trigger"))
    level: Level = param(unit="-", doc=N_("status when the trigger fires"))
    variable: Literal["registered", "arrivals", "departures"] = param(
        unit="-",
        doc=N_("observed series compared with the earlier forecast"),
    )
    band: Literal[50, 80, 95] = param(unit="%", doc=N_("forecast band the observations must stay inside"))
    consecutive: int = param(
        unit="months", ge=1, le=12, doc=N_("consecutive latest months above the band that fire the trigger")
    )


class ShelterPressure(Frozen):
    """Demand per place reaching a threshold sooner than new places can open."""

    baseline_key = "warnings.shelter_pressure"

    enabled: bool = param(unit="-", doc=N_("evaluate this trigger"))
    level: Level = param(unit="-", doc=N_("status when the trigger fires"))
    threshold: float = param(
        unit="share", gt=0, le=2, doc=N_("demand per place (median) at or above which places run short")
    )
    lead_time_months: int | None = param(
        unit="months",
        ge=0,
        le=36,
        doc=N_("months new places need to open (empty: shelter.lead_time_months)"),
    )


class BacklogCapacity(Frozen):
    """IND or DT&V capacity needed above the planned capacity by a margin."""

    baseline_key = "warnings.backlog_capacity"

    enabled: bool = param(unit="-", doc=N_("evaluate this trigger"))
    level: Level = param(unit="-", doc=N_("status when the trigger fires"))
    margin: float = param(
        unit="share", ge=0, le=5, doc=N_("needed capacity above planned by more than this share fires the trigger")
    )


class PenaltyBudget(Frozen):
    """Penalties for late asylum decisions above a budget."""

    baseline_key = "warnings.penalty_budget"

    enabled: bool = param(unit="-", doc=N_("evaluate this trigger"))
    level: Level = param(unit="-", doc=N_("status when the median exposure exceeds the budget"))
    budget_eur: BudgetEur = param(unit="EUR", ge=0, doc=N_("penalty budget over three years (cohort and regular)"))
    key: str = param(
        unit="-",
        doc=N_(
            "headline figure compared with the budget (its median; its 90th percentile above the budget gives amber)"
        ),
    )


class DataAge(Frozen):
    """The data's last registered count too long before the run: status "stale data"."""

    baseline_key = "warnings.data_age"

    enabled: bool = param(unit="-", doc=N_("evaluate this trigger"))
    max_months: int = param(
        unit="months",
        ge=1,
        le=36,
        doc=N_(
            "months from the last observed registered count to the run after "
            "which the data are stale (the count-based triggers are then not evaluated)"
        ),
    )


class WarningsConfig(Frozen):
    """Early-warning triggers evaluated on every run (status green, amber or red with text)."""

    baseline_key = "warnings"

    registrations_above_band: RegistrationsAboveBand = param(
        unit="-", doc=N_("observations above the earlier forecast's band")
    )
    shelter_pressure: ShelterPressure = param(unit="-", doc=N_("shelter pressure with too little lead time left"))
    backlog_capacity: BacklogCapacity = param(unit="-", doc=N_("needed IND/DT&V capacity above planned"))
    penalty_budget: PenaltyBudget = param(unit="-", doc=N_("penalty exposure above a budget"))
    data_age: DataAge = param(unit="-", doc=N_("data too old to warn on: status stale data"))
