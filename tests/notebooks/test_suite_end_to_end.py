"""The real notebooks executed end to end through the runner (baseline + one municipality)."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from capacity import data
from capacity.quantiles import check_contract

pytestmark = pytest.mark.notebook

CONTRACT_TABLES = {
    "population_forecast": {"arrivals", "departures", "registered"},
    "shelter_forecast": {"in_shelter", "places", "occupancy_rate", "unmet_demand", "places_needed"},
    "backlog_forecast": {"pending", "decisions", "late_decisions", "penalty_eur", "dtv_caseload", "shelter_entitled"},
}


def test_every_report_ran_without_an_error_cell(suite_run) -> None:
    assert suite_run.status == "ok", {k: r.error for k, r in suite_run.results.items() if r.error}
    executed = sorted(suite_run.run_dir.glob("baseline/**/*.ipynb"))
    names = {p.stem for p in executed}
    assert {"01_data", "02_arrivals_departures", "03_shelter", "04_tpd_backlog", "GM0363"} <= names
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        errors = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
        stderr = [
            o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("name") == "stderr"
        ]
        assert not stderr, f"{path.name} prints to stderr (it shows in the report): {stderr[0]['text'][:200]}"


def test_output_contract_tables(suite_run) -> None:
    tables = suite_run.run_dir / "baseline" / "tables"
    history = pd.read_csv(tables / "history.csv")
    assert list(history.columns[:5]) == ["date", "variable", "value", "flag", "source"]
    for name, variables in CONTRACT_TABLES.items():
        table = pd.read_csv(tables / f"{name}.csv", parse_dates=["date"])
        check_contract(table)
        assert variables <= set(table["variable"]), name
        assert (tables / f"{name}.xlsx").is_file()
    horizon = pd.read_csv(tables / "population_forecast.csv", parse_dates=["date"])
    # from the month after the last count (June 2025) to 36 months after the run month
    today = pd.Timestamp.today().to_period("M").to_timestamp()
    assert horizon["date"].min() == pd.Timestamp("2025-07-01")
    assert horizon["date"].max() == today + pd.DateOffset(months=36)
    for name in ("backtest", "backlog_policies", "capacity_needed", "municipalities"):
        assert (tables / f"{name}.csv").is_file(), name


#: Tokens a non-finite or missing number leaves in a CSV; none may appear in any cell.
NOT_A_NUMBER = {"inf", "+inf", "-inf", "infinity", "-infinity", "nan", "-nan", "none", "<na>", "nat"}


def non_finite_cells(folder: Path) -> list[str]:
    """Return ``file:row:column=token`` for every cell of every CSV under ``folder`` that is inf/nan/None."""
    import csv
    import gzip

    found = []
    for path in sorted([*folder.rglob("*.csv"), *folder.rglob("*.csv.gz")]):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            for i, row in enumerate(reader, start=2):
                for name, cell in zip(header, row, strict=False):
                    if cell.strip().lower() in NOT_A_NUMBER:
                        found.append(f"{path.relative_to(folder)}:{i}:{name}={cell}")
    return found


def test_no_inf_or_nan_in_any_csv_of_the_run(suite_run) -> None:
    csvs = [*suite_run.run_dir.rglob("*.csv"), *suite_run.run_dir.rglob("*.csv.gz")]
    assert len(csvs) > 30, "the run writes its tables as CSV"
    found = non_finite_cells(suite_run.run_dir)
    assert not found, f"{len(found)} cells: {found[:10]}"


def test_the_scanner_finds_inf_nan_and_none(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("key,value,p10\nx,inf,\ny,> 60,NaN\nz,None,-inf\n", encoding="utf-8")
    assert non_finite_cells(tmp_path) == [
        "a.csv:2:value=inf",
        "a.csv:3:p10=NaN",
        "a.csv:4:value=None",
        "a.csv:4:p10=-inf",
    ]


def test_backlog_tables_carry_costs_feasibility_two_numbers_and_checks(suite_run) -> None:
    tables = suite_run.run_dir / "baseline" / "tables"
    policies = pd.read_csv(tables / "backlog_policies.csv", dtype={"months_to_clear": str})
    for col in (
        "total_cost_eur_mean",
        "penalty_eur_mean",
        "reception_eur_mean",
        "feasible",
        "months_to_clear",
        "months_to_clear_censored",
    ):
        assert col in policies, col
    censored = policies["months_to_clear_censored"].astype(bool)
    assert policies.loc[censored, "months_to_clear"].str.fullmatch(r"> \d+").all()
    assert policies.loc[~censored, "months_to_clear"].str.fullmatch(r"\d+").all()
    assert not policies.loc[~policies["feasible"].astype(bool), "cheapest"].astype(bool).any()
    capacity = pd.read_csv(tables / "capacity_needed.csv").set_index("service")
    prio, regular = capacity.loc["IND cohort priority"], capacity.loc["IND regular stream"]
    assert 0 <= prio["priority_share"] <= 1 and 0 <= prio["probability_reached"] <= 1
    assert pd.notna(regular["deficit_per_month"]) and 0 <= regular["probability_reached"] <= 1
    validation = pd.read_csv(tables / "backlog_validation.csv")
    oos = validation[(validation["year"] == 2024) & (validation["sample"] == "out of sample")]
    assert {"penalty_eur", "notices_of_default"} <= set(oos["quantity"])
    sobol = pd.read_csv(tables / "backlog_sensitivity.csv")
    assert {"first_order", "total_order", "ci_low", "ci_high", "first_order_ci_low", "first_order_ci_high"} <= set(
        sobol.columns
    )


def test_municipal_table_reconciles_to_the_national_figures(suite_run) -> None:
    mun = pd.read_csv(suite_run.run_dir / "baseline" / "tables" / "municipalities.csv")
    assert len(mun) == 342 and mun["code"].is_unique
    assert set(mun["code"]) == set(data.load_municipalities()["code"])
    history = data.load_history()
    assert mun["places_now"].sum() == data.last_observed(history, "places")[1]  # 93,970 in March 2025
    assert mun["in_shelter_now"].sum() == data.last_observed(history, "in_shelter")[1]  # 93,770
    assert mun["population"].sum() == 17_942_942
    assert (mun["demand"] == mun["in_shelter"] + mun["unmet_demand"]).all()
    assert (mun["in_shelter"] <= mun["places"]).all()


def test_manifest_carries_provenance(suite_run) -> None:
    manifest = json.loads((suite_run.run_dir / "manifest.json").read_text())
    text = json.dumps(manifest)
    assert manifest["status"] == "ok"
    for key in ("baseline.yaml", "ukraine_shelter_nl.csv", "sha256", "seed"):
        assert key in text, key


def _links(page: Path) -> list[str]:
    """Every relative href/src of a page (no anchors, no data: or external URLs)."""
    found = re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8"))
    return [html.unescape(u) for u in found if not re.match(r"^[a-z][a-z0-9+.-]*:", u)]


def test_every_link_in_every_report_resolves(suite_run) -> None:
    pages = sorted(suite_run.run_dir.glob("**/*.html"))
    assert len(pages) >= 6
    dead = [
        f"{page.relative_to(suite_run.run_dir)} -> {link}"
        for page in pages
        for link in _links(page)
        if not (page.parent / link).exists()
    ]
    assert not dead, "dead links:\n" + "\n".join(dead)


def test_every_headline_figure_is_printed_the_same_everywhere(suite_run) -> None:
    from capacity import report
    from capacity.report import backlog as report_backlog
    from capacity.report import shelter as report_shelter

    scenario = suite_run.run_dir / "baseline"
    head = pd.read_csv(scenario / "tables" / "headline.csv", keep_default_na=False, na_values=[""])
    rows = {r["key"]: r for r in head.to_dict("records")}
    index = html.unescape((suite_run.run_dir / "index.html").read_text(encoding="utf-8"))
    for key, row in rows.items():
        assert f">{report.fmt_headline(row)}<" in index, key
    pages = {"03_shelter.html": report_shelter.HEADLINE_KEYS, "04_tpd_backlog.html": report_backlog.HEADLINE_KEYS}
    for page, keys in pages.items():
        text = html.unescape((scenario / page).read_text(encoding="utf-8"))
        for key in keys:
            for field in ("value", "p10", "p90"):
                assert report.fmt_headline(rows[key], field=field) in text, (page, key, field)
    intro = html.unescape((scenario / "04_tpd_backlog.html").read_text(encoding="utf-8"))
    assert f"<strong>{report.fmt_headline(rows['backlog_late_decisions_total'])}" in intro


#: What a planner must never read, one named pattern per kind of program output (issue 28).
#: Each has a unit test below (``test_each_pattern_catches_its_example``) that shows it catching
#: its example and passing the legitimate text beside it.
RAW_OUTPUT = {
    # 2,027 / 2.027 for the year 2027: a year printed as a number with a thousands separator,
    # seen where the next word is a year word or another year ("2,027 … 2,032", "in 2.030")
    "year with a separator": re.compile(
        r"(?:\b(?:in|since|until|year|sinds|vanaf|jaar)\s|(?<![\w.,])2[.,]0[1-4]\d\s?(?:…|–|-)\s?)"
        r"2[.,]0[1-4]\d(?![\d.,])|(?<![\w.,])2[.,]0[1-4]\d(?=\s?(?:…|–)\s?2[.,]0[1-4]\d)"
    ),
    "scientific notation": re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)?[eE][-+]?\d{1,3}(?![\w.])"),
    "inf or NaN": re.compile(r"(?<![\w-])(?:-?inf|nan|NaN|NaT|<NA>)(?![\w-])"),
    "True/False/None": re.compile(r"(?<![\w-])(?:True|False|None)(?![\w-])"),
    "Python repr": re.compile(r"\{'\w+':|\[\(|np\.float64|Timestamp\("),
    "internal word": re.compile(r"PLACEHOLDER|\bissue \d+\b|TODO"),
    # cohort_in_shelter, seasonal_naive: a name from the code where a reader's word belongs
    "code word": re.compile(r"(?<![\w./-])(?!migr_)[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.[a-z])"),
    # jargon and data-flag codes the issue found in reader text
    "jargon": re.compile(r"\bjump-off\b|\b(?:observed|waargenomen) [A-Z]{4,}\b|\b(?:DERIVED|OBSERVED|IMPUTED)\b"),
    # 0.60 persons, 4.83 places, 0.00: a count with decimals (English separators; the Dutch
    # pages are read with their separators swapped)
    "decimals on a count": re.compile(
        r"(?<![\w.,])-?(?:0\.\d+|\d[\d,]*\.(?!\d{3}(?!\d))\d+)\s(?:persons?|people|places?|cases?|decisions?|residents"
        r"|personen|mensen|plekken|zaken|beslissingen|inwoners)\b(?!/case|\s+per\s+(?:case|zaak)\b)"
        r"|(?<![\w.,])0\.00(?![\d%])(?!\s?%)"
    ),
    # "+3.1 %" beside a share: a difference of percentages printed as a percentage
    # (a signed percentage a few words after another percentage: "99.8 % (+0.4 %)")
    "percent for a difference of percentages": re.compile(
        r"\d\s?%[^%\d]{0,30}(?:[+−]|(?<![\w.,%-])-)\d+(?:\.\d+)?\s?%(?!-?\s?band)"
    ),
    # € 3,850,718,834 / 3,850,718,834 EUR: euros to the euro, from a million up
    "euros to the euro": re.compile(
        r"(?:€|EUR)\s?-?\d{1,3}(?:,\d{3}){2,}(?!\.\d|\s(?:million|billion))"
        r"|(?<![\w.,])\d{1,3}(?:,\d{3}){2,}\s?(?:EUR|euros?)\b|(?:€|EUR)\s?\d{7,}"
    ),
    # 0.333, 0.00212: a share as a bare decimal, not a percentage
    "share as a bare decimal": re.compile(r"(?<![\w.,+-])-?0\.\d{3,}(?![\d.,%])(?!\s?%)"),
    # 1447 persons: a count of four or more digits without its thousands separator (not a year, not a
    # document number: "Kamerstuk 19637 nr. 3346", "(27859 nr 163)", "nu.nl 6191906")
    "count without a separator": re.compile(
        r"(?<![\w.,:/#=-])(?<!Kamerstuk )(?<!nr\. )(?<!nu\.nl )(?!(?:19|20)\d\d(?!\d))\d{4,}(?![\w.,:/-])(?!\s+nr\b)"
    ),
    # 5 to 5, € 0 to € 0, – to –: a range whose ends are equal says nothing a range says
    "range with equal ends": re.compile(
        r"(?<![\w.,−-])((?:€\s?)?-?(?:\d[\d.,]*|–)(?:\s?%)?(?:\s(?:million))?)\s(?:to|tot)\s\1(?![\w.,])"
    ),
    # (baseline) (baseline): a label that already carries its parenthetical gets it again
    "doubled parenthetical": re.compile(r"(\([^()]{2,}\))\s*\1"),
}
#: Patterns read only on municipal pages: exact-looking small shares of the Netherlands.
MUNICIPAL_OUTPUT = {
    "tiny share printed exactly": re.compile(r"(?<![\w.,])0\.0+[1-9]\d*\s?%"),
    "count below 10 printed exactly": re.compile(
        r"(?<![\w.,€-])[1-9]\s(?:persons?|people|places?|residents|mensen|personen|plekken|inwoners)\b"
    ),
}
NUMBER = re.compile(r"(?<![\w.,])-?\d[\d,]*\.\d+(?![\w.])")
DUTCH_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def english_separators(text: str, language: str) -> str:
    """Return ``text`` with English separators: a Dutch page's ``93.970,5`` reads ``93,970.5``."""
    if language != "nl":
        return text
    return re.sub(r"(?<=\d)[.,](?=\d)", lambda m: "," if m.group() == "." else ".", text)


