"""Faults around a run: kill -9, a kill while publishing, SIGTERM in set-up, unwritable reports, the cache."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest
from fixture_notebooks import FAST, FIXTURES, OK

from capacity import cli, runner
from capacity.data import cache
from capacity.runner import Notebook
from capacity.runner import publish as publish_mod
from capacity.runner.publish import latest_target, publish_latest, run_cache_dir, run_lock

pytestmark = pytest.mark.integration

SLOW = str(FIXTURES / "slow.ipynb")


def wait_for(predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def survivors(procs: list[psutil.Process]) -> list[str]:
    """Return the processes of ``procs`` still running (a zombie has ended; pids are not reused: is_running checks the start time)."""
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            continue
    return alive


def kernels(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Return the kernel processes among ``procs`` (spawned: ipykernel_launcher; forked: children of a zygote)."""
    found = []
    for proc in procs:
        try:
            cmd = " ".join(proc.cmdline())
            forked = "capacity.runner.fork" in cmd and "capacity.runner.fork" in " ".join(proc.parent().cmdline())
        except (psutil.NoSuchProcess, AttributeError):
            continue
        if "ipykernel_launcher" in cmd or forked:
            found.append(proc)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
@pytest.mark.parametrize(("kernel", "executor"), [("fork", "process"), ("spawn", "process"), ("fork", "dask")])
def test_kill_9_of_the_runner_leaves_no_process_behind(tmp_path: Path, kernel: str, executor: str, monkeypatch) -> None:
    if executor == "dask":
        pytest.importorskip("distributed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # the runner inherits it
    reports = tmp_path / "reports"
    previous = reports / "20200101T000000Z"
    previous.mkdir(parents=True)
    publish_latest(reports, previous)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "capacity",
            "run",
            "--notebooks",
            SLOW,
            str(FIXTURES / "ok.ipynb"),
            "-p",
            "seconds=120",
            "--reports",
            str(reports),
            "--no-cache",
            "--kernel",
            kernel,
            "--executor",
            executor,
            "--no-progress",
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    runner_proc = psutil.Process(proc.pid)
    spawned: list[psutil.Process] = []
    try:
        wait_for(lambda: any(reports.glob("2*/baseline/slow.ipynb")), what="the slow notebook")
        wait_for(lambda: kernels(runner_proc.children(recursive=True)), what="a running kernel")
        spawned = runner_proc.children(recursive=True)  # workers, zygote, kernels, trackers
        assert len(spawned) >= 2, spawned
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # Within a few seconds nothing the runner started is left (no reaping by anyone).
        wait_for(lambda: not survivors(spawned), timeout=8, what=f"children to die: {survivors(spawned)}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for child in spawned:  # only if the test failed: do not leave them to the next test
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
    assert latest_target(reports) == previous.name
    assert not list(reports.glob(".latest.*"))
    run_dir = next(p for p in reports.glob("2*") if p != previous)
    manifest_path = run_dir / "manifest.json"
    assert json.loads(manifest_path.read_text())["pid"] == proc.pid
    assert run_cache_dir(run_dir).is_dir()  # nobody could remove it
    # The next run (as soon as it holds the lock) marks the killed run interrupted.
    with run_lock(reports):
        pass
    manifest = json.loads(manifest_path.read_text())
    assert manifest["status"] == "interrupted" and "killed" in manifest["note"]
    assert not run_cache_dir(run_dir).exists()


def test_a_kill_while_publishing_leaves_no_stray_link_once_the_next_run_starts(tmp_path: Path) -> None:
    previous = tmp_path / "20200101T000000Z"
    previous.mkdir()
    publish_latest(tmp_path, previous)
    os.symlink("20200202T000000Z", tmp_path / ".latest.4242")  # what a kill -9 mid-publish leaves
    running = tmp_path / "20200202T000000Z"
    running.mkdir()
    (running / "manifest.json").write_text(
        json.dumps({"status": "running", "pid": 2**22 + 7, "started": "2020-02-02T00:00:00+00:00"})
    )
    mine = tmp_path / "20200303T000000Z"
    mine.mkdir()
    (mine / "manifest.json").write_text(
        json.dumps(
            {"status": "running", "pid": os.getpid(), "host": os.uname().nodename, "started": publish_mod.now_iso()}
        )
    )
    with run_lock(tmp_path):
        assert not list(tmp_path.glob(".latest.*"))
    assert json.loads((running / "manifest.json").read_text())["status"] == "interrupted"
    assert json.loads((mine / "manifest.json").read_text())["status"] == "running"  # alive
    assert latest_target(tmp_path) == previous.name


def test_sigterm_during_set_up_does_not_leave_running(tmp_path: Path, monkeypatch) -> None:
    def interrupted_set_up(the_plan, run_dir, options, *, log_path=None):
        (run_dir / "manifest.json").write_text(json.dumps({"status": "running"}))
        raise KeyboardInterrupt  # what cli._sigterm raises

    monkeypatch.setattr(runner, "run_batch", interrupted_set_up)
    with pytest.raises(KeyboardInterrupt):
        runner.run(None, registry=[OK], reports_dir=tmp_path, **FAST)
    (run_dir,) = tmp_path.glob("2*")
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "interrupted"


def test_unwritable_reports_folder_is_one_line_and_exit_4(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "capacity",
            "run",
            "--notebooks",
            str(FIXTURES / "ok.ipynb"),
            "--reports",
            str(blocker / "reports"),
            "--no-cache",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == cli.EXIT_IO == 4
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    assert "cannot write to the reports folder" in out.stderr and str(blocker) in out.stderr


def _as_unprivileged_user() -> list[str]:
    """The command prefix that drops root to ``nobody`` (root writes to read-only folders); none otherwise."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root needs setpriv (util-linux) to check a read-only folder as a user"
    return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


def test_read_only_reports_folder_is_one_line_and_exit_4() -> None:
    """A real read-only folder, as a user sees it: as root the run drops to ``nobody`` (setpriv).

    Everything the unprivileged run touches lives in a world-readable copy in /tmp (pytest's
    own tmp folders are private to root).
    """
    base = Path(tempfile.mkdtemp(prefix="capacity-read-only-"))
    try:
        base.chmod(0o755)
        notebook = base / "ok.ipynb"
        shutil.copyfile(FIXTURES / "ok.ipynb", notebook)
        notebook.chmod(0o644)
        home, reports = base / "home", base / "reports"
        home.mkdir()
        reports.mkdir()
        if os.geteuid() == 0:
            os.chown(home, 65534, 65534)
            os.chown(reports, 65534, 65534)
        reports.chmod(0o555)
        src = str(Path(cli.__file__).resolve().parents[1])
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / "cache"),
            "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p),
        }
        env.pop(cache.KEY_ENV, None)
        out = subprocess.run(
            [
                *_as_unprivileged_user(),
                sys.executable,
                "-m",
                "capacity",
                "run",
                "--notebooks",
                str(notebook),
                "--reports",
                str(reports),
                "--no-cache",
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=base,
            env=env,
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert out.returncode == cli.EXIT_IO == 4, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and "Permission denied" in out.stderr, out.stderr


def test_read_only_reports_folder_as_root_too(tmp_path: Path, monkeypatch, capsys) -> None:
    def refused(*args, **kwargs):
        raise PermissionError(30, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(publish_mod.tempfile, "mkstemp", refused)
    code = cli.main(
        ["run", "--notebooks", str(FIXTURES / "ok.ipynb"), "--reports", str(tmp_path), "--no-cache", "--no-progress"]
    )
    err = capsys.readouterr().err
    assert code == cli.EXIT_IO and err.count("\n") == 1, err
    assert f"cannot write to the reports folder {tmp_path}: Read-only file system" in err
    assert not list(tmp_path.glob("2*"))  # before any work


def test_one_notebook_by_path_does_not_move_latest(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "capacity",
            "run",
            "--notebooks",
            str(FIXTURES / "ok.ipynb"),
            "--reports",
            str(tmp_path),
            "--no-cache",
            "--no-progress",
            "--kernel",
            "spawn",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    assert "latest not moved: a partial run" in out.stdout
    assert latest_target(tmp_path) is None and len(list(tmp_path.glob("2*"))) == 1


def test_a_tampered_or_unsigned_cache_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(cache.KEY_ENV, "x")  # restored afterwards
    monkeypatch.delenv(cache.KEY_ENV)
    path = cache.save_pickle({"a": [1, 2]}, tmp_path / "results.pkl")  # makes a process key
    assert cache.load_pickle(path) == {"a": [1, 2]}
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 1
    path.write_bytes(bytes(blob))
    with pytest.raises(cache.CacheError, match="signature does not match"):
        cache.load_pickle(path)
    import pickle

    path.write_bytes(pickle.dumps({"a": 1}))  # a plain pickle someone dropped in
    with pytest.raises(cache.CacheError, match="not a signed capacity cache file"):
        cache.load_pickle(path)
    good = cache.save_pickle([1], tmp_path / "other.pkl")
    monkeypatch.setenv(cache.KEY_ENV, "00" * 32)  # another run's key
    with pytest.raises(cache.CacheError, match="signature does not match"):
        cache.load_pickle(good)
    monkeypatch.delenv(cache.KEY_ENV)
    with pytest.raises(cache.CacheError, match="no cache key"):
        cache.load_pickle(good)


def test_shared_results_stay_out_of_reports_and_are_removed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(cache.KEY_ENV, "ab" * 32)  # not the run's: the run makes its own
    scenario = tmp_path / "small.yaml"
    scenario.write_text(
        "meta:\n  name: small\nforecast:\n  n_paths: 20\n  models: [naive, mean, drift]\n  ensemble_top_k: 2\n"
    )
    notebook = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "params_path = None\noutput_dir = '.'\ncache_path = None", metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            "import os, stat\nfrom capacity import data\n"
            "res = data.load_pickle(cache_path)\n"
            "assert 'reports' not in cache_path, cache_path\n"
            "mode = stat.S_IMODE(os.stat(os.path.dirname(os.path.dirname(cache_path))).st_mode)\n"
            "assert mode == 0o700, oct(mode)\nprint(type(res).__name__)"
        ),
    ]
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"c{i}"
    nbformat.write(notebook, tmp_path / "loads.ipynb")
    result = runner.run(
        [scenario],
        registry=[Notebook("loads", path=tmp_path / "loads.ipynb")],
        reports_dir=tmp_path / "reports",
        jobs=1,
        progress=False,
        kernel="fork",
    )
    assert result.ok, [r.error for r in result.failed]
    assert "ScenarioResults" in (result.run_dir / "small" / "loads.ipynb").read_text()
    assert not list(result.run_dir.rglob("*.pkl"))
    assert not run_cache_dir(result.run_dir).exists()
    assert os.environ[cache.KEY_ENV] == "ab" * 32  # the run's key is gone with the run


def test_scheduled_log_rotates(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "deploy").mkdir(parents=True)
    script = project / "deploy" / "run-scheduled.sh"
    script.write_bytes((Path(__file__).resolve().parents[2] / "deploy" / "run-scheduled.sh").read_bytes())
    fake = project / ".venv" / "bin" / "capacity"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\necho "fake capacity $*"\nexit 1\n')
    fake.chmod(0o755)
    logs = project / "reports" / "logs"
    logs.mkdir(parents=True)
    (logs / "scheduled.log").write_text("x" * 2000)
    env = {**os.environ, "CAPACITY_LOG_MAX_BYTES": "1000", "CAPACITY_LOG_KEEP": "2"}
    for _ in range(3):
        out = subprocess.run(["sh", str(script)], env=env, capture_output=True, timeout=30)
        assert out.returncode == 1
        (logs / "scheduled.log").write_text((logs / "scheduled.log").read_text() + "y" * 2000)
    assert sorted(p.name for p in logs.iterdir()) == ["scheduled.log", "scheduled.log.1", "scheduled.log.2"]
    assert "ended with exit code 1" in (logs / "scheduled.log.1").read_text()


def test_runner_log_rotates(tmp_path: Path, monkeypatch) -> None:
    import logging

    monkeypatch.setattr(publish_mod, "LOG_MAX_BYTES", 2000)
    with publish_mod.run_log(tmp_path, "20200101T000000Z") as path:
        for i in range(200):
            logging.getLogger("capacity.test").info("line %d of a long run", i)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == [f"20200101T000000Z.log{s}" for s in ("", ".1", ".2", ".3")]
    assert all(p.stat().st_size <= 2100 for p in path.parent.iterdir())


def test_a_full_reports_folder_is_refused_before_any_work(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(
        publish_mod.shutil, "disk_usage", lambda path: SimpleNamespace(total=2**30, used=2**30, free=3 * 2**20)
    )
    with pytest.raises(publish_mod.ReportsDirError, match=r"has 3 MB free, a run needs at least 50 MB"):
        runner.run(None, registry=[OK], reports_dir=tmp_path, **FAST)
    assert not list(tmp_path.glob("2*"))


@pytest.mark.parametrize(
    ("error", "code", "text"),
    [
        (
            cli.DataError("data/x.csv, row 3, column value: 'abc' is not a number"),
            2,
            "error: data/x.csv, row 3, column value: 'abc' is not a number",
        ),
        (
            OSError(28, "No space left on device", "/reports/run/index.html"),
            4,
            "error: /reports/run/index.html No space left on device",
        ),
    ],
)
def test_cli_turns_input_and_disk_errors_into_one_line(monkeypatch, capsys, error, code, text) -> None:
    def fails(args):
        raise error

    monkeypatch.setattr(cli, "cmd_list", fails)
    assert cli.main(["list"]) == code
    err = capsys.readouterr().err
    assert err == text + "\n"


def test_private_cache_is_0700_outside_reports_and_kept_only_when_asked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    run_dir = tmp_path / "reports" / "20200101T000000Z"
    with publish_mod.private_cache(run_dir) as folder:
        assert folder == run_cache_dir(run_dir) and not folder.is_relative_to(run_dir.parent)
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
        key = os.environ[cache.KEY_ENV]
    assert not folder.exists()
    with publish_mod.private_cache(run_dir, keep=True) as kept:
        cache.save_pickle([1], kept / "baseline" / "results.pkl")
        assert os.environ[cache.KEY_ENV] != key  # a fresh key per run
    assert (kept / "baseline" / "results.pkl").is_file()
