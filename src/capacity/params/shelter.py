"""Schema section `shelter`: Municipal shelter stock-flow, places and capacity-planning settings."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ValidationInfo, field_validator, model_validator

from capacity.i18n import N_
from capacity.params.backlog import TPD_END
from capacity.params.base import Frozen, RateDist, ShareDist, param, within
from capacity.params.types import (
    MAX_PERSONS,
    Count,
    Date,
    Money,
    Month,
    Rate,
    Setting,
    Share,
    ShortText,
    WholeCount,
    WholeMonths,
    ranged,
)

#: Places opened (+) or closed (-) in one month: a whole number, at most MAX_PERSONS either way.
PlacesDelta = ranged(int, -MAX_PERSONS, MAX_PERSONS)
#: Departure rate of people needing shelter relative to the registered population's (0..10).
RatioDist = within(0, 10, what="a ratio")
#: Months between demand and the places opened in response (0..36).
LeadMonthsDist = within(0, 36, what="a lead time in months")

_CODE = re.compile(r"^GM\d{4}$")


class PlacesChange(Frozen):
    """A planned opening (positive) or closure (negative) of municipal shelter places."""

    month: Month = param(..., unit="date", doc=N_("month in which the change takes effect"))
    change: PlacesDelta = param(..., unit="places", doc=N_("places opened (+) or closed (-) that month"))
    note: ShortText = param("", unit="-", doc=N_("what the change is and where it is announced"))


class ShelterConfig(Frozen):
    """Municipal shelter stock-flow, places and capacity-planning settings."""

    baseline_key = "shelter"

    # --- stock-flow rates (sampled once per path) ---
    entry_share: ShareDist = param(
        unit="share",
        doc=N_("share of newly registered arrivals who need a municipal shelter place"),
    )
    departure_rate_ratio: RatioDist = param(
        unit="ratio",
        doc=N_(
            "departure rate from the Netherlands of people needing shelter, relative to the "
            "forecast's departure rate of the registered population (1 = the same rate)"
        ),
        source=(
            "assumption: no data on departures by housing; 1 keeps the earlier assumption that "
            "departures leave shelter in proportion to its share of the registered (78 %, "
            "monitor_report_facts.csv 2025-02-28)"
        ),
    )
    move_out_rate: RateDist = param(
        unit="share/month",
        doc=N_("share of people needing shelter who move to own housing each month"),
    )
    unmet_exit_rate: RateDist = param(
        unit="share/month",
        doc=N_(
            "share of people refused or waiting who find other accommodation each month "
            "(private hosts, own housing, elsewhere); sampled once per path"
        ),
    )
    initial_unmet_demand: Count = param(
        unit="persons",
        ge=0,
        doc=N_("people refused or waiting for a place at the jump-off month"),
    )
    # --- places ---
    places_changes: tuple[PlacesChange, ...] = param(
        unit="places",
        doc=N_("planned openings and closures of places by month"),
    )
    places_response_gain: ShareDist = param(
        unit="share/month",
        doc=N_(
            "share of the gap between the places wanted (demand / places_response_pressure) and the "
            "places that opens each month until the TPD ends; 0: places follow the plan only"
        ),
    )
    places_response_lead_months: LeadMonthsDist = param(
        unit="months",
        doc=N_("months between the demand municipalities see and the places they open (rounded per path)"),
    )
    places_response_pressure: Share = param(
        unit="share",
        gt=0,
        le=1.5,
        doc=N_("demand per place that openings in response to pressure aim at"),
    )
    places_response_max_per_month: Count | None = param(
        unit="places/month",
        ge=0,
        doc=N_("most places opened a month in response to pressure (the supply cap); None: no cap"),
        source=(
            "shelter.estimate_places_response on ukraine_shelter_nl.csv 2024-03..2025-06 with leads "
            "3-6 months: best cap 400 places/month (places grew ~100-700 a month at 98.9-99.8 % "
            "occupancy); the baseline opens no places in response (gain 0), so no cap is needed there"
        ),
    )
    # --- planning ---
    target_occupancy: Share = param(
        unit="share",
        gt=0,
        le=1,
        doc=N_("occupancy to plan for (places needed keep occupancy at or under it)"),
    )
    planning_probability: Share = param(
        unit="share",
        gt=0,
        lt=1,
        doc=N_("probability with which the places needed keep occupancy at or under the target"),
    )
    lead_time_months: WholeMonths = param(
        unit="months",
        ge=0,
        le=36,
        doc=N_("months between requesting new places and their opening"),
    )
    cost_occupied_bed_day_eur: Money = param(
        unit="EUR/bed-day",
        ge=0,
        doc=N_("cost of one occupied place for one day"),
    )
    cost_idle_bed_day_eur: Money = param(
        unit="EUR/bed-day",
        ge=0,
        doc=N_("cost of one empty place for one day"),
    )
    cost_short_bed_day_eur: Money = param(
        unit="EUR/person-day",
        ge=0,
        doc=N_("cost of one person without a place for one day (housed ad hoc elsewhere)"),
    )
    # --- end of temporary protection ---
    tpd_end: Date = param(
        TPD_END,
        unit="date",
        doc=N_(
            "end of temporary protection; in a scenario always backlog.tpd_end_date (not a key "
            "of its own); from that month only entitled people count"
        ),
    )
    entitled_shelter_share: ShareDist = param(
        unit="share",
        doc=N_("share of people entitled to shelter after the TPD (backlog path) who use a place"),
    )
    post_tpd_entitled_share: ShareDist = param(
        unit="share",
        doc=N_("without the backlog model only: share of people needing shelter who keep the right after the TPD ends"),
    )
    post_tpd_exit_rate: Rate = param(
        unit="share/month",
        ge=0,
        le=1,
        doc=N_("without the backlog model only: share of still-entitled people whose case ends each month"),
    )
    places_closed_at_tpd_end_share: Share = param(
        unit="share",
        ge=0,
        le=1,
        doc=N_(
            "share of Ukraine shelter places closed from the month Ukraine shelter closes "
            "(ukraine_shelter_close_date, by default the TPD end)"
        ),
    )
    # --- closure of Ukraine shelter and the move to a home (the plan of 28 Nov 2025) ---
    ukraine_shelter_close_date: Date | None = param(
        unit="date",
        doc=N_(
            "date Ukraine-specific municipal shelter closes (places_closed_at_tpd_end_share of the "
            "places close from its month); None: the TPD end; never before the TPD-end month"
        ),
    )
    employed_share: Share = param(
        unit="share",
        doc=N_(
            "share of the people still in Ukraine shelter after the TPD who live in a household with "
            "work (they find a home at home_exit_rate_employed, the others at home_exit_rate_other)"
        ),
        source="monitor_report_facts.csv 2024-11-01: 59 % of Ukrainians aged 15-65 employed",
    )
    home_exit_rate_employed: RateDist = param(
        unit="share/month",
        doc=N_(
            "monthly hazard of moving from Ukraine shelter (or the fallback) to a home after the TPD "
            "ends, for people in a household with work, before the housing cap"
        ),
        source="assumption: no published rate; half of working households housed within a year",
    )
    home_exit_rate_other: RateDist = param(
        unit="share/month",
        doc=N_(
            "the same hazard for people in a household without work (families with minors on benefits, older people)"
        ),
        source="assumption: no published rate; a third of the working households' rate",
    )
    housing_supply_per_month: Count = param(
        unit="persons/month",
        ge=0,
        doc=N_(
            "homes available per month, nationally, to people leaving Ukraine shelter or the fallback "
            "(caps the moves to a home; persons housed per month)"
        ),
        source="assumption: no published figure for homes available to Ukrainians",
    )
    fallback_share: Share = param(
        unit="share",
        doc=N_(
            "share of the people still in Ukraine shelter when it closes who go to the national "
            "fallback option; the rest are counted 'without accommodation'"
        ),
        source=(
            "policy_timeline.csv 2025-01-31: a nationale terugvaloptie (no numbers); assumption: "
            "it takes everyone still in Ukraine shelter at closure"
        ),
    )
    # --- municipalities ---
    allocation_key: Literal["population", "custom"] = param(
        unit="-",
        doc=N_("key that shares national demand and places out over municipalities"),
    )
    custom_weights: dict[str, Share] = param(
        unit="weight",
        doc=N_("custom key: share of the national total per code (the rest goes by population)"),
    )
    known_places: dict[str, WholeCount] = param(
        unit="places",
        doc=N_("a municipality's own current places, by code, where known"),
    )
    reliability_min_persons: WholeCount = param(
        unit="persons",
        ge=0,
        doc=N_("municipal figures below this many people in shelter are flagged as thin"),
    )
    report_month_offset: Setting = param(
        unit="months",
        ge=1,
        le=60,
        doc=N_("months after the jump-off of the month shown in the municipality table"),
    )

    @field_validator("custom_weights", "known_places")
    @classmethod
    def _codes(cls, value: dict, info: ValidationInfo) -> dict:
        bad = [k for k in value if not _CODE.match(k)]
        if bad:
            raise ValueError(f"keys must be municipality codes like 'GM0363', got {', '.join(bad[:5])}")
        known = (info.context or {}).get("municipality_codes")
        unknown = sorted(set(value) - set(known)) if known else []
        if unknown:
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise ValueError(
                f"unknown municipality code(s) {', '.join(unknown[:5])}{more}: not in "
                "the municipalities file (municipalities.csv; Amsterdam is GM0363)"
            )
        if info.field_name == "custom_weights" and sum(value.values()) > 1 + 1e-9:
            raise ValueError(
                f"custom weights are shares of the national total and add up to {sum(value.values()):.3f}, more than 1"
            )
        return value

    @model_validator(mode="after")
    def _custom_needs_weights(self) -> ShelterConfig:
        if self.allocation_key == "custom" and not self.custom_weights:
            raise ValueError("allocation_key 'custom' needs custom_weights {code: weight}")
        return self
