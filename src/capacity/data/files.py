"""The data files a run reads: their specifications and the one resolver of their paths.

The shipped CSVs in ``capacity/datasets/`` are published figures with their sources (see
``datasets/README.md``); a scenario can point a run at newer files in the same format with
``data.data_dir`` or ``data.files``. :func:`data_files` (or :func:`scenario_files` for a
scenario's ``data`` section) is the only place that works out which files those are: the
loaders, ``capacity backtest`` and the run manifest all ask it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


def _facts(date_column: str = "date_or_period") -> FileSpec:
    """Spec of a long table of published facts: one ``metric`` per date or period."""
    return FileSpec(required=(date_column, "metric", "value", "unit", "source"), date_column=date_column,
                    key=(date_column, "metric"), date_is_period=True)


SPECS: dict[str, FileSpec] = {
    "ukraine_shelter_nl": FileSpec(
        required=("date", "date_precision", "registered_brp", "in_municipal_shelter",
                  "shelter_places", "occupancy_pct_reported", "source"),
        date_column="date", key=(),  # several reports per month are expected
        counts=("registered_brp", "in_municipal_shelter", "shelter_places", "free_places_reported"),
        shares_pct=("occupancy_pct_reported", "occupancy_pct_derived"),
    ),
    "eurostat_tp_nl_monthly": FileSpec(
        required=("date", "geo", "tp_beneficiaries_stock_end_month", "tp_grants_in_month", "source"),
        date_column="date", key=("date", "geo"),
        counts=("tp_beneficiaries_stock_end_month", "tp_grants_in_month",
                "asylum_applicants_excl_ukr", "asylum_pending_excl_ukr"),
    ),
    "monitor_report_facts": _facts(),
    "ukraine_registrations_cbs": _facts(),
    "ind_asylum_figures": _facts(),
    "municipalities": FileSpec(
        required=("code", "name", "province", "population", "safety_region_code", "safety_region"),
        date_column="population_date", key=("code",), counts=("population",),
    ),
    "policy_timeline": FileSpec(
        required=("date", "category", "item", "source"), date_column="date", key=(),
        date_is_period=True,
    ),
    "dtv_intake_departures_annual": FileSpec(
        required=("year", "period", "source"), date_column="year", key=("year", "period"),
        date_is_period=True,
    ),
    "dtv_return_case_outcomes": _facts("year"),
    "shelter_regional_points": FileSpec(
        required=("date", "region", "places", "occupied_or_in_shelter", "source"),
        date_column="date", key=(), counts=("places", "occupied_or_in_shelter", "target_places"),
    ),
}


def shipped_dir() -> Path:
    """Return the folder of the CSVs shipped in the package."""
    return Path(str(resources.files("capacity") / "datasets"))


def data_files(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Return the path of every known data file.

    Args:
        data_dir: Folder with the CSVs; ``None`` for the copies shipped in the package.
        files: Per-file overrides ``{name: path}`` (name without ``.csv``), e.g. a newer
            ``ukraine_shelter_nl`` in the same format.

    Returns:
        ``{name: path}`` for every name in :data:`SPECS`.

    Raises:
        DataError: If an override names an unknown file.

    """
    folder = Path(data_dir) if data_dir is not None else shipped_dir()
    paths = {name: folder / f"{name}.csv" for name in SPECS}
    for name, path in (files or {}).items():
        if name not in SPECS:
            raise DataError(f"data.files: unknown data file {name!r}; expected one of {sorted(SPECS)}")
        paths[name] = Path(path)
    return paths


def scenario_files(data_cfg: DataConfig) -> dict[str, Path]:
    """Return the data files a scenario reads: :func:`data_files` of its ``data`` section.

    Raises:
        DataError: If ``data.files`` names an unknown file.

    """
    return data_files(data_cfg.data_dir, data_cfg.files)
