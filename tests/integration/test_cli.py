"""The command line as a user runs it: exit codes, messages, two runs at once, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capacity.params import BASELINE_PATH
from capacity.runner.publish import latest_target, publish_latest

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "notebooks"
RUN_FAST = ["--no-cache", "--kernel", "spawn", "--no-progress", "--jobs", "1"]


def capacity(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "capacity", *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def start(*args: str) -> subprocess.Popen:
    """Start ``capacity`` as from a terminal: Ctrl-C (SIGINT) interrupts it.

    A test suite started in the background (``make test &``) ignores SIGINT, and Python
    keeps ignoring it in every child: the run would never see the test's Ctrl-C.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "capacity", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def test_validate_names_file_key_value_and_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta:\n  seed: -3\nshelter:\n  no_such_key: 1\n")
    out = capacity("validate", str(bad), str(BASELINE_PATH))
    assert out.returncode == 2  # invalid input
    assert str(bad) in out.stdout and "meta.seed" in out.stdout and "-3" in out.stdout
    assert "no_such_key" in out.stdout and "unknown key" in out.stdout
    assert f"ok     {BASELINE_PATH}" in out.stdout
    assert capacity("validate", str(BASELINE_PATH)).returncode == 0


def test_list_shows_scenarios_and_notebooks() -> None:
    out = capacity("list")
    assert out.returncode == 0
    assert "baseline" in out.stdout and "01_data" in out.stdout and "per municipality" in out.stdout


