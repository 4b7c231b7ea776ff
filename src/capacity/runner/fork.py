"""Fork kernels from a preloaded interpreter: each notebook still gets its own fresh kernel.

Starting an IPython kernel and importing pandas, scipy, plotly and capacity costs about
3 s of CPU per notebook: for 342 short municipal reports that is most of the work. A
*zygote* process (one per worker) imports ipykernel and the heavy libraries once and then,
for every notebook, forks a child that becomes a brand-new kernel: its own process, its
own empty namespace, nothing shared with any other notebook but already-imported modules
(as gunicorn's ``--preload`` or Android's zygote do). papermill executes the notebook
exactly as with a spawned kernel; only the process start is cheaper.

Why (measured on the 2-core development machine, ``benchmarks/suite.py``, 28 Nov 2026):
a trivial notebook takes 0.6 s through papermill, almost all of it kernel start-up and
shutdown. The municipal report (05) took 2.1 s on one worker with spawned kernels
(kernel 0.6 s, cells 1.4 s, mostly importing pandas, scipy and capacity; export 0.1 s) and 1.3 s
with forked kernels (kernel 0.6 s, cells 0.6 s, export 0.1 s). For 342 reports on 2
workers: about 12 min one by one, 8.3 min as a spawned batch, 3.7-4.6 min as a forked
batch per scenario. ``make report-all`` (15 scenarios x 4 notebooks + 342 municipal
reports of the baseline: 402 reports) took 6.0 min. Reusing one kernel for several
notebooks would be faster still but is not papermill and lets one report's state leak
into the next; forking keeps one fresh process per notebook.

Protocol (stdin/stdout of the zygote, one JSON object per line): the worker sends
``{"argv", "env", "cwd", "log"}``, the zygote answers ``{"pid"}``.

Nothing outlives the runner, however it ends (also ``kill -9``): the zygote exits when its
stdin closes or its parent (the worker) changes (:func:`watch_parent`), and every forked
kernel asks Linux for SIGKILL when the zygote exits (:func:`die_with_parent`,
``PR_SET_PDEATHSIG``), besides ipykernel's own parent poller (``JPY_PARENT_PID`` = the zygote).
The runner's workers do the same with the runner (:mod:`capacity.runner.pool`).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

_PR_SET_PDEATHSIG = 1  # linux/prctl.h

#: Modules the zygote imports once, so that forked kernels start with them loaded.
PRELOAD: tuple[str, ...] = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython",
    "numpy",
    "pandas",
    "scipy.stats",
    "plotly.graph_objects",
    "plotly.io",
    "capacity.params",
    "capacity.data",
    "capacity.report",
    "capacity.pipeline",
    "capacity.shelter",
    "capacity.backlog",
    "capacity.forecast",
    "capacity.report.shelter",
    "capacity.report.forecast",
)


def die_with_parent(parent: int | None = None, signum: int = signal.SIGKILL) -> bool:
    """Have Linux send ``signum`` to this process when its parent ends; exit now if it already has.

    ``PR_SET_PDEATHSIG`` fires when the *thread* that started this process exits, so only
    call it in children started by a long-lived thread (the runner's or the zygote's main
    thread). Elsewhere (not Linux) it returns False: use :func:`watch_parent` as well.

    Args:
        parent: The parent's pid as the parent saw it before starting this process; if
            ``os.getppid()`` already differs, the parent died before the signal was armed.
        signum: The signal to receive (SIGKILL: nothing can catch or ignore it).

    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return armed


def watch_parent(parent: int, interval: float = 0.25) -> threading.Thread:
    """Start a daemon thread that ends this process (``os._exit``) once its parent is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    thread = threading.Thread(target=watch, name="capacity-parent-watch", daemon=True)
    thread.start()
    return thread


class ForkedProcess:
    """The Popen-like handle of a forked kernel (a child of the zygote, not of this process)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """Return None while the kernel runs, else an exit code (unknown codes read as 0)."""
        if self.returncode is not None:
            return self.returncode
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            self.returncode = 0
        except PermissionError:
            return None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Block until the kernel has exited."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.05)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        """Send a signal to the kernel."""
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def terminate(self) -> None:
        """SIGTERM the kernel."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the kernel."""
        self.send_signal(signal.SIGKILL)


class Zygote:
    """Client side: starts the zygote on first use (one per worker process) and asks it to fork."""

    _instance: Zygote | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        env = dict(os.environ)
        # One BLAS thread per kernel: the workers already use every core, and a forked
        # child must not inherit a running BLAS thread pool.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "capacity.runner.fork", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            bufsize=1,
        )
        ready = self.proc.stdout.readline()
        if not ready.startswith("{"):
            raise RuntimeError(f"kernel zygote failed to start (exit {self.proc.poll()})")

    @classmethod
    def get(cls) -> Zygote:
        """Return this process's zygote, starting it if needed (or again if it died)."""
        with cls._lock:
            if cls._instance is None or cls._instance.proc.poll() is not None:
                cls._instance = cls()
            return cls._instance

    def fork(self, argv: list[str], *, env: dict[str, str] | None, cwd: str | None, log: str | None) -> ForkedProcess:
        """Fork a new kernel running ``argv`` (``python -m ipykernel_launcher -f FILE ...``)."""
        with self._lock:
            self.proc.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": cwd, "log": log}) + "\n")
            self.proc.stdin.flush()
            reply = json.loads(self.proc.stdout.readline())
        return ForkedProcess(int(reply["pid"]))


def _preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module only costs time
            continue


def _child(request: dict[str, Any], zygote: int) -> None:
    """In the forked child: become a fresh kernel process; never returns."""
    code = 1
    try:
        os.setsid()  # own process group, like a spawned kernel: signals reach only this kernel
        die_with_parent(zygote)  # SIGKILL when the zygote exits, however it exits
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own subprocesses need waitpid
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        out = os.open(request.get("log") or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        env = dict(request.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getppid())  # die with the zygote (and so with the worker)
        os.environ.clear()
        os.environ.update(env)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        argv = list(request["argv"])
        # argv: [python, -m, ipykernel_launcher, -f, {connection_file}, ...extra]
        start = argv.index("ipykernel_launcher") + 1 if "ipykernel_launcher" in argv else 1
        # parent_handle's default was read from the environment when the zygote imported
        # ipykernel (no JPY_PARENT_PID then): pass it explicitly so the kernel's parent
        # poller ends the kernel when the zygote (and so the worker) goes away.
        sys.argv = ["ipykernel_launcher", *argv[start:], f"--IPKernelApp.parent_handle={os.getppid()}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - report and exit; never return into the zygote loop
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def main(worker: int | None = None) -> None:
    """Zygote loop: preload, then fork one kernel per request line until stdin closes.

    Args:
        worker: The pid of the worker that started the zygote: the zygote exits (and its
            kernels with it) as soon as that worker is gone, even if killed with SIGKILL.

    """
    if worker is not None:
        if os.getppid() != worker:
            os._exit(1)
        watch_parent(worker)
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # auto-reap finished kernels: no zombies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides about interruptions
    zygote = os.getpid()
    reply = sys.stdout
    reply.write("{}\n")
    reply.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request, zygote)
        reply.write(json.dumps({"pid": pid}) + "\n")
        reply.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
