"""Page 04 end to end: the policies table's "as configured" row prints the headline's figures (issue 28).

The page shows the columns that decide (:data:`POLICY_COMPACT`); each that is a headline
figure prints the headline's string. The download holds every column.
"""

from __future__ import annotations

import html
import re

import pytest

from capacity import i18n
from capacity.headline import FIGURES
from capacity.report.backlog import POLICY_COMPACT, POLICY_HEADERS

pytestmark = pytest.mark.notebook

#: Shown policy columns that are a headline median, and the headline figure each is.
SHARED = {
    "cohort_persons": "backlog_cohort_persons",
    "backlog_peak": "backlog_backlog_peak",
    "regular_backlog_peak": "backlog_regular_backlog_peak",
    "months_to_clear": "backlog_months_to_clear",
    "late_decisions": "backlog_late_decisions_total",
    "late_or_overdue": "backlog_late_or_overdue",
    "late_share": "backlog_late_share",
    "overdue_pending_end": "backlog_overdue_pending_end",
    "penalty_eur_m": "backlog_penalty_eur_total",
    "penalty_eur_cohort_m": "backlog_penalty_eur_cohort",
    "penalty_eur_regular_m": "backlog_penalty_eur_regular",
    "dtv_caseload_peak": "backlog_dtv_caseload_peak",
    "shelter_entitled_peak": "backlog_shelter_entitled_peak",
    "permits_issued": "backlog_permits_issued_total",
    "permits_done_month": "backlog_permits_issued_by_month",
}


def _tables(page: str) -> list[list[list[str]]]:
    """Every HTML table of a page as rows of cell texts (header row first)."""

    def text(cell: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()

    return [
        [
            [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr.*?</tr>", t, re.S)
        ]
        for t in re.findall(r"<table.*?</table>", page, re.S)
    ]


@pytest.mark.parametrize(("scenario", "language"), [("baseline", "en"), ("baseline_nl", "nl")])
def test_the_configured_policy_prints_the_headline_figures(suite_run, scenario, language) -> None:
    page = (suite_run.run_dir / scenario / "04_tpd_backlog.html").read_text(encoding="utf-8")
    tables = _tables(page)
    # the headline table: label, median, 10 %, 90 %, unit
    medians = {row[0]: row[1] for table in tables for row in table[1:] if len(row) >= 2}
    policy = i18n.gettext(POLICY_HEADERS["policy"], language)
    found = [table for table in tables if table and table[0] and table[0][0] == policy]
    assert len(found) == 1, [table[0][:2] for table in tables if table]
    header, configured = found[0][0], dict(zip(found[0][0], found[0][1], strict=True))
    assert configured[policy] == ("zoals ingesteld" if language == "nl" else "as configured")
    by_key = {f.key: f for f in FIGURES}
    checked = []
    # the page shows the columns that decide (the download has all): in that order
    assert header == [i18n.gettext(POLICY_HEADERS[c], language) for c in POLICY_COMPACT]
    assert 'href="tables/backlog_policies.csv"' in page and "change_described" in page
    for col, key in SHARED.items():
        if col not in POLICY_COMPACT:
            continue
        shown = i18n.gettext(POLICY_HEADERS[col], language)
        label = by_key[key].text(language)
        assert shown in header, shown
        assert label in medians, label
        assert configured[shown] == medians[label], (col, configured[shown], medians[label])
        checked.append(col)
    # the figures the issue names are among those compared
    compared = {"months_to_clear", "late_or_overdue", "late_share", "penalty_eur_m"}
    assert compared | {"dtv_caseload_peak", "shelter_entitled_peak"} <= set(checked)
    assert not [h for h in header if "_" in h or "mln" in h or "EUR" in h]