def raw_floats(text: str, language: str = "en") -> list[str]:
    """Numbers printed with decimals and five or more significant digits (``93,041.729``).

    Dutch pages write ``93.970`` for ninety-three thousand: their separators are swapped first.
    A number written as Dutch thousands (``75.000``) is read as Dutch on English pages too (a
    Dutch source title or quote may hold one); a raw float with three decimals and at most three
    digits before them can hide behind that reading (a known blind spot of this scan).
    """
    text = english_separators(text, language)
    found = []
    for match in NUMBER.finditer(text):
        if DUTCH_THOUSANDS.fullmatch(match.group()):
            continue
        digits = match.group().lstrip("-").replace(",", "").replace(".", "").lstrip("0")
        if len(digits) >= 5:
            found.append(match.group())
    return found


#: What the scan leaves out of a page, and why (everything else a reader sees is read).
EXCLUDED = {
    # the provenance box prints file names, hashes and the run's settings as the machine has them
    "provenance box": r'<section class="capacity-provenance".*?</section>',
    # the parameter tables echo the planner's input as given (keys are the YAML's own names)
    "parameter tables": (
        r"<table[^>]*><caption[^>]*>(?:Parameters used|Gebruikte parameters)[^<]*</caption>.*?</table>"
    ),
    # code and preformatted blocks show code, on purpose
    "code blocks": r"<(pre|code)\b[^>]*>.*?</\1>",
    # scripts and styles are not text (the charts' text is read from their JSON, see chart_texts)
    "scripts and styles": r"<(script|style)\b.*?</\1>",
}


