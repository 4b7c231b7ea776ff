"""The vintage store: every completed run's forecasts and provenance in one DuckDB database.

Default file ``reports/vintages.duckdb`` (beside the run folders); the environment variable
``CAPACITY_VINTAGES`` or ``capacity run --vintages PATH`` names another. Readers use SQL::

    duckdb reports/vintages.duckdb "SELECT run_id, scenario, data_date FROM vintages"

Schema (version :data:`SCHEMA_VERSION`; every row carries ``run_id`` and ``scenario``):

``schema_version(version INTEGER, migrated_at TIMESTAMP)``
    One row per migration applied; the highest ``version`` is the schema's.
``vintages``
    One row per run and scenario: ``run_date`` (run start, UTC), ``data_date`` (last
    observed month of the registered count), ``status`` (the run's), ``code_version`` (git
    commit), ``package_version``, ``seed``, ``params_file``, ``params_sha256``,
    ``params_json`` (the merged, validated parameters), ``data_files_json``
    (``{name: sha256}``), ``data_vintage`` (last observed month per series, as text),
    ``published`` (a whole-suite run that may move ``latest``; since version 2: a run of
    some notebooks or one municipality is stored with ``false`` and is never the run that
    "what changed" compares with).
``headlines``
    The scenario's ``headline.csv``: ``key, label_en, label_nl, value`` (numeric; NULL for a
    month), ``value_text`` (the value as written), ``p10, p90, unit, rounding``.
``forecasts``
    The contract forecast tables in long format: ``table_name`` (file stem, e.g.
    ``population_forecast``), ``date, variable, stat`` (``mean`` or ``q0.025`` …
    ``q0.975``), ``value``.
``observations``
    The observed series the run read: ``date, variable, value``.
``track_record``
    Earlier forecasts scored on observations that came in later (:mod:`.track`):
    ``table_name, variable, date, horizon, observed, median, error, abs_pct_error,
    in_50, in_80, in_95, scored_by`` (the run whose observations scored them).

Migrations are in :data:`MIGRATIONS` (version → SQL); :func:`migrate` applies the missing
ones in order, so an older file opens with the current code. A store written by a newer
version (a higher schema version) is refused, never written.

Faults are one line each (:class:`StoreError`): a store held by another process (an
analyst's notebook holds it even read-only) is retried for :data:`LOCK_WAIT_SECONDS`, then
refused as ``busy``; a damaged, truncated or empty file, or a DuckDB database of something
else, is named as such. Readers (``capacity vintages list|export|query``) open it read-only.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from capacity.errors import CapacityError

#: The environment variable naming the store (a path).
ENV = "CAPACITY_VINTAGES"
SCHEMA_VERSION = 2
TABLES = ("vintages", "headlines", "forecasts", "observations", "track_record")

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE IF NOT EXISTS vintages (
        run_id VARCHAR, scenario VARCHAR, run_date TIMESTAMP, data_date DATE, status VARCHAR,
        code_version VARCHAR, package_version VARCHAR, seed BIGINT, params_file VARCHAR,
        params_sha256 VARCHAR, params_json VARCHAR, data_files_json VARCHAR, data_vintage VARCHAR,
        PRIMARY KEY (run_id, scenario));
    CREATE TABLE IF NOT EXISTS headlines (
        run_id VARCHAR, scenario VARCHAR, key VARCHAR, label_en VARCHAR, label_nl VARCHAR,
        value DOUBLE, value_text VARCHAR, p10 DOUBLE, p90 DOUBLE, unit VARCHAR, rounding DOUBLE);
    CREATE TABLE IF NOT EXISTS forecasts (
        run_id VARCHAR, scenario VARCHAR, table_name VARCHAR, date DATE, variable VARCHAR,
        stat VARCHAR, value DOUBLE);
    CREATE TABLE IF NOT EXISTS observations (
        run_id VARCHAR, scenario VARCHAR, date DATE, variable VARCHAR, value DOUBLE);
    CREATE TABLE IF NOT EXISTS track_record (
        run_id VARCHAR, scenario VARCHAR, table_name VARCHAR, variable VARCHAR, date DATE,
        horizon INTEGER, observed DOUBLE, median DOUBLE, error DOUBLE, abs_pct_error DOUBLE,
        in_50 BOOLEAN, in_80 BOOLEAN, in_95 BOOLEAN, scored_by VARCHAR);
    """,
    2: "ALTER TABLE vintages ADD COLUMN IF NOT EXISTS published BOOLEAN DEFAULT TRUE;",
}


