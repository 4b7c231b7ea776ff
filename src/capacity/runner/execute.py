"""Execute one job in a worker: papermill on the project's own kernel, then a code-free HTML.

Runs in worker processes (or on Dask workers), so everything here takes and returns
plain, picklable objects. A failing notebook never raises out of :func:`execute_job`:
the executed notebook (with its error cell) is kept, the report is still rendered and
the error is returned in the :class:`JobResult`.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from capacity import project
from capacity.i18n import _
from capacity.runner.plan import Job

logger = logging.getLogger(__name__)

#: nbconvert templates shipped with the package (``capacity_report`` is the report).
TEMPLATES_DIR = project.templates_dir()


class ProjectKernelManager(AsyncKernelManager):
    """Kernel manager that always starts the kernel on this project's Python.

    Whatever kernelspecs the machine has (a ``python3`` in ``~/.local/share/jupyter``
    pointing at another interpreter, conda kernels, none at all: papermill #251, #761),
    the notebook runs on ``sys.executable`` of the process running the suite, i.e. the
    project's virtual environment.
    """

    @property
    def kernel_spec(self) -> KernelSpec:  # noqa: D102 - overrides the kernelspec lookup
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                name="capacity",
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"capacity ({sys.prefix})",
                language="python",
                interrupt_mode="signal",
                metadata={},
                # The kernel runs in a folder under the reports (maybe outside the project):
                # relative parameter and data paths must still count from the project folder.
                env={project.ENV_VAR: str(project.project_root()).replace("$", "$$")},
            )
        return self._kernel_spec

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        # Kernels write warnings (and their last words when they crash) to stderr: keep those
        # in the run's kernel log instead of interleaving them with the progress display.
        log = os.environ.get("CAPACITY_KERNEL_LOG")
        if not log or "stderr" in kw:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as handle:  # the child keeps its own copy
            kw["stderr"] = handle
            kw.setdefault("stdout", handle)
            await super()._async_launch_kernel(kernel_cmd, **kw)


class ForkKernelManager(ProjectKernelManager):
    """Like :class:`ProjectKernelManager`, but forks each new kernel from a preloaded zygote.

    See :mod:`capacity.runner.fork`: same fresh kernel per notebook, about 3 s less CPU each.
    """

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        from capacity.runner.fork import Zygote

        provisioner = self.provisioner
        process = Zygote.get().fork(
            kernel_cmd, env=kw.get("env"), cwd=str(kw["cwd"]) if kw.get("cwd") else None,
            log=os.environ.get("CAPACITY_KERNEL_LOG"),
        )
        provisioner.process = process
        provisioner.pid = process.pid
        provisioner.pgid = process.pid  # the child calls setsid()
        provisioner.cwd = kw.get("cwd")
        self._reconcile_connection_info(provisioner.connection_info)


#: Kernel start methods: ``spawn`` a new interpreter, or ``fork`` from a preloaded zygote.
KERNEL_MANAGERS = {"spawn": ProjectKernelManager, "fork": ForkKernelManager}


@dataclass
class JobResult:
    """What became of one job (picklable; stored in manifest.json).

    Attributes:
        key: The job's key.
        status: ``"ok"``, ``"failed"`` (the notebook raised), ``"timeout"`` (a cell ran past
            the time limit), ``"died"`` (the kernel died) or ``"skipped"``.
        error: One-paragraph message for the index page, None when ok.
        seconds: Wall time of the job (s).
        kernel_seconds: Kernel start-up and shutdown (s): notebook time minus cell time.
        compute_seconds: Sum of the cells' execution time (s).
        export_seconds: HTML rendering (s).
        html: Path of the report, if written.
        ipynb: Path of the executed notebook, if written.

    """

    key: str
    status: str
    error: str | None = None
    seconds: float = 0.0
    kernel_seconds: float = 0.0
    compute_seconds: float = 0.0
    export_seconds: float = 0.0
    html: str | None = None
    ipynb: str | None = None
    worker: str = field(default_factory=lambda: f"pid {os.getpid()}")

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return asdict(self)


def prepare_scenario(params_path: str, cache_path: str, scenario_dir: str) -> dict[str, Any]:
    """Compute a scenario's results once and cache them for its notebooks.

    ``cache_path`` is in the run's private cache folder (``<cache>/<scenario>/results.pkl``,
    signed, outside ``reports/``). The backtest does not depend on the scenario's shocks,
    so it is cached once per run beside the scenarios (``<cache>/shared/``) and shared.
    Writes the scenario's ``tables/headline.csv`` into ``scenario_dir`` (the one source of
    its headline figures) for the index page.

    Returns:
        ``{"cache_path": str, "headline": [row dicts of headline.csv], "seconds": float}``.

    """
    from capacity import data, params, pipeline

    start = time.perf_counter()
    # prophet's sampler logs every chain at INFO and resets its logger's level: filter instead.
    logging.getLogger("cmdstanpy").addFilter(lambda record: record.levelno >= logging.WARNING)
    scn = params.load(params_path)
    cache = Path(cache_path)
    run_cache = cache.parent.parent / "shared"
    history = pipeline.scenario_history(scn)
    results = pipeline.scenario_results(
        scn, cache_path=cache, scorecard=pipeline.shared_backtest(scn, history, run_cache))
    data.save_table(results.headline, "headline", Path(scenario_dir))
    rows = [{k: _plain(v) for k, v in row.items()} for row in results.headline.to_dict("records")]
    return {"cache_path": str(cache), "headline": rows, "seconds": time.perf_counter() - start}


def _plain(value: Any) -> Any:
    """Make numpy scalars and dates JSON-friendly (NaN becomes None)."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and abs(value) == float("inf"):
        return "inf" if value > 0 else "-inf"  # strict JSON has no Infinity
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def execute_job(
    job: Job,
    *,
    timeout: float | None = 900,
    start_timeout: float = 60,
    context: Mapping[str, Any] | None = None,
    kernel_log: str | None = None,
    kernel: str = "spawn",
) -> JobResult:
    """Run one notebook with papermill and render its code-free report.

    Steps: make the working directory → papermill (project kernel, per-cell timeout, kernel
    working directory set through nbclient's ``resources`` rather than ``os.chdir``, so that
    it is thread-safe) → classify the outcome → export HTML (also for a failed notebook) →
    remove the working directory if the notebook left nothing in it.

    Args:
        job: What to run.
        timeout: Per-cell limit (s); a cell that runs longer, or a hung kernel, is stopped.
        start_timeout: Limit on kernel start-up (s).
        context: Run-level provenance for the report footer (see ``capacity_report``).
        kernel_log: File that receives the kernels' stdout/stderr (None: inherit).
        kernel: ``"spawn"`` (a new interpreter per notebook) or ``"fork"`` (forked from a
            preloaded zygote; see :mod:`capacity.runner.fork`).

    Returns:
        The :class:`JobResult`; never raises for a notebook error.

    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    # The runner has already checked the parameters itself (papermill's line parser misreads
    # comments containing "=" and only warns): keep papermill's warnings out of the console.
    logging.getLogger("papermill").setLevel(logging.ERROR)
    if kernel_log:
        os.environ["CAPACITY_KERNEL_LOG"] = kernel_log
    job.output_ipynb.parent.mkdir(parents=True, exist_ok=True)
    job.workdir.mkdir(parents=True, exist_ok=True)
    status, error, nb = "ok", None, None
    try:
        nb = papermill.execute_notebook(
            str(job.notebook.source), str(job.output_ipynb),
            parameters=dict(job.parameters),
            kernel_name="python3",  # selects papermill's Python translator; the kernel itself is ours
            progress_bar=False,
            start_timeout=start_timeout,
            execution_timeout=timeout,
            kernel_manager_class=KERNEL_MANAGERS[kernel],
            resources={"metadata": {"path": str(job.workdir)}},
            # The outputs are in once the last cell replied: no need to wait for a polite exit.
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as exc:
        status = "failed"
        error = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    except CellTimeoutError as exc:
        status = "timeout"
        error = (f"a cell ran longer than the per-cell timeout of {timeout:g} s and was stopped "
                 f"(raise it with --timeout): {str(exc).strip().splitlines()[0]}")
    except DeadKernelError as exc:
        status = "died"
        error = f"the kernel died while running a cell (out of memory or a crash?): {exc}"
    except Exception as exc:  # noqa: BLE001 - report any other failure, keep the batch going
        status = "failed"
        error = f"{type(exc).__name__}: {exc}"
        logger.debug("job %s failed:\n%s", job.key, traceback.format_exc())
    executed = time.perf_counter()

    if nb is None and job.output_ipynb.exists():
        import nbformat

        nb = nbformat.read(job.output_ipynb, as_version=4)
    kernel_s, compute_s = _split_time(nb, executed - started)
    html = None
    export_start = time.perf_counter()
    if nb is not None:
        try:
            html = str(export_html(nb, job, status=status, error=error, context=context))
        except Exception as exc:  # noqa: BLE001 - a report that cannot render is a failure
            if status == "ok":
                status, error = "failed", f"HTML export failed: {type(exc).__name__}: {exc}"
    _remove_if_empty(job.workdir)
    return JobResult(
        key=job.key, status=status, error=error,
        seconds=time.perf_counter() - started, kernel_seconds=kernel_s, compute_seconds=compute_s,
        export_seconds=time.perf_counter() - export_start, html=html,
        ipynb=str(job.output_ipynb) if job.output_ipynb.exists() else None,
    )


def _split_time(nb: Any, wall: float) -> tuple[float, float]:
    """Split the execution wall time into kernel overhead and cell compute (s)."""
    if nb is None:
        return wall, 0.0
    compute = 0.0
    for cell in nb.cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if duration:
            compute += float(duration)
    return max(wall - compute, 0.0), compute


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


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

    ``ipynb=False``: the executed notebook is not kept, so the page does not link it.
    ``gathered``: a municipal page of a batch, whose CSV is gathered into the scenario's
    :data:`MUNICIPAL_CSV`: a published page links that.

    Uses the ``capacity_report`` template (lab template without require.js, MathJax or
    Mermaid CDNs; plotly.js loaded from the run's ``assets/`` by a relative path), hides
    code and prompts, and appends the provenance section.
    """
    exporter = _exporter(str(TEMPLATES_DIR))
    context = dict(context or {})
    run_dir = Path(context.get("run_dir", job.output_html.parents[1]))
    rel = Path(os.path.relpath(run_dir, job.output_html.parent))
    scenario = dict(context.get("scenarios", {}).get(job.scenario, {}))
    if scenario.get("params_file"):  # shown in the footer: no absolute machine path
        scenario["params_file"] = project.relative(scenario["params_file"], project.project_root(),
                                                   project.templates_dir().parents[1])
    resources = {
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
            "tables_href": Path(os.path.relpath(run_dir / job.scenario / "tables",
                                                job.output_html.parent)).as_posix(),
            "ipynb_href": job.output_ipynb.name if ipynb else "",
            "inputs_href": Path(os.path.relpath(run_dir / job.scenario / "inputs" / "scenario.yaml",
                                                job.output_html.parent)).as_posix(),
            "run": scenario.get("run", context.get("run", {})),  # with the scenario's data
            "scenario_info": scenario,
            "parameters_html": scenario.get("parameters_html", ""),
            "tables": _tables_of(nb),
            "dated": dated_box(scenario.get("run", context.get("run", {})), job.language),
        },
    }
    nb.metadata["title"] = job.title
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = _COLLAPSER.sub("", body)  # hidden in reports: 1 kB a page
    tables_href = resources["capacity"]["tables_href"]
    if tables_href != "tables":
        # Notebooks link tables relative to their output_dir (the scenario folder); a report
        # placed deeper (municipalities/<code>.html) needs the path from where it lives.
        body = body.replace('href="tables/', f'href="{tables_href}/')
    body = _download_links(body, nb, job, tables_href, ok=status == "ok", gathered=gathered)
    job.output_html.write_text(body, encoding="utf-8")
    return job.output_html


