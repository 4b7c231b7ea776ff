"""The backlog report helpers build figures, tables and texts in both languages."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from capacity import backlog as bl
from capacity import headline, i18n, params, report
from capacity.params.backlog import BacklogConfig
from capacity.report import backlog as rb

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def result():
    cfg = params.load().backlog
    return bl.simulate(np.full(100, cfg.cohort_persons), cfg, rng=np.random.default_rng(0), n_months=36)


@pytest.fixture(scope="module")
def head(result):
    return headline.headline_table(SimpleNamespace(backlog=result), keys=rb.TEXT_KEYS)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_report_helpers(result, head, language):
    shown = report.headline_rows(head, rb.HEADLINE_KEYS, language=language)
    assert len(shown) == len(rb.HEADLINE_KEYS) and (shown.iloc[:, 1] != "–").all()
    assert "persons" in str(rb.intro_text(result, head, language=language)) or language == "nl"
    assert "personen" in str(rb.intro_text(result, head, language="nl"))
    for var in bl.CONTRACT_VARIABLES:
        assert len(rb.fan(result, var, language=language).data) > 0
    assert rb.cumulative_chart(result, "penalty_eur", language=language).data
    assert len(rb.months_to_clear_chart(result, language=language).data) == 2
    assert len(rb.outcomes_chart(result, language=language).data) == 10  # incl. the document route
    table = rb.assumptions_table(result.config, language=language)
    assert len(table) >= 30
    assert table.iloc[:, -1].str.len().gt(0).all()  # every row names a source


def test_intro_prints_the_headline_figures_as_the_table_does(result, head):
    text = str(rb.intro_text(result, head))
    rows = headline.lookup(head)
    for key in ("backlog_cohort_persons", "backlog_late_decisions_total", "backlog_penalty_eur_total"):
        assert report.fmt_headline(rows[key]) in text, key
    assert "nan" not in text and "inf" not in text


def test_policy_and_capacity_views(result):
    cfg = result.config
    policies = bl.compare_policies(
        result.cohort_persons[:50],
        cfg,
        rng=np.random.default_rng(1),
        policies={"a": {}, "b": {"permit_uptake_share": 0.0}},
        n_months=24,
    )
    assert rb.policy_chart(policies).data
    assert "penalty_eur_m" in rb.policy_table(policies).columns
    capacity = bl.solve_capacity(
        result.cohort_persons[:50], cfg, rng=np.random.default_rng(2), n_months=36, ramp_months=(0,), tol=50.0
    )
    assert "IND" in str(rb.capacity_text(capacity, cfg)) or "decisions" in str(rb.capacity_text(capacity, cfg))
    assert "beslissingen" in str(rb.capacity_text(capacity, cfg, language="nl"))
    share = f"{round(100 * cfg.target_probability)}"
    assert f"{share} % probability" in str(rb.capacity_text(capacity, cfg))  # English: 80 %, as everywhere
    assert f"{share}% zekerheid" in str(rb.capacity_text(capacity, cfg, language="nl"))


@pytest.mark.parametrize("language", ["en", "nl"])
def test_both_legal_terms_are_in_the_headline_and_the_text(head, language):
    rows = headline.lookup(head)
    for term in (6, 21):
        for key in ("late_decisions", "overdue_pending_end", "late_share", "penalty_eur_cohort"):
            assert f"backlog_{key}_term{term}" in rows
    # a shorter term can only cost more, on the same paths
    assert rows["backlog_penalty_eur_cohort_term6"]["value"] >= rows["backlog_penalty_eur_cohort_term21"]["value"]
    text = str(rb.term_text(head, language=language))
    for term in (6, 21):
        assert report.fmt_headline(rows[f"backlog_penalty_eur_cohort_term{term}"], language) in text
    assert "nan" not in text and "inf" not in text


def test_every_standard_policy_has_its_dutch_name_in_a_dutch_table_and_chart():
    from capacity.params.policies import load_policies, policy_names_nl

    names = list(load_policies())
    frame = pd.DataFrame(
        {
            "policy": names,
            "change": [""] * len(names),
            "late_or_overdue": 1.0,
            "penalty_eur": 1e6,
            "penalty_eur_p90": 2e6,
        }
    )
    shown = rb.policy_table(frame, language="nl")["policy"].tolist()
    assert shown == [policy_names_nl()[n] for n in names]
    assert "RTB-team: 15% van de capaciteit gereserveerd" in shown  # no Dutch in the old inline table
    assert "transitiedocument, hoog gebruik (85-98%)" in shown
    assert list(rb.policy_chart(frame, language="nl").data[0].y) == shown
    assert rb.policy_table(frame, language="en")["policy"].tolist() == names


def test_the_language_set_once_reaches_the_texts_and_the_headline_labels(result, head):
    before = i18n.language()
    try:
        report.set_language("nl")
        text = str(rb.term_text(head))
        assert text.startswith("De wettelijke termijn is een risico") and "months" not in text
        assert "Dwangsommen" not in text and "dwangsommen" in text
    finally:
        report.set_language(before)
    assert str(rb.term_text(head)).startswith("The legal term is a risk")
    rows = headline.lookup(head)
    assert (
        rows["backlog_late_decisions_term6"]["label_en"]
        == "Cohort decisions after the legal term (legal term 6 months)"
    )
    assert rows["backlog_late_decisions_term21"]["label_nl"] == (
        "Beslissingen over het cohort na de wettelijke termijn (wettelijke termijn 21 maanden)"
    )
    assert rows["backlog_permits_issued_total"]["label_nl"] == "Afgegeven transitiedocumenten (één per persoon)"


def test_a_dutch_page_shows_the_ledger_states_and_the_replay_notes_in_words(tmp_path):
    ledger = pd.DataFrame(
        {"date": ["2027-03-01", "2027-03-01"], "state": ["document_waiting", "left_nl"], "mean": [1.0, 2.0]}
    )
    shown = rb.ledger_table(ledger, language="nl")
    assert shown["state"].tolist() == [report.t("ledger_document_waiting", "nl"), report.t("ledger_left_nl", "nl")]
    assert "document_waiting" not in shown["state"].tolist() and ledger["state"][0] == "document_waiting"
    html = report.table(shown, "ledger", save_to=tmp_path, download=ledger, language="nl")._repr_html_()
    assert "<th>situatie</th>" in html and "document_waiting" in (tmp_path / "tables" / "ledger.csv").read_text()
    notes = pd.DataFrame(
        {
            "quantity": ["notices_of_default"],
            "kind": ["uncertain"],
            "note": ["ingebrekestellingen sent in the year (one per late case)"],
        }
    )
    html = report.table(notes, language="nl")._repr_html_()
    assert "sent in the year" not in html and "notices_of_default" not in html and "uncertain" not in html


@pytest.mark.parametrize(("variable", "unit", "word"), [("penalty_eur", "EUR", "€"), ("late_decisions", "cases", None)])
def test_cumulative_fans_print_euros_and_cases_in_their_unit(result, variable, unit, word):
    fig = rb.cumulative_chart(result, variable, language="nl")
    median = next(trace for trace in fig.data if trace.name == "mediaan")
    assert median.text[-1] == report.fmt_value(median.y[-1], unit, _fan_step(unit, median.y[-1]), "nl")
    summary = fig.layout.meta["summary"]
    assert ("€" in summary) == (word == "€") and "personen" not in summary


@pytest.mark.parametrize(("variable", "word"), [("penalty_eur", "€"), ("pending", None), ("shelter_entitled", None)])
def test_path_fans_print_euros_and_cases_in_their_unit(result, variable, word):
    fig = rb.fan(result, variable, language="en")
    median = next(trace for trace in fig.data if trace.name == "median")
    assert all(("€" in text) == (word == "€") for text in median.text)
    assert all("." not in text.replace("€", "") or "million" in text for text in median.text)  # no decimals on counts


def _fan_step(unit: str, median: float) -> float:
    from capacity.report.charts import _step

    return _step(unit, median)


#: Policy-table columns that are headline figures, and the headline row each is.
SHARED = {
    "penalty_eur_m": "backlog_penalty_eur_total",
    "late_share": "backlog_late_share",
    "backlog_peak": "backlog_backlog_peak",
    "late_decisions": "backlog_late_decisions_total",
    "late_or_overdue": "backlog_late_or_overdue",
    "penalty_eur_cohort_m": "backlog_penalty_eur_cohort",
    "penalty_eur_regular_m": "backlog_penalty_eur_regular",
    "cohort_persons": "backlog_cohort_persons",
    "dtv_caseload_peak": "backlog_dtv_caseload_peak",
    "months_to_clear": "backlog_months_to_clear",
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_policies_table_and_the_headline_print_the_same_figures_for_the_configured_policy(language):
    """One small run: its headline and the policy table's configured row print equal strings."""
    cfg = params.load().backlog
    cohort = np.full(30, cfg.cohort_persons)
    run = bl.simulate(cohort, cfg, rng=np.random.default_rng(3), n_months=24)
    policies = bl.compare_policies(
        cohort, cfg, rng=np.random.default_rng(3), policies={"as configured": {}}, n_months=24
    )  # the same draws: the same paths
    head = headline.lookup(headline.headline_table(SimpleNamespace(backlog=run), keys=tuple(SHARED.values())))
    row = rb.policy_table(policies, language=language, n_months=24).iloc[0]
    for column, key in SHARED.items():
        assert row[column] == report.fmt_headline(head[key], language), column
    assert row["penalty_eur_m"].startswith("€") and row["late_share"].endswith("%")
    shown = report.headline_rows(pd.DataFrame(list(head.values())), list(SHARED.values()), language=language)
    assert set(shown.iloc[:, 1]) == {row[c] for c in SHARED}  # the headline table's median column


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_policy_view_has_words_for_headers_and_no_unit_in_them(language):
    """The page's policy table: headers in words (no code, no 'mln EUR'), cells as policy_table prints them."""
    cfg = params.load().backlog
    cohort = np.full(20, cfg.cohort_persons)
    policies = bl.compare_policies(
        cohort, cfg, rng=np.random.default_rng(3), policies={"as configured": {}, "b": {"permit_uptake_share": 0.0}}
    )
    view = rb.policy_view(policies, language=language, n_months=cfg.n_months, columns=None)
    table = rb.policy_table(policies, language=language, n_months=cfg.n_months)
    assert list(view.columns) == [i18n.gettext(rb.POLICY_HEADERS[c], language) for c in rb.POLICY_HEADERS]
    assert not [c for c in view.columns if "_" in c or "EUR" in c or "mln" in c]
    assert view.iloc[0].tolist() == table[list(rb.POLICY_HEADERS)].iloc[0].tolist()
    assert "change" not in table and view.iloc[0, 0] == ("zoals ingesteld" if language == "nl" else "as configured")
    assert view[i18n.gettext("Penalties", language)].iloc[0].startswith("€")
    if language == "nl":
        assert "Dwangsommen" in view.columns and "Haalbaar" in view.columns


