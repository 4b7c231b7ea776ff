"""The run's "today": one home for the reference date that every "is this in the past" asks.

It lives in :mod:`capacity.params` (the lowest layer that needs it: scenario shocks written
as months after the run are placed on the calendar when a scenario loads);
:mod:`capacity.data` re-exports it as ``capacity.data.reference_date``.
"""

from __future__ import annotations

import os

import pandas as pd

from capacity.project import AS_OF_ENV  # set by ``capacity run --as-of`` for workers and kernels


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
