"""The conventions of a CSV file a planner drops in: encoding, separator, numbers and dates.

A file saved by Dutch Excel uses ``;`` between fields, a decimal comma and a ``.`` between
thousands (``120.820`` is 120,820 persons; ``99,8`` is 99.8 %), and may write dates as
``dd-mm-jjjj``; other tools write Windows-1252 (cp1252) or UTF-16. This module turns such a
file into the canonical text the validators read (UTF-8, ``,``-separated values, numbers
with a decimal point and no thousands separator, ISO dates) when the file shows its
convention unambiguously, and otherwise raises :class:`~capacity.errors.DataError` saying
what it found and how to fix it. It never guesses: ``120.820`` is never read as 120.82.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from capacity.errors import DataError

#: Largest file read (bytes): a data file is a few hundred rows.
MAX_BYTES = 50_000_000
SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab"}
FIX = "save it as 'CSV UTF-8 (comma delimited)' with ',' between fields, a decimal point and ISO dates (2025-03-19)"

_INT = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_POINT_DECIMAL = re.compile(r"-?\d*\.\d+(?:[eE][-+]?\d+)?|-?\d+(?:\.\d*)?[eE][-+]?\d+")
_DOT_THOUSANDS = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
_DUTCH_DECIMAL = re.compile(r"-?\d{1,3}(?:\.\d{3})+,\d+|-?\d+,\d+")
_NUMBERISH = re.compile(r"\d[\d.,]*")
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_DUTCH_MONTH = re.compile(r"(\d{1,2})-(\d{4})")
_SLASH_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` of a data file's bytes.

    UTF-8 (with or without byte-order mark), UTF-16 with a byte-order mark and, when the
    bytes are not UTF-8, Windows-1252 are read; anything else is an error.

    Raises:
        DataError: For an empty file, an Excel workbook, UTF-16 without byte-order mark or
            bytes in no known encoding.

    """
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; expected a header row and at least one data row")
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError(f"{path}: this is an Excel workbook, not a CSV file; in Excel {FIX}")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path}: starts with a UTF-16 byte-order mark but byte {exc.start} is not UTF-16; {FIX}"
            ) from None
    if b"\x00" in raw:
        raise DataError(f"{path}: contains NUL bytes (UTF-16 without a byte-order mark, or not a text file); {FIX}")
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: byte {exc.start} is neither UTF-8 nor Windows-1252 text; {FIX}") from None


def sniff_separator(header_line: str, required: Sequence[str]) -> str:
    """Return the separator whose split of the header finds most required columns (then most fields)."""

    def score(sep: str) -> tuple[int, int]:
        fields = [f.strip().strip('"') for f in header_line.split(sep)]
        return sum(c in fields for c in required), len(fields)

    return max(SEPARATORS, key=score)


