"""``capacity data update``: fetch the published series into the project's data folder and say what is new.

A recipe of named steps (:func:`update`):

1. **fetch** each source through the injected transport (:mod:`~capacity.data.fetch`):
   Eurostat's temporary-protection stock and grants (:mod:`~capacity.data.eurostat`) and
   CBS's StatLine tables on people from Ukraine (:mod:`~capacity.data.cbs`). When the very
   first request finds no network, nothing else happens: :data:`OFFLINE`.
2. **merge** the figures into the table they belong to, in the same format as the shipped CSV
   (``eurostat_tp_nl_monthly.csv``, ``ukraine_registrations_cbs.csv``): new months are added,
   revised values replace the old ones (the row's source says so), nothing is deleted.
3. **check** the folder as a run would (:func:`~capacity.data.check.check_files`) with the
   new tables in place; a source whose tables fail writes nothing.
4. **write** the tables (each replaced whole), copy the shipped files the folder lacks (so
   ``data.data_dir: data`` reads a complete folder; copies the planner never edited follow a
   newer package), and record every file's origin, source, requests, time and SHA-256 in
   ``data/SOURCES.json`` (:data:`SOURCES`).

It returns what to tell the planner, one line each; it never prints.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from capacity.data import cbs, eurostat
from capacity.data import fetch as transport
from capacity.data.check import check_files
from capacity.data.fetch import Fetch, FetchError, Unreachable
from capacity.data.files import DROP_INS, SPECS, data_files, shipped_dir
from capacity.data.read import read_csv
from capacity.data.tables import replacing_file
from capacity.errors import DataError

#: What ``capacity data update`` says when the first request finds no network.
OFFLINE = "offline: nothing fetched, nothing changed"
#: The sidecar beside the data files: each file's origin, source, requests, time and SHA-256.
SOURCES = "SOURCES.json"
#: The sources ``capacity data update`` knows, in the order it asks them.
SOURCE_NAMES = ("eurostat", "cbs")
#: Why a shipped file is copied into the data folder (its ``source`` in :data:`SOURCES`).
_COPIED, _REFRESHED = "copied from the package", "refreshed from a newer package (not edited here)"
#: A ``source`` cell that points at another row's source instead of naming one.
_SAME = frozenset({"same", "same as first row"})


class _Offline(Exception):
    """The first request of the update found no network."""


@dataclass
class Update:
    """What an update did: ``lines`` to tell the planner, the files ``written``, the sources that ``failed``."""

    lines: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    offline: bool = False


@dataclass
class _Fetched:
    """One source's tables as fetched: ``{table: rows}``, the requests made, how its rows are keyed and named."""

    name: str
    tables: dict[str, pd.DataFrame]
    urls: list[str]
    source: str
    key: tuple[str, ...]
    label: tuple[str, ...]
    note: str = ""
    empty: str = "nothing fetched"


class _FirstCall:
    """The transport, remembering whether any request has been answered (to tell offline from a failure)."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch, self.answered = fetch, 0

    def __call__(self, url: str, params: Mapping[str, str] | None) -> bytes:
        try:
            body = self.fetch(url, params)
        except (ConnectionError, TimeoutError) as exc:
            if not self.answered:
                raise _Offline from exc
            raise Unreachable(str(exc) or type(exc).__name__) from None
        self.answered += 1
        return body


# --- 1. fetch --------------------------------------------------------------------------------


def _eurostat(fetch: Fetch, day: str, tables: Sequence[str]) -> _Fetched:
    rows, urls = eurostat.fetch_table(fetch)
    return _Fetched(
        "eurostat",
        {"eurostat_tp_nl_monthly": rows.astype({c: "float64" for c in eurostat.DATASETS})},
        urls,
        f"{eurostat.SOURCE} (fetched {day})",
        key=("date", "geo"),
        label=("date",),
        note="Eurostat figures rounded to nearest 5; all citizenships",
    )


def _cbs(fetch: Fetch, day: str, tables: Sequence[str]) -> _Fetched:
    urls: list[str] = []
    ids = list(tables) or cbs.find_tables(fetch, urls)
    frames = [cbs.fetch_table(table, fetch, urls, source_date=day) for table in ids]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    empty = (
        f"{', '.join(ids)}: no count of persons since {cbs.FIRST_YEAR}; nothing fetched"
        if ids
        else "the CBS catalogue lists no StatLine table on people from Ukraine; nothing fetched"
    )
    return _Fetched(
        "cbs",
        {"ukraine_registrations_cbs": rows} if len(rows) else {},
        urls,
        f"CBS StatLine {', '.join(ids)} (OData, fetched {day})",
        key=("date_or_period", "metric"),
        label=("metric", "date_or_period"),
        empty=empty,
    )


_FETCHERS: dict[str, Callable[[Fetch, str, Sequence[str]], _Fetched]] = {"eurostat": _eurostat, "cbs": _cbs}


# --- 2. merge --------------------------------------------------------------------------------


def _resolved(sources: pd.Series) -> list[str]:
    """Return every row's source with ``same`` (previous row) and ``same as first row`` followed."""
    out: list[str] = []
    for text in sources.fillna("").astype(str):
        ref = text.strip().lower()
        out.append(out[0] if ref == "same as first row" and out else out[-1] if ref == "same" and out else text)
    return out