def visible_text(page: Path | str) -> str:
    """The text a reader sees (with image and chart text alternatives), less :data:`EXCLUDED`."""
    text = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    for pattern in EXCLUDED.values():
        text = re.sub(pattern, " ", text, flags=re.S | re.I)
    alternatives = re.findall(r'(?:aria-label|alt|title)="([^"]*)"', text)
    text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape(" ".join([text, *alternatives]))


def _plots(script: str) -> list[tuple[list, dict]]:
    """The ``(traces, layout)`` of every ``Plotly.newPlot(id, traces, layout)`` in a script."""
    decoder, found = json.JSONDecoder(), []
    for match in re.finditer(r"Plotly\.newPlot\(", script):
        pos, values = script.index(",", match.start()) + 1, []
        for _ in range(2):
            while script[pos] in " \n\t,":
                pos += 1
            value, pos = decoder.raw_decode(script, pos)
            values.append(value)
        found.append((values[0], values[1]))
    return found


def _title(value: object) -> str | None:
    return value.get("text") if isinstance(value, dict) else value


def chart_texts(page: Path | str) -> list[str]:
    """The words a reader gets from the page's charts: titles, axis titles, tick labels, legend
    names, hover texts and templates (``%{y:,.0f}`` kept as the format it is), annotations and
    the summary (the text alternative)."""
    text = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    found: list[str] = []
    for traces, layout in _plots(text):
        found += [_title(layout.get("title")), (layout.get("meta") or {}).get("summary")]
        for key, axis in layout.items():
            if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict):
                found += [_title(axis.get("title")), *[str(v) for v in axis.get("ticktext") or []]]
        found += [a.get("text") for a in layout.get("annotations") or []]
        for trace in traces:
            found += [trace.get("name") if trace.get("showlegend", True) else None, trace.get("hovertemplate")]
            for key in ("text", "hovertext", "customdata"):
                values = trace.get(key)
                if isinstance(values, str):
                    found.append(values)
                elif isinstance(values, list):
                    found += [v for v in values if isinstance(v, str)]
                    found += [x for v in values if isinstance(v, list) for x in v if isinstance(x, str)]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(t))).split()) for t in found if t]


