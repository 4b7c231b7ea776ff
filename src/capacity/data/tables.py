"""Write output tables: the CSV that tools read and an Excel copy for planners.

Downloads keep unrounded values, without float noise: every float is written with
:data:`SIGNIFICANT_DIGITS` significant digits (exact for every whole count below 100
million; a relative 1e-8 is far below the Monte Carlo error of any quantile or mean).
Dates at midnight are written as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import tempfile
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: The download formats (``csv`` is always written; ``xlsx`` is the planners' copy).
FORMATS = ("csv", "xlsx")
#: Significant digits of the floats written (see the module docstring).
SIGNIFICANT_DIGITS = 8
#: Significant digits of a municipality's forecast table: its figures are the national ones
#: times an allocation share, so a relative 1e-6 is still far below their Monte Carlo error,
#: and every whole count below a million stays exact. 342 municipalities x 16 scenarios of
#: them are a fifth smaller than with :data:`SIGNIFICANT_DIGITS`.
MUNICIPAL_SIGNIFICANT_DIGITS = 6


def download_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` as written: floats to :data:`SIGNIFICANT_DIGITS`, midnight dates as dates."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            out[col] = round_significant(series.to_numpy(dtype=float), SIGNIFICANT_DIGITS)
        elif pd.api.types.is_datetime64_any_dtype(series):
            if isinstance(series.dtype, pd.DatetimeTZDtype):
                series = series.dt.tz_localize(None)
            valid = series.dropna()
            out[col] = (
                series.dt.strftime("%Y-%m-%d").where(series.notna(), None)
                if (valid == valid.dt.normalize()).all()
                else series
            )
    return out


#: A text cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def is_formula(value: object) -> bool:
    """Tell whether a cell is text a spreadsheet would evaluate (``=…``, ``@…``, ``-x`` but not ``-12``)."""
    return (
        isinstance(value, str) and value[:1] in FORMULA_STARTS and not (value[:1] in "+-" and _NUMBER.fullmatch(value))
    )


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell a spreadsheet would evaluate prefixed by ``'`` (OWASP).

    A municipality name ``=HYPERLINK(…)`` or a source ``=cmd|…`` from a data file would
    otherwise run in Excel when a planner opens the CSV download. Numbers, and text that is
    a number such as ``-12``, are left as they are. A carriage return inside a cell becomes a
    line feed: pandas does not quote a lone carriage return, so a spreadsheet would start a new row
    at it, with the rest of the cell (``=1+1``) as its first cell. (The ``.xlsx`` copies write
    text as inline strings, which Excel never evaluates.)
    """
    out = frame
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        texts = series.astype(object)
        returns = texts.map(lambda v: isinstance(v, str) and "\r" in v).astype(bool)
        if returns.any():
            texts = texts.where(~returns, texts.astype(str).str.replace("\r\n?", "\n", regex=True))
        mask = texts.map(is_formula).astype(bool)
        if mask.any():
            texts = texts.where(~mask, "'" + texts.astype(str))
        if mask.any() or returns.any():
            if out is frame:
                out = frame.copy()
            out[col] = texts
    return out


