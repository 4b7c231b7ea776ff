"""After a run: append its vintages, compare with the last run, score earlier runs, warn.

:func:`record_run` is the one call the runner makes once a run has finished (before the
index is written). For each scenario it reads what the run wrote (``tables/*.csv``, the
manifest), appends the vintage to the store, and writes two files to the run folder that
the index shows:

- ``vintages.json``: per scenario, what changed since the previous completed run
  (:func:`capacity.vintages.changes.compare`), the track record of earlier runs
  (:func:`capacity.vintages.track.summary`) and the registered forecast of recent runs;
- ``warnings.json``: the early-warning status (``green``/``amber``/``red``, ``unknown``
  when nothing could be evaluated) and each trigger's text.

It also puts a short note (status, what changed, a link to the index) at the top of each
scenario's national reports (:mod:`capacity.vintages.banner`).

A failure here is logged and never fails the run. :func:`notify` calls a configured
command with the path of ``warnings.json`` (``capacity run --on-warning``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import capacity.vintages.banner as banner
import capacity.vintages.changes as changes
import capacity.vintages.store as store
import capacity.vintages.track as track
import capacity.vintages.warnings as warnings
from capacity import i18n
from capacity.i18n import N_

logger = logging.getLogger(__name__)

#: Contract forecast tables kept in the store (long format).
FORECAST_TABLES = ("population_forecast", "shelter_forecast", "backlog_forecast", "housing_task")
#: Tables whose series have observations to score them against.
SCORED_TABLES = ("population_forecast", "shelter_forecast")
#: Tables the warnings read besides the forecasts.
OTHER_TABLES = ("headline", "history", "capacity_needed")
#: Runs shown in the chart of the registered forecast across vintages.
FAN_RUNS = 6


def read_tables(tables_dir: Path) -> dict[str, pd.DataFrame]:
    """Read the tables a scenario's run wrote that the store and the warnings use."""
    out = {}
    for name in (*FORECAST_TABLES, *OTHER_TABLES):
        path = tables_dir / f"{name}.csv"
        if path.is_file():
            out[name] = pd.read_csv(path)
    return out


def long_forecasts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the forecast tables as ``table_name, date, variable, stat, value`` rows."""
    frames = []
    for name in FORECAST_TABLES:
        table = tables.get(name)
        if table is None or table.empty or "variable" not in table:
            continue
        stats = [c for c in table.columns if c == "mean" or c.startswith("q")]
        frame = table.melt(id_vars=["date", "variable"], value_vars=stats, var_name="stat")
        frames.append(frame.assign(table_name=name))
    if not frames:
        return pd.DataFrame(columns=["table_name", "date", "variable", "stat", "value"])
    out = pd.concat(frames, ignore_index=True)
    out["date"] = pd.to_datetime(out["date"]).dt.date
    return out


def observed(history: pd.DataFrame | None) -> pd.DataFrame:
    """Return the observed values (``date, variable, value``) of a history table."""
    if history is None or history.empty:
        return pd.DataFrame(columns=["date", "variable", "value"])
    frame = history.dropna(subset=["value"])
    if "flag" in frame:
        frame = frame[frame["flag"] == "observed"]
    frame = frame[["date", "variable", "value"]].copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame.attrs = {}  # plain observations: pandas compares attrs (frames there raise) when merging two
    return frame.reset_index(drop=True)


def data_date(observations: pd.DataFrame) -> Any:
    """Return the last observed month of the registered count (else of any series), or None."""
    if observations.empty:
        return None
    registered = observations[observations["variable"] == "registered"]
    return (registered if not registered.empty else observations)["date"].max()


def _history(entry: Mapping[str, Any], scn: Any, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the run's history table, or read the data files when no notebook wrote it."""
    if "history" in tables:
        return tables["history"]
    from capacity import data

    try:
        return data.load_history(scn.data.data_dir, scn.data.files)
    except Exception as exc:  # noqa: BLE001 - provenance must not break a run
        logger.info("vintage of %s: no observations (%s)", entry["name"], exc)
        return pd.DataFrame(columns=["date", "variable", "value"])