#: A web address in a source citation: read as it is written (ids and underscores included).
ADDRESS = re.compile(r"https?://\S+")
#: A plotly number format that prints decimals on every value (``%{y:.2f}``), or no separators.
CHART_FORMAT = re.compile(r"%\{[^}:]+:[^}]*\.[1-9]f\}|%\{[^}:]+:[^}]*e\}")


def page_language(page: Path) -> str:
    return "nl" if '<html lang="nl"' in page.read_text(encoding="utf-8")[:600] else "en"


def program_output(page: Path, root: Path | None = None, limit: int = 3) -> list[str]:
    """Every finding of the scan on one page: ``page: kind: ...context...`` (at most ``limit`` per kind)."""
    name = page.relative_to(root) if root else page.name
    language = page_language(page)
    municipal = page.parent.name == "municipalities"
    sources = {"text": visible_text(page), "chart": "\n".join(chart_texts(page))}
    found = []
    for source, text in sources.items():
        found += [f"{name}: {source}: raw float {f}" for f in raw_floats(text, language)][:limit]
        text = " ".join(ADDRESS.sub(" ", text).split())  # web addresses are cited as they are
        english = english_separators(text, language)
        patterns = {**RAW_OUTPUT, **(MUNICIPAL_OUTPUT if municipal else {})}
        for what, pattern in patterns.items():
            hits = list(pattern.finditer(english))
            found += [f"{name}: {source}: {what}: ...{english[max(0, m.start() - 50) : m.end() + 25]!r}" for m in hits][
                :limit
            ]
        if source == "chart":
            found += [f"{name}: chart: number format {m.group()!r}" for m in CHART_FORMAT.finditer(text)][:limit]
    return found


