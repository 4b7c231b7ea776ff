"""Run the notebook suite: validate → plan → lock → prepare → execute in parallel → publish.

The recipe, papermill-style, each step a named function::

    scenarios = load_scenarios(files)             # ParameterError before any kernel starts
    notebooks = select_notebooks(names)
    municipalities = resolve_municipalities(codes)
    jobs = plan_jobs(...); check_notebook_parameters(jobs)
    with run_lock(reports):                       # one writer at a time
        run_dir = new_run_dir(reports); copy_assets(run_dir)
        prepare_scenario(...) once per scenario    # shared results cached for every notebook
        execute_job(job) in worker processes       # papermill + code-free HTML
        write_manifest(...); write_index(...)
        publish_latest(...) only if every job succeeded; prune_runs(...)

Example:
    >>> from capacity import runner
    >>> result = runner.run(["params/baseline.yaml"], jobs=2)  # doctest: +SKIP
    >>> result.status, result.run_dir  # doctest: +SKIP

"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import capacity
from capacity import params
from capacity.errors import ParameterError, RunError
from capacity.runner.execute import (
    JobResult,
    ProjectKernelManager,
    execute_job,
    export_html,
    prepare_scenario,
)
from capacity.runner.index import write_index
from capacity.runner.plan import (
    NOTEBOOK_DIR,
    NOTEBOOKS,
    RUNNER_PARAMETERS,
    Job,
    Notebook,
    ScenarioSpec,
    check_extra_parameters,
    check_notebook_parameters,
    load_scenarios,
    notebook_parameters,
    plan_jobs,
    resolve_municipalities,
    select_notebooks,
)
from capacity.runner.pool import make_executor
from capacity.runner.publish import (
    REPORTS_DIR,
    copy_assets,
    data_files,
    data_vintage,
    git_commit,
    latest_target,
    new_run_dir,
    now_iso,
    prune_runs,
    publish_latest,
    run_lock,
    run_log,
    sha256,
    write_manifest,
)

__all__ = [
    "NOTEBOOKS", "NOTEBOOK_DIR", "REPORTS_DIR", "RUNNER_PARAMETERS", "Job", "JobResult", "Notebook",
    "ProjectKernelManager", "RunResult", "ScenarioSpec", "check_notebook_parameters", "execute_job",
    "export_html", "latest_target", "load_scenarios", "notebook_parameters", "plan", "plan_jobs",
    "prepare_scenario", "resolve_municipalities", "run", "select_notebooks",
]

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """Outcome of :func:`run`.

    Attributes:
        run_dir: ``reports/<run-id>/``.
        status: ``"ok"``, ``"failed"`` (some job failed) or ``"interrupted"``.
        results: Job key → :class:`JobResult` (also ``<scenario>/prepare`` steps that failed).
        published: Whether ``reports/latest`` now points at this run.
        manifest: The content of ``manifest.json``.

    """

    run_dir: Path
    status: str
    results: dict[str, JobResult] = field(default_factory=dict)
    published: bool = False
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every job succeeded."""
        return self.status == "ok"

    @property
    def failed(self) -> list[JobResult]:
        """The jobs that did not succeed."""
        return [r for r in self.results.values() if r.status != "ok"]


@dataclass(frozen=True)
class Plan:
    """Everything validated before the run starts (no kernel has started yet)."""

    scenarios: list[ScenarioSpec]
    notebooks: list[Notebook]
    municipalities: list[tuple[str, str]]
    extra_parameters: dict[str, Any]
    municipal_scenarios: list[str] | None = None

    def jobs(self, run_dir: Path) -> list[Job]:
        """Return the jobs this plan makes for a run folder."""
        return plan_jobs(self.scenarios, self.notebooks, self.municipalities, run_dir=run_dir,
                         extra_parameters=self.extra_parameters,
                         municipal_scenarios=self.municipal_scenarios)


