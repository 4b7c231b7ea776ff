"""Validated readers of the data files: errors name the file, the spreadsheet row and the problem."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from capacity.data.files import SPECS, data_files
from capacity.errors import DataError


def _parse_period_start(text: str) -> pd.Timestamp | None:
    """Parse '2024', '2024-05', '2024-05-01', '2024-Q1', '2023-H1' or 'a/b' to a start date."""
    text = str(text).strip().split("/")[0]
    try:
        if len(text) == 4 and text.isdigit():
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


def _parse_date(value: str) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(str(value).strip())
    except (ValueError, TypeError):
        return None


def read_csv(name: str, path: Path | str) -> pd.DataFrame:  # noqa: C901 - one check per rule of the spec
    """Read and validate one data file.

    Checks: the file exists and parses; required columns are present; every date parses;
    count columns are numbers >= 0; percentages lie in [0, 100]; key columns do not repeat.

    Raises:
        DataError: Naming the file, the row (as in a spreadsheet: header = row 1) and the
            problem.

    """
    spec = SPECS[name]
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: data file not found (expected the {name} table)")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as CSV: {exc}") from exc
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}")

    def row(i: int) -> str:
        return f"{path}, row {i + 2}"

    for i, value in frame[spec.date_column].items():
        if pd.isna(value):
            raise DataError(f"{row(i)}: column {spec.date_column!r} is empty; expected a date")
        parsed = _parse_period_start(value) if spec.date_is_period else _parse_date(value)
        if parsed is None:
            raise DataError(
                f"{row(i)}: {spec.date_column} = {value!r} is not a date (expected e.g. 2024-05-01 or 2024-05)"
            )
    for col in spec.counts + spec.shares_pct:
        if col not in frame.columns:
            continue
        numbers = pd.to_numeric(frame[col], errors="coerce")
        bad = frame[col].notna() & numbers.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{row(i)}: {col} = {frame[col].iloc[i]!r} is not a number")
        negative = numbers < 0
        if negative.any():
            i = int(np.flatnonzero(negative.to_numpy())[0])
            raise DataError(f"{row(i)}: {col} = {numbers.iloc[i]:g} is negative; counts must be >= 0")
        if col in spec.shares_pct and (numbers > 100).any():
            i = int(np.flatnonzero((numbers > 100).to_numpy())[0])
            raise DataError(f"{row(i)}: {col} = {numbers.iloc[i]:g} is not a percentage in [0, 100]")
        frame[col] = numbers
    if spec.key:
        dup = frame.duplicated(list(spec.key), keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            keys = ", ".join(f"{k} = {frame[k].iloc[i]!r}" for k in spec.key)
            raise DataError(f"{row(i)}: duplicate key ({keys}); each must appear once")
    return frame


def load_table(name: str, data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read one shipped table (validated), e.g. ``"ind_asylum_figures"``.

    Raises:
        DataError: If the name is unknown or the file is malformed.

    """
    if name not in SPECS:
        raise DataError(f"unknown data table {name!r}; expected one of {sorted(SPECS)}")
    return read_csv(name, data_files(data_dir, files)[name])


def load_municipalities(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the 342 municipalities: code, name, province, population, safety region.

    Raises:
        DataError: If codes are not ``GM`` + 4 digits or populations are not positive.

    """
    frame = load_table("municipalities", data_dir, files)
    bad = ~frame["code"].str.fullmatch(r"GM\d{4}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"municipalities, row {i + 2}: code {frame['code'].iloc[i]!r} is not GM + 4 digits")
    frame["population"] = frame["population"].astype("int64")
    if (frame["population"] <= 0).any():
        raise DataError("municipalities: every population must be > 0")
    return frame
