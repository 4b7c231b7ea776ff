"""Downloads: which files a table writes and links, and how its numbers and dates are written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity import report
from capacity.data.tables import SIGNIFICANT_DIGITS, download_frame, save_table, write_workbook

pytestmark = pytest.mark.unit


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["GM0363", "GM0363"],
            "date": pd.to_datetime(["2025-04-01", "2025-05-01"]),
            "variable": ["demand", "demand"],
            "mean": [94370.35319630074, 0.1 + 0.2],
            "count": [1, 2],
        }
    )


def test_default_writes_and_links_csv_and_excel(tmp_path: Path) -> None:
    html = report.table(_frame(), "demo", save_to=tmp_path)._repr_html_()
    assert (tmp_path / "tables" / "demo.csv").is_file() and (tmp_path / "tables" / "demo.xlsx").is_file()
    assert 'href="tables/demo.csv"' in html and 'href="tables/demo.xlsx"' in html


@pytest.mark.parametrize("downloads", ["csv", ["csv"], ("csv",)])
def test_csv_only_writes_and_links_no_excel(tmp_path: Path, downloads: object) -> None:
    html = report.table(_frame(), "demo", save_to=tmp_path, downloads=downloads)._repr_html_()
    assert (tmp_path / "tables" / "demo.csv").is_file()
    assert not (tmp_path / "tables" / "demo.xlsx").exists() and "xlsx" not in html and "Excel" not in html


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'pdf'.*csv.*xlsx"):
        save_table(_frame(), "demo", tmp_path, "csv,pdf")


def test_csv_has_dates_as_days_and_no_float_noise(tmp_path: Path) -> None:
    text = save_table(_frame(), "demo", tmp_path).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[1] == "GM0363,2025-04-01,demand,94370.353,1"
    assert lines[2] == "GM0363,2025-05-01,demand,0.3,2"
    excel = pd.read_excel(tmp_path / "tables" / "demo.xlsx")
    assert pd.api.types.is_datetime64_any_dtype(excel["date"]) and excel["mean"][0] == 94370.353


def test_significant_digits_keep_counts_exact_and_special_values() -> None:
    values = pd.DataFrame({"x": [99_999_999.0, 1234.5678901234, -0.000123456789123, 0.0, np.nan, np.inf]})
    out = download_frame(values)["x"].tolist()
    assert out[0] == 99_999_999.0 and out[1] == 1234.5679 and out[2] == -0.00012345679
    assert out[3] == 0.0 and np.isnan(out[4]) and out[5] == np.inf
    assert SIGNIFICANT_DIGITS == 8


def test_timestamps_with_a_time_keep_it() -> None:
    frame = pd.DataFrame({"at": pd.to_datetime(["2025-04-01 12:30", None])})
    assert download_frame(frame)["at"].iloc[0] == pd.Timestamp("2025-04-01 12:30")


def test_workbook_has_a_sheet_per_frame(tmp_path: Path) -> None:
    import openpyxl

    save_table(_frame(), "m", tmp_path, "csv")
    frame = pd.read_csv(tmp_path / "tables" / "m.csv")
    path = write_workbook({"GM0363": frame, "GM0014": frame.head(1)}, tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["GM0363", "GM0014"]
    rows = list(book["GM0363"].iter_rows(values_only=True))
    assert rows[0] == ("code", "date", "variable", "mean", "count")
    assert rows[1][1].date().isoformat() == "2025-04-01" and rows[1][3] == 94370.353
    with pytest.raises(ValueError, match="longer than 31"):
        write_workbook({"x" * 32: frame}, tmp_path / "long.xlsx")
    with pytest.raises(ValueError, match="no sheets"):
        write_workbook({}, tmp_path / "empty.xlsx")


def test_workbook_cells_round_trip_through_openpyxl_and_pandas(tmp_path: Path) -> None:
    """Text with markup characters, NaN and inf (empty cells), booleans, dates, many columns."""
    import warnings

    import openpyxl

    frame = pd.DataFrame(
        {
            "name": ['a <b> & "c"', None],
            "x": [1.5, np.nan],
            "y": [np.inf, 2.0],
            "ok": [True, False],
            "date": pd.to_datetime(["2025-04-01", None]),
            **{f"c{i}": [i, i + 1] for i in range(30)},
        }
    )  # columns past Z: AA, AB ...
    path = write_workbook({"GM0363": frame}, tmp_path / "book.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Workbook contains no default style"
        openpyxl.load_workbook(path)
    back = pd.read_excel(path)
    assert back["name"].tolist()[0] == 'a <b> & "c"' and pd.isna(back["name"][1])
    assert back["x"][0] == 1.5 and pd.isna(back["x"][1]) and pd.isna(back["y"][0])
    assert back["ok"].tolist() == [True, False] and back["c29"].tolist() == [29, 30]
    assert back["date"][0] == pd.Timestamp("2025-04-01") and pd.isna(back["date"][1])
    with pytest.raises(ValueError, match=r"longer than 31 characters or contain"):
        write_workbook({"a/b": frame}, tmp_path / "bad.xlsx")


def test_a_table_s_excel_file_is_one_sheet_named_after_it(tmp_path: Path) -> None:
    import openpyxl

    save_table(_frame(), "municipality_GM0363", tmp_path)
    book = openpyxl.load_workbook(tmp_path / "tables" / "municipality_GM0363.xlsx")
    assert book.sheetnames == ["municipality_GM0363"]
    save_table(_frame(), "a_name_longer_than_excel_allows_for_a_sheet", tmp_path)
    assert openpyxl.load_workbook(
        tmp_path / "tables" / "a_name_longer_than_excel_allows_for_a_sheet.xlsx"
    ).sheetnames == ["a_name_longer_than_excel_allows"]


def test_gathering_joins_the_municipal_csvs_into_one_and_removes_them(tmp_path: Path) -> None:
    from capacity.runner.gather import MUNICIPAL_CSV, gather_municipal_tables

    for code in ("GM0363", "GM0014"):
        save_table(_frame().assign(code=code), f"municipality_{code}", tmp_path, "csv")
    res = gather_municipal_tables("s/municipal-tables", str(tmp_path), ["GM0014", "GM0363"])
    assert res.status == "ok", res.error
    tables = tmp_path / "tables"
    back = pd.read_csv(tables / MUNICIPAL_CSV, dtype={"code": str})
    assert back["code"].tolist() == ["GM0014", "GM0014", "GM0363", "GM0363"]
    assert back["mean"].tolist() == [94370.353, 0.3] * 2
    assert not list(tables.glob("municipality_*.csv"))


def test_gathering_refuses_other_columns_and_keeps_every_csv(tmp_path: Path) -> None:
    from capacity.runner.gather import MUNICIPAL_CSV, gather_municipal_tables

    save_table(_frame(), "municipality_GM0363", tmp_path, "csv")
    save_table(_frame().drop(columns="count"), "municipality_GM0014", tmp_path, "csv")
    res = gather_municipal_tables("s/municipal-tables", str(tmp_path), ["GM0363", "GM0014", "GM0999"])
    assert res.status == "failed" and "municipality_GM0014.csv has the columns" in res.error
    tables = tmp_path / "tables"
    assert sorted(p.name for p in tables.iterdir()) == ["municipality_GM0014.csv", "municipality_GM0363.csv"]
    assert not (tables / MUNICIPAL_CSV).exists()


def test_a_municipal_download_has_six_significant_digits_and_exact_counts() -> None:
    from capacity.report.municipality import municipality_download

    table = pd.DataFrame(
        {
            "code": ["GM0363"] * 3,
            "variable": ["demand"] * 3,
            "mean": [5.112204234, 999_999.0, 12_345.678901],
            "q0.50": [0.1 + 0.2, 7.0, np.nan],
        }
    )
    out = municipality_download(table)
    assert out["mean"].tolist() == [5.11220, 999_999.0, 12_345.7]
    assert out["q0.50"].tolist()[:2] == [0.3, 7.0] and np.isnan(out["q0.50"].iloc[2])
    assert table["mean"].iloc[0] == 5.112204234, "the table itself is left as it is"


def _write_headline(folder: str) -> int:
    for _ in range(15):
        save_table(_frame(), "headline", folder)
    return 1


def test_notebooks_saving_one_table_at_once_each_write_a_whole_file(tmp_path: Path) -> None:
    """02, 03 and 04 all save the headline table: writers in parallel never collide."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(4) as pool:
        assert pool.map(_write_headline, [str(tmp_path)] * 4) == [1] * 4
    tables = tmp_path / "tables"
    assert sorted(p.name for p in tables.iterdir()) == ["headline.csv", "headline.xlsx"]
    assert pd.read_csv(tables / "headline.csv").shape == (2, 5)
    assert pd.read_excel(tables / "headline.xlsx").shape == (2, 5)
