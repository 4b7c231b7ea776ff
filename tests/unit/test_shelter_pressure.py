"""Unit tests: pressure (demand per place) instead of capped occupancy, and crossings at the jump-off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_shelter import make_history, make_pop

from capacity import report_shelter as rs
from capacity import shelter
from capacity.params.shelter import ShelterConfig

pytestmark = pytest.mark.unit


def test_pressure_exceeds_one_where_occupancy_is_capped():
    cfg = ShelterConfig(entry_share=1.0, departure_share=0.0, move_out_rate=0.0, tpd_end="2040-01-01")
    res = shelter.simulate_shelter(make_pop(n=3, h=6, arrivals=1000, departures=0), cfg,
                                   history=make_history())
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
    after = table[(table["date"] >= pd.Timestamp("2025-07-01"))
                  & table["variable"].isin(["occupancy_rate", "pressure"])]
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