def plan(
    params_files: Sequence[Path | str] | None = None,
    *,
    notebooks: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    registry: Sequence[Notebook] = NOTEBOOKS,
    extra_parameters: Mapping[str, Any] | None = None,
    municipal_scenarios: Sequence[str] | None = None,
) -> Plan:
    """Validate a run's inputs without starting a kernel.

    Raises:
        ParameterError: An invalid parameter file or unknown municipality.
        RunError: An unknown notebook, or a parameter the notebook does not declare.

    """
    scenarios = load_scenarios(params_files)
    chosen = select_notebooks(notebooks, registry=registry)
    if not chosen:
        raise RunError("no notebooks to run: none of the registry's notebooks exist in "
                       f"{NOTEBOOK_DIR} (or --notebooks selected none)")
    per_municipality = [nb for nb in chosen if nb.per == "municipality"]
    munis = resolve_municipalities(municipalities) if per_municipality and municipalities else []
    if municipalities and not per_municipality:
        logger.warning("--municipalities given but no per-municipality notebook selected")
    if per_municipality and not munis:
        logger.info("no municipalities selected: per-municipality notebooks skipped "
                    "(use --municipalities all|CODE ...)")
        chosen = [nb for nb in chosen if nb.per != "municipality"]
        if not chosen:
            raise RunError("only per-municipality notebooks selected but no municipality: "
                           "add --municipalities all|CODE ...")
    if municipal_scenarios is not None:
        municipal_scenarios = list(municipal_scenarios)
        if [m.lower() for m in municipal_scenarios] == ["all"]:
            municipal_scenarios = None
        else:
            names = [s.name for s in scenarios]
            unknown = [m for m in municipal_scenarios if m not in names]
            if unknown:
                raise ParameterError(f"--municipalities-for {' '.join(unknown)}: not among this "
                                     f"run's scenarios ({', '.join(names)})")
    check_extra_parameters(chosen, extra_parameters or {})
    result = Plan(scenarios, chosen, munis, dict(extra_parameters or {}), municipal_scenarios)
    # Inspect parameters now, against throw-away paths: fail before the lock and any kernel.
    check_notebook_parameters(result.jobs(Path("/nonexistent")))
    return result


def run(
    params_files: Sequence[Path | str] | None = None,
    *,
    notebooks: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    jobs: int | None = None,
    reports_dir: Path | str = REPORTS_DIR,
    keep: int = 12,
    wait: float = 0,
    timeout: float | None = 900,
    start_timeout: float = 60,
    executor: str = "process",
    scheduler: str | None = None,
    progress: bool = True,
    publish: bool = True,
    registry: Sequence[Notebook] = NOTEBOOKS,
    extra_parameters: Mapping[str, Any] | None = None,
    kernel: str = "fork",
    municipal_scenarios: Sequence[str] | None = None,
    prepare: bool = True,
    keep_cache: bool = False,
) -> RunResult:
    """Run every selected notebook for every scenario (and municipality) and publish the reports.

    Args:
        params_files: Scenario YAML files (None: the baseline).
        notebooks: Registry names or .ipynb paths (None: the whole registry that exists).
        municipalities: ``["all"]`` or codes/names for per-municipality notebooks.
        municipal_scenarios: Scenario names that get municipal reports (None: every one).
        prepare: Compute each scenario's shared results once before its notebooks
            (``capacity.pipeline.scenario_results``); False passes ``cache_path=None``.
        keep_cache: Keep ``<scenario>/cache/results.pkl`` after the run (about 15 MB per
            scenario; deleted by default once every notebook has used it).
        jobs: Parallel jobs (None: number of cores).
        reports_dir: Output root; the run goes to ``<reports_dir>/<run-id>/``.
        keep: Run folders to keep (older ones are pruned; 0 keeps all).
        wait: Seconds to wait for another run's lock.
        timeout: Per-cell time limit (s); None: no limit.
        start_timeout: Kernel start-up limit (s).
        executor: ``"process"`` (local worker processes) or ``"dask"``.
        scheduler: Address of a Dask scheduler (implies ``executor="dask"``).
        progress: Show a progress bar and one status line per job on stderr.
        publish: Move ``latest`` to this run if every job succeeded.
        registry: The notebook registry (tests pass fixture notebooks).
        extra_parameters: More notebook parameters (each must be declared by the notebooks).
        kernel: ``"fork"`` (default: each notebook's fresh kernel is forked from a preloaded
            interpreter, about 3 s less CPU per notebook) or ``"spawn"`` (a new interpreter
            per notebook, as papermill does by default).

    Returns:
        The :class:`RunResult`; check ``.ok``. Raises only for invalid input, the lock, or an
        interruption (KeyboardInterrupt, after writing the manifest and index).

    """
    the_plan = plan(params_files, notebooks=notebooks, municipalities=municipalities,
                    registry=registry, extra_parameters=extra_parameters,
                    municipal_scenarios=municipal_scenarios)
    if kernel not in ("fork", "spawn"):
        raise RunError(f"kernel = {kernel!r}: expected 'fork' or 'spawn'")
    reports_dir = Path(reports_dir).resolve()
    with run_lock(reports_dir, wait=wait):
        run_dir = new_run_dir(reports_dir)
        with run_log(reports_dir, run_dir.name) as log_path:
            return _run_locked(the_plan, run_dir, reports_dir, log_path, jobs=jobs, keep=keep,
                               timeout=timeout, start_timeout=start_timeout, executor=executor,
                               scheduler=scheduler, progress=progress, publish=publish,
                               kernel=kernel, prepare=prepare, keep_cache=keep_cache)


