"""Run a plan's jobs in a run folder: prepare each scenario, execute its notebooks, write the outcome.

Inside the lock, :func:`run_batch` writes the starting manifest and the assets, runs
:func:`execute_all`, then (whatever happened, also on Ctrl-C) writes the final manifest and
the index page and removes the scratch folders. :func:`execute_all` submits each
scenario's preparation first; a scenario's notebooks start as soon as its results are
ready, so scenario B's preparation overlaps scenario A's notebooks. A worker that dies
takes its queued jobs with it: those are retried once, one at a time.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capacity.runner.execute import execute_jobs, prepare_scenario
from capacity.runner.gather import gather_municipal_tables
from capacity.runner.index import write_index
from capacity.runner.manifest import finish_manifest, report_context, start_manifest, write_manifest
from capacity.runner.options import RunOptions
from capacity.runner.outcome import JobResult
from capacity.runner.plan import Job, Plan, ScenarioSpec
from capacity.runner.pool import make_executor
from capacity.runner.progress import Progress
from capacity.runner.publish import copy_assets, run_cache_dir
from capacity.vintages import record_run

logger = logging.getLogger(__name__)


def run_batch(
    the_plan: Plan, run_dir: Path, options: RunOptions, *, log_path: Path | None = None
) -> tuple[str, dict[str, JobResult], dict[str, Any]]:
    """Run every job of ``the_plan`` into ``run_dir``; always leave a manifest and an index.

    Returns:
        ``(status, results, manifest)``; status ``"ok"`` or ``"failed"``.

    Raises:
        KeyboardInterrupt: After marking the run ``interrupted`` and writing its outcome.

    """
    start = time.perf_counter()
    job_list = the_plan.jobs(run_dir)
    workers = options.workers(len(job_list))
    manifest = start_manifest(run_dir, the_plan, job_list, log_path=log_path, executor=options.executor_record(workers))
    write_manifest(run_dir, manifest)
    copy_assets(run_dir)
    context = report_context(manifest, the_plan)
    logger.info("run %s: %d jobs, %d workers", run_dir.name, len(job_list), workers)
    results: dict[str, JobResult] = {}
    headlines: dict[str, Any] = {}
    status = "failed"
    try:
        execute_all(
            job_list, the_plan.scenarios, run_dir, results, headlines, context=context, options=options, workers=workers
        )
        status = "ok" if all(r.status == "ok" for r in results.values()) else "failed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        # The manifest says "finishing" while the vintage, the index and the clean-up are
        # written, and its final status last: a run killed in between is tidied like a
        # running one (publish.tidy_reports), never left "ok" without an index.
        manifest = finish_manifest(manifest, status, results, headlines, time.perf_counter() - start)
        write_manifest(run_dir, {**manifest, "status": "finishing"})
        # Stored unpublished: runner.run marks it published once latest has moved to it.
        recorded = record_run(run_dir, manifest, status=status, published=False)  # vintages, warnings.json
        manifest = with_store_outcome(manifest, recorded)
        write_index(
            run_dir,
            manifest,
            scenarios=the_plan.scenarios,
            notebooks=the_plan.notebooks,
            jobs=job_list,
            results=results,
            headlines=headlines,
        )
        _clean_up(run_dir, the_plan.scenarios, keep_cache=options.keep_cache)
        write_manifest(run_dir, manifest)
        logger.info("run %s finished: %s", run_dir.name, status)
    return status, results, manifest


def with_store_outcome(manifest: dict[str, Any], recorded: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return ``manifest`` with ``vintage_store``: whether the vintage was stored, else why and where it waits."""
    if recorded is None:
        return manifest
    outcome: dict[str, Any] = {"stored": "store_error" not in recorded}
    if "store_error" in recorded:
        outcome["error"] = recorded["store_error"]
        if recorded.get("pending"):
            outcome["pending"] = f"{manifest['run_id']}/{recorded['pending']}"
    if recorded.get("merged"):
        outcome["merged"] = list(recorded["merged"])
    return {**manifest, "vintage_store": outcome}


def _clean_up(run_dir: Path, scenarios: Sequence[ScenarioSpec], *, keep_cache: bool) -> None:
    """Remove the kernels' empty working folders and (unless kept) the run's and scenarios' caches."""
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
    if not keep_cache:  # the run's private cache folder (runner.run removes it as well)
        shutil.rmtree(run_cache_dir(run_dir), ignore_errors=True)


@dataclass(frozen=True)
class Task:
    """Something submitted to a worker: a scenario's preparation or a notebook job."""

    kind: str
    key: str
    what: Any
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict


