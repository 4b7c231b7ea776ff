"""The vintage store under faults: busy, damaged, empty, foreign or newer; kept vintages merged later."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from tests.unit.test_vintages import make_run

from capacity import cli
from capacity.vintages import record_run, store
from capacity.vintages.record import mark_published

pytestmark = pytest.mark.unit

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", flush=True)
sys.stdin.read()
"""


@contextmanager
def held(path: Path, mode: str = "ro") -> Iterator[None]:
    """Hold the store open in another process (``ro``: an analyst's notebook; ``rw``: a writer)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "holding"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def _run(root: Path, run_id: str, median: float = 1000.0) -> tuple[Path, dict]:
    run = make_run(
        root,
        run_id,
        params_text="meta:\n  name: vt\n",
        data_sha="1",
        last_obs="2025-03-01",
        forecast_start="2025-04-01",
        median=median,
    )
    return run, json.loads((run / "manifest.json").read_text())


def _stored(db: Path) -> list[str]:
    con = store.connect(db, read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT run_id FROM vintages ORDER BY run_id").fetchall()]
    finally:
        con.close()


@pytest.fixture
def quick(monkeypatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.6)


def test_a_busy_store_keeps_the_vintage_beside_the_run_and_the_next_run_merges_it(tmp_path: Path, quick) -> None:
    db = tmp_path / "vintages.duckdb"
    first, manifest = _run(tmp_path, "20260101T000000Z")
    assert "store_error" not in record_run(first, manifest, status="ok", store_path=db)
    second, manifest = _run(tmp_path, "20260201T000000Z", median=1500.0)
    with held(db, "ro"):  # an analyst's notebook has the store open read-only
        out = record_run(second, manifest, status="ok", store_path=db)
    assert out["busy"] is True and "in use by another process" in out["store_error"]
    assert len(out["store_error"].splitlines()) == 1
    assert (second / store.PENDING).is_file()
    assert json.loads((second / "warnings.json").read_text())["vintage_store"]["stored"] is False
    assert _stored(db) == ["20260101T000000Z"]
    third, manifest = _run(tmp_path, "20260301T000000Z")
    out = record_run(third, manifest, status="ok", store_path=db)
    assert out["merged"] == ["20260201T000000Z"] and "store_error" not in out
    assert not (second / store.PENDING).exists()
    assert _stored(db) == ["20260101T000000Z", "20260201T000000Z", "20260301T000000Z"]
    assert out["scenarios"]["vt"]["changes"]["previous_run"] == "20260201T000000Z"


def test_a_store_of_random_bytes_is_one_line_and_the_vintage_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "vintages.duckdb"
    db.write_bytes(bytes(range(256)) * 64)
    run, manifest = _run(tmp_path, "20260101T000000Z")
    out = record_run(run, manifest, status="ok", store_path=db)
    assert "not a DuckDB database" in out["store_error"] and out["busy"] is False
    assert (run / store.PENDING).is_file()


def _damaged(tmp_path: Path, kind: str) -> Path:
    db = tmp_path / f"{kind}.duckdb"
    if kind == "empty":
        db.write_bytes(b"")
    elif kind == "random":
        db.write_bytes(bytes(range(256)) * 64)
    elif kind == "truncated":
        good = tmp_path / "good.duckdb"
        store.connect(good).close()
        db.write_bytes(good.read_bytes()[:5000])
    elif kind == "foreign":
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE customers (id INTEGER)")
        con.close()
    elif kind == "newer":
        con = store.connect(db)
        con.execute("INSERT INTO schema_version VALUES (99, now())")
        con.close()
    return db


@pytest.mark.parametrize("kind", ["empty", "random", "truncated", "foreign", "newer"])
@pytest.mark.parametrize("action", ["list", "export", "query", "prune"])
def test_cli_vintages_on_a_damaged_foreign_or_newer_store_is_one_line(
    tmp_path: Path, capsys, kind: str, action: str
) -> None:
    db = _damaged(tmp_path, kind)
    before = db.read_bytes()
    extra = {"query": ["SELECT 1"], "prune": ["--keep", "1"], "export": ["--output", str(tmp_path / "x")]}
    code = cli.main(["vintages", action, *extra.get(action, []), "--vintages", str(db)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_STORE, err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(db) in err
    if kind == "newer":
        assert "newer version" in err
    assert db.read_bytes() == before  # never changed


def test_a_run_refuses_a_store_of_a_newer_schema_and_keeps_its_vintage(tmp_path: Path) -> None:
    db = _damaged(tmp_path, "newer")
    run, manifest = _run(tmp_path, "20260101T000000Z")
    out = record_run(run, manifest, status="ok", store_path=db)
    assert "newer version" in out["store_error"] and (run / store.PENDING).is_file()


def test_list_export_and_query_read_beside_a_reader_and_prune_refuses_politely(tmp_path: Path, capsys, quick) -> None:
    db = tmp_path / "vintages.duckdb"
    run, manifest = _run(tmp_path, "20260101T000000Z")
    record_run(run, manifest, status="ok", store_path=db)
    with held(db, "ro"):
        assert cli.main(["vintages", "list", "--vintages", str(db)]) == 0
        assert "20260101T000000Z" in capsys.readouterr().out
        assert cli.main(["vintages", "query", "SELECT run_id, scenario FROM vintages", "--vintages", str(db)]) == 0
        assert capsys.readouterr().out.splitlines() == ["run_id,scenario", "20260101T000000Z,vt"]
        assert (
            cli.main(
                ["vintages", "export", "--vintages", str(db), "--format", "csv", "--output", str(tmp_path / "export")]
            )
            == 0
        )
        assert cli.main(["vintages", "prune", "--keep", "1", "--vintages", str(db)]) == cli.EXIT_STORE
        err = capsys.readouterr().err
        assert "in use by another process" in err and len(err.strip().splitlines()) == 1
    assert cli.main(["vintages", "query", "DELETE FROM vintages", "--vintages", str(db)]) == cli.EXIT_STORE
    assert "read-only" in capsys.readouterr().err
    assert _stored(db) == ["20260101T000000Z"]


def test_a_writer_holding_the_store_makes_list_one_line(tmp_path: Path, capsys) -> None:
    db = tmp_path / "vintages.duckdb"
    store.connect(db).close()
    with held(db, "rw"):
        assert cli.main(["vintages", "list", "--vintages", str(db)]) == cli.EXIT_STORE
    assert "in use by another process" in capsys.readouterr().err


def test_a_run_is_compared_with_only_after_latest_moved_to_it(tmp_path: Path) -> None:
    db = tmp_path / "vintages.duckdb"
    first, manifest = _run(tmp_path, "20260101T000000Z")
    record_run(first, manifest, status="ok", store_path=db, published=False)  # as the runner stores it
    second, manifest = _run(tmp_path, "20260201T000000Z")
    out = record_run(second, manifest, status="ok", store_path=db, published=False)
    assert out["scenarios"]["vt"]["changes"]["previous_run"] is None  # killed before publishing
    assert mark_published(second, store_path=db)
    third, manifest = _run(tmp_path, "20260301T000000Z")
    out = record_run(third, manifest, status="ok", store_path=db, published=False)
    assert out["scenarios"]["vt"]["changes"]["previous_run"] == "20260201T000000Z"


def test_the_next_run_marks_latest_published_when_the_store_was_busy_then(tmp_path: Path) -> None:
    db = tmp_path / "vintages.duckdb"
    first, manifest = _run(tmp_path, "20260101T000000Z")
    record_run(first, manifest, status="ok", store_path=db, published=False)
    (tmp_path / "latest").symlink_to(first.name)  # latest moved; marking it failed
    second, manifest = _run(tmp_path, "20260201T000000Z")
    out = record_run(second, manifest, status="ok", store_path=db, published=False)
    assert out["scenarios"]["vt"]["changes"]["previous_run"] == "20260101T000000Z"


def test_a_hook_that_prints_endlessly_is_stopped_with_its_output_capped(tmp_path: Path) -> None:
    from capacity.vintages import notify

    path = tmp_path / "warnings.json"
    path.write_text("{}")
    command = f"{sys.executable} -c 'import sys\nwhile True: sys.stdout.write(\"x\" * 65536)'"
    assert notify(command, path, timeout=30, max_bytes=200_000) is None
    assert (tmp_path / "on-warning.log").stat().st_size <= 200_000


def test_a_hook_with_non_utf8_output_is_reported_as_run(tmp_path: Path) -> None:
    from capacity.vintages import notify

    path = tmp_path / "warnings.json"
    path.write_text("{}")
    command = f"{sys.executable} -c 'import sys; sys.stdout.buffer.write(bytes(range(256))); sys.exit(3)'"
    assert notify(command, path) == 3
    assert (tmp_path / "on-warning.log").read_bytes() == bytes(range(256))


def test_a_hook_s_grandchild_does_not_survive_the_time_limit(tmp_path: Path) -> None:
    import psutil

    from capacity.vintages import notify

    path = tmp_path / "warnings.json"
    path.write_text("{}")
    pid_file = tmp_path / "grandchild.pid"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n")
    script.chmod(0o755)
    assert notify(str(script), path, timeout=1) is None
    grandchild = int(pid_file.read_text())
    try:
        proc = psutil.Process(grandchild)
        proc.wait(timeout=5)
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE


def test_beside_a_reader_the_run_still_says_what_changed_since_the_last_run(tmp_path: Path, quick) -> None:
    db = tmp_path / "vintages.duckdb"
    first, manifest = _run(tmp_path, "20260101T000000Z")
    record_run(first, manifest, status="ok", store_path=db)
    second, manifest = _run(tmp_path, "20260201T000000Z", median=1500.0)
    with held(db, "ro"):
        out = record_run(second, manifest, status="ok", store_path=db)
    assert "store_error" in out
    changed = out["scenarios"]["vt"]["changes"]
    assert changed["previous_run"] == "20260101T000000Z" and not changed["first"]