def _run_locked(the_plan: Plan, run_dir: Path, reports_dir: Path, log_path: Path, *,
                jobs: int | None, keep: int, timeout: float | None, start_timeout: float,
                executor: str, scheduler: str | None, progress: bool, publish: bool,
                kernel: str = "fork", prepare: bool = True,
                keep_cache: bool = False) -> RunResult:
    start = time.perf_counter()
    job_list = the_plan.jobs(run_dir)
    manifest = start_manifest(run_dir, the_plan, job_list, log_path=log_path)
    pool_workers = max(1, min(jobs or _cores(), len(job_list)))
    manifest["executor"] = {"kind": "dask" if scheduler or executor == "dask" else "process",
                            "workers": pool_workers, "scheduler": scheduler, "kernel": kernel,
                            "timeout_s": timeout}
    write_manifest(run_dir, manifest)
    copy_assets(run_dir)
    context = report_context(manifest, the_plan)
    logger.info("run %s: %d jobs, %d workers", run_dir.name, len(job_list), pool_workers)

    results: dict[str, JobResult] = {}
    headlines: dict[str, dict[str, Any] | None] = {}
    status = "failed"
    try:
        execute_all(job_list, the_plan.scenarios, run_dir, results, headlines, context=context,
                    workers=pool_workers, executor=executor, scheduler=scheduler,
                    timeout=timeout, start_timeout=start_timeout, progress=progress,
                    kernel=kernel, prepare=prepare)
        status = "ok" if all(r.status == "ok" for r in results.values()) else "failed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        manifest = finish_manifest(manifest, status, results, headlines, time.perf_counter() - start)
        write_manifest(run_dir, manifest)
        write_index(run_dir, manifest, scenarios=the_plan.scenarios, notebooks=the_plan.notebooks,
                    jobs=job_list, results=results, headlines=headlines)
        _remove_workdirs(run_dir)
        if not keep_cache:
            for spec in the_plan.scenarios:
                shutil.rmtree(run_dir / spec.name / "cache", ignore_errors=True)
        logger.info("run %s finished: %s", run_dir.name, status)
    published = False
    if status == "ok" and publish:
        publish_latest(reports_dir, run_dir)
        published = True
    for removed in prune_runs(reports_dir, keep=keep, current=run_dir):
        logger.info("pruned old run %s", removed.name)
    return RunResult(run_dir=run_dir, status=status, results=results, published=published,
                     manifest=manifest)


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def _remove_workdirs(run_dir: Path) -> None:
    work = run_dir / ".work"
    if work.is_dir():
        for path in sorted(work.rglob("*"), reverse=True):
            if path.is_dir():
                try:
                    path.rmdir()
                except OSError:
                    pass
        try:
            work.rmdir()
        except OSError:
            logger.info("kept %s: notebooks left files in their working directories", work)


def start_manifest(run_dir: Path, the_plan: Plan, job_list: Sequence[Job], *,
                   log_path: Path | None = None) -> dict[str, Any]:
    """Return the provenance record of a starting run (status ``running``)."""
    from capacity.data import __file__ as data_file  # noqa: F401 - the package must import

    data_dirs = []
    files = []
    for spec in the_plan.scenarios:
        scn = params.load(spec.params_path)
        data_dirs.append(Path(scn.data.data_dir) if scn.data.data_dir
                         else Path(capacity.__file__).parent / "datasets")
    chain = [params.BASELINE_PATH]
    for spec in the_plan.scenarios:
        chain += _extends_chain(spec.params_path)
    for path in dict.fromkeys(Path(p).resolve() for p in chain):
        files.append({"path": str(path), "sha256": sha256(path)})
    return {
        "run_id": run_dir.name,
        "status": "running",
        "started": now_iso(),
        "ended": None,
        "seconds": None,
        "package_version": capacity.__version__,
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "log": str(log_path) if log_path else None,
        "params_files": files,
        "data_files": data_files(data_dirs),
        "data_vintage": data_vintage(),
        "scenarios": [
            {"name": s.name, "title": s.title, "params_file": str(s.params_path),
             "params_sha256": sha256(s.params_path), "seed": s.seed, "language": s.language}
            for s in the_plan.scenarios
        ],
        "notebooks": [{"name": nb.name, "per": nb.per, "path": str(nb.source),
                       "sha256": sha256(nb.source)} for nb in the_plan.notebooks],
        "municipalities": [code for code, _ in the_plan.municipalities],
        "jobs": [{"key": j.key, "status": "pending"} for j in job_list],
        "counts": {"total": len(job_list), "ok": 0, "failed": 0},
    }


