"""Tests of the post-TPD backlog model: analytic cases, conservation, CRN, solver, contract."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.simple_params import simple_backlog

from capacity import backlog as bl
from capacity import params
from capacity.backlog.parameters import parameter_values, with_changes
from capacity.errors import ParameterError
from capacity.forecast.paths import PopulationPaths
from capacity.params.backlog import BacklogConfig
from capacity.quantiles import CONTRACT_COLUMNS, check_contract

pytestmark = pytest.mark.unit


def _fluid(**kw) -> BacklogConfig:
    """No randomness, no withdrawals or departures: a pure queue."""
    base = dict(
        n_paths=3,
        n_months=80,
        ind_decisions_per_month=1000.0,
        regular_inflow_per_year=0.0,
        regular_backlog_cases=0.0,
        grant_share=1.0,
        clear_threshold_cases=1e-6,
    )
    base.update(kw)
    return simple_backlog(**base)


def _run(cfg: BacklogConfig, cohort: float, n_paths: int = 3, seed: int = 0, n_months=None):
    return bl.simulate(np.full(n_paths, cohort), cfg, rng=np.random.default_rng(seed), n_months=n_months)


# --- analytic cases ------------------------------------------------------------------------


@pytest.mark.parametrize(("b0", "cap", "lam"), [(12_000, 1000, 400), (50_000, 3000, 2000), (9_000, 900, 0)])
def test_fluid_limit_clears_in_b0_over_c_minus_lambda(b0, cap, lam):
    # newest first: the regular inflow takes lam each month, the cohort gets C - lam
    cfg = _fluid(ind_decisions_per_month=cap, regular_inflow_per_year=12 * lam, queue_discipline="newest_first")
    res = _run(cfg, b0)
    expected = b0 / (cap - lam)
    assert np.all(res.months_to_clear == np.ceil(expected - 1e-9))
    # the pending path falls linearly by C - lam a month
    k = int(np.floor(expected)) - 1
    assert res.paths["pending"][0, k] == pytest.approx(b0 - (k + 1) * (cap - lam))


@pytest.mark.parametrize("discipline", ["oldest_first", "newest_first", "proportional"])
def test_fluid_limit_total_backlog(discipline):
    # a regular backlog plus the cohort: the total falls by C - lam a month, whatever the order
    b_reg, b_coh, cap, lam = 6_000.0, 10_000.0, 2_000.0, 500.0
    cfg = _fluid(
        ind_decisions_per_month=cap,
        regular_inflow_per_year=12 * lam,
        regular_backlog_cases=b_reg,
        queue_discipline=discipline,
    )
    res = _run(cfg, b_coh)
    months = (b_reg + b_coh) / (cap - lam)  # 10.67
    total = res.paths["backlog_total"][0]
    k = int(np.floor(months))  # month 10 is the first with spare capacity
    assert total[k - 1] == pytest.approx(b_reg + b_coh - k * (cap - lam))
    assert total[k] == pytest.approx(0.0, abs=1e-6)


def test_order_of_service():
    cfg = _fluid(ind_decisions_per_month=1000.0, regular_backlog_cases=5000.0)
    oldest = _run(cfg, 3000)
    newest = _run(cfg.model_copy(update={"queue_discipline": "newest_first"}), 3000)
    # oldest first: the regular stock goes first, the cohort waits 5 months
    assert oldest.paths["decisions"][0, :5].sum() == 0
    assert oldest.months_to_clear[0] == 8
    # newest first with no new applications: the cohort goes first
    assert newest.months_to_clear[0] == 3


def test_simple_first_uses_less_capacity_per_case():
    cfg = _fluid(
        ind_decisions_per_month=1000.0,
        simple_case_share=0.5,
        simple_case_effort=0.5,
        queue_discipline="simple_first",
        regular_backlog_cases=2000.0,
    )
    res = _run(cfg, 4000)
    # 2,000 simple cases at half effort take the first month
    assert res.paths["decisions"][0, 0] == pytest.approx(2000.0)
    assert res.paths["pending_regular"][0, 0] == pytest.approx(2000.0)


def test_reserved_capacity_goes_to_the_cohort_first():
    cfg = _fluid(ind_decisions_per_month=1000.0, regular_backlog_cases=5000.0, ind_tpd_reserved_share=0.3)
    res = _run(cfg, 3000)
    assert res.paths["decisions"][0, 0] == pytest.approx(300.0)
    assert res.paths["decisions_regular"][0, 0] == pytest.approx(700.0)


def test_withdrawals_and_departures_are_geometric():
    cfg = _fluid(ind_decisions_per_month=0.0, return_rate_per_month=0.02, departure_rate_per_month=0.01, n_months=24)
    res = _run(cfg, 10_000)
    stay = (1 - 0.02) * (1 - 0.01)
    assert res.paths["pending"][0] == pytest.approx(10_000 * stay ** np.arange(1, 25))
    ret = res.paths["withdrawn_return"][0].sum()
    dep = res.paths["departed"][0].sum()
    assert ret / dep == pytest.approx(2.0)


def test_permit_takers_withdraw_evenly_over_the_window():
    cfg = _fluid(
        ind_decisions_per_month=0.0,
        permit_uptake_share=0.6,
        permit_uptake_months=4,
        permit_capacity_per_month=1e6,
        n_months=10,
    )  # unlimited for 10,000 cases
    res = _run(cfg, 10_000)
    assert res.paths["withdrawn_permit"][0, :4] == pytest.approx([1500.0] * 4)
    assert res.paths["pending"][0, -1] == pytest.approx(4000.0)
    assert res.months_to_permits[0] == 4


def test_permit_processing_capacity_sets_the_finish():
    cfg = _fluid(
        ind_decisions_per_month=0.0,
        permit_uptake_share=1.0,
        permit_uptake_months=1,
        permit_capacity_per_month=2500.0,
        n_months=12,
    )
    res = _run(cfg, 10_000)
    assert res.paths["permits_issued"][0, :4] == pytest.approx([2500.0] * 4)
    assert res.months_to_permits[0] == 4


def test_late_decisions_and_penalty_schedule():
    cfg = _fluid(
        ind_decisions_per_month=1000.0, decision_term_months=6.0, notice_share=1.0, notice_lag_days=0.0, n_months=12
    )
    res = _run(cfg, 10_000)
    late = res.paths["late_decisions"][0]
    assert late[:6].sum() == 0 and late[6:10].sum() == pytest.approx(4000.0)
    # Awb art. 4:17: 14 days x 23 + 14 x 35 + 14 x 45 = 1,442 (cap)
    assert bl.penalty_per_case(14 + 42, cfg) == pytest.approx(1442.0)
    assert bl.penalty_per_case(14 + 20, cfg) == pytest.approx(14 * 23 + 6 * 35)
    assert bl.penalty_per_case(10.0, cfg) == 0.0
    amounts = bl.penalty_per_case((np.arange(12) + 0.5 - 6) * bl.DAYS_PER_MONTH, cfg)
    assert res.paths["penalty_eur"][0].sum() == pytest.approx(1000.0 * amounts[6:10].sum())
    abolished = _run(cfg.model_copy(update={"penalties_abolished": True}), 10_000)
    assert abolished.paths["penalty_eur"].sum() == 0
    assert abolished.paths["late_decisions"][0].sum() == pytest.approx(late.sum())


def test_term_over_21_months_is_rejected():
    with pytest.raises(ValueError, match="at most 21"):
        simple_backlog(decision_term_months=12, term_extension_months=15)


def test_appeals_departure_term_and_dtv():
    cfg = _fluid(
        ind_decisions_per_month=1000.0,
        grant_share=0.0,
        appeal_share=0.0,
        departure_term_months=2,
        dtv_cases_per_month=100.0,
        n_months=6,
    )
    res = _run(cfg, 1000)
    # 1,000 rejected in month 0, 2 months' departure term, DT&V from month 2 (end)
    assert res.paths["departure_term"][0, :2] == pytest.approx([1000, 1000])
    assert res.paths["dtv_caseload"][0] == pytest.approx([0, 0, 1000, 900, 800, 700])
    closed = sum(res.paths[n] for n in ("dtv_independent", "dtv_forced", "dtv_unsupervised", "dtv_other"))
    assert closed[0, 3] == pytest.approx(100.0)
    assert res.paths["dtv_unsupervised"][0, 3] == pytest.approx(36.0)


def test_shelter_entitled_is_persons_pending_appealing_or_in_term():
    cfg = _fluid(
        ind_decisions_per_month=500.0,
        persons_per_case=2.0,
        grant_share=0.5,
        appeal_share=1.0,
        appeal_months_mean=600.0,
        n_months=6,
    )  # (almost) never decided
    res = _run(cfg, 2000)  # 1,000 cases
    p = res.paths
    assert np.allclose(p["shelter_entitled"], 2.0 * (p["pending"] + p["appeals_pending"] + p["departure_term"]))
    assert p["shelter_entitled"][0, 0] == pytest.approx(2 * (500 + 250))


# --- conservation and Little's law ------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    cohort=st.floats(0, 200_000),
    uptake=st.floats(0, 1),
    ret=st.floats(0, 0.2),
    dep=st.floats(0, 0.1),
    cap=st.floats(0, 10_000),
    grant=st.floats(0, 1),
    appeal=st.floats(0, 1),
    term_months=st.integers(0, 3),
    discipline=st.sampled_from(["oldest_first", "simple_first", "newest_first", "proportional"]),
    reserved=st.floats(0, 1),
    seed=st.integers(0, 2**16),
)
def test_conservation_on_every_path(
    cohort, uptake, ret, dep, cap, grant, appeal, term_months, discipline, reserved, seed
):
    cfg = with_changes(
        params.load().backlog,
        **{
            "permit_uptake_share": {"kind": "uniform", "low": 0.0, "high": uptake},
            "return_rate_per_month": ret,
            "departure_rate_per_month": dep,
            "ind_decisions_per_month": cap,
            "grant_share": grant,
            "appeal_share": appeal,
            "departure_term_months": term_months,
            "queue_discipline": discipline,
            "ind_tpd_reserved_share": reserved,
        },
    )
    res = bl.simulate(np.full(20, cohort), cfg, rng=np.random.default_rng(seed), n_months=30)
    assert res.conservation_error() <= 1e-7 * max(cohort, 1.0)
    for name, path in res.paths.items():
        assert np.all(path >= -1e-7 * max(cohort, 1.0)), name
    assert np.all(res.paths["late_decisions"] <= res.paths["decisions"] + 1e-9)


def test_littles_law_on_the_cohort():
    # time-average stock = throughput x mean time in first instance, over a run in which
    # the cohort clears (L = lambda W for a closed batch: sum_t L_t = sum_cases W)
    cfg = params.load().backlog
    res = bl.simulate(np.full(200, 120_680.0), cfg, rng=np.random.default_rng(3), n_months=120)
    assert np.all(res.paths["pending"][:, -1] < 1e-6 * res.cohort_cases)
    # stock at the start of each month: the cohort, then the month-end stocks
    start = np.concatenate([res.cohort_cases[:, None], res.paths["pending"][:, :-1]], axis=1)
    area = start.sum(axis=1)  # case-months
    horizon = start.shape[1]
    throughput = res.cohort_cases / horizon  # cases/month
    lhs = area / horizon  # mean stock
    rhs = throughput * res.mean_wait_months()
    assert np.allclose(lhs, rhs, rtol=1e-9)


# --- Monte Carlo, common random numbers, contract --------------------------------------------


def test_same_seed_same_numbers_and_crn():
    cfg = params.load().backlog
    a = bl.simulate(np.full(100, 1e5), cfg, rng=np.random.default_rng(7), n_months=24)
    b = bl.simulate(np.full(100, 1e5), cfg, rng=np.random.default_rng(7), n_months=24)
    assert all(np.array_equal(a.paths[k], b.paths[k]) for k in a.paths)
    # fixing one parameter to another value leaves every other draw unchanged
    fixed = with_changes(cfg, permit_uptake_share=0.0)
    c = bl.simulate(np.full(100, 1e5), fixed, rng=np.random.default_rng(7), n_months=24)
    for name in bl.UNCERTAIN:
        if name != "permit_uptake_share":
            assert np.array_equal(a.parameters[name], c.parameters[name]), name
    assert np.array_equal(a.paths["ind_capacity"], c.paths["ind_capacity"])
    # more capacity never means a larger late share, path by path (common random numbers)
    more = cfg.model_copy(update={"ind_decisions_per_month": 4000.0})
    d = bl.simulate(np.full(100, 1e5), more, rng=np.random.default_rng(7), n_months=24)
    assert np.all(d.late_share() <= a.late_share() + 1e-9)
    assert np.mean(d.late_share()) < np.mean(a.late_share())


def test_parameter_draws_follow_their_distributions():
    cfg = params.load().backlog
    draws = bl.draw(20_000, 1, rng=np.random.default_rng(0))
    par = parameter_values(cfg, draws.uniforms)
    g = cfg.grant_share
    assert par["grant_share"].min() >= g.low and par["grant_share"].max() <= g.high
    assert np.mean(par["grant_share"]) == pytest.approx((g.low + g.high) / 2, abs=0.005)
    beta = cfg.permit_uptake_share  # centred on the 2024 precedent: 27 % continue
    assert np.mean(par["permit_uptake_share"]) == pytest.approx(beta.a / (beta.a + beta.b), abs=0.005)
    assert np.mean(par["permit_uptake_share"]) == pytest.approx(0.73, abs=0.005)
    ln = cfg.appeal_months_mean
    assert np.median(par["appeal_months_mean"]) == pytest.approx(ln.median, rel=0.02)


def test_out_of_range_distribution_is_a_parameter_error():
    # the schema refuses a share distribution reaching above 1 before any model runs
    with pytest.raises(ValueError, match=r"grant_share\n.*a share must lie from 0 to 1"):
        simple_backlog(grant_share={"kind": "uniform", "low": 0.5, "high": 1.5})
    with pytest.raises(ParameterError, match=r"backlog.grant_share = \{kind: 'uniform', low: 0.5, high: 1.5\}"):
        params.load(backlog__grant_share={"kind": "uniform", "low": 0.5, "high": 1.5})


def test_baseline_table_follows_the_contract():
    scn = params.load()
    res = bl.simulate(
        bl.cohort_at_tpd_end(None, scn.backlog, n_paths=200), scn.backlog, rng=np.random.default_rng(scn.meta.seed)
    )
    table = res.table()
    check_contract(table)
    assert list(table.columns) == list(CONTRACT_COLUMNS)
    assert set(table["variable"]) == set(bl.CONTRACT_VARIABLES)
    assert table["date"].min() == pd.Timestamp("2027-03-01")
    assert table["date"].nunique() == scn.backlog.n_months
    h = bl.headline(res)
    assert h["backlog_peak"] > 0 and h["penalty_eur_total"] >= 0
    assert set(bl.UNITS) >= set(res.paths) - {"departed_pending"}


def test_cohort_at_tpd_end_takes_the_forecast_month_or_the_fixed_number():
    dates = pd.date_range("2025-04-01", periods=30, freq="MS")
    reg = np.arange(2 * 30, dtype=float).reshape(2, 30) + 100_000
    pop = PopulationPaths(
        dates=dates,
        arrivals=np.zeros((2, 30)),
        departures=np.zeros((2, 30)),
        registered=reg,
        jump_off_date=pd.Timestamp("2025-03-01"),
        jump_off_registered=120_000.0,
    )
    cfg = simple_backlog(tpd_end_date=dt.date(2026, 3, 4), cohort_persons=99.0)
    got = bl.cohort_at_tpd_end(pop, cfg)  # end of Feb 2026 = index 10
    assert np.array_equal(got, reg[:, 10])
    late = cfg.model_copy(update={"tpd_end_date": dt.date(2030, 3, 4)})
    assert np.array_equal(bl.cohort_at_tpd_end(pop, late), [99.0, 99.0])
    off = cfg.model_copy(update={"use_forecast_cohort": False})
    assert np.array_equal(bl.cohort_at_tpd_end(pop, off), [99.0, 99.0])
    jump = cfg.model_copy(update={"tpd_end_date": dt.date(2025, 4, 4)})
    assert np.array_equal(bl.cohort_at_tpd_end(pop, jump), [120_000.0, 120_000.0])


def test_capacity_series_and_ramp():
    cfg = simple_backlog(ind_decisions_per_month=1000, ind_ramp_target_per_month=2000, ind_ramp_months=4)
    assert bl.planned_capacity(cfg, 6) == pytest.approx([1250, 1500, 1750, 2000, 2000, 2000])
    series = cfg.model_copy(update={"ind_capacity_series": (5.0, 6.0)})
    assert bl.planned_capacity(series, 4) == pytest.approx([5, 6, 6, 6])


# --- solver and policy comparison ------------------------------------------------------


def test_solver_finds_the_fluid_capacity():
    # no randomness: 12,000 cases within a 6-month term -> 2,000 decisions a month
    cfg = _fluid(
        decision_term_months=6.0,
        target_late_share=0.0,
        target_probability=1.0,
        n_months=24,
        dtv_target_caseload=0.0,
        dtv_target_months=24,
    )
    table = bl.solve_capacity(np.full(5, 12_000.0), cfg, rng=np.random.default_rng(0), ramp_months=(0,), tol=1.0)
    ind = table.loc[table["service"] == "IND"].iloc[0]
    assert ind["capacity_per_month"] == pytest.approx(2000.0, abs=1.0)
    assert ind["probability_reached"] == 1.0
    assert set(table["service"]) == {"IND", "DT&V", "IND cohort priority", "IND regular stream"}


def test_solver_answer_meets_the_target_on_crn():
    scn = params.load()
    cfg = scn.backlog
    cohort = np.full(150, cfg.cohort_persons)
    table = bl.solve_capacity(cohort, cfg, rng=np.random.default_rng(1), n_months=48, ramp_months=(0,), tol=20.0)
    need = table.loc[table["service"] == "IND", "capacity_per_month"].iloc[0]
    assert np.isfinite(need)
    draws = bl.draw(150, 48, rng=np.random.default_rng(1))
    ok = bl.run(cohort, cfg.model_copy(update={"ind_decisions_per_month": need}), draws)
    short = bl.run(cohort, cfg.model_copy(update={"ind_decisions_per_month": need - 40}), draws)
    assert np.mean(ok.late_share() <= cfg.target_late_share) >= cfg.target_probability
    assert np.mean(short.late_share() <= cfg.target_late_share) < cfg.target_probability


def test_compare_policies_table():
    scn = params.load()
    table = bl.compare_policies(
        np.full(100, scn.backlog.cohort_persons), scn.backlog, rng=np.random.default_rng(2), n_months=36
    )
    assert len(table) == len(bl.default_policies(scn.backlog))
    row = table.set_index("policy")
    assert row.loc["as configured", "late_decisions_vs_first"] == 0
    # everyone restarting leaves a larger backlog than an 85-98 % permit uptake
    assert (
        row.loc["all applications restart", "backlog_peak"] > row.loc["permit, high uptake (85-98 %)", "backlog_peak"]
    )
    assert row.loc["penalties abolished", "penalty_eur"] == 0


def test_scenario_files_load_and_differ():
    files = {f.stem: f for f in params.scenario_files(include_baseline=False)}
    for name in (
        "tpd_extended_2028",
        "tpd_all_restart_2027",
        "permit_high_uptake",
        "permit_precedent_2024",
        "return_ceasefire",
        "plan_delayed",
        "ceasefire_tpd_ends_early",
    ):
        assert name in files, name
    r27 = params.load(files["tpd_all_restart_2027"]).backlog
    assert r27.tpd_end_date == dt.date(2027, 3, 4) and r27.permit_uptake_share.central == 0
    assert params.load(files["tpd_extended_2028"]).backlog.tpd_end_date == dt.date(2028, 3, 4)
    early = params.load(files["ceasefire_tpd_ends_early"])
    assert early.backlog.tpd_end_date == dt.date(2027, 10, 4) and early.forecast.shocks  # the ceasefire moves it
    ret = params.load(files["return_ceasefire"])
    assert ret.backlog.return_rate_per_month.central > params.load().backlog.return_rate_per_month.central
    assert ret.forecast == params.load(files["ceasefire"]).forecast  # extends the ceasefire


def test_months_to_clear_table_is_a_distribution():
    cfg = params.load().backlog
    res = bl.simulate(np.full(50, 1e5), cfg, rng=np.random.default_rng(4), n_months=40)
    table = bl.months_to_clear_table(res)
    assert len(table) == 41 and table["date"].iloc[0] == pd.Timestamp("2027-03-01")
    for col in ("share_cleared", "share_permits_done"):
        assert table[col].is_monotonic_increasing and table[col].between(0, 1).all()
    k = int(np.median(res.months_to_clear[np.isfinite(res.months_to_clear)]))
    assert table.loc[k, "share_cleared"] >= 0.5 - 1e-9


@settings(max_examples=30, deadline=None)
@given(b0=st.floats(1_000, 200_000), cap=st.floats(2_000, 5_000), frac=st.floats(0, 0.8))
def test_fluid_limit_property(b0, cap, frac):
    lam = frac * cap
    expected = b0 / (cap - lam)
    cfg = _fluid(
        ind_decisions_per_month=cap,
        regular_inflow_per_year=12 * lam,
        queue_discipline="newest_first",
        n_months=int(np.ceil(expected)) + 2,
    )
    res = _run(cfg, b0, n_paths=1)
    assert res.months_to_clear[0] == pytest.approx(np.ceil(expected - 1e-9), abs=1)
    # the stock after k full months is exactly B0 - k (C - lam)
    k = max(int(np.floor(expected - 1e-9)) - 1, 0)
    assert res.paths["pending"][0, k] == pytest.approx(max(b0 - (k + 1) * (cap - lam), 0.0), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(
    "bad",
    [
        {"ind_capacity_series": []},
        {"regular_inflow_series": [100, -1]},
        {"penalty_eur_per_day": [23, -35]},
        {"queue_discipline": "random"},
        {"grant_share": {"kind": "triangular", "low": 0.5, "mode": 0.2, "high": 0.9}},
    ],
)
def test_bad_backlog_parameters_fail_with_the_key(bad):
    key = next(iter(bad))
    with pytest.raises(ParameterError, match=key):
        params.load(**{f"backlog__{k}": v for k, v in bad.items()})


# --- one departure process with the forecast ----------------------------------------------


def _rate_pop(n: int = 3, h: int = 30) -> PopulationPaths:
    """Paths whose departure rate is 0.005 + 0.0005 x month + 0.001 x path (known by construction)."""
    dates = pd.date_range("2025-04-01", periods=h, freq="MS")
    rate = 0.005 + 0.0005 * np.arange(h)[None, :] + 0.001 * np.arange(n)[:, None]
    reg = np.full((n, h), 100_000.0)
    return PopulationPaths(
        dates=dates,
        arrivals=rate * 100_000.0,
        departures=rate * 100_000.0,
        registered=reg,
        jump_off_date=pd.Timestamp("2025-03-01"),
        jump_off_registered=100_000.0,
    )


def test_forecast_departure_rates_align_on_calendar_months_and_carry_the_last():
    pop = _rate_pop()
    cfg = simple_backlog(tpd_end_date=dt.date(2026, 3, 4), n_months=40)  # March 2026 = index 11
    got = bl.forecast_departure_rates(pop, cfg)
    assert got.shape == (3, 40)
    np.testing.assert_allclose(got[:, :19], pop.departure_rates[:, 11:])
    np.testing.assert_allclose(got[:, 19:], pop.departure_rates[:, -1:] * np.ones((1, 21)))
    early = cfg.model_copy(update={"tpd_end_date": dt.date(2025, 1, 1)})  # before the forecast
    np.testing.assert_allclose(bl.forecast_departure_rates(pop, early, n_months=3)[:, 0], pop.departure_rates[:, 0])


def test_cohort_leaves_at_the_given_rates_not_the_parameter():
    pop = _rate_pop()
    cfg = _fluid(
        ind_decisions_per_month=0.0, departure_rate_per_month=0.05, n_months=24, tpd_end_date=dt.date(2026, 3, 4)
    )
    rates = bl.forecast_departure_rates(pop, cfg)
    res = bl.simulate(np.full(3, 10_000.0), cfg, rng=np.random.default_rng(0), departure_rates=rates)
    np.testing.assert_allclose(res.paths["departure_rate"], rates)
    expected = 10_000.0 * np.cumprod(1 - rates, axis=1)
    np.testing.assert_allclose(res.paths["pending"], expected)
    # without paths (standalone use) the parameter is the fallback
    alone = bl.simulate(np.full(3, 10_000.0), cfg, rng=np.random.default_rng(0))
    np.testing.assert_allclose(alone.paths["departure_rate"], 0.05)
    with pytest.raises(ParameterError, match="departure_rates"):
        bl.simulate(np.full(3, 10_000.0), cfg, rng=np.random.default_rng(0), departure_rates=np.full((3, 5), 0.01))
