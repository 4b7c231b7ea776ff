"""The real 01_data notebook through the runner, end to end (slow: a real kernel and data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capacity import runner

pytestmark = pytest.mark.notebook


@pytest.mark.skipif(
    not (runner.NOTEBOOK_DIR / "01_data.ipynb").is_file(), reason="notebooks/01_data.ipynb not written yet"
)
def test_01_data_runs_end_to_end(tmp_path: Path) -> None:
    result = runner.run(None, notebooks=["01_data"], reports_dir=tmp_path, jobs=1, prepare=False, progress=False)
    assert result.ok, [r.error for r in result.failed]
    scenario = result.run_dir / "baseline"
    html = (scenario / "01_data.html").read_text()
    assert '<script src="../assets/plotly.min.js"></script>' in html
    assert "params.load" not in html  # code-free
    assert "Data: the published history" in html and "Gegevens: de gepubliceerde reeksen" not in html  # one twin
    assert list((scenario / "tables").glob("*.csv")), "01_data saves its tables"
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["status"] == "ok" and (tmp_path / "latest").resolve() == result.run_dir
