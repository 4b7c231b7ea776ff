"""Render an executed notebook as a code-free, offline HTML report, right the first time.

Every decision a page needs (where its tables are, which downloads exist, the gathered
CSV of a municipal batch, its language, its provenance) is made *before* rendering: it goes
into ``resources["capacity"]``, where the :data:`PREPROCESSORS` and the ``capacity_report``
template read it. Nothing edits the rendered page afterwards.

Adding a preprocessor is one line in :data:`PREPROCESSORS`: a
:class:`nbconvert.preprocessors.Preprocessor` class whose ``preprocess(nb, resources)``
reads the page's settings from ``resources["capacity"]``.
"""

from __future__ import annotations

import functools
import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor

from capacity import project
from capacity.i18n import N_, _
from capacity.report.language_cells import LanguageCells
from capacity.runner.gather import MUNICIPAL_CSV
from capacity.runner.plan import Job

#: nbconvert templates shipped with the package (``capacity_report`` is the report).
TEMPLATES_DIR = project.templates_dir()


class TableLinks(Preprocessor):
    """Point the outputs' table links at the page's tables folder and a batch's gathered CSV.

    Notebooks link tables relative to their ``output_dir`` (``tables/<name>.csv``, the
    scenario folder); a page placed deeper (``municipalities/<code>.html``) needs the path
    from where it lives (``resources["capacity"]["tables_href"]``). A published municipal
    page of a batch links the scenario's gathered CSV instead of its own
    (``resources["capacity"]["own_csv"]``, see :mod:`capacity.runner.gather`).
    """

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:  # noqa: D102
        page = resources.get("capacity", {})
        base = page.get("tables_href", "tables")
        own = page.get("own_csv")
        if base == "tables" and not own:
            return nb, resources

        own_link = None
        if own:
            own_href = html.escape(f"{base}/{own['name']}.csv")
            own_link = re.compile(rf'(<a href="){re.escape(own_href)}("[^>]*>)CSV</a>')
            href, label = html.escape(own["href"]), html.escape(own["label"])

        def rewrite(text: str) -> str:
            if base != "tables":
                text = text.replace('href="tables/', f'href="{base}/').replace("](tables/", f"]({base}/")
            if own_link is not None:
                text = own_link.sub(lambda m: f"{m[1]}{href}{m[2]}{label}</a>", text)
            return text

        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = rewrite(cell.source)
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/html" in data:
                    value = data["text/html"]
                    data["text/html"] = rewrite("".join(value) if isinstance(value, list) else value)
        return nb, resources


#: A4 portrait's content width in CSS pixels: 210 mm less the 12 mm margins of ``@page``.
PRINT_WIDTH_PX = 703
#: A4 landscape's content width in CSS pixels (297 mm less the margins of ``@page wide``).
PRINT_WIDE_PX = 1032
#: The least a table too wide for a landscape page is zoomed out to (0.55 of 7.5 pt: 4 pt).
PRINT_MIN_ZOOM = 0.55
#: What one character of a printed table takes (7.5 pt type, digits and letters on average),
#: and a cell's padding and border: a table's narrowest width is estimated from its longest words.
PRINT_CHAR_PX = 6.5
PRINT_CELL_PX = 8
#: Captions (label keys) of reference tables that close a report: printed, they fill pages
#: with what the download, ``inputs/scenario.yaml`` and the HTML report hold.
PRINT_APPENDIX_CAPTIONS = ("parameters_used", "assumptions_title")
#: A quantile table this long prints as a note (a shorter one, e.g. a check of a few counts, prints).
PRINT_QUANTILE_ROWS = 12
_NOT_PRINTED_QUANTILES = N_(
    "Not printed: {caption}, quantiles per month. The charts show the same bands; the download "
    "{file} (CSV and Excel) has every month and quantile."
)
_NOT_PRINTED_TABLE = N_(
    "Not printed: {caption}, {rows} rows. The download {file} (CSV and Excel) and the HTML report have it."
)
_NOT_PRINTED_PARAMETERS = N_(
    "Not printed: {caption}, {rows} parameters. They are in {file} in the run's scenario folder and in the HTML report."
)
_CAPTION = re.compile(r'<p class="capacity-caption"><strong>(.*?)</strong></p>', re.S)
_CSV_HREF = re.compile(r'<a href="([^"]+\.csv)"')
_HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
_BODY_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")
_QUANTILE_HEADER = re.compile(r"^q0[.,]\d+$")


