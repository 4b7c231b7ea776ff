"""A new count from the ministry is one row in ``<project>/data/counts.csv``: it reaches the history and "what changed"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from capacity import data, project
from capacity.params.base import DataConfig

pytestmark = pytest.mark.unit

HEADER = (
    "date,date_precision,registered_brp,in_municipal_shelter,shelter_places,occupancy_pct_reported,source,note,series\n"
)
#: A test row, not a published figure.
ROW = "2025-09-21,day,131450,,,,test letter to parliament https://example.org/letter,'Op 21 september',rtb_letter\n"


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A planner's project folder (``capacity init``), the current project."""
    root = tmp_path / "proj"
    project.init_project(root)
    monkeypatch.setenv(project.ENV_VAR, str(root))
    return root


def _drop_in(proj: Path, *rows: str, header: str = HEADER) -> Path:
    path = proj / "data" / "counts.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def _assert_series(history: pd.DataFrame, day: str, value: float, series: str) -> None:
    """Assert that the count is among the drop-in rows with its series, and among the nowcast's counts.

    The drop-in's rows are validated to carry their series (the reader refuses a count without
    one); the history passes every count with its series to the nowcast in
    ``history.attrs["registered_counts"]`` where that is built.
    """
    drop_in = data.read_csv("counts", data.data_files()["counts"])
    mine = drop_in[(drop_in["date"] == day) & (drop_in["registered_brp"] == value)]
    assert mine["series"].tolist() == [series]
    counts = history.attrs.get("registered_counts")
    if counts is not None:
        found = counts[(counts["date"] == pd.Timestamp(day)) & (counts["value"] == value)]
        assert found["series"].tolist() == [series], counts.tail()


def _registered(history: pd.DataFrame, month: str) -> pd.Series:
    rows = history[(history["variable"] == "registered") & (history["date"] == pd.Timestamp(month))]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("own_copy", [False, True], ids=["shipped data", "data.data_dir"])
def test_an_added_row_is_an_observed_registered_value_with_its_series(
    proj: Path, tmp_path: Path, own_copy: bool
) -> None:
    data_dir = None
    if own_copy:
        data_dir = tmp_path / "elsewhere"
        shutil.copytree(data.shipped_dir(), data_dir)
    before = data.load_history(data_dir)
    assert data.last_observed(before, "registered")[0] == pd.Timestamp("2025-06-01")
    _drop_in(proj, ROW)
    after = data.load_history(data_dir)
    row = _registered(after, "2025-09-01")
    assert (row["value"], row["flag"]) == (131_450, "observed")
    assert row["source"] == "test letter to parliament https://example.org/letter"
    assert row["note"] == "counts.csv: 'Op 21 september'"
    _assert_series(after, "2025-09-21", 131_450, "rtb_letter")
    assert _registered(after, "2025-08-01")["flag"] == "interpolated"  # between June's letter and this one
    assert data.last_observed(after, "registered") == (pd.Timestamp("2025-09-01"), 131_450)
    others = [
        h[(h["variable"] != "registered") & (h["flag"] != "missing")].reset_index(drop=True) for h in (before, after)
    ]
    pd.testing.assert_frame_equal(*others)  # nothing else moves (the later months are gaps there)


def test_a_same_day_row_in_the_drop_in_is_the_months_value(proj: Path) -> None:
    shipped = _registered(data.load_history(), "2025-06-01")
    assert shipped["value"] == 129_230  # the letter of 21 Jun 2025
    _drop_in(proj, "2025-06-21,day,120900,,,,test table https://example.org/table,,table_press\n")
    history = data.load_history()
    row = _registered(history, "2025-06-01")
    assert row["value"] == 120_900
    assert row["note"].startswith("latest of 3 reports in the month; counts.csv")
    _assert_series(history, "2025-06-21", 120_900, "table_press")


def test_a_drop_in_elsewhere_is_named_in_data_files(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    history = data.load_history(files={"counts": str(path)})
    assert _registered(history, "2025-09-01")["value"] == 131_450
    assert data.data_files(files={"counts": str(path)})["counts"] == path


def test_without_a_drop_in_no_file_is_named() -> None:
    assert "counts" not in data.data_files()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "2025-09-21,day,131450,,,,a source,,\n",
            "row 2: registered_brp = '131450' has no series; a row with a "
            "registered_brp needs a series (rtb_letter or table_press)",
        ),
        (
            "2025-09-21,day,131450,,,,a source,,rtb-letter\n",
            "row 2: series = 'rtb-letter' is not one of rtb_letter, table_press",
        ),
        ("2025-09-21,day,,95000,,,a source,,rtb_letter\n", "row 2: series = 'rtb_letter' has no registered_brp"),
        ("2025-09-21,day,131450,,,,,,rtb_letter\n", "row 2: source is empty; every row needs a source"),
        ("2025-09-21,day,131.450,,,,a source,,rtb_letter\n", "row 2: registered_brp = '131.450' has a '.' followed"),
        ("21-09-2025,day,131450,,,,a source,,rtb_letter\n", None),  # a Dutch date reads
    ],
)
def test_the_drop_in_is_validated_like_every_data_file(proj: Path, row: str, problem: str | None) -> None:
    path = _drop_in(proj, row)
    problems = data.check_scenario_data(DataConfig())
    if problem is None:
        assert problems == []
        return
    assert len(problems) == 1 and problems[0].startswith(
        f"{path}, {problem}" if problem.startswith("row") else str(path)
    ), problems
    assert "\n" not in problems[0]


def test_a_drop_in_without_the_series_column_is_refused(proj: Path) -> None:
    path = _drop_in(proj, "2025-09-21,day,131450,,,,a source,\n", header=HEADER.replace(",series", ""))
    (problem,) = data.check_scenario_data(DataConfig())
    assert problem.startswith(f"{path}: missing column(s) ['series']")


def test_the_shipped_table_follows_the_same_series_rules(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(data.shipped_dir(), folder)
    shelter = folder / "ukraine_shelter_nl.csv"
    text = shelter.read_text(encoding="utf-8")
    assert text.rstrip("\n").endswith(",rtb_letter")
    shelter.write_text(text.rstrip("\n")[: -len("rtb_letter")] + "letters\n", encoding="utf-8")
    (problem,) = data.check_files(data.data_files(folder))
    assert "row 50: series = 'letters' is not one of rtb_letter, table_press" in problem
