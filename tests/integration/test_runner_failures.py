"""The runner on tiny fixture notebooks: what happens when notebooks or their inputs fail."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest
from fixture_notebooks import BROKEN, DIES, FAST, MUNI, OK, SLOW

from capacity import runner
from capacity.runner.publish import latest_target

pytestmark = pytest.mark.integration


def test_broken_notebook_in_a_batch_is_isolated(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    first = runner.run(None, registry=[OK], reports_dir=reports, **FAST)
    assert first.ok and first.published
    assert latest_target(reports) == first.run_dir.name

    second = runner.run(None, registry=[OK, BROKEN, MUNI], municipalities=["GM0363"], reports_dir=reports, **FAST)
    assert second.status == "failed" and not second.published
    assert latest_target(reports) == first.run_dir.name  # latest unchanged
    assert second.results["baseline/ok"].status == "ok"
    assert second.results["baseline/municipality/GM0363"].status == "ok"
    broken = second.results["baseline/broken"]
    assert broken.status == "failed"
    assert "ValueError: deliberately broken fixture" in broken.error

    scenario = second.run_dir / "baseline"
    executed = nbformat.read(scenario / "broken.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].ename == "ValueError"
    assert "deliberately broken fixture" in (scenario / "broken.html").read_text()
    assert (scenario / "municipalities" / "GM0363.html").is_file()
    index = (second.run_dir / "index.html").read_text()
    assert "deliberately broken fixture" in index and "failed" in index
    manifest = json.loads((second.run_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert {j["key"]: j["status"] for j in manifest["jobs"]}["baseline/broken"] == "failed"


def test_hung_cell_and_dead_kernel_are_stopped_with_a_clear_message(tmp_path: Path) -> None:
    start = time.monotonic()
    result = runner.run(None, registry=[SLOW, DIES], reports_dir=tmp_path, timeout=2, **FAST)
    assert time.monotonic() - start < 30
    slow, dies = result.results["baseline/slow"], result.results["baseline/dies"]
    assert slow.status == "timeout" and "timeout of 2 s" in slow.error
    assert dies.status == "died" and "kernel died" in dies.error
    assert result.status == "failed" and not result.published


def test_failed_shared_results_skip_that_scenario_and_say_why(tmp_path: Path) -> None:
    empty = tmp_path / "no-data"
    empty.mkdir()
    scenario = tmp_path / "nodata.yaml"
    scenario.write_text(f"data:\n  data_dir: {empty}\n")
    result = runner.run([scenario], registry=[OK], reports_dir=tmp_path / "r", **{**FAST, "prepare": True})
    assert result.status == "failed" and not result.published
    assert result.results["nodata/prepare"].status == "failed"
    assert "data file not found" in result.results["nodata/prepare"].error
    assert result.results["nodata/ok"].status == "skipped"
    assert "data file not found" in (result.run_dir / "index.html").read_text()
