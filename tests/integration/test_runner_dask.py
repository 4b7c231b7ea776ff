"""The same jobs on Dask: a scheduler address runs them on its workers, notebooks unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from capacity import runner
from capacity.runner import Notebook

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "notebooks"


def test_jobs_run_on_a_dask_scheduler(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = runner.run(
            None,
            registry=[Notebook("ok", path=FIXTURES / "ok.ipynb"), Notebook("broken", path=FIXTURES / "broken.ipynb")],
            scheduler=cluster.scheduler_address,
            reports_dir=tmp_path,
            prepare=False,
            progress=False,
            kernel="spawn",
        )
    assert result.results["baseline/ok"].status == "ok"
    assert result.results["baseline/broken"].status == "failed"
    assert result.manifest["executor"]["kind"] == "dask"
    assert (result.run_dir / "baseline" / "ok.html").is_file()