def scanned_pages(run_dir: Path) -> list[Path]:
    """Every HTML page of a run: the national pages of each edition, the municipal pages, the indexes."""
    return sorted(p for p in run_dir.glob("**/*.html") if "assets" not in p.parts)


def test_no_raw_program_output_in_any_rendered_report(suite_run) -> None:
    pages = scanned_pages(suite_run.run_dir)
    names = {str(p.relative_to(suite_run.run_dir)) for p in pages}
    assert {
        "index.html",
        "index.nl.html",
        "baseline/03_shelter.html",
        "baseline_nl/03_shelter.html",
        *(f"baseline/municipalities/{code}.html" for code in SCAN_MUNICIPALITIES),
    } <= names, sorted(names)
    found = [f for page in pages for f in program_output(page, suite_run.run_dir)]
    assert not found, f"{len(found)} findings:\n" + "\n".join(found)


#: The municipalities the suite runs: large, mid-sized and the smallest shelter (tests/conftest.py).
SCAN_MUNICIPALITIES = ("GM0363", "GM0193", "GM0088")


@pytest.mark.parametrize(
    "kind, caught, passed",
    [
        (
            "year with a separator",
            ["2,027 … 2,032", "in 2,030", "2,027–2,030"],
            ["2027", "jan 2027", "570 to 2,010", "2,027 persons"],
        ),
        (
            "scientific notation",
            ["breach 5.820766091346741e-11 persons", "2.37e+08 EUR"],
            ["git e82e2d4b9356665be35a8d867ef9ee10f1bf40e4."],
        ),
        ("inf or NaN", ["months nan", "cost inf"], ["information", "nanny"]),
        ("True/False/None", ["observed True", "False", "None"], ["no", "Nonetheless"]),
        (
            "code word",
            ["cohort_in_shelter", "moves to asylum_reception", "seasonal_naive"],
            ["in shelter", "tables/shelter_forecast.csv", "(policy_timeline.csv)", "Eurostat migr_asytpsm"],
        ),
        ("jargon", ["the jump-off month", "observed DERIVED"], ["the last count", "observed"]),
        (
            "decimals on a count",
            ["0.60 persons", "4.83 places", "0.00"],
            ["93,970 places", "0.6 %", "0.005", "ruim 18.000 plekken", "1.59 persons/case", "1.2 persons per case"],
        ),
        (
            "percent for a difference of percentages",
            ["99.8 % (+3.1 %)", "from 97 % to 99 %: −0.4 %", "occupancy 91 % (-2 %)"],
            ["+3.1 pp", "56.4 %", "5-95 %", "80 % band", "8.8 % 2022-05-01 4,119 -18.9 %"],
        ),
        (
            "euros to the euro",
            ["€ 3,850,718,834", "3,850,718,834 EUR", "€ 3850718834"],
            ["€ 166 million", "€ 94,000", "€ 2.4 million"],
        ),
        ("share as a bare decimal", ["0.333", "share 0.00212"], ["33.3 %", "0.5", "q0.025", "0.25 %"]),
        (
            "count without a separator",
            ["1447 persons", "moves 12345"],
            [
                "1,447",
                "2027",
                "GM0363",
                "2026-11-28",
                "e82e2d4",
                "Kamerstuk 19637 nr. 3346",
                "oldid=614760",
                "Kamerbrief BZK (27859 nr 163)",  # a parliamentary paper's number
                "nu.nl 6191906",  # a news article's number
            ],
        ),
        (
            "range with equal ends",
            ["5 to 5", "€ 0 to € 0", "– to –", "1.2 % to 1.2 %"],
            ["5 to 6", "€ 0 to € 10", "50 to 500", "0 % (-1 to 1 %)"],
        ),
        ("doubled parenthetical", ["War continues (baseline) (baseline)"], ["War continues (baseline)", "(a) (b)"]),
    ],
)
def test_each_pattern_catches_its_example(kind, caught, passed) -> None:
    pattern = RAW_OUTPUT[kind]
    assert [text for text in caught if not pattern.search(text)] == []
    assert [text for text in passed if pattern.search(text)] == []