def execute_all(
    job_list: Sequence[Job],
    scenarios: Sequence[ScenarioSpec],
    run_dir: Path,
    results: dict[str, JobResult],
    headlines: dict[str, Any],
    *,
    context: Mapping[str, Any],
    options: RunOptions,
    workers: int,
) -> None:
    """Prepare each scenario once, then run its jobs; fill ``results`` and ``headlines`` in place.

    A failed preparation skips that scenario's jobs (they would each recompute, racing on
    one cache file) and is reported. On Ctrl-C the workers and their kernels are stopped
    and the jobs still pending are marked ``interrupted``.
    """
    progress = Progress(len(job_list), run_dir.name, enabled=options.progress)
    job_kwargs = {
        "timeout": options.timeout,
        "start_timeout": options.start_timeout,
        "context": {**context, "run_dir": str(run_dir)},
        "kernel": options.kernel,
        "kernel_log": str(run_dir.parent / "logs" / f"{run_dir.name}.kernels.log"),
    }
    pool = make_executor(options.executor, workers, options.scheduler)
    batch = Batch(pool, job_list, results, headlines, progress, job_kwargs=job_kwargs, workers=workers, options=options)
    try:
        batch.run(prepare_tasks(scenarios, run_dir, prepare=options.prepare))
    except KeyboardInterrupt:
        progress.say("interrupted: stopping workers and their kernels; latest is not moved")
        pool.close(cancel=True)
        batch.mark_interrupted()
        raise
    else:
        pool.close()
    finally:
        progress.close()


def prepare_tasks(scenarios: Sequence[ScenarioSpec], run_dir: Path, *, prepare: bool) -> list[Task]:
    """Return one preparation task per scenario (a no-op when ``prepare`` is False)."""
    tasks = []
    for spec in scenarios:
        # The shared results live in the run's private cache folder, never under reports/.
        cache = run_cache_dir(run_dir) / spec.name / "results.pkl"
        # The worker gets the validated scenario itself (pickled), not its file to load again.
        fn, args = (
            (prepare_scenario, (spec.load(), str(cache), str(run_dir / spec.name))) if prepare else (_no_prepare, ())
        )
        tasks.append(Task("prepare", f"{spec.name}/prepare", spec.name, fn, args, {}))
    return tasks


def _no_prepare() -> dict[str, Any]:
    return {"cache_path": None, "headline": None, "seconds": 0.0}


