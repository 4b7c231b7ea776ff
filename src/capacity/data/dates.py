"""Month arithmetic on month-start timestamps."""

from __future__ import annotations

from typing import overload

import pandas as pd


@overload
def months_between(start: pd.Timestamp, end: pd.Timestamp) -> int: ...
@overload
def months_between(start: pd.Timestamp, end: pd.DatetimeIndex) -> pd.Index: ...


def months_between(start: pd.Timestamp, end: pd.Timestamp | pd.DatetimeIndex) -> int | pd.Index:
    """Return the whole calendar months from ``start`` to ``end`` (``end - start``, months).

    Days are ignored: 2024-01-31 to 2024-02-01 is one month. ``end`` may be a
    ``DatetimeIndex``: then one count per element (negative before ``start``).
    """
    start = pd.Timestamp(start)
    if not isinstance(end, pd.DatetimeIndex):
        end = pd.Timestamp(end)
    return (end.year - start.year) * 12 + (end.month - start.month)
