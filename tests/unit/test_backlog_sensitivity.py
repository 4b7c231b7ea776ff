"""Sobol indices of the backlog inputs: analytic cases and the table's shape."""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.simple_params import simple_backlog

from capacity import params, report
from capacity.backlog import sensitivity
from capacity.backlog.parameters import UNCERTAIN
from capacity.report import backlog_evidence as rb

pytestmark = pytest.mark.unit


def test_salib_recovers_an_additive_function():
    # f = 3 x1 + x2, x uniform: S1 = 9/10, S2 = 1/10, totals equal, x3 irrelevant
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    x = sensitivity.sobol_sample.sample(problem, 4096, calc_second_order=False, seed=0)
    si = sensitivity._analyze(problem, 3 * x[:, 0] + x[:, 1], n_boot=50, seed=0)
    assert [si[k][0] for k in "abc"] == pytest.approx([0.9, 0.1, 0.0], abs=0.03)
    assert [si[k][1] for k in "abc"] == pytest.approx([0.9, 0.1, 0.0], abs=0.03)


def test_only_uncertain_inputs_matter():
    # only the IND realisation and the notice share vary: they share all of the variance
    cfg = simple_backlog(
        n_months=36,
        ind_capacity_realisation={"kind": "uniform", "low": 0.7, "high": 1.3},
        notice_share={"kind": "uniform", "low": 0.3, "high": 1.0},
        regular_backlog_cases=5000.0,
        regular_inflow_per_year=20_000.0,
        ind_decisions_per_month=2000.0,
    )
    table = sensitivity.sobol_table(
        30_000, cfg, rng=np.random.default_rng(1), n_base=128, n_boot=20, cohort_range=(30_000, 30_000)
    )
    k = len(UNCERTAIN) + 1 + len(sensitivity.LEVER_RANGES)
    assert len(table) == 4 * k
    assert np.isfinite(table.select_dtypes("number").to_numpy(dtype=float)).all()
    months = table[table["output"] == "months_to_clear"].set_index("parameter")
    # the levers move capacity too; the parameters fixed in the scenario get exactly 0
    fixed = [p for p in UNCERTAIN if p not in ("ind_capacity_realisation", "notice_share")]
    assert months.loc[fixed, "total_order"].abs().max() == 0
    assert months.loc["cohort_persons", "total_order"] < 0.05  # no range: no variance
    assert set(months[months["finding"]].index) <= {
        "ind_capacity_realisation",
        "ind_capacity_scale",
        "ind_tpd_reserved_share",
    }
    pen = table[table["output"] == "penalty_eur"]
    assert "notice_share" in sensitivity.top_inputs(table, "penalty_eur", 3)
    assert (pen["ci_low"] <= pen["total_order"] + 1e-12).all()


def test_cohort_size_and_levers_are_inputs():
    cfg = simple_backlog(
        n_months=36, regular_backlog_cases=5000.0, ind_decisions_per_month=2000.0, regular_inflow_per_year=20_000.0
    )
    table = sensitivity.sobol_table(
        30_000, cfg, rng=np.random.default_rng(3), n_base=128, n_boot=20, cohort_range=(10_000, 60_000)
    )
    late = table[table["output"] == "late_decisions"].set_index("parameter")
    assert late.loc["cohort_persons", "finding"] and late.loc["cohort_persons", "kind"] == "cohort"
    assert late.loc["ind_tpd_reserved_share", "kind"] == "lever"


def test_no_negative_index_is_shown_as_a_finding():
    import pandas as pd

    table = pd.DataFrame(
        {
            "output": ["late_decisions"] * 2,
            "parameter": ["notice_share", "grant_share"],
            "first_order": [-0.02, 0.5],
            "total_order": [-0.01, 0.6],
            "ci_low": [-0.03, 0.5],
            "ci_high": [0.01, 0.7],
            "finding": [False, True],
        }
    )
    assert sensitivity.top_inputs(table, "late_decisions") == ["grant_share"]
    text = str(rb.sensitivity_text(table))
    assert report.t("input_notice_share") not in text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sensitivity_text_names_three_inputs(language):
    cfg = params.load().backlog
    table = sensitivity.sobol_table(120_000, cfg, rng=np.random.default_rng(2), n_base=64, n_months=36, n_boot=10)
    text = str(rb.sensitivity_text(table, language=language))
    top = sensitivity.top_inputs(table, "late_decisions")
    assert all(report.t(f"input_{p}", language) in text for p in top)
    assert rb.sensitivity_chart(table, language=language).data
