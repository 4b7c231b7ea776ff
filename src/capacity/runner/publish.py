"""Where a run writes: its own folder, the lock, assets, its log, ``latest`` and pruning.

A run writes into a new ``reports/<run-id>/``; ``reports/latest`` (a relative symlink) is
replaced atomically only when the run completed without a failed job, so readers never
see half a run. A file lock keeps two runs from writing at once.

Whatever killed an earlier run (``kill -9``, a power cut) is tidied up by the next one as
soon as it holds the lock: a stray ``.latest.<pid>`` link is removed and a manifest still
saying ``running`` whose runner is gone is marked ``interrupted`` (:func:`tidy_reports`).
A reports folder that cannot be written is one clear error before any work
(:func:`check_writable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import logging.handlers
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator, Sequence
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


#: Free space a run needs in the reports folder before it starts (bytes).
MIN_FREE_BYTES = 50 * 2**20
#: The runner's log of one run rotates at this size, keeping ``LOG_BACKUPS`` old files.
LOG_MAX_BYTES = 20 * 2**20
LOG_BACKUPS = 3


class LockError(RunError):
    """Another run holds the reports folder's lock."""


class ReportsDirError(RunError):
    """The reports folder cannot be written (read-only, no permission, disk full)."""


def check_writable(reports_dir: Path, *, min_free: int = MIN_FREE_BYTES) -> None:
    """Fail at once, in one line, if a run could not write to ``reports_dir``.

    Raises:
        ReportsDirError: Naming the folder, what the system said and what to do.

    """
    hint = "give this user write access to it, or pass --reports DIR"
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=reports_dir, prefix=".write-test.")
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(reports_dir).free
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ReportsDirError(f"cannot write to the reports folder {reports_dir}: {reason}; {hint}") from None
    if free < min_free:
        raise ReportsDirError(
            f"the reports folder {reports_dir} has {free // 2**20} MB free, "
            f"a run needs at least {min_free // 2**20} MB: free some space, "
            "or pass --reports DIR"
        )


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

    check_writable(reports_dir)
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
        (reports_dir / ".lock.info").write_text(f"pid {os.getpid()} since {now_iso()}\n", encoding="utf-8")
        tidy_reports(reports_dir)
        yield
    finally:
        lock.release()


def tidy_reports(reports_dir: Path) -> None:
    """Clean up after runs that were killed; call only while holding the lock.

    Removes stray ``.latest.*`` links (a kill between creating the link and renaming it),
    marks every manifest that still says ``running`` but whose runner is gone as
    ``interrupted`` and removes that run's private cache folder.
    """
    try:
        for stray in reports_dir.glob(".latest.*"):
            if stray.is_symlink() or stray.is_file():
                stray.unlink(missing_ok=True)
                logger.info("removed %s, left by a run killed while publishing", stray.name)
        for run_dir in reports_dir.iterdir():
            if (
                run_dir.is_dir()
                and _RUN_ID.match(run_dir.name)
                and end_unfinished(run_dir, "interrupted", only_if_dead=True)
            ):
                shutil.rmtree(run_cache_dir(run_dir), ignore_errors=True)  # its shared results
    except OSError as exc:  # tidying up must not stop this run
        logger.warning("could not tidy up after an earlier run in %s: %s", reports_dir, exc)


#: Manifest statuses of a run that has not ended: executing, or writing its vintage and index.
UNFINISHED = ("running", "finishing")


def end_unfinished(run_dir: Path, status: str, *, only_if_dead: bool = False) -> bool:
    """Set ``status`` in ``<run>/manifest.json`` if it still says ``running`` or ``finishing``.

    Args:
        run_dir: The run folder.
        status: ``"interrupted"`` or ``"failed"``.
        only_if_dead: Leave it if the runner recorded in the manifest is still alive.

    Returns:
        Whether the manifest was changed.

    """
    path = run_dir / "manifest.json"
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)  # the status is near the top: skip big ones
            if b'"running"' not in head and b'"finishing"' not in head:
                return False
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("status") not in UNFINISHED:
        return False
    if only_if_dead and runner_alive(manifest):
        return False
    manifest.update(
        status=status,
        ended=manifest.get("ended") or now_iso(),
        note="the runner ended before the run finished (killed or stopped); the reports of this run are incomplete",
    )
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
    logger.info("marked run %s as %s", run_dir.name, status)
    return True


def runner_alive(manifest: dict) -> bool:
    """Tell whether the runner process a manifest names (``pid``, ``host``, ``started``) still runs."""
    import psutil

    pid = manifest.get("pid")
    if not isinstance(pid, int) or manifest.get("host") not in (None, socket.gethostname()):
        return False
    try:
        created = psutil.Process(pid).create_time()
        started = dt.datetime.fromisoformat(str(manifest.get("started"))).timestamp()
    except (psutil.Error, ValueError, TypeError):
        return False
    return created <= started + 1  # not a new process that reuses the pid


#: Most characters of ``.lock.info`` shown (it is written as ``pid N since TIME``).
HOLDER_CHARS = 120


