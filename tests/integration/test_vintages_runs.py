"""Two real runs in a row: the second index says what changed, the store keeps both, warnings are written."""

from __future__ import annotations

import json
import logging
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
        nbformat.v4.new_code_cell(
            "params_path = None\noutput_dir = '.'\ncache_path = None", metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(WRITE_TABLES),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"c{i}"
    nbformat.write(notebook, path)
    return Notebook("tiny", path=path)


def test_second_run_names_the_changed_parameter_and_both_headline_values(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAPACITY_VINTAGES", raising=False)
    scenario = tmp_path / "small.yaml"
    # The shipped data end in 2025: not stale for this test (tests/unit/test_data_age.py tests that).
    small = "meta:\n  name: small\nwarnings:\n  data_age:\n    enabled: false\n"
    scenario.write_text(small)
    registry = [_notebook(tmp_path / "tiny.ipynb")]
    reports = tmp_path / "reports"
    settings = {"registry": registry, "reports_dir": reports, "jobs": 1, "progress": False, "prepare": False}
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
    assert 'Early warning: <span class="badge">AMBER — watch closely</span>' in html
    assert "IND (constant): needs 3,168 a month, planned 2,640 (20 % more)" in html
    report = (second.run_dir / "small" / "tiny.html").read_text()  # the national report's note
    assert 'id="capacity-vintage"' in report and "parameters shelter.target_occupancy" in report
    assert "Early warning: AMBER — watch closely" in report
    warnings = json.loads((second.run_dir / "warnings.json").read_text())
    assert warnings["status"] == "amber"
    assert {t["trigger"] for t in warnings["scenarios"]["small"]["triggers"]} >= {
        "penalty_budget",
        "registrations_above_band",
    }

    assert main(["vintages", "list", "--vintages", str(reports / "vintages.duckdb")]) == 0
    listed = capsys.readouterr().out
    assert first.run_dir.name in listed and second.run_dir.name in listed
    assert (
        main(
            [
                "vintages",
                "export",
                "--vintages",
                str(reports / "vintages.duckdb"),
                "--format",
                "csv",
                "--output",
                str(tmp_path / "export"),
            ]
        )
        == 0
    )
    assert (tmp_path / "export" / "forecasts.csv").stat().st_size > 0
    assert main(["vintages", "prune", "--keep", "1", "--vintages", str(reports / "vintages.duckdb")]) == 0
    assert "pruned 1 run(s)" in capsys.readouterr().out


def test_a_run_with_the_store_held_exits_5_in_one_line_and_the_next_run_stores_it(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import functools
    import subprocess
    import sys

    from capacity import cli
    from capacity.vintages import store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAPACITY_VINTAGES", raising=False)
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.5)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # main() of an earlier test left one
    scenario = tmp_path / "small.yaml"
    scenario.write_text("meta:\n  name: small\n")
    monkeypatch.setattr(runner, "run", functools.partial(runner.run, registry=[_notebook(tmp_path / "tiny.ipynb")]))
    reports = tmp_path / "reports"
    args = [
        "run",
        str(scenario),
        "--reports",
        str(reports),
        "--jobs",
        "1",
        "--no-progress",
        "--no-cache",
        "--kernel",
        "spawn",
        "--on-warning",
        f"{sys.executable} -c pass",
    ]
    db = reports / "vintages.duckdb"
    store.connect(db).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1], "
            "read_only=True); print('ok', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        assert main(args) == cli.EXIT_STORE
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "vintage not stored" in lines[0] and "in use by another process" in lines[0]
    assert "vintage-pending.duckdb" in lines[0] and "Traceback" not in captured.err
    assert "on-warning command exited with 0" in captured.out  # the hook is told
    first = sorted(p for p in reports.iterdir() if p.name.startswith("20"))[0]
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["vintage_store"]["stored"] is False
    assert main(args) == 0
    assert f"merged the vintage of run {first.name}" in capsys.readouterr().out
    con = store.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM vintages").fetchone()[0] == 2
    con.close()


def test_a_run_stopped_while_writing_its_vintage_is_never_ok_without_an_index(tmp_path: Path, monkeypatch) -> None:
    import capacity.runner.batch as batch

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAPACITY_VINTAGES", raising=False)
    seen = {}

    def stopped(run_dir: Path, manifest: dict, **kwargs) -> None:
        seen["status"] = json.loads((run_dir / "manifest.json").read_text())["status"]
        raise KeyboardInterrupt  # as SIGTERM/Ctrl-C while the vintage is written

    monkeypatch.setattr(batch, "record_run", stopped)
    scenario = tmp_path / "small.yaml"
    scenario.write_text("meta:\n  name: small\n")
    reports = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        runner.run(
            [scenario],
            registry=[_notebook(tmp_path / "tiny.ipynb")],
            reports_dir=reports,
            jobs=1,
            progress=False,
            prepare=False,
        )
    assert seen["status"] == "finishing"  # not "ok" before the vintage and the index exist
    run_dir = next(p for p in reports.iterdir() if p.name.startswith("20"))
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "interrupted"
    assert not (reports / "latest").exists()
