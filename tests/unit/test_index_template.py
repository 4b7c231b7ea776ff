"""The run index: the analyst's first screen in the reader's language, run details folded away.

Readable at phone width too (every table scrolls in its own box).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from capacity.runner.index import TEMPLATES_DIR, write_index
from capacity.runner.plan import ScenarioSpec
from capacity.runner.registry import NOTEBOOKS

pytestmark = pytest.mark.unit


def test_every_index_table_scrolls_in_its_own_box() -> None:
    text = (TEMPLATES_DIR / "index.html.j2").read_text(encoding="utf-8")
    tables = re.findall(r"<table\b", text)
    boxed = re.findall(r'<div class="wide">\s*<table\b', text)
    assert len(tables) >= 7 and len(boxed) == len(tables), (len(boxed), len(tables))
    assert re.search(r"\.wide[^{]*\{[^}]*overflow-x: auto", text)


HEADLINE = [
    {
        "key": "registered_nowcast",
        "label_en": "Registered in the run month (nowcast)",
        "label_nl": "Ingeschreven in de maand van de run (nowcast)",
        "value": 143374.2,
        "p10": 126431.99,
        "p90": 166404.91,
        "unit": "persons",
        "rounding": 100.0,
    }
]


def _run(
    tmp_path: Path, languages: dict[str, str], *, status: str = "red", statuses: dict[str, str] | None = None
) -> Path:
    """Write a run folder with a manifest, warnings.json and index.html for scenarios in ``languages``."""
    run_dir = tmp_path / "20261206T124405Z"
    run_dir.mkdir(parents=True, exist_ok=True)
    specs = [
        ScenarioSpec(
            name=name,
            params_path=tmp_path / f"{name}.yaml",
            title=f"<b>{name}</b> & co",
            language=lang,
            seed=1,
            title_nl=f"<b>{name}</b> en co",
        )
        for name, lang in languages.items()
    ]
    statuses = statuses or {}
    warnings = {
        "status": status,
        "scenarios": {
            s.name: {
                "status": statuses.get(s.name, status),
                "triggers": [
                    {
                        "trigger": "shelter_pressure",
                        "status": status,
                        "title": "Shelter pressure",
                        "text": "needs <more>",
                    }
                ],
            }
            for s in specs
        },
    }
    (run_dir / "warnings.json").write_text(json.dumps(warnings), encoding="utf-8")
    manifest = {
        "run_id": run_dir.name,
        "status": "ok",
        "started": "2026-12-06T12:44:05+00:00",
        "ended": "2026-12-06T12:50:00+00:00",
        "seconds": 355.0,
        "package_version": "1.0",
        "git_commit": "0123456789abcdef",
        "log": None,
        "counts": {"total": 3, "ok": 3, "failed": 0},
        "executor": {"kind": "process", "workers": 2},
        "data_vintage": "arrivals to 2024-08; registered to 2025-06",
        "scenarios": [
            {
                "name": s.name,
                "title": s.title,
                "params_file": str(s.params_path),
                "params_sha256": "f" * 64,
                "seed": 1,
                "language": s.language,
            }
            for s in specs
        ],
    }
    write_index(
        run_dir,
        manifest,
        scenarios=specs,
        notebooks=NOTEBOOKS[:2],
        jobs=[],
        results={},
        headlines={s.name: HEADLINE for s in specs},
    )
    return run_dir


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, flags=re.S)]


def test_the_first_heading_is_a_title_in_words_with_the_run_date_and_the_latest_data(tmp_path: Path) -> None:
    html = (_run(tmp_path, {"baseline": "en", "ceasefire": "en"}) / "index.html").read_text(encoding="utf-8")
    assert _headings(html)[0] == "Ukraine reception forecast — run of 6 December 2026"
    assert "20261206T124405Z" not in _headings(html)[0] and "20261206T124405Z" not in html.split("</h1>")[0]
    dated = re.search(r'<p class="dated" id="dated">(.*?)</p>', html, flags=re.S).group(1)
    assert "Today: 6 December 2026." in dated and "Registered with municipalities to June 2025" in dated


def test_the_comparison_comes_first_and_the_run_details_are_folded_away(tmp_path: Path) -> None:
    html = (_run(tmp_path, {"baseline": "en", "ceasefire": "en"}) / "index.html").read_text(encoding="utf-8")
    comparison = html.index('id="comparison"')
    assert comparison < html.index('class="warnings"')  # no trigger table above the comparison
    # the early warning atop: one box for the run, the scenarios' statuses on one line, a link down
    top = html[:comparison]
    assert top.count('class="warn ') == 1 and "<table" not in top
    assert "RED — action needed" in top and 'href="#early-warning-details"' in top and 'id="early-warning"' in top
    details = html[html.index('<details class="run-details"') : html.index("</details>\n</body>")]
    for fact in (
        "0123456789abcdef",
        "20261206T124405Z",
        'id="early-warning-details"',
        'class="warnings"',
        'id="timings"',
        "f" * 16,
    ):
        assert fact in details and html.index(fact) > comparison, fact
    # notebook file keys are shown as the pages' titles
    matrix = html[html.index('id="matrix"') :]
    assert "Data: the published history" in matrix and ">01_data<" not in html


def test_everything_that_reaches_the_index_is_escaped(tmp_path: Path) -> None:
    html = (_run(tmp_path, {"baseline": "en", "ceasefire": "en"}) / "index.html").read_text(encoding="utf-8")
    assert "<b>baseline</b>" not in html and "&lt;b&gt;baseline&lt;/b&gt; &amp; co" in html
    assert "needs <more>" not in html and "needs &lt;more&gt;" in html


#: English words that must not be left on a Dutch index (headings, status, labels).
ENGLISH = (
    "Scenario comparison",
    "Early warning",
    "Reports",
    "Today",
    "Latest data",
    "All headline figures",
    "Run details",
    "Timings",
    "What each scenario assumes",
    "action needed",
    "figure",
    "unit",
    "persons",
    "Registered",
    "Failed",
    "run of",
    "Parameter files",
    "Which triggers",
    "ready",
    "Started",
    "Data: the published",
)


def test_a_dutch_run_has_a_dutch_index(tmp_path: Path) -> None:
    html = (_run(tmp_path, {"baseline_nl": "nl"}) / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    assert _headings(html)[0] == "Prognose opvang Oekraïners — run van 6 december 2026"
    assert "Vandaag: 6 december 2026." in html and "juni 2025" in html
    headings = " | ".join(_headings(html))
    assert "Vroegsignalering: ROOD — actie nodig" in headings and "Details van de run" in html
    assert "Ingeschreven in de maand van de run" in html and "&lt;b&gt;baseline_nl&lt;/b&gt; en co" in html
    visible = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    visible = re.sub(r'<div class="chart">.*?</div>', "", visible, flags=re.S)  # plotly's JSON, not words
    assert '<td lang="en">needs &lt;more&gt;</td>' in html  # the trigger's own words: English, and marked so
    visible = re.sub(r'<td lang="en">.*?</td>', "", visible, flags=re.S)
    leftovers = [w for w in ENGLISH if w in visible]
    assert not leftovers, leftovers


def test_a_run_with_a_dutch_edition_has_a_dutch_index_beside_the_english_one(tmp_path: Path) -> None:
    forecast = (
        "date,variable,q0.10,q0.50,q0.90\n2026-01-01,registered,1,2,3\n2026-02-01,registered,2,3,4\n"
        "2026-01-01,arrivals,1,2,3\n2026-02-01,arrivals,2,3,4\n"
    )
    for name in ("baseline", "baseline_nl"):  # the comparison charts' tables
        (tmp_path / "20261206T124405Z" / name / "tables").mkdir(parents=True)
        (tmp_path / "20261206T124405Z" / name / "tables" / "population_forecast.csv").write_text(forecast)
    run_dir = _run(tmp_path, {"baseline": "en", "baseline_nl": "nl"})
    english = (run_dir / "index.html").read_text(encoding="utf-8")
    dutch = (run_dir / "index.nl.html").read_text(encoding="utf-8")
    assert 'href="index.nl.html"' in english and 'href="index.html"' in dutch
    assert "Scenario comparison" in english and "Scenario’s vergeleken" in dutch
    assert '<html lang="nl">' in dutch and "Ukraine reception" not in dutch
    # the charts' month names and separators are Dutch on the Dutch page only
    assert 'src="assets/plotly-locale-nl.js"' in dutch and '"locale": "nl"' in dutch
    assert "plotly-locale-nl" not in english and '"locale": "nl"' not in english


def test_two_scenarios_with_the_same_forecast_both_show_on_the_comparison() -> None:
    import pandas as pd

    from capacity.report import forecast as report_forecast
    from capacity.runner.index import _dash_medians

    table = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-01", "2026-02-01"]),
            "variable": "registered",
            "q0.10": [1.0, 2.0],
            "q0.50": [2.0, 3.0],
            "q0.90": [3.0, 4.0],
        }
    )
    fig = report_forecast.scenario_comparison({"War continues": table, "Oorlog duurt voort": table.copy()})
    _dash_medians(fig)
    medians = [trace for trace in fig.data if trace.name]
    # drawn once, named by both: a line on top of an identical one hid it, dashed or not (issue 28)
    assert [m.name for m in medians] == ["War continues = Oorlog duurt voort"]
    other = table.assign(**{"q0.50": [2.5, 3.5]})
    fig = report_forecast.scenario_comparison({"War continues": table, "Ceasefire": other})
    _dash_medians(fig)
    medians = [trace for trace in fig.data if trace.name]
    assert [m.line.dash for m in medians] == ["solid", "dash"]  # different scenarios keep their own dash


def test_the_early_warning_line_names_each_scenario_only_when_their_statuses_differ(tmp_path: Path) -> None:
    same = (_run(tmp_path, {"baseline": "en", "ceasefire": "en"}) / "index.html").read_text(encoding="utf-8")
    line = same[same.index('id="early-warning"') : same.index('id="comparison"')]
    assert "RED — action needed" in line and "ceasefire" not in line
    differ = (
        _run(tmp_path / "differ", {"baseline": "en", "ceasefire": "nl"}, statuses={"ceasefire": "amber"})
        / "index.nl.html"
    ).read_text(encoding="utf-8")
    line = differ[differ.index('id="early-warning"') : differ.index('id="comparison"')]
    assert (
        "ROOD — actie nodig" in line
        and "baseline&lt;/b&gt; en co: ROOD" in line
        and "ceasefire&lt;/b&gt; en co: ORANJE" in line
    )


def test_a_difference_of_two_shares_is_in_percentage_points() -> None:
    from capacity.runner.index import _headline_rows

    specs = [ScenarioSpec(name=n, params_path=Path("x.yaml"), title=n, language="en", seed=1) for n in ("a", "b")]
    share = {
        "key": "late_share",
        "label_en": "Late share",
        "label_nl": "Aandeel te laat",
        "p10": None,
        "p90": None,
        "unit": "share",
        "rounding": 0.001,
    }
    rows = _headline_rows(specs, {"a": [{**share, "value": 0.585}], "b": [{**share, "value": 0.617}]})
    assert rows[0]["cells"][1]["diff"] == "+3.2 percentage points" and rows[0]["unit"] == "%"
    dutch = _headline_rows(specs, {"a": [{**share, "value": 0.585}], "b": [{**share, "value": 0.617}]}, language="nl")
    assert dutch[0]["cells"][1]["diff"] == "+3,2 procentpunt" and dutch[0]["name"] == "Aandeel te laat"


def test_the_dutch_edition_links_to_the_dutch_index(tmp_path: Path) -> None:
    run = tmp_path / "20261206T124405Z"
    pages = {
        "baseline/02.html": "../index.html",
        "baseline_nl/02.html": "../index.html",
        "baseline_nl/municipalities/GM0363.html": "../../index.html",
    }
    for page, href in pages.items():
        (run / page).parent.mkdir(parents=True, exist_ok=True)
        (run / page).write_text(f'<a href="{href}#early-warning">overzicht</a>', encoding="utf-8")
    _run(tmp_path, {"baseline": "en", "baseline_nl": "nl"})
    assert 'href="../index.html#early-warning"' in (run / "baseline/02.html").read_text(encoding="utf-8")
    assert 'href="../index.nl.html#early-warning"' in (run / "baseline_nl/02.html").read_text(encoding="utf-8")
    municipal = (run / "baseline_nl/municipalities/GM0363.html").read_text(encoding="utf-8")
    assert 'href="../../index.nl.html#early-warning"' in municipal


def test_a_first_run_of_several_scenarios_says_so_once(tmp_path: Path) -> None:
    run = tmp_path / "20261206T124405Z"
    run.mkdir()
    first = {"changes": {"first": True, "headline": []}, "track": [], "fan": []}
    (run / "vintages.json").write_text(json.dumps({"scenarios": {"baseline": first, "ceasefire": first}}))
    html = (_run(tmp_path, {"baseline": "en", "ceasefire": "en"}) / "index.html").read_text(encoding="utf-8")
    changed = html[html.index('id="what-changed"') : html.index('id="scenarios"')]
    assert changed.count("nothing to compare with yet") == 1 and "<h3>" not in changed
