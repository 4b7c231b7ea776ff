"""Validated readers of the data files: errors name the file, the spreadsheet row, the column and the value.

:func:`read_csv` reads a file in the conventions :mod:`~capacity.data.formats` detects
(UTF-8, cp1252 or UTF-16; ``,`` or ``;``; Dutch numbers and ``dd-mm-jjjj`` dates) and then
checks every value against the file's :class:`~capacity.data.files.FileSpec`: dates parse
and lie in a plausible window, counts are whole, finite, non-negative, below
:data:`MAX_COUNT`, not :data:`MAX_JUMP` times off their neighbours and not above the count
they are part of (:data:`AT_MOST`), percentages lie in [0, 100], keys do not repeat, names
do not start like a spreadsheet formula, and the file has data rows. Every problem is one
:class:`~capacity.errors.DataError` of one line.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

import capacity.data.formats as formats
from capacity.data.files import SPECS, FileSpec, data_files, spec_of
from capacity.errors import DataError

#: Largest plausible count (persons, places, cases): 10 million, more than half the country.
MAX_COUNT = 10_000_000
#: A smooth count this many times off every neighbour (in date order) is an error: an extra
#: or a missing digit (981,000 for 98,100). The shipped series (the 2022 build-up, the
#: Eurostat clean-ups of January 2023 and April 2024) stay well inside it.
MAX_JUMP = 5.0
#: Text in a row's ``note`` that marks a genuine break: the row is not held to :data:`MAX_JUMP`.
KNOWN_BREAK = "known break"
#: Counts that may not exceed another count of the same row (table → (column, at most,
#: from date)): from July 2022 on, people in municipal shelter are registered people. In
#: spring 2022 municipalities sheltered many not yet registered (up to twice as many).
AT_MOST: dict[str, tuple[tuple[str, str, str], ...]] = {
    "ukraine_shelter_nl": (("in_municipal_shelter", "registered_brp", "2022-07-01"),),
}
#: Units of a facts file's ``value`` that are counts (whole, at most :data:`MAX_COUNT`).
COUNT_UNITS = frozenset({"persons", "cases", "applications", "decisions", "count", "places"})

_ISO = {
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
}
_PERIOD = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?|-Q[1-4]|-H[12])?")
_NON_FINITE = frozenset({"inf", "infinity", "nan", "#getal!", "#num!", "#div/0!", "#deel/0!", "#waarde!", "#value!"})
_RANGE = re.compile(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")


def _short(value: object) -> str:
    """``repr`` of a cell, cut to 60 characters (one line)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_period_start(text: str) -> pd.Timestamp | None:
    """Parse '2024', '2024-05', '2024-05-01', '2024-Q1', '2023-H1' to its start date."""
    text = str(text).strip()
    if not _PERIOD.fullmatch(text):
        return None
    try:
        if len(text) == 4:
            return pd.Timestamp(f"{text}-01-01")
        if "-Q" in text:
            year, q = text.split("-Q")
            return pd.Timestamp(year=int(year), month=3 * (int(q) - 1) + 1, day=1)
        if "-H" in text:
            year, h = text.split("-H")
            return pd.Timestamp(year=int(year), month=6 * (int(h) - 1) + 1, day=1)
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        return None


def _parse_date(value: str, forms: tuple[str, ...]) -> pd.Timestamp | None:
    text = str(value).strip()
    if not any(_ISO[f].fullmatch(text) for f in forms):
        return None
    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        return None


def _dates_of(value: str, spec: FileSpec) -> list[pd.Timestamp] | None:
    """Return the date(s) a date cell names (both ends of a period ``a/b``), or None if it names none."""
    if not spec.date_is_period:
        parsed = _parse_date(value, spec.date_forms)
        return None if parsed is None else [parsed]
    parts = str(value).split("/")
    if len(parts) > 2:
        return None
    dates = [_parse_period_start(p) for p in parts]
    return None if any(d is None for d in dates) else dates  # type: ignore[return-value]


