"""Formula injection: no text cell of a CSV download starts like a spreadsheet formula; names are refused."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import data
from capacity.data.tables import FORMULA_STARTS, is_formula, neutralise_formulas, save_table
from capacity.errors import DataError

pytestmark = pytest.mark.unit

ATTACKS = [
    '=HYPERLINK("http://evil.example","Amsterdam")',
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in list(csv.reader(fh))[1:] for cell in row]


def _dangerous(cell: str) -> bool:
    return is_formula(cell)


def test_a_download_neutralises_every_formula_and_keeps_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"name": ATTACKS, "value": range(len(ATTACKS)), "text_number": ["-12", "+3.5", "-1e3", "0", "-", "-x", "x"]}
    )
    csv_path = save_table(frame, "history", tmp_path)
    cells = _cells(csv_path)
    assert not [c for c in cells if _dangerous(c)]
    read = pd.read_csv(csv_path, dtype=str)
    assert list(read["name"]) == ["'" + a for a in ATTACKS[:-1]] + ["\n=1+1"]  # a lone CR starts no row
    assert len(read) == len(ATTACKS)
    assert list(read["text_number"]) == ["-12", "+3.5", "-1e3", "0", "'-", "'-x", "x"]
    assert list(read["value"]) == [str(i) for i in range(len(ATTACKS))]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(min_size=0, max_size=12)
        | st.sampled_from(ATTACKS)
        | st.builds(lambda c, t: c + t, st.sampled_from(FORMULA_STARTS), st.text(max_size=8)),
        min_size=1,
        max_size=8,
    )
)
def test_no_text_cell_of_any_download_starts_like_a_formula(texts: list[str]) -> None:
    frame = pd.DataFrame({"name": texts, "source": list(reversed(texts))})
    out = neutralise_formulas(frame)
    buffer = io.StringIO()
    out.to_csv(buffer, index=False)
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert len(rows) == len(texts) + 1  # no cell starts a row of its own
    assert not [c for row in rows[1:] for c in row if is_formula(c)]
    for col in out.columns:
        assert not [v for v in out[col] if is_formula(v)]
        for before, after in zip(frame[col], out[col], strict=True):
            plain = before.replace("\r\n", "\n").replace("\r", "\n")
            assert after == plain or after == "'" + plain  # nothing else changes


def test_the_municipal_download_gathered_from_a_batch_is_neutralised_too(tmp_path: Path) -> None:
    from capacity.runner.gather import MUNICIPAL_CSV, gather_municipal_tables

    for code, name in (("GM0001", '=HYPERLINK("x")'), ("GM0002", "@evil")):
        save_table(
            pd.DataFrame({"code": [code], "name": [name], "value": [1.0]}),
            f"municipality_{code}",
            tmp_path,
            formats="csv",
        )
    assert gather_municipal_tables("k", str(tmp_path), ["GM0001", "GM0002"]).status == "ok"
    import gzip

    lines = gzip.open(tmp_path / "tables" / MUNICIPAL_CSV, "rt", encoding="utf-8").read().splitlines()
    assert not [c for row in csv.reader(lines[1:]) for c in row if _dangerous(c)]


@pytest.mark.parametrize(
    ("table", "column", "row"), [("municipalities", "name", 2), ("ukraine_shelter_nl", "source", 2)]
)
@pytest.mark.parametrize("attack", ATTACKS[:5])
def test_the_reader_refuses_a_formula_in_a_name_or_source_column(
    tmp_path: Path, table: str, column: str, row: int, attack: str
) -> None:
    shipped = data.shipped_dir() / f"{table}.csv"
    frame = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = attack
    path = tmp_path / f"{table}.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        data.read_csv(table, path)
    message = str(err.value)
    assert len(message.splitlines()) == 1
    assert str(path) in message and f"row {row}" in message and column in message and "formula" in message


def test_the_shipped_data_has_no_formula_in_a_name_or_source(tmp_path: Path) -> None:
    for name in data.SPECS:
        data.read_csv(name, data.shipped_dir() / f"{name}.csv")  # raises on one
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_history_download_of_data_carrying_hyperlink_notes_has_no_formula(tmp_path: Path) -> None:
    """Notes may start with '=' (they are free text); the download neutralises them."""
    frame = pd.read_csv(data.shipped_dir() / "ukraine_shelter_nl.csv", dtype=str, keep_default_na=False)
    frame["note"] = '=HYPERLINK("http://evil.example","click")'
    path = tmp_path / "ukraine_shelter_nl.csv"
    frame.to_csv(path, index=False)
    history = data.load_history(files={"ukraine_shelter_nl": str(path)})
    assert history["note"].astype(str).str.startswith("=HYPERLINK").any()  # the data carry it
    cells = _cells(save_table(history, "history", tmp_path / "out"))
    assert not [c for c in cells if c.startswith("=") or _dangerous(c)]
