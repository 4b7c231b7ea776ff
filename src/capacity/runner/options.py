"""How a run executes (:class:`RunOptions`) and what became of it (:class:`RunResult`)."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from capacity.errors import RunError
from capacity.runner.kernels import KERNEL_MANAGERS
from capacity.runner.outcome import JobResult
from capacity.runner.publish import REPORTS_DIR

logger = logging.getLogger(__name__)

#: Most municipal reports per kernel when the runner chooses (a chunk of 342 would leave one
#: worker idle at a scenario's end; 60 gives 6 chunks a scenario, about 15 s each).
MAX_CHUNK = 60


@dataclass(frozen=True)
class RunOptions:
    """How to run the jobs of a plan; what to run is the :class:`~capacity.runner.plan.Plan`.

    Attributes:
        jobs: Parallel jobs (None: number of cores).
        reports_dir: Output root; the run goes to ``<reports_dir>/<run-id>/``.
        keep: Run folders to keep (older ones are pruned; 0 keeps all).
        keep_size: Most bytes the kept run folders may take together (the newest that fit
            are kept, never the current run or ``latest``'s; None: no limit). A text such as
            ``"2GB"`` or ``"500MB"`` is read by :func:`parse_size`.
        wait: Seconds to wait for another run's lock.
        timeout: Per-cell time limit (s); None: no limit.
        start_timeout: Kernel start-up limit (s).
        executor: ``"process"`` (local worker processes) or ``"dask"``.
        scheduler: Address of a Dask scheduler (implies ``executor="dask"``, and
            ``prepare=False``: the shared results live in a folder private to this machine,
            signed with a key only this process's children know).
        kernel: ``"fork"`` (each notebook's fresh kernel is forked from a preloaded
            interpreter, about 3 s less CPU per notebook) or ``"spawn"`` (a new interpreter
            per notebook, as papermill does by default).
        progress: Show a progress bar and one status line per job on stderr.
        publish: Move ``latest`` to this run if every job succeeded.
        prepare: Compute each scenario's results once before its notebooks
            (``prepare_scenario``); False passes ``cache_path=None``.
        keep_cache: Keep the run's private shared-results folder after the run
            (``~/.cache/capacity/runs/<run-id>-<hash>``, see
            :func:`~capacity.runner.publish.run_cache_dir`; about 15 MB per scenario; deleted
            by default). Its files are signed with the run's own key: for inspection only,
            no later run or notebook loads them.
        municipal_chunk: Municipal reports rendered per kernel: a scenario's municipalities
            go in chunks of this many to one kept kernel each (the cells tagged ``shared``
            run once per chunk); 0 chooses (enough chunks to keep every worker busy, at
            most :data:`MAX_CHUNK` each); 1 runs papermill once per report (the former design).
        keep_notebooks: Also write each municipal report's executed ``.ipynb`` (chunked
            reports write none by default; the national notebooks always keep theirs).
        force: Run even when the inputs (data, parameters, code, notebooks, jobs) equal
            those of the run ``latest`` points at; by default such a run ends at once with
            status ``unchanged`` (:mod:`~capacity.runner.unchanged`).

    """

    jobs: int | None = None
    reports_dir: Path | str = REPORTS_DIR
    keep: int = 12
    wait: float = 0
    timeout: float | None = 900
    start_timeout: float = 60
    executor: str = "process"
    scheduler: str | None = None
    kernel: str = "fork"
    progress: bool = True
    publish: bool = True
    prepare: bool = True
    keep_cache: bool = False
    municipal_chunk: int = 0
    keep_notebooks: bool = False
    keep_size: int | str | None = None
    force: bool = False

    def __post_init__(self) -> None:
        """Check the kernel start method (the executor is checked when the pool starts).

        A remote ``scheduler`` turns ``prepare`` off (with a note in the log): its workers
        can neither read this machine's private cache folder nor check its signatures.
        """
        self._check_numbers()
        if self.scheduler and self.prepare:
            logger.info(
                "--scheduler %s: no shared results (--no-cache): the cache folder and "
                "its signing key stay on this machine; each notebook computes its own",
                self.scheduler,
            )
            object.__setattr__(self, "prepare", False)
        if isinstance(self.keep_size, str):
            object.__setattr__(self, "keep_size", parse_size(self.keep_size))
        if self.keep_size is not None and (not isinstance(self.keep_size, int) or self.keep_size <= 0):
            raise RunError(f"keep_size = {self.keep_size!r}: expected a size above zero such as 2GB")
        if self.kernel not in KERNEL_MANAGERS:
            raise RunError(f"kernel = {self.kernel!r}: expected 'fork' or 'spawn'")
        if not isinstance(self.municipal_chunk, int) or self.municipal_chunk < 0:
            raise RunError(
                f"municipal_chunk = {self.municipal_chunk!r}: expected a whole number "
                "of reports per kernel, 0 (choose) or more"
            )

    def _check_numbers(self) -> None:
        """Refuse a wait, time limit, job count or keep count that is negative, NaN or infinite.

        ``--wait -1`` waited forever (the lock library's "no limit") and ``--timeout nan``
        failed every notebook after the run had started.
        """

        def bad(value: Any, *, zero_ok: bool) -> bool:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return True
            return isinstance(value, bool) or not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok)

        checks = [
            ("wait", self.wait, True, "seconds to wait, 0 or more"),
            ("start_timeout", self.start_timeout, False, "seconds above 0"),
            ("keep", self.keep, True, "a number of run folders, 0 (all) or more"),
        ]
        if self.timeout is not None:
            checks.append(("timeout", self.timeout, False, "seconds above 0 (0 on the command line: no limit)"))
        if self.jobs is not None:
            checks.append(("jobs", self.jobs, False, "a number of parallel jobs, 1 or more"))
        for name, value, zero_ok, expected in checks:
            if bad(value, zero_ok=zero_ok) or (name in ("jobs", "keep") and value != int(value)):
                raise RunError(f"--{name.replace('_', '-')} {value!r}: expected {expected}")
        if self.wait > 366 * 86400:
            raise RunError(f"--wait {self.wait!r}: expected at most a year of seconds")

    def chunk_size(self, n_jobs: int, workers: int) -> int:
        """Return how many of a scenario's ``n_jobs`` municipal reports share one kernel."""
        if self.municipal_chunk:
            return self.municipal_chunk
        return max(1, min(MAX_CHUNK, -(-n_jobs // max(workers, 1))))

    @classmethod
    def merged(cls, options: RunOptions | None, settings: dict[str, Any]) -> RunOptions:
        """Return ``options`` (default: all defaults) with ``settings`` (field → value) applied.

        Raises:
            TypeError: Naming a setting that is not a field.

        """
        unknown = sorted(set(settings) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"unknown run option(s) {', '.join(unknown)}; expected fields of RunOptions")
        return replace(options or cls(), **settings)

    def workers(self, n_jobs: int) -> int:
        """Return the pool size for ``n_jobs`` jobs: ``jobs`` (or the cores), at most ``n_jobs``."""
        return max(1, min(self.jobs or os.cpu_count() or 1, n_jobs))

    def executor_record(self, workers: int) -> dict[str, Any]:
        """Return the manifest's ``executor`` entry."""
        kind = "dask" if self.scheduler or self.executor == "dask" else "process"
        return {
            "kind": kind,
            "workers": workers,
            "scheduler": self.scheduler,
            "kernel": self.kernel,
            "timeout_s": self.timeout,
        }


_UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}


def parse_size(text: str) -> int:
    """Return the bytes of a size such as ``2GB``, ``500 MB``, ``1.5GiB`` or ``123456``.

    Raises:
        RunError: Naming the text and the units expected.

    """
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = match.group(2).upper() if match else ""
    if not match or unit not in _UNITS or float(match.group(1)) <= 0:
        raise RunError(
            f"keep size {text!r}: expected a number above zero with a unit "
            "B, KB, MB, GB or TB (or KiB, MiB, GiB, TiB), e.g. 2GB"
        )
    return int(float(match.group(1)) * _UNITS[unit])


@dataclass
class RunResult:
    """Outcome of :func:`capacity.runner.run`.

    Attributes:
        run_dir: ``reports/<run-id>/``.
        status: ``"ok"``, ``"failed"`` (some job failed), ``"interrupted"``, or ``"unchanged"``
            (the inputs equal ``latest``'s: nothing ran; ``run_dir`` is ``latest``'s run).
        results: Job key → :class:`JobResult` (also ``<scenario>/prepare`` steps).
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
        """True when every job succeeded (or nothing needed to run)."""
        return self.status in ("ok", "unchanged")

    @property
    def failed(self) -> list[JobResult]:
        """The jobs that did not succeed."""
        return [r for r in self.results.values() if r.status != "ok"]
