"""Where jobs run: local worker processes (default) or Dask (local cluster or a scheduler).

Both executors expose the same three calls (``submit``, ``wait_first``, ``close``), so the
runner's loop does not care where a notebook executes. Notebooks are unchanged either way;
with a remote scheduler the workers must see the same file system paths (shared disk).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from capacity.errors import RunError
from capacity.project import ENV_VAR, project_root

logger = logging.getLogger(__name__)


def _init_worker(runner: int, root: str | None = None) -> None:
    """Start a worker: ignore Ctrl-C (the runner decides) and never outlive the runner.

    ``root`` (the runner's project folder) becomes ``$CAPACITY_PROJECT`` of the worker and so
    of its kernels, whatever their working directory.

    ``kill -9`` of the runner gives it no chance to stop its workers: Linux sends each one
    SIGKILL instead (``PR_SET_PDEATHSIG``; the pool starts workers from the runner's main
    thread), and a watchdog thread covers other systems. A worker's zygote and kernels
    follow it (see :mod:`capacity.runner.fork`).
    """
    from capacity.runner.fork import die_with_parent, watch_parent

    # Ctrl-C goes to the whole process group: let the parent decide, not every worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if root:
        os.environ[ENV_VAR] = root
    die_with_parent(runner)
    watch_parent(runner)


class ProcessExecutor:
    """A pool of worker processes (spawned, single-threaded: papermill's cwd handling is not thread-safe)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(), str(project_root())),
        )

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` in a worker; replace the pool if a worker died."""
        try:
            return self._pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            logger.warning("a worker process died: starting a fresh pool")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(fn, *args, **kwargs)

    def wait_first(self, pending: Iterable[Any], timeout: float | None = None) -> tuple[set, set]:
        """Block until a future is done or ``timeout`` passed; return (done, not done)."""
        done, rest = cf.wait(set(pending), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return set(done), set(rest)

    def close(self, *, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel``, stop running workers at once (their kernels follow)."""
        if cancel:
            processes = list(getattr(self._pool, "_processes", {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for proc in processes:
                # SIGTERM: ipykernel's parent poller shuts each worker's kernel down with it.
                try:
                    proc.terminate()
                except (OSError, AttributeError):
                    pass
            for proc in processes:
                proc.join(timeout=5)
                if proc.is_alive():  # busy where SIGTERM waits (a kernel start, say): no waiting on it
                    logger.warning("worker %s did not stop on SIGTERM: killing it", proc.pid)
                    proc.kill()
                    proc.join(timeout=5)
        else:
            self._pool.shutdown(wait=True)


class DaskExecutor:
    """Jobs on Dask distributed: a LocalCluster, or the scheduler at ``address``."""

    def __init__(self, workers: int, address: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RunError("--executor dask needs the 'distributed' package") from exc
        self._cluster = None
        if address:
            self.client = Client(address, timeout="30s")
        else:
            # One thread per worker process: each job starts its own kernel process.
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self._cluster)
        self.workers = len(self.client.scheduler_info().get("workers", {})) or workers

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on a Dask worker (never cached: pure=False)."""
        return self.client.submit(fn, *args, pure=False, **kwargs)

    def wait_first(self, pending: Iterable[Any], timeout: float | None = None) -> tuple[set, set]:
        """Block until a future is done or ``timeout`` passed; return (done, not done)."""
        from distributed import wait

        futures = list(pending)
        try:
            done, rest = wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set(), set(futures)
        return set(done), set(rest)

    def close(self, *, cancel: bool = False) -> None:
        """Close the client (and the local cluster, if we started it)."""
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def make_executor(kind: str, workers: int | None, scheduler: str | None = None) -> Any:
    """Return a ``ProcessExecutor`` or ``DaskExecutor``.

    Args:
        kind: ``"process"`` or ``"dask"`` (a ``scheduler`` address implies dask).
        workers: Parallel jobs; None: the number of cores.
        scheduler: ``tcp://host:8786`` of a running Dask scheduler.

    """
    workers = workers or os.cpu_count() or 1
    if scheduler or kind == "dask":
        return DaskExecutor(workers, scheduler)
    if kind != "process":
        raise RunError(f"--executor {kind!r}: expected 'process' or 'dask'")
    return ProcessExecutor(workers)
