"""What became of a job: the :class:`JobResult` record and the one classifier of failures.

Both engines (:mod:`capacity.runner.engines`) hand every exception a notebook run raised to
:func:`classify`, so the same failure reads the same on the index page whichever engine ran
the notebook: a raising cell is ``failed`` with its execution count, a cell past the time
limit ``timeout``, a lost kernel ``died``.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Outcome:
    """How a notebook run ended.

    Attributes:
        status: ``"ok"``, ``"failed"``, ``"timeout"`` or ``"died"``.
        error: The message for the index page and the report's banner (None when ok).
        kernel_lost: The kernel is dead or busy: a chunk goes on in a new one.

    """

    status: str = "ok"
    error: str | None = None
    kernel_lost: bool = False

    @property
    def ok(self) -> bool:
        """Whether the notebook ran to its end."""
        return self.status == "ok"


#: A notebook that ran to its end.
OK = Outcome()


def classify(exc: BaseException, *, timeout: float | None, cell: int | None = None) -> Outcome:
    """Return the outcome of a notebook run that raised ``exc``.

    Args:
        exc: What papermill or nbclient raised.
        timeout: The per-cell limit in force (s), named in a timeout's message.
        cell: Execution count of the cell that raised, where the exception does not carry it
            (nbclient's ``CellExecutionError``); papermill's error carries its own.

    Returns:
        The :class:`Outcome`; an exception of another kind is a ``failed`` run with its type
        and message.

    """
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return Outcome("failed", f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})")
    if isinstance(exc, CellTimeoutError):  # before CellExecutionError, its base class
        limit = f"{timeout:g} s" if timeout else "no limit"
        return Outcome(
            "timeout",
            f"a cell ran longer than the per-cell timeout of {limit} and was "
            f"stopped (raise it with --timeout): {str(exc).strip().splitlines()[0]}",
            kernel_lost=True,
        )
    if isinstance(exc, DeadKernelError):
        return Outcome(
            "died", f"the kernel died while running a cell (out of memory or a crash?): {exc}", kernel_lost=True
        )
    if isinstance(exc, CellExecutionError):
        where = f" (cell {cell})" if cell is not None else ""
        return Outcome("failed", f"{exc.ename}: {exc.evalue}{where}")
    return Outcome("failed", f"{type(exc).__name__}: {exc}")