def _policies(language: str | None = None) -> pd.DataFrame:
    """A small comparison: the configured run, one that restarts every case, one that reserves a team."""
    cfg = params.load().backlog
    cohort = np.full(20, cfg.cohort_persons)
    return bl.compare_policies(
        cohort,
        cfg,
        rng=np.random.default_rng(3),
        policies={
            "as configured": {},
            "all applications restart": {"permit_uptake_share": 0.0},
            "TPD team: 30 % of capacity reserved": {"ind_tpd_reserved_share": 0.3},
        },
        n_months=36,
    )


@pytest.fixture(scope="module")
def policies() -> pd.DataFrame:
    return _policies()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_page_shows_the_few_policy_columns_that_decide(policies, language):
    """Issue 28: 31 columns did not fit a page; the page shows eleven, the download all of them."""
    view = rb.policy_view(policies, language=language, n_months=36)
    assert list(view.columns) == [i18n.gettext(rb.POLICY_HEADERS[c], language) for c in rb.POLICY_COMPACT]
    assert len(view.columns) <= 11 < policies.shape[1]
    full = rb.policy_view(policies, language=language, n_months=36, columns=None)
    assert view.iloc[0].tolist() == full[view.columns].iloc[0].tolist()  # the same cells, fewer columns
    assert view.iloc[0, 0] == ("zoals ingesteld" if language == "nl" else "as configured")
    figures = [str(v) for v in view.iloc[:, 1:].to_numpy().ravel()]  # all but the policy's name
    assert not [c for c in figures if RAW_FLOAT.search(c) or "nan" in c or "inf" in c]
    assert not [c for c in figures if "-" in c]  # a minus is "−", never a hyphen
    assert "\u2212" in "".join(figures)  # the reserved team has fewer late decisions: a negative
    download = rb.policy_download(policies, language=language)
    assert set(policies.columns) < set(download.columns)  # the download keeps every column