class PrintLayout(Preprocessor):
    """Say how each table prints: on an A4 page, on a landscape page, or not (with a line why).

    A table output gets ``metadata["capacity_print"]``, which the ``capacity_report``
    template reads:

    * ``{"omit": note}``: a detail table that a download or the scenario file holds in full
      (quantiles per month, :data:`PRINT_QUANTILE_ROWS` rows or more; the parameter and
      assumption listings at the end of a report)
      is left out of the printout; the note says where it is. The screen shows it as before.
    * ``{"wide": True}``: a table whose longest words need more than the A4 portrait width
      (:data:`PRINT_WIDTH_PX`) prints on a landscape page of its own; one that needs more
      than the landscape width (:data:`PRINT_WIDE_PX`) also gets ``"zoom"`` (at least
      :data:`PRINT_MIN_ZOOM`), which shrinks it to fit; one too wide even then gets
      ``"squeeze"``: its headers may break inside a word (its numbers never do).
    """

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:  # noqa: D102
        page = resources.get("capacity", {})
        language = page.get("language", "en")
        inputs = page.get("inputs_href", "inputs/scenario.yaml")
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                value = output.get("data", {}).get("text/html")
                if value is None:
                    continue
                plan = print_plan("".join(value) if isinstance(value, list) else str(value), language, inputs)
                if plan:
                    output.setdefault("metadata", {})["capacity_print"] = plan
        return nb, resources


def print_plan(text: str, language: str, inputs_href: str = "inputs/scenario.yaml") -> dict[str, Any]:
    """Return how a table output prints (see :class:`PrintLayout`); ``{}`` for anything else."""
    from capacity.report import t

    if "capacity-table" not in text or "<table" not in text:
        return {}
    found = _CAPTION.search(text)
    caption = html.unescape(_TAG.sub("", found.group(1))).strip() if found else ""
    csv = _CSV_HREF.search(text)
    file = html.unescape(csv.group(1)) if csv else ""
    head = text.split("</thead>", 1)[0]
    headers = [html.unescape(_TAG.sub("", h)).strip() for h in _HEADER_CELL.findall(head)]
    body = text.split("<tbody>", 1)[-1]
    rows = len(_ROW.findall(body)) if "<tbody>" in text else 0
    quoted = f"“{caption}”" if caption else _("the table", language)
    quantiles = sum(bool(_QUANTILE_HEADER.match(h)) for h in headers) >= 3
    if file and quantiles and rows >= PRINT_QUANTILE_ROWS:
        return {"omit": _(_NOT_PRINTED_QUANTILES, language).format(caption=quoted, file=file)}
    if any(caption.startswith(t(key, language)) for key in PRINT_APPENDIX_CAPTIONS) and rows:
        if file:
            return {"omit": _(_NOT_PRINTED_TABLE, language).format(caption=quoted, rows=rows, file=file)}
        return {"omit": _(_NOT_PRINTED_PARAMETERS, language).format(caption=quoted, rows=rows, file=inputs_href)}
    width = print_width(text)
    if width <= PRINT_WIDTH_PX:
        return {}
    if width <= PRINT_WIDE_PX:
        return {"wide": True}
    if width * PRINT_MIN_ZOOM <= PRINT_WIDE_PX:
        return {"wide": True, "zoom": _zoom(width)}
    # Too wide even zoomed out: its headers break inside words too, the numbers stay whole.
    return {"wide": True, "zoom": _zoom(print_width(text, headers=False)), "squeeze": True}


def _zoom(width: float) -> float:
    return math.floor(max(PRINT_MIN_ZOOM, min(1.0, PRINT_WIDE_PX / width)) * 100) / 100