def _extends_chain(path: Path) -> list[Path]:
    """Return ``path`` and every file it ``extends`` (each merged onto the next), nearest first."""
    chain: list[Path] = []
    while path is not None and path not in chain:
        chain.append(path)
        parent = params.read_yaml(path).get("extends")
        path = (path.parent / parent).resolve() if isinstance(parent, str) else None
    return chain


def finish_manifest(manifest: dict[str, Any], status: str, results: Mapping[str, JobResult],
                    headlines: Mapping[str, Any], seconds: float) -> dict[str, Any]:
    """Return the manifest with the outcome of every job filled in."""
    jobs = []
    for entry in manifest["jobs"]:
        res = results.get(entry["key"])
        jobs.append(res.to_dict() if res else {"key": entry["key"], "status": "not run"})
    extra = [r.to_dict() for k, r in results.items() if k not in {j["key"] for j in manifest["jobs"]}]
    ok = sum(j["status"] == "ok" for j in jobs)
    return {**manifest, "status": status, "ended": now_iso(), "seconds": round(seconds, 3),
            "jobs": jobs + extra, "headline": dict(headlines),
            "counts": {"total": len(jobs), "ok": ok, "failed": len(jobs) - ok}}


def report_context(manifest: Mapping[str, Any], the_plan: Plan) -> dict[str, Any]:
    """Return what every report's provenance section shows (run facts, parameters used)."""
    scenarios = {}
    for entry in manifest["scenarios"]:
        spec = next(s for s in the_plan.scenarios if s.name == entry["name"])
        table = params.describe(params.load(spec.params_path))
        scenarios[entry["name"]] = {**entry, "parameters_html": table.to_html(index=False, border=0)}
    return {
        "run_dir": None,
        "run": {k: manifest[k] for k in ("run_id", "started", "package_version", "git_commit",
                                         "data_vintage", "data_files")},
        "scenarios": scenarios,
    }


def execute_all(
    job_list: Sequence[Job],
    scenarios: Sequence[ScenarioSpec],
    run_dir: Path,
    results: dict[str, JobResult],
    headlines: dict[str, Any],
    *,
    context: Mapping[str, Any],
    workers: int,
    executor: str = "process",
    scheduler: str | None = None,
    timeout: float | None = 900,
    start_timeout: float = 60,
    progress: bool = True,
    kernel: str = "fork",
    prepare: bool = True,
) -> None:
    """Prepare each scenario once, then run its jobs; fill ``results`` and ``headlines`` in place.

    A scenario's jobs start as soon as its shared results are ready, so scenario B's
    preparation overlaps scenario A's notebooks. A failed preparation skips that scenario's
    jobs (they would each recompute, racing on one cache file) and is reported.
    """
    from tqdm import tqdm

    context = {**context, "run_dir": str(run_dir)}
    by_scenario: dict[str, list[Job]] = {}
    for job in job_list:
        by_scenario.setdefault(job.scenario, []).append(job)
    # A live bar on a terminal; plain status lines (one per job) for cron and log files.
    bar = tqdm(total=len(job_list), disable=not (progress and sys.stderr.isatty()), unit="report",
               file=sys.stderr, desc=run_dir.name)
    say = (lambda line: tqdm.write(line, file=sys.stderr)) if progress else (lambda line: None)
    kernel_log = str(run_dir.parent / "logs" / f"{run_dir.name}.kernels.log")
    pool = make_executor(executor, workers, scheduler)
    pending: dict[Any, Task] = {}
    retried: set[str] = set()
    retry_queue: deque[Task] = deque()
    retry_running: list[Task] = []

    def submit(task: Task) -> None:
        pending[pool.submit(task.fn, *task.args, **task.kwargs)] = task

    def submit_jobs(jobs: Sequence[Job], cache: str | None) -> None:
        for job in jobs:
            job = dataclasses.replace(job, parameters={**job.parameters, "cache_path": cache})
            submit(Task("job", job.key, job, execute_job, (job,), {
                "timeout": timeout, "start_timeout": start_timeout, "context": context,
                "kernel_log": kernel_log, "kernel": kernel}))

    try:
        for spec in scenarios:
            cache = run_dir / spec.name / "cache" / "results.pkl"
            submit(Task("prepare", f"{spec.name}/prepare", spec.name,
                        prepare_scenario if prepare else _no_prepare,
                        (str(spec.params_path), str(cache)) if prepare else (), {}))
        while pending or retry_queue:
            if retry_queue and not retry_running:
                # Retries go one at a time: if the pool breaks again while a retried task
                # runs, that task is the one that kills its worker.
                retry_running.append(retry_queue.popleft())
                submit(retry_running[0])
            done, _ = pool.wait_first(pending, timeout=1.0)
            _show_running(bar, pending, workers)
            for fut in done:
                task = pending.pop(fut)
                if task in retry_running:
                    retry_running.remove(task)
                if _worker_died(fut) and task.key not in retried:
                    # A worker process died (crash, out of memory, killed): every job in the
                    # pool fails with it. Run each affected job again, in a fresh pool.
                    retried.add(task.key)
                    logger.warning("worker died while %s was queued or running: retrying",
                                   task.key)
                    retry_queue.append(task)
                    continue
                if task.kind == "prepare":
                    _on_prepared(fut, task.what, by_scenario.get(task.what, []), submit_jobs,
                                 results, headlines, bar, say)
                    continue
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - the worker itself failed
                    res = JobResult(key=task.key, status="failed",
                                    error=f"the worker running this job failed: "
                                          f"{type(exc).__name__}: {exc}")
                results[task.key] = res
                _status_line(bar, say, res)
    except KeyboardInterrupt:
        say("interrupted: stopping workers and their kernels; latest is not moved")
        pool.close(cancel=True)
        for task in pending.values():
            if task.kind == "job":
                results[task.key] = JobResult(key=task.key, status="interrupted",
                                              error="run interrupted")
        raise
    else:
        pool.close()
    finally:
        bar.close()


