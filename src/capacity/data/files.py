"""The data files a run reads: their specifications and the one resolver of their paths.

The shipped CSVs in ``capacity/datasets/`` are published figures with their sources (see
``datasets/README.md``); a scenario can point a run at newer files in the same format with
``data.data_dir`` or ``data.files``. :func:`data_files` (or :func:`scenario_files` for a
scenario's ``data`` section) is the only place that works out which files those are: the
loaders, ``capacity backtest`` and the run manifest all ask it.

Besides the tables, a planner keeps new counts in a *drop-in*, ``<project>/data/counts.csv``
(:data:`DROP_INS`): rows in the columns of ``ukraine_shelter_nl``, read beside that table
whatever ``data.data_dir`` says, validated like it and hashed in the run manifest like it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from capacity.errors import DataError
from capacity.params.base import DataConfig


@dataclass(frozen=True)
class FileSpec:
    """What a data file must contain: key columns, date column and count columns."""

    required: tuple[str, ...]
    date_column: str
    key: tuple[str, ...]
    counts: tuple[str, ...] = ()
    shares_pct: tuple[str, ...] = ()
    date_is_period: bool = False
    #: Date forms allowed in ``date_column`` when not a period: ``day`` (2024-05-01), ``month`` (2024-05).
    date_forms: tuple[str, ...] = ("day", "month")
    #: Earliest plausible date (the series on people from Ukraine start in 2022).
    earliest: str = "2022-01-01"
    #: Whether dates after the run date (+ 1 month) are plausible (plans, legal end dates).
    future_ok: bool = False
    #: Counts whose neighbours (in date order) must not differ by orders of magnitude.
    smooth: tuple[str, ...] = ()
    #: Columns that must hold a value in every row.
    filled: tuple[str, ...] = ()
    #: A ``value`` column of published facts: ``number`` only, or also ``range`` (a-b) and ``date``.
    value_forms: tuple[str, ...] = ()
    #: Other columns of whole counts, checked like ``counts`` but kept as text.
    text_counts: tuple[str, ...] = ()
    #: ``(column, allowed values)``: a column whose non-empty cells must be one of these codes.
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: ``(column, other)``: a row with a value in ``column`` needs one in ``other`` (checked when
    #: the file has both columns).
    together: tuple[tuple[str, str], ...] = ()


#: The published series of the registered count (``series`` in ``ukraine_shelter_nl``; see
#: datasets/README.md): the ministry's letters to parliament (people registered in the BRP
#: under the RTB) and its biweekly table as quoted by the monitor report and the press.
REGISTERED_SERIES = ("rtb_letter", "table_press")


def _facts(
    date_column: str = "date_or_period",
    *,
    earliest: str = "2022-01-01",
    future_ok: bool = False,
    value_forms: tuple[str, ...] = ("number",),
) -> FileSpec:
    """Spec of a long table of published facts: one ``metric`` per date or period."""
    return FileSpec(
        required=(date_column, "metric", "value", "unit", "source"),
        date_column=date_column,
        key=(date_column, "metric"),
        date_is_period=True,
        earliest=earliest,
        future_ok=future_ok,
        filled=("metric", "value"),
        value_forms=value_forms,
    )


SPECS: dict[str, FileSpec] = {
    "ukraine_shelter_nl": FileSpec(
        required=(
            "date",
            "date_precision",
            "registered_brp",
            "in_municipal_shelter",
            "shelter_places",
            "occupancy_pct_reported",
            "source",
        ),
        date_column="date",
        key=(),  # several reports per month are expected
        counts=("registered_brp", "in_municipal_shelter", "shelter_places", "free_places_reported"),
        shares_pct=("occupancy_pct_reported", "occupancy_pct_derived"),
        smooth=("registered_brp", "in_municipal_shelter", "shelter_places"),
        choices=(("series", REGISTERED_SERIES),),
        together=(("registered_brp", "series"), ("series", "registered_brp")),
    ),
    "eurostat_tp_nl_monthly": FileSpec(
        required=("date", "geo", "tp_beneficiaries_stock_end_month", "tp_grants_in_month", "source"),
        date_column="date",
        key=("date", "geo"),
        counts=(
            "tp_beneficiaries_stock_end_month",
            "tp_grants_in_month",
            "asylum_applicants_excl_ukr",
            "asylum_pending_excl_ukr",
        ),
        date_forms=("month",),
        filled=("geo", "tp_beneficiaries_stock_end_month", "tp_grants_in_month"),
        smooth=(
            "tp_beneficiaries_stock_end_month",
            "tp_grants_in_month",
            "asylum_applicants_excl_ukr",
            "asylum_pending_excl_ukr",
        ),
    ),
    # The monitor report states legal end dates (4 Mar 2026) and ranges beside its counts.
    "monitor_report_facts": _facts(future_ok=True, value_forms=("number", "range", "date")),
    "ukraine_registrations_cbs": _facts(),
    "ind_asylum_figures": _facts(earliest="2000-01-01"),
    "municipalities": FileSpec(
        required=("code", "name", "province", "population", "safety_region_code", "safety_region"),
        date_column="population_date",
        key=("code",),
        counts=("population",),
        date_forms=("day",),
        earliest="2000-01-01",
        filled=("code", "name", "province", "population", "safety_region_code", "safety_region"),
    ),
    "policy_timeline": FileSpec(
        required=("date", "category", "item", "source"),
        date_column="date",
        key=(),
        date_is_period=True,
        future_ok=True,
        value_forms=("number", "range", "date"),
    ),
    "dtv_intake_departures_annual": FileSpec(
        required=("year", "period", "source"),
        date_column="year",
        key=("year", "period"),
        date_is_period=True,
        earliest="2000-01-01",
        text_counts=(
            "intake_from_IND",
            "intake_from_police_NP",
            "intake_from_KMar",
            "intake_other",
            "departure_independent_zelfstandig",
            "departure_forced_gedwongen",
            "departure_independent_without_supervision",
            "departure_total_reported",
        ),
    ),
    "dtv_return_case_outcomes": _facts("year", earliest="2000-01-01"),
    "shelter_regional_points": FileSpec(
        required=("date", "region", "places", "occupied_or_in_shelter", "source"),
        date_column="date",
        key=(),
        counts=("places", "occupied_or_in_shelter", "target_places"),
        filled=("region",),
    ),
}


#: Drop-in files a planner keeps in the project's data folder (:func:`project_data_dir`), read
#: when present: ``counts`` holds new counts from the ministry, one row each, in the columns of
#: ``ukraine_shelter_nl`` (with ``series``), each with its source.
DROP_INS: dict[str, FileSpec] = {
    "counts": replace(
        SPECS["ukraine_shelter_nl"], required=(*SPECS["ukraine_shelter_nl"].required, "series"), filled=("source",)
    ),
}
#: The table each drop-in adds rows to.
DROP_IN_OF = {"counts": "ukraine_shelter_nl"}


def spec_of(name: str) -> FileSpec:
    """Return the specification of a data table or drop-in.

    Raises:
        DataError: If ``name`` is neither.

    """
    spec = SPECS.get(name) or DROP_INS.get(name)
    if spec is None:
        raise DataError(f"unknown data file {name!r}; expected one of {sorted([*SPECS, *DROP_INS])}")
    return spec


def shipped_dir() -> Path:
    """Return the folder of the CSVs shipped in the package."""
    return Path(str(resources.files("capacity") / "datasets"))


def project_root() -> Path:
    """Return the project folder (the one with ``params/``) that relative data paths start from."""
    try:
        from capacity import project
    except ImportError:  # pragma: no cover - older trees without capacity.project
        from capacity.params import PARAMS_DIR

        return PARAMS_DIR.parent
    return project.project_root()


def project_data_dir() -> Path:
    """Return ``<project>/data``: the planner's drop-ins and what ``capacity data update`` writes."""
    return project_root() / "data"