@pytest.mark.parametrize(
    "kind, caught, passed",
    [
        ("tiny share printed exactly", ["0.01 %", "0.05%"], ["fewer than 0.1 %", "0.0 %", "1.5 %"]),
        (
            "count below 10 printed exactly",
            ["5 places", "3 mensen"],
            ["fewer than 10 places", "972 inwoners", "12 maanden"],
        ),
    ],
)
def test_each_municipal_pattern_catches_its_example(kind, caught, passed) -> None:
    pattern = MUNICIPAL_OUTPUT[kind]
    assert [text for text in caught if not pattern.search(text)] == []
    assert [text for text in passed if pattern.search(text)] == []


def test_dutch_text_is_read_with_its_own_separators() -> None:
    dutch = english_separators(
        "93.970 plekken, jan 2027, 56,4%, +3,1 procentpunt, € 166 miljoen, banden 50, 67 en 95%, 0,60 personen", "nl"
    )
    found = {kind for kind, pattern in RAW_OUTPUT.items() if pattern.search(dutch)}
    assert found == {"decimals on a count"}, found
    assert raw_floats("93.970 plekken, 99,8%", "nl") == []


def test_the_scan_reads_chart_text_and_leaves_out_what_it_must() -> None:
    layout = {
        "title": {"text": "Demand"},
        "xaxis": {"ticktext": ["2,027", "2,028"]},
        "annotations": [{"text": "cohort_in_shelter"}],
        "meta": {"summary": "Median 0.00 (80 % band 0.00 to 0.00)"},
    }
    traces = [{"name": "95 % band", "hovertemplate": "%{y:.2f}<extra></extra>", "text": ["€ 0 to € 0"]}]
    page = (
        f"<html><body><p>War (baseline) (baseline)</p><pre>seasonal_naive</pre><code>left_country</code>"
        f'<section class="capacity-provenance">git e82e2d4 None</section>'
        f'<figure><div role="img" aria-label="observed True"></div></figure>'
        f"<script>Plotly.newPlot('x', {json.dumps(traces)}, {json.dumps(layout)})</script></body></html>"
    )
    assert chart_texts(page) == [
        "Demand",
        "Median 0.00 (80 % band 0.00 to 0.00)",
        "2,027",
        "2,028",
        "cohort_in_shelter",
        "95 % band",
        "%{y:.2f}",
        "€ 0 to € 0",
    ]
    text = visible_text(page)
    assert "(baseline) (baseline)" in text and "observed True" in text
    assert "seasonal_naive" not in text and "left_country" not in text and "None" not in text
    assert CHART_FORMAT.search("%{y:.2f}") and not CHART_FORMAT.search("%{y:,.0f}")


