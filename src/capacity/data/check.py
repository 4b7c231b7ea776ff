"""Check the data files a scenario will read, with the readers the run uses, before anything runs.

``capacity validate`` and ``capacity run --dry-run`` call :func:`check_scenario_data`: it
resolves ``data.data_dir`` / ``data.files`` as the run does (relative paths from the project
folder), opens every file with :func:`~capacity.data.read.read_csv` and builds the history
with :func:`~capacity.data.history.load_history`, so what passes here also loads in the
notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from capacity.data.files import data_files, project_root, scenario_files
from capacity.data.history import load_history
from capacity.data.read import check_municipalities, read_csv
from capacity.errors import DataError
from capacity.params.base import DataConfig


def check_files(paths: Mapping[str, Path | str], *, today: pd.Timestamp | str | None = None) -> list[str]:
    """Read and validate every file in ``paths`` (``{name: path}``) as a run would.

    Args:
        paths: Data files by name, e.g. :func:`~capacity.data.files.data_files` (missing
            names: the shipped copies).
        today: The run date, for the check on dates in the future.

    Returns:
        One line per problem (file, row, column, value, what was expected); empty when
        every file reads.

    """
    problems = []
    for name, path in paths.items():
        try:
            frame = read_csv(name, path, today=today)
            if name == "municipalities":
                check_municipalities(frame, path)
        except DataError as exc:
            problems.append(str(exc))
    if not problems:
        try:
            load_history(files={name: str(path) for name, path in paths.items()})
        except DataError as exc:
            problems.append(str(exc))
    return problems


#: The series each fit start of the forecast cuts (the run fails without two months of it).
FIT_SERIES = {"forecast.fit_start": "arrivals", "forecast.departure_fit_start": "departures"}


def check_fit_window(history: pd.DataFrame, fit_starts: Mapping[str, object]) -> list[str]:
    """Return a problem for each fit start (``{"forecast.fit_start": date}``) that leaves under two months of data.

    A fit start after the last observed month of its series passes the schema (a month in
    the plausible window) and failed only in the run; here it is named before anything runs.
    """
    problems = []
    for key, start in fit_starts.items():
        variable = FIT_SERIES.get(key)
        rows = history[(history["variable"] == variable) & history["value"].notna()] if variable else None
        if rows is None or rows.empty:
            continue
        dates = pd.to_datetime(rows["date"])
        start = pd.Timestamp(start).to_period("M").to_timestamp()
        if (dates >= start).sum() < 2:
            last = dates.max()
            problems.append(
                f"{key} = {start:%Y-%m}: leaves fewer than two months of {variable} to fit "
                f"(the data end at {last:%Y-%m}); expected a month before {last:%Y-%m}"
            )
    return problems


def check_places_changes(history: pd.DataFrame, changes: Sequence[Any]) -> list[str]:
    """Return a problem for a planned closure larger than the places there are at that month.

    The places start from the last observed count and follow ``shelter.places_changes``
    (each with ``month`` and ``change``) in month order; they may not go below zero.
    """
    rows = history[(history["variable"] == "places") & history["value"].notna()]
    if rows.empty or not changes:
        return []
    places = float(rows.sort_values("date")["value"].iloc[-1])
    for i, item in sorted(enumerate(changes), key=lambda pair: pd.Timestamp(pair[1].month)):
        if places + item.change < 0:
            return [
                f"shelter.places_changes[{i}].change = {item.change}: closes more places in "
                f"{pd.Timestamp(item.month):%Y-%m} than there are then ({places:,.0f}: the last "
                f"observed count and the earlier changes); expected at least {-places:,.0f}"
            ]
        places += item.change
    return []


def check_scenario_data(
    data_cfg: DataConfig,
    *,
    today: pd.Timestamp | str | None = None,
    fit_starts: Mapping[str, object] | None = None,
    places_changes: Sequence[Any] = (),
) -> list[str]:
    """Check the data files of a scenario's ``data`` section; return one line per problem.

    ``fit_starts`` (``{"forecast.fit_start": date, ...}``) and ``places_changes`` (the
    scenario's ``shelter.places_changes``) are checked against the history too
    (:func:`check_fit_window`, :func:`check_places_changes`).
    """
    try:
        paths = scenario_files(data_cfg)
    except DataError as exc:
        return [str(exc)]
    if data_cfg.data_dir:
        folder = data_files(data_cfg.data_dir)["municipalities"].parent
        if not folder.is_dir():
            relative = (
                ""
                if Path(data_cfg.data_dir).expanduser().is_absolute()
                else (f" (a relative path counts from the project folder {project_root()})")
            )
            return [
                f"data.data_dir = {data_cfg.data_dir!r}: folder {folder} not found{relative}; "
                f"expected a folder with the CSV files"
            ]
    problems = check_files(paths, today=today)
    if not problems and (fit_starts or places_changes):
        history = load_history(files={name: str(path) for name, path in paths.items()})
        problems = check_fit_window(history, fit_starts or {}) + check_places_changes(history, places_changes)
    return problems


def check_scenario(scn: Any, *, today: pd.Timestamp | str | None = None) -> list[str]:
    """Check a validated scenario against its data: files, fit starts, planned closures.

    The one data check of ``capacity validate``, ``capacity run`` and the scenario editor.
    Problems about the scenario's own keys start with the key (``forecast.…``, ``shelter.…``).
    """
    starts = {
        "forecast.fit_start": scn.forecast.fit_start,
        "forecast.departure_fit_start": scn.forecast.departure_fit_start,
    }
    return check_scenario_data(scn.data, today=today, fit_starts=starts, places_changes=scn.shelter.places_changes)
