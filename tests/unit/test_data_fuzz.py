"""Property-based tests: corrupted copies of the shipped CSVs never give a traceback or a wrong number.

Every corruption is either a pure change of format (Dutch Excel export, cp1252, UTF-16, ';',
column order, line endings, byte-order mark), after which the file must read to exactly the
shipped values, or a change of content, after which the file must either read to exactly
the changed content (rows deleted or repeated) or raise one :class:`DataError` of one line
that names the file (and, for a bad value, the row and column). Nothing else may escape.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.test_data import SHIPPED, dutch_number, to_dutch

from capacity import data
from capacity.data.read import COUNT_UNITS
from capacity.errors import DataError

pytestmark = pytest.mark.unit

NAMES = sorted(data.SPECS)
TEXT = {name: (SHIPPED / f"{name}.csv").read_text(encoding="utf-8") for name in NAMES}
ORIGINAL = {name: data.read_csv(name, SHIPPED / f"{name}.csv") for name in NAMES}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@functools.cache
def _dutch(name: str) -> str:
    return to_dutch(TEXT[name], name)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _write(rows: list[list[str]], separator: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _read(name: str, path: Path) -> pd.DataFrame | DataError:
    """Read ``path``; return the frame or the DataError (any other exception fails the test)."""
    try:
        frame = data.read_csv(name, path)
    except DataError as exc:
        message = str(exc)
        assert str(path) in message and "\n" not in message, message
        assert "Traceback" not in message and "{'" not in message, message
        return exc
    return frame


def _same(frame: pd.DataFrame, expected: pd.DataFrame, *, check_dtype: bool = True) -> None:
    pd.testing.assert_frame_equal(
        frame[list(expected.columns)].reset_index(drop=True), expected.reset_index(drop=True), check_dtype=check_dtype
    )


# --- format changes: the same values --------------------------------------------------------


def _reorder(text: str, name: str, seed: int) -> str:
    rows = _rows(text)
    order = list(range(len(rows[0])))
    i, j = seed % len(order), (seed // len(order)) % len(order)
    order[i], order[j] = order[j], order[i]
    return _write([[r[k] for k in order] for r in rows])


FORMATS = {
    "dutch": lambda text, name, seed: _dutch(name).encode("utf-8"),
    "dutch numbers, ISO dates": lambda text, name, seed: to_dutch(text, name, dates=False).encode("utf-8"),
    "dutch cp1252": lambda text, name, seed: to_dutch(text, name).encode("cp1252", errors="strict"),
    "cp1252": lambda text, name, seed: text.encode("cp1252"),
    "utf-16": lambda text, name, seed: text.encode("utf-16"),
    "utf-16 dutch": lambda text, name, seed: to_dutch(text, name).encode("utf-16"),
    "utf-8 bom": lambda text, name, seed: text.encode("utf-8-sig"),
    "semicolon, decimal points": lambda text, name, seed: _write(_rows(text), ";").encode("utf-8"),
    "crlf": lambda text, name, seed: text.replace("\n", "\r\n").encode("utf-8"),
    "columns reordered": lambda text, name, seed: _reorder(text, name, seed).encode("utf-8"),
    "blank lines": lambda text, name, seed: text.replace("\n", "\n\n", 3).encode("utf-8"),
}


@FUZZ
@given(name=st.sampled_from(NAMES), kind=st.sampled_from(sorted(FORMATS)), seed=st.integers(0, 10_000))
def test_a_pure_format_change_reads_the_shipped_values(tmp_path: Path, name: str, kind: str, seed: int) -> None:
    path = tmp_path / f"{name}.csv"
    try:
        raw = FORMATS[kind](TEXT[name], name, seed)
    except UnicodeEncodeError:
        return  # a character cp1252 cannot hold: not a file a planner can have
    path.write_bytes(raw)
    result = _read(name, path)
    assert not isinstance(result, DataError), f"{kind}: {result}"
    _same(result, ORIGINAL[name])


# --- content changes: the changed values, or a DataError --------------------------------------


@FUZZ
@given(name=st.sampled_from(NAMES), data_=st.data())
def test_deleted_or_repeated_rows_read_exactly_or_fail_cleanly(tmp_path: Path, name: str, data_: st.DataObject) -> None:
    rows = _rows(TEXT[name])
    k = data_.draw(st.integers(1, len(rows) - 1), label="row")
    delete = data_.draw(st.booleans(), label="delete")
    changed = rows[:k] + rows[k + 1 :] if delete else rows[: k + 1] + rows[k:]
    expected = (
        ORIGINAL[name].drop(index=k - 1)
        if delete
        else pd.concat([ORIGINAL[name].iloc[:k], ORIGINAL[name].iloc[k - 1 :]])
    )
    path = tmp_path / f"{name}.csv"
    path.write_text(_write(changed), encoding="utf-8")
    result = _read(name, path)
    if isinstance(result, DataError):
        assert len(changed) == 1 or "duplicate key" in str(result) or "times off" in str(result), str(result)
    else:
        _same(result, expected, check_dtype=False)  # a column may lose its only empty cell


BAD_NUMBERS = ["lots", "inf", "-inf", "NaN", "-5", "1e12", "12.345", "#DEEL/0!", "1 000", "1_000", "0x10", "∞"]


def _count_cells(name: str) -> list[tuple[int, str]]:
    """(data row index, column) of every cell that must hold a count, percentage or fact value."""
    spec, frame = data.SPECS[name], ORIGINAL[name]
    cells = [
        (i, c)
        for c in (*spec.counts, *spec.text_counts, *spec.shares_pct)
        if c in frame.columns
        for i in range(len(frame))
    ]
    if spec.value_forms == ("number",):  # facts whose every value is a number (not a range or date)
        cells += [(i, "value") for i in range(len(frame)) if frame["unit"].iloc[i] in COUNT_UNITS | {"percent"}]
    return cells


NUMERIC_NAMES = [n for n in NAMES if _count_cells(n)]


@FUZZ
@given(name=st.sampled_from(NUMERIC_NAMES), bad=st.sampled_from(BAD_NUMBERS), data_=st.data())
def test_a_bad_number_is_an_error_naming_file_row_and_column(
    tmp_path: Path, name: str, bad: str, data_: st.DataObject
) -> None:
    i, column = data_.draw(st.sampled_from(_count_cells(name)), label="cell")
    if bad == "12.345" and (
        column in data.SPECS[name].shares_pct
        or ORIGINAL[name].get("unit", pd.Series("", index=ORIGINAL[name].index)).iloc[i] == "percent"
    ):
        bad = "1e12"  # a decimal is fine in a percentage; its range is not
    rows = _rows(TEXT[name])
    rows[i + 1][rows[0].index(column)] = bad
    path = tmp_path / f"{name}.csv"
    path.write_text(_write(rows), encoding="utf-8")
    result = _read(name, path)
    assert isinstance(result, DataError), f"{column} = {bad!r} in row {i + 2} was accepted"
    assert f"row {i + 2}: {column} = {bad!r}" in str(result)


@FUZZ
@given(name=st.sampled_from(NAMES), data_=st.data())
def test_an_implausible_date_is_an_error_naming_file_row_and_column(
    tmp_path: Path, name: str, data_: st.DataObject
) -> None:
    spec = data.SPECS[name]
    choices = ["2022-13-01", "31-02-2024", "19/03/2025", "yesterday", "2031-03-19", "1999-12-31", "2022-5"]
    bad = data_.draw(st.sampled_from(choices), label="date")
    if spec.future_ok and bad == "2031-03-19":
        bad = "yesterday"
    i = data_.draw(st.integers(0, len(ORIGINAL[name]) - 1), label="row")
    rows = _rows(TEXT[name])
    rows[i + 1][rows[0].index(spec.date_column)] = bad
    path = tmp_path / f"{name}.csv"
    path.write_text(_write(rows), encoding="utf-8")
    result = _read(name, path)
    assert isinstance(result, DataError), f"{spec.date_column} = {bad!r} in row {i + 2} was accepted"
    assert f"row {i + 2}: {spec.date_column} = " in str(result)


@FUZZ
@given(name=st.sampled_from(NAMES), cut=st.sampled_from(["empty", "blank", "header only", "header, no newline"]))
def test_an_empty_or_header_only_file_is_an_error(tmp_path: Path, name: str, cut: str) -> None:
    header = TEXT[name].splitlines()[0]
    text = {"empty": "", "blank": "\n \n", "header only": header + "\n", "header, no newline": header}[cut]
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    result = _read(name, path)
    assert isinstance(result, DataError) and ("empty" in str(result) or "no data rows" in str(result))


@FUZZ
@given(name=st.sampled_from(NAMES), data_=st.data())
def test_arbitrary_bytes_in_a_file_never_escape_as_another_exception(
    tmp_path: Path, name: str, data_: st.DataObject
) -> None:
    raw = bytearray(TEXT[name].encode("utf-8"))
    for _ in range(data_.draw(st.integers(1, 4), label="edits")):
        at = data_.draw(st.integers(0, len(raw) - 1), label="at")
        raw[at : at + 1] = data_.draw(st.sampled_from([b"", b"\x00", b"\xff", b'"', b";", b",", b"\n", b"9", b"."]))
    path = tmp_path / f"{name}.csv"
    path.write_bytes(bytes(raw))
    _read(name, path)  # a frame or a clean DataError; nothing else


# --- 120.820 ---------------------------------------------------------------------------------


@settings(FUZZ, max_examples=15)
@given(
    name=st.sampled_from(["ukraine_shelter_nl", "eurostat_tp_nl_monthly", "municipalities", "shelter_regional_points"]),
    data_=st.data(),
)
def test_a_thousands_dot_is_a_thousands_separator_in_a_dutch_file_and_an_error_otherwise(
    tmp_path: Path, name: str, data_: st.DataObject
) -> None:
    spec, frame = data.SPECS[name], ORIGINAL[name]
    cells = [
        (i, c)
        for c in spec.counts
        if c in frame.columns
        for i in range(len(frame))
        if pd.notna(frame[c].iloc[i]) and 1_000 <= frame[c].iloc[i] < 1_000_000
    ]
    i, column = data_.draw(st.sampled_from(cells), label="cell")
    value = int(frame[column].iloc[i])
    dotted = dutch_number(str(value))
    assert "." in dotted and float(dotted) != value  # the trap: 120.820 as a decimal is 120.82
    path = tmp_path / f"{name}.csv"
    dutch = _dutch(name)
    assert dotted in dutch
    path.write_text(dutch, encoding="utf-8")
    assert data.read_csv(name, path)[column].iloc[i] == value
    rows = _rows(TEXT[name])
    rows[i + 1][rows[0].index(column)] = dotted
    path.write_text(_write(rows), encoding="utf-8")
    with pytest.raises(DataError, match=rf"row {i + 2}: {column} = '{dotted}' has a '\.' followed by three digits"):
        data.read_csv(name, path)


def test_history_from_dutch_cp1252_and_utf16_copies_equals_the_shipped_history(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for k, name in enumerate(NAMES):
        text = to_dutch(TEXT[name], name)
        (folder / f"{name}.csv").write_bytes(text.encode("utf-16") if k % 2 else text.encode("utf-8"))
    pd.testing.assert_frame_equal(data.load_history(folder), data.load_history())
    assert data.check_files(data.data_files(folder)) == []