def build_vintage(
    entry: Mapping[str, Any],
    manifest: Mapping[str, Any],
    status: str,
    tables: Mapping[str, pd.DataFrame],
    *,
    published: bool = True,
) -> dict[str, Any]:
    """Return the vintage record of one scenario of a run (see :mod:`capacity.vintages.store`)."""
    from capacity import params

    scn = params.load(entry["params_file"])
    obs = observed(_history(entry, scn, tables))
    headline = tables.get("headline")
    if headline is None:
        headline = pd.DataFrame((manifest.get("headline") or {}).get(entry["name"]) or [])
    return {
        "run_id": manifest["run_id"],
        "scenario": entry["name"],
        "run_date": manifest.get("started"),
        "data_date": data_date(obs),
        "status": status,
        "code_version": manifest.get("git_commit"),
        "package_version": manifest.get("package_version"),
        "seed": entry.get("seed"),
        "params_file": entry.get("params_file"),
        "params_sha256": entry.get("params_sha256"),
        "data_vintage": entry.get("data_vintage"),
        "published": published,
        "params": scn.model_dump(mode="json"),
        "data_files": {f["name"]: f["sha256"] for f in entry.get("data_files", [])},
        "observations": obs,
        "headline_frame": headline,
        "scenario_obj": scn,
        "headline": [_headline_row(r) for r in headline.to_dict("records")],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items()}


def _headline_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return a ``headline.csv`` row with numbers as numbers (a CSV column with months reads as text)."""
    out = _plain_row(row)
    for col in ("value", "p10", "p90"):
        if out.get("unit") != "month" and isinstance(out.get(col), str):
            try:
                out[col] = _plain(float(out[col]))
            except ValueError:
                pass
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return [_plain_row(r) for r in frame.astype(object).to_dict("records")]


def _fan(con: Any, scenario: str, run_id: str) -> list[dict[str, Any]]:
    """Median and 80 % band of the registered forecast of the last :data:`FAN_RUNS` runs."""
    runs = [
        r[0]
        for r in con.execute(
            "SELECT run_id FROM vintages WHERE scenario = ? AND run_id <= ? ORDER BY run_id DESC LIMIT ?",
            [scenario, run_id, FAN_RUNS],
        ).fetchall()
    ]
    frame = store.forecasts(con, scenario, table_names=("population_forecast",), run_ids=runs)
    frame = frame[(frame["variable"] == "registered") & frame["stat"].isin(["q0.10", "q0.50", "q0.90"])]
    if frame.empty:
        return []
    wide = frame.pivot_table(index=["run_id", "date"], columns="stat", values="value").reset_index()
    wide["date"] = pd.to_datetime(wide["date"]).dt.strftime("%Y-%m-%d")
    return [
        {
            "run_id": run,
            "date": list(g["date"]),
            "p10": list(g["q0.10"]),
            "p50": list(g["q0.50"]),
            "p90": list(g["q0.90"]),
        }
        for run, g in wide.sort_values(["run_id", "date"]).groupby("run_id")
    ]


def record_scenario(
    con: Any, vintage: dict[str, Any], tables: Mapping[str, pd.DataFrame], *, reader: Any = None
) -> dict[str, Any]:
    """Append one scenario's vintage; return its changes, track record, warnings and fan.

    ``reader``: the store opened read-only, when ``con`` is the pending store beside the run
    (the store itself was busy): the earlier runs are read from it.
    """
    run_id, name = vintage["run_id"], vintage["scenario"]
    store.append(
        con,
        vintage,
        headline=vintage["headline_frame"],
        forecasts=long_forecasts(tables),
        observations=vintage["observations"],
    )
    past = reader if reader is not None else con
    prev_id = store.previous(past, name, run_id)
    before = store.load(past, prev_id, name) if prev_id else None
    changed = changes.compare(before, vintage)
    earlier_forecasts = store.forecasts(past, name, table_names=SCORED_TABLES)
    earlier_forecasts = earlier_forecasts[earlier_forecasts["run_id"] < run_id]  # only earlier runs
    scores = track.score(earlier_forecasts, vintage["observations"])
    store.replace_scores(con, name, scores, run_id)
    earlier = None
    if prev_id:
        earlier = track.wide(store.forecasts(past, name, table_names=("population_forecast",), run_ids=[prev_id]))
    scn = vintage["scenario_obj"]
    headline = {r["key"]: r for r in vintage["headline"]}
    results = warnings.evaluate(
        scn.warnings,
        observations=vintage["observations"],
        earlier=earlier,
        tables=tables,
        headline=headline,
        lead_time_months=scn.shelter.lead_time_months,
        data_date=vintage["data_date"],
        run_date=_today(scn, vintage["run_date"]),
    )
    return {
        "changes": changed,
        "track": _records(track.summary(scores)),
        "scored_runs": sorted(set(scores["run_id"])),
        "fan": _fan(past, name, run_id),
        "warnings": results,
    }


def _today(scn: Any, started: Any) -> Any:
    """Return the run's "today" for the age of its data: an explicit as-of date, else its start."""
    from capacity.data.dates import AS_OF_ENV, reference_date

    if scn.forecast.as_of or os.environ.get(AS_OF_ENV):
        return reference_date(scn.forecast.as_of)
    return started