class Batch:
    """The submit-and-collect loop over one pool, with one retry per task whose worker died."""

    def __init__(
        self,
        pool: Any,
        job_list: Sequence[Job],
        results: dict[str, JobResult],
        headlines: dict[str, Any],
        progress: Progress,
        *,
        job_kwargs: Mapping[str, Any],
        workers: int,
        options: RunOptions | None = None,
    ) -> None:
        self.pool = pool
        self.options = options or RunOptions()
        self.results = results
        self.headlines = headlines
        self.progress = progress
        self.job_kwargs = dict(job_kwargs)
        self.workers = workers
        self.by_scenario: dict[str, list[Job]] = {}
        for job in job_list:
            self.by_scenario.setdefault(job.scenario, []).append(job)
        self.pending: dict[Any, Task] = {}
        self.retried: set[str] = set()
        self.retry_queue: deque[Task] = deque()
        self.retry_running: list[Task] = []
        self.chunks_left: dict[str, int] = {}  # scenario -> municipal chunks still running
        self.published: dict[str, list[str]] = {}  # scenario -> municipalities rendered ok

    def run(self, first: Sequence[Task]) -> None:
        """Submit ``first`` (and the jobs each preparation releases) until all are done."""
        for task in first:
            self.submit(task)
        while self.pending or self.retry_queue:
            self._start_next_retry()
            done, _ = self.pool.wait_first(self.pending, timeout=1.0)
            if self.progress.live:
                self.progress.show_running(
                    [t.key for f, t in self.pending.items() if t.kind != "prepare" and _is_running(f)], self.workers
                )
            for fut in done:
                self._collect(fut, self.pending.pop(fut))

    def submit(self, task: Task) -> None:
        """Hand a task to the pool."""
        self.pending[self.pool.submit(task.fn, *task.args, **task.kwargs)] = task

    def submit_jobs(self, jobs: Sequence[Job], cache: str | None) -> None:
        """Submit a scenario's notebook jobs, each told where the scenario's results are.

        Per-municipality jobs go in chunks to one kernel each (the ``chunk`` engine), unless
        the chunk size is 1 (the ``papermill`` engine, one run per report, as national ones).
        Once a scenario's chunks are done, the published municipalities' CSVs are gathered
        into one file (:func:`gather_municipal_tables`).
        """
        jobs = [dataclasses.replace(job, parameters={**job.parameters, "cache_path": cache}) for job in jobs]
        municipal = [job for job in jobs if job.municipality is not None]
        size = self.options.chunk_size(len(municipal), self.workers)
        # Chunks whatever their size (also of one report, when there are as many workers as
        # municipalities): the downloads are laid out the same whatever --jobs; only an
        # explicit --municipal-chunk 1 runs papermill once per report.
        chunked = self.options.municipal_chunk != 1
        for job in jobs:
            if not chunked or job.municipality is None:
                self.submit(Task("job", job.key, job, execute_jobs, ("papermill", [job]), self.job_kwargs))
        if chunked:
            kwargs = {**self.job_kwargs, "keep_notebooks": self.options.keep_notebooks}
            for start in range(0, len(municipal), size):
                chunk = municipal[start : start + size]
                self.chunks_left[chunk[0].scenario] = self.chunks_left.get(chunk[0].scenario, 0) + 1
                key = f"{chunk[0].key}..{chunk[-1].municipality}"
                self.submit(Task("chunk", key, chunk, execute_jobs, ("chunk", chunk), kwargs))

    def mark_interrupted(self) -> None:
        """Record every job still pending as interrupted."""
        for task in self.pending.values():
            for key in _job_keys(task):
                self.results[key] = JobResult(key=key, status="interrupted", error="run interrupted")

    def _start_next_retry(self) -> None:
        # Retries go one at a time: if the pool breaks again while a retried task runs,
        # that task is the one that kills its worker.
        if self.retry_queue and not self.retry_running:
            self.retry_running.append(self.retry_queue.popleft())
            self.submit(self.retry_running[0])

    def _collect(self, fut: Any, task: Task) -> None:
        if task in self.retry_running:
            self.retry_running.remove(task)
        if _worker_died(fut) and task.key not in self.retried:
            # A worker process died (crash, out of memory, killed): every job in the pool
            # fails with it. Run each affected job again, in a fresh pool.
            self.retried.add(task.key)
            logger.warning("worker died while %s was queued or running: retrying", task.key)
            self.retry_queue.append(task)
        elif task.kind == "prepare":
            self._prepared(fut, task.what)
        else:
            self._job_done(fut, task)

    def _prepared(self, fut: Any, scenario: str) -> None:
        jobs = self.by_scenario.get(scenario, [])
        key = f"{scenario}/prepare"
        try:
            prepared = fut.result()
        except Exception as exc:  # noqa: BLE001 - reported on the index page
            message = f"computing the shared results failed: {type(exc).__name__}: {exc}"
            self.results[key] = JobResult(key=key, status="failed", error=message)
            for job in jobs:
                self.results[job.key] = JobResult(
                    key=job.key, status="skipped", error=f"not run: {scenario}: {message}"
                )
            self.progress.skipped(len(jobs), f"FAILED {key}: {message}")
            logger.error("%s failed: %s", key, message)
            return
        self.headlines[scenario] = prepared.get("headline")
        if prepared.get("seconds"):
            self.results[key] = JobResult(
                key=key, status="ok", seconds=prepared["seconds"], compute_seconds=prepared["seconds"]
            )
            self.progress.say(f"ok     {key}  shared results in {prepared['seconds']:.1f} s")
        self.submit_jobs(jobs, prepared.get("cache_path"))

    def _job_done(self, fut: Any, task: Task) -> None:
        try:
            done = fut.result()
        except Exception as exc:  # noqa: BLE001 - the worker itself failed
            message = f"the worker running this job failed: {type(exc).__name__}: {exc}"
            done = [JobResult(key=key, status="failed", error=message) for key in _job_keys(task)]
        for res in done if isinstance(done, list) else [done]:
            self.results[res.key] = res
            if task.kind != "gather":
                self.progress.job_done(res)
            elif res.status != "ok":
                self.progress.say(f"FAILED {res.key}: {res.error}")
        if task.kind == "chunk":
            self._chunk_done(task.what, done if isinstance(done, list) else [])

    def _chunk_done(self, chunk: Sequence[Job], done: Sequence[JobResult]) -> None:
        """Count a finished chunk; after a scenario's last one, gather its municipal CSVs."""
        scenario = chunk[0].scenario
        ok = {res.key for res in done if res.status == "ok"}
        self.published.setdefault(scenario, []).extend(
            job.municipality for job in chunk if job.key in ok and job.municipality
        )
        self.chunks_left[scenario] -= 1
        if self.chunks_left[scenario] == 0 and self.published[scenario]:
            key = f"{scenario}/municipal-tables"
            args = (key, str(chunk[0].parameters["output_dir"]), sorted(self.published[scenario]))
            self.submit(Task("gather", key, scenario, gather_municipal_tables, args, {}))


def _job_keys(task: Task) -> list[str]:
    """Return the keys of the jobs a task runs (a gathering's own key; none for a preparation)."""
    if task.kind == "chunk":
        return [job.key for job in task.what]
    return [task.key] if task.kind in ("job", "gather") else []


def _worker_died(fut: Any) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return isinstance(fut.exception(), BrokenProcessPool)
    except Exception:  # noqa: BLE001 - cancelled or a Dask future without the state
        return False


def _is_running(fut: Any) -> bool:
    try:
        return bool(fut.running())
    except (AttributeError, TypeError):
        return getattr(fut, "status", "") == "processing"