class _Where:
    """Names a cell as a spreadsheet does: file, row (header = row 1), column."""

    def __init__(self, path: Path, lines: list[int]) -> None:
        self.path, self.lines = path, lines

    def __call__(self, i: int, column: str, value: object) -> str:
        return f"{self.path}, row {self.lines[i]}: {column} = {_short(value)}"

    def empty(self, i: int, column: str) -> str:
        return f"{self.path}, row {self.lines[i]}: {column} is empty"


def _expected_dates(spec: FileSpec) -> str:
    if spec.date_is_period:
        return "a year, month or day like 2024, 2024-05 or 2024-05-01, or a period a/b"
    return " or ".join({"day": "a day like 2024-05-01", "month": "a month like 2024-05"}[f] for f in spec.date_forms)


def _check_dates(frame: pd.DataFrame, spec: FileSpec, where: _Where, today: pd.Timestamp) -> None:
    col = spec.date_column
    earliest = pd.Timestamp(spec.earliest)
    latest = today + pd.DateOffset(months=1)
    for i, value in enumerate(frame[col]):
        if pd.isna(value) or not str(value).strip():
            raise DataError(f"{where.empty(i, col)}; expected {_expected_dates(spec)}")
        dates = _dates_of(value, spec)
        if dates is None:
            hint = " (day and month order unknown: write 2025-03-19)" if formats.is_slash_date(value) else ""
            raise DataError(f"{where(i, col, value)} is not a date{hint}; expected {_expected_dates(spec)}")
        if dates[0] < earliest:
            raise DataError(
                f"{where(i, col, value)} is before {earliest:%Y-%m-%d}; expected a date from "
                f"{earliest:%Y} on (a typing error in the year?)"
            )
        if not spec.future_ok and dates[-1] > latest:
            raise DataError(
                f"{where(i, col, value)} is in the future (after {latest:%Y-%m-%d}); expected a published figure's date"
            )


def _number_error(where: _Where, i: int, col: str, cell: str, *, count: bool) -> str | None:
    """Return why ``cell`` is not a valid number of column ``col``, or None."""
    if count and formats.has_thousands_dot(cell):
        return (
            f"{where(i, col, cell)} has a '.' followed by three digits: a Dutch thousands separator "
            f"in a file with decimal points; counts are whole numbers: write {cell.replace('.', '')} "
            f"(or save the file with ';' and decimal commas throughout)"
        )
    if not formats.is_number(cell):
        if cell.strip().lower().lstrip("+-") in _NON_FINITE:
            return f"{where(i, col, cell)} is not a finite number; expected a number (or an empty cell)"
        return f"{where(i, col, cell)} is not a number; expected a number like 1234 or 99.5"
    number = float(cell)
    if not math.isfinite(number):
        return f"{where(i, col, cell)} is too large to be a number; expected a number like 1234 or 99.5"
    if number < 0:
        return f"{where(i, col, cell)} is negative; expected a count >= 0"
    if count and number != int(number):
        return f"{where(i, col, cell)} is not a whole number; counts are whole"
    if count and number > MAX_COUNT:
        return f"{where(i, col, cell)} is implausible; expected a count of at most {MAX_COUNT:,}"
    return None


def _check_numbers(frame: pd.DataFrame, spec: FileSpec, where: _Where) -> None:
    for col in (*spec.counts, *spec.text_counts, *spec.shares_pct):
        if col not in frame.columns:
            continue
        count = col not in spec.shares_pct
        for i, cell in enumerate(frame[col]):
            if pd.isna(cell):
                continue
            problem = _number_error(where, i, col, cell, count=count)
            if problem is None and not count and float(cell) > 100:
                problem = f"{where(i, col, cell)} is not a percentage; expected a number in [0, 100]"
            if problem:
                raise DataError(problem)
        if col not in spec.text_counts:
            frame[col] = pd.to_numeric(frame[col])