def print_width(text: str, *, headers: bool = True) -> float:
    """Estimate a table's narrowest printed width in CSS pixels: per column its longest word.

    With ``headers=False`` only the body's cells count (headers that may break inside words).
    """
    widest: list[int] = []
    for row in _ROW.findall(text):
        for i, cell in enumerate((_BODY_CELL if not headers else _CELL).findall(row)):
            words = html.unescape(_TAG.sub(" ", cell)).split()
            longest = max((len(w) for w in words), default=0)
            if i < len(widest):
                widest[i] = max(widest[i], longest)
            else:
                widest.append(longest)
    return sum(w * PRINT_CHAR_PX + PRINT_CELL_PX for w in widest)


#: The report's preprocessors, run in this order on a copy of each executed notebook.
#: LanguageCells keeps the page's language: the other twin of each prose cell goes;
#: PrintLayout reads the tables' links as TableLinks left them.
PREPROCESSORS: list[type[Preprocessor]] = [LanguageCells, TableLinks, PrintLayout]


def export_html(
    nb: Any,
    job: Job,
    *,
    status: str = "ok",
    error: str | None = None,
    context: Mapping[str, Any] | None = None,
    ipynb: bool = True,
    gathered: bool = False,
) -> Path:
    """Render the executed notebook as a code-free, offline HTML report next to its .ipynb.

    Uses the ``capacity_report`` template (lab template without require.js, MathJax or
    Mermaid CDNs; plotly.js loaded from the run's ``assets/`` by a relative path; no
    collapse handles; outputs and text focusable), hides code and prompts, and appends the
    provenance section.

    Args:
        nb: The executed notebook (not changed: the preprocessors work on nbconvert's copy).
        job: The job it ran for (where the page goes, its language and title).
        status: The job's status; a page that is not ``ok`` says it is incomplete.
        error: The message shown on an incomplete page.
        context: Run-level provenance (see :func:`capacity.runner.manifest.report_context`).
        ipynb: False when the executed notebook is not kept: the page does not link it.
        gathered: A municipal page of a batch, whose CSV is gathered into the scenario's
            :data:`~capacity.runner.gather.MUNICIPAL_CSV`: a published page links that.

    Returns:
        The path of the page written.

    """
    exporter = _exporter(str(TEMPLATES_DIR), tuple(PREPROCESSORS))
    resources = page_resources(nb, job, status=status, error=error, context=context, ipynb=ipynb, gathered=gathered)
    nb.metadata["title"] = job.title
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    job.output_html.write_text(body, encoding="utf-8")
    return job.output_html


def page_resources(
    nb: Any,
    job: Job,
    *,
    status: str = "ok",
    error: str | None = None,
    context: Mapping[str, Any] | None = None,
    ipynb: bool = True,
    gathered: bool = False,
) -> dict[str, Any]:
    """Return the nbconvert resources of one page: ``resources["capacity"]`` holds its settings.

    See :func:`export_html` for the arguments.
    """
    context = dict(context or {})
    here = job.output_html.parent
    run_dir = Path(context.get("run_dir", job.output_html.parents[1]))
    rel = Path(os.path.relpath(run_dir, here))
    scenario = dict(context.get("scenarios", {}).get(job.scenario, {}))
    if scenario.get("params_file"):  # shown in the footer: no absolute machine path
        scenario["params_file"] = project.relative(
            scenario["params_file"], project.project_root(), project.templates_dir().parents[1]
        )
    tables_href = Path(os.path.relpath(run_dir / job.scenario / "tables", here)).as_posix()
    own_csv = _own_csv(job, tables_href) if status == "ok" and gathered and job.municipality else None
    run = scenario.get("run", context.get("run", {}))  # with the scenario's data
    dated = dated_box(run, job.language, run_dir / job.scenario / "tables" / "headline.csv")
    return {
        "metadata": {"name": job.title},
        "inlining": {"css": []},  # what the disabled CSSHTMLHeaderPreprocessor would have filled
        "capacity": {
            "title": job.title,
            "language": job.language,
            "scenario": job.scenario,
            "municipality": job.municipality,
            "municipality_name": job.extra.get("municipality_name", ""),
            "status": status,
            "error": error,
            "assets_href": (rel / "assets").as_posix(),
            "index_href": (rel / "index.html").as_posix(),
            "manifest_href": (rel / "manifest.json").as_posix(),
            "tables_href": tables_href,
            "own_csv": own_csv,
            "ipynb_href": job.output_ipynb.name if ipynb else "",
            "inputs_href": Path(os.path.relpath(run_dir / job.scenario / "inputs" / "scenario.yaml", here)).as_posix(),
            "run": run,
            "scenario_info": scenario,
            "parameters_html": scenario.get("parameters_html", ""),
            "tables": downloads(nb, tables_href, own_csv),
            "dated": dated,
            "footer": print_footer(job.title, dated["run_date"], job.language),
        },
    }


