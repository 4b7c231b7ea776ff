"""Unit tests: places as a path that responds to pressure, estimated from the history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.unit.simple_params import simple_shelter
from tests.unit.test_shelter import make_history, make_pop

from capacity import params, shelter
from capacity.data import load_history
from capacity.shelter.history import _replay_places

#: The national shelter series the baseline's shelter parameters were derived on (tests/data/release_2025_03).
MARCH_2025_RELEASE = Path(__file__).parents[1] / "data" / "release_2025_03" / "ukraine_shelter_nl.csv"

pytestmark = pytest.mark.unit


def synthetic_history(gain: float, lead: int, pressure: float) -> pd.DataFrame:
    months = pd.date_range("2022-07-01", "2025-03-01", freq="MS")
    registered = 60000 + 2000 * np.arange(len(months)) - 15 * np.arange(len(months)) ** 2
    share = 0.8
    places = _replay_places(share * registered, 57000.0, gain, lead, pressure)
    rows = [(d, "registered", r) for d, r in zip(months, registered, strict=True)]
    rows += [(d, "places", p) for d, p in zip(months[::3], places[::3], strict=True)]
    rows += [(months[-1], "in_shelter", share * registered[-1])]
    return pd.DataFrame([{"date": d, "variable": v, "value": float(x), "flag": "observed"} for d, v, x in rows])


@pytest.mark.parametrize(("gain", "lead", "pressure"), [(0.3, 2, 0.95), (0.67, 0, 0.91)])
def test_estimator_recovers_the_rule_that_made_the_places(gain, lead, pressure):
    est = shelter.estimate_places_response(synthetic_history(gain, lead, pressure)).set_index("parameter")
    assert est.loc["places_response_gain", "value"] == pytest.approx(gain, abs=0.011)
    assert est.loc["places_response_lead_months", "value"] == lead
    assert est.loc["places_response_pressure", "value"] == pressure
    assert est.loc["rmse_places", "value"] < 50


def test_baseline_places_are_policy_and_the_documented_fit_still_holds():
    scn = params.load("params/baseline.yaml")
    # issue 25: places are policy; the baseline opens no places in response to demand
    assert scn.shelter.places_response_gain.central == 0
    # the fit baseline.yaml quotes (release of March 2025): gain 0.67 (0.28-1.0), lead 0, pressure 0.95
    march = load_history(scn.data.data_dir, {"ukraine_shelter_nl": str(MARCH_2025_RELEASE)})
    est = shelter.estimate_places_response(march).set_index("parameter")
    assert est.loc["places_response_gain", "value"] == pytest.approx(0.67)
    assert est.loc["places_response_gain", "low"] == pytest.approx(0.28)
    assert est.loc["places_response_gain", "high"] == pytest.approx(1.0)
    assert est.loc["places_response_lead_months", "value"] == 0
    assert est.loc["places_response_pressure", "value"] == 0.95


def test_full_immediate_response_leaves_nobody_without_a_place():
    cfg = simple_shelter(
        places_response_gain=1.0, places_response_lead_months=0, places_response_pressure=0.95, tpd_end="2040-01-01"
    )
    res = shelter.simulate_shelter(make_pop(arrivals=4000, departures=500), cfg, history=make_history())
    np.testing.assert_allclose(res.places, np.maximum(93970, res.demand / 0.95))
    assert res.unmet_demand.max() == 0
    assert res.identity_error() < 1e-6


def test_a_faster_response_opens_more_places_and_refuses_fewer():
    pop = make_pop(n=30, h=24, arrivals=3500, departures=700)
    out = []
    for gain in (0.0, 0.2, 0.8):
        cfg = simple_shelter(places_response_gain=gain, places_response_lead_months=2, tpd_end="2040-01-01")
        out.append(shelter.simulate_shelter(pop, cfg, history=make_history(), rng=np.random.default_rng(5)))
    for slow, fast in zip(out, out[1:], strict=False):
        assert np.all(fast.places >= slow.places - 1e-9)
        assert np.all(fast.unmet_demand <= slow.unmet_demand + 1e-9)
    assert np.all(out[0].places == 93970)


def test_places_stop_responding_at_the_tpd_end_and_the_closure_plan_closes_them_all():
    pop = make_pop(n=10, h=12, arrivals=4000, departures=500)
    base = dict(places_response_gain=0.5, tpd_end="2025-10-01")
    kept = shelter.simulate_shelter(pop, simple_shelter(**base), history=make_history())
    k = int(np.flatnonzero(kept.dates == pd.Timestamp("2025-10-01"))[0])
    assert np.all(kept.places[:, k:] == kept.places[:, [k - 1]])  # no further openings
    assert kept.places[:, k - 1].min() > 93970
    closed = shelter.simulate_shelter(
        pop, simple_shelter(**base, places_closed_at_tpd_end_share=1.0), history=make_history()
    )
    assert np.all(closed.places[:, k:] == 0)
    np.testing.assert_allclose(closed.places[:, :k], kept.places[:, :k])