def _check_values(frame: pd.DataFrame, spec: FileSpec, where: _Where) -> None:
    """Check a facts file's ``value`` column: a number (or range, date) per its ``unit``."""
    if not spec.value_forms or "value" not in frame.columns:
        return
    units = frame["unit"] if "unit" in frame.columns else pd.Series("", index=frame.index)
    for i, (cell, unit) in enumerate(zip(frame["value"], units, strict=True)):
        if pd.isna(cell):
            continue
        count = str(unit).strip() in COUNT_UNITS
        if "date" in spec.value_forms and (str(unit).strip() == "date" or _ISO["day"].fullmatch(cell)):
            if _parse_date(cell, ("day",)) is None:
                raise DataError(f"{where(i, 'value', cell)} is not a date; expected a day like 2026-03-04")
            continue
        bounds = _RANGE.fullmatch(cell)
        if "range" in spec.value_forms and bounds:
            low, high = bounds.groups()
            problem = _number_error(where, i, "value", low, count=count) or _number_error(
                where, i, "value", high, count=count
            )
            if problem is None and float(low) > float(high):
                problem = f"{where(i, 'value', cell)} is a range from high to low; expected low-high"
        else:
            problem = _number_error(where, i, "value", cell, count=count)
            if problem is None and str(unit).strip() == "percent" and float(cell) > 100:
                problem = f"{where(i, 'value', cell)} is not a percentage; expected a number in [0, 100]"
        if problem:
            raise DataError(problem)


def _check_jumps(frame: pd.DataFrame, spec: FileSpec, where: _Where) -> None:
    """Raise if a smooth count is :data:`MAX_JUMP` times off every neighbour (in date order)."""
    if not spec.smooth:
        return
    order = frame[spec.date_column].astype(str).sort_values(kind="stable").index
    notes = [str(n).lower() for n in frame["note"]] if "note" in frame.columns else None
    for col in spec.smooth:
        if col not in frame.columns:
            continue
        series = frame.loc[order, col].dropna()
        series = series[series > 0]
        values = series.to_numpy(dtype=float)
        for k in range(len(values)):
            if notes is not None and KNOWN_BREAK in notes[frame.index.get_loc(series.index[k])]:
                continue
            near = values[max(k - 1, 0) : k + 2]
            near = np.delete(near, 0 if k == 0 else 1)
            ratio = np.maximum(values[k] / near, near / values[k]) if near.size else np.array([1.0])
            if near.size and (ratio >= MAX_JUMP).all():
                i = int(series.index[k])
                raise DataError(
                    f"{where(i, col, f'{values[k]:.0f}')} is {ratio.min():.0f} times off its neighbouring "
                    f"value(s) {', '.join(f'{v:,.0f}' for v in near)}; expected a count of the same order "
                    f"(a misplaced separator or an extra digit?); if the figure is right, write "
                    f"'{KNOWN_BREAK}' in the row's note"
                )


def _check_at_most(frame: pd.DataFrame, name: str, where: _Where) -> None:
    """Raise if a count exceeds the count it is part of in the same row (:data:`AT_MOST`)."""
    for col, limit, since in AT_MOST.get(name, ()):
        if col not in frame.columns or limit not in frame.columns:
            continue
        dates = frame[SPECS[name].date_column].astype(str)
        part, whole = pd.to_numeric(frame[col]), pd.to_numeric(frame[limit])
        bad = (part > whole) & (dates >= since)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{where(i, col, f'{part.iloc[i]:.0f}')} is more than {limit} = "
                f"{whole.iloc[i]:,.0f} in the same row; expected at most that (people in "
                "municipal shelter are registered; an extra digit?)"
            )


#: Columns of names and sources, shown in reports and written to every download: a cell
#: that a spreadsheet would evaluate as a formula is refused (notes may start with ``-``).
NAME_COLUMNS = (
    "name",
    "province",
    "safety_region",
    "safety_region_code",
    "region",
    "geo",
    "metric",
    "unit",
    "source",
    "category",
    "date_precision",
    "period",
    "code",
)


def _check_names(frame: pd.DataFrame, where: _Where) -> None:
    """Raise if a name or source cell starts like a spreadsheet formula (``=``, ``@``, ``+x``, tab)."""
    from capacity.data.tables import is_formula

    for col in NAME_COLUMNS:
        if col not in frame.columns:
            continue
        for i, cell in enumerate(frame[col]):
            if isinstance(cell, str) and is_formula(cell):
                raise DataError(
                    f"{where(i, col, cell)} starts with {cell[:1]!r}, which a spreadsheet "
                    "runs as a formula; expected a name or source as plain text"
                )


