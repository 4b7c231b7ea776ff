"""Unit tests of the shelter stock-flow model and its planning outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.simple_params import simple_shelter

from capacity import shelter
from capacity.errors import DataError, ParameterError
from capacity.forecast.paths import PopulationPaths
from capacity.quantiles import check_contract

#: The national shelter series the baseline's shelter parameters were derived on (tests/data/release_2025_03).
MARCH_2025_RELEASE = Path(__file__).parents[1] / "data" / "release_2025_03" / "ukraine_shelter_nl.csv"

pytestmark = pytest.mark.unit


def make_history(in_shelter: float = 93770.0, places: float = 93970.0, registered: float = 120820.0) -> pd.DataFrame:
    rows = []
    for date, var, val in [
        ("2023-07-01", "in_shelter", 76000.0),
        ("2023-07-01", "registered", 95000.0),
        ("2024-03-01", "arrivals", 2000.0),
        ("2024-04-01", "arrivals", 2000.0),
        ("2025-03-01", "in_shelter", in_shelter),
        ("2025-03-01", "places", places),
        ("2025-03-01", "registered", registered),
        ("2025-02-01", "in_shelter", 93680.0),
    ]:
        rows.append(
            {
                "date": pd.Timestamp(date),
                "variable": var,
                "value": val,
                "flag": "observed",
                "source": "test",
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def make_pop(
    n: int = 50,
    h: int = 36,
    arrivals: float = 2500.0,
    departures: float = 1300.0,
    seed: int = 1,
    start: str = "2025-04-01",
) -> PopulationPaths:
    rng = np.random.default_rng(seed)
    arr = rng.poisson(arrivals, (n, h)).astype(float)
    dep = rng.poisson(departures, (n, h)).astype(float)
    reg = 120820.0 + np.cumsum(arr - dep, axis=1)
    return PopulationPaths(
        dates=pd.date_range(start, periods=h, freq="MS"),
        arrivals=arr,
        departures=dep,
        registered=reg,
        jump_off_date=pd.Timestamp("2025-03-01"),
        jump_off_registered=120820.0,
    )


def test_jump_off_comes_from_history():
    state = shelter.jump_off_state(make_history(), at=pd.Timestamp("2025-03-01"))
    assert state["in_shelter"] == 93770 and state["places"] == 93970
    assert state["date"] == pd.Timestamp("2025-03-01")


def test_history_without_places_is_a_clear_error():
    h = make_history()
    with pytest.raises(DataError, match="places"):
        shelter.jump_off_state(h[h["variable"] != "places"])


def test_result_table_follows_contract_and_jump_off():
    res = shelter.simulate_shelter(make_pop(), simple_shelter(), history=make_history())
    table = check_contract(res.table())
    assert {"in_shelter", "places", "occupancy_rate", "unmet_demand", "places_needed"} <= set(table["variable"])
    assert res.jump_off_in_shelter == 93770 and res.jump_off_places == 93970
    assert res.identity_error() < 1e-6


def test_analytic_case_no_moves():
    # entry 1, departures 0, no move-outs: demand grows by arrivals exactly
    cfg = simple_shelter(entry_share=1.0, departure_rate_ratio=0.0, move_out_rate=0.0, tpd_end="2040-01-01")
    pop = make_pop(n=3, h=6, arrivals=100, departures=0)
    res = shelter.simulate_shelter(pop, cfg, history=make_history())
    expected = 93770 + np.cumsum(pop.arrivals, axis=1)
    np.testing.assert_allclose(res.demand, expected)
    np.testing.assert_allclose(res.in_shelter, np.minimum(expected, 93970))
    np.testing.assert_allclose(res.unmet_demand, np.maximum(expected - 93970, 0))


rates = st.floats(0.0, 1.0)


@settings(max_examples=30, deadline=None)
@given(
    e=rates,
    s=rates,
    m=st.floats(0.0, 0.2),
    u=st.floats(0.0, 1.0),
    arrivals=st.floats(0, 20000),
    departures=st.floats(0, 20000),
    change=st.integers(-150000, 50000),
    seed=st.integers(0, 1000),
    tpd=st.sampled_from(["2025-06-15", "2026-01-01", "2030-01-01"]),
    closed=st.floats(0.0, 1.0),
)
def test_conservation_and_caps_on_every_path(e, s, m, u, arrivals, departures, change, seed, tpd, closed):
    cfg = simple_shelter(
        entry_share=e,
        departure_rate_ratio=s,
        move_out_rate=m,
        unmet_exit_rate=u,
        tpd_end=tpd,
        places_closed_at_tpd_end_share=closed,
        places_changes=[{"month": "2025-08-01", "change": change}],
    )
    pop = make_pop(n=8, h=18, arrivals=arrivals, departures=departures, seed=seed)
    res = shelter.simulate_shelter(pop, cfg, history=make_history())
    assert res.identity_error() < 1e-6 * max(1.0, float(np.abs(res.demand).max()))
    assert np.all(res.in_shelter <= res.places + 1e-9)
    assert np.all(res.unmet_demand >= 0)
    assert np.all(res.demand >= -1e-9)
    np.testing.assert_allclose(res.in_shelter + res.unmet_demand, res.demand)
    occ = res.occupancy_rate
    assert np.all((occ >= 0) & (occ <= 1) | ((res.places == 0) & np.isnan(occ)))


def test_external_entitled_path_replaces_dynamics():
    pop = make_pop(n=4, h=24)
    entitled = np.full((4, 24), 5000.0)
    cfg = simple_shelter(entitled_shelter_share=0.5, places_closed_at_tpd_end_share=0.5)
    res = shelter.simulate_shelter(
        pop, cfg, history=make_history(), entitled=entitled, entitled_from=pd.Timestamp("2026-01-01")
    )
    k = list(res.dates).index(pd.Timestamp("2026-01-01"))
    # document holders waiting for a home keep an open place; asylum users (2,500) take the rest
    waiting_in = res.after_tpd.waiting_in_shelter
    np.testing.assert_allclose(res.demand[:, k:], waiting_in + np.minimum(2500.0, res.places[:, k:] - waiting_in))
    assert np.all(res.demand[:, k:] >= 2500.0 - 1e-6)
    # places close from the switch month given by the backlog path, not cfg.tpd_end
    np.testing.assert_allclose(res.places[:, k - 1], 93970.0)
    np.testing.assert_allclose(res.places[:, k:], 93970.0 / 2)
    assert res.entitled_source == shelter.ENTITLED_EXTERNAL
    assert res.identity_error() < 1e-6
    with pytest.raises(ParameterError, match="shape"):
        shelter.simulate_shelter(pop, simple_shelter(), history=make_history(), entitled=np.ones((2, 2)))


def test_without_a_backlog_path_the_entitled_share_decays_at_the_exit_rate():
    cfg = simple_shelter()
    res = shelter.simulate_shelter(make_pop(h=36), cfg, history=make_history())
    assert res.entitled_from == pd.Timestamp("2027-03-01")
    assert res.entitled_source == shelter.ENTITLED_FROM_PARAMETERS
    k = list(res.dates).index(res.entitled_from)
    share, rate = cfg.post_tpd_entitled_share.central, cfg.post_tpd_exit_rate
    decay = share * (1 - rate) ** np.arange(36 - k)
    # the people in shelter at the TPD end keep the right in the share, decaying at the exit rate
    np.testing.assert_allclose(res.after_tpd.asylum_reception, res.in_shelter[:, k - 1, None] * decay)
    assert res.identity_error() < 1e-6


def test_places_changes_and_closure():
    cfg = simple_shelter(
        places_changes=[{"month": "2025-06-01", "change": 1000}, {"month": "2025-09-01", "change": -500}],
        places_closed_at_tpd_end_share=1.0,
    )
    dates = pd.date_range("2025-04-01", periods=30, freq="MS")
    p = shelter.places_path(dates, 100000, cfg)
    assert p[0] == 100000 and p[2] == 101000 and p[5] == 100500
    assert p[list(dates).index(pd.Timestamp("2027-03-01"))] == 0


def test_crossing_months():
    cfg = simple_shelter(entry_share=1.0, departure_rate_ratio=0.0, move_out_rate=0.0, tpd_end="2040-01-01")
    hist = make_history(in_shelter=80000, places=100000)
    pop = make_pop(n=2, h=24, arrivals=1000, departures=0)
    pop = PopulationPaths(
        dates=pop.dates,
        arrivals=np.full((2, 24), 1000.0),
        departures=np.zeros((2, 24)),
        registered=pop.registered,
        jump_off_date=pop.jump_off_date,
        jump_off_registered=120820.0,
    )
    res = shelter.simulate_shelter(pop, cfg, history=hist)
    # demand after k+1 months = 80000 + 1000 (k+1): > 95000 at k = 15, > 100000 at k = 20
    np.testing.assert_array_equal(shelter.first_crossing(res, 0.95), [15, 15])
    np.testing.assert_array_equal(shelter.first_crossing(res, 1.0), [20, 20])
    head = shelter.headline(res)
    assert head["first_month_95"] == res.dates[15]
    assert head["first_month_100"] == res.dates[20]
    dist = shelter.crossing_distribution(res)
    assert dist.groupby("threshold")["share"].sum().round(9).eq(1).all()


def test_planning_table_places_needed():
    res = shelter.simulate_shelter(make_pop(), simple_shelter(), history=make_history())
    plan = shelter.planning_table(res, target=0.91, probability=0.9)
    q = np.quantile(res.demand, 0.9, axis=0)
    np.testing.assert_allclose(plan["places_needed"], np.ceil(q / 0.91 - 1e-9))
    assert (plan["places_needed"] * 0.91 >= plan["demand_at_probability"] - 1e-6).all()
    assert plan["too_late"].iloc[0] and not plan["too_late"].iloc[-1]
    assert (plan["probability"] == 0.9).all()


def test_request_deadlines_are_judged_against_today_not_the_last_count():
    """Issue 25 part 5: as of 30 June 2025 (``--as-of 2025-06-30``) no deadline on or before that
    date is shown as feasible, though it lies after the last count (March 2025 here)."""
    from dataclasses import replace

    from capacity.params.clock import reference_month
    from capacity.report import shelter as rs

    today = reference_month("2025-06-30")
    pop = replace(make_pop(arrivals=4000, departures=500), today=today)
    res = shelter.simulate_shelter(pop, simple_shelter(tpd_end="2040-01-01"), history=make_history())
    assert res.today == today and res.reference_month == pd.Timestamp("2025-06-01")
    plan = shelter.planning_table(res)
    feasible = plan[~plan["too_late"]]
    assert (feasible["request_by"] > pd.Timestamp("2025-06-30")).all()
    assert plan.loc[plan["request_by"] <= pd.Timestamp("2025-06-30"), "too_late"].all()
    assert (plan["request_by"] > res.jump_off_date).any() and plan["too_late"].sum() > 1  # past the count, still late
    assert (plan["today"] == today).all()
    # the words: a past deadline is "too late", and the first reachable month comes after today
    head = pd.DataFrame(
        [
            {
                "key": "shelter_places_needed",
                "label_en": "",
                "label_nl": "",
                "value": 1.0,
                "p10": None,
                "p90": None,
                "unit": "places",
                "rounding": 10,
            }
        ]
    )
    assert plan.loc[plan["extra_places"] > 0, "too_late"].iloc[0]  # the first shortfall's deadline is past
    text = str(rs.places_needed_text(res, plan, head))
    assert "too late" in text and "(June 2025)" in text and "first month still reachable" in text
    # the cost chart's reference line names the last count, not "now"
    labels = [a.text for a in rs.cost_chart(res, shelter.cost_curve(res)).layout.annotations]
    assert "now" not in labels and "last count (March 2025)" in labels


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), c_idle=st.floats(1, 100), c_short=st.floats(1, 200))
def test_cost_optimum_matches_brute_force(seed, c_idle, c_short):
    rng = np.random.default_rng(seed)
    n, h = 5, 4
    demand = rng.integers(0, 60, (n, h)).astype(float)
    res = shelter.ShelterResult(
        dates=pd.date_range("2025-04-01", periods=h, freq="MS"),
        demand=demand,
        in_shelter=np.minimum(demand, 30),
        places=np.full((n, h), 30.0),
        unmet_demand=np.maximum(demand - 30, 0),
        entries=np.zeros((n, h)),
        move_outs=np.zeros((n, h)),
        departures=np.zeros((n, h)),
        unmet_exits=np.zeros((n, h)),
        entitlement_change=np.zeros((n, h)),
        jump_off_date=pd.Timestamp("2025-03-01"),
        jump_off_in_shelter=30,
        jump_off_places=30,
        jump_off_demand=30,
        cfg=simple_shelter(),
    )
    opt = shelter.cost_optimum(res, window=(1, h), cost_idle=c_idle, cost_short=c_short)
    grid = np.arange(0, 80)
    curve = shelter.cost_curve(res, places=grid, window=(1, h), cost_idle=c_idle, cost_short=c_short)
    best = curve["cost_tradeoff_eur"].min()
    assert opt["expected_cost_eur"] == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert curve.loc[curve["places"] == opt["places"], "cost_tradeoff_eur"].iloc[0] == pytest.approx(
        best, rel=1e-9, abs=1e-6
    )


def test_same_rng_same_numbers():
    cfg = simple_shelter(entry_share={"kind": "triangular", "low": 0.7, "mode": 0.78, "high": 0.9})
    a = shelter.simulate_shelter(make_pop(), cfg, history=make_history(), rng=np.random.default_rng(3))
    b = shelter.simulate_shelter(make_pop(), cfg, history=make_history(), rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.demand, b.demand)
    assert a.rates["entry_share"].std() > 0


def test_share_parameters_are_validated():
    with pytest.raises(ValueError, match="share"):
        simple_shelter(entry_share={"kind": "uniform", "low": 0.5, "high": 1.4})


def test_baseline_rates_reproduce_their_documented_derivation():
    from capacity import params
    from capacity.data import load_history

    # derived on the release of March 2025 (baseline.yaml); not yet re-derived on June 2025's
    march = load_history(files={"ukraine_shelter_nl": str(MARCH_2025_RELEASE)})
    est = shelter.estimate_rates(march).set_index("parameter")["value"]
    cfg = params.load().shelter
    assert est["shelter_share_of_registered"] == pytest.approx(0.776, abs=0.001)
    assert cfg.entry_share.mode == pytest.approx(round(est["shelter_share_of_registered"], 2))
    assert cfg.move_out_rate.mode == pytest.approx(est["move_out_rate"], abs=5e-5)
    high = shelter.estimate_rates(march, entry_share=0.9).set_index("parameter")
    assert high.loc["move_out_rate", "value"] <= cfg.move_out_rate.high


def test_baseline_jump_off_is_the_observed_march_2025():
    from capacity import params
    from capacity.data import load_history

    pop = make_pop(n=5, h=12)
    res = shelter.simulate_shelter(pop, params.load().shelter, history=load_history(), rng=np.random.default_rng(0))
    assert (res.jump_off_in_shelter, res.jump_off_places) == (93770, 93970)
    assert res.jump_off_date == pd.Timestamp("2025-03-01")


@pytest.mark.parametrize("ratio", [1.0, 0.5])
def test_people_in_shelter_leave_at_the_forecast_paths_rate_times_the_ratio(ratio):
    # one departure process: departures from shelter = ratio x the path's rate x last month's demand
    pop = make_pop(n=6, h=24)
    cfg = simple_shelter(departure_rate_ratio=ratio, tpd_end="2030-01-01")
    res = shelter.simulate_shelter(pop, cfg, history=make_history())
    before = np.concatenate([np.full((6, 1), res.jump_off_demand), res.demand[:, :-1]], axis=1)
    np.testing.assert_allclose(res.departures / before, ratio * pop.departure_rates, rtol=1e-12)
    # a path that loses more of its registered population loses more of its shelter demand
    faster = PopulationPaths(
        dates=pop.dates,
        arrivals=pop.arrivals,
        departures=pop.departures * 2,
        registered=pop.registered,
        jump_off_date=pop.jump_off_date,
        jump_off_registered=pop.jump_off_registered,
    )
    more = shelter.simulate_shelter(faster, cfg, history=make_history())
    assert np.all(more.departures[:, 0] > res.departures[:, 0])


def test_departure_rate_ratio_must_not_be_negative():
    with pytest.raises(ValueError, match="departure_rate_ratio"):
        simple_shelter(departure_rate_ratio=-0.1)
