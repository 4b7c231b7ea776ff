"""Reusable field types of the scenario schema: shares, counts, money, months, with their ranges.

Every number in a parameter file is finite (no ``.nan`` or ``.inf``), of the right kind
(``true`` is not a number, ``"3"`` is text) and inside a plausible range, so that a typo
can never become a wrong number in a report. The types here carry those rules once;
the schema's fields use them and narrow them further with ``ge``/``le`` where a field
has a tighter range.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, Strict
from pydantic_core import PydanticCustomError

#: Plausible window of every date in a scenario: the war began in 2022, and a forecast
#: further out than 2040 is not a planning question.
FIRST_DATE = dt.date(2022, 1, 1)
LAST_DATE = dt.date(2040, 12, 31)

#: Largest count of people or cases any parameter may hold (more than half the Dutch
#: population): a guard against typos such as an extra three zeros, not a model limit.
MAX_PERSONS = 10_000_000
#: Largest monthly capacity or flow (decisions, cases, permits, persons per month).
MAX_PER_MONTH = 1_000_000
#: Largest amount of money per day or per case in EUR.
MAX_EUR = 1_000_000
#: Longest duration in months (50 years).
MAX_MONTHS = 600


def _in_window(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise PydanticCustomError(
            "date_window", "must lie between {first} and {last}",
            {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()})
    return value


def _month_start(value: dt.date) -> dt.date:
    return _in_window(value).replace(day=1)


#: A share or probability: a finite number from 0 to 1.
Share = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
#: A rate per month (share of a stock that moves each month): a finite number from 0 to 1.
Rate = Share
#: A count of persons, cases or places (may be fractional as an expected value), 0..MAX_PERSONS.
Count = Annotated[float, Strict(), Field(ge=0, le=MAX_PERSONS, allow_inf_nan=False)]
#: A whole number of persons, cases or places, 0..MAX_PERSONS.
WholeCount = Annotated[int, Strict(), Field(ge=0, le=MAX_PERSONS)]
#: A flow or capacity per month (decisions, cases or permits), 0..MAX_PER_MONTH.
PerMonth = Annotated[float, Strict(), Field(ge=0, le=MAX_PER_MONTH, allow_inf_nan=False)]
#: An amount in euro, 0..MAX_EUR.
Money = Annotated[float, Strict(), Field(ge=0, le=MAX_EUR, allow_inf_nan=False)]
#: A duration in (possibly fractional) months, 0..MAX_MONTHS.
Months = Annotated[float, Strict(), Field(ge=0, le=MAX_MONTHS, allow_inf_nan=False)]
#: A whole number of months, 0..MAX_MONTHS.
WholeMonths = Annotated[int, Strict(), Field(ge=0, le=MAX_MONTHS)]
#: A duration in days, 0..3650.
Days = Annotated[float, Strict(), Field(ge=0, le=3650, allow_inf_nan=False)]
#: A positive factor (ratio of realised to planned, multiplier), 0..100.
Factor = Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)]
#: A whole number used as a run setting (paths, models, origins): 0..10 million.
Setting = Annotated[int, Strict(), Field(ge=0, le=10_000_000)]
#: A day in the plausible window (FIRST_DATE..LAST_DATE).
Date = Annotated[dt.date, AfterValidator(_in_window)]
#: A month in the plausible window, stored as its first day.
Month = Annotated[dt.date, AfterValidator(_month_start)]
#: A short line of text (names, notes, sources).
ShortText = Annotated[str, Field(max_length=500)]
#: A longer text (descriptions).
LongText = Annotated[str, Field(max_length=10_000)]