def record_run(
    run_dir: Path,
    manifest: Mapping[str, Any],
    *,
    status: str,
    published: bool = True,
    store_path: Path | str | None = None,
) -> dict[str, Any] | None:
    """Append the run's vintages and write ``vintages.json`` and ``warnings.json``; never raise.

    When the store cannot be written (another process holds it past the bounded wait, or it
    is damaged), the vintage is kept beside the run in ``<run>/vintage-pending.duckdb``, the
    warnings are evaluated on it alone, and the result says so (``store_error``); the next
    run that opens the store merges it. Kept vintages of earlier runs are merged first.

    Args:
        run_dir: The run folder.
        manifest: The run's final manifest.
        status: The run's status; an ``interrupted`` run is not recorded.
        published: False for a run of some notebooks or one municipality (stored, but never
            the run that a later "what changed" compares with). A run that will move
            ``latest`` is stored unpublished too, and marked by :func:`mark_published` once
            the link has moved.
        store_path: The store (None: :func:`capacity.vintages.store.default_path` of the
            reports folder, i.e. ``$CAPACITY_VINTAGES`` or ``<reports>/vintages.duckdb``).

    Returns:
        The content of ``vintages.json`` (with ``store_error`` and ``pending`` when the vintage
        was kept beside the run, ``merged``: the run ids of kept vintages merged now), or a
        record with ``store_error`` alone when nothing could be recorded; None for an
        interrupted run.

    """
    if status == "interrupted":
        return None
    path = Path(store_path) if store_path else store.default_path(run_dir.parent)
    try:
        return _record(run_dir, manifest, status, path, published)
    except Exception as exc:  # the vintage store must never fail a run
        # The traceback goes to the run's log (INFO); the console gets one line from the CLI.
        logger.info("vintage store %s: could not record run %s", path, run_dir.name, exc_info=True)
        reason = (
            str(exc)
            if isinstance(exc, store.StoreError)
            else f"the vintage store {path.name} could not be written ({type(exc).__name__})"
        )
        try:
            write_json(run_dir / "vintages.json", {"run_id": run_dir.name, "error": reason, "scenarios": {}})
            failed = warnings.result(
                "vintage_store",
                "unknown",
                lambda lang: i18n.gettext(N_("Not evaluated: {reason}; see the run's log."), lang).format(
                    reason=reason
                ),
            )
            write_warnings(
                run_dir,
                run_dir.name,
                {entry["name"]: [failed] for entry in manifest.get("scenarios", [])},
                store_error=reason,
            )
        except OSError:
            pass
        return {"run_id": run_dir.name, "store_error": reason, "scenarios": {}}


