"""Sobol indices of the backlog inputs: analytic cases and the table's shape."""

from __future__ import annotations

import numpy as np
import pytest

from capacity import params, report
from capacity.backlog import sensitivity
from capacity.backlog.parameters import UNCERTAIN
from capacity.params.backlog import BacklogConfig
from capacity.report import backlog_evidence as rb

pytestmark = pytest.mark.unit


def test_estimators_on_an_additive_function():
    # f = 3 x1 + x2, x uniform: S1 = 9/10, S2 = 1/10, totals equal, x3 irrelevant
    rng = np.random.default_rng(0)
    n = 20_000
    a, b = rng.random((3, n)), rng.random((3, n))

    def f(x):
        return 3 * x[0] + x[1]

    ab = []
    for i in range(3):
        m = a.copy()
        m[i] = b[i]
        ab.append(f(m))
    first, total = sensitivity._indices(f(a), f(b), np.array(ab))
    assert first == pytest.approx([0.9, 0.1, 0.0], abs=0.03)
    assert total == pytest.approx([0.9, 0.1, 0.0], abs=0.03)


def test_only_uncertain_inputs_matter():
    # only the IND realisation and the notice share vary: they share all of the variance
    cfg = BacklogConfig(n_months=36, ind_capacity_realisation={"kind": "uniform", "low": 0.7,
                                                               "high": 1.3},
                        notice_share={"kind": "uniform", "low": 0.3, "high": 1.0},
                        regular_backlog_cases=5000.0, regular_inflow_per_year=20_000.0,
                        ind_decisions_per_month=2000.0)
    table = sensitivity.sobol_table(30_000, cfg, rng=np.random.default_rng(1), n_base=128,
                                    n_boot=20)
    assert len(table) == 4 * len(UNCERTAIN)
    months = table[table["output"] == "months_to_clear"].set_index("parameter")
    assert months.loc["ind_capacity_realisation", "total_order"] > 0.9
    assert months.drop(index="ind_capacity_realisation")["total_order"].abs().max() < 1e-12
    pen = table[table["output"] == "penalty_eur"]
    assert set(sensitivity.top_inputs(table, "penalty_eur", 2)) == {
        "ind_capacity_realisation", "notice_share"}
    assert (pen["ci_low"] <= pen["total_order"] + 1e-12).all()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sensitivity_text_names_three_inputs(language):
    cfg = params.load().backlog
    table = sensitivity.sobol_table(120_000, cfg, rng=np.random.default_rng(2), n_base=64,
                                    n_months=36, n_boot=10)
    text = str(rb.sensitivity_text(table, language=language))
    top = sensitivity.top_inputs(table, "late_decisions")
    assert all(report.t(f"input_{p}", language) in text for p in top)
    assert rb.sensitivity_chart(table, language=language).data