@dataclass(frozen=True)
class Task:
    """Something submitted to a worker: a scenario's preparation or a notebook job."""

    kind: str
    key: str
    what: Any
    fn: Any
    args: tuple
    kwargs: dict


def _worker_died(fut: Any) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return isinstance(fut.exception(), BrokenProcessPool)
    except Exception:  # noqa: BLE001 - cancelled or a Dask future without the state
        return False


def _no_prepare() -> dict[str, Any]:
    return {"cache_path": None, "headline": None, "seconds": 0.0}


def _on_prepared(fut: Any, scenario: str, jobs: Sequence[Job], submit_jobs: Any,
                 results: dict[str, JobResult], headlines: dict[str, Any], bar: Any,
                 say: Any) -> None:
    try:
        prepared = fut.result()
    except Exception as exc:  # noqa: BLE001 - reported on the index page
        message = f"computing the shared results failed: {type(exc).__name__}: {exc}"
        results[f"{scenario}/prepare"] = JobResult(key=f"{scenario}/prepare", status="failed",
                                                   error=message)
        for job in jobs:
            results[job.key] = JobResult(key=job.key, status="skipped",
                                         error=f"not run: {scenario}: {message}")
        bar.update(len(jobs))
        say(f"FAILED {scenario}/prepare: {message}")
        logger.error("%s/prepare failed: %s", scenario, message)
        return
    headlines[scenario] = prepared.get("headline")
    if prepared.get("seconds"):
        results[f"{scenario}/prepare"] = JobResult(key=f"{scenario}/prepare", status="ok",
                                                   seconds=prepared["seconds"],
                                                   compute_seconds=prepared["seconds"])
        say(f"ok     {scenario}/prepare  shared results in {prepared['seconds']:.1f} s")
    submit_jobs(jobs, prepared.get("cache_path"))


def _show_running(bar: Any, pending: Mapping[Any, Task], workers: int) -> None:
    """Show the jobs now executing next to the progress bar (one per worker)."""
    if bar.disable:
        return
    # The process pool marks one queued call as running too: show one job per worker.
    running = [t.key for f, t in pending.items() if t.kind == "job" and _is_running(f)]
    if running:
        bar.set_postfix_str("running: " + ", ".join(running[:workers]), refresh=True)


def _is_running(fut: Any) -> bool:
    try:
        return bool(fut.running())
    except (AttributeError, TypeError):
        return getattr(fut, "status", "") == "processing"


def _status_line(bar: Any, say: Any, res: JobResult) -> None:
    bar.update(1)
    word = "ok    " if res.status == "ok" else res.status.upper().ljust(6)
    line = (f"{word} {res.key}  {res.seconds:.1f} s "
            f"(kernel {res.kernel_seconds:.1f}, cells {res.compute_seconds:.1f})")
    if res.error:
        line += f"\n       {res.error}"
        logger.error("%s %s: %s", res.status, res.key, res.error)
    else:
        logger.info("ok %s in %.1f s", res.key, res.seconds)
    say(line)