def _open(run_dir: Path, path: Path, out: dict[str, Any]) -> Any:
    """Open the store and merge kept vintages; else open a pending store beside the run (noted in ``out``)."""
    try:
        con = store.connect(path)
    except store.StoreError as exc:
        logger.info(
            "vintage store: %s; keeping this run's vintage in %s/%s", exc, run_dir.name, store.PENDING
        )  # the console gets one line from the CLI
        pending = run_dir / store.PENDING
        pending.unlink(missing_ok=True)
        out.update(store_error=str(exc), pending=store.PENDING, busy=exc.busy)
        if exc.busy:  # held by a reader (a notebook): earlier runs can still be read beside it
            try:
                out["_reader"] = store.connect(path, read_only=True, wait=0)
            except store.StoreError:
                pass
        return store.connect(pending, wait=0)
    out["merged"] = _merge_pending(con, run_dir)
    return con


def _merge_pending(con: Any, run_dir: Path) -> list[str]:
    """Merge the vintages earlier runs kept beside them; mark ``latest``'s run published."""
    merged: list[str] = []
    for pending in sorted(run_dir.parent.glob(f"*/{store.PENDING}")):
        if pending.parent == run_dir:
            continue
        try:
            merged += store.merge(con, pending)
        except store.StoreError as exc:
            logger.warning("vintage store: %s", exc)
            continue
        pending.unlink(missing_ok=True)
        logger.warning(
            "vintage store: merged the vintage of run %s, kept while the store could not be written",
            pending.parent.name,
        )
    latest = run_dir.parent / "latest"
    if latest.is_symlink():  # a run killed between storing and publishing is healed here
        store.mark_published(con, os.readlink(latest))
    return merged


def mark_published(run_dir: Path, *, store_path: Path | str | None = None) -> bool:
    """Mark the run's vintages published after ``latest`` moved to it; return whether it worked.

    If the store is busy now, the next run does it (``latest`` names the run).
    """
    path = Path(store_path) if store_path else store.default_path(run_dir.parent)
    try:  # a short wait: the next run marks it anyway (latest names it)
        con = store.connect(path, wait=min(store.LOCK_WAIT_SECONDS, 2.0))
    except store.StoreError as exc:
        logger.info("vintage store: %s; run %s is marked published by the next run", exc, run_dir.name)
        return False
    try:
        store.mark_published(con, run_dir.name)
    finally:
        con.close()
    return True


def _record(run_dir: Path, manifest: Mapping[str, Any], status: str, path: Path, published: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "run_id": manifest["run_id"],
        "store": os.path.relpath(path, run_dir),
        "scenarios": {},
    }  # relative: no machine path in published files
    con = _open(run_dir, path, out)
    reader = out.pop("_reader", None)
    try:
        for entry in manifest.get("scenarios", []):
            tables = read_tables(run_dir / entry["name"] / "tables")
            vintage = build_vintage(entry, manifest, status, tables, published=published)
            out["scenarios"][entry["name"]] = _record_scenario(con, vintage, tables, reader)
    finally:
        con.close()
        if reader is not None:
            reader.close()
    per = {name: s.pop("warnings") for name, s in out["scenarios"].items()}
    if "store_error" in out:
        error, busy = out["store_error"], out.get("busy")

        def say(lang: str) -> str:
            text = i18n.gettext(
                N_(
                    "This run's forecast is not yet in the vintage store ({error}); it is kept beside the run "
                    "and stored by the next run."
                ),
                lang,
            ).format(error=error)
            if not busy:
                text += " " + i18n.gettext(
                    N_("What changed since the last run and the track record could not be evaluated."), lang
                )
            return text

        stored = warnings.result("vintage_store", "unknown", say)
        per = {name: [*results, stored] for name, results in per.items()}
    write_json(run_dir / "vintages.json", out)
    write_warnings(run_dir, manifest["run_id"], per, store_error=out.get("store_error"))
    languages = {entry["name"]: entry.get("language", "en") for entry in manifest.get("scenarios", [])}
    for name, results in per.items():
        status, changes = warnings.overall(list(results)), out["scenarios"][name]["changes"]
        note = banner.note_html(status, results, changes, language=languages.get(name, "en"))
        # municipal pages are Dutch and one folder deeper: the same status, in Dutch, where they read it
        municipal = banner.note_html(status, results, changes, language="nl", index_href="../../index.html")
        banner.stamp_reports(run_dir / name, note, municipal)
    return out


