"""Dates in a scenario checked against the run's "today": a shock or a policy date in the past.

A scenario written a year ago may start its shocks in months that have since passed,
unobserved: the forecast would then apply a ceasefire or a surge to months the data already
cover (or, worse, to months that are neither data nor future). :func:`past_dates` names every
such key, so that ``capacity validate`` (and a run) can warn before any notebook runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from capacity.params.backlog import TPD_END
from capacity.params.scenario import Scenario


@dataclass(frozen=True)
class PastDate:
    """One date in a scenario that lies before the run's "today".

    Attributes:
        key: Key path in the file, e.g. ``forecast.shocks[0].start``.
        value: The date.
        reference: The run's "today" it was checked against.
        message: One sentence a planner can act on.

    """

    key: str
    value: dt.date
    reference: dt.date
    message: str


def past_dates(scn: Scenario, reference: dt.date | pd.Timestamp, *, in_force: dt.date | None = None) -> list[PastDate]:
    """Return the scenario's dates that lie before the run's "today" (``reference``).

    Checked: every shock's ``start`` given as a calendar month (a shock written as
    ``start_months_after_run`` is never in the past), ``backlog.tpd_end_date`` when it is in
    the past and is not the TPD end in force (a TPD end that has passed is the regime after
    the TPD; another past date is a past that did not happen) and the months of
    ``shelter.places_changes``. Months are compared with the run's month: a shock that starts
    in the run's own month is current, not past.

    Args:
        scn: A validated scenario.
        reference: The run's "today" (:func:`capacity.data.reference_date`).
        in_force: The TPD end in force (default: the schema's default, the date the EU decided).

    Returns:
        One :class:`PastDate` per key, in file order (empty: nothing in the past).

    """
    in_force = TPD_END if in_force is None else in_force
    today = pd.Timestamp(reference).normalize()
    month = today.to_period("M").to_timestamp()
    when = f"the run's month {month:%Y-%m} (as of {today:%Y-%m-%d})"
    found: list[PastDate] = []
    for i, shock in enumerate(scn.forecast.shocks):
        if shock.start_months_after_run is None and shock.start is not None and pd.Timestamp(shock.start) < month:
            found.append(
                PastDate(
                    f"forecast.shocks[{i}].start",
                    shock.start,
                    today.date(),
                    f"forecast.shocks[{i}].start = {shock.start} (shock {shock.name!r}) lies before {when}: "
                    "the shock would act on months already past, unobserved; write "
                    "start_months_after_run (months after the run) or a later start",
                )
            )
    tpd_end = scn.backlog.tpd_end_date
    if pd.Timestamp(tpd_end) < today and tpd_end != in_force:
        found.append(
            PastDate(
                "backlog.tpd_end_date",
                tpd_end,
                today.date(),
                f"backlog.tpd_end_date = {tpd_end} lies before the run's date {today:%Y-%m-%d} and is not "
                f"the TPD end in force ({in_force}, the baseline's): a past that did not happen; set a "
                "later date",
            )
        )
    for i, change in enumerate(scn.shelter.places_changes):
        if pd.Timestamp(change.month) < month:
            found.append(
                PastDate(
                    f"shelter.places_changes[{i}].month",
                    change.month,
                    today.date(),
                    f"shelter.places_changes[{i}].month = {change.month} lies before {when}: places "
                    "opened or closed then are in the data, not in a plan; use a later month",
                )
            )
    return found
