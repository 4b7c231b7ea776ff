"""Write output tables: the CSV that tools read and an Excel copy for planners."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)


def save_table(df: pd.DataFrame, name: str, out_dir: str | Path | None) -> Path | None:
    """Write ``df`` to ``<out_dir>/tables/<name>.csv`` and ``.xlsx``; return the CSV path.

    ``out_dir=None`` writes nothing (interactive use without an output folder).
    """
    if out_dir is None:
        return None
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{name}.csv"
    df.to_csv(csv, index=False)
    excel = df.copy()
    for col in excel.columns:
        if isinstance(excel[col].dtype, pd.DatetimeTZDtype):
            excel[col] = excel[col].dt.tz_localize(None)
    try:
        excel.to_excel(folder / f"{name}.xlsx", index=False)
    except (ValueError, TypeError) as exc:  # keep the CSV even if a cell type is not for Excel
        log.warning("could not write %s.xlsx: %s", name, exc)
    return csv
