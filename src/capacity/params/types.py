"""Reusable field types of the scenario schema: shares, counts, money, months, with their ranges.

Every number in a parameter file is finite (no ``.nan`` or ``.inf``), of the right kind
(``true`` is not a number, ``"3"`` is text) and inside a plausible range, so that a typo
can never become a wrong number in a report. The types here carry those rules once;
the schema's fields use them and narrow them further with ``ge``/``le`` where a field
has a tighter range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
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
            "date_window",
            "must lie between {first} and {last}",
            {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
        )
    return value


def _month_start(value: dt.date) -> dt.date:
    return _in_window(value).replace(day=1)


@dataclass(frozen=True)
class Range:
    """The sanity range of a field type (kept in its metadata, so messages can name both ends).

    Enforced by an after-validator rather than ``Field(ge=..., le=...)``, so that a field
    narrowing it with ``param(..., ge=1)`` keeps both: pydantic keeps only one ``ge``.
    """

    ge: float
    le: float

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        """Publish the range in the JSON Schema (editors check it); a field's own bounds stay."""
        schema = handler(core_schema)
        if "exclusiveMinimum" not in schema:
            schema.setdefault("minimum", self.ge)
        if "exclusiveMaximum" not in schema:
            schema.setdefault("maximum", self.le)
        return schema

    def __call__(self, value: float) -> float:
        """Return ``value`` when it lies in the range, else raise the matching pydantic error."""
        if value < self.ge:
            raise PydanticCustomError("greater_than_equal", "must be at least {ge}", {"ge": self.ge, "le": self.le})
        if value > self.le:
            raise PydanticCustomError("less_than_equal", "must be at most {le}", {"ge": self.ge, "le": self.le})
        return value


def _not_text(value: Any) -> Any:
    """Refuse text and true/false where a number belongs (``'3'`` in YAML is text, not 3)."""
    if isinstance(value, str | bytes | bool):
        raise PydanticCustomError("float_type", "expected a number")
    return value


def ranged(kind: type, ge: float, le: float, *constraints: Any) -> Any:
    """Return a finite ``kind`` (int or float) type that must lie in ``ge``..``le``.

    Text and true/false are refused; numbers of other kinds (numpy integers from the
    models' own trials) are converted as pydantic does. ``constraints`` (e.g.
    ``annotated_types.Gt(0)``) apply first, so the JSON Schema shows them.
    """
    bounds = Range(ge, le)
    finite = [Field(allow_inf_nan=False)] if kind is float else []
    return Annotated[kind, *constraints, *finite, BeforeValidator(_not_text), bounds, AfterValidator(bounds)]


#: A share or probability: a finite number from 0 to 1.
Share = ranged(float, 0, 1)
#: A rate per month (share of a stock that moves each month): a finite number from 0 to 1.
Rate = Share
#: A count of persons, cases or places (may be fractional as an expected value), 0..MAX_PERSONS.
Count = ranged(float, 0, MAX_PERSONS)
#: A whole number of persons, cases or places, 0..MAX_PERSONS.
WholeCount = ranged(int, 0, MAX_PERSONS)
#: A flow or capacity per month (decisions, cases or permits), 0..MAX_PER_MONTH.
PerMonth = ranged(float, 0, MAX_PER_MONTH)
#: An amount in euro, 0..MAX_EUR.
Money = ranged(float, 0, MAX_EUR)
#: A duration in (possibly fractional) months, 0..MAX_MONTHS.
Months = ranged(float, 0, MAX_MONTHS)
#: A whole number of months, 0..MAX_MONTHS.
WholeMonths = ranged(int, 0, MAX_MONTHS)
#: A duration in days, 0..3650.
Days = ranged(float, 0, 3650)
#: A positive factor (ratio of realised to planned, multiplier), 0..100.
Factor = ranged(float, 0, 100)
#: A whole number used as a run setting (paths, models, origins): 0..10 million.
Setting = ranged(int, 0, 10_000_000)
#: A day in the plausible window (FIRST_DATE..LAST_DATE).
Date = Annotated[dt.date, AfterValidator(_in_window)]
#: A month in the plausible window, stored as its first day.
Month = Annotated[dt.date, AfterValidator(_month_start)]
#: A short line of text (names, notes, sources).
ShortText = Annotated[str, Field(max_length=500)]
#: A longer text (descriptions).
LongText = Annotated[str, Field(max_length=10_000)]
