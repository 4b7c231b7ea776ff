"""How a report prints: which tables go landscape or stay out, and the footer's words.

The browser check (tests/browser/test_print.py) measures the printed layout; these check the
export's decisions and the text it writes into the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from capacity.report import t
from capacity.runner.export import (
    PRINT_MIN_ZOOM,
    PRINT_QUANTILE_ROWS,
    PRINT_WIDE_PX,
    PRINT_WIDTH_PX,
    css_string,
    export_html,
    print_footer,
    print_plan,
    print_width,
)
from capacity.runner.plan import Job, Notebook

pytestmark = pytest.mark.unit


def _table(headers: list[str], rows: list[list[str]], caption: str = "A table", csv: str | None = "t") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    link = f'<p class="downloads">Download: <a href="tables/{csv}.csv" download>CSV</a></p>' if csv else ""
    return (
        f'<p class="capacity-caption"><strong>{caption}</strong></p>{link}'
        f'<div class="capacity-table-wrap"><table class="dataframe capacity-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


QUANTILES = ["date", "variable", "mean", "q0.05", "q0.50", "q0.95"]


def test_a_long_quantile_table_stays_out_of_print_with_a_line_naming_its_download() -> None:
    rows = [["2027-01-01", "pending", "1,000", "900", "1,000", "1,100"]] * PRINT_QUANTILE_ROWS
    plan = print_plan(_table(QUANTILES, rows, "Backlog forecast (quantiles)", "backlog_forecast"), "en")
    assert set(plan) == {"omit"}
    assert "“Backlog forecast (quantiles)”" in plan["omit"] and "tables/backlog_forecast.csv" in plan["omit"]
    dutch = print_plan(_table(QUANTILES, rows, "Prognose (kwantielen)", "backlog_forecast"), "nl")
    assert dutch["omit"].startswith("Niet afgedrukt: “Prognose (kwantielen)”")


def test_a_short_quantile_table_and_one_without_a_download_print() -> None:
    rows = [["2027-01-01", "pending", "1,000", "900", "1,000", "1,100"]]
    assert print_plan(_table(QUANTILES, rows * (PRINT_QUANTILE_ROWS - 1)), "en") == {}
    assert print_plan(_table(QUANTILES, rows * 40, csv=None), "en") == {}


def test_the_parameter_listing_points_to_the_scenario_file() -> None:
    rows = [["backlog.n_paths", "1,000", "paths", "Monte Carlo sample paths", ""]] * 3
    headers = ["parameter", "value", "unit", "meaning", "source"]
    plan = print_plan(_table(headers, rows, "Parameters used", csv=None), "en", "../inputs/scenario.yaml")
    assert "3 parameters" in plan["omit"] and "../inputs/scenario.yaml" in plan["omit"]
    dutch = _table(headers, rows, t("parameters_used", "nl"), csv=None)
    assert "3 parameters" in print_plan(dutch, "nl")["omit"]


def test_a_table_too_wide_for_a4_portrait_goes_landscape_and_zooms_out_past_landscape() -> None:
    narrow = _table(["a", "b"], [["1", "2"]])
    assert print_plan(narrow, "en") == {} and print_width(narrow) < PRINT_WIDTH_PX
    wide = _table([f"column{i}" for i in range(12)], [["123,456,789"] * 12])
    assert PRINT_WIDTH_PX < print_width(wide) <= PRINT_WIDE_PX
    assert print_plan(wide, "en") == {"wide": True}
    wider = _table([f"column{i}" for i in range(18)], [["123,456,789"] * 18])
    plan = print_plan(wider, "en")
    assert plan["wide"] and PRINT_MIN_ZOOM <= plan["zoom"] < 1 and "squeeze" not in plan
    assert print_width(wider) * plan["zoom"] <= PRINT_WIDE_PX
    widest = _table([f"longcolumnheader{i}" for i in range(40)], [["123,456"] * 40])
    plan = print_plan(widest, "en")
    assert plan["squeeze"] and plan["zoom"] >= PRINT_MIN_ZOOM


def test_the_footer_says_page_of_pages_and_the_run_date_in_the_page_language() -> None:
    dutch = print_footer("Amsterdam (GM0363)", "6 december 2026", "nl")
    assert dutch["right"] == '"pagina " counter(page) " van " counter(pages)'
    assert dutch["left"] == '"Amsterdam (GM0363) · stand van 6 december 2026"'
    assert print_footer("War", "6 December 2026", "en")["right"] == '"page " counter(page) " of " counter(pages)'


def test_a_title_cannot_leave_the_css_string() -> None:
    text = css_string('War "x" \\ </style><script>alert(1)</script>\n')
    assert text.startswith('"') and text.endswith('"')
    inner = text[1:-1]
    assert '"' not in inner and "<" not in inner and "\n" not in inner
    assert re.fullmatch(r'(?:[^"\\]|\\[0-9a-f]+ )*', inner), inner


def test_the_page_carries_the_footer_the_print_classes_and_the_note(tmp_path: Path) -> None:
    rows = [["2027-01-01", "pending", "1,000", "900", "1,000", "1,100"]] * PRINT_QUANTILE_ROWS
    nb = nbformat.v4.new_notebook()
    for html in (_table(QUANTILES, rows, "Quantiles", "q"), _table([f"column{i}" for i in range(14)], [["1"] * 14])):
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
        nb.cells.append(cell)
    out = tmp_path / "run" / "baseline"
    out.mkdir(parents=True)
    job = Job(
        key="baseline/x",
        scenario="baseline",
        notebook=Notebook("x"),
        municipality=None,
        parameters={},
        output_ipynb=out / "x.ipynb",
        output_html=out / "x.html",
        workdir=tmp_path,
        language="nl",
        title='Titel "met" </style>',
    )
    page = export_html(nb, job, context={"run": {"started": "2026-12-06T09:00:00"}}).read_text(encoding="utf-8")
    assert '@bottom-right { content: "pagina " counter(page) " van " counter(pages); }' in page
    assert "stand van 6 december 2026" in page and '</style>"' not in page
    assert page.count("capacity-print-omit") == 1 and page.count("capacity-print-wide") == 1
    assert re.search(r'<p class="capacity-print-note">Niet afgedrukt: “Quantiles”.*tables/q\.csv', page)
    assert '<script src="../assets/capacity-print.js"></script>' in page