def _read_holder(reports_dir: Path) -> str:
    """Return who holds the lock, from ``.lock.info``: one short printable line, whatever the file holds."""
    try:
        with (reports_dir / ".lock.info").open("rb") as fh:
            head = fh.read(HOLDER_CHARS * 4)
    except OSError:
        return "holder unknown"
    text = head.decode("utf-8", errors="replace").strip().splitlines()
    line = "".join(ch for ch in (text[0] if text else "") if ch.isprintable())[:HOLDER_CHARS]
    return line or "holder unknown"


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
    """Copy plotly.js, its Dutch locale and the reports' style sheets once into ``<run>/assets/``.

    Every report links to them by a relative path instead of inlining them: 342 municipal
    reports x (3.5 MB plotly.js + 0.25 MB of JupyterLab CSS + 2.5 kB of our own) would be well
    over a gigabyte.

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
    for vendored in sorted((project.templates_dir().parent / "assets").iterdir()):
        if vendored.suffix in (".js", ".css"):  # plotly's Dutch locale, the reports' style sheet
            shutil.copyfile(vendored, assets / vendored.name)
    return assets


def publish_latest(reports_dir: Path, run_dir: Path) -> Path:
    """Point ``reports/latest`` at ``run_dir`` atomically (a relative symlink swapped with os.replace).

    The temporary link is ``.latest.<pid>``: if the runner is killed between creating and
    renaming it, the next run removes it (:func:`tidy_reports`).
    """
    latest = reports_dir / "latest"
    tmp = reports_dir / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(run_dir.name, tmp)
    try:
        os.replace(tmp, latest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return latest


def run_cache_dir(run_dir: Path) -> Path:
    """Return the run's private cache folder, outside ``reports/`` (see :func:`private_cache`).

    ``<$XDG_CACHE_HOME or ~/.cache>/capacity/runs/<run-id>-<hash of the run folder's path>``:
    the same for every process of the run, different for two reports folders.
    """
    from capacity.data import cache

    digest = hashlib.sha256(str(Path(run_dir).resolve()).encode()).hexdigest()[:12]
    return cache.cache_root() / f"{Path(run_dir).name}-{digest}"


@contextmanager
def private_cache(run_dir: Path, *, keep: bool = False) -> Iterator[Path]:
    """Hold the run's private cache folder (mode 0700) and its signing key for the run.

    The shared results are pickles; they are signed with a fresh random key that only
    this process and its workers and kernels know (``$CAPACITY_CACHE_KEY``) and kept
    outside ``reports/``, so nobody who can write to the reports can run code in a kernel.
    The folder is removed afterwards unless ``keep``.
    """
    from capacity.data import cache

    previous = os.environ.get(cache.KEY_ENV)
    cache.new_key()
    path = cache.private_dir(run_cache_dir(run_dir).name)
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)
        if previous is None:
            os.environ.pop(cache.KEY_ENV, None)
        else:
            os.environ[cache.KEY_ENV] = previous


def is_whole_suite(chosen: Sequence, registry: Sequence) -> bool:
    """Tell whether the notebooks ``chosen`` for a run are the registry's whole scenario suite.

    Only such a run may move ``latest``: one or some of the suite's notebooks, or notebooks
    from elsewhere (``--notebooks path.ipynb``), publish to their run folder only. The
    per-municipality notebooks do not count (a run without ``--municipalities`` is whole).
    """

    def scenario_sources(notebooks: Sequence) -> set[Path]:
        return {Path(nb.source).resolve() for nb in notebooks if nb.per == "scenario"}

    suite = scenario_sources([nb for nb in registry if Path(nb.source).is_file()])
    return bool(suite) and scenario_sources(chosen) == suite


def latest_target(reports_dir: Path) -> str | None:
    """Return the run id ``reports/latest`` points at, or None."""
    latest = reports_dir / "latest"
    return os.readlink(latest) if latest.is_symlink() else None


def prune_runs(
    reports_dir: Path, *, keep: int, current: Path | None = None, keep_bytes: int | None = None
) -> list[Path]:
    """Delete the oldest run folders beyond ``keep`` or ``keep_bytes``; never ``latest``'s or the current run.

    ``keep`` (0: no limit) counts run folders; ``keep_bytes`` (None: no limit) keeps the
    newest runs whose folders fit together in that many bytes (the protected runs count
    first, and are kept even if they alone exceed it); every older run goes.

    Returns:
        The folders removed.

    """
    runs = sorted((p for p in reports_dir.iterdir() if p.is_dir() and _RUN_ID.match(p.name)), key=lambda p: p.name)
    protected = {latest_target(reports_dir), current.name if current else None}
    # A run whose vintage waits beside it to be merged into the store is kept until it is.
    protected |= {p.name for p in runs if (p / "vintage-pending.duckdb").is_file()}
    doomed = set(runs[:-keep] if 0 < keep < len(runs) else [])
    if keep_bytes is not None:
        used = sum(folder_size(p) for p in runs if p.name in protected)
        full = False
        for path in reversed(runs):  # newest first
            if path.name in protected or path in doomed:
                continue
            size = folder_size(path)
            full = full or used + size > keep_bytes
            if full:
                doomed.add(path)
            else:
                used += size
    removed = []
    for path in runs:
        if path not in doomed or path.name in protected:
            continue
        shutil.rmtree(path, ignore_errors=True)
        for log in (reports_dir / "logs").glob(f"{path.name}.*log*"):
            log.unlink()
        removed.append(path)
    return removed


def folder_size(path: Path) -> int:
    """Return the bytes of the files under ``path`` (links are not followed)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


@contextmanager
def run_log(reports_dir: Path, run_id: str) -> Iterator[Path]:
    """Log everything from ``capacity`` and ``papermill`` to ``reports/logs/<run-id>.log``.

    The file rotates at :data:`LOG_MAX_BYTES` (``<run-id>.log.1`` ... ``.log.3``), so even
    a runaway run cannot fill the disk; pruning a run removes its logs.
    """
    path = reports_dir / "logs" / f"{run_id}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
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