#: A raw float as a program prints it ("0.744854", "1e+06"), never as the formatter does (groups of 3).
RAW_FLOAT = re.compile(r"\b\d+\.\d{4,}\b|\d[eE][+-]?\d")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_difference_with_the_first_row_is_signed_both_ways(language):
    frame = pd.DataFrame(
        {"policy": ["a", "b", "c", "d"], "change": "-", "late_decisions_vs_first": [0.0, 3_712.0, -11_433.0, -20.0]}
    )
    shown = rb.policy_table(frame, language=language)["late_decisions_vs_first"].tolist()
    sep = "." if language == "nl" else ","
    assert shown == ["0", f"+3{sep}700", f"\u221211{sep}400", "0"]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_download_says_each_change_in_words_beside_its_code(policies, language):
    download = rb.policy_download(policies, language=language)
    cols = list(download.columns)
    assert cols.index("change_described") == cols.index("change") + 1
    codes, words = download["change"].tolist(), download["change_described"].tolist()
    assert codes[1] == "permit_uptake_share=0.0" and codes[0] == words[0] == "-"
    meaning = i18n.gettext(BacklogConfig.model_fields["permit_uptake_share"].description, language)
    assert words[1] == f"{meaning}: {report.fmt_value(0.0, 'share', 0.01, language)}"
    assert words[2].startswith(i18n.gettext(BacklogConfig.model_fields["ind_tpd_reserved_share"].description, language))
    assert words[2].endswith("30 %" if language == "en" else "30%")
    assert not [w for w in words if "_" in w and w != "-"]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_policy_chart_has_no_fixed_left_margin_and_wraps_long_names(policies, language):
    """Issue 28: a fixed 220 px margin and titles under two axes were cut off on a 390 px phone."""
    from capacity.params.policies import load_policies

    names = list(load_policies())
    frame = pd.DataFrame({"policy": names, "change": "-", "late_or_overdue": 1.0, "penalty_eur": 1e6})
    fig = rb.policy_chart(frame, language=language)
    layout = fig.layout
    assert layout.margin.l is None or layout.margin.l <= 40
    assert layout.yaxis.automargin is True
    shown = rb._policy_names(frame, language)
    assert list(fig.data[0].y) == list(shown)  # hover and data keep the whole names
    ticks = list(layout.yaxis.ticktext)
    assert [t.replace("<br>", " ") for t in ticks] == list(shown)
    assert all(len(line) <= rb.POLICY_WRAP or t.count("<br>") == 1 for t in ticks for line in t.split("<br>"))
    assert all(t.count("<br>") <= 1 for t in ticks)  # two lines at most: the chart fits an A4 page
    assert any("<br>" in t for t in ticks)  # the long names are wrapped
    # one panel a measure, stacked, each as wide as the chart; its axis title wrapped to a phone's width
    assert [trace.xaxis for trace in fig.data] == ["x", "x2"] and [trace.yaxis for trace in fig.data] == ["y", "y2"]
    assert layout.xaxis.domain in (None, (0, 1)) and layout.xaxis2.domain in (None, (0, 1))
    assert layout.yaxis2.domain[1] < layout.yaxis.domain[0]  # the panels do not overlap
    assert list(layout.yaxis2.ticktext) == ticks
    titles = [layout.xaxis.title.text, layout.xaxis2.title.text]
    assert [t.replace("<br>", " ") for t in titles] == [
        report.t("policy_late", language),
        report.t("policy_eur", language),
    ]
    assert all(len(line) <= rb.POLICY_TITLE_WRAP for t in titles for line in t.split("<br>"))
    assert layout.xaxis.tickangle == 0 and layout.xaxis.nticks <= 5
