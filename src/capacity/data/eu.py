"""The EU around the Netherlands: temporary protection in every member state, and what follows it.

Three files, read apart from :data:`capacity.data.files.SPECS` (a scenario's ``data_dir``
need not hold them: each is read from there when present, else from the copies shipped in
the package):

- ``eurostat_tp_countries.csv``: Eurostat per-country monthly stock of people under temporary
  protection (``migr_asytpsm``) and new grants (``migr_asytpfm``), 26 member states and four
  EFTA states, 2022-03 to 2024-08, from a public extraction (see ``source``);
- ``eurostat_tp_eu_totals.csv``: EU-27 totals from Eurostat releases, 2025;
- ``post_tp_statuses.csv``: national statuses after temporary protection where a source was
  found (``status_known``); every other member state's is unknown.

``capacity data update`` (when online) refreshes the Eurostat files in the same format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from capacity.data.files import _from_root, shipped_dir
from capacity.errors import DataError

#: File stem -> columns it must have.
EU_FILES: dict[str, tuple[str, ...]] = {
    "eurostat_tp_countries": (
        "date",
        "geo",
        "country",
        "eu_member",
        "tp_stock_end_month",
        "tp_grants_in_month",
        "source",
        "note",
    ),
    "eurostat_tp_eu_totals": ("date", "measure", "value", "unit", "source"),
    "post_tp_statuses": (
        "geo",
        "country",
        "status_known",
        "status",
        "duration_years",
        "conditions",
        "applications_from",
        "source",
        "note",
    ),
}


@dataclass(frozen=True)
class EuData:
    """The EU files, validated.

    Attributes:
        countries: One row per month (``date``, month start) and country (``geo``): ``country``,
            ``eu_member``, ``tp_stock`` (persons at month end), ``tp_grants`` (decisions in the
            month), ``source``, ``note``; missing months are NaN, not filled.
        eu_totals: ``date``, ``measure``, ``value``, ``unit``, ``source`` (Eurostat EU-27 points).
        statuses: The known post-TP statuses, one row per country (``geo`` ``EU``: the common frame).
        paths: The file each frame was read from.

    """

    countries: pd.DataFrame
    eu_totals: pd.DataFrame
    statuses: pd.DataFrame
    paths: dict[str, Path]


def eu_path(name: str, data_dir: str | Path | None = None) -> Path:
    """Return the file ``name`` from ``data_dir`` when it holds it, else the shipped copy."""
    if name not in EU_FILES:
        raise DataError(f"unknown EU data file {name!r}; expected one of {sorted(EU_FILES)}")
    if data_dir is not None:
        own = _from_root(data_dir) / f"{name}.csv"  # relative folders count from the project
        if own.is_file():
            return own
    return shipped_dir() / f"{name}.csv"


def _read(name: str, path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, keep_default_na=True)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    missing = [c for c in EU_FILES[name] if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: lacks column(s) {missing}; expected {list(EU_FILES[name])}")
    return frame


def load_eu(data_dir: str | Path | None = None) -> EuData:
    """Read and check the EU files (from ``data_dir`` where present, else the shipped copies).

    Raises:
        DataError: A file that cannot be read, lacks a column, has a date that is not a month,
            a negative count or a country twice in one month; the message names the file.

    """
    paths = {name: eu_path(name, data_dir) for name in EU_FILES}
    raw = _read("eurostat_tp_countries", paths["eurostat_tp_countries"])
    where = paths["eurostat_tp_countries"]
    try:
        dates = pd.to_datetime(raw["date"].astype(str), format="%Y-%m")
    except ValueError as exc:
        raise DataError(f"{where}: column date must hold months like 2024-08 ({exc})") from None
    countries = pd.DataFrame(
        {
            "date": dates,
            "geo": raw["geo"].astype(str),
            "country": raw["country"].astype(str),
            "eu_member": raw["eu_member"].astype(str).str.lower().eq("true"),
            "tp_stock": pd.to_numeric(raw["tp_stock_end_month"], errors="coerce"),
            "tp_grants": pd.to_numeric(raw["tp_grants_in_month"], errors="coerce"),
            "source": raw["source"].astype(str),
            "note": raw["note"].astype(object).fillna("").astype(str),
        }
    )
    if (countries[["tp_stock", "tp_grants"]] < 0).any().any():
        raise DataError(f"{where}: a count is negative")
    if countries.duplicated(["date", "geo"]).any():
        twice = countries.loc[countries.duplicated(["date", "geo"]), ["date", "geo"]].iloc[0]
        raise DataError(f"{where}: {twice['geo']} appears twice in {twice['date']:%Y-%m}")
    totals = _read("eurostat_tp_eu_totals", paths["eurostat_tp_eu_totals"])
    totals = totals.assign(date=pd.to_datetime(totals["date"]), value=pd.to_numeric(totals["value"]))
    statuses = _read("post_tp_statuses", paths["post_tp_statuses"])
    statuses = statuses.assign(status_known=statuses["status_known"].astype(str).str.lower().eq("true"))
    return EuData(countries.sort_values(["geo", "date"], ignore_index=True), totals, statuses, paths)


#: Member states of the EU (Eurostat codes); other countries in an extraction are EFTA states.
EU_MEMBERS: frozenset[str] = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "EL",
        "ES",
        "FI",
        "FR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    }
)


def countries_table(
    stock: pd.DataFrame, grants: pd.DataFrame, *, source: str, names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Return the ``eurostat_tp_countries.csv`` layout from two long Eurostat series.

    For ``capacity data update``: it downloads ``migr_asytpsm`` (stock) and ``migr_asytpfm``
    (grants), each as a long frame, and writes what this returns; :func:`load_eu` reads it.

    Args:
        stock: Columns ``geo``, ``date`` (a month: ``2025-11`` or a date in it) and ``value``
            (persons under TP at the end of the month; citizen TOTAL, sex T, age TOTAL).
        grants: The same layout for the grants in the month.
        source: The ``source`` of every row (dataset codes, download date, URL).
        names: English country names by code (default: the names in the shipped file, else the code).

    Returns:
        One row per month and country with the columns of :data:`EU_FILES`; aggregates
        (``EU27_2020`` and other codes longer than two letters) are left out.

    """
    if names is None:
        shipped = pd.read_csv(shipped_dir() / "eurostat_tp_countries.csv", usecols=["geo", "country"])
        names = dict(zip(shipped["geo"], shipped["country"], strict=True))

    def monthly(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        out = frame.loc[frame["geo"].astype(str).str.fullmatch(r"[A-Z]{2}"), ["geo", "date", "value"]].copy()
        out["date"] = pd.to_datetime(out["date"].astype(str).str[:7], format="%Y-%m").dt.strftime("%Y-%m")
        return out.rename(columns={"value": column})

    both = monthly(stock, "tp_stock_end_month").merge(
        monthly(grants, "tp_grants_in_month"), on=["geo", "date"], how="outer"
    )
    both["country"] = both["geo"].map(names).fillna(both["geo"])
    both["eu_member"] = both["geo"].isin(EU_MEMBERS)
    both["source"], both["note"] = source, ""
    for column in ("tp_stock_end_month", "tp_grants_in_month"):
        both[column] = pd.to_numeric(both[column], errors="coerce").round().astype("Int64")
    return both[list(EU_FILES["eurostat_tp_countries"])].sort_values(["geo", "date"], ignore_index=True)
