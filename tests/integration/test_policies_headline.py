"""The policy comparison's "as configured" row is the headline run (issue 28).

The policies run on the headline backlog run's paths and random numbers, and the policy
without changes is that run itself, so its row and the headline table hold the same
figures: equal, not close.
"""

from __future__ import annotations

import numpy as np
import pytest

from capacity import backlog, headline
from capacity.errors import ParameterError
from capacity.params.backlog import BacklogConfig
from capacity.report.backlog import POLICY_FIGURES

pytestmark = pytest.mark.integration

#: Policy-table columns that are medians of a headline figure (the ``_p90`` columns are not).
MEDIANS = {col: key for col, key in POLICY_FIGURES.items() if not col.endswith("_p90")}


def test_configured_row_holds_the_headline_figures(baseline_results):
    figures = headline.lookup(baseline_results.headline)
    row = baseline_results.policies.iloc[0]
    assert row["policy"] == "as configured" and row["change"] == "-"
    for col, key in MEDIANS.items():
        value = figures[key]["value"]
        if row.get(f"{col}_censored", False):
            assert value == f"> {row[col]:.0f}", col
        else:
            assert row[col] == value, (col, row[col], value)
    # the figures the issue names, by their headline keys
    for col, key in (
        ("backlog_peak", "backlog_backlog_peak"),
        ("late_decisions", "backlog_late_decisions_total"),
        ("late_share", "backlog_late_share"),
        ("penalty_eur", "backlog_penalty_eur_total"),
        ("months_to_clear", "backlog_months_to_clear"),
    ):
        assert MEDIANS[col] == key
        assert row[col] == figures[key]["value"]


def test_policies_share_the_headline_paths_and_draws(baseline_results):
    """Every policy runs on the headline's paths: a paired difference is against its row."""
    bl = baseline_results.backlog
    table = baseline_results.policies
    assert bl.draws is not None and bl.draws.n_paths == bl.n_paths
    assert (
        table["cohort_persons"].drop(table.index[table["policy"].str.startswith("TPD extended")])
        == (float(np.median(bl.cohort_persons)))
    ).all()
    assert table["late_decisions_vs_first"].iloc[0] == 0.0


def test_a_policy_without_changes_is_the_configured_run():
    cfg = BacklogConfig().model_copy(update={"n_months": 24})
    n = 30
    rng = np.random.default_rng(5)
    cohort = np.full(n, 40_000.0)
    rates = np.full((n, 24), 0.01)
    arrivals = np.full((n, 24), 100.0)
    bl = backlog.simulate_after_tpd(cohort, cfg, rng=rng, departure_rates=rates, post_tpd_arrivals=arrivals)
    policies = {"as configured": {}, "same again": {"n_months": 24}, "reserved": {"ind_tpd_reserved_share": 0.3}}
    table = backlog.compare_policies(cohort, cfg, policies=policies, configured=bl, extra_regular_inflow=arrivals)
    figures = backlog.headline(bl)
    assert table.loc[0, "penalty_eur"] == figures["penalty_eur_total"]
    assert table.loc[0, "backlog_peak"] == figures["backlog_peak"]
    # a policy that changes nothing, run again on the configured run's draws, is the same run
    same = table.drop(columns=["policy", "change", "cost_rank", "cheapest"])
    assert same.iloc[1].equals(same.iloc[0])
    assert table.loc[2, "late_decisions_vs_first"] != 0.0


def test_configured_must_be_the_run_of_the_cohort():
    cfg = BacklogConfig().model_copy(update={"n_months": 12})
    cohort = np.full(4, 40_000.0)
    bl = backlog.simulate(cohort, cfg, rng=np.random.default_rng(1))
    with pytest.raises(ParameterError, match="cohort_persons"):
        backlog.compare_policies(cohort * 2, cfg, policies={"a": {}}, configured=bl)
    with pytest.raises(ParameterError, match="rng"):
        backlog.compare_policies(cohort, cfg, policies={"a": {}})
