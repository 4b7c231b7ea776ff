"""CBS StatLine tables on people from Ukraine, read over CBS's OData API (v3, JSON).

The table identifiers could not be verified when this was written (no network), so they are
not fixed here: :func:`find_tables` asks the CBS catalogue for the tables whose title names
refugees or displaced people from Ukraine (``Oekraïense vluchtelingen``, ``ontheemden uit
Oekraïne``), and ``capacity data update --cbs-table ID`` pins tables instead. Of each table it
keeps the national totals (the ``Totaal`` category of every dimension that has one, the
Netherlands of a region dimension) of every count (unit ``aantal``) per month, quarter or year
since 2022, as facts in the format of ``ukraine_registrations_cbs.csv``: metric
``cbs_<table>_<topic>``, unit ``persons``.

This reads the same endpoints as ``cbsodata.get_data`` (DataProperties, the dimension
tables, TypedDataSet with ``$filter``, following ``odata.nextLink``), but through the injected
transport: ``cbsodata`` opens its own ``requests`` session per call, which a test cannot
replay.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from capacity.data.fetch import Fetch, FetchError, request_url

#: CBS's OData API of StatLine tables and its catalogue.
ODATA = "https://opendata.cbs.nl/ODataApi/odata"
CATALOG = "https://opendata.cbs.nl/ODataCatalog/Tables"
#: A table is about people from Ukraine when its title matches both.
TITLE_UKRAINE = re.compile(r"oekra[iï]", re.IGNORECASE)
TITLE_PEOPLE = re.compile(r"vluchteling|ontheemd", re.IGNORECASE)
#: Units of a topic that is a count of persons, and the factor to persons.
COUNT_UNITS = {"aantal": 1, "personen": 1, "x 1 000": 1_000, "x 1000": 1_000}
#: Category keys of national totals in CBS tables (sex, age, region), besides titles ``Totaal ...``.
TOTAL_KEYS = frozenset({"T001038", "10000", "NL01"})
#: CBS period codes: ``2024MM08`` month, ``2024KW03`` quarter, ``2024JJ00`` year.
PERIOD = re.compile(r"(\d{4})(MM|KW|JJ)(\d{2})")
#: First period kept (the data files start in 2022).
FIRST_YEAR = 2022


def _json(fetch: Fetch, url: str, params: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """Return the ``value`` rows of an OData answer, following ``odata.nextLink``."""
    rows: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        body = fetch(next_url, params)
        try:
            answer = json.loads(body)
            rows.extend(answer["value"])
        except (ValueError, KeyError, TypeError):
            raise FetchError(f"{request_url(next_url, params)}: not an OData JSON answer") from None
        next_url, params = answer.get("odata.nextLink"), None
    return rows


def find_tables(fetch: Fetch, urls: list[str]) -> list[str]:
    """Return the identifiers of the catalogue's tables on refugees or displaced people from Ukraine."""
    params = {"$format": "json", "$filter": "substringof('Oekra',Title)", "$select": "Identifier,Title"}
    urls.append(request_url(CATALOG, params))
    tables = _json(fetch, CATALOG, params)
    return sorted(
        {
            str(t.get("Identifier", ""))
            for t in tables
            if TITLE_UKRAINE.search(str(t.get("Title", "")))
            and TITLE_PEOPLE.search(str(t.get("Title", "")))
            and t.get("Identifier")
        }
    )


def _period(key: str) -> str | None:
    """Return a CBS period code as ``2024-08``, ``2024-Q3`` or ``2024``; None for other periods."""
    found = PERIOD.fullmatch(key.strip())
    if not found or int(found.group(1)) < FIRST_YEAR:
        return None
    year, kind, number = found.groups()
    return {"MM": f"{year}-{number}", "KW": f"{year}-Q{int(number)}", "JJ": year}[kind]


def _totals(table: str, dimension: str, fetch: Fetch, urls: list[str]) -> dict[str, str] | None:
    """Return ``{key: title}`` of the dimension's total category, or None when it has none."""
    url = f"{ODATA}/{table}/{dimension}"
    params = {"$format": "json"}
    urls.append(request_url(url, params))
    categories = _json(fetch, url, params)
    totals = [
        c
        for c in categories
        if str(c.get("Key", "")).strip() in TOTAL_KEYS
        or str(c.get("Title", "")).lower().startswith("totaal")
        or str(c.get("Title", "")) == "Nederland"
    ]
    if len(categories) == 1:
        totals = categories
    return {str(totals[0]["Key"]): str(totals[0].get("Title", ""))} if totals else None


def fetch_table(table: str, fetch: Fetch, urls: list[str], *, source_date: str) -> pd.DataFrame:
    """Return one table's national counts as facts rows of ``ukraine_registrations_cbs``.

    Args:
        table: A StatLine identifier such as ``85xxxNED``.
        fetch: The transport.
        urls: Gets the URL of every request made.
        source_date: Day of the fetch (``2025-09-01``), written in each row's source.

    Returns:
        Columns ``date_or_period, metric, value, unit, source, note``; ``value`` as text of a
        whole number; empty when the table has no count of persons.

    Raises:
        Unreachable: If CBS cannot be reached.
        FetchError: If an answer is not what was asked.

    """
    info_url, params = f"{ODATA}/{table}/TableInfos", {"$format": "json"}
    urls.append(request_url(info_url, params))
    info = _json(fetch, info_url, params)
    title = str(info[0].get("Title", table)) if info else table
    props_url = f"{ODATA}/{table}/DataProperties"
    urls.append(request_url(props_url, params))
    props = _json(fetch, props_url, params)
    topics = {
        str(p["Key"]): p
        for p in props
        if p.get("Type") == "Topic" and str(p.get("Unit", "")).strip().lower() in COUNT_UNITS
    }
    dims = [str(p["Key"]) for p in props if p.get("Type") in ("Dimension", "GeoDimension")]
    time = next((str(p["Key"]) for p in props if p.get("Type") == "TimeDimension"), None)
    if not topics or time is None:
        return pd.DataFrame(columns=["date_or_period", "metric", "value", "unit", "source", "note"])
    chosen = {dim: _totals(table, dim, fetch, urls) for dim in dims}
    split = [dim for dim, total in chosen.items() if total is None]  # no total: one metric per category
    where = " and ".join(f"{dim} eq '{next(iter(total))}'" for dim, total in chosen.items() if total)
    data_url = f"{ODATA}/{table}/TypedDataSet"
    data_params = {"$format": "json", **({"$filter": where} if where else {})}
    urls.append(request_url(data_url, data_params))
    names = "; ".join(title for total in chosen.values() if total for title in total.values())
    source = (
        f"CBS StatLine {table} '{title}' https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{table} "
        f"(OData, fetched {source_date})"
    )
    rows = []
    for record in _json(fetch, data_url, data_params):
        period = _period(str(record.get(time, "")))
        if period is None:
            continue
        suffix = "".join(f"_{str(record.get(dim, '')).strip()}" for dim in split)
        for key, topic in topics.items():
            value = record.get(key)
            if value is None:
                continue  # CBS: not (yet) known or secret
            persons = round(float(value) * COUNT_UNITS[str(topic.get("Unit", "")).strip().lower()])
            rows.append(
                {
                    "date_or_period": period,
                    "metric": f"cbs_{table}_{key}{suffix}",
                    "value": str(persons),
                    "unit": "persons",
                    "source": source,
                    "note": "; ".join(x for x in (str(topic.get("Title", key)).strip(), names) if x),
                }
            )
    return pd.DataFrame(rows, columns=["date_or_period", "metric", "value", "unit", "source", "note"])
