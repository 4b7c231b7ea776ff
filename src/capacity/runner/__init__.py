"""Run the notebook suite: validate → plan → lock → prepare → execute in parallel → publish.

The recipe, papermill-style, each step a named function in its own module::

    the_plan = plan(files, notebooks=..., ...)     # plan.py: fails before any kernel starts
    with run_lock(reports):                        # publish.py: one writer at a time
        run_dir = new_run_dir(reports)
        run_batch(the_plan, run_dir, options)      # batch.py: manifest, prepare, execute, index
        publish_latest(...) only if every job succeeded; prune_runs(...)

Modules: :mod:`~capacity.runner.registry` (the suite's notebooks), :mod:`~.plan` (scenarios,
municipalities, jobs), :mod:`~.options` (:class:`RunOptions`, :class:`RunResult`),
:mod:`~.batch` (the run loop), :mod:`~.progress`, :mod:`~.execute` (what a worker runs),
:mod:`~.engines` (the ``papermill`` and ``chunk`` engines behind one interface),
:mod:`~.outcome` (job results, the one failure classifier), :mod:`~.kernels` (kernel
managers), :mod:`~.export` (the HTML page, right the first time), :mod:`~.gather` (a batch's
municipal CSVs), :mod:`~.pool` (process or Dask workers), :mod:`~.fork` (kernels forked
from a preloaded interpreter), :mod:`~.manifest` (provenance), :mod:`~.index` (the index
page), :mod:`~.publish` (run folders, lock, ``latest``, pruning).

Example:
    >>> from capacity import runner
    >>> result = runner.run(["params/baseline.yaml"], jobs=2)  # doctest: +SKIP
    >>> result.status, result.run_dir  # doctest: +SKIP

"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from capacity.runner import unchanged
from capacity.runner.batch import run_batch
from capacity.runner.inputs import copy_inputs
from capacity.runner.options import RunOptions, RunResult
from capacity.runner.outcome import JobResult
from capacity.runner.plan import Job, Plan, ScenarioSpec, plan
from capacity.runner.publish import (
    REPORTS_DIR,
    end_unfinished,
    new_run_dir,
    private_cache,
    prune_runs,
    publish_latest,
    run_lock,
    run_log,
)
from capacity.runner.registry import NOTEBOOK_DIR, NOTEBOOKS, Notebook
from capacity.vintages.record import mark_published

__all__ = [
    "NOTEBOOKS",
    "NOTEBOOK_DIR",
    "REPORTS_DIR",
    "Job",
    "JobResult",
    "Notebook",
    "Plan",
    "RunOptions",
    "RunResult",
    "ScenarioSpec",
    "plan",
    "run",
]

logger = logging.getLogger(__name__)


def run(
    params_files: Sequence[Path | str] | None = None,
    *,
    notebooks: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    registry: Sequence[Notebook] = NOTEBOOKS,
    extra_parameters: Mapping[str, Any] | None = None,
    municipal_scenarios: Sequence[str] | None = None,
    options: RunOptions | None = None,
    **settings: Any,
) -> RunResult:
    """Run every selected notebook for every scenario (and municipality) and publish the reports.

    What to run (validated by :func:`plan` before any kernel starts):

    Args:
        params_files: Scenario YAML files (None: the baseline).
        notebooks: Registry names or .ipynb paths (None: the whole registry that exists).
        municipalities: ``["all"]`` or codes/names for per-municipality notebooks.
        registry: The notebook registry (tests pass fixture notebooks).
        extra_parameters: More notebook parameters (each must be declared by the notebooks).
        municipal_scenarios: Scenario names that get municipal reports (None: every one).
        options: How to run (:class:`RunOptions`; None: the defaults).
        **settings: :class:`RunOptions` fields that override ``options``, e.g. ``jobs=2,
            prepare=False, reports_dir=tmp``.

    A whole-suite run (``publish``) whose inputs equal those of the run ``latest`` points at
    ends at once with status ``unchanged`` (``force=True`` runs anyway).

    Returns:
        The :class:`RunResult`; check ``.ok``. Raises only for invalid input, the lock, or an
        interruption (KeyboardInterrupt, after writing the manifest and index).

    Raises:
        ParameterError: An invalid parameter file or unknown municipality.
        RunError: An unknown notebook or parameter, or an invalid option.
        LockError: Another run holds the reports folder after ``wait`` seconds.
        TypeError: A setting that is not a :class:`RunOptions` field.

    """
    the_plan = plan(
        params_files,
        notebooks=notebooks,
        municipalities=municipalities,
        registry=registry,
        extra_parameters=extra_parameters,
        municipal_scenarios=municipal_scenarios,
    )
    options = RunOptions.merged(options, settings)
    reports_dir = Path(options.reports_dir).resolve()
    with run_lock(reports_dir, wait=options.wait):
        inputs = unchanged.fingerprint(the_plan)
        same = None if options.force or not options.publish else unchanged.unchanged_since(reports_dir, inputs)
        if same is not None:
            logger.info("nothing changed since run %s (data, parameters, code, notebooks): not run again", same.name)
            return RunResult(run_dir=same, status="unchanged", published=False, manifest=_read_manifest(same))
        run_dir = new_run_dir(reports_dir)
        unchanged.write(run_dir, inputs)
        copy_inputs(run_dir, the_plan.scenarios)  # <run>/<scenario>/inputs/: the files as they were
        with (
            run_log(reports_dir, run_dir.name) as log_path,
            private_cache(run_dir, keep=options.keep_cache and options.prepare),
        ):
            try:
                status, results, manifest = run_batch(the_plan, run_dir, options, log_path=log_path)
            except BaseException as exc:  # also SIGTERM during set-up: never leave "running"
                end_unfinished(run_dir, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
                raise
            published = status == "ok" and options.publish
            if published:
                publish_latest(reports_dir, run_dir)
                mark_published(run_dir)  # only now may a later run compare with this one
            for removed in prune_runs(reports_dir, keep=options.keep, current=run_dir, keep_bytes=options.keep_size):
                logger.info("pruned old run %s", removed.name)
    return RunResult(run_dir=run_dir, status=status, results=results, published=published, manifest=manifest)


def _read_manifest(run_dir: Path) -> dict[str, Any]:
    import json

    try:
        return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
