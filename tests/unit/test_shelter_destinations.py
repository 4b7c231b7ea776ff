"""Unit tests: after the TPD, everyone in shelter at its end has exactly one destination each month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.test_shelter import make_history, make_pop

from capacity import shelter
from capacity.params.shelter import ShelterConfig
from capacity.quantiles import check_contract

pytestmark = pytest.mark.unit


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), departures=st.floats(0, 20000), keep=st.floats(0.0, 1.0),
       exit_rate=st.floats(0.0, 1.0), closed=st.floats(0.0, 1.0),
       external=st.booleans())
def test_everyone_in_shelter_at_the_tpd_end_is_in_exactly_one_destination(seed, departures, keep, exit_rate,
                                                                          closed, external):
    pop = make_pop(n=6, h=14, departures=departures, seed=seed)
    cfg = ShelterConfig(tpd_end="2025-10-01", post_tpd_entitled_share=keep, post_tpd_exit_rate=exit_rate,
                        places_closed_at_tpd_end_share=closed)
    entitled = None
    if external:
        rng = np.random.default_rng(seed)
        entitled = np.zeros((6, 14))
        entitled[:, 6:] = rng.uniform(0, 150000, (6, 8))
    res = shelter.simulate_shelter(pop, cfg, history=make_history(), entitled=entitled,
                                   entitled_from=pd.Timestamp("2025-10-01") if external else None)
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
    assert set(table["variable"]) == {"cohort_in_shelter", "asylum_reception", "left_country", "housing_task",
                                      "housing_task_new"}


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
    res = shelter.simulate_shelter(pop, cfg, history=make_history(), entitled=entitled,
                                   entitled_from=pd.Timestamp("2025-10-01"))
    assert np.all(res.places[:, 6:] == 0)
    np.testing.assert_allclose(res.unmet_demand[:, 6:], 0.0)
    np.testing.assert_allclose(res.in_shelter + res.unmet_demand, res.demand)
    d = res.after_tpd
    share = 20_000.0 / res.demand[:, 5]
    np.testing.assert_allclose(d.asylum_reception[:, 0], d.cohort * np.minimum(share, 1.0))
    assert d.conservation_error() < 1e-6 * d.cohort.max()