def _download_links(body: str, nb: Any, job: Job, tables_href: str, *, ok: bool,
                    gathered: bool) -> str:
    """Link only the files a page's tables wrote, and a batch's gathered CSV.

    A table saved as CSV only (``downloads="csv"``) has no ``.xlsx``: its Excel links go.
    ``gathered``: the page is one of a batch whose municipal CSVs become one file per scenario
    (:func:`gather_municipal_tables`); a published page links that file for its CSV.
    """
    import html

    linked = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            linked.update(_XLSX_LINK.findall(str(output.get("data", {}).get("text/html", ""))))
    href = html.escape(tables_href)
    for name in _tables_of(nb):
        if name not in linked:
            body = body.replace(f' · <a href="{href}/{html.escape(name)}.xlsx">Excel</a>', "")
    if ok and gathered and job.municipality:
        label = _("CSV, all municipalities", job.language)
        own = re.compile(rf'(<a href="{re.escape(href)}/)municipality_{re.escape(job.municipality)}'
                         r'\.csv("[^>]*>)CSV</a>')
        body = own.sub(rf"\g<1>{MUNICIPAL_CSV}\g<2>{label}</a>", body)
    return body


_XLSX_LINK = re.compile(r"tables/([\w.\-]+?)\.xlsx")
#: JupyterLab's (empty) collapse handles, which a report hides.
_COLLAPSER = re.compile(r'<div class="jp-Collapser [^"]*">\s*</div>')


