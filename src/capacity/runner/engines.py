"""Engines: run jobs of one notebook on the project's kernels, then render each job's page.

One interface, registered by name as papermill registers its engines
(``papermill_engines.register('nbclient', NBClientEngine)``)::

    results = engines.execute_jobs("chunk", jobs, options)   # one JobResult per job, in order

An engine takes a list of jobs of one notebook and one scenario (a national notebook is a
list of one) and never raises for a notebook error: every failure goes through the one
classifier (:func:`capacity.runner.outcome.classify`), and every job's page is rendered by
:func:`capacity.runner.export.export_html`, also for a failed notebook (it says so).

- ``papermill``: each job through ``papermill.execute_notebook`` on a fresh kernel, the
  executed notebook kept beside the page (national reports; ``--municipal-chunk 1``).
- ``chunk``: the jobs one after another on one kept kernel, the cells tagged ``shared`` run
  once per kernel (municipal reports). A job's error fails that job only; a kernel that dies
  or a cell that times out fails that job and the rest of the chunk goes on in a new kernel.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from capacity.runner.export import export_html
from capacity.runner.kernels import KERNEL_MANAGERS
from capacity.runner.outcome import OK, JobResult, Outcome, classify
from capacity.runner.plan import Job

logger = logging.getLogger(__name__)

#: Tag of the cells whose outputs are the same for every municipality of a scenario (imports,
#: the scenario's results, the national table and chart): run once per kernel in a chunk.
SHARED_TAG = "shared"


@dataclass(frozen=True)
class EngineOptions:
    """How an engine runs its jobs (picklable, the same for every job of a run).

    Attributes:
        timeout: Per-cell limit (s); a cell that runs longer, or a hung kernel, is stopped.
        start_timeout: Limit on kernel start-up (s).
        context: Run-level provenance for the report footer (see ``capacity_report``).
        kernel: ``"spawn"`` (a new interpreter per kernel) or ``"fork"`` (forked from a
            preloaded zygote; see :mod:`capacity.runner.fork`).
        keep_notebooks: The chunk engine also writes each job's executed ``.ipynb``.

    """

    timeout: float | None = 900
    start_timeout: float = 60
    context: Mapping[str, Any] | None = None
    kernel: str = "spawn"
    keep_notebooks: bool = False


class Engine:
    """Base class of the engines: :meth:`execute_jobs` is the interface, the rest the steps."""

    #: Whether the executed notebooks are kept (their charts then keep their JSON for JupyterLab).
    keeps_notebooks: ClassVar[bool] = True

    @classmethod
    def execute_jobs(cls, jobs: Sequence[Job], options: EngineOptions) -> list[JobResult]:
        """Run ``jobs`` (one notebook, one scenario) and render their pages; one result per job.

        Raises:
            ValueError: For jobs of different notebooks or parameter names.

        """
        names = {tuple(sorted(job.parameters)) for job in jobs}
        if len(names) > 1 or len({job.notebook.source for job in jobs}) > 1:
            raise ValueError(f"an engine runs one notebook with one set of parameter names: got {names}")
        from capacity.report.charts import HTML_ONLY_ENV

        before = os.environ.get(HTML_ONLY_ENV)
        if cls.keeps_notebooks or options.keep_notebooks:  # a kept chart shows in JupyterLab too
            os.environ.pop(HTML_ONLY_ENV, None)
        else:  # the kernels started here send each chart's HTML only
            os.environ[HTML_ONLY_ENV] = "1"
        try:
            return cls.execute_managed_jobs(list(jobs), options)
        finally:  # an engine run in the caller's process leaves its environment as it found it
            if before is None:
                os.environ.pop(HTML_ONLY_ENV, None)
            else:
                os.environ[HTML_ONLY_ENV] = before

    @classmethod
    def execute_managed_jobs(cls, jobs: list[Job], options: EngineOptions) -> list[JobResult]:
        """Run the jobs; implemented by each engine."""
        raise NotImplementedError

    @staticmethod
    def render(
        nb: Any, job: Job, outcome: Outcome, options: EngineOptions, *, ipynb: bool, gathered: bool
    ) -> tuple[Outcome, str | None]:
        """Write the job's page; a page that cannot render fails an ``ok`` job. Return (outcome, html)."""
        job.output_html.parent.mkdir(parents=True, exist_ok=True)
        try:
            html = export_html(
                nb,
                job,
                status=outcome.status,
                error=outcome.error,
                context=options.context,
                ipynb=ipynb,
                gathered=gathered,
            )
        except Exception as exc:  # noqa: BLE001 - a report that cannot render is a failure
            logger.debug("page of %s failed:\n%s", job.key, traceback.format_exc())
            if outcome.ok:
                outcome = Outcome("failed", f"HTML export failed: {type(exc).__name__}: {exc}")
            return outcome, None
        return outcome, str(html)


