"""Month arithmetic on month-start timestamps."""

from __future__ import annotations

from typing import overload

import pandas as pd

# The run's "today" has its home in capacity.params.clock (a scenario places shocks written as
# months after the run when it loads); re-exported for the data layer and its callers.
from capacity.params.clock import AS_OF_ENV, reference_date, reference_month

__all__ = ["AS_OF_ENV", "months_between", "reference_date", "reference_month"]


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