def round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    """Round each value to ``digits`` significant digits (NaN and inf stay as they are)."""
    finite = np.isfinite(values) & (values != 0)
    out = values.copy()
    magnitude = np.floor(np.log10(np.abs(values[finite])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[finite] = np.round(values[finite] * scale) / scale
    return out


def download_formats(formats: str | Collection[str]) -> tuple[str, ...]:
    """Return the formats of ``"csv,xlsx"`` (a notebook's scalar parameter) or a list of them."""
    if isinstance(formats, str):
        return tuple(part.strip() for part in formats.split(",") if part.strip())
    return tuple(formats)


def save_table(
    df: pd.DataFrame, name: str, out_dir: str | Path | None, formats: str | Collection[str] = FORMATS
) -> Path | None:
    """Write ``df`` to ``<out_dir>/tables/<name>.csv`` (and ``.xlsx`` if asked); return the CSV path.

    ``out_dir=None`` writes nothing (interactive use without an output folder). ``formats``
    is a subset of :data:`FORMATS` (or ``"csv,xlsx"``); the CSV is always written (tools and checks read it).

    Raises:
        ValueError: For a format that is not in :data:`FORMATS`.

    """
    formats = download_formats(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"save_table {name}: formats {unknown}: expected a subset of {list(FORMATS)}")
    if out_dir is None:
        return None
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{name}.csv"
    frame = download_frame(df)
    with replacing_file(csv) as tmp:
        neutralise_formulas(frame).to_csv(tmp, index=False)
    if "xlsx" in formats:
        try:
            write_workbook({_sheet_name(name): frame}, folder / f"{name}.xlsx")
        except (ValueError, TypeError) as exc:  # keep the CSV even if a cell type is not for Excel
            log.warning("could not write %s.xlsx: %s", name, exc)
    return csv


def _sheet_name(name: str) -> str:
    """Return a table's name as an Excel sheet name (at most 31 characters, no ``[]:*?/`` or backslash)."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "table"


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _excel_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its ``YYYY-MM-DD`` text columns as dates (Excel shows them as dates)."""
    out = frame.copy()
    for col in out.columns:
        if not (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            continue
        values = out[col].dropna()
        if (
            len(values)
            and isinstance(values.iloc[0], str)
            and _DAY.fullmatch(values.iloc[0])
            and values.map(type).eq(str).all()
            and values.str.fullmatch(_DAY.pattern).all()
        ):
            out[col] = pd.to_datetime(out[col], format="%Y-%m-%d")
    return out


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one workbook with a sheet per frame (names at most 31 characters, as Excel allows).

    Every table's ``.xlsx`` (:func:`save_table`) is one of these, with one sheet. Frames are
    written as they are (already rounded by :func:`download_frame`); ``YYYY-MM-DD`` text
    columns become dates. The sheets' XML is written directly (numbers, dates, text, empty
    cells for NaN and inf): about six times faster than openpyxl's cell objects (30 ms a
    sheet, 3 minutes of CPU for ``report-full``), and no 0.17 s openpyxl import per kernel.

    Raises:
        ValueError: For a sheet name Excel refuses (empty, longer than 31 characters, or
            with one of the characters it does not allow), or an empty workbook.

    """
    import zipfile

    if not sheets:
        raise ValueError(f"workbook {path}: no sheets to write")
    bad = [name for name in sheets if not 0 < len(name) <= 31 or set(name) & set("[]:*?/\\")]
    if bad:
        raise ValueError(f"workbook {path}: sheet names {bad} are longer than 31 characters or contain one of []:*?/\\")
    path = Path(path)
    with replacing_file(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        for member, text in _workbook_parts(list(sheets)).items():
            book.writestr(_member(member), text)
        for n, frame in enumerate(sheets.values(), start=1):
            book.writestr(_member(f"xl/worksheets/sheet{n}.xml"), _sheet_xml(_excel_dates(frame)))
    return path


def _member(name: str) -> Any:
    """Return a zip member with a fixed time (1980-01-01): the same tables give the same bytes."""
    import zipfile

    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


@contextlib.contextmanager
def replacing_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``, unique to this writer; then move it onto ``path``.

    Readers never see half a file, and notebooks of one scenario that save the same table at
    the same time (the headline table) each write their own temporary file: the last one
    moved in wins, whole. On an error the temporary file is removed.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # as a file written directly (mkstemp makes it private)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Style 0: general; style 1: a date shown as yyyy-mm-dd.
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="yyyy-mm-dd"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
    '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" '
    'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle '
    'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _workbook_parts(names: list[str]) -> dict[str, str]:
    """Return the package parts of a workbook with these sheets, other than the sheets."""
    from xml.sax.saxutils import quoteattr

    n = len(names)
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    return {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}">{rels}<Relationship Id="rId{n + 1}" '
            f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }


def _sheet_xml(frame: pd.DataFrame) -> str:
    """Return a worksheet's XML: a header row of the column names, then the frame's rows."""
    letters = [_column_letter(i) for i in range(len(frame.columns))]
    columns = [[_text_cell(str(name))] for name in frame.columns]
    for j, col in enumerate(frame.columns):
        columns[j] += _cells(frame[col])
    rows = []
    for i, cells in enumerate(zip(*columns, strict=True), start=1):
        body = "".join(f'<c r="{letter}{i}"{cell}' if cell else "" for letter, cell in zip(letters, cells, strict=True))
        rows.append(f'<row r="{i}">{body}</row>')
    return f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


def _cells(series: pd.Series) -> list[str]:
    """Return each value's cell, without its ``<c r="..."`` (empty text: no cell)."""
    if pd.api.types.is_bool_dtype(series):
        return [f' t="b"><v>{int(v)}</v></c>' for v in series]
    if pd.api.types.is_datetime64_any_dtype(series):
        days = (series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series) - pd.Timestamp(
            "1899-12-30"
        )
        serial = days / pd.Timedelta(days=1)
        return [f' s="1"><v>{v!r}</v></c>' if v == v else "" for v in serial.astype(float).tolist()]
    if pd.api.types.is_numeric_dtype(series):
        return [f"><v>{v!r}</v></c>" if math.isfinite(v) else "" for v in series.astype(float).tolist()]
    texts: dict[str, str] = {}  # a column repeats its codes and names: escape each once
    cells = []
    for v in series.astype(object).tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            cells.append("")
            continue
        text = str(v)
        if text not in texts:
            texts[text] = _text_cell(text)
        cells.append(texts[text])
    return cells


def _text_cell(text: str) -> str:
    from xml.sax.saxutils import escape

    # Characters XML 1.0 does not allow (control characters) are dropped.
    clean = "".join(ch for ch in text if ch >= " " or ch in "\t\n\r")
    return f' t="inlineStr"><is><t xml:space="preserve">{escape(clean)}</t></is></c>'


def _column_letter(index: int) -> str:
    """Return the spreadsheet letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
