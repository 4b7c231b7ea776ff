"""Retention of run folders by count and by size (``--keep``, ``--keep-size``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from capacity.errors import RunError
from capacity.runner.options import RunOptions, parse_size
from capacity.runner.publish import folder_size, prune_runs

pytestmark = pytest.mark.unit

RUNS = [f"2026010{d}T000000Z" for d in range(1, 7)]  # oldest first


def _reports(tmp_path: Path, latest: str, sizes: dict[str, int] | None = None) -> Path:
    reports = tmp_path / "reports"
    for name in RUNS:
        folder = reports / name / "baseline"
        folder.mkdir(parents=True)
        (folder / "page.html").write_bytes(b"x" * (sizes or {}).get(name, 1000))
        (reports / "logs").mkdir(exist_ok=True)
        (reports / "logs" / f"{name}.log").write_text("log", encoding="utf-8")
    os.symlink(latest, reports / "latest")
    return reports


def _left(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.iterdir() if p.name in RUNS)


def test_keep_size_keeps_the_newest_runs_that_fit(tmp_path: Path) -> None:
    reports = _reports(tmp_path, latest=RUNS[-2])
    assert folder_size(reports / RUNS[0]) == 1000
    # current (newest) and latest count first: 2000; one more run fits in 3500, not two
    removed = prune_runs(reports, keep=0, current=reports / RUNS[-1], keep_bytes=3500)
    assert _left(reports) == RUNS[-3:]
    assert sorted(p.name for p in removed) == RUNS[:3]
    assert not (reports / "logs" / f"{RUNS[0]}.log").exists()


def test_keep_size_never_removes_latest_or_the_current_run(tmp_path: Path) -> None:
    reports = _reports(tmp_path, latest=RUNS[0], sizes={RUNS[0]: 5000})
    prune_runs(reports, keep=0, current=reports / RUNS[-1], keep_bytes=100)
    assert _left(reports) == [RUNS[0], RUNS[-1]]


def test_a_big_run_stops_the_newest_first_walk(tmp_path: Path) -> None:
    """The newest runs that fit: an older small run behind a big one goes too."""
    reports = _reports(tmp_path, latest=RUNS[-1], sizes={RUNS[-2]: 10_000})
    prune_runs(reports, keep=0, current=reports / RUNS[-1], keep_bytes=5000)
    assert _left(reports) == [RUNS[-1]]


def test_count_and_size_both_apply(tmp_path: Path) -> None:
    reports = _reports(tmp_path, latest=RUNS[-1])
    prune_runs(reports, keep=4, current=reports / RUNS[-1], keep_bytes=2500)
    assert _left(reports) == RUNS[-2:]
    prune_runs(reports, keep=0, current=reports / RUNS[-1])  # no limits: nothing goes
    assert _left(reports) == RUNS[-2:]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2GB", 2 * 10**9), ("500 MB", 500 * 10**6), ("1.5GiB", int(1.5 * 2**30)), ("123456", 123456), ("10kb", 10_000)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected
    assert RunOptions(keep_size=text).keep_size == expected


@pytest.mark.parametrize("text", ["", "2 GBs", "-1GB", "0", "lots"])
def test_a_bad_size_names_the_text_and_the_units(text: str) -> None:
    with pytest.raises(RunError, match=r"keep size .*expected a number above zero with a unit"):
        parse_size(text)