def _text(value: Any) -> str:
    """Return a count as ``25,470``, anything else as it is."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and not pd.isna(value):
        return f"{value:,.0f}"
    return str(value)


def merge(
    current: pd.DataFrame,
    fetched: pd.DataFrame,
    key: Sequence[str],
    *,
    source: str,
    note: str = "",
    label: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Merge fetched rows into a table: add new keys, replace revised values; delete nothing.

    Args:
        current: The table as :func:`~capacity.data.read.read_csv` reads it.
        fetched: Rows with the ``key`` columns and the value columns to take over; a
            ``source`` or ``note`` column there is the row's own.
        key: Columns that identify a row (``date, geo``; ``date_or_period, metric``).
        source: The ``source`` of every added or revised row without one of its own.
        note: The ``note`` of every added row without one of its own.
        label: Columns that name a row in what is said (default: ``key``).

    Returns:
        ``(table, added, changed)``: the merged table (in the current order, new rows after);
        the added keys (``2024-08``); one description per revised value
        (``2024-05 tp_grants_in_month 2,945 -> 2,950``). A row that pointed at a revised row's
        source (``same``, ``same as first row``) names the old source in full.

    """
    table = current.copy().reset_index(drop=True)
    before = _resolved(table["source"])
    where = {tuple(str(v) for v in row): i for i, row in enumerate(table[list(key)].itertuples(index=False))}
    values = [c for c in fetched.columns if c not in (*key, "source", "note")]
    added, changed, new_rows = [], [], []
    for row in fetched.to_dict("records"):
        k = tuple(str(row[c]) for c in key)
        name = " ".join(str(row[c]) for c in (label or key))
        own = {"source": row.get("source") or source, "note": row.get("note") or note}
        i = where.get(k)
        if i is None:
            new_rows.append({**row, **own})
            added.append(name)
            continue
        diffs = [(c, table.loc[i, c], row[c]) for c in values if _differs(table.loc[i, c], row[c])]
        if not diffs:
            continue
        revised = ", ".join(f"{c} {_text(old)} -> {_text(new)}" for c, old, new in diffs)
        changed.extend(f"{name} {c} {_text(old)} -> {_text(new)}" for c, old, new in diffs)
        for c, _, new in diffs:
            table.loc[i, c] = new
        old_note = "" if pd.isna(table.loc[i, "note"]) else str(table.loc[i, "note"])
        table.loc[i, "note"] = "; ".join(x for x in (old_note, f"revised ({revised}); before: {before[i]}") if x)
        table.loc[i, "source"] = own["source"]
    if new_rows:
        table = pd.concat([table, pd.DataFrame(new_rows)], ignore_index=True)
    after = _resolved(table["source"])
    for i, (then, now) in enumerate(zip(before, after[: len(before)], strict=True)):
        if then != now and str(table.loc[i, "source"]).strip().lower() in _SAME:
            table.loc[i, "source"] = then
    return table, added, changed


def _differs(old: Any, new: Any) -> bool:
    if pd.isna(old):
        return not pd.isna(new)
    try:
        return float(old) != float(new)
    except (TypeError, ValueError):
        return str(old) != str(new)


def _said(name: str, added: list[str], changed: list[str]) -> str:
    """Return one line: what is new in a table."""
    parts = []
    if added:
        shown = ", ".join(added[:6]) + (f" and {len(added) - 6} more" if len(added) > 6 else "")
        parts.append(f"{len(added)} new row{'s' * (len(added) > 1)} ({shown})")
    if changed:
        shown = "; ".join(changed[:4]) + (f"; and {len(changed) - 4} more" if len(changed) > 4 else "")
        parts.append(f"{len(changed)} revised value{'s' * (len(changed) > 1)} ({shown})")
    return f"{name}.csv: " + ("; ".join(parts) if parts else "nothing new")


# --- 3. check and 4. write ----------------------------------------------------------------------


