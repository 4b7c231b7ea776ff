"""The vectorised backlog model against a SimPy discrete-event simulation of the same model."""

from __future__ import annotations

import numpy as np
import pytest
from backlog_des import simulate_des  # tests/integration is on sys.path (rootdir-less test modules)

from capacity import backlog as bl
from capacity.params.backlog import BacklogConfig

pytestmark = pytest.mark.integration

#: The shared small case: 3,000 cases, every mechanism switched on, parameters fixed.
SHARED = dict(
    persons_per_case=1.0,
    simple_case_share=0.3,
    simple_case_effort=0.5,
    return_rate_per_month=0.04,
    permit_uptake_share=0.5,
    permit_uptake_months=2.5,
    departure_rate_per_month=0.04,
    ind_decisions_per_month=150.0,
    regular_backlog_cases=300.0,
    regular_inflow_per_year=720.0,
    grant_share=0.3,
    appeal_share=0.4,
    appeal_months_mean=3.0,
    appeal_success_share=0.2,
    departure_term_months=1,
    dtv_cases_per_month=30.0,
    permit_capacity_per_month=100.0,
    decision_term_months=4.0,
    notice_share=1.0,
    clear_threshold_cases=20.0,
    # fixed, not the baseline's ranges: no capacity noise or realisation factor, no regular
    # inflow noise, no term extension or notice lag, and the expiry routes off
    ind_capacity_realisation=1.0,
    ind_capacity_noise_sd=0.0,
    regular_inflow_noise_sd=0.0,
    dtv_capacity_realisation=1.0,
    permit_capacity_realisation=1.0,
    term_extension_months=0.0,
    notice_lag_days=0.0,
    dtv_share_forced=0.18,
    post_tpd_asylum_share=0.5,
    document_housing_rate_per_month=0.04,
    expiry_work_study_share=0.0,
    expiry_asylum_share=0.0,
    expiry_return_share=0.0,
)
COHORT, MONTHS, REPS = 3000, 36, 60
# The regular queue is a pair of counters in the DES (no ages), so its penalties and late
# decisions are not compared here; tests/unit/test_backlog.py checks them analytically.
COMPARED = (
    "pending",
    "decisions",
    "late_decisions",
    "penalty_eur",
    "overdue_pending",
    "dtv_caseload",
    "shelter_entitled",
    "granted",
    "withdrawn_return",
    "withdrawn_permit",
    "departed",
    "appeals_pending",
    "permits_issued",
    "permit_takers_waiting",
)


@pytest.fixture(scope="module")
def both():
    cfg = BacklogConfig(**SHARED)
    des, waits = simulate_des(COHORT, cfg, n_months=MONTHS, n_reps=REPS, seed=1000)
    vec = bl.simulate(np.full(4, float(COHORT)), cfg, rng=np.random.default_rng(0), n_months=MONTHS)
    return des, waits, vec


@pytest.mark.parametrize("variable", COMPARED)
def test_des_means_agree_within_two_percent(both, variable):
    des, _, vec = both
    d = des[variable].mean(axis=0).sum()  # mean over replications, summed over months
    v = vec.paths[variable].mean(axis=0).sum()
    se = des[variable].sum(axis=1).std(ddof=1) / np.sqrt(REPS)
    assert d == pytest.approx(v, rel=0.02), f"DES {d:.1f} vs vectorised {v:.1f} (DES s.e. {se:.1f})"


def test_des_and_vectorised_obey_littles_law_together(both):
    # mean stock from the vectorised model = throughput x mean wait measured case by case
    # in the DES (every cohort case leaves first instance within the run)
    _, waits, vec = both
    assert vec.paths["pending"][0, -1] + vec.paths["permit_takers_waiting"][0, -1] < 1e-6
    # the cohort waits in the IND's queue (continuing) or on the document route (takers)
    waiting = vec.paths["pending"][0] + vec.paths["permit_takers_waiting"][0]
    start = np.concatenate([[COHORT], waiting[:-1]])
    mean_stock = start.mean()
    throughput = COHORT / MONTHS
    assert len(waits) == COHORT * REPS
    assert mean_stock == pytest.approx(throughput * np.mean(waits), rel=0.02)


def test_des_conserves_cases(both):
    des, _, _ = both
    stocks = (
        des["pending"]
        + des["permit_takers_waiting"]
        + des["appeals_pending"]
        + des["departure_term"]
        + des["dtv_caseload"]
    )
    left = sum(
        np.cumsum(des[n], axis=1) for n in ("granted", "withdrawn_return", "withdrawn_permit", "departed", "dtv_closed")
    )
    assert np.allclose(stocks + left, COHORT)
