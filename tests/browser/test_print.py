"""Printed reports fit the page: in Chromium's print layout nothing is wider than A4, charts
keep their legend and last month, and every printed page carries its number and the run date.

The layout check emulates print media (DevTools ``Emulation.setEmulatedMedia``) in a window
as wide as A4's content (210 mm less 12 mm margins: 703 CSS px), as Chromium lays a page out
to print it, and measures every element: one wider than its page would be cut off or shrink
the whole printout. A table the export sends to a landscape page (``capacity-print-wide``)
has that page's width (273 mm: 1032 px). Then a national and a municipal page are printed to
PDF with :func:`capacity.runner.pdf.print_pdf` and read back with pypdf.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from test_reports_render import DevTools, browser  # noqa: F401 - the Chromium fixture, shared

from capacity.runner.export import PRINT_WIDE_PX, PRINT_WIDTH_PX, dated_box

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.browser

#: Every element wider than its printed page (or past its edge), the outermost first; and per
#: chart its width, its plot area's right edge and whether its legend is whole.
PRINT_JS = """((portrait, landscape) => {
  const wide = e => e.closest('.capacity-print-wide');
  const over = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('#js-plotly-tester')) continue;  // plotly's own measuring box, off screen
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (getComputedStyle(e).visibility === 'hidden') continue;
    const page = wide(e) ? landscape : portrait;
    if (r.left < -1 || r.right > page + 1 || r.width > page + 1) over.push(e);
  }
  const set = new Set(over);
  const describe = e => {
    const r = e.getBoundingClientRect();
    return `<${e.tagName.toLowerCase()} class="${e.getAttribute('class') || ''}"> `
      + `${JSON.stringify((e.textContent || '').trim().slice(0, 60))}: ${Math.round(r.left)} to ${Math.round(r.right)} px`
      + (wide(e) ? ' (landscape page)' : '');
  };
  const charts = Array.from(document.querySelectorAll('.js-plotly-plot')).map(c => {
    const full = c._fullLayout, legend = full.legend;
    const svg = c.querySelector('svg.main-svg').getBoundingClientRect();
    const xaxis = full.xaxis;
    return {
      title: (full.title && full.title.text) || '',
      width: full.width, right: svg.right, box: c.parentElement.getBoundingClientRect().width,
      plotRight: xaxis ? xaxis._offset + xaxis._length : 0,
      legendItems: full.showlegend ? Array.from(c.querySelectorAll('.legendtext')).map(t => t.textContent) : [],
      legendWhole: !full.showlegend || !legend || legend._height <= legend._effHeight + 1,
    };
  });
  return JSON.stringify({
    media: matchMedia('print').matches,
    width: window.innerWidth,
    over: over.filter(e => !set.has(e.parentElement)).slice(0, 8).map(describe),
    charts,
    omitted: document.querySelectorAll('.capacity-print-omit').length,
    notes: Array.from(document.querySelectorAll('.capacity-print-note')).map(n => n.textContent),
  });
})(PORTRAIT, LANDSCAPE)""".replace("PORTRAIT", str(PRINT_WIDTH_PX)).replace("LANDSCAPE", str(PRINT_WIDE_PX))


def printed_layout(browser: DevTools, url: str) -> dict:  # noqa: F811 - the fixture's type
    """Open ``url`` as wide as A4's content, switch to print media, return :data:`PRINT_JS`'s findings."""
    browser.events.clear()
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        browser.send("Page.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": PRINT_WIDTH_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_event("Page.loadEventFired")
        time.sleep(1.0)  # let Plotly draw
        browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
        time.sleep(1.0)  # the page's print listener redraws the charts
        value = browser.send("Runtime.evaluate", {"expression": PRINT_JS, "returnByValue": True}, session=session)
        return json.loads(value["result"]["value"])
    finally:
        browser.send("Target.closeTarget", {"targetId": target})


PAGES = [
    "baseline/01_data.html",
    "baseline/02_arrivals_departures.html",
    "baseline/03_shelter.html",
    "baseline/04_tpd_backlog.html",
    "baseline/06_eu_context.html",
    "baseline/municipalities/GM0363.html",
    "baseline_nl/04_tpd_backlog.html",
    "index.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_nothing_on_a_printed_page_is_wider_than_the_page(browser: DevTools, suite_run, page: str) -> None:  # noqa: F811
    """No element past the A4 content width (a landscape table: the landscape width); every
    chart drawn at the printed width, its plot area to the last month, its legend whole."""
    assert suite_run.status == "ok"
    found = printed_layout(browser, (suite_run.run_dir / page).as_uri())
    assert found["media"] and found["width"] == PRINT_WIDTH_PX, found
    assert found["over"] == [], f"{page}: wider than the printed page: " + "; ".join(found["over"])
    for chart in found["charts"]:
        assert chart["width"] <= chart["box"] + 1 and chart["right"] <= PRINT_WIDTH_PX + 1, (page, chart)
        assert chart["plotRight"] <= chart["width"], (page, chart)
        assert chart["legendWhole"], f"{page}: the legend of {chart['title']!r} scrolls in print"
    if page != "index.html" and "municipalities" not in page:
        assert found["charts"], page
        assert found["omitted"] == len(found["notes"]) >= 1, found["notes"]  # the parameter listing at least


def _pdf_pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages]


@pytest.mark.parametrize(
    "page, words",
    [("baseline/01_data.html", "page {i} of {n}"), ("baseline/municipalities/GM0363.html", "pagina {i} van {n}")],
)
def test_printed_pages_carry_page_numbers_and_the_run_date(
    browser: DevTools,  # noqa: F811
    suite_run,
    tmp_path: Path,
    page: str,
    words: str,
) -> None:
    """Printed through ``capacity run --pdf``'s printer: each page says "page i of n" and the
    run's date (the dated box's, not the day it is printed); a chart's legend is in the PDF."""
    from capacity.runner.pdf import find_chromium, print_pdf

    source = suite_run.run_dir / page
    copy = tmp_path / page  # the page and its folder's scripts, the run's assets/ linked: the run stays as it is
    copy.parent.mkdir(parents=True)
    for path in [source, *source.parent.glob("shared-*.js")]:
        (copy.parent / path.name).write_bytes(path.read_bytes())
    (tmp_path / "assets").symlink_to(suite_run.run_dir / "assets", target_is_directory=True)
    pdf = print_pdf(copy, chromium=find_chromium())
    texts = _pdf_pages(pdf)
    language = "nl" if "municipalities" in page else "en"
    run_date = dated_box({"started": suite_run.manifest["started"]}, language)["run_date"]
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}", run_date), run_date
    n = len(texts)
    for i, text in enumerate(texts, start=1):
        flat = " ".join(text.split())
        assert words.format(i=i, n=n) in flat, (i, flat[:200])
        assert run_date in flat, (i, flat[:200])
    found = printed_layout(browser, source.as_uri())
    everything = " ".join(" ".join(texts).split())
    for chart in found["charts"]:
        for item in chart["legendItems"]:
            assert " ".join(item.split()) in everything, f"legend entry {item!r} of {chart['title']!r} not printed"