def test_invalid_input_exits_2_before_running(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("forecast:\n  horizon_monthz: 3\n")
    out = capacity("run", "--params", str(bad), "--reports", str(tmp_path / "r"), *RUN_FAST)
    assert out.returncode == 2
    assert "nothing ran" in out.stderr and "horizon_monthz" in out.stderr
    out = capacity(
        "run",
        "--notebooks",
        str(FIXTURES / "slow.ipynb"),
        "-p",
        "secondz=1",
        "--reports",
        str(tmp_path / "r"),
        *RUN_FAST,
    )
    assert out.returncode == 2 and "secondz = 1 is not declared" in out.stderr
    assert not list((tmp_path / "r").glob("2*"))


def test_failed_job_exits_1_and_names_the_error(tmp_path: Path) -> None:
    out = capacity(
        "run",
        "--notebooks",
        str(FIXTURES / "ok.ipynb"),
        str(FIXTURES / "broken.ipynb"),
        "--reports",
        str(tmp_path),
        *RUN_FAST[:-2],
        "--jobs",
        "2",
    )
    assert out.returncode == 1, out.stderr
    assert "deliberately broken fixture" in out.stdout and "latest not moved" in out.stdout
    assert latest_target(tmp_path) is None


def test_two_runs_at_once_second_fails_or_waits(tmp_path: Path) -> None:
    slow = str(FIXTURES / "slow.ipynb")
    first = start("run", "--notebooks", slow, "-p", "seconds=4", "--reports", str(tmp_path), *RUN_FAST)
    try:
        wait_for(lambda: (tmp_path / ".lock.info").exists())
        second = capacity("run", "--notebooks", slow, "-p", "seconds=0", "--reports", str(tmp_path), *RUN_FAST)
        assert second.returncode == 3
        assert "another run is writing" in second.stderr and "--wait" in second.stderr
        third = capacity(
            "run", "--notebooks", slow, "-p", "seconds=0", "--reports", str(tmp_path), "--wait", "60", *RUN_FAST
        )
        assert third.returncode == 0, third.stderr
        assert first.poll() == 0  # the third waited for the first to finish
    finally:
        first.kill()
        first.wait()
    runs = sorted(tmp_path.glob("2*"))
    # Both runs finished, but a run of notebooks outside the suite is partial: latest stays put.
    assert len(runs) == 2 and latest_target(tmp_path) is None


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def zygote_and_kernels(pid: int) -> list[int]:
    """Return the descendants running ``capacity.runner.fork`` (a forked kernel keeps its command line)."""
    found = []
    for child in descendants(pid):
        try:
            if b"capacity.runner.fork" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to follow child processes")
def test_interrupted_run_leaves_latest_alone_and_no_kernels(tmp_path: Path) -> None:
    previous = tmp_path / "20200101T000000Z"
    previous.mkdir()
    publish_latest(tmp_path, previous)
    proc = start(
        "run",
        "--notebooks",
        str(FIXTURES / "slow.ipynb"),
        "-p",
        "seconds=60",
        "--reports",
        str(tmp_path),
        "--no-cache",
        "--kernel",
        "fork",
        "--no-progress",
    )
    try:
        # papermill writes the executed notebook as soon as the first cell starts
        wait_for(lambda: any(tmp_path.glob("2*/baseline/slow.ipynb")))
        wait_for(lambda: len(zygote_and_kernels(proc.pid)) >= 2)
        spawned = descendants(proc.pid)  # workers, zygote, forked kernel
        assert spawned
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert os.readlink(tmp_path / "latest") == previous.name
    run_dir = next(p for p in tmp_path.glob("2*") if p != previous)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert "interrupted" in (run_dir / "index.html").read_text()
    wait_for(lambda: not any(alive(pid) for pid in spawned), timeout=10)  # kernels stopped too


def test_a_subset_of_the_suite_does_not_move_latest(tmp_path: Path, small_scenario) -> None:
    from capacity import runner

    # A real notebook, on a few-path scenario with quick models: the subset matters, not the numbers.
    reports = tmp_path / "reports"
    out = capacity(
        "run", "--params", str(small_scenario()), "--notebooks", "01", "--reports", str(reports), *RUN_FAST, timeout=400
    )
    assert out.returncode == 0, out.stderr
    assert "latest not moved: a partial run" in out.stdout
    assert latest_target(reports) is None and len(list(reports.glob("2*"))) == 1

    from capacity.cli import _registry_subset

    assert _registry_subset(["03"], runner.NOTEBOOKS)
    assert _registry_subset(["01_data", "02_arrivals_departures"], runner.NOTEBOOKS)
    every = [nb.name for nb in runner.NOTEBOOKS if nb.per == "scenario"]
    assert not _registry_subset(every, runner.NOTEBOOKS)
    assert not _registry_subset([str(FIXTURES / "ok.ipynb")], runner.NOTEBOOKS)  # an ad-hoc suite


def test_run_as_of_forecasts_from_the_data_of_that_day(tmp_path: Path, small_scenario) -> None:
    """``--as-of 2025-03-31``: the run sees March 2025's data only and counts its horizons from then.

    The data cut is the point, not the numbers: the baseline with few paths and quick models.
    """
    import pandas as pd

    scenario = small_scenario("as_of_cut")
    out = capacity(
        "run",
        "--params",
        str(scenario),
        "--as-of",
        "2025-03-31",
        "--notebooks",
        "02",
        "--reports",
        str(tmp_path / "reports"),
        "--no-publish",
        "--no-progress",
        "--jobs",
        "1",
        "--kernel",
        "spawn",
        timeout=900,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    (tables,) = list((tmp_path / "reports").glob("*/as_of_cut/tables"))
    forecast = pd.read_csv(tables / "population_forecast.csv", parse_dates=["date"])
    assert forecast["date"].min() == pd.Timestamp("2025-04-01")  # the month after the last count then
    head = pd.read_csv(tables / "headline.csv").set_index("key")
    assert head.loc["registered_last_count_month", "value"] == "2025-03"
    assert float(head.loc["registered_months_since_count", "value"]) == 0
    bad = capacity("run", "--as-of", "31-03-2025", "--dry-run")
    assert bad.returncode == 2 and "--as-of '31-03-2025': expected a date YYYY-MM-DD" in bad.stderr