def test_the_raw_float_rule() -> None:
    cases = {"151,594.931 persons": ["151,594.931"], "73.8291 %": ["73.8291"], "0.751": [], "75.000 landelijk": []}
    cases |= {"EUR 9.9 million": [], "0.00189": [], "2026-11-28": []}
    assert {text: raw_floats(text) for text in cases} == cases


#: Words that give an English heading or label away in a Dutch report. Left out, because they
#: are Dutch words too: "of" (or/whether), "in", "is", "per", "model", "scenario", "late" (te
#: late), "door", "ensemble", "variant", "regio", "code", "DT&V", "IND".
ENGLISH_WORDS = frozenset(
    """
    the and with for from to by at on or not than when what how which where after before
    forecast forecasts shelter arrivals departures departure month months persons people places
    place registered backlog decisions penalties cases share demand history replay assumptions
    assumption headline capacity municipal municipality municipalities observed median quantiles
    policies policy needed scenarios rate rates cost costs date value variable mean source note
    first last found expected meaning unit coverage pending cleared level low high
    sample output total year years weeks days share_never naive backtest
""".split()
)
#: English words a Dutch page may show, and why.
ENGLISH_ALLOWED = {
    "seed": "the random seed's name in the provenance box, a technical term in Dutch too",
    "run": "a run of the suite ('Overzicht van deze run'), common in Dutch technical writing",
}


