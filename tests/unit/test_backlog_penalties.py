"""Penalties as the law counts them: every case pending past its term, cohort and regular."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.simple_params import simple_backlog

from capacity import backlog as bl
from capacity import params
from capacity.backlog.parameters import with_changes
from capacity.params.backlog import BacklogConfig

pytestmark = pytest.mark.unit


def _cfg(**kw) -> BacklogConfig:
    base = dict(
        n_paths=3,
        n_months=12,
        ind_decisions_per_month=0.0,
        regular_inflow_per_year=0.0,
        regular_backlog_cases=0.0,
        grant_share=1.0,
        notice_share=0.5,
        notice_lag_days=7.0,
        decision_term_months=6.0,
        regular_term_months=6.0,
    )
    base.update(kw)
    return simple_backlog(**base)


def _run(cfg: BacklogConfig, cohort: float, n_paths: int = 3, seed: int = 0):
    return bl.simulate(np.full(n_paths, cohort), cfg, rng=np.random.default_rng(seed))


def test_cohort_cases_never_decided_run_up_the_capped_penalty():
    # no capacity: nothing is decided, yet every case waits 6 months past its term
    res = _run(_cfg(), 10_000)
    assert res.paths["late_decisions"].sum() == 0
    assert res.paths["penalty_eur"][0].sum() == pytest.approx(0.5 * 10_000 * 1442.0)
    assert res.paths["overdue_pending"][0, -1] == pytest.approx(10_000)
    assert res.paths["overdue_pending"][0, :5].sum() == 0  # month 6 ends at the term


def test_regular_cases_pending_past_their_term_run_up_penalties():
    # 6,000 regular cases lodged just before the start, no capacity, 12 months: all capped
    res = _run(_cfg(regular_backlog_cases=6000.0, regular_backlog_age_months=0.01), 0.0)
    assert res.paths["penalty_eur_regular"][0].sum() == pytest.approx(0.5 * 6000 * 1442.0)
    assert res.paths["overdue_regular"][0, -1] == pytest.approx(6000)
    assert res.paths["late_decisions_regular"].sum() == 0
    assert res.penalty_total()[0] == pytest.approx(0.5 * 6000 * 1442.0)


def test_a_decided_case_pays_the_schedule_at_its_decision():
    # 1,000 decisions a month from a 10,000 cohort: cases decided in months 6-9 pay the
    # schedule at mid-month, the rest nothing (the run-up while pending adds up to it)
    cfg = _cfg(ind_decisions_per_month=1000.0, notice_share=1.0, notice_lag_days=0.0)
    res = _run(cfg, 10_000)
    amounts = bl.penalty_per_case((np.arange(12) + 0.5 - 6) * bl.DAYS_PER_MONTH, cfg)
    assert res.paths["penalty_eur"][0].sum() == pytest.approx(1000 * amounts[6:10].sum())


def test_regular_queue_is_served_oldest_first_and_conserved():
    cfg = _cfg(
        ind_decisions_per_month=1000.0,
        regular_backlog_cases=3000.0,
        regular_inflow_per_year=6000.0,
        regular_backlog_age_months=12.0,
    )
    res = _run(cfg, 0.0)
    p = res.paths
    inflow = np.cumsum(p["regular_inflow"], axis=1)
    decided = np.cumsum(p["decisions_regular"], axis=1)
    assert np.allclose(p["pending_regular"], 3000 + inflow - decided)
    # the initial stock (ages up to 12 months, all past 6 months after month 6) is
    # decided first, in months 0-2 (24 columns of 125 cases, ages 11.75, 11.25, ..., 0.25);
    # a column of age a decided in month k is late when a + k + 0.5 > 6: 8 columns in
    # month 0, 7 in month 1 (ages >= 4.75) and 1 in month 2 (age 3.75)
    assert p["decisions_regular"][0, :3] == pytest.approx([1000.0] * 3)
    assert p["late_decisions_regular"][0, :3] == pytest.approx([1000.0, 875.0, 125.0])
    # then the inflow of 500 a month is decided in its own month: never late
    assert p["late_decisions_regular"][0, 4:].sum() == pytest.approx(0.0, abs=1e-9)


def test_a_queue_that_never_decides_the_cohort_has_exposure():
    # newest first with inflow at capacity: the cohort is never decided but pays penalties
    cfg = _cfg(
        ind_decisions_per_month=2000.0,
        regular_inflow_per_year=24_000.0,
        queue_discipline="newest_first",
        n_months=36,
        decision_term_months=21.0,
        term_extension_months=0.0,
    )
    res = _run(cfg, 50_000)
    assert res.paths["late_decisions"].sum() == pytest.approx(0.0, abs=1e-6)
    assert np.all(res.paths["penalty_eur"].sum(axis=1) > 0)
    assert np.all(res.paths["overdue_pending"][:, -1] > 40_000)


@pytest.mark.parametrize("discipline", ["oldest_first", "newest_first", "simple_first", "proportional"])
def test_exposure_never_decreases_when_capacity_is_cut(discipline):
    cfg = with_changes(params.load().backlog, queue_discipline=discipline, n_months=48)
    cohort = np.full(200, 120_000.0)
    draws = bl.draw(200, 48, rng=np.random.default_rng(7))
    totals = [
        bl.run(cohort, with_changes(cfg, ind_decisions_per_month=c), draws).penalty_total()
        for c in (4000.0, 3000.0, 2640.0, 2000.0, 1000.0)
    ]
    for more, less in zip(totals, totals[1:], strict=False):
        assert np.all(less >= more - 1e-6 * np.maximum(more, 1.0))
    assert np.all(totals[-1] > totals[0])


def test_penalties_by_year_add_up_and_zeros_are_zeros():
    cfg = params.load().backlog
    res = bl.simulate(np.full(300, 120_000.0), cfg, rng=np.random.default_rng(3))
    table = res.penalties_by_year()
    assert set(table["stream"]) == {"cohort", "regular", "total"}
    assert table.groupby("stream")["months"].sum().eq(cfg.n_months).all()
    # per path the years add up to the run's total (checked on the medians' ingredients)
    years = res.dates.year.to_numpy()
    per_year = np.stack([res.paths["penalty_eur_regular"][:, years == y].sum(axis=1) for y in np.unique(years)], axis=1)
    assert np.allclose(per_year.sum(axis=1), res.paths["penalty_eur_regular"].sum(axis=1))
    # no denormals (the old p10 of penalties was 3.4e-321): zeros are exact zeros
    for name, x in res.paths.items():
        tiny = (np.abs(x) > 0) & (np.abs(x) < np.finfo(float).tiny)
        assert not tiny.any(), f"{name} holds values like {x[tiny][:3]}"


def test_any_legal_term_reads_off_the_same_paths():
    cfg = params.load().backlog
    res = bl.simulate(np.full(200, 120_000.0), cfg, rng=np.random.default_rng(5))
    same = res.cohort_under_term(cfg.term_months)
    p = res.paths
    assert np.allclose(same["penalty_eur"], p["penalty_eur"].sum(axis=1))
    assert np.allclose(same["late_decisions"], p["late_decisions"].sum(axis=1))
    assert np.allclose(same["overdue_pending_end"], p["overdue_pending"][:, -1])
    assert np.allclose(same["late_share"], res.late_share())
    # a shorter term never makes fewer late decisions or lower penalties
    short = res.cohort_under_term(6.0)
    assert np.all(short["late_decisions"] >= same["late_decisions"] - 1e-9)
    assert np.all(short["penalty_eur"] >= same["penalty_eur"] - 1e-6)
    assert np.median(short["penalty_eur"]) > np.median(same["penalty_eur"])