#: An output's or a text cell's div in the page (made focusable, as nbconvert's HTMLExporter does).
_OUTPUT_DIV = re.compile(
    r'<div\b[^>]*?\bclass="[^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*"[^>]*')


@functools.lru_cache(maxsize=2)
def _exporter(templates_dir: str) -> Any:
    """Return the report exporter, made once per process (its templates compile once, ~0.2 s).

    It skips nbconvert's schema check of the notebook after each preprocessor (a dozen per
    page, ~30 ms): the notebook is the one the runner has just executed. It also replaces
    HTMLExporter's BeautifulSoup pass over the finished page (~70 ms a page) by the one
    change that pass makes to a report: outputs and text cells focusable (``tabindex="0"``);
    reports have no ``<img>`` (charts are plotly divs with their own text alternative).
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    from capacity.report.language_cells import LanguageCells

    class ReportExporter(HTMLExporter):
        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            return None

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, Any]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _OUTPUT_DIV.sub(r'\g<0> tabindex="0"', body), resources

    from traitlets.config import Config

    # Reports show no code, so no 4.5 kB of pygments CSS in every page (the template gets none).
    no_code_css = Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}})
    return ReportExporter(
        config=no_code_css,
        template_name="capacity_report",
        extra_template_basedirs=[templates_dir],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        preprocessors=[LanguageCells],  # the page's language: the other twin of each prose cell goes
    )


def dated_box(run: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Return what the dated box atop every report says: the run date, each input's last month.

    Args:
        run: The run's provenance (``started`` ISO time, ``data_vintage`` as written by
            ``capacity.runner.manifest.data_vintage``: ``"arrivals to 2024-08; ..."``).
        language: ``en`` or ``nl``.

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
    return {"run_date": run_date, "inputs": inputs}


def _tables_of(nb: Any) -> list[str]:
    """Return the names of the tables the report links to (``tables/<name>.csv`` in its outputs)."""
    names: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = str(output.get("data", {}).get("text/html", "")) + str(output.get("text", ""))
            names.update(_TABLE_LINK.findall(text))
    return sorted(names)


_TABLE_LINK = re.compile(r"tables/([\w.\-]+?)\.csv")


#: Tag of the cells whose outputs are the same for every municipality of a scenario (imports,
#: the scenario's results, the national table and chart): run once per kernel in a chunk.
SHARED_TAG = "shared"


def execute_chunk(
    jobs: list[Job],
    *,
    timeout: float | None = 900,
    start_timeout: float = 60,
    context: Mapping[str, Any] | None = None,
    kernel_log: str | None = None,
    kernel: str = "spawn",
    keep_notebooks: bool = False,
) -> list[JobResult]:
    """Render several jobs of one notebook (a scenario's municipalities) on one kept kernel.

    Each job gets the notebook with its own parameters injected (as papermill does); the
    cells tagged ``shared`` and the defaults cell (tagged ``parameters``) run once per kernel
    and their outputs are reused, every other cell runs for each job. One job's error fails
    that job only (its page is still rendered, with the error): the next job runs on the
    same kernel. A kernel that dies or a cell that times out fails that job; the rest of the
    chunk goes on in a new kernel.

    Args:
        jobs: Jobs of one notebook and one scenario (same ``cache_path``).
        timeout: Per-cell limit (s).
        start_timeout: Limit on kernel start-up (s).
        context: Run-level provenance for the report footer.
        kernel_log: File that receives the kernel's stdout/stderr.
        kernel: ``"spawn"`` or ``"fork"`` (see :func:`execute_job`).
        keep_notebooks: Also write each job's executed ``.ipynb`` (for debugging).

    Returns:
        One :class:`JobResult` per job, in order; never raises for a notebook error.

    Raises:
        ValueError: For jobs of different notebooks or parameter names (not one batch's chunk).

    """
    import asyncio

    names = {tuple(sorted(job.parameters)) for job in jobs}
    if len(names) > 1 or len({job.notebook.source for job in jobs}) > 1:
        raise ValueError(f"a chunk runs one notebook with one set of parameter names: got {names}")
    if kernel_log:
        os.environ["CAPACITY_KERNEL_LOG"] = kernel_log
    from capacity.report.charts import HTML_ONLY_ENV

    if keep_notebooks:  # a kept notebook shows its charts in JupyterLab: they keep their JSON
        os.environ.pop(HTML_ONLY_ENV, None)
    else:  # the kernels this worker starts send each chart's HTML only
        os.environ[HTML_ONLY_ENV] = "1"
    results: list[JobResult] = []
    while len(results) < len(jobs):
        rest = jobs[len(results):]
        rest[0].workdir.mkdir(parents=True, exist_ok=True)
        try:
            asyncio.run(_run_chunk(rest, results, timeout=timeout, start_timeout=start_timeout,
                                   context=context, kernel=kernel, keep_notebooks=keep_notebooks))
        except Exception as exc:  # noqa: BLE001 - the kernel could not start: fail what is left
            message = f"the kernel for this chunk failed: {type(exc).__name__}: {exc}"
            results += [JobResult(key=job.key, status="failed", error=message)
                        for job in jobs[len(results):]]
        finally:
            _remove_if_empty(rest[0].workdir)
    return results


async def _run_chunk(jobs: list[Job], results: list[JobResult], *, timeout: float | None,
                     start_timeout: float, context: Mapping[str, Any] | None, kernel: str,
                     keep_notebooks: bool) -> None:
    """Run ``jobs`` on one kernel, appending to ``results``; return early if the kernel is lost."""
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node

    source = load_notebook_node(str(jobs[0].notebook.source))  # as papermill reads it (cell tags)
    client = NotebookClient(
        source, timeout=timeout, startup_timeout=start_timeout,
        kernel_manager_class=KERNEL_MANAGERS[kernel],
        resources={"metadata": {"path": str(jobs[0].workdir)}}, shutdown_kernel="immediate",
    )
    shared: dict[str, list] = {}
    async with client.async_setup_kernel():
        for job in jobs:
            result, lost = await _run_one(client, source, job, shared, context=context,
                                          timeout=timeout, keep_notebooks=keep_notebooks)
            results.append(result)
            if lost:  # a dead or busy kernel: the rest of the chunk starts a new one
                return


async def _run_one(client: Any, source: Any, job: Job, shared: dict[str, list], *,
                   context: Mapping[str, Any] | None, timeout: float | None,
                   keep_notebooks: bool) -> tuple[JobResult, bool]:
    """Execute one job's notebook on the client's kernel and render it; return (result, kernel lost)."""
    import copy

    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.parameterize import parameterize_notebook

    started = time.perf_counter()
    nb = parameterize_notebook(copy.deepcopy(source), dict(job.parameters), kernel_name="python3",
                               language="python")
    client.nb = nb
    status, error, lost, compute = "ok", None, False, 0.0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        # The defaults cell sets the same names for every job of a chunk (each job's injected
        # cell, next, sets its values): like a shared cell, it runs once per kernel.
        is_shared = SHARED_TAG in tags or "parameters" in tags
        if is_shared and cell.get("id") in shared:
            cell.outputs = copy.deepcopy(shared[cell["id"]])
            continue
        cell_start = time.perf_counter()
        try:
            await client.async_execute_cell(cell, index, execution_count=index + 1)
        except CellExecutionError as exc:
            status, error = "failed", f"{exc.ename}: {exc.evalue} (cell {index + 1})"
        except CellTimeoutError as exc:
            status, lost = "timeout", True
            error = (f"a cell ran longer than the per-cell timeout of {timeout:g} s and was stopped "
                     f"(raise it with --timeout): {str(exc).strip().splitlines()[0]}")
        except DeadKernelError as exc:
            status, lost = "died", True
            error = f"the kernel died while running a cell (out of memory or a crash?): {exc}"
        compute += time.perf_counter() - cell_start
        if status != "ok":
            break
        if is_shared:
            cell.outputs = _external_scripts(cell.outputs, job.output_html.parent)
            shared[cell["id"]] = copy.deepcopy(cell.outputs)
    executed = time.perf_counter()
    job.output_html.parent.mkdir(parents=True, exist_ok=True)
    ipynb = None
    if keep_notebooks:
        nbformat.write(nb, job.output_ipynb)
        ipynb = str(job.output_ipynb)
    else:
        _drop_unrendered(nb)
    html = None
    try:
        html = str(export_html(nb, job, status=status, error=error, context=context,
                               ipynb=keep_notebooks, gathered=True))
    except Exception as exc:  # noqa: BLE001 - a report that cannot render is a failure
        if status == "ok":
            status, error = "failed", f"HTML export failed: {type(exc).__name__}: {exc}"
    return JobResult(
        key=job.key, status=status, error=error, seconds=time.perf_counter() - started,
        kernel_seconds=max(executed - started - compute, 0.0), compute_seconds=compute,
        export_seconds=time.perf_counter() - executed, html=html, ipynb=ipynb,
    ), lost


#: Output types only JupyterLab renders (the page shows the text/html beside them).
_UNRENDERED = ("application/vnd.plotly.v1+json",)


def _drop_unrendered(nb: Any) -> None:
    """Remove outputs the HTML page does not show (a chart's JSON twin): less to copy and export."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                for mime in _UNRENDERED:
                    data.pop(mime, None)


_INLINE_SCRIPT = re.compile(r"<script(?: type=\"text/javascript\")?>(.*?)</script>", re.S)


def _external_scripts(outputs: list, folder: Path) -> list:
    """Move the inline scripts of shared outputs (a chart's data) to one file per chunk.

    The national chart is the same on every municipal page of a scenario: its ~20 kB of
    figure data is written once to ``<folder>/shared-<hash>.js`` and each page loads it with
    ``<script src>`` at the same place, instead of carrying its own copy.
    """
    import hashlib

    def external(match: re.Match) -> str:
        code = match.group(1)
        if len(code) < 1000:  # small scripts stay inline
            return match.group(0)
        name = f"shared-{hashlib.sha256(code.encode()).hexdigest()[:16]}.js"
        path = folder / name
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(code, encoding="utf-8")
        return f'<script src="{name}"></script>'

    for output in outputs:
        data = output.get("data", {})
        if "text/html" in data:
            text = data["text/html"]
            text = "".join(text) if isinstance(text, list) else text
            data["text/html"] = _INLINE_SCRIPT.sub(external, text)
    return outputs


#: All municipalities' forecast tables of a scenario in one file (``<scenario>/tables/<name>``).
MUNICIPAL_CSV = "municipalities_forecast.csv.gz"


def gather_municipal_tables(key: str, scenario_dir: str, codes: list[str]) -> JobResult:
    """Gather the batch's municipal CSVs into one gzipped CSV and remove them.

    A batch of municipal reports writes each published municipality's table
    (``tables/municipality_<code>.csv``, rows tagged by ``code``) and its ``.xlsx``; this joins
    the CSVs, line for line, into ``<scenario_dir>/tables/`` :data:`MUNICIPAL_CSV` (one file
    for tools: ``pandas.read_csv`` reads it as it is) and deletes them: 342 CSVs of 30 kB
    become one file of about a third of their size. Each page links it instead (see
    :func:`export_html`); the municipality's own Excel file stays.

    Returns:
        A :class:`JobResult` (``failed`` with the reason if a CSV is missing, unreadable or
        has other columns; the CSVs are then left as they are).

    """
    import gzip

    from capacity.data.tables import replacing_file

    started = time.perf_counter()
    tables = Path(scenario_dir) / "tables"
    target = tables / MUNICIPAL_CSV
    parts = [tables / f"municipality_{code}.csv" for code in codes]
    if not any(part.is_file() for part in parts):  # the notebook writes no municipal table
        return JobResult(key=key, status="ok", seconds=time.perf_counter() - started)
    try:
        header = None
        # No file name and no time in the gzip header: the same tables give the same bytes.
        with (replacing_file(target) as tmp, tmp.open("wb") as raw,
              gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as packed,
              io.TextIOWrapper(packed, encoding="utf-8", newline="") as out):
            for part in parts:
                first, _, rows = part.read_text(encoding="utf-8").partition("\n")
                if header is None:
                    header = first
                    out.write(first + "\n")
                elif first != header:
                    raise ValueError(f"{part.name} has the columns {first!r}, expected {header!r}")
                out.write(rows if rows.endswith("\n") or not rows else rows + "\n")
    except Exception as exc:  # noqa: BLE001 - reported on the index page
        return JobResult(key=key, status="failed", seconds=time.perf_counter() - started,
                         error=f"{target} could not be written: {type(exc).__name__}: {exc}")
    for part in parts:
        part.unlink()
    seconds = time.perf_counter() - started
    logger.info("wrote %s (%d municipalities)", target, len(codes))
    return JobResult(key=key, status="ok", seconds=seconds, compute_seconds=seconds)
