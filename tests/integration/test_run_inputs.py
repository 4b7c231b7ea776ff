"""What a run reads and keeps: the project folder in every kernel, the data checked before any
kernel starts, a reloadable ``inputs/scenario.yaml``, no machine paths in what it publishes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from fixture_notebooks import FAST

from capacity import data, params, project, runner
from capacity.errors import ParameterError
from capacity.runner import Notebook
from capacity.runner.inputs import copy_inputs
from capacity.runner.kernels import ProjectKernelManager
from capacity.runner.options import RunOptions
from capacity.runner.plan import load_scenarios

pytestmark = pytest.mark.integration

PROBE = """import json, os, pathlib
from capacity import project
pathlib.Path(probe).write_text(json.dumps({"env": os.environ.get("CAPACITY_PROJECT"),
    "root": str(project.project_root()), "cwd": os.getcwd()}))
print("probed")"""


def _probe_notebook(folder: Path) -> Notebook:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'params_path = None\noutput_dir = "."\ncache_path = None\nprobe = ""', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_markdown_cell("# Probe"),
        nbformat.v4.new_code_cell(PROBE),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return Notebook("probe", path=path)


@pytest.mark.parametrize("kernel", ["spawn", "fork"])
def test_kernels_outside_the_project_get_its_folder(tmp_path: Path, kernel: str) -> None:
    root = project.project_root()
    probe = tmp_path / "probe.json"
    result = runner.run(
        None,
        registry=[_probe_notebook(tmp_path)],
        reports_dir=tmp_path / "r",
        extra_parameters={"probe": str(probe)},
        **{**FAST, "jobs": 1, "kernel": kernel},
    )
    assert result.ok, result.failed
    seen = json.loads(probe.read_text())
    assert not Path(seen["cwd"]).resolve().is_relative_to(root)  # the kernel ran elsewhere
    assert seen["env"] == str(root) and seen["root"] == str(root)


def test_the_kernel_spec_carries_the_project_folder() -> None:
    assert ProjectKernelManager().kernel_spec.env == {project.ENV_VAR: str(project.project_root())}


def test_published_files_hold_no_machine_path(tmp_path: Path) -> None:
    result = runner.run(
        None,
        registry=[_probe_notebook(tmp_path)],
        reports_dir=tmp_path / "r",
        extra_parameters={"probe": str(tmp_path / "probe.json")},
        **FAST,
    )
    assert result.ok, result.failed
    pages = [result.run_dir / "manifest.json", result.run_dir / "index.html", *result.run_dir.rglob("*.html")]
    machine = [str(tmp_path), str(project.project_root()), str(Path.home()), "/work/", "/home/", "/root/", "/tmp/"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not [m for m in machine if m in text], (page, [m for m in machine if m in text])
    footer = (result.run_dir / "baseline" / "probe.html").read_text(encoding="utf-8")
    assert "<td>params/baseline.yaml<br>" in footer


def _data_copy(folder: Path) -> Path:
    copy = folder / "mydata"
    copy.mkdir(parents=True)
    for path in data.data_files().values():
        shutil.copyfile(path, copy / path.name)
    return copy


def test_a_relative_data_dir_counts_from_the_project_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = tmp_path / "proj"
    (proj / "params").mkdir(parents=True)
    shutil.copyfile(project.baseline_path(), proj / "params" / "baseline.yaml")
    _data_copy(proj)
    good, bad = proj / "params" / "good.yaml", proj / "params" / "bad.yaml"
    good.write_text("meta:\n  name: good\ndata:\n  data_dir: mydata\n")
    bad.write_text("meta:\n  name: bad\ndata:\n  data_dir: nodata\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv(project.ENV_VAR, str(proj))
    assert [s.name for s in load_scenarios([good])] == ["good"]
    with pytest.raises(ParameterError) as err:
        load_scenarios([bad])
    message = str(err.value)
    assert "data.data_dir = 'nodata'" in message and str(proj / "nodata") in message
    assert "counted from the project folder" in message and "\n" not in message


def test_run_refuses_a_bad_data_file_before_any_kernel(tmp_path: Path) -> None:
    copy = _data_copy(tmp_path)
    shelter = copy / "ukraine_shelter_nl.csv"
    text = shelter.read_text(encoding="utf-8")
    assert "2025-03-19,week,120820" in text
    shelter.write_text(text.replace("2025-03-19,week,120820", "2025-03-19,week,120.820"), encoding="utf-8")
    scenario = tmp_path / "dropin.yaml"
    scenario.write_text(f"meta:\n  name: dropin\n  title: Drop-in data\ndata:\n  data_dir: {copy}\n")
    reports = tmp_path / "r"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "capacity",
            "run",
            "--params",
            str(scenario),
            "--reports",
            str(reports),
            "--no-cache",
            "--no-progress",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "nothing ran" in out.stderr and "Traceback" not in out.stderr + out.stdout
    assert "ukraine_shelter_nl.csv, row 46: registered_brp = '120.820'" in out.stderr
    assert not reports.exists() or not list(reports.glob("2*"))


@pytest.mark.parametrize(
    "path", [None, *params.scenario_files(include_baseline=False)], ids=lambda p: Path(p).stem if p else "baseline"
)
def test_the_dumped_scenario_loads_back_equal(tmp_path: Path, path: Path | None) -> None:
    scn = params.load(path)
    dumped = tmp_path / "scenario.yaml"
    dumped.write_text(params.to_yaml(scn, header="# a record\n"), encoding="utf-8")
    assert params.load(dumped) == scn
    assert "tpd_end" not in yaml.safe_load(dumped.read_text())["shelter"]


def test_the_runs_inputs_scenario_yaml_loads_back(tmp_path: Path) -> None:
    specs = load_scenarios([params.BASELINE_PATH, *params.scenario_files(include_baseline=False)[:2]])
    written = copy_inputs(tmp_path, specs)
    for spec in specs:
        merged = written[spec.name][-1]
        assert merged == tmp_path / spec.name / "inputs" / "scenario.yaml"
        assert merged.read_text(encoding="utf-8").startswith("# ")
        assert params.load(merged) == params.load(spec.params_path)


def test_a_remote_scheduler_runs_without_the_shared_results(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="capacity.runner.options"):
        options = RunOptions(scheduler="tcp://elsewhere:8786")
    assert options.prepare is False and "no shared results" in caplog.text
    assert RunOptions().prepare is True and RunOptions(executor="dask").prepare is True
