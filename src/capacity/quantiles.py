"""The quantile table of the output contract, built from sample paths.

Forecast tables are tidy: one row per ``date`` (month start) and ``variable``, columns
``mean`` and the quantiles in :data:`QUANTILE_COLUMNS` (bands of 50, 67, 80 and 95 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES: tuple[float, ...] = (
    0.025,
    0.05,
    0.10,
    0.165,
    0.25,
    0.50,
    0.75,
    0.835,
    0.90,
    0.95,
    0.975,
)
QUANTILE_COLUMNS: tuple[str, ...] = (
    "q0.025",
    "q0.05",
    "q0.10",
    "q0.165",
    "q0.25",
    "q0.50",
    "q0.75",
    "q0.835",
    "q0.90",
    "q0.95",
    "q0.975",
)
CONTRACT_COLUMNS: tuple[str, ...] = ("date", "variable", "mean", *QUANTILE_COLUMNS)
#: Central bands shown in reports: coverage -> (lower column, upper column).
BANDS: dict[int, tuple[str, str]] = {
    50: ("q0.25", "q0.75"),
    67: ("q0.165", "q0.835"),
    80: ("q0.10", "q0.90"),
    95: ("q0.025", "q0.975"),
}


def summarise(paths: np.ndarray, dates: pd.DatetimeIndex, variable: str) -> pd.DataFrame:
    """Summarise sample paths into the contract's quantile table.

    Args:
        paths: Array of shape (n_paths, n_months); one row per sample path.
        dates: Month starts, one per column of ``paths``.
        variable: Name written in the ``variable`` column.

    Returns:
        Frame with columns :data:`CONTRACT_COLUMNS`, one row per date.

    Raises:
        ValueError: If the shapes of ``paths`` and ``dates`` disagree.

    """
    paths = np.asarray(paths, dtype=float)
    if paths.ndim != 2 or paths.shape[1] != len(dates):
        raise ValueError(f"paths must have shape (n_paths, {len(dates)}) to match dates, got {paths.shape}")
    qs = np.quantile(paths, QUANTILES, axis=0)
    table = pd.DataFrame(qs.T, columns=list(QUANTILE_COLUMNS))
    table.insert(0, "mean", paths.mean(axis=0))
    table.insert(0, "variable", variable)
    table.insert(0, "date", pd.DatetimeIndex(dates))
    return table


def summarise_many(paths: dict[str, np.ndarray], dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Summarise several variables' paths into one long contract table."""
    return pd.concat([summarise(p, dates, name) for name, p in paths.items()], ignore_index=True)


def check_contract(table: pd.DataFrame) -> pd.DataFrame:
    """Check that ``table`` follows the quantile contract; return it unchanged.

    Raises:
        ValueError: If columns are missing, quantiles are not ordered, or keys repeat.

    """
    missing = [c for c in CONTRACT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"quantile table lacks columns {missing}")
    q = table[list(QUANTILE_COLUMNS)].to_numpy(dtype=float)
    if np.any(np.diff(q, axis=1) < -1e-9 * np.maximum(1.0, np.abs(q[:, 1:]))):
        raise ValueError("quantile columns must be non-decreasing from q0.025 to q0.975")
    if table.duplicated(["date", "variable"]).any():
        raise ValueError("quantile table has repeated (date, variable) rows")
    return table
