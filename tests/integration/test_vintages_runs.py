"""Two real runs in a row: the second index says what changed, the store keeps both, warnings are written."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from capacity import runner
from capacity.cli import main
from capacity.runner import Notebook

pytestmark = pytest.mark.integration


#: The notebook writes the tables a prepared run would (cheaply): a headline figure and a
#: forecast that depend on shelter.target_occupancy, so a changed parameter changes them.
WRITE_TABLES = """
import pathlib
import pandas as pd
from capacity import params
scn = params.load(params_path)
tables = pathlib.Path(output_dir) / "tables"
tables.mkdir(parents=True, exist_ok=True)
value = 90000 / scn.shelter.target_occupancy
pd.DataFrame([{"key": "shelter_places_needed", "label_en": "Places needed at the occupancy target",
               "label_nl": "Benodigde plekken", "value": value, "p10": value - 500, "p90": value + 500,
               "unit": "places", "rounding": 100}]).to_csv(tables / "headline.csv", index=False)
qs = {"q0.025": -0.1, "q0.05": -0.08, "q0.10": -0.06, "q0.165": -0.04, "q0.25": -0.02, "q0.50": 0,
      "q0.75": 0.02, "q0.835": 0.04, "q0.90": 0.06, "q0.95": 0.08, "q0.975": 0.1}
dates = pd.date_range("2025-04-01", periods=6, freq="MS")
pd.DataFrame([{"date": d, "variable": "registered", "mean": value, **{q: value * (1 + o) for q, o in qs.items()}}
              for d in dates]).to_csv(tables / "population_forecast.csv", index=False)
pd.DataFrame([{"service": "IND", "variant": "constant", "capacity_per_month": 3168.0,
               "planned_per_month": 2640.0, "ratio_to_planned": 1.2}]).to_csv(tables / "capacity_needed.csv",
                                                                               index=False)
"""


def _notebook(path: Path) -> Notebook:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("params_path = None\noutput_dir = '.'\ncache_path = None",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(WRITE_TABLES),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"c{i}"
    nbformat.write(notebook, path)
    return Notebook("tiny", path=path)


def test_second_run_names_the_changed_parameter_and_both_headline_values(tmp_path: Path, monkeypatch,
                                                                         capsys) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAPACITY_VINTAGES", raising=False)
    scenario = tmp_path / "small.yaml"
    # The shipped data end in 2025: not stale for this test (tests/unit/test_data_age.py tests that).
    small = "meta:\n  name: small\nwarnings:\n  data_age:\n    enabled: false\n"
    scenario.write_text(small)
    registry = [_notebook(tmp_path / "tiny.ipynb")]
    reports = tmp_path / "reports"
    settings = {"registry": registry, "reports_dir": reports, "jobs": 1, "progress": False,
                "prepare": False}
    first = runner.run([scenario], **settings)
    assert first.ok, [r.error for r in first.failed]
    assert (first.run_dir / "warnings.json").is_file()
    assert "First run of this scenario" in (first.run_dir / "index.html").read_text()

    scenario.write_text(small + "shelter:\n  target_occupancy: 0.85\n")
    second = runner.run([scenario], **settings)
    assert second.ok, [r.error for r in second.failed]
    html = (second.run_dir / "index.html").read_text()
    assert "What changed since the last run" in html
    assert "shelter.target_occupancy" in html and "0.91 → 0.85" in html
    assert f"Compared with run {first.run_dir.name}" in html
    assert "Places needed at the occupancy target" in html
    assert "98,900" in html and "105,900" in html  # the figure then (0.91) and now (0.85)
    assert "registered forecast of the last 2 runs" in html  # the fan of fans
    assert "Early warning: <span class=\"badge\">AMBER — watch closely</span>" in html
    assert "IND (constant): needs 3,168 a month, planned 2,640 (20 % more)" in html
    report = (second.run_dir / "small" / "tiny.html").read_text()  # the national report's note
    assert 'id="capacity-vintage"' in report and "parameters shelter.target_occupancy" in report
    assert "Early warning: AMBER — watch closely" in report
    warnings = json.loads((second.run_dir / "warnings.json").read_text())
    assert warnings["status"] == "amber"
    assert {t["trigger"] for t in warnings["scenarios"]["small"]["triggers"]} >= {
        "penalty_budget", "registrations_above_band"}

    assert main(["vintages", "list", "--vintages", str(reports / "vintages.duckdb")]) == 0
    listed = capsys.readouterr().out
    assert first.run_dir.name in listed and second.run_dir.name in listed
    assert main(["vintages", "export", "--vintages", str(reports / "vintages.duckdb"), "--format", "csv",
                 "--output", str(tmp_path / "export")]) == 0
    assert (tmp_path / "export" / "forecasts.csv").stat().st_size > 0
    assert main(["vintages", "prune", "--keep", "1", "--vintages", str(reports / "vintages.duckdb")]) == 0
    assert "pruned 1 run(s)" in capsys.readouterr().out
