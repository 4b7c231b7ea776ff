"""Planner-facing figures: first decisions, peaks with their month, no inf in tables."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from tests.unit.simple_params import simple_backlog

from capacity import backlog as bl
from capacity import headline, report
from capacity.params.backlog import BacklogConfig
from capacity.report import backlog as rb

pytestmark = pytest.mark.unit


def _cfg(**kw) -> BacklogConfig:
    base = dict(
        n_paths=2,
        n_months=24,
        ind_decisions_per_month=1000.0,
        regular_inflow_per_year=0.0,
        grant_share=1.0,
        clear_threshold_cases=1e-6,
    )
    base.update(kw)
    return simple_backlog(**base)


def _run(cfg: BacklogConfig, cohort: float):
    return bl.simulate(np.full(2, cohort), cfg, rng=np.random.default_rng(0))


def test_first_decisions_wait_for_the_regular_stock():
    # oldest first: 5,000 regular cases ahead at 1,000 a month -> cohort decided from month 6
    res = _run(_cfg(regular_backlog_cases=5000.0), 3000.0)
    assert np.all(res.first_decisions() == 6)
    never = _run(_cfg(ind_decisions_per_month=0.0), 3000.0)
    assert np.all(np.isinf(never.first_decisions()))


def test_peak_month_and_a_peak_beyond_the_run():
    # inflow above capacity: the regular queue rises to the end, so its peak is not in the run
    res = _run(_cfg(regular_backlog_cases=1000.0, regular_inflow_per_year=18_000.0), 2000.0)
    assert np.all(np.isinf(res.peak_month("pending_regular")))
    assert np.all(res.peak_month("pending") == 1)  # the cohort only falls
    rows = headline.lookup(headline.headline_table(SimpleNamespace(backlog=res), keys=rb.TEXT_KEYS))
    # a censored duration is the text "> 24" (a 24-month run), never inf
    row = rows["backlog_regular_backlog_peak_month"]
    assert (row["value"], row["p10"], row["p90"]) == ("> 24", "> 24", "> 24")
    assert report.fmt_headline(row) == "more than 24"
    assert report.fmt_headline(row, "nl", "p90") == "meer dan 24"
    assert rows["backlog_backlog_peak_month"]["value"] == 1
    # the 1,000 regular cases go first (March 2027), the cohort from the second month
    assert rows["backlog_first_decisions_month"]["value"] == "2027-04"


def test_policy_table_reads_not_within_instead_of_inf():
    cfg = _cfg(ind_decisions_per_month=100.0, n_months=12)
    policies = bl.compare_policies(np.full(2, 50_000.0), cfg, rng=np.random.default_rng(1), policies={"slow": {}})
    # censored at the run's length with a flag, never inf
    assert policies["months_to_clear"].tolist() == [12.0]
    assert policies["months_to_clear_censored"].all()
    shown = rb.policy_table(policies, n_months=12)
    # as the headline prints a duration not reached within the run
    assert shown["months_to_clear"].tolist() == ["more than 12"] * 1
    assert "meer dan 12" in rb.policy_table(policies, language="nl", n_months=12)["months_to_clear"].tolist()
    # the download: "> 12" as text with its flag, never inf or a bare 12
    download = rb.policy_download(policies)
    assert download["months_to_clear"].tolist() == ["> 12"]
    assert download["months_to_clear_censored"].tolist() == [True]
    text = download.to_csv(index=False)
    assert "> 12" in text and not {"inf", "nan", "NaN", "None"} & set(re.split(r"[,\n]", text))


def test_permit_takers_without_a_document_until_it_is_issued():
    base = dict(permit_uptake_share=1.0, permit_uptake_months=1.0, persons_per_case=1.5, ind_decisions_per_month=0.0)
    slow = _run(_cfg(**base, permit_capacity_per_month=1000.0), 4000.0)
    # 4,000 persons = 2,667 cases withdraw in month 0; 1,000 documents (persons) a month
    assert slow.without_document()[0, :4] == pytest.approx([3000.0, 2000.0, 1000.0, 0.0], abs=1)
    none = _run(_cfg(**{**base, "permit_uptake_share": 0.0}), 4000.0)
    assert none.without_document().max() == 0


def test_every_backlog_input_names_a_source_or_an_assumption():
    from capacity import params

    cfg = params.load().backlog
    table = rb.assumptions_table(cfg)
    assert len(table) == len(type(cfg).model_fields)
    assert table["source"].str.len().gt(0).all()
    shown = table.set_index("parameter")["value"]  # a setting in words, never True or oldest_first
    assert shown["backlog.use_forecast_cohort"] in {"yes", "no"} and "_" not in shown["backlog.queue_discipline"]
    for name in ("persons_per_case", "permit_uptake_share", "dtv_share_forced", "grant_share"):
        assert "assumption" in table.set_index("parameter").loc[f"backlog.{name}", "source"]
    # the continuing share is centred on the 2024 precedent (27 %), as a distribution
    assert cfg.dtv_share_forced == 0.0 and cfg.permit_uptake_share.central == pytest.approx(0.73)
    assert cfg.permit_uptake_share.kind != "fixed"


def test_the_solver_brackets_a_cohort_above_the_input_ranges():
    """A front-breakthrough cohort puts the first trial above a million decisions a month
    (the plausible range of planner input): the solver must still find the capacity."""
    from capacity.backlog.solver import solve_capacity

    cfg = _cfg(n_months=12, solver_n_paths=4)
    table = solve_capacity(np.full(4, 480_000.0), cfg, rng=np.random.default_rng(0), ramp_months=(0,))
    ind = table[table["service"] == "IND"].iloc[0]
    assert 0 < ind["capacity_per_month"] < 1_200_000 and ind["probability_reached"] >= cfg.target_probability