def _from_root(path: str | Path) -> Path:
    """Return ``path`` (``~`` expanded) as is when absolute, else from the project folder."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


def data_files(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Return the path of every known data file.

    Relative paths count from the project folder (:func:`project_root`, the folder with
    ``params/``), not from the working directory: a notebook runs in another folder than
    ``capacity run`` and must read the same files.

    Args:
        data_dir: Folder with the CSVs; ``None`` for the copies shipped in the package.
        files: Per-file overrides ``{name: path}`` (name without ``.csv``), e.g. a newer
            ``ukraine_shelter_nl`` in the same format, or ``counts`` for a drop-in elsewhere.

    Returns:
        ``{name: path}`` for every name in :data:`SPECS`, and for each drop-in of
        :data:`DROP_INS` that is in the project's data folder (or named in ``files``).

    Raises:
        DataError: If an override names an unknown file.

    """
    folder = _from_root(data_dir) if data_dir not in (None, "") else shipped_dir()
    paths = {name: folder / f"{name}.csv" for name in SPECS}
    for name in DROP_INS:
        dropped = project_data_dir() / f"{name}.csv"
        if dropped.is_file():
            paths[name] = dropped
    for name, path in (files or {}).items():
        if name not in SPECS and name not in DROP_INS:
            raise DataError(
                f"data.files: unknown data file {name!r}; expected one of {sorted(SPECS)} "
                f"or a drop-in {sorted(DROP_INS)}"
            )
        paths[name] = _from_root(path)
    return paths


def scenario_files(data_cfg: DataConfig) -> dict[str, Path]:
    """Return the data files a scenario reads: :func:`data_files` of its ``data`` section.

    Raises:
        DataError: If ``data.files`` names an unknown file.

    """
    return data_files(data_cfg.data_dir, data_cfg.files)
