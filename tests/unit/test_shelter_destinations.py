"""Unit tests: after the TPD, everyone in shelter at its end has exactly one destination each month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.test_shelter import make_history, make_pop

from capacity import params, shelter
from capacity.params.shelter import ShelterConfig
from capacity.quantiles import check_contract

pytestmark = pytest.mark.unit


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 1000),
    departures=st.floats(0, 20000),
    keep=st.floats(0.0, 1.0),
    exit_rate=st.floats(0.0, 1.0),
    closed=st.floats(0.0, 1.0),
    external=st.booleans(),
)
def test_everyone_in_shelter_at_the_tpd_end_is_in_exactly_one_destination(
    seed, departures, keep, exit_rate, closed, external
):
    pop = make_pop(n=6, h=14, departures=departures, seed=seed)
    cfg = ShelterConfig(
        tpd_end="2025-10-01",
        post_tpd_entitled_share=keep,
        post_tpd_exit_rate=exit_rate,
        places_closed_at_tpd_end_share=closed,
    )
    entitled = None
    if external:
        rng = np.random.default_rng(seed)
        entitled = np.zeros((6, 14))
        entitled[:, 6:] = rng.uniform(0, 150000, (6, 8))
    res = shelter.simulate_shelter(
        pop,
        cfg,
        history=make_history(),
        entitled=entitled,
        entitled_from=pd.Timestamp("2025-10-01") if external else None,
    )
    d = res.after_tpd
    assert d is not None and d.dates[0] == pd.Timestamp("2025-10-01")
    np.testing.assert_allclose(d.cohort, res.in_shelter[:, 5])
    assert d.conservation_error() < 1e-6 * max(1.0, d.cohort.max())
    for part in (d.asylum_reception, d.left_country, d.housing_task, d.housing_task_new):
        assert np.all(part >= 0)


def test_without_departures_the_housing_task_is_everyone_not_pursuing_asylum():
    pop = make_pop(n=4, h=10, departures=0)
    cfg = ShelterConfig(tpd_end="2025-08-01", post_tpd_entitled_share=0.27, post_tpd_exit_rate=0.0)
    res = shelter.simulate_shelter(pop, cfg, history=make_history())
    d = res.after_tpd
    np.testing.assert_allclose(d.left_country, 0.0)
    full = np.broadcast_to(d.cohort[:, None], d.housing_task.shape)
    np.testing.assert_allclose(d.asylum_reception, 0.27 * full)
    np.testing.assert_allclose(d.housing_task, 0.73 * full)
    np.testing.assert_allclose(d.housing_task_new[:, 0], 0.73 * d.cohort)
    np.testing.assert_allclose(d.housing_task_new[:, 1:], 0.0)


def test_housing_task_table_is_in_the_quantile_contract():
    res = shelter.simulate_shelter(make_pop(h=12), ShelterConfig(tpd_end="2025-10-01"), history=make_history())
    table = check_contract(res.after_tpd.table())
    assert set(table["variable"]) == {
        "cohort_in_shelter",
        "asylum_reception",
        "left_country",
        "housing_task",
        "housing_task_new",
        "moved_home",
        "moved_home_new",
        "waiting_for_home",
        "waiting_in_shelter",
        "fallback",
        "without_accommodation",
    }


def test_no_destinations_when_the_tpd_ends_after_the_horizon():
    res = shelter.simulate_shelter(make_pop(h=6), ShelterConfig(tpd_end="2040-01-01"), history=make_history())
    assert res.after_tpd is None


def test_when_ukraine_shelter_closes_asylum_seekers_are_in_coa_never_without_a_place():
    # the closure scenario: every place closes at the TPD end; the entitled (continuing asylum
    # cases) are received by COA and counted there, not as people without a place
    pop = make_pop(n=4, h=12, departures=0)
    entitled = np.zeros((4, 12))
    entitled[:, 6:] = 20_000.0
    cfg = ShelterConfig(tpd_end="2025-10-01", places_closed_at_tpd_end_share=1.0, entitled_shelter_share=1.0)
    res = shelter.simulate_shelter(
        pop, cfg, history=make_history(), entitled=entitled, entitled_from=pd.Timestamp("2025-10-01")
    )
    assert np.all(res.places[:, 6:] == 0)
    np.testing.assert_allclose(res.unmet_demand[:, 6:], 0.0)
    np.testing.assert_allclose(res.in_shelter + res.unmet_demand, res.demand)
    d = res.after_tpd
    share = 20_000.0 / res.demand[:, 5]
    np.testing.assert_allclose(d.asylum_reception[:, 0], d.cohort * np.minimum(share, 1.0))
    assert d.conservation_error() < 1e-6 * d.cohort.max()


def test_baseline_in_shelter_plus_fallback_follows_the_exit_hazard_and_housing_cap():
    """Issue 25: under the baseline the plan closes Ukraine shelter at the TPD end; the people
    still there wait in the fallback, leaving for a home at the hazard, capped by the supply."""
    cfg = params.load("params/baseline.yaml").shelter
    assert cfg.places_closed_at_tpd_end_share == 1.0 and cfg.ukraine_shelter_close_date is None
    pop = make_pop(n=3, h=33, arrivals=2000.0, departures=0.0)  # 2025-04 .. 2027-12, nobody leaves NL
    entitled = np.zeros((3, 33))  # nobody continues an asylum case
    res = shelter.simulate_shelter(
        pop, cfg, history=make_history(), entitled=entitled, entitled_from=pd.Timestamp(cfg.tpd_end)
    )
    dates = list(res.dates)
    k, dec = dates.index(pd.Timestamp("2027-03-01")), dates.index(pd.Timestamp("2027-12-01"))
    np.testing.assert_allclose(res.places[:, k:], 0.0)  # closed from the TPD-end month
    # recompute from the parameters: two pools (work / no work), each at its hazard, capped jointly
    cohort = res.in_shelter[:, k - 1]
    w_e, w_o = cfg.employed_share * cohort, (1 - cfg.employed_share) * cohort
    h_e, h_o = cfg.home_exit_rate_employed.central, cfg.home_exit_rate_other.central
    for _ in range(dec - k + 1):
        want = h_e * w_e + h_o * w_o
        scale = np.minimum(1.0, cfg.housing_supply_per_month / want)
        w_e, w_o = w_e * (1 - scale * h_e), w_o * (1 - scale * h_o)
    d = res.after_tpd
    j = dec - k
    in_shelter_plus_fallback = res.in_shelter[:, dec] + d.fallback[:, j]
    np.testing.assert_allclose(in_shelter_plus_fallback, w_e + w_o, rtol=1e-9)
    # the cap binds: never more than the supply a month
    assert np.all(d.moved_home_new <= cfg.housing_supply_per_month + 1e-6)
    # nobody dropped: every member of the cohort is in one place each month
    parts = (
        d.asylum_reception + d.left_country + d.moved_home + d.waiting_in_shelter + d.fallback + d.without_accommodation
    )
    np.testing.assert_allclose(parts, np.broadcast_to(cohort[:, None], parts.shape))
    np.testing.assert_allclose(d.without_accommodation, 0.0)  # fallback_share 1 in the baseline


def test_closing_later_keeps_the_waiting_in_shelter_until_then():
    cfg = ShelterConfig(places_closed_at_tpd_end_share=1.0, ukraine_shelter_close_date="2027-09-01", fallback_share=0.5)
    pop = make_pop(n=2, h=33, departures=0.0)
    res = shelter.simulate_shelter(
        pop, cfg, history=make_history(), entitled=np.zeros((2, 33)), entitled_from=pd.Timestamp("2027-03-01")
    )
    dates = list(res.dates)
    k, c = dates.index(pd.Timestamp("2027-03-01")), dates.index(pd.Timestamp("2027-09-01"))
    d = res.after_tpd
    np.testing.assert_allclose(res.in_shelter[:, k:c], d.waiting[:, : c - k])
    np.testing.assert_allclose(d.fallback[:, : c - k], 0.0)
    np.testing.assert_allclose(res.in_shelter[:, c:], 0.0)
    np.testing.assert_allclose(d.fallback[:, c - k :], d.without_accommodation[:, c - k :])
    np.testing.assert_allclose(d.fallback[:, c - k :] * 2, d.waiting[:, c - k :])
    assert d.close_date == pd.Timestamp("2027-09-01")
