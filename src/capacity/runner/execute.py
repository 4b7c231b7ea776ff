"""What a worker runs: prepare a scenario, run jobs with an engine, gather a batch's tables.

Runs in worker processes (or on Dask workers), so everything here takes and returns
plain, picklable objects. A failing notebook never raises out of :func:`execute_jobs`:
the executed notebook (with its error cell) is kept, the report is still rendered and
the error is returned in the :class:`JobResult`.

The pieces live by job: :mod:`~capacity.runner.kernels` (kernel managers),
:mod:`~capacity.runner.engines` (the engines), :mod:`~capacity.runner.outcome` (results and
the one classifier), :mod:`~capacity.runner.export` (HTML) and :mod:`~capacity.runner.gather`
(the municipal CSVs). ``MUNICIPAL_CSV``, ``TEMPLATES_DIR`` and ``JobResult`` are also
importable from here, where :mod:`capacity.runner.index` and the benchmarks look for them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from capacity import params
from capacity.runner.engines import EngineOptions, engines
from capacity.runner.export import TEMPLATES_DIR
from capacity.runner.gather import MUNICIPAL_CSV, gather_municipal_tables
from capacity.runner.outcome import JobResult
from capacity.runner.plan import Job

__all__ = [
    "MUNICIPAL_CSV",
    "TEMPLATES_DIR",
    "JobResult",
    "execute_job",
    "execute_jobs",
    "gather_municipal_tables",
    "prepare_scenario",
]

logger = logging.getLogger(__name__)


def prepare_scenario(scenario: params.Scenario | str | Path, cache_path: str, scenario_dir: str) -> dict[str, Any]:
    """Compute a scenario's results once and cache them for its notebooks.

    ``scenario`` is the validated scenario the runner loaded (handed over as it is: no file is
    read and validated again in the worker), or the path of its YAML file.
    ``cache_path`` is in the run's private cache folder (``<cache>/<scenario>/results.pkl``,
    signed, outside ``reports/``). The backtest does not depend on the scenario's shocks,
    so it is cached once per run beside the scenarios (``<cache>/shared/``) and shared.
    Writes the scenario's ``tables/headline.csv`` into ``scenario_dir`` (the one source of
    its headline figures) for the index page.

    Returns:
        ``{"cache_path": str, "headline": [row dicts of headline.csv], "seconds": float}``.

    """
    from capacity import data, pipeline

    start = time.perf_counter()
    # prophet's sampler logs every chain at INFO and resets its logger's level: filter instead.
    logging.getLogger("cmdstanpy").addFilter(lambda record: record.levelno >= logging.WARNING)
    scn = scenario if isinstance(scenario, params.Scenario) else params.load(scenario)
    cache = Path(cache_path)
    run_cache = cache.parent.parent / "shared"
    history = pipeline.scenario_history(scn)
    results = pipeline.scenario_results(
        scn, cache_path=cache, scorecard=pipeline.shared_backtest(scn, history, run_cache)
    )
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


def execute_jobs(engine: str, jobs: Sequence[Job], *, kernel_log: str | None = None, **options: Any) -> list[JobResult]:
    """Run ``jobs`` (one notebook, one scenario) with the engine registered as ``engine``.

    Args:
        engine: ``"papermill"`` or ``"chunk"`` (see :mod:`capacity.runner.engines`).
        jobs: The jobs, of one notebook and one scenario.
        kernel_log: File that receives the kernels' stdout/stderr (None: inherit).
        **options: :class:`~capacity.runner.engines.EngineOptions` fields (``timeout``,
            ``start_timeout``, ``context``, ``kernel``, ``keep_notebooks``).

    Returns:
        One :class:`JobResult` per job, in order; never raises for a notebook error.

    """
    if kernel_log:
        os.environ["CAPACITY_KERNEL_LOG"] = kernel_log
    return engines.execute_jobs(engine, jobs, EngineOptions(**options))


def execute_job(job: Job, **options: Any) -> JobResult:
    """Run one notebook with papermill and render its page (``execute_jobs("papermill", [job])``).

    The benchmarks time single notebooks through it.
    """
    return execute_jobs("papermill", [job], **options)[0]
