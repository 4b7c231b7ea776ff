"""Dutch where municipalities read it: the rendered Dutch pages of a real run carry no English.

The suite's run (``suite_run``: baseline, its Dutch edition and municipality GM0363) is read
for the parts this rule covers: the parameter table's units and meanings, the scenario's title
and description, and the early warning (the banner atop each page and the overview's table).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from tests.notebooks.test_suite_end_to_end import _CellParser, english_words

from capacity import params

pytestmark = pytest.mark.notebook

#: Codes a Dutch sentence names as they are written: parameter keys and file names
#: (``shelter.lead_time_months``, ``policy_timeline.csv``) and the command ``capacity run --as-of``.
CODE = re.compile(r"\S*[_.]\w\S*|capacity run --[\w-]+")


def words(text: str) -> list[str]:
    """The tell-tale English words of a Dutch text, less the codes it names."""
    return english_words(CODE.sub(" ", text))


def test_the_word_rule_skips_codes_but_not_words() -> None:
    assert words("leeg: shelter.lead_time_months; capacity run --as-of stelt hem in") == []
    assert words("months new places need to open") == ["months", "places", "to"]


def cells(page: Path, columns: set[str]) -> list[tuple[str, str]]:
    """``(column, text)`` of every table cell of ``page`` under one of ``columns`` (provenance too)."""
    parser = _CellParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return [(col, html.unescape(text)) for col, text in parser.cells if col in columns]


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def banner(page: Path) -> str:
    found = re.search(r'<div class="capacity-vintage"[^>]*>(.*?)</div>', page.read_text(encoding="utf-8"), re.S)
    assert found, f"{page.name}: no early-warning note"
    return text_of(found.group(1))


def top_bar_title(page: Path) -> str:
    found = re.search(r"· Scenario: <strong>(.*?)</strong>", page.read_text(encoding="utf-8"))
    assert found, f"{page.name}: no scenario in the top bar"
    return html.unescape(found.group(1))


def dutch_pages(run_dir: Path) -> list[Path]:
    pages = sorted((run_dir / "baseline_nl").glob("*.html")) + [run_dir / "baseline" / "municipalities" / "GM0363.html"]
    assert all(p.is_file() for p in pages) and len(pages) > 2, pages
    return pages


def test_the_parameter_table_of_a_dutch_page_has_dutch_units_and_meanings(suite_run) -> None:
    found, seen = [], 0
    for page in sorted((suite_run.run_dir / "baseline_nl").glob("*.html")):
        for column, text in cells(page, {"eenheid", "betekenis"}):
            seen += 1
            if english := words(text):
                found.append(f"{page.name}: {column} {text!r}: {english}")
    assert seen > 100, seen  # the provenance table of every page, and the tables of 01, 04 and 06
    assert not found, f"{len(found)} English units or meanings on Dutch pages:\n" + "\n".join(found[:40])
    data = (suite_run.run_dir / "baseline_nl" / "01_data.html").read_text(encoding="utf-8")
    for meaning in ("startwaarde (seed) van de toevalsgenerator", "titel die in rapporten wordt getoond"):
        assert meaning in data, meaning
    assert "seed of the random number generator" not in data


def test_dutch_pages_show_the_scenarios_dutch_title_and_description(suite_run) -> None:
    run_dir = suite_run.run_dir
    edition = params.load(params.PARAMS_DIR / "scenarios" / "baseline_nl.yaml").meta
    baseline = params.load().meta
    for page in dutch_pages(run_dir):
        meta = baseline if page.parent.name == "municipalities" else edition
        assert top_bar_title(page) == meta.title_nl, page.name
        assert not words(top_bar_title(page))
    forecast = (run_dir / "baseline_nl" / "02_arrivals_departures.html").read_text(encoding="utf-8")
    captions = [text_of(c) for c in re.findall(r"<caption[^>]*>(.*?)</caption>", forecast, re.S)]
    assert edition.description_nl in captions  # the forecast assumptions' caption
    assert not any(edition.description in c for c in captions)  # (the parameter table shows it as a value)
    overview = (run_dir / "index.nl.html").read_text(encoding="utf-8")
    for meta in (baseline, edition):
        for key in ("title", "description", "weight_rationale"):
            assert html.escape(meta.text(key, "nl")) in overview, key
            assert html.escape(meta.text(key, "en")) not in overview, key


def test_dutch_pages_show_the_early_warning_in_dutch(suite_run) -> None:
    run_dir = suite_run.run_dir
    for page in dutch_pages(run_dir):
        note = banner(page)
        assert note.startswith("Vroegsignalering:"), note
        assert not words(note), (page.name, note)
    overview = (run_dir / "index.nl.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="warnings">(.*?)</table>', overview, re.S)
    assert tables, "no early-warning table on the Dutch overview"
    rows = [text_of(row) for table in tables for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]
    assert rows and all(not words(row) for row in rows), [(row, words(row)) for row in rows if words(row)]
    # every text on the Dutch overview is Dutch: only the link to the English overview is marked English
    marked = re.findall(r'<[^>]*\blang="en"[^>]*>', overview)
    assert all("hreflang" in tag for tag in marked), marked