def _record_scenario(
    con: Any, vintage: dict[str, Any], tables: Mapping[str, pd.DataFrame], reader: Any
) -> dict[str, Any]:
    """:func:`record_scenario`, reading earlier runs from ``reader`` if it can (an older store cannot be)."""
    import duckdb

    if reader is not None:
        try:
            return record_scenario(con, vintage, tables, reader=reader)
        except duckdb.Error as exc:
            logger.info("vintage store: earlier runs could not be read beside the reader (%s)", exc)
    return record_scenario(con, vintage, tables)


def write_warnings(
    run_dir: Path,
    run_id: str,
    per_scenario: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    store_error: str | None = None,
) -> Path:
    """Write ``<run>/warnings.json``: the overall status, each scenario's triggers (and a store failure)."""
    statuses = [{"status": warnings.overall(list(r))} for r in per_scenario.values()]
    content = {
        "run_id": run_id,
        "status": warnings.overall(statuses) if statuses else "unknown",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenarios": {
            name: {"status": warnings.overall(list(r)), "triggers": list(r)} for name, r in per_scenario.items()
        },
    }
    if store_error:
        content["vintage_store"] = {"stored": False, "error": store_error}
    return write_json(run_dir / "warnings.json", content)


def write_json(path: Path, content: Any) -> Path:
    """Write ``content`` as JSON (NaN and infinity as null)."""
    text = json.dumps(_clean(content), indent=1, default=str, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return _records(value)
    return _plain(value)


#: Most bytes of a hook's output kept (``<run>/on-warning.log``); a hook that writes more is stopped.
HOOK_MAX_BYTES = 1_000_000


def notify(command: str, warnings_json: Path, *, timeout: float = 60, max_bytes: int = HOOK_MAX_BYTES) -> int | None:
    """Run ``command`` (split like a shell would, run without one) with the JSON path appended.

    The command's output (stdout and stderr, as bytes: any encoding) goes to
    ``on-warning.log`` beside ``warnings_json``, never into memory. It runs in its own
    process group: at ``timeout`` seconds, or once its output passes ``max_bytes``, the whole
    group (also whatever it started) is killed.

    Returns:
        The command's exit code, or None when it could not start, timed out or wrote too
        much (logged).

    """
    import signal
    import time

    log_path = Path(warnings_json).with_name("on-warning.log")
    try:
        argv = [*shlex.split(command), str(warnings_json)]
    except ValueError as exc:
        logger.warning("on-warning command %r could not be read: %s", command, exc)
        return None
    try:
        out = log_path.open("wb")
    except OSError as exc:
        logger.warning("on-warning command %r: cannot write %s: %s", command, log_path, exc)
        return None
    with out:
        try:
            proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            logger.warning("on-warning command %r failed: %s", command, exc)
            return None
        deadline, reason = time.monotonic() + timeout, None
        while proc.poll() is None:
            if time.monotonic() > deadline:
                reason = f"did not finish within {timeout:g} s"
            elif os.fstat(out.fileno()).st_size > max_bytes:
                reason = f"wrote more than {max_bytes:,} bytes"
            if reason:
                break
            time.sleep(0.05)
        if reason:
            _end_group(proc, signal.SIGKILL)  # the hook and whatever it started
        proc.wait()
    if log_path.stat().st_size > max_bytes:
        os.truncate(log_path, max_bytes)
    if reason:
        logger.warning("on-warning command %r stopped: it %s (output in %s)", command, reason, log_path)
        return None
    if proc.returncode:
        tail = log_path.read_bytes()[-500:].decode("utf-8", errors="replace").strip()
        logger.warning("on-warning command %r exited with %d: %s", command, proc.returncode, tail)
    return proc.returncode


def _end_group(proc: subprocess.Popen, sig: int) -> None:
    """Send ``sig`` to the process group ``proc`` leads (nothing if it is gone)."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
