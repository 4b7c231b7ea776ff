"""Simple, deterministic model settings for analytic tests (not parameter values).

The schema's defaults are ``params/baseline.yaml`` (issue 29), whose ranges make analytic
checks (a pure queue, no withdrawals, no appeals) awkward. These are the settings such tests
start from: what they used to get from the schema's own defaults before those were removed,
written here, in the tests, so that nobody mistakes them for a second baseline.
"""

from __future__ import annotations

from typing import Any

from capacity.params.backlog import BacklogConfig
from capacity.params.shelter import ShelterConfig

#: Shelter: a fixed entry share, fixed move-outs, no unmet exits, no closure at the TPD end.
SIMPLE_SHELTER: dict[str, Any] = {
    "entry_share": 0.78,
    "move_out_rate": 0.005,
    "unmet_exit_rate": 0.0,
    "places_closed_at_tpd_end_share": 0.0,
}

#: Backlog: one person per case, nothing random, no withdrawals, departures, regular queue,
#: appeals, term extension or notice lag.
SIMPLE_BACKLOG: dict[str, Any] = {
    "persons_per_case": 1.0,
    "simple_case_share": 0.0,
    "return_rate_per_month": 0.0,
    "permit_uptake_share": 0.0,
    "departure_rate_per_month": 0.0,
    "post_tpd_asylum_share": 0.5,
    "document_housing_rate_per_month": 0.04,
    "expiry_work_study_share": 0.0,
    "expiry_asylum_share": 0.0,
    "expiry_return_share": 0.0,
    "ind_capacity_realisation": 1.0,
    "ind_capacity_noise_sd": 0.0,
    "regular_backlog_cases": 0.0,
    "regular_inflow_per_year": 0.0,
    "regular_inflow_noise_sd": 0.0,
    "grant_share": 0.5,
    "appeal_share": 0.0,
    "appeal_months_mean": 6.0,
    "appeal_success_share": 0.0,
    "dtv_cases_per_month": 300.0,
    "dtv_capacity_realisation": 1.0,
    "dtv_share_forced": 0.18,
    "permit_capacity_realisation": 1.0,
    "term_extension_months": 0.0,
    "notice_share": 0.5,
    "notice_lag_days": 0.0,
}


def simple_backlog(**changes: Any) -> BacklogConfig:
    """Return the baseline's backlog settings with :data:`SIMPLE_BACKLOG` and ``changes`` applied."""
    return BacklogConfig(**{**SIMPLE_BACKLOG, **changes})


def simple_shelter(**changes: Any) -> ShelterConfig:
    """Return the baseline's shelter settings with :data:`SIMPLE_SHELTER` and ``changes`` applied."""
    return ShelterConfig(**{**SIMPLE_SHELTER, **changes})
