"""Month arithmetic on month-start timestamps."""

from __future__ import annotations

import os
from typing import overload

import pandas as pd

from capacity.project import AS_OF_ENV


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


def reference_date(as_of: object = None) -> pd.Timestamp:
    """Return the run's "today" (midnight): ``as_of`` if given, else ``$CAPACITY_AS_OF``, else the run date.

    Every module that asks "what is known now" or "how far ahead" counts from this date:
    data dated after it are not seen, horizons start from its month.
    """
    value = as_of if as_of not in (None, "") else os.environ.get(AS_OF_ENV) or None
    return pd.Timestamp(value if value is not None else pd.Timestamp.today()).normalize()


def reference_month(as_of: object = None) -> pd.Timestamp:
    """Return the month start of :func:`reference_date`."""
    return reference_date(as_of).to_period("M").to_timestamp()