class PapermillEngine(Engine):
    """Each job through papermill on its own fresh kernel; the executed notebook is kept."""

    @classmethod
    def execute_managed_jobs(cls, jobs: list[Job], options: EngineOptions) -> list[JobResult]:  # noqa: D102
        return [cls.execute_job(job, options) for job in jobs]

    @classmethod
    def execute_job(cls, job: Job, options: EngineOptions) -> JobResult:
        """Run one job: papermill → classify → render → tidy up.

        Papermill on the project kernel with a per-cell timeout, the kernel's working
        directory set through nbclient's ``resources`` rather than ``os.chdir`` (thread-safe);
        the page is rendered also for a failed notebook; the working directory goes if the
        notebook left nothing in it.
        """
        import papermill

        started = time.perf_counter()
        # The runner has already checked the parameters itself (papermill's line parser misreads
        # comments containing "=" and only warns): keep papermill's warnings out of the console.
        logging.getLogger("papermill").setLevel(logging.ERROR)
        job.output_ipynb.parent.mkdir(parents=True, exist_ok=True)
        job.workdir.mkdir(parents=True, exist_ok=True)
        outcome, nb = OK, None
        try:
            nb = papermill.execute_notebook(
                str(job.notebook.source),
                str(job.output_ipynb),
                parameters=dict(job.parameters),
                kernel_name="python3",  # selects papermill's Python translator; the kernel itself is ours
                progress_bar=False,
                start_timeout=options.start_timeout,
                execution_timeout=options.timeout,
                kernel_manager_class=KERNEL_MANAGERS[options.kernel],
                resources={"metadata": {"path": str(job.workdir)}},
                # The outputs are in once the last cell replied: no need to wait for a polite exit.
                shutdown_kernel="immediate",
            )
        except Exception as exc:  # noqa: BLE001 - classified, reported, the batch goes on
            outcome = classify(exc, timeout=options.timeout)
            logger.debug("job %s: %s\n%s", job.key, outcome.status, traceback.format_exc())
        executed = time.perf_counter()
        if nb is None and job.output_ipynb.exists():
            import nbformat

            nb = nbformat.read(job.output_ipynb, as_version=4)
        kernel_s, compute_s = _split_time(nb, executed - started)
        html = None
        if nb is not None:
            outcome, html = cls.render(nb, job, outcome, options, ipynb=True, gathered=False)
        _remove_if_empty(job.workdir)
        return JobResult(
            key=job.key,
            status=outcome.status,
            error=outcome.error,
            seconds=time.perf_counter() - started,
            kernel_seconds=kernel_s,
            compute_seconds=compute_s,
            export_seconds=time.perf_counter() - executed,
            html=html,
            ipynb=str(job.output_ipynb) if job.output_ipynb.exists() else None,
        )


