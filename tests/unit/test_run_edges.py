"""Edges of a run: options refused before anything runs, the lock holder shown short, same bytes and layout."""

from __future__ import annotations

import gzip
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import cli
from capacity.data.tables import save_table
from capacity.errors import RunError
from capacity.runner.options import RunOptions
from capacity.runner.publish import _read_holder

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "option",
    [
        ["--wait", "-1"],
        ["--wait", "inf"],
        ["--timeout", "nan"],
        ["--timeout", "-5"],
        ["--start-timeout", "0"],
        ["--jobs", "0"],
        ["--keep", "-1"],
    ],
)
def test_a_bad_option_is_refused_before_anything_runs_also_in_a_dry_run(capsys, option: list[str]) -> None:
    assert cli.main(["run", "--dry-run", *option]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert option[0] in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("setting", [{"wait": -1}, {"timeout": float("nan")}, {"timeout": -5.0}, {"jobs": 0}])
def test_run_options_refuse_negative_nan_and_zero(setting: dict) -> None:
    with pytest.raises(RunError):
        RunOptions(**setting)


def test_a_huge_lock_info_is_shown_as_one_short_line(tmp_path: Path) -> None:
    (tmp_path / ".lock.info").write_bytes(b"pid 1 since now" + b"\x1b[2J" + b"x" * 2_000_000)
    holder = _read_holder(tmp_path)
    assert len(holder) <= 120 and "\x1b" not in holder and holder.startswith("pid 1 since now")


def test_csv_gz_and_xlsx_downloads_are_the_same_bytes_at_another_time(tmp_path: Path, monkeypatch) -> None:
    from capacity.runner.gather import MUNICIPAL_CSV, gather_municipal_tables

    frame = pd.DataFrame({"code": ["GM0001"], "date": ["2026-01-01"], "value": [1.5]})
    outputs = []
    for n, clock in enumerate((1_000_000_000.0, 1_700_000_000.0)):
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)
        folder = tmp_path / str(n)
        save_table(frame, "municipality_GM0001", folder)
        xlsx = (folder / "tables" / "municipality_GM0001.xlsx").read_bytes()
        assert gather_municipal_tables("k", str(folder), ["GM0001"]).status == "ok"
        outputs.append((xlsx, (folder / "tables" / MUNICIPAL_CSV).read_bytes()))
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0][1]).decode().startswith("code,date,value")
    with zipfile.ZipFile(tmp_path / "0" / "tables" / "municipality_GM0001.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}


class _Pool:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def submit(self, fn, *args, **kwargs):
        # the engine a job runs on (execute_jobs' first argument)
        self.calls.append(args[0] if fn.__name__ == "execute_jobs" else fn.__name__)
        return object()


def _jobs(n: int) -> list:
    from capacity.runner.plan import Job
    from capacity.runner.registry import Notebook

    nb = Notebook("05_municipality", per="municipality", path=Path("05.ipynb"))
    return [
        Job(
            key=f"s/05/GM{i:04d}",
            scenario="s",
            notebook=nb,
            municipality=f"GM{i:04d}",
            parameters={"output_dir": "s"},
            output_ipynb=Path("x"),
            output_html=Path("x"),
            workdir=Path("x"),
            language="nl",
            title="t",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [1, 2, 4])
def test_municipal_reports_are_chunked_and_gathered_whatever_the_number_of_workers(n: int) -> None:
    from capacity.runner.batch import Batch

    kinds = set()
    for workers in (1, 2, 8):
        pool = _Pool()
        batch = Batch(
            pool, _jobs(n), {}, {}, progress=None, job_kwargs={}, workers=workers, options=RunOptions(jobs=workers)
        )
        batch.submit_jobs(_jobs(n), cache=None)
        kinds.add(frozenset(pool.calls))
    assert kinds == {frozenset({"chunk"})}  # never one papermill run per report unless asked
    pool = _Pool()
    Batch(
        pool, _jobs(n), {}, {}, progress=None, job_kwargs={}, workers=2, options=RunOptions(municipal_chunk=1)
    ).submit_jobs(_jobs(n), cache=None)
    assert set(pool.calls) == {"papermill"}


def test_gathering_a_batch_that_wrote_no_municipal_table_is_nothing_to_do(tmp_path: Path) -> None:
    from capacity.runner.gather import MUNICIPAL_CSV, gather_municipal_tables

    assert gather_municipal_tables("k", str(tmp_path), ["GM0001"]).status == "ok"
    assert not (tmp_path / "tables" / MUNICIPAL_CSV).exists()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    wait=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 10**9),
    timeout=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    jobs=st.none() | st.integers(-3, 64),
    keep=st.integers(-3, 100),
)
def test_run_options_are_bounded_or_refused(wait, timeout, jobs, keep) -> None:
    try:
        options = RunOptions(wait=wait, timeout=timeout, jobs=jobs, keep=keep)
    except RunError as exc:
        assert str(exc).startswith("--") and "\n" not in str(exc)
        return
    assert 0 <= options.wait <= 366 * 86400 and options.keep >= 0
    assert options.timeout is None or 0 < options.timeout < float("inf")
    assert options.jobs is None or options.jobs >= 1
