"""Implausible data are refused with the file, the row and both values: jumps, parts above wholes, lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import data
from capacity.errors import DataError

pytestmark = pytest.mark.unit

SHELTER = data.shipped_dir() / "ukraine_shelter_nl.csv"
TODAY = pd.Timestamp("2026-01-15")


def _shelter() -> pd.DataFrame:
    return pd.read_csv(SHELTER, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def _row(frame: pd.DataFrame, date: str) -> int:
    return int(frame.index[frame["date"] == date][0])


def test_the_shipped_data_passes_every_plausibility_rule() -> None:
    for name in data.SPECS:
        data.read_csv(name, data.shipped_dir() / f"{name}.csv")
    data.load_municipalities()


@pytest.mark.parametrize(
    ("date", "column", "right", "wrong"),
    [
        ("2025-03-19", "registered_brp", "120820", "981000"),  # an extra digit, ~8x
        ("2025-03-19", "in_municipal_shelter", "93770", "937700"),  # 10x
        ("2025-03-19", "shelter_places", "93970", "950000"),  # the issue's 950,000 for ~95,000
    ],
)
def test_an_extra_digit_is_refused_naming_file_row_and_both_values(
    tmp_path: Path, date: str, column: str, right: str, wrong: str
) -> None:
    frame = _shelter()
    i = _row(frame, date)
    assert frame.loc[i, column] == right
    frame.loc[i, column] = wrong
    path = _write(frame, tmp_path / "ukraine_shelter_nl.csv")
    with pytest.raises(DataError) as err:
        data.read_csv("ukraine_shelter_nl", path, today=TODAY)
    message = str(err.value)
    assert str(path) in message and f"row {i + 2}" in message and column in message
    assert f"{int(wrong):.0f}" in message and "times off" in message and "\n" not in message


def test_the_issue_s_981000_for_98100_is_refused_with_both_values(tmp_path: Path) -> None:
    frame = _shelter()
    i = _row(frame, "2025-03-19")
    frame.loc[i - 1, "registered_brp"] = "98100"  # the month before, as it belongs
    frame.loc[i, "registered_brp"] = "981000"  # this month: 981,000 where 98,100 belongs
    frame.loc[i + 1, "registered_brp"] = "98100"
    path = _write(frame, tmp_path / "ukraine_shelter_nl.csv")
    with pytest.raises(
        DataError,
        match=rf"row {i + 2}: registered_brp = '981000' is 10 times off its "
        r"neighbouring value\(s\) 98,100, 98,100",
    ):
        data.read_csv("ukraine_shelter_nl", path, today=TODAY)


def test_a_row_marked_as_a_known_break_is_accepted(tmp_path: Path) -> None:
    frame = _shelter()
    i = len(frame) - 1
    frame.loc[i, "registered_brp"] = str(int(frame.loc[i, "registered_brp"]) * 6)
    frame.loc[i, "note"] = "known break: new definition"
    path = _write(frame, tmp_path / "ukraine_shelter_nl.csv")
    read = data.read_csv("ukraine_shelter_nl", path, today=TODAY)
    assert read["registered_brp"].iloc[-1] == int(frame.loc[i, "registered_brp"])
    frame.loc[i, "note"] = "new definition"
    with pytest.raises(DataError, match="known break"):
        data.read_csv("ukraine_shelter_nl", _write(frame, path), today=TODAY)


def test_more_in_shelter_than_registered_is_refused(tmp_path: Path) -> None:
    frame = _shelter()
    i = _row(frame, "2025-06")
    frame.loc[i, "in_municipal_shelter"] = "199999"  # 2x: not a jump, but more than registered
    path = _write(frame, tmp_path / "ukraine_shelter_nl.csv")
    with pytest.raises(DataError) as err:
        data.read_csv("ukraine_shelter_nl", path, today=TODAY)
    message = str(err.value)
    assert f"row {i + 2}" in message and "in_municipal_shelter = '199999'" in message
    assert "registered_brp = 125,000" in message


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.sampled_from(["registered_brp", "in_municipal_shelter", "shelter_places"]),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([0.1, 0.15, 5.5, 10, 100]),
)
def test_a_count_five_times_off_its_neighbours_never_reads(
    tmp_path_factory, column: str, k: int, factor: float
) -> None:
    frame = _shelter()
    filled = [i for i in frame.index if frame.loc[i, column] not in ("", None)]
    i = filled[k % len(filled)]
    values = [float(frame.loc[j, column]) for j in filled]
    pos = filled.index(i)
    near = [values[p] for p in (pos - 1, pos + 1) if 0 <= p < len(values)]
    new = round(values[pos] * factor)
    if not new or not all(max(new / v, v / new) >= 5 for v in near if v):
        return
    frame.loc[i, column] = str(new)
    path = _write(frame, tmp_path_factory.mktemp("fuzz") / "ukraine_shelter_nl.csv")
    with pytest.raises(DataError, match=f"{column} = .* (times off|is implausible)") as err:
        data.read_csv("ukraine_shelter_nl", path, today=TODAY)
    # At the start of a series the one neighbour may be the value named: both are there.
    assert f"row {i + 2}: {column} = '{new}'" in str(err.value) or f"{new:,.0f}" in str(err.value), str(err.value)


def test_a_municipalities_file_without_amsterdam_is_refused_naming_it(tmp_path: Path) -> None:
    frame = pd.read_csv(data.shipped_dir() / "municipalities.csv", dtype=str, keep_default_na=False)
    path = _write(frame[frame["code"] != "GM0363"], tmp_path / "municipalities.csv")
    with pytest.raises(DataError) as err:
        data.load_municipalities(files={"municipalities": str(path)})
    assert "GM0363 Amsterdam" in str(err.value) and str(path) in str(err.value)


def test_a_merger_that_keeps_the_population_is_accepted(tmp_path: Path) -> None:
    frame = pd.read_csv(data.shipped_dir() / "municipalities.csv", dtype=str, keep_default_na=False)
    two = frame.iloc[:2]
    merged = two.iloc[[0]].assign(
        code="GM9999", name="Samengevoegd", population=str(sum(int(p) for p in two["population"]))
    )
    path = _write(pd.concat([merged, frame.iloc[2:]]), tmp_path / "municipalities.csv")
    assert len(data.load_municipalities(files={"municipalities": str(path)})) == len(frame) - 1
