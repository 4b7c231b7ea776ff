"""Policy costs the IND and the ministry can sign: parts that add up, feasibility, no inf/nan."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from tests.unit.simple_params import simple_backlog

from capacity import backlog as bl
from capacity.backlog.parameters import DAYS_PER_MONTH
from capacity.backlog.policies import policy_costs, rank_by_cost
from capacity.errors import ParameterError
from capacity.params.backlog import BacklogConfig

pytestmark = pytest.mark.unit


def _cfg(**kw) -> BacklogConfig:
    base = dict(
        n_paths=4,
        n_months=24,
        ind_decisions_per_month=2000.0,
        regular_inflow_per_year=0.0,
        regular_backlog_cases=0.0,
        grant_share=1.0,
        permit_uptake_share=0.0,
        return_rate_per_month=0.0,
        departure_rate_per_month=0.0,
        clear_threshold_cases=1.0,
    )
    base.update(kw)
    return simple_backlog(**base)


def _numbers_are_finite(table: pd.DataFrame) -> bool:
    numbers = table.select_dtypes(include=["number", "bool"]).to_numpy(dtype=float)
    return bool(np.all(np.isfinite(numbers)))


def test_reception_cost_is_persons_times_days_times_rate():
    cfg = _cfg(coa_eur_per_person_day=50.0, staff_eur_per_decision=0.0, notice_share=0.0)
    res = bl.simulate(np.full(4, 10_000.0), cfg, rng=np.random.default_rng(0))
    cost = policy_costs(res)
    expected = res.paths["shelter_entitled"].sum(axis=1) * DAYS_PER_MONTH * 50.0
    np.testing.assert_allclose(cost["reception_coa_eur"], expected)
    np.testing.assert_allclose(cost["total_cost_eur"], cost["penalty_eur"] + cost["reception_eur"] + cost["staff_eur"])


def test_staff_cost_counts_every_first_instance_decision():
    cfg = _cfg(staff_eur_per_decision=1000.0)
    res = bl.simulate(np.full(4, 10_000.0), cfg, rng=np.random.default_rng(0))
    decided = (res.paths["decisions"] + res.paths["decisions_regular"]).sum(axis=1)
    np.testing.assert_allclose(policy_costs(res)["staff_eur"], decided * 1000.0)


def test_policy_table_has_no_inf_or_nan_and_flags_the_censored():
    cfg = _cfg(ind_decisions_per_month=50.0, n_months=12)
    table = bl.compare_policies(
        np.full(4, 20_000.0),
        cfg,
        rng=np.random.default_rng(1),
        policies={"slow": {}, "fast": {"ind_decisions_per_month": 5000.0}},
    )
    assert _numbers_are_finite(table)
    row = table.set_index("policy")
    assert row.loc["slow", "months_to_clear_censored"] and row.loc["slow", "months_to_clear"] == 12
    assert not row.loc["slow", "feasible"] and row.loc["fast", "feasible"]
    for col in ("total_cost_eur_mean", "penalty_eur_mean", "reception_eur_mean", "staff_eur_mean"):
        assert col in table
    # the download: "> 12" for the censored, whole months for the rest, the flag kept
    from capacity.report.backlog import policy_download

    down = policy_download(table).set_index("policy")
    assert down.loc["slow", "months_to_clear"] == "> 12"
    assert down.loc["fast", "months_to_clear"] == f"{row.loc['fast', 'months_to_clear']:.0f}"
    assert down["months_to_clear_censored"].tolist() == table["months_to_clear_censored"].tolist()


def test_an_infeasible_policy_is_never_cheapest():
    # the slow policy decides almost nothing: cheap within the run, but not feasible
    cfg = _cfg(
        ind_decisions_per_month=10.0,
        n_months=12,
        coa_eur_per_person_day=0.0,
        penalties_abolished=True,
        staff_eur_per_decision=5000.0,
    )
    table = bl.compare_policies(
        np.full(4, 20_000.0),
        cfg,
        rng=np.random.default_rng(1),
        policies={"slow": {}, "fast": {"ind_decisions_per_month": 5000.0}},
    )
    row = table.set_index("policy")
    assert row.loc["slow", "total_cost_eur_mean"] < row.loc["fast", "total_cost_eur_mean"]
    assert row.loc["fast", "cheapest"] and not row.loc["slow", "cheapest"]
    assert row.loc["fast", "cost_rank"] == 1


def test_rank_by_cost_names_no_cheapest_when_nothing_is_feasible():
    table = pd.DataFrame({"feasible": [False, False], "total_cost_eur_mean": [2.0, 1.0]})
    ranked = rank_by_cost(table)
    assert ranked["cost_rank"].tolist() == [2, 1] and not ranked["cheapest"].any()
    table = pd.DataFrame({"feasible": [True, False], "total_cost_eur_mean": [9.0, 1.0]})
    ranked = rank_by_cost(table)
    assert ranked["cheapest"].tolist() == [True, False]


def test_default_policies_include_a_reserved_tpd_team():
    changes = bl.default_policies(_cfg()).values()
    shares = {c.get("ind_tpd_reserved_share") for c in changes} - {None}
    assert {0.15, 0.30} <= shares


def _solver_cfg(**kw) -> BacklogConfig:
    return _cfg(
        n_months=24,
        ind_capacity_noise_sd=0.0,
        regular_inflow_noise_sd=0.0,
        target_late_share=0.0,
        target_probability=1.0,
        dtv_target_caseload=0.0,
        dtv_target_months=24,
        **kw,
    )


def test_solver_gives_the_priority_share_and_the_regular_deficit_each_with_its_probability():
    # 12,000 cases in a 6-month term need 2,000 a month: half of a planned 4,000 when an
    # older regular stock goes first, while 3,000 regular cases arrive each month (a
    # deficit of 3,000 - 4,000 x 1 = -1,000)
    cfg = _solver_cfg(
        ind_decisions_per_month=4000.0,
        regular_inflow_per_year=36_000.0,
        regular_backlog_cases=1e6,
        decision_term_months=6.0,
        term_extension_months=0.0,
    )
    table = bl.solve_capacity(np.full(3, 12_000.0), cfg, rng=np.random.default_rng(0), ramp_months=(0,), tol=1.0)
    numbers = table.select_dtypes(include=["number", "bool"]).to_numpy(dtype=float)
    assert not np.isinf(numbers).any()
    row = table.set_index("service")
    assert row.loc["IND cohort priority", "priority_share"] == pytest.approx(0.5, abs=0.01)
    assert row.loc["IND cohort priority", "target_met"]
    assert 0 <= row.loc["IND cohort priority", "probability_reached"] <= 1
    assert row.loc["IND regular stream", "deficit_per_month"] == pytest.approx(-1000.0)
    assert row.loc["IND regular stream", "probability_reached"] == 0.0
    # a cell that does not apply is empty, not a made-up 0
    assert row.loc[["IND", "DT&V", "IND regular stream"], "priority_share"].isna().all()
    assert row.loc[["IND", "DT&V", "IND cohort priority"], "deficit_per_month"].isna().all()
    assert pd.isna(row.loc["IND regular stream", "probability_target"])
    text = table.to_csv(index=False)
    assert not re.search(r"(^|,)(nan|inf|-inf|None)(,|$)", text, flags=re.M | re.I)


def test_solver_flags_a_target_no_capacity_meets_instead_of_nan():
    # a term shorter than half a month: every decision (at mid-month) is late
    cfg = _solver_cfg(ind_decisions_per_month=0.0, decision_term_months=0.1, n_paths=2)
    table = bl.solve_capacity(np.full(2, 1_000.0), cfg, rng=np.random.default_rng(0), ramp_months=(0,), tol=50.0)
    numbers = table.drop(
        columns=["priority_share", "deficit_per_month", "deficit_p10", "deficit_p90", "probability_target"]
    )
    assert _numbers_are_finite(numbers)
    row = table.set_index("service")
    assert not row.loc["IND", "target_met"] and not row.loc["IND cohort priority", "target_met"]


def test_bursty_decisions_show_the_mean_and_the_share_of_paths_deciding():
    # two paths: one decides in month 1, the other (slower capacity) not at all
    cfg = _cfg(n_paths=2, n_months=3, regular_backlog_cases=0.0)
    res = bl.simulate(np.array([1000.0, 0.0]), cfg, rng=np.random.default_rng(0))
    table = res.bursty_table("decisions")
    assert table["share_paths"].iloc[0] == 0.5
    assert table["mean"].iloc[0] == pytest.approx(res.paths["decisions"][:, 0].mean())
    assert _numbers_are_finite(table.drop(columns="date"))


def test_penalty_first_three_years_is_part_of_the_total():
    cfg = _cfg(n_months=60, ind_decisions_per_month=10.0, notice_share=1.0)
    res = bl.simulate(np.full(4, 20_000.0), cfg, rng=np.random.default_rng(0))
    three = res.penalty_first_months(36)
    assert np.all(three <= res.penalty_total()) and np.all(three > 0)
    p = res.paths
    np.testing.assert_allclose(
        three, p["penalty_eur"][:, :36].sum(axis=1) + p["penalty_eur_regular"][:, :36].sum(axis=1)
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_report_shows_costs_censoring_and_the_two_numbers(language):
    from capacity.report import backlog as rb

    cfg = _cfg(ind_decisions_per_month=50.0, n_months=12, regular_inflow_per_year=12_000.0)
    table = bl.compare_policies(
        np.full(4, 20_000.0),
        cfg,
        rng=np.random.default_rng(1),
        policies={"slow": {}, "fast": {"ind_decisions_per_month": 5000.0}},
    )
    shown = rb.policy_table(table, language=language, n_months=12)
    assert "total_cost_eur_m_mean" in shown and "months_to_clear_censored" not in shown
    assert shown.loc[0, "months_to_clear"] != "12"
    capacity = bl.solve_capacity(
        np.full(3, 2_000.0),
        _solver_cfg(ind_decisions_per_month=1000.0),
        rng=np.random.default_rng(0),
        ramp_months=(0,),
        tol=50.0,
    )
    text = str(rb.capacity_text(capacity, cfg, language=language))
    assert ("TPD-team" if language == "nl" else "TPD team") in text
    assert not re.search(r"\b(nan|inf)\b", text)
    res = bl.simulate(np.full(4, 20_000.0), cfg, rng=np.random.default_rng(0))
    assert len(rb.decisions_chart(res, language=language).data) == 2


def test_per_path_levers_equal_the_configured_ones():
    cfg = _cfg(regular_backlog_cases=20_000.0, ind_decisions_per_month=1500.0)
    draws = bl.draw(4, cfg.n_months, rng=np.random.default_rng(5))
    cohort = np.full(4, 15_000.0)
    by_cfg = bl.run(
        cohort, _cfg(regular_backlog_cases=20_000.0, ind_decisions_per_month=3000.0, ind_tpd_reserved_share=0.3), draws
    )
    by_lever = bl.run(
        cohort, cfg, draws, levers={"ind_tpd_reserved_share": np.full(4, 0.3), "ind_capacity_scale": np.full(4, 2.0)}
    )
    np.testing.assert_allclose(by_lever.paths["pending"], by_cfg.paths["pending"])
    with pytest.raises(ParameterError, match="lever"):
        bl.run(cohort, cfg, draws, levers={"ind_tpd_reserved_share": np.full(4, 1.5)})


def test_headline_gives_the_two_numbers_with_the_deficit_band():
    from types import SimpleNamespace

    from capacity import headline

    capacity = bl.solve_capacity(
        np.full(3, 2_000.0),
        _solver_cfg(ind_decisions_per_month=1000.0, regular_inflow_per_year=24_000.0),
        rng=np.random.default_rng(0),
        ramp_months=(0,),
        tol=50.0,
    )
    keys = (
        "backlog_priority_share",
        "backlog_priority_share_probability",
        "backlog_regular_deficit_per_month",
        "backlog_regular_deficit_probability",
    )
    rows = headline.lookup(headline.headline_table(SimpleNamespace(capacity_needed=capacity), keys=keys))
    assert rows["backlog_regular_deficit_per_month"]["value"] == pytest.approx(1000.0)
    assert rows["backlog_regular_deficit_per_month"]["p90"] == pytest.approx(1000.0)
    assert 0 <= rows["backlog_priority_share"]["value"] <= 1
