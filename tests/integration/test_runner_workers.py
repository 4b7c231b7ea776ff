"""A worker process that dies (crash, out of memory) does not take the batch down."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_notebooks import FAST, FIXTURES, OK

from capacity import runner
from capacity.runner import Notebook

pytestmark = pytest.mark.integration


def test_a_dead_worker_does_not_take_the_batch_down(tmp_path: Path) -> None:
    killer = Notebook("kills_worker", path=FIXTURES / "kills_worker.ipynb")
    result = runner.run(None, registry=[killer, OK], reports_dir=tmp_path, **{**FAST, "jobs": 1})
    assert result.results["baseline/ok"].status == "ok"
    dead = result.results["baseline/kills_worker"]
    assert dead.status == "failed" and "BrokenProcessPool" in dead.error
    assert result.status == "failed"


def _ignore_sigterm_and_sleep(pid_file: str) -> None:
    import os
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    Path(pid_file).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(120)


def test_an_interrupted_pool_kills_a_worker_that_ignores_sigterm(tmp_path: Path) -> None:
    """Ctrl-C stops the workers at once: one that does not stop on SIGTERM is killed."""
    import time

    from capacity.runner.pool import ProcessExecutor

    pool = ProcessExecutor(1)
    pid_file = tmp_path / "worker.pid"
    pool.submit(_ignore_sigterm_and_sleep, str(pid_file))
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    pid = int(pid_file.read_text(encoding="utf-8"))
    started = time.monotonic()
    pool.close(cancel=True)
    assert time.monotonic() - started < 15
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
