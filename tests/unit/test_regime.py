"""The TPD end as a change of regime: TP arrivals stop, later arrivals seek asylum, the ledger sums."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.simple_params import simple_backlog

from capacity import backlog, params
from capacity.forecast.paths import PopulationPaths, simulate_stock
from capacity.forecast.regime import split_at_tpd_end, tpd_end_month
from capacity.params.backlog import BacklogConfig
from capacity.params.base import Distribution
from capacity.params.shelter import ShelterConfig
from capacity.shelter import ShelterResult
from capacity.shelter.destinations import HomeExits, share_in_shelter_at

pytestmark = pytest.mark.unit

START = pd.Timestamp("2026-01-01")


def _paths(n: int = 20, h: int = 36, seed: int = 0, residual: bool = True) -> PopulationPaths:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=h, freq="MS")
    arrivals = rng.uniform(1500, 3000, (n, h))
    rate = rng.uniform(0.005, 0.02, (n, h))
    departures, registered, res = simulate_stock(arrivals, rate, 130_000.0)
    if residual:  # a residual beyond grants minus departures, as the state-space paths carry
        registered = registered * np.exp(np.cumsum(rng.normal(0, 0.02 / np.sqrt(h), (n, h)), axis=1))
        previous = np.concatenate([np.full((n, 1), 130_000.0), registered[:, :-1]], axis=1)
        departures = rate * previous
        res = registered - previous - arrivals + departures
    return PopulationPaths(dates, arrivals, departures, registered, START - pd.DateOffset(months=1), 130_000.0, res)


def _cfg(**kw) -> BacklogConfig:
    base = dict(tpd_end_date="2027-03-04", post_tpd_asylum_share=0.5)
    base.update(kw)
    return simple_backlog(**base)


def test_no_tp_arrivals_from_the_tpd_end_month_and_the_identity_holds():
    pop = _paths()
    split = split_at_tpd_end(pop, _cfg(), rng=np.random.default_rng(1))
    k = split.switch_index
    assert pop.dates[k] == tpd_end_month(_cfg()) == pd.Timestamp("2027-03-01")
    assert np.all(split.population.arrivals[:, k:] == 0)
    assert np.array_equal(split.population.arrivals[:, :k], pop.arrivals[:, :k])
    assert np.array_equal(split.population.registered[:, :k], pop.registered[:, :k])
    assert split.population.identity_error() < 1e-6
    # without arrivals, the registered fall from the TPD end on
    assert np.all(split.population.registered[:, k:] < pop.registered[:, k:])


def test_post_tpd_arrivals_are_the_forecast_arrivals_at_the_asylum_share():
    pop = _paths()
    split = split_at_tpd_end(pop, _cfg(post_tpd_asylum_share=0.3), rng=None)
    k = split.switch_index
    assert np.all(split.asylum_arrivals[:, :k] == 0)
    assert split.asylum_arrivals[:, k:] == pytest.approx(0.3 * pop.arrivals[:, k:])


def test_asylum_arrivals_on_backlog_months_carry_the_last_month_past_the_horizon():
    pop = _paths(h=24)  # to 2027-12
    split = split_at_tpd_end(pop, _cfg(), rng=None)
    on = split.asylum_on(pd.Timestamp("2027-03-01"), 20)
    assert on[:, 0] == pytest.approx(split.asylum_arrivals[:, split.switch_index])
    assert on[:, -1] == pytest.approx(split.asylum_arrivals[:, -1])
    before = split.asylum_on(pd.Timestamp("2025-11-01"), 3)
    assert np.all(before[:, :2] == 0)


def test_pull_forward_keeps_the_people_and_moves_them_before_the_cut_off():
    pop = _paths(residual=False)
    cfg = _cfg(pull_forward_share=0.4, pull_forward_months=3, post_tpd_asylum_share=1.0)
    split = split_at_tpd_end(pop, cfg, rng=None)
    k = split.switch_index
    tp = split.population.arrivals.sum(axis=1) + split.asylum_arrivals.sum(axis=1)
    assert tp == pytest.approx(pop.arrivals.sum(axis=1))
    assert np.all(split.population.arrivals[:, k - 3 : k] > pop.arrivals[:, k - 3 : k])
    assert split.population.identity_error() < 1e-6


def test_departure_pulse_leaves_in_the_tpd_end_month():
    pop = _paths(residual=False)
    plain = split_at_tpd_end(pop, _cfg(), rng=None).population
    pulsed = split_at_tpd_end(pop, _cfg(tpd_end_departure_pulse=0.1), rng=None)
    k = pulsed.switch_index
    extra = pulsed.population.departures[:, k] - plain.departures[:, k]
    assert extra == pytest.approx(0.1 * plain.registered[:, k - 1])


def test_a_tpd_end_after_the_horizon_changes_nothing():
    pop = _paths(h=12)
    split = split_at_tpd_end(pop, _cfg(), rng=None)
    assert split.population is pop and not split.asylum_arrivals.any()


def test_share_in_shelter_at_the_month_before_the_tpd_end():
    dates = pd.date_range("2027-01-01", periods=4, freq="MS")
    in_shelter = np.array([[50.0, 60.0, 70.0, 80.0]])
    registered = np.full((1, 4), 100.0)
    assert share_in_shelter_at(in_shelter, registered, dates, pd.Timestamp("2027-03-01")) == [0.6]


# --- documents never enter the IND queue ----------------------------------------------------


def test_document_takers_are_never_in_the_ind_queue_nor_decided():
    cfg = simple_backlog(
        permit_uptake_share=1.0,
        permit_uptake_months=3.0,
        n_months=12,
        ind_decisions_per_month=5000.0,
        regular_backlog_cases=0.0,
    )
    res = backlog.simulate(np.full(3, 10_000.0), cfg, rng=np.random.default_rng(0))
    assert res.paths["pending"].max() == 0
    assert res.paths["decisions"].sum() == 0
    assert res.paths["shelter_entitled"].max() == 0
    assert res.conservation_error() < 1e-6


def test_only_continuing_cases_enter_the_queue():
    cfg = simple_backlog(
        permit_uptake_share=0.73,
        persons_per_case=1.25,
        n_months=6,
        ind_decisions_per_month=0.0,
        return_rate_per_month=0.0,
    )
    res = backlog.simulate(np.full(2, 10_000.0), cfg, rng=np.random.default_rng(0), departure_rates=np.zeros((2, 6)))
    assert res.paths["pending"][:, 0] == pytest.approx(0.27 * 10_000 / 1.25)
    assert res.paths["shelter_entitled"][:, 0] == pytest.approx(0.27 * 10_000)


def test_issuing_capacity_counts_persons():
    cfg = simple_backlog(
        permit_uptake_share=1.0,
        permit_uptake_months=1.0,
        persons_per_case=2.0,
        permit_capacity_per_month=1000.0,
        n_months=6,
        ind_decisions_per_month=0.0,
    )
    res = backlog.simulate(np.full(1, 4000.0), cfg, rng=np.random.default_rng(0), departure_rates=np.zeros((1, 6)))
    persons = res.paths["permits_issued"][0] * 2.0
    assert persons[:4] == pytest.approx([1000.0] * 4)


def test_post_tpd_arrivals_join_the_regular_inflow():
    cfg = simple_backlog(n_months=4, regular_inflow_per_year=0.0, regular_inflow_noise_sd=0.0)
    extra = np.full((2, 4), 500.0)
    res = backlog.simulate(np.full(2, 1000.0), cfg, rng=np.random.default_rng(0), extra_regular_inflow=extra)
    assert res.paths["regular_inflow"] == pytest.approx(extra)


# --- the ledger ------------------------------------------------------------------------------


def _ledger(
    cfg: BacklogConfig, pop: PopulationPaths, seed: int = 0, share: float = 0.78, housing_cap: float | None = None
):
    rng = np.random.default_rng(seed)
    split = split_at_tpd_end(pop, cfg, rng=rng)
    cohort = backlog.cohort_at_tpd_end(split.population, cfg)
    rates = backlog.forecast_departure_rates(split.population, cfg)
    post = split.asylum_on(tpd_end_month(cfg), cfg.n_months)
    bl = backlog.simulate_after_tpd(
        cohort * (1 - split.pulse_share), cfg, rng=rng, departure_rates=rates, post_tpd_arrivals=post
    )
    return backlog.build_ledger(
        bl,
        cfg,
        cohort=cohort,
        arrivals=post,
        in_shelter_share=np.full(pop.n_paths, share),
        departure_rates=rates,
        rng=rng,
        housing_cap=housing_cap,
    )


def _check(ledger) -> None:
    assert list(ledger.stocks) == list(backlog.STATES)
    assert ledger.conservation_error() < 1e-6 * max(1.0, float(ledger.expected_total().max()))
    for state, x in ledger.stocks.items():
        assert x.min() >= -1e-6, state
    assert np.all(np.diff(ledger.stocks["left_nl"], axis=1) >= -1e-6)


@pytest.mark.parametrize("path", params.scenario_files(), ids=lambda p: p.stem)
def test_ledger_conserves_people_on_every_path_of_every_shipped_scenario(path):
    scn = params.load(path)
    cfg = scn.backlog.model_copy(update={"n_paths": 8})
    _check(_ledger(cfg, _paths(n=8, h=40)))


@settings(max_examples=25, deadline=None)
@given(
    uptake=st.floats(0, 1),
    ppc=st.floats(1, 2),
    pulse=st.floats(0, 0.5),
    asylum=st.floats(0, 1),
    housing=st.floats(0, 1),
    cap=st.floats(0, 20_000),
    work=st.floats(0, 0.7),
    ret=st.floats(0, 0.3),
    months=st.integers(1, 70),
    seed=st.integers(0, 10_000),
)
def test_ledger_conserves_people_under_any_parameters(
    uptake, ppc, pulse, asylum, housing, cap, work, ret, months, seed
):
    cfg = _cfg(
        permit_uptake_share=uptake,
        persons_per_case=ppc,
        tpd_end_departure_pulse=pulse,
        post_tpd_asylum_share=asylum,
        document_housing_rate_per_month=housing,
        permit_capacity_per_month=cap,
        expiry_work_study_share=work,
        expiry_return_share=ret,
        document_months=months,
        n_months=48,
        regular_backlog_cases=20_000.0,
        regular_inflow_per_year=24_000.0,
        grant_share=0.5,
        appeal_share=0.5,
    )
    _check(_ledger(cfg, _paths(n=4, h=40, seed=seed), seed=seed))


def test_at_expiry_every_document_holder_takes_a_branch():
    cfg = _cfg(
        permit_uptake_share=1.0,
        document_months=24,
        n_months=30,
        expiry_work_study_share=0.5,
        expiry_asylum_share=0.2,
        expiry_return_share=0.2,
    )
    ledger = _ledger(cfg, _paths(n=4, h=40))
    e = ledger.expiry_index
    assert ledger.dates[e] == pd.Timestamp("2029-03-01")
    held = ledger.flows["expired"][:, e]
    assert held.min() > 0
    assert ledger.stocks["document_in_shelter"][:, e:].max() == 0
    assert ledger.stocks["document_housed"][:, e:].max() == 0
    assert ledger.stocks["expired_work_study"][:, e] == pytest.approx(0.5 * held)
    assert ledger.stocks["expired_no_status"][:, e] == pytest.approx(0.1 * held)


def test_ledger_table_has_a_row_per_state_and_month():
    cfg = _cfg(n_months=12)
    ledger = _ledger(cfg, _paths(n=4, h=30))
    table = ledger.table()
    assert {"state", "date", "mean", "q0.50"} <= set(table.columns)
    assert len(table) == 12 * len(backlog.STATES)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_ledger_chart_stacks_every_state_and_marks_the_expiry(language):
    from capacity.report import ledger as rl

    ledger = _ledger(_cfg(n_months=48), _paths(n=4, h=40))
    fig = rl.ledger_chart(ledger, language=language)
    assert len(fig.data) == len(backlog.STATES)
    assert all(trace.stackgroup == "one" for trace in fig.data)
    assert fig.layout.shapes and fig.layout.annotations  # the document's expiry
    stacked = sum(np.asarray(trace.y) for trace in fig.data)
    assert stacked == pytest.approx(ledger.expected_total().mean(axis=0))
    assert len(rl.ledger_chart(None, language=language).data) == 0


def test_issuing_before_the_tpd_end_shortens_the_wait_for_the_document():
    base = dict(
        permit_uptake_share=1.0,
        permit_uptake_months=1.0,
        persons_per_case=1.0,
        permit_capacity_per_month=1000.0,
        n_months=8,
        ind_decisions_per_month=0.0,
    )
    plain = backlog.simulate(
        np.full(1, 5000.0), simple_backlog(**base), rng=np.random.default_rng(0), departure_rates=np.zeros((1, 8))
    )
    early = backlog.simulate(
        np.full(1, 5000.0),
        simple_backlog(**base, document_issue_lead_months=3),
        rng=np.random.default_rng(0),
        departure_rates=np.zeros((1, 8)),
    )
    assert plain.paths["permits_issued"][0, :5] == pytest.approx([1000.0] * 5)
    assert early.paths["permits_issued"][0, :2] == pytest.approx([4000.0, 1000.0])
    assert early.without_document().max() < plain.without_document().max()


def test_new_asylum_applications_at_expiry_join_the_ind_inflow_and_are_decided():
    cfg = _cfg(
        permit_uptake_share=1.0,
        document_months=24,
        n_months=40,
        expiry_asylum_share=0.6,
        regular_inflow_noise_sd=0.0,
        regular_inflow_per_year=12_000.0,
        regular_backlog_cases=1000.0,
        ind_decisions_per_month=3000.0,
    )
    pop = _paths(n=4, h=40)
    ledger = _ledger(cfg, pop)
    e = ledger.expiry_index
    applications = ledger.flows["expired_asylum_applications"]
    assert applications[:, e].min() > 0 and applications[:, :e].max() == 0
    # the same applications, computed apart from the ledger, are in the IND's regular inflow
    split = split_at_tpd_end(pop, cfg, rng=np.random.default_rng(0))
    rates = backlog.forecast_departure_rates(split.population, cfg)
    post = split.asylum_on(tpd_end_month(cfg), cfg.n_months)
    cohort = backlog.cohort_at_tpd_end(split.population, cfg)
    bl = backlog.simulate_after_tpd(
        cohort, cfg, rng=np.random.default_rng(0), departure_rates=rates, post_tpd_arrivals=post
    )
    assert bl.paths["regular_inflow"][:, e] == pytest.approx(
        1000.0 + post[:, e] + backlog.expiry_asylum_applications(bl, cfg, departure_rates=rates)[:, e]
    )
    decided = ledger.stocks["expired_asylum_granted"] + ledger.stocks["expired_asylum_refused"]
    assert decided[:, -1].min() > 0


def test_ledger_moves_to_housing_keep_to_the_shelter_models_housing_cap():
    """Issue 25: document holders leave (fallback) shelter for a home no faster than the homes
    available a month, the cap the shelter model uses (shelter.housing_supply_per_month)."""
    scn = params.load()
    cap = scn.shelter.housing_supply_per_month
    pop = _paths()
    free, capped = _ledger(scn.backlog, pop), _ledger(scn.backlog, pop, housing_cap=cap)
    _check(capped)
    assert capped.flows["moved_to_housing"].max() <= cap + 1e-6
    assert free.flows["moved_to_housing"].max() > cap  # the cap binds on this population


def _ledger_with_homes(cfg: BacklogConfig, pop: PopulationPaths, homes: HomeExits, share: float = 0.78):
    rng = np.random.default_rng(0)
    split = split_at_tpd_end(pop, cfg, rng=rng)
    cohort = backlog.cohort_at_tpd_end(split.population, cfg)
    rates = backlog.forecast_departure_rates(split.population, cfg)
    post = split.asylum_on(tpd_end_month(cfg), cfg.n_months)
    bl = backlog.simulate_after_tpd(
        cohort * (1 - split.pulse_share), cfg, rng=rng, departure_rates=rates, post_tpd_arrivals=post
    )
    return backlog.build_ledger(
        bl,
        cfg,
        cohort=cohort,
        arrivals=post,
        in_shelter_share=np.full(pop.n_paths, share),
        departure_rates=rates,
        rng=rng,
        homes=homes,
    ), rates


def test_ledger_takes_the_shelter_models_exit_to_a_home():
    """One source of the shelter-to-home rate: with the shelter model's hazards (by work) and
    housing cap, the ledger's document holders in shelter move home as the shelter model's do."""
    cfg = params.load().backlog.model_copy(update={"n_paths": 4})
    pop, n = _paths(n=4, h=40), 4
    # equal hazards and work share 1: the same as the ledger's own single rate and cap
    same = HomeExits(employed_share=1.0, rate_employed=np.full(n, 0.05), rate_other=np.full(n, 0.05), cap=1500.0)
    via_homes, _ = _ledger_with_homes(cfg, pop, same)
    own = _ledger(
        cfg.model_copy(update={"document_housing_rate_per_month": Distribution(value=0.05)}), pop, housing_cap=1500.0
    )
    np.testing.assert_allclose(via_homes.flows["moved_to_housing"], own.flows["moved_to_housing"])
    # the shelter model's two hazards: the first month's moves are the work-weighted mix, not the own rate
    homes = ShelterResult.home_exits(
        SimpleNamespace(
            cfg=ShelterConfig(),
            rates={"home_exit_rate_employed": np.full(n, 0.06), "home_exit_rate_other": np.full(n, 0.02)},
        )
    )
    assert (homes.employed_share, homes.cap) == (0.59, 2000.0)
    ledger, rates = _ledger_with_homes(cfg, pop, replace(homes, cap=np.inf))
    _check(ledger)
    held = ledger.stocks["document_in_shelter"]
    t = int(np.flatnonzero(held[0] > 0)[0]) + 1  # the month after the first holders entered shelter
    mix = 0.59 * 0.06 + 0.41 * 0.02
    np.testing.assert_allclose(ledger.flows["moved_to_housing"][:, t], mix * (1 - rates[:, t]) * held[:, t - 1])
    capped, _ = _ledger_with_homes(cfg, pop, homes)
    assert capped.flows["moved_to_housing"].max() <= 2000.0 + 1e-6
