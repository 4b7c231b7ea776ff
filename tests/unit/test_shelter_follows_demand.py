"""Unit tests: the places-follow-demand scenario (a supply cap and a lead), refitted on 2024-25."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.test_shelter import make_history, make_pop

from capacity import params, shelter
from capacity.data import load_history
from capacity.params.shelter import ShelterConfig
from capacity.shelter.replay import CAP_GRID, LEAD_GRID

pytestmark = pytest.mark.unit

SCENARIO = "params/scenarios/shelter_follows_demand.yaml"


def _places(**cfg) -> np.ndarray:
    base = {
        "places_response_gain": 1.0,
        "places_response_pressure": 1.0,
        "unmet_exit_rate": 0.0,
        "tpd_end": "2040-01-01",
    }
    res = shelter.simulate_shelter(
        make_pop(n=4, arrivals=4000, departures=500), ShelterConfig(**{**base, **cfg}), history=make_history()
    )
    return res.places


def test_places_never_rise_faster_than_the_cap():
    places = _places(places_response_max_per_month=300, places_response_lead_months=0)
    rise = np.diff(places, axis=1)
    assert rise.max() <= 300 + 1e-9
    assert np.isclose(rise.max(), 300)  # the cap binds: demand runs ahead of it
    assert np.diff(_places(places_response_lead_months=0), axis=1).max() > 1000  # without it, it does not


@pytest.mark.parametrize("lead", [3, 6])
def test_the_lead_shifts_the_response_by_its_months(lead):
    # gain 1, pressure 1: places follow the highest demand seen `lead` months earlier
    now, later = _places(places_response_lead_months=0), _places(places_response_lead_months=lead)
    np.testing.assert_allclose(later[:, lead:], now[:, :-lead])
    assert (later[:, :lead] == later[:, :1]).all()  # nothing opens before the lead has passed
    assert now[:, lead - 1].max() > now[:, 0].max()  # while the immediate rule already opened places


def test_the_scenario_carries_the_2024_25_refit():
    scn = params.load(SCENARIO)
    base = params.load("params/baseline.yaml")
    cfg = scn.shelter
    est = shelter.estimate_places_response(
        load_history(base.data.data_dir, base.data.files), start="2024-03-01", leads=LEAD_GRID, caps=CAP_GRID
    ).set_index("parameter")
    assert cfg.places_response_gain.central == pytest.approx(est.loc["places_response_gain", "value"])
    assert cfg.places_response_pressure == est.loc["places_response_pressure", "value"]
    assert cfg.places_response_max_per_month == est.loc["places_response_max_per_month", "value"]
    lead = cfg.places_response_lead_months
    assert (lead.low, lead.high) == (3, 6)
    assert est.loc["places_response_lead_months", "value"] >= 3
    # everything else is the baseline's (a shelter-only variant)
    assert (
        scn.shelter.model_copy(
            update={
                k: getattr(base.shelter, k)
                for k in (
                    "places_response_gain",
                    "places_response_lead_months",
                    "places_response_pressure",
                    "places_response_max_per_month",
                )
            }
        )
        == base.shelter
    )
    assert base.shelter.places_response_max_per_month is None