def default_path(reports_dir: Path | str) -> Path:
    """Return the store's path: ``$CAPACITY_VINTAGES`` or ``<reports_dir>/vintages.duckdb``."""
    env = os.environ.get(ENV)
    return Path(env) if env else Path(reports_dir) / "vintages.duckdb"


#: Seconds a writer waits for another process to let go of the store before it gives up.
LOCK_WAIT_SECONDS = 20.0
#: First pause between attempts (s); it doubles up to 2 s.
LOCK_RETRY_SECONDS = 0.2


class StoreError(CapacityError):
    """The vintage store cannot be used: busy, damaged, foreign or newer (one line).

    Attributes:
        busy: True when another process holds the store (it may work a moment later).

    """

    def __init__(self, message: str, *, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


def _is_lock(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _open_error(path: Path, exc: Exception, waited: float) -> StoreError:
    """Return the one-line :class:`StoreError` for a DuckDB error opening ``path``."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if _is_lock(exc):
        holder = re.search(r"held in (\S+) \(PID (\d+)\)", text)
        who = f" ({Path(holder[1]).name}, PID {holder[2]})" if holder else ""
        return StoreError(
            f"{path}: the vintage store is in use by another process{who}, waited "
            f"{waited:.0f} s; close the notebook or command that has it open and try "
            "again",
            busy=True,
        )
    if "not a valid DuckDB database" in text:
        what = "an empty file" if path.is_file() and path.stat().st_size == 0 else "not a DuckDB database"
        return StoreError(
            f"{path}: {what}, expected a vintage store (damaged or another kind of "
            "file); move it aside and the next run starts a new store"
        )
    return StoreError(
        f"{path}: the vintage store cannot be opened, damaged or truncated ({text}); "
        "move it aside and the next run starts a new store"
    )


def connect(path: Path | str, *, read_only: bool = False, wait: float | None = None) -> Any:
    """Open the store at ``path`` (a writer creates or migrates it); return a DuckDB connection.

    Args:
        path: The store.
        read_only: Open for reading only (no migration; other readers may hold it too).
        wait: Seconds to retry while another process holds the store (None:
            :data:`LOCK_WAIT_SECONDS`).

    Raises:
        StoreError: One line: busy after ``wait`` seconds, damaged, truncated, empty, a
            database of something else, or written by a newer version.

    """
    import duckdb

    path = Path(path)
    wait = LOCK_WAIT_SECONDS if wait is None else max(0.0, float(wait))
    if read_only and not path.is_file():
        raise StoreError(f"{path}: no vintage store (a completed run creates it)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    start, pause = time.monotonic(), LOCK_RETRY_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as exc:
            waited = time.monotonic() - start
            if not _is_lock(exc) or waited >= wait:
                raise _open_error(path, exc, waited) from None
            time.sleep(min(pause, max(0.0, wait - waited)) or 0.01)
            pause = min(pause * 2, 2.0)
    try:
        check_schema(con, path)
        if not read_only:
            migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def check_schema(con: Any, path: Path | str) -> int:
    """Return the store's schema version; refuse a newer one or a database of something else.

    Raises:
        StoreError: For a schema version above :data:`SCHEMA_VERSION`, or tables of
            another application without the ``schema_version`` table.

    """
    import duckdb

    try:
        version = schema_version(con)
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    except duckdb.Error as exc:
        raise _open_error(Path(path), exc, 0) from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer version of capacity (store schema {version}, "
            f"this version knows up to {SCHEMA_VERSION}); upgrade capacity, or pass "
            "--vintages with another store"
        )
    if version == 0 and names - {"schema_version"}:
        shown = ", ".join(sorted(names)[:5])
        raise StoreError(
            f"{path}: a DuckDB database of something else (tables {shown}), not a "
            "vintage store; pass --vintages with another path"
        )
    return version


def schema_version(con: Any) -> int:
    """Return the store's schema version (0 for an empty database)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    try:
        return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])
    except (TypeError, ValueError) as exc:  # a schema_version table of something else
        raise StoreError(f"schema_version holds no version number ({exc})") from None


