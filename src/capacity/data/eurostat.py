"""Eurostat's monthly temporary-protection series for the Netherlands, read over SDMX 2.1 (``sdmx1``).

Two datasets fill the two filled columns of ``eurostat_tp_nl_monthly.csv``:
``migr_asytpsm`` (beneficiaries of temporary protection at the end of the month) and
``migr_asytpfm`` (decisions granting temporary protection in the month), each for the
Netherlands, all citizenships, both sexes, all ages, in persons. The series key is built in
the order of the dataset's own data structure (fetched first), not from a guessed order.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import pandas as pd

from capacity.data.fetch import Fetch, FetchError, request_url

#: Eurostat's SDMX 2.1 dissemination API.
BASE = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"
#: Column of ``eurostat_tp_nl_monthly.csv`` -> Eurostat dataset.
DATASETS = {"tp_beneficiaries_stock_end_month": "MIGR_ASYTPSM", "tp_grants_in_month": "MIGR_ASYTPFM"}
#: The series of each dataset: monthly, persons, all citizenships, both sexes, all ages, NL.
SERIES = {"freq": "M", "unit": "PER", "citizen": "TOTAL", "sex": "T", "age": "TOTAL", "geo": "NL"}
#: First month asked for (temporary protection started in March 2022).
START = "2022-03"
#: How the rows written say where their figures come from.
SOURCE = (
    "Eurostat migr_asytpsm / migr_asytpfm (citizen=TOTAL, sex=T, age=TOTAL, unit=PER), "
    "SDMX 2.1 API https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"
)


def _structure(dataset: str, fetch: Fetch, urls: list[str]) -> object:
    """Return the dataset's data structure definition (``sdmx1``)."""
    import sdmx

    url = f"{BASE}/datastructure/ESTAT/{dataset}"
    urls.append(request_url(url))
    body = fetch(url, None)
    try:
        structures = list(sdmx.read_sdmx(io.BytesIO(body)).structure.values())  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - sdmx1 raises many kinds of error on a foreign message
        raise FetchError(f"{request_url(url)}: not an SDMX structure message ({type(exc).__name__})") from None
    if len(structures) != 1:
        raise FetchError(f"{request_url(url)}: {len(structures)} data structures; expected the one of {dataset}")
    return structures[0]


def _key(dataset: str, dsd: object) -> str:
    """Return the series key in the structure's dimension order (``M.PER.TOTAL.T.TOTAL.NL``)."""
    dims = [d.id for d in dsd.dimensions.components if d.id != "TIME_PERIOD"]  # type: ignore[attr-defined]
    missing = sorted(set(SERIES) - set(dims))
    if missing:
        raise FetchError(
            f"Eurostat {dataset}: no dimension {', '.join(missing)} in its data structure "
            f"({', '.join(dims)}); the dataset changed, the series cannot be picked"
        )
    return ".".join(SERIES[d] for d in dims)


def monthly(dataset: str, fetch: Fetch, urls: list[str]) -> pd.Series:
    """Return one dataset's series for the Netherlands: persons by month (``2024-08``), oldest first.

    Args:
        dataset: ``MIGR_ASYTPSM`` or ``MIGR_ASYTPFM``.
        fetch: The transport.
        urls: Gets the URL of every request made (for the sources file).

    Raises:
        Unreachable: If Eurostat cannot be reached.
        FetchError: If a response is not the data asked for.

    """
    import sdmx

    dsd = _structure(dataset, fetch, urls)
    url = f"{BASE}/data/{dataset}/{_key(dataset, dsd)}"
    params = {"startPeriod": START}
    urls.append(request_url(url, params))
    body = fetch(url, params)
    try:
        message = sdmx.read_sdmx(io.BytesIO(body), structure=dsd)
        frames = [sdmx.to_pandas(ds) for ds in message.data]  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - sdmx1 raises many kinds of error on a foreign message
        raise FetchError(f"{request_url(url, params)}: not SDMX data of {dataset} ({type(exc).__name__})") from None
    if not frames or all(f.empty for f in frames):
        raise FetchError(
            f"{request_url(url, params)}: no observations (Eurostat may have queued a large request; try again later)"
        )
    values = pd.concat(frames).reset_index()
    for dim, code in SERIES.items():
        if dim in values.columns:
            values = values[values[dim] == code]
    series = values.set_index("TIME_PERIOD")["value"].astype(float)
    if series.index.duplicated().any():
        raise FetchError(f"{request_url(url, params)}: more than one series for {SERIES}")
    return series[series.map(math.isfinite)].sort_index()


def fetch_table(fetch: Fetch) -> tuple[pd.DataFrame, list[str]]:
    """Return Eurostat's NL figures as rows of ``eurostat_tp_nl_monthly`` (months with both counts).

    Returns:
        ``(rows, urls)``: rows with ``date`` (``2024-08``), ``geo`` and the columns of
        :data:`DATASETS` (whole persons); the URLs requested.

    Raises:
        Unreachable: If Eurostat cannot be reached.
        FetchError: If a response is not the data asked for.

    """
    urls: list[str] = []
    columns: Mapping[str, pd.Series] = {col: monthly(ds, fetch, urls) for col, ds in DATASETS.items()}
    both = pd.concat(columns, axis=1, join="inner").round().astype("int64")
    rows = both.rename_axis("date").reset_index().assign(geo=SERIES["geo"])
    return rows[["date", "geo", *DATASETS]], urls
