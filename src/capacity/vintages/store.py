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
ones in order, so an older file opens with the current code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

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


def connect(path: Path | str, *, read_only: bool = False) -> Any:
    """Open (and create or migrate) the store at ``path``; return a DuckDB connection."""
    import duckdb

    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    migrate(con)
    return con


def schema_version(con: Any) -> int:
    """Return the store's schema version (0 for an empty database)."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 'schema_version'").fetchone()[0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])


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


def append(con: Any, vintage: Mapping[str, Any], *, headline: pd.DataFrame, forecasts: pd.DataFrame,
           observations: pd.DataFrame) -> None:
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
    row = {k: vintage.get(k) for k in ("run_id", "scenario", "run_date", "data_date", "status",
                                       "code_version", "package_version", "seed", "params_file",
                                       "params_sha256", "data_vintage")}
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
    _insert(con, "headlines", head, ["run_id", "scenario", "key", "label_en", "label_nl", "value",
                                     "value_text", "p10", "p90", "unit", "rounding"])
    _insert(con, "forecasts", forecasts.assign(run_id=run_id, scenario=scenario),
            ["run_id", "scenario", "table_name", "date", "variable", "stat", "value"])
    _insert(con, "observations", observations.assign(run_id=run_id, scenario=scenario),
            ["run_id", "scenario", "date", "variable", "value"])
    con.execute("COMMIT")


def previous(con: Any, scenario: str, run_id: str) -> str | None:
    """Return the newest published run before ``run_id`` with a completed (``ok``) vintage of ``scenario``."""
    row = con.execute("SELECT run_id FROM vintages WHERE scenario = ? AND run_id < ? AND status = 'ok' "
                      "AND coalesce(published, true) ORDER BY run_id DESC LIMIT 1", [scenario, run_id]).fetchone()
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
        [run_id, scenario]).df()
    head = con.execute("SELECT key, label_en, label_nl, value, value_text, p10, p90, unit, rounding "
                       "FROM headlines WHERE run_id = ? AND scenario = ?", [run_id, scenario]).df()
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


def forecasts(con: Any, scenario: str, *, table_names: tuple[str, ...] | None = None,
              run_ids: list[str] | None = None) -> pd.DataFrame:
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
        "AS forecast_rows FROM vintages v ORDER BY v.run_id DESC, v.scenario").df()


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