def _csv(table: pd.DataFrame, name: str, path: Path) -> None:
    """Write a table in the format of the shipped CSV (UTF-8, ``,``, counts as whole numbers)."""
    out = table.copy()
    for col in SPECS[name].counts:
        if col in out.columns:
            out[col] = pd.to_numeric(out[col]).round().astype("Int64")
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read_sources(dest: Path) -> dict[str, Any]:
    try:
        return json.loads((dest / SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _seeds(dest: Path, sources: Mapping[str, Any]) -> dict[str, str]:
    """Return ``{file: why}`` of the shipped files to copy: missing here, or unedited copies of an older package."""
    seeds = {}
    for name in SPECS:
        shipped, here = shipped_dir() / f"{name}.csv", dest / f"{name}.csv"
        entry = sources.get("files", {}).get(here.name, {})
        if not here.exists():
            seeds[here.name] = _COPIED
        elif (
            entry.get("origin") == "package"
            and entry.get("sha256") == sha256(here)
            and sha256(shipped) != entry.get("sha256")
        ):
            seeds[here.name] = _REFRESHED
    return seeds


def _paths(dest: Path, staged: Mapping[str, Path]) -> dict[str, Path]:
    """Return the files a run of ``data.data_dir: data`` would read, with the staged tables in place."""
    paths = {
        name: staged.get(name)
        or (dest / f"{name}.csv" if (dest / f"{name}.csv").is_file() else shipped_dir() / f"{name}.csv")
        for name in SPECS
    }
    paths.update({name: path for name, path in data_files().items() if name in DROP_INS})
    return paths


def update(
    dest: Path | str,
    *,
    fetch: Fetch | None = None,
    now: datetime | None = None,
    sources: Sequence[str] = SOURCE_NAMES,
    cbs_tables: Sequence[str] = (),
) -> Update:
    """Fetch the published series into ``dest`` (the project's data folder); say what is new.

    Args:
        dest: The folder to write (created if missing), normally ``<project>/data``.
        fetch: The transport (default :func:`~capacity.data.fetch.http_fetch`, looked up when
            called; tests replay recorded responses).
        now: The time of the update (default: now, UTC).
        sources: Which of :data:`SOURCE_NAMES` to ask.
        cbs_tables: StatLine identifiers to read instead of those the CBS catalogue lists.

    Returns:
        An :class:`Update`; ``offline`` and only :data:`OFFLINE` when the first request found
        no network (then nothing is written).

    Raises:
        DataError: If a table in ``dest`` does not read (fix it first; nothing is written).

    """
    dest, now = Path(dest), now or datetime.now(UTC)
    day, stamp = now.strftime("%Y-%m-%d"), now.isoformat(timespec="seconds")
    calls, result = _FirstCall(fetch or transport.http_fetch), Update()
    record: dict[str, Any] | None = None  # read when the first answer is in: offline, nothing is touched
    for name in sources:
        try:
            got = _FETCHERS[name](calls, day, cbs_tables)
        except _Offline:
            return Update(lines=[OFFLINE], offline=True)
        except (Unreachable, FetchError) as exc:
            result.failed.append(name)
            result.lines.append(f"{name}: failed: {exc}; its files are unchanged")
            continue
        if record is None:
            dest.mkdir(parents=True, exist_ok=True)
            record = _read_sources(dest)
        _write_source(got, dest, now, result, record.setdefault("files", {}))
        record.setdefault("checked", {})[got.name] = stamp
    dest.mkdir(parents=True, exist_ok=True)
    record = _read_sources(dest) if record is None else record
    files = record.setdefault("files", {})
    seeds = _seeds(dest, record)
    for file, why in seeds.items():
        shutil.copyfile(shipped_dir() / file, dest / file)
        files[file] = {
            "origin": "package",
            "source": f"{why}: capacity/datasets/{file}",
            "copied": stamp,
            "sha256": sha256(dest / file),
        }
    for why, what in (
        (_COPIED, f"into {dest.name}/, so that it is a complete data folder"),
        (_REFRESHED, "that were never edited here: the package has newer ones"),
    ):
        names = sorted(f for f, w in seeds.items() if w == why)
        if names:
            result.lines.append(
                f"{'copied' if why == _COPIED else 'refreshed'} {len(names)} shipped file(s) {what}: {', '.join(names)}"
            )
            result.written += [dest / f for f in names]
    with replacing_file(dest / SOURCES) as tmp:
        tmp.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def _write_source(got: _Fetched, dest: Path, now: datetime, result: Update, files: dict[str, Any]) -> None:
    """Merge, check and write one source's tables (all or none); add what is new to ``result``."""
    today = pd.Timestamp(now.strftime("%Y-%m-%d"))
    merged, said = {}, []
    try:
        for table, rows in got.tables.items():
            here = dest / f"{table}.csv"
            current = read_csv(table, here if here.is_file() else shipped_dir() / f"{table}.csv", today=today)
            frame, added, changed = merge(current, rows, got.key, source=got.source, note=got.note, label=got.label)
            said.append(_said(table, added, changed))
            if added or changed:
                merged[table] = frame
    except DataError as exc:
        result.failed.append(got.name)
        result.lines.append(f"{got.name}: nothing written: {exc}")
        return
    if not got.tables:
        said.append(f"{got.name}: {got.empty}")
    staged: dict[str, Path] = {}
    try:
        for table, frame in merged.items():
            staged[table] = dest / f".{table}.csv.update"
            _csv(frame, table, staged[table])
        problems = check_files(_paths(dest, staged), today=today) if staged else []
        if problems:
            result.failed.append(got.name)
            result.lines.append(f"{got.name}: the fetched figures fail the data checks, nothing written: {problems[0]}")
            return
        for table, path in staged.items():
            path.replace(dest / f"{table}.csv")
            files[f"{table}.csv"] = {
                "origin": "fetched",
                "source": got.source,
                "requests": got.urls,
                "fetched": now.isoformat(timespec="seconds"),
                "sha256": sha256(dest / f"{table}.csv"),
            }
            result.written.append(dest / f"{table}.csv")
        result.lines += said
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