def _check_rows(frame: pd.DataFrame, spec: FileSpec, where: _Where) -> None:
    for col in spec.filled:
        empty = frame[col].isna() if col in frame.columns else pd.Series(False, index=frame.index)
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise DataError(f"{where.empty(i, col)}; every row needs a {col}")
    for col, allowed in spec.choices:
        cells = frame[col].dropna() if col in frame.columns else pd.Series(dtype=object)
        unknown = cells[~cells.str.strip().isin(allowed)]
        if not unknown.empty:
            i = int(frame.index.get_loc(unknown.index[0]))
            raise DataError(
                f"{where(i, col, unknown.iloc[0])} is not one of {', '.join(allowed)}; "
                f"expected one of these codes (see the data README)"
            )
    for col, other in spec.together:
        if col not in frame.columns or other not in frame.columns:
            continue
        alone = frame[col].notna() & frame[other].isna()
        if alone.any():
            i = int(np.flatnonzero(alone.to_numpy())[0])
            value = frame[col].iloc[i]
            shown = f"{value:.0f}" if isinstance(value, numbers.Real) and float(value).is_integer() else value
            codes = dict(spec.choices).get(other)
            expected = f" ({' or '.join(codes)})" if codes else ""
            raise DataError(f"{where(i, col, shown)} has no {other}; a row with a {col} needs a {other}{expected}")
    if spec.key:
        dup = frame.duplicated(list(spec.key), keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            keys = ", ".join(f"{k} = {_short(frame[k].iloc[i])}" for k in spec.key)
            raise DataError(f"{where.path}, row {where.lines[i]}: duplicate key ({keys}); each must appear once")


def _read_bytes(name: str, path: Path) -> bytes:
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "data file not found"
        raise DataError(f"{path}: {what} (expected the {name} table)")
    try:
        if path.stat().st_size > formats.MAX_BYTES:
            raise DataError(
                f"{path}: {path.stat().st_size:,} bytes; a data file of at most {formats.MAX_BYTES:,} bytes expected"
            )
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}); expected the {name} table") from None


def _frame(name: str, path: Path, spec: FileSpec) -> tuple[pd.DataFrame, list[int]]:
    """Decode and split ``path`` into a text frame in canonical conventions, with each row's line number."""
    text, encoding = formats.decode(path, _read_bytes(name, path))
    first = next((line for line in text.splitlines() if line.strip()), "")
    separator = formats.sniff_separator(first, spec.required)
    header, rows, lines = formats.parse_rows(path, text, separator)
    missing = [c for c in spec.required if c not in header]
    if missing:
        hint = (
            f"; read as {encoding} with {formats.SEPARATOR_NAMES[separator]} between fields"
            if len(header) > 1
            else f"; no ',' or ';' between the column names: {formats.FIX}"
        )
        raise DataError(
            f"{path}: missing column(s) {missing}; found {[_short(h)[1:-1] for h in header[:12]]}"
            f"{hint}; expected the columns of the {name} table"
        )
    if not rows:
        raise DataError(f"{path}: has a header but no data rows; expected at least one row of the {name} table")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    numeric = [
        c
        for c in (*spec.counts, *spec.text_counts, *spec.shares_pct, *(("value",) if spec.value_forms else ()))
        if c in frame.columns
    ]
    dutch = formats.dutch_numbers(path, separator, (str(c).strip() for col in numeric for c in frame[col]))
    for col in numeric:
        frame[col] = [formats.canonical_number(c, dutch) for c in frame[col]]
    frame[spec.date_column] = [formats.canonical_date(c) for c in frame[spec.date_column]]
    if "value" in numeric:
        frame["value"] = [formats.canonical_date(c, months=False) for c in frame["value"]]
    frame = frame.mask(frame == "").astype(str)
    frame.attrs["rows"] = lines
    return frame, lines