def migrate(con: Any) -> int:
    """Apply every migration above the store's version, in order; return the new version."""
    current = schema_version(con)
    if current == 0:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, migrated_at TIMESTAMP)")
    for version in sorted(v for v in MIGRATIONS if v > current):
        con.execute("BEGIN TRANSACTION")
        con.execute(MIGRATIONS[version])
        con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
        con.execute("COMMIT")
    return schema_version(con)


def _insert(con: Any, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    if frame is None or frame.empty:
        return
    con.register("_frame", frame[columns])
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _frame")
    finally:
        con.unregister("_frame")


#: The headline table's columns (capacity.headline.COLUMNS); a run without one stores none.
HEADLINE_COLUMNS = ("key", "label_en", "label_nl", "value", "p10", "p90", "unit", "rounding")


def append(
    con: Any, vintage: Mapping[str, Any], *, headline: pd.DataFrame, forecasts: pd.DataFrame, observations: pd.DataFrame
) -> None:
    """Store one vintage (replacing an earlier copy of the same run and scenario).

    Args:
        con: A connection from :func:`connect`.
        vintage: The ``vintages`` row: its columns, with ``params`` (a mapping) and
            ``data_files`` (``{name: sha256}``) in place of the two JSON columns.
        headline: The rows of ``headline.csv``.
        forecasts: Long forecasts (:func:`capacity.vintages.record.long_forecasts`).
        observations: ``date, variable, value``.

    """
    run_id, scenario = vintage["run_id"], vintage["scenario"]
    con.execute("BEGIN TRANSACTION")
    for table in TABLES[:4]:
        con.execute(f"DELETE FROM {table} WHERE run_id = ? AND scenario = ?", [run_id, scenario])
    row = {
        k: vintage.get(k)
        for k in (
            "run_id",
            "scenario",
            "run_date",
            "data_date",
            "status",
            "code_version",
            "package_version",
            "seed",
            "params_file",
            "params_sha256",
            "data_vintage",
        )
    }
    row["published"] = bool(vintage.get("published", True))
    row["params_json"] = json.dumps(vintage.get("params") or {}, sort_keys=True, default=str)
    row["data_files_json"] = json.dumps(vintage.get("data_files") or {}, sort_keys=True)
    frame = pd.DataFrame([row])
    frame["run_date"] = pd.to_datetime(frame["run_date"], utc=True).dt.tz_localize(None)
    frame["data_date"] = pd.to_datetime(frame["data_date"]).dt.date
    _insert(con, "vintages", frame, list(row))
    head = headline.reindex(columns=[*headline.columns, *(c for c in HEADLINE_COLUMNS if c not in headline)])
    head["value_text"] = head["value"].astype(str)
    head["value"] = pd.to_numeric(head["value"], errors="coerce")
    for col in ("p10", "p90", "rounding"):
        head[col] = pd.to_numeric(head.get(col), errors="coerce")
    head = head.assign(run_id=run_id, scenario=scenario)
    _insert(
        con,
        "headlines",
        head,
        ["run_id", "scenario", "key", "label_en", "label_nl", "value", "value_text", "p10", "p90", "unit", "rounding"],
    )
    _insert(
        con,
        "forecasts",
        forecasts.assign(run_id=run_id, scenario=scenario),
        ["run_id", "scenario", "table_name", "date", "variable", "stat", "value"],
    )
    _insert(
        con,
        "observations",
        observations.assign(run_id=run_id, scenario=scenario),
        ["run_id", "scenario", "date", "variable", "value"],
    )
    con.execute("COMMIT")


def previous(con: Any, scenario: str, run_id: str) -> str | None:
    """Return the newest published run before ``run_id`` with a completed (``ok``) vintage of ``scenario``."""
    row = con.execute(
        "SELECT run_id FROM vintages WHERE scenario = ? AND run_id < ? AND status = 'ok' "
        "AND coalesce(published, true) ORDER BY run_id DESC LIMIT 1",
        [scenario, run_id],
    ).fetchone()
    return row[0] if row else None


def load(con: Any, run_id: str, scenario: str) -> dict[str, Any] | None:
    """Return one vintage as a record for :func:`capacity.vintages.changes.compare`, or None."""
    rows = con.execute("SELECT * FROM vintages WHERE run_id = ? AND scenario = ?", [run_id, scenario]).df()
    if rows.empty:
        return None
    record = rows.iloc[0].to_dict()
    record["params"] = json.loads(record.pop("params_json") or "{}")
    record["data_files"] = json.loads(record.pop("data_files_json") or "{}")
    record["observations"] = con.execute(
        "SELECT date, variable, value FROM observations WHERE run_id = ? AND scenario = ? ORDER BY variable, date",
        [run_id, scenario],
    ).df()
    head = con.execute(
        "SELECT key, label_en, label_nl, value, value_text, p10, p90, unit, rounding "
        "FROM headlines WHERE run_id = ? AND scenario = ?",
        [run_id, scenario],
    ).df()
    record["headline"] = [_headline_row(r) for r in head.to_dict("records")]
    return record


def _headline_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return a stored headline row as ``headline.csv`` has it (a month's value back as text)."""
    text = row.pop("value_text")
    if row["value"] is None or pd.isna(row["value"]):
        row["value"] = None if text in (None, "nan", "None", "") else text
    for col in ("p10", "p90"):
        if row[col] is not None and pd.isna(row[col]):
            row[col] = None
    return row


def forecasts(
    con: Any, scenario: str, *, table_names: tuple[str, ...] | None = None, run_ids: list[str] | None = None
) -> pd.DataFrame:
    """Return the stored long forecasts of ``scenario`` (optionally of some tables and runs)."""
    sql = "SELECT * FROM forecasts WHERE scenario = ?"
    args: list[Any] = [scenario]
    if table_names:
        sql += f" AND table_name IN ({', '.join('?' * len(table_names))})"
        args += list(table_names)
    if run_ids is not None:
        if not run_ids:
            return pd.DataFrame(columns=["run_id", "scenario", "table_name", "date", "variable", "stat", "value"])
        sql += f" AND run_id IN ({', '.join('?' * len(run_ids))})"
        args += list(run_ids)
    return con.execute(sql, args).df()


def replace_scores(con: Any, scenario: str, scores: pd.DataFrame, scored_by: str) -> None:
    """Replace the track record of ``scenario`` with ``scores`` (scored on the newest observations)."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM track_record WHERE scenario = ?", [scenario])
    frame = scores.assign(scored_by=scored_by)
    _insert(con, "track_record", frame, [*frame.columns])
    con.execute("COMMIT")


def list_vintages(con: Any) -> pd.DataFrame:
    """Return one row per stored vintage, newest first."""
    return con.execute(
        "SELECT v.run_id, v.scenario, v.run_date, v.data_date, v.status, v.code_version, v.seed, "
        "(SELECT count(*) FROM forecasts f WHERE f.run_id = v.run_id AND f.scenario = v.scenario) "
        "AS forecast_rows FROM vintages v ORDER BY v.run_id DESC, v.scenario"
    ).df()


def export(con: Any, dest: Path | str, fmt: str = "parquet") -> list[Path]:
    """Write every table to ``dest/<table>.<fmt>`` (``parquet`` or ``csv``); return the paths."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"export format {fmt!r}: expected 'parquet' or 'csv'")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in (*TABLES, "schema_version"):
        path = dest / f"{table}.{fmt}"
        option = "(FORMAT PARQUET)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
        con.execute(f"COPY {table} TO '{_sql_path(path)}' {option}")
        paths.append(path)
    return paths


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def prune(con: Any, keep: int) -> list[str]:
    """Keep the newest ``keep`` runs (by run id); delete the others' rows; return those run ids."""
    if keep < 1:
        raise ValueError(f"prune --keep {keep}: expected at least 1")
    runs = [r[0] for r in con.execute("SELECT DISTINCT run_id FROM vintages ORDER BY run_id DESC").fetchall()]
    drop = runs[keep:]
    if drop:
        marks = ", ".join("?" * len(drop))
        con.execute("BEGIN TRANSACTION")
        for table in TABLES:
            con.execute(f"DELETE FROM {table} WHERE run_id IN ({marks})", drop)
        con.execute("COMMIT")
    return drop


#: A run's vintage kept beside it (``<run>/vintage-pending.duckdb``) when the store could not
#: be written; the next run that opens the store merges it (:func:`merge`).
PENDING = "vintage-pending.duckdb"
_ALIAS = "capacity_pending_vintage"


def merge(con: Any, pending: Path | str) -> list[str]:
    """Copy the vintages of a pending store into the store (replacing the same runs); return their run ids.

    The track record is not copied: the next run scores every stored forecast again.

    Raises:
        StoreError: If ``pending`` cannot be read as a vintage store.

    """
    import duckdb

    pending = Path(pending)
    try:
        con.execute(f"ATTACH '{_sql_path(pending)}' AS {_ALIAS} (READ_ONLY)")
    except duckdb.Error as exc:
        raise _open_error(pending, exc, 0) from None
    try:
        keys = con.execute(f"SELECT DISTINCT run_id, scenario FROM {_ALIAS}.vintages").fetchall()
        con.execute("BEGIN TRANSACTION")
        for table in TABLES[:4]:
            columns = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? "
                    "AND table_name = ? ORDER BY ordinal_position",
                    [_ALIAS, table],
                ).fetchall()
            ]
            listed = ", ".join(columns)
            for run_id, scenario in keys:
                con.execute(f"DELETE FROM {table} WHERE run_id = ? AND scenario = ?", [run_id, scenario])
            con.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {_ALIAS}.{table}")
        con.execute("COMMIT")
    except duckdb.Error as exc:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # no transaction was open
        raise StoreError(f"{pending}: the kept vintage could not be merged ({str(exc).splitlines()[0]})") from None
    finally:
        con.execute(f"DETACH {_ALIAS}")
    return sorted({run_id for run_id, _ in keys})


def mark_published(con: Any, run_id: str) -> None:
    """Mark every vintage of ``run_id`` as published (after ``latest`` moved to it)."""
    con.execute("UPDATE vintages SET published = true WHERE run_id = ?", [run_id])


def query(con: Any, sql: str) -> pd.DataFrame:
    """Return the result of one SQL statement on a (read-only) connection.

    Raises:
        StoreError: One line with DuckDB's reason (a syntax error, an unknown table, a write
            on a read-only store).

    """
    import duckdb

    try:
        result = con.execute(sql)
        return result.df() if result.description else pd.DataFrame()
    except duckdb.Error as exc:
        raise StoreError(f"query: {str(exc).splitlines()[0]}") from None
