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


#: What a planner must never read: raw floats, inf/NaN, Python reprs, internal words.
RAW_OUTPUT = {
    "scientific notation": re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?[eE][-+]?\d{1,3}(?![\w.])"),
    "inf or NaN": re.compile(r"(?<![\w-])(?:-?inf|nan|NaN|NaT|None)(?![\w-])"),
    "Python repr": re.compile(r"\{'\w+':|\[\(|np\.float64|Timestamp\("),
    "internal word": re.compile(r"PLACEHOLDER|\bissue \d+\b|TODO"),
}
NUMBER = re.compile(r"(?<![\w.,])-?\d[\d,]*\.\d+(?![\w.])")
DUTCH_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def raw_floats(text: str, language: str = "en") -> list[str]:
    """Numbers printed with decimals and five or more significant digits (``93,041.729``).

    Dutch pages write ``93.970`` for ninety-three thousand: their separators are swapped first.
    A number written as Dutch thousands (``75.000``) is read as Dutch on English pages too (a
    Dutch source title or quote may hold one); a raw float with three decimals and at most three
    digits before them can hide behind that reading (a known blind spot of this scan).
    """
    if language == "nl":
        text = text.translate(str.maketrans(",.", ".,"))
    found = []
    for match in NUMBER.finditer(text):
        if DUTCH_THOUSANDS.fullmatch(match.group()):
            continue
        digits = match.group().lstrip("-").replace(",", "").replace(".", "").lstrip("0")
        if len(digits) >= 5:
            found.append(match.group())
    return found


def visible_text(page: Path) -> str:
    """The text a reader sees, less the inputs echoed as given (parameter tables, provenance)."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r'<section class="capacity-provenance".*?</section>', " ", text, flags=re.S)
    text = re.sub(
        r"<table[^>]*><caption[^>]*>(Parameters used|Gebruikte parameters)[^<]*</caption>.*?</table>",
        " ",
        text,
        flags=re.S,
    )
    text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape(text)


def test_no_raw_program_output_in_any_rendered_report(suite_run) -> None:
    pages = sorted(suite_run.run_dir.glob("**/*.html"))
    found = []
    for page in pages:
        text = visible_text(page)
        name = page.relative_to(suite_run.run_dir)
        language = "nl" if '<html lang="nl"' in page.read_text(encoding="utf-8")[:400] else "en"
        found += [f"{name}: raw float {f}" for f in raw_floats(text, language)][:3]
        for what, pattern in RAW_OUTPUT.items():
            found += [
                f"{name}: {what}: ...{text[max(0, m.start() - 40) : m.end() + 20]!r}" for m in pattern.finditer(text)
            ][:3]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "text, raw",
    [
        ("151,594.931 persons", ["151,594.931"]),
        ("73.8291 %", ["73.8291"]),
        ("0.751", []),
        ("75.000 landelijk", []),
        ("EUR 9.9 million", []),
        ("0.00189", []),
        ("2026-11-28", []),
    ],
)
def test_the_raw_float_rule(text, raw) -> None:
    assert raw_floats(text) == raw
    assert raw_floats("93.970 plekken, 99,8%", "nl") == []
    assert RAW_OUTPUT["scientific notation"].search("breach 5.820766091346741e-11 persons")
    assert not RAW_OUTPUT["scientific notation"].search("git e82e2d4b9356665be35a8d867ef9ee10f1bf40e4.")


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
