"""Unit tests: pressure (demand per place) instead of capped occupancy, and crossings at the jump-off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.unit.test_shelter import make_history, make_pop

from capacity import shelter
from capacity.params.shelter import ShelterConfig
from capacity.report import shelter as rs

pytestmark = pytest.mark.unit


def test_pressure_exceeds_one_where_occupancy_is_capped():
    cfg = ShelterConfig(entry_share=1.0, departure_rate_ratio=0.0, move_out_rate=0.0, tpd_end="2040-01-01")
    res = shelter.simulate_shelter(make_pop(n=3, h=6, arrivals=1000, departures=0), cfg, history=make_history())
    assert np.nanmax(res.occupancy_rate) <= 1.0
    assert res.pressure.max() > 1.0
    np.testing.assert_allclose(res.pressure, res.demand / res.places)
    table = res.table()
    assert (table.loc[table["variable"] == "pressure", "q0.50"] > 1.0).all()


def test_zero_places_never_read_as_full_occupancy():
    cfg = ShelterConfig(places_closed_at_tpd_end_share=1.0, tpd_end="2025-07-01")
    res = shelter.simulate_shelter(make_pop(n=5, h=8), cfg, history=make_history())
    closed = res.places == 0
    assert closed.any()
    assert np.isnan(res.occupancy_rate[closed]).all()
    table = res.table()
    after = table[
        (table["date"] >= pd.Timestamp("2025-07-01")) & table["variable"].isin(["occupancy_rate", "pressure"])
    ]
    assert after["q0.50"].isna().all()  # shown as a dash, not 100 %
    head = shelter.headline(res)
    assert head["peak_occupancy"] <= 1.0 and np.isfinite(head["peak_pressure"])


def test_crossings_already_past_at_the_jump_off_are_said_to_be():
    res = shelter.simulate_shelter(make_pop(), ShelterConfig(), history=make_history())
    assert res.jump_off_pressure == pytest.approx(93770 / 93970)
    assert shelter.already_above(res, 0.95) and not shelter.already_above(res, 1.0)
    head = shelter.headline(res)
    assert head["already_95"] and head["first_month_95"] == res.jump_off_date
    table = rs.crossing_table(res)
    assert table.iloc[0, 2].startswith("already at the last count")
    assert "already passed 95 %" in str(rs.jump_off_text(res))
    assert "al gepasseerd" in str(rs.jump_off_text(res, language="nl"))


def test_crossing_after_the_jump_off_is_a_forecast_month():
    res = shelter.simulate_shelter(make_pop(), ShelterConfig(), history=make_history(in_shelter=80000))
    assert not shelter.already_above(res, 0.95)
    head = shelter.headline(res)
    first = head["first_month_95"]
    assert first is None or first >= res.dates[0]


def test_refused_people_leave_the_queue_at_the_unmet_exit_rate():
    # entry 1, no departures or move-outs, constant arrivals a: with rate 1 every month's refused
    # find another solution the next month, so from month 2 on the queue is one month's arrivals
    a = 500.0
    cfg = ShelterConfig(
        entry_share=1.0, departure_rate_ratio=0.0, move_out_rate=0.0, unmet_exit_rate=1.0, tpd_end="2040-01-01"
    )
    pop = make_pop(n=2, h=6, arrivals=a, departures=0)
    pop.arrivals[:] = a
    res = shelter.simulate_shelter(pop, cfg, history=make_history())
    np.testing.assert_allclose(res.unmet_demand[:, 1:], a)
    np.testing.assert_allclose(res.demand[:, 1:], 93970 + a)
    assert res.identity_error() < 1e-6


def test_more_unmet_exits_never_more_people_without_a_place():
    pop = make_pop(n=40, h=24, arrivals=3000, departures=800)
    unmet = []
    for rate in (0.0, 0.3, 0.9):
        cfg = ShelterConfig(unmet_exit_rate=rate, tpd_end="2040-01-01")
        res = shelter.simulate_shelter(pop, cfg, history=make_history(), rng=np.random.default_rng(3))
        unmet.append(res.unmet_demand)
    assert np.all(unmet[1] <= unmet[0] + 1e-9) and np.all(unmet[2] <= unmet[1] + 1e-9)
    assert unmet[2].max() < 0.5 * unmet[0].max()


def test_baseline_unmet_exit_rate_is_a_flagged_range():
    from capacity import params

    rate = params.load("params/baseline.yaml").shelter.unmet_exit_rate
    assert rate.kind == "triangular" and 0 < rate.low < rate.mode <= rate.high <= 1