def parse_rows(path: Path, text: str, separator: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Split ``text`` into a header, data rows (blank lines dropped) and their line numbers.

    Raises:
        DataError: If the header repeats a column, or a row has another number of fields
            than the header or an unclosed quote.

    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    numbered: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                numbered.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataError(
            f"{path}, row {reader.line_num}: cannot be split into fields ({exc}); "
            f"a quote inside a value must be doubled"
        ) from None
    if not numbered:
        raise DataError(f"{path}: the file is empty; expected a header row and at least one data row")
    header = [h.strip() for h in numbered[0][1]]
    seen: set[str] = set()
    for name in header:
        if name in seen and name:
            raise DataError(f"{path}, row 1: column {name!r} appears twice; each column must appear once")
        seen.add(name)
    rows, lines = [], []
    for n, row in numbered[1:]:
        if len(row) > len(header):
            raise DataError(
                f"{path}, row {n}: {len(row)} fields, but the header has {len(header)}; "
                f"a {SEPARATOR_NAMES[separator]} inside a value needs quotes around the value"
            )
        if len(row) < len(header):  # a cut-off row would give cut-off numbers
            raise DataError(
                f"{path}, row {n}: {len(row)} fields, but the header has {len(header)} (a cut-off or "
                f"incomplete row?); every row needs one field per column, empty ones too"
            )
        rows.append(row)
        lines.append(n)
    return header, rows, lines


def _parts(cell: str) -> list[str]:
    """Split a range ``a-b`` of two numbers into its ends; anything else is one part."""
    low, sep, high = cell.partition("-")
    if sep and low and high and _NUMBERISH.fullmatch(low) and _NUMBERISH.fullmatch(high):
        return [low, high]
    return [cell]


def dutch_numbers(path: Path, separator: str, cells: Iterable[str]) -> bool:
    """Tell from a file's number cells whether they use decimal commas and '.' thousands.

    A ``;``-separated file (as Dutch Excel saves) has Dutch numbers unless a cell uses a
    decimal point (``99.8``); a ``,``-separated file never does.

    Raises:
        DataError: If a file mixes decimal commas with decimal points, or a ``,``-separated
            file has a comma inside a number.

    """
    point = comma = None
    for cell in (part for c in cells for part in _parts(c)):
        if point is None and _POINT_DECIMAL.fullmatch(cell) and not _DOT_THOUSANDS.fullmatch(cell):
            point = cell
        if comma is None and _DUTCH_DECIMAL.fullmatch(cell):
            comma = cell
    if separator == ",":
        if comma is not None:
            raise DataError(
                f"{path}: number {comma!r} has a comma inside (a decimal comma or a thousands "
                f"separator); write numbers without thousands separators and with a decimal "
                f"point, or {FIX}"
            )
        return False
    if point is not None and comma is not None:
        raise DataError(
            f"{path}: mixes decimal points ({point!r}) and decimal commas ({comma!r}), so '.' is ambiguous; {FIX}"
        )
    return point is None


def canonical_number(cell: str, dutch: bool) -> str:
    """Return a number cell (or range ``a-b``) in canonical form: Dutch ``120.820,5`` -> ``120820.5``."""
    cell = cell.strip()
    if not dutch:
        return cell
    parts = _parts(cell)
    if all(_DOT_THOUSANDS.fullmatch(p) or _DUTCH_DECIMAL.fullmatch(p) or _INT.fullmatch(p) for p in parts):
        return "-".join(p.replace(".", "").replace(",", ".") for p in parts)
    return cell


def canonical_date(cell: str, *, months: bool = True) -> str:
    """Return ``dd-mm-jjjj`` as ``jjjj-mm-dd`` and ``mm-jjjj`` as ``jjjj-mm`` (each part of an ``a/b`` range).

    ``months=False`` converts days only (in a value column ``10-2000`` may be a range).
    Anything else is returned stripped, for the validator to judge.
    """
    parts = cell.strip().split("/")
    if len(parts) > 2 or _SLASH_DATE.fullmatch(cell.strip()):
        return cell.strip()
    out = []
    for part in parts:
        part = part.strip()
        day = _DUTCH_DATE.fullmatch(part)
        month = _DUTCH_MONTH.fullmatch(part) if months else None
        if day:
            part = f"{day.group(3)}-{int(day.group(2)):02d}-{int(day.group(1)):02d}"
        elif month:
            part = f"{month.group(2)}-{int(month.group(1)):02d}"
        out.append(part)
    return "/".join(out)


def is_slash_date(cell: str) -> bool:
    """Tell whether ``cell`` is a date like ``19/03/2025`` (day and month order unknown)."""
    return bool(_SLASH_DATE.fullmatch(cell.strip()))


def has_thousands_dot(cell: str) -> bool:
    """Tell whether ``cell`` looks like ``120.820``: a '.' followed by exactly three digits."""
    return bool(_DOT_THOUSANDS.fullmatch(cell.strip()))


def is_number(cell: str) -> bool:
    """Tell whether ``cell`` is a plain number: ``-12``, ``99.5``, ``.5``, ``1e3`` (no words, no separators)."""
    return bool(_NUMBER.fullmatch(cell.strip()))


def is_whole(cell: str) -> bool:
    """Tell whether ``cell`` is written as a whole number (``120820``)."""
    return bool(_INT.fullmatch(cell.strip()))
