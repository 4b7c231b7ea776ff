"""Write output tables: the CSV that tools read and an Excel copy for planners.

Downloads keep unrounded values, without float noise: every float is written with
:data:`SIGNIFICANT_DIGITS` significant digits (exact for every whole count below 100
million; a relative 1e-8 is far below the Monte Carlo error of any quantile or mean).
Dates at midnight are written as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: The download formats (``csv`` is always written; ``xlsx`` is the planners' copy).
FORMATS = ("csv", "xlsx")
#: Significant digits of the floats written (see the module docstring).
SIGNIFICANT_DIGITS = 8


def download_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` as written: floats to :data:`SIGNIFICANT_DIGITS`, midnight dates as dates."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            out[col] = _significant(series.to_numpy(dtype=float), SIGNIFICANT_DIGITS)
        elif pd.api.types.is_datetime64_any_dtype(series):
            if isinstance(series.dtype, pd.DatetimeTZDtype):
                series = series.dt.tz_localize(None)
            valid = series.dropna()
            out[col] = (series.dt.strftime("%Y-%m-%d").where(series.notna(), None)
                        if (valid == valid.dt.normalize()).all() else series)
    return out


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
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


def save_table(df: pd.DataFrame, name: str, out_dir: str | Path | None,
               formats: str | Collection[str] = FORMATS) -> Path | None:
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
    frame.to_csv(csv, index=False)
    if "xlsx" in formats:
        try:
            _excel_dates(frame).to_excel(folder / f"{name}.xlsx", index=False)
        except (ValueError, TypeError) as exc:  # keep the CSV even if a cell type is not for Excel
            log.warning("could not write %s.xlsx: %s", name, exc)
    return csv


def _excel_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its ``YYYY-MM-DD`` text columns as dates (Excel shows them as dates)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col].dropna()
        if ((out[col].dtype == object or pd.api.types.is_string_dtype(out[col])) and len(values)
                and values.map(type).eq(str).all()
                and values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()):
            out[col] = pd.to_datetime(out[col])
    return out


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write one workbook with a sheet per frame (names at most 31 characters, as Excel allows).

    Used for one workbook per scenario with a sheet per municipality (the sheet name is the
    CBS code). Frames are written as they are (read back from their CSVs, already rounded).

    Raises:
        ValueError: For a sheet name longer than 31 characters or an empty workbook.

    """
    import openpyxl

    if not sheets:
        raise ValueError(f"workbook {path}: no sheets to write")
    long = [name for name in sheets if len(name) > 31]
    if long:
        raise ValueError(f"workbook {path}: sheet names {long} are longer than 31 characters")
    path = Path(path)
    book = openpyxl.Workbook(write_only=True)  # streams rows: about a third less CPU than to_excel
    for name, frame in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([str(c) for c in frame.columns])
        frame = _excel_dates(frame)
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
    tmp = path.with_name(path.name + ".part")
    book.save(tmp)
    tmp.replace(path)
    return path


def _cell(value: object) -> object:
    """Return a value openpyxl writes: dates as dates, NaN as an empty cell."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value.to_pydatetime()
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