def read_csv(name: str, path: Path | str, *, today: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Read and validate one data file.

    Reads UTF-8, cp1252 and UTF-16 (with byte-order mark), ``,``- or ``;``-separated, with
    Dutch numbers (``120.820``, ``99,8``) in a ``;``-separated file and ``dd-mm-jjjj`` dates;
    returns the canonical frame (ISO dates, numbers in counts and percentages, text elsewhere).

    Args:
        name: The table, a key of :data:`~capacity.data.files.SPECS` (or a drop-in of
            :data:`~capacity.data.files.DROP_INS`).
        path: The file.
        today: The run date, for the check on dates in the future (default: today).

    Raises:
        DataError: One line naming the file, the row (as in a spreadsheet: header = row 1),
            the column, the value and what was expected.

    """
    spec = spec_of(name)
    path = Path(path)
    frame, lines = _frame(name, path, spec)
    where = _Where(path, lines)
    _check_dates(frame, spec, where, pd.Timestamp(today or pd.Timestamp.today()).normalize())
    _check_numbers(frame, spec, where)
    _check_values(frame, spec, where)
    _check_rows(frame, spec, where)
    _check_names(frame, where)
    _check_jumps(frame, spec, where)
    _check_at_most(frame, name, where)
    return frame


def load_table(name: str, data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read one shipped table (validated), e.g. ``"ind_asylum_figures"``.

    Raises:
        DataError: If the name is unknown or the file is malformed.

    """
    if name not in SPECS:
        raise DataError(f"unknown data table {name!r}; expected one of {sorted(SPECS)}")
    return read_csv(name, data_files(data_dir, files)[name])


def check_municipalities(frame: pd.DataFrame, path: Path | str = "municipalities") -> pd.DataFrame:
    """Check the municipalities table read by :func:`read_csv`; return it with integer populations.

    Raises:
        DataError: If codes are not ``GM`` + 4 digits or populations are not positive.

    """
    lines = frame.attrs.get("rows") or [i + 2 for i in range(len(frame))]
    bad = ~frame["code"].astype(str).str.fullmatch(r"GM\d{4}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{path}, row {lines[i]}: code = {_short(frame['code'].iloc[i])} is not GM + 4 digits; "
            f"expected a CBS municipality code like GM0363"
        )
    frame["population"] = frame["population"].astype("int64")
    if (frame["population"] <= 0).any():
        i = int(np.flatnonzero((frame["population"] <= 0).to_numpy())[0])
        raise DataError(
            f"{path}, row {lines[i]}: population = {frame['population'].iloc[i]}; expected a population > 0"
        )
    _compare_with_shipped(frame, path)
    return frame


#: Share of the shipped municipalities' population a municipalities file may lack (mergers
#: move people to a new code; a missing city does not).
MAX_MISSING_POPULATION = 0.01


def _compare_with_shipped(frame: pd.DataFrame, path: Path | str) -> None:
    """Refuse a municipalities file that lacks municipalities of the shipped list (naming them).

    Every municipality's share of the national figure depends on the whole list: without
    Amsterdam every other share rises 5.5 %. Codes that disappear in a merger are fine when
    their people are in the file under the new code (the total stays within
    :data:`MAX_MISSING_POPULATION`).
    """
    import csv
    from importlib import resources

    try:
        with (
            resources.files("capacity")
            .joinpath("datasets", "municipalities.csv")
            .open(encoding="utf-8", newline="") as handle
        ):
            shipped = {row["code"]: (row["name"], int(row["population"])) for row in csv.DictReader(handle)}
    except (OSError, KeyError, ValueError, csv.Error):
        return
    missing = sorted(set(shipped) - set(frame["code"].astype(str)))
    total = sum(pop for _, pop in shipped.values())
    lacking = total - int(frame["population"].sum())
    if missing and total and lacking > MAX_MISSING_POPULATION * total:
        shown = ", ".join(f"{code} {shipped[code][0]}" for code in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise DataError(
            f"{path}: lacks {len(missing)} municipalities of the shipped list ({shown}{more}), "
            f"{lacking:,} inhabitants fewer in total ({lacking / total:.1%}); expected every "
            "municipality (each one's share depends on the whole list)"
        )


def load_municipalities(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the 342 municipalities: code, name, province, population, safety region.

    Raises:
        DataError: If codes are not ``GM`` + 4 digits or populations are not positive.

    """
    path = data_files(data_dir, files)["municipalities"]
    return check_municipalities(read_csv("municipalities", path), path)