def _own_csv(job: Job, tables_href: str) -> dict[str, str]:
    """Return the gathered CSV that a published batch page links instead of its own."""
    label = _("CSV, all municipalities", job.language)
    return {"name": f"municipality_{job.municipality}", "href": f"{tables_href}/{MUNICIPAL_CSV}", "label": label}


def downloads(nb: Any, tables_href: str, own_csv: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Return the footer's downloads: per table its CSV link and label, and its Excel link if it has one.

    A table saved as CSV only (``downloads="csv"``) links no ``.xlsx`` in its output: the
    footer offers no Excel file for it either. A batch page's own CSV is the gathered one.
    """
    linked = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            linked.update(_XLSX_LINK.findall(str(output.get("data", {}).get("text/html", ""))))
    rows = []
    for name in tables_of(nb):
        csv, label = f"{tables_href}/{name}.csv", "CSV"
        if own_csv and name == own_csv["name"]:
            csv, label = own_csv["href"], own_csv["label"]
        rows.append(
            {
                "name": name,
                "csv": csv,
                "csv_label": label,
                "xlsx": f"{tables_href}/{name}.xlsx" if name in linked else "",
            }
        )
    return rows


def tables_of(nb: Any) -> list[str]:
    """Return the names of the tables the report links to (``tables/<name>.csv`` in its outputs)."""
    names: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = str(output.get("data", {}).get("text/html", "")) + str(output.get("text", ""))
            names.update(_TABLE_LINK.findall(text))
    return sorted(names)


_TABLE_LINK = re.compile(r"tables/([\w.\-]+?)\.csv")
_XLSX_LINK = re.compile(r"tables/([\w.\-]+?)\.xlsx")


#: The printed page's footer: the report and the run's date at the left, the page at the right.
_FOOTER_AS_OF = N_("{title} · as of {date}")
_FOOTER_PAGE = N_("page {page} of {pages}")


def print_footer(title: str, run_date: str, language: str) -> dict[str, str]:
    """Return the printed footer's two texts as CSS ``content`` values (``@page`` margin boxes).

    The date is the run's (the dated box's), not the day it is printed; the page counter
    reads "page 3 of 12" in the page's language. Each text is a quoted CSS string, escaped
    (:func:`css_string`), so a title cannot end the page's ``<style>``.
    """
    left = _(_FOOTER_AS_OF, language).format(title=title, date=run_date) if run_date else title
    counter = _(_FOOTER_PAGE, language)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    pieces = [p for p in re.split(r"(\{pages?\})", counter) if p]
    right = " ".join(counters.get(p) or css_string(p) for p in pieces)
    return {"left": css_string(left), "right": right}


def css_string(text: str) -> str:
    """Return ``text`` as a quoted CSS string: quotes, backslashes, line ends and ``<>&`` escaped."""
    out = []
    for char in str(text):
        if char in '"\\<>&' or ord(char) < 0x20 or char == "\x7f":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def dated_box(run: Mapping[str, Any], language: str, headline: Path | None = None) -> dict[str, Any]:
    """Return what the dated box atop every report says: run date, inputs' last months, nowcast.

    The nowcast for the run month comes from the scenario's ``headline.csv``.

    Args:
        run: The run's provenance (``started`` ISO time, ``data_vintage`` as written by
            ``capacity.runner.manifest.data_vintage``: ``"arrivals to 2024-08; ..."``).
        language: ``en`` or ``nl``.
        headline: The scenario's ``tables/headline.csv`` (written before its notebooks run);
            no nowcast sentence when it is missing or lacks the figure.

    """
    from capacity.report import fmt_month, t

    started = str(run.get("started") or "")
    run_date = ""
    if started:
        when = datetime.fromisoformat(started)
        run_date = f"{when.day} {fmt_month(when.strftime('%Y-%m'), language)}"
    inputs = []
    for part in str(run.get("data_vintage") or "").split(";"):
        variable, _, month = part.strip().partition(" to ")
        if month and re.fullmatch(r"\d{4}-\d{2}", month.strip()):
            inputs.append({"label": t(variable, language), "month": fmt_month(month.strip(), language)})
    return {"run_date": run_date, "inputs": inputs, "nowcast": nowcast_text(headline, language)}


#: The dated box's nowcast: "now" is the run month, never the last count (issue 28).
_NOWCAST = N_(
    "Estimate for this month: {value} people registered under the TPD (80 %: {band}); "
    "the last published count is {months} months old."
)


def nowcast_text(headline: Path | None, language: str) -> str:
    """Return the nowcast sentence of the dated box, or ``""`` without a headline nowcast."""
    from capacity.report import fmt_headline
    from capacity.report.format import fmt_range

    stat = headline.stat() if headline and headline.is_file() else None
    rows = _headline_rows(str(headline), stat.st_mtime_ns, stat.st_size) if stat else {}
    now, age = rows.get("registered_nowcast"), rows.get("registered_months_since_count")
    if now is None or age is None:
        return ""
    band = fmt_range(now["p10"], now["p90"], now["unit"], now["rounding"], language)
    return _(_NOWCAST, language).format(
        value=fmt_headline(now, language), band=band, months=fmt_headline(age, language)
    )


@functools.lru_cache(maxsize=16)
def _headline_rows(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, Any]]:
    """Return a ``headline.csv``'s rows by key, numbers as floats (read once per file and version).

    A figure that is a month (``2025-06``) keeps its text; an empty cell is NaN.
    """
    import csv

    rows = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for col in ("value", "p10", "p90", "rounding"):
                cell = (row.get(col) or "").strip()
                try:
                    row[col] = float(cell) if cell else math.nan
                except ValueError:
                    row[col] = cell
            rows[row["key"]] = row
    return rows


@functools.lru_cache(maxsize=4)
def _exporter(templates_dir: str, preprocessors: Sequence[type[Preprocessor]] = ()) -> Any:
    """Return the report exporter, made once per process (its templates compile once, ~0.2 s).

    It skips nbconvert's schema check of the notebook after each preprocessor (a dozen per
    page, ~30 ms): the notebook is the one the runner has just executed. It skips
    HTMLExporter's BeautifulSoup pass over the finished page (~70 ms a page): the one change
    that pass makes to a report, outputs and text cells focusable (``tabindex="0"``), the
    ``capacity_report`` template makes itself; reports have no ``<img>`` (charts are plotly
    divs with their own text alternative). The page's ``<html lang>`` is its language.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class ReportExporter(HTMLExporter):
        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            return None

        def _init_resources(self, resources: Any) -> Any:
            resources = super()._init_resources(resources)
            resources["language_code"] = resources.get("capacity", {}).get("language", self.language_code)
            return resources

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, Any]:
            # HTMLExporter.from_notebook_node without its BeautifulSoup pass (see above).
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    # Reports show no code, so no 4.5 kB of pygments CSS in every page (the template gets none).
    no_code_css = Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}})
    exporter = ReportExporter(
        config=no_code_css,
        template_name="capacity_report",
        extra_template_basedirs=[templates_dir],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    for preprocessor in preprocessors:
        exporter.register_preprocessor(preprocessor, enabled=True)
    return exporter