class _LabelParser(HTMLParser):
    """Collects the text of headings, captions, column headers and figcaptions, and the scripts."""

    WANTED = frozenset({"h1", "h2", "h3", "h4", "caption", "th", "figcaption"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.open: list[list[str]] = []
        self.script: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "script":
            self.script = []
        if tag in self.WANTED:
            self.open.append([tag, ""])

    def handle_endtag(self, tag) -> None:
        if tag == "script" and self.script is not None:
            self.scripts.append("".join(self.script))
            self.script = None
        if self.open and self.open[-1][0] == tag:
            kind, text = self.open.pop()
            self.found.append((kind, " ".join(text.split())))
            if self.open:
                self.open[-1][1] += text

    def handle_data(self, data) -> None:
        if self.script is not None:
            self.script.append(data)
        elif self.open:
            self.open[-1][1] += data


def chart_titles(script: str) -> list[str]:
    """The title and axis titles of the plotly chart a script draws (``Plotly.newPlot(id, data, layout)``)."""
    start = script.find("Plotly.newPlot(")
    if start < 0:
        return []
    decoder, pos, values = json.JSONDecoder(), script.index(",", start) + 1, []
    for _ in range(2):  # the traces, then the layout
        while script[pos] in " \n\t,":
            pos += 1
        value, pos = decoder.raw_decode(script, pos)
        values.append(value)
    layout = values[1]
    titles = [layout.get("title")] + [
        v.get("title") for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k) and isinstance(v, dict)
    ]
    texts = [t.get("text") if isinstance(t, dict) else t for t in titles]
    return [str(t) for t in texts if t]


def dutch_labels(page: Path) -> list[tuple[str, str]]:
    """Headings (h1-h4), table captions and column headers, figcaptions and chart titles of a page."""
    parser = _LabelParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found + [("chart title", t) for s in parser.scripts for t in chart_titles(s)]


def english_words(text: str) -> list[str]:
    """The tell-tale English words of ``text`` (codes like ``places_short`` split at ``_``)."""
    words = re.findall(r"[A-Za-zÀ-ÿ]+", text.replace("_", " "))
    return [w for w in words if w.lower() in ENGLISH_WORDS and w.lower() not in ENGLISH_ALLOWED]


@pytest.mark.parametrize(
    "text, english",
    [
        ("Gemeentelijke opvang: bezetting en benodigde plekken", []),
        ("Municipal shelter: occupancy and places needed", ["Municipal", "shelter", "and", "places", "needed"]),
        ("longest_gap_months", ["months"]),
        ("Dwangsommen, of er later nu wordt beslist of niet", []),
        ("Seed", []),
        ("Shelter headline figures / Kerncijfers opvang", ["Shelter", "headline"]),
    ],
)
def test_the_english_word_rule(text, english) -> None:
    assert english_words(text) == english


#: Dutch column headers whose cells hold fixed phrases and units the label table translates
#: (``cell_<English>``). Left out on purpose: "betekenis" and "bron" (meanings and sources of
#: parameters, in English as in the parameter files; the caption says so), "feit" and
#: "toelichting" (phrases with dates from the data files), "waarde" and "parameter" (as given).
DUTCH_TEXT_COLUMNS = frozenset(
    {
        "eenheid",
        "methode",
        "regel",
        "niveau",
        "criterium",
        "variant",
        "herkomst sleutel",
        "bron plekken",
        "betrouwbaarheid",
        "kenmerken",
        "grootheid",
        "uitkomst",
        "rol van het jaar",
        "variabele",
        "reeks",
    }
)


class _CellParser(HTMLParser):
    """Collects ``(column header, cell text)`` of every table's body cells."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self.tables: list[dict] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.tables.append({"head": [], "row": [], "in_head": False})
        elif self.tables and tag == "thead":
            self.tables[-1]["in_head"] = True
        elif self.tables and tag == "tr":
            self.tables[-1]["row"] = []
        elif self.tables and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "thead":
            table["in_head"] = False
        elif tag in ("td", "th") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            if table["in_head"]:
                table["head"].append(text)
            elif tag == "td" and len(table["row"]) < len(table["head"]):
                self.cells.append((table["head"][len(table["row"])], text))
            table["row"].append(text)
            self.cell = None
        elif tag == "table":
            self.tables.pop()

    def handle_data(self, data) -> None:
        if self.cell is not None:
            self.cell.append(data)


def dutch_cells(page: Path) -> list[tuple[str, str]]:
    """``(column, text)`` of the cells in :data:`DUTCH_TEXT_COLUMNS`, outside the provenance box."""
    text = re.sub(
        r'<section class="capacity-provenance".*?</section>', " ", page.read_text(encoding="utf-8"), flags=re.S
    )
    parser = _CellParser()
    parser.feed(text)
    return [(col, cell) for col, cell in parser.cells if col in DUTCH_TEXT_COLUMNS]


def test_the_cell_parser_reads_cells_by_their_column() -> None:
    page = (
        "<table><thead><tr><th>eenheid</th><th>waarde</th></tr></thead><tbody>"
        "<tr><td>persons/month</td><td>3</td></tr></tbody></table>"
    )
    parser = _CellParser()
    parser.feed(page)
    assert parser.cells == [("eenheid", "persons/month"), ("waarde", "3")]
    assert english_words("persons/month") == ["persons", "month"]


def test_dutch_reports_have_no_english_headings_or_labels(suite_run) -> None:
    pages = sorted(suite_run.run_dir.glob("**/*.html"))
    dutch = [p for p in pages if '<html lang="nl"' in p.read_text(encoding="utf-8")[:600]]
    names = {str(p.relative_to(suite_run.run_dir)) for p in dutch}
    assert {
        "baseline_nl/03_shelter.html",
        "baseline_nl/04_tpd_backlog.html",
        "baseline/municipalities/GM0363.html",
    } <= names, sorted(names)
    found = []
    for page in dutch:
        labels = dutch_labels(page)
        if page.name in ("03_shelter.html", "GM0363.html"):  # the scan reads the charts too
            assert any(kind == "chart title" for kind, _ in labels), page
        for kind, text in labels:
            if words := english_words(text):
                found.append(f"{page.relative_to(suite_run.run_dir)}: {kind} {text!r}: {words}")
        for column, text in dutch_cells(page):  # the fixed phrases and units in table cells
            if words := english_words(text):
                found.append(f"{page.relative_to(suite_run.run_dir)}: cell in {column!r} {text!r}: {words}")
    assert not found, f"{len(found)} English labels in Dutch reports:\n" + "\n".join(found[:60])


if __name__ == "__main__":  # the scan over any run folder: python tests/notebooks/test_suite_end_to_end.py RUN
    import sys

    root = Path(sys.argv[1])
    findings = [
        f
        for page in scanned_pages(root)
        for f in program_output(page, root, limit=int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    ]
    print("\n".join(findings) or "nothing found")
    print(f"{len(findings)} findings", file=sys.stderr)
