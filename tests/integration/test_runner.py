"""The runner on tiny fixture notebooks: validation first, offline reports, lock, publishing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from fixture_notebooks import FAST, FIXTURES, MUNI, OK, SLOW

from capacity import data, runner
from capacity.errors import ParameterError, RunError
from capacity.params import BASELINE_PATH
from capacity.runner import Notebook
from capacity.runner.publish import LockError, prune_runs, publish_latest, run_lock

pytestmark = pytest.mark.integration


def test_report_is_code_free_offline_and_carries_provenance(tmp_path: Path) -> None:
    result = runner.run(None, registry=[OK, MUNI], municipalities=["GM0363"], reports_dir=tmp_path, **FAST)
    assert result.ok, result.failed
    run_dir = result.run_dir
    assert (run_dir / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    html = (run_dir / "baseline" / "ok.html").read_text()
    assert '<script src="../assets/plotly.min.js"></script>' in html
    assert "tables.mkdir" not in html  # no code
    assert "cdn" not in html.lower() and "require.js" not in html
    assert "Parameters used" in html and "sha256" in html and "manifest.json" in html
    # The fixture writes only a CSV: the page links it, and no Excel file that does not exist.
    assert "tables/ok_numbers.csv" in html and "ok_numbers.xlsx" not in html
    muni = (run_dir / "baseline" / "municipalities" / "GM0363.html").read_text()
    assert '<script src="../../assets/plotly.min.js"></script>' in muni
    # One style sheet per run, linked, not 2.5 kB of CSS in every page; a page's own style is
    # only its printed footer (title, run date, page counter: @page margin boxes).
    assert '<link rel="stylesheet" href="../../assets/capacity-report.css">' in muni
    for page in (muni, html):
        styles = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
        assert len(styles) == 1 and styles[0].startswith("@page {") and len(styles[0]) < 400, styles
    assert ".capacity-noassets" in (run_dir / "assets" / "capacity-report.css").read_text()
    assert '<html lang="nl">' in muni and "Gebruikte parameters" in muni
    assert (run_dir / "baseline" / "tables" / "ok_numbers.csv").is_file()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for key in (
        "params_files",
        "data_files",
        "package_version",
        "git_commit",
        "started",
        "ended",
        "status",
        "data_vintage",
    ):
        assert key in manifest
    assert manifest["scenarios"][0]["seed"] == 20250228
    assert all(len(f["sha256"]) == 64 for f in manifest["params_files"] + manifest["data_files"])
    assert not (run_dir / ".work").exists()


def test_unknown_parameter_fails_before_any_kernel(tmp_path: Path, monkeypatch) -> None:
    def no_kernels(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr("papermill.execute_notebook", no_kernels)
    bad = tmp_path / "typo.yaml"
    bad.write_text("shelter:\n  places_typo: 5\n")
    with pytest.raises(ParameterError) as err:
        runner.run([bad], registry=[OK], reports_dir=tmp_path / "r", **FAST)
    assert str(bad) in str(err.value) and "places_typo" in str(err.value)
    assert "5" in str(err.value)
    with pytest.raises(RunError, match=r"parameter sedonds = 3 is not declared"):
        runner.run(None, registry=[SLOW], reports_dir=tmp_path / "r", extra_parameters={"sedonds": 3}, **FAST)
    with pytest.raises(RunError, match="no cell tagged 'parameters'"):
        runner.run(
            None, registry=[Notebook("np", path=FIXTURES / "no_parameters.ipynb")], reports_dir=tmp_path / "r", **FAST
        )
    with pytest.raises(ParameterError, match="GM9999"):
        runner.run(None, registry=[MUNI], municipalities=["GM9999"], reports_dir=tmp_path / "r", **FAST)
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("2*"))


def test_lock_keeps_a_second_run_out(tmp_path: Path) -> None:
    with run_lock(tmp_path, wait=0):
        start = time.monotonic()
        with pytest.raises(LockError, match="another run is writing"):
            runner.run(None, registry=[OK], reports_dir=tmp_path, wait=1, **FAST)
        assert time.monotonic() - start >= 1
    assert not any(tmp_path.glob("2*"))


def test_publish_is_atomic_and_prune_keeps_latest(tmp_path: Path) -> None:
    runs = []
    for name in ("20250101T000000Z", "20250201T000000Z", "20250301T000000Z", "20250401T000000Z"):
        (tmp_path / name).mkdir()
        runs.append(tmp_path / name)
    publish_latest(tmp_path, runs[0])
    assert os.readlink(tmp_path / "latest") == runs[0].name
    removed = prune_runs(tmp_path, keep=2, current=runs[3])
    assert [p.name for p in removed] == ["20250201T000000Z"]  # runs[0] is latest: kept
    publish_latest(tmp_path, runs[3])
    assert (tmp_path / "latest").resolve() == runs[3].resolve()
    assert not list(tmp_path.glob(".latest.*"))


def test_kernel_is_the_project_python_whatever_kernelspecs_exist(tmp_path: Path, monkeypatch) -> None:
    # A machine-wide "python3" kernelspec pointing at another interpreter (papermill #251, #761)
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/nonexistent/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "elsewhere",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    result = runner.run(None, registry=[OK], reports_dir=tmp_path / "r", **{**FAST, "jobs": 1})
    assert result.ok, result.failed
    executed = (result.run_dir / "baseline" / "ok.ipynb").read_text()
    assert f"executable {sys.executable}" in executed.replace("\\n", "\n")


def test_missing_data_dir_fails_before_any_kernel(tmp_path: Path) -> None:
    bad = tmp_path / "elsewhere.yaml"
    bad.write_text("data:\n  data_dir: /nonexistent/capacity-data\n")
    with pytest.raises(ParameterError, match=r"data.data_dir = '/nonexistent/capacity-data'"):
        runner.run([bad], registry=[OK], reports_dir=tmp_path / "r", **FAST)


def test_manifest_describes_the_data_each_scenario_read(tmp_path: Path) -> None:
    # A scenario reading an older copy of one file (its last report dropped), next to the baseline.
    shipped = data.data_files()["ukraine_shelter_nl"]
    copy = tmp_path / "older" / "ukraine_shelter_nl.csv"
    copy.parent.mkdir()
    copy.write_text("".join(shipped.read_text().splitlines(keepends=True)[:-2]))  # without the June 2025 rows
    scenario = tmp_path / "older_data.yaml"
    scenario.write_text(f"data:\n  files:\n    ukraine_shelter_nl: {copy}\n")
    result = runner.run([BASELINE_PATH, scenario], registry=[OK], reports_dir=tmp_path / "r", **FAST)
    assert result.ok, result.failed
    digest = hashlib.sha256(copy.read_bytes()).hexdigest()
    scenarios = {s["name"]: s for s in result.manifest["scenarios"]}
    older = {f["name"]: f for f in scenarios["older_data"]["data_files"]}
    assert older["ukraine_shelter_nl"] == {"name": "ukraine_shelter_nl", "path": str(copy), "sha256": digest}
    baseline = {f["name"]: f for f in scenarios["baseline"]["data_files"]}
    assert baseline["ukraine_shelter_nl"]["path"] == str(shipped)
    assert baseline["ukraine_shelter_nl"]["sha256"] != digest
    assert older["municipalities"] == baseline["municipalities"]  # the rest is the shipped data
    assert "places to 2025-04" in scenarios["older_data"]["data_vintage"]
    assert "places to 2025-06" in scenarios["baseline"]["data_vintage"]
    assert "older_data: " in result.manifest["data_vintage"]
    by_path = {f["path"]: f for f in result.manifest["data_files"]}
    assert by_path[str(copy)]["scenarios"] == ["older_data"]
    assert by_path[str(shipped)]["scenarios"] == ["baseline"]
    report = (result.run_dir / "older_data" / "ok.html").read_text()
    assert digest[:12] in report and "places to 2025-04" in report