class ChunkEngine(Engine):
    """The jobs one after another on one kept kernel; ``shared`` cells once per kernel.

    Each job gets the notebook with its own parameters injected (as papermill does); the
    cells tagged ``shared`` and the defaults cell (tagged ``parameters``) run once per kernel
    and their outputs are reused, every other cell runs for each job.
    """

    keeps_notebooks = False

    @classmethod
    def execute_managed_jobs(cls, jobs: list[Job], options: EngineOptions) -> list[JobResult]:  # noqa: D102
        import asyncio

        results: list[JobResult] = []
        while len(results) < len(jobs):
            rest = jobs[len(results) :]
            rest[0].workdir.mkdir(parents=True, exist_ok=True)
            try:
                asyncio.run(cls._run_on_one_kernel(rest, results, options))
            except Exception as exc:  # noqa: BLE001 - the kernel could not start: fail what is left
                message = f"the kernel for this chunk failed: {type(exc).__name__}: {exc}"
                results += [JobResult(key=job.key, status="failed", error=message) for job in jobs[len(results) :]]
            finally:
                _remove_if_empty(rest[0].workdir)
        return results

    @classmethod
    async def _run_on_one_kernel(cls, jobs: list[Job], results: list[JobResult], options: EngineOptions) -> None:
        """Run ``jobs`` on one kernel, appending to ``results``; return early if the kernel is lost."""
        from nbclient import NotebookClient
        from papermill.iorw import load_notebook_node

        source = load_notebook_node(str(jobs[0].notebook.source))  # as papermill reads it (cell tags)
        client = NotebookClient(
            source,
            timeout=options.timeout,
            startup_timeout=options.start_timeout,
            kernel_manager_class=KERNEL_MANAGERS[options.kernel],
            resources={"metadata": {"path": str(jobs[0].workdir)}},
            shutdown_kernel="immediate",
        )
        shared: dict[str, list] = {}
        async with client.async_setup_kernel():
            for job in jobs:
                result, lost = await cls._run_job(client, source, job, shared, options)
                results.append(result)
                if lost:  # a dead or busy kernel: the rest of the chunk starts a new one
                    return

    @classmethod
    async def _run_job(
        cls, client: Any, source: Any, job: Job, shared: dict[str, list], options: EngineOptions
    ) -> tuple[JobResult, bool]:
        """Execute one job's notebook on the client's kernel and render it; return (result, kernel lost)."""
        import nbformat
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.parameterize import parameterize_notebook

        started = time.perf_counter()
        nb = parameterize_notebook(
            copy.deepcopy(source), dict(job.parameters), kernel_name="python3", language="python"
        )
        client.nb = nb
        outcome, compute, count = OK, 0.0, 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue  # as nbclient, which sends an empty cell to no kernel
            # Numbered as on a fresh kernel (papermill's), whatever the kernel ran before.
            count += 1
            tags = cell.get("metadata", {}).get("tags", [])
            # The defaults cell sets the same names for every job of a chunk (each job's injected
            # cell, next, sets its values): like a shared cell, it runs once per kernel.
            is_shared = SHARED_TAG in tags or "parameters" in tags
            if is_shared and cell.get("id") in shared:
                cell.outputs = copy.deepcopy(shared[cell["id"]])
                cell.execution_count = count
                continue
            cell_start = time.perf_counter()
            try:
                await client.async_execute_cell(cell, index, execution_count=count)
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
                # Anything else leaves the client in doubt: the chunk's kernel is given up.
                outcome = classify(exc, timeout=options.timeout, cell=count)
            compute += time.perf_counter() - cell_start
            if not outcome.ok:
                break
            if is_shared:
                cell.outputs = _external_scripts(cell.outputs, job.output_html.parent)
                shared[cell["id"]] = copy.deepcopy(cell.outputs)
        executed = time.perf_counter()
        job.output_html.parent.mkdir(parents=True, exist_ok=True)
        ipynb = None
        if options.keep_notebooks:
            nbformat.write(nb, job.output_ipynb)
            ipynb = str(job.output_ipynb)
        else:
            _drop_unrendered(nb)
        rendered, html = cls.render(nb, job, outcome, options, ipynb=options.keep_notebooks, gathered=True)
        return JobResult(
            key=job.key,
            status=rendered.status,
            error=rendered.error,
            seconds=time.perf_counter() - started,
            kernel_seconds=max(executed - started - compute, 0.0),
            compute_seconds=compute,
            export_seconds=time.perf_counter() - executed,
            html=html,
            ipynb=ipynb,
        ), outcome.kernel_lost


class Engines:
    """The engines by name (papermill's ``PapermillEngines``)."""

    def __init__(self) -> None:
        self._engines: dict[str, type[Engine]] = {}

    def register(self, name: str, engine: type[Engine]) -> None:
        """Register ``engine`` under ``name``."""
        self._engines[name] = engine

    def get_engine(self, name: str) -> type[Engine]:
        """Return the engine registered as ``name``.

        Raises:
            ValueError: Naming the engines there are.

        """
        try:
            return self._engines[name]
        except KeyError:
            raise ValueError(f"no engine named {name!r} (there are: {', '.join(self._engines)})") from None

    def execute_jobs(self, name: str, jobs: Sequence[Job], options: EngineOptions) -> list[JobResult]:
        """Run ``jobs`` with the engine registered as ``name``."""
        return self.get_engine(name).execute_jobs(jobs, options)


#: The registry the runner uses.
engines = Engines()
engines.register("papermill", PapermillEngine)
engines.register("chunk", ChunkEngine)


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
