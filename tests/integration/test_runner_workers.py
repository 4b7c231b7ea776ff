"""A worker process that dies (crash, out of memory) does not take the batch down."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_notebooks import FAST, FIXTURES, OK

from capacity import runner
from capacity.runner import Notebook

pytestmark = pytest.mark.integration


def test_a_dead_worker_does_not_take_the_batch_down(tmp_path: Path) -> None:
    killer = Notebook("kills_worker", path=FIXTURES / "kills_worker.ipynb")
    result = runner.run(None, registry=[killer, OK], reports_dir=tmp_path,
                        **{**FAST, "jobs": 1})
    assert result.results["baseline/ok"].status == "ok"
    dead = result.results["baseline/kills_worker"]
    assert dead.status == "failed" and "BrokenProcessPool" in dead.error
    assert result.status == "failed"
