"""A run on the inputs of the run latest points at says "nothing changed" and recomputes nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fixture_notebooks import FAST, OK

from capacity import cli, runner
from capacity.runner import unchanged
from capacity.runner.publish import latest_target

pytestmark = pytest.mark.integration


def test_same_inputs_twice_the_second_says_nothing_changed_in_under_a_tenth_of_the_time(tmp_path: Path, capsys) -> None:
    reports = tmp_path / "reports"
    scenario = tmp_path / "small.yaml"
    scenario.write_text("meta:\n  name: small\n  title: Small\n")
    settings = {"registry": [OK], "reports_dir": reports, **FAST}
    started = time.monotonic()
    first = runner.run([scenario], **settings)
    first_seconds = time.monotonic() - started
    assert first.ok and first.published, first.failed
    assert unchanged.read(first.run_dir)["scenarios"]["small"]["data"]  # the inputs are kept

    started = time.monotonic()
    second = runner.run([scenario], **settings)
    second_seconds = time.monotonic() - started
    assert second.status == "unchanged" and second.ok and not second.published
    assert second.run_dir == first.run_dir and latest_target(reports) == first.run_dir.name
    assert len(list(reports.glob("2*"))) == 1  # no new run folder
    assert second_seconds < 0.1 * first_seconds, (second_seconds, first_seconds)

    forced = runner.run([scenario], force=True, **settings)  # --force runs anyway
    assert forced.status == "ok" and forced.run_dir != first.run_dir

    scenario.write_text("meta:\n  name: small\n  title: Small\nforecast:\n  n_paths: 200\n")
    changed = runner.run([scenario], **settings)  # a changed parameter runs again
    assert changed.status == "ok" and changed.run_dir != forced.run_dir
    assert unchanged.what_changed(unchanged.read(forced.run_dir), unchanged.read(changed.run_dir)) == [
        "small: parameters"
    ]


def test_the_cli_says_nothing_changed_and_exits_0(tmp_path: Path, capsys, monkeypatch) -> None:
    reports = tmp_path / "reports"
    scenario = tmp_path / "small.yaml"
    scenario.write_text("meta:\n  name: small\n  title: Small\n")
    first = runner.run([scenario], registry=[OK], reports_dir=reports, **FAST)
    assert first.ok
    # The CLI's registry is the real suite: compare with a run of that registry's own inputs.
    monkeypatch.setattr(runner, "NOTEBOOKS", [OK])
    monkeypatch.setattr(cli, "_whole_suite", lambda selected, registry: True)
    real_run = runner.run
    monkeypatch.setattr(runner, "run", lambda *a, **k: real_run(*a, registry=[OK], **k))
    code = cli.main(
        [
            "run",
            str(scenario),
            "--reports",
            str(reports),
            "--no-progress",
            "--no-cache",
            "--kernel",
            "spawn",
            "--jobs",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and f"nothing changed since run {first.run_dir.name}" in out and "--force" in out


def test_a_failed_or_unrecorded_latest_is_never_unchanged(tmp_path: Path) -> None:
    assert unchanged.unchanged_since(tmp_path, {"sha256": "x"}) is None  # no latest
    run = tmp_path / "20260101T000000Z"
    run.mkdir()
    (tmp_path / "latest").symlink_to(run.name)
    assert unchanged.unchanged_since(tmp_path, {"sha256": "x"}) is None  # no inputs.json
    unchanged.write(run, {"sha256": "x"})
    (run / "manifest.json").write_text('{"status": "failed"}')
    assert unchanged.unchanged_since(tmp_path, {"sha256": "x"}) is None
    (run / "manifest.json").write_text('{"status": "ok"}')
    assert unchanged.unchanged_since(tmp_path, {"sha256": "x"}) == run.resolve()
    assert unchanged.unchanged_since(tmp_path, {"sha256": "y"}) is None
