"""Where a run writes: its own folder, the lock, assets, its log, ``latest`` and pruning.

A run writes into a new ``reports/<run-id>/``; ``reports/latest`` (a relative symlink) is
replaced atomically only when the run completed without a failed job, so readers never
see half a run. A file lock keeps two runs from writing at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from capacity import project
from capacity.errors import RunError

logger = logging.getLogger(__name__)

_RUN_ID = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")


def __getattr__(name: str) -> Path:
    """``REPORTS_DIR``, the default output folder: ``<project>/reports`` (else ``./reports``), read when asked."""
    if name == "REPORTS_DIR":
        return project.reports_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LockError(RunError):
    """Another run holds the reports folder's lock."""


@contextmanager
def run_lock(reports_dir: Path, *, wait: float = 0) -> Iterator[None]:
    """Hold ``reports/.lock`` for the duration of a run.

    Args:
        reports_dir: The reports folder.
        wait: Seconds to wait for another run to finish (0: fail at once).

    Raises:
        LockError: If another run holds the lock after ``wait`` seconds.

    """
    from filelock import FileLock, Timeout

    reports_dir.mkdir(parents=True, exist_ok=True)
    lock_path = reports_dir / ".lock"
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        holder = _read_holder(reports_dir)
        raise LockError(
            f"another run is writing to {reports_dir} ({holder}); waited {wait:g} s. "
            "Wait for it to finish, or pass --wait SECONDS to queue behind it."
        ) from None
    try:
        (reports_dir / ".lock.info").write_text(
            f"pid {os.getpid()} since {now_iso()}\n", encoding="utf-8")
        yield
    finally:
        lock.release()


def _read_holder(reports_dir: Path) -> str:
    try:
        return (reports_dir / ".lock.info").read_text(encoding="utf-8").strip()
    except OSError:
        return "holder unknown"


def now_iso() -> str:
    """Return the current UTC time, ISO 8601, seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_run_dir(reports_dir: Path) -> Path:
    """Create and return ``reports/<run-id>/`` (run id: UTC time, e.g. ``20260301T020000Z``)."""
    base = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_id, n = base, 1
    while (reports_dir / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    path = reports_dir / run_id
    path.mkdir(parents=True)
    return path


def copy_assets(run_dir: Path) -> Path:
    """Copy plotly.js, its Dutch locale and the report style sheets once into ``<run>/assets/``.

    Every report links to them by a relative path instead of inlining them: 342 municipal
    reports x (3.5 MB plotly.js + 0.25 MB of JupyterLab CSS) would be well over a gigabyte.

    Returns:
        The assets folder.

    """
    import plotly
    from jupyter_core.paths import jupyter_path

    assets = run_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not source.is_file():
        raise RunError(f"plotly.min.js not found at {source}: reinstall plotly")
    shutil.copyfile(source, assets / "plotly.min.js")
    statics = [Path(p) for p in jupyter_path("nbconvert", "templates", "lab", "static")]
    for name in ("index.css", "theme-light.css"):
        found = next((d / name for d in statics if (d / name).is_file()), None)
        if found is None:
            raise RunError(f"nbconvert's lab template ({name}) not found: reinstall nbconvert")
        shutil.copyfile(found, assets / f"lab-{name}")
    for vendored in (project.templates_dir().parent / "assets").glob("*.js"):
        shutil.copyfile(vendored, assets / vendored.name)  # e.g. plotly's Dutch locale
    return assets


def publish_latest(reports_dir: Path, run_dir: Path) -> Path:
    """Point ``reports/latest`` at ``run_dir`` atomically (a relative symlink swapped with os.replace)."""
    latest = reports_dir / "latest"
    tmp = reports_dir / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(run_dir.name, tmp)
    os.replace(tmp, latest)
    return latest


def latest_target(reports_dir: Path) -> str | None:
    """Return the run id ``reports/latest`` points at, or None."""
    latest = reports_dir / "latest"
    return os.readlink(latest) if latest.is_symlink() else None


def prune_runs(reports_dir: Path, *, keep: int, current: Path | None = None) -> list[Path]:
    """Delete the oldest run folders beyond ``keep``; never ``latest``'s target or the current run.

    Returns:
        The folders removed.

    """
    if keep <= 0:
        return []
    runs = sorted((p for p in reports_dir.iterdir() if p.is_dir() and _RUN_ID.match(p.name)),
                  key=lambda p: p.name)
    protected = {latest_target(reports_dir), current.name if current else None}
    removed = []
    for path in runs[:-keep] if len(runs) > keep else []:
        if path.name in protected:
            continue
        shutil.rmtree(path, ignore_errors=True)
        for log in (reports_dir / "logs").glob(f"{path.name}.*log"):
            log.unlink()
        removed.append(path)
    return removed


@contextmanager
def run_log(reports_dir: Path, run_id: str) -> Iterator[Path]:
    """Log everything from ``capacity`` and ``papermill`` to ``reports/logs/<run-id>.log``."""
    path = reports_dir / "logs" / f"{run_id}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger("capacity"), logging.getLogger("papermill")]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        if lg.level == logging.NOTSET or lg.level > logging.INFO:
            lg.setLevel(logging.INFO)
    try:
        yield path
    finally:
        for lg, level in zip(loggers, old, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
        handler.close()
