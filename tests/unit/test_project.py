"""capacity.project: where the parameters, notebooks and reports are, and `capacity init`."""

from __future__ import annotations

from pathlib import Path

import pytest

from capacity import params, project

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_project(monkeypatch, tmp_path):
    """Run from an empty folder with no CAPACITY_PROJECT: the packaged defaults apply."""
    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _make_project(root: Path) -> Path:
    (root / "params" / "scenarios").mkdir(parents=True)
    (root / "params" / "baseline.yaml").write_text((REPO / "params" / "baseline.yaml").read_text())
    return root


def test_the_checkout_is_the_project_from_inside_it(monkeypatch):
    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(REPO / "notebooks")
    assert project.project_root() == REPO
    assert project.baseline_path() == REPO / "params" / "baseline.yaml"
    assert project.notebooks_dir() == REPO / "notebooks"
    assert project.reports_dir() == REPO / "reports"
    assert project.drafts_dir() == REPO / "drafts"


def test_outside_any_project_the_packaged_defaults_apply_and_reports_go_to_cwd(no_project):
    assert project.is_defaults()
    assert (project.project_root() / "params" / "baseline.yaml").is_file()
    assert (project.notebooks_dir() / "01_data.ipynb").is_file()
    assert project.reports_dir() == no_project.resolve() / "reports"
    assert (project.templates_dir() / "capacity_report" / "index.html.j2").is_file()
    assert (project.datasets_dir() / "municipalities.csv").is_file()


def test_the_nearest_parent_with_params_baseline_is_the_project(no_project, monkeypatch):
    root = _make_project(no_project / "work")
    (root / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(root / "deep" / "er")
    assert project.project_root() == root.resolve()
    assert params.BASELINE_PATH == root.resolve() / "params" / "baseline.yaml"
    assert params.PARAMS_DIR == root.resolve() / "params"
    assert project.reports_dir() == root.resolve() / "reports"
    # a planner's folder has no notebooks: the packaged ones run
    assert project.notebooks_dir() == project.defaults_root() / "notebooks"


def test_an_explicit_project_wins_and_a_wrong_one_is_refused(no_project, monkeypatch):
    root = _make_project(no_project / "chosen")
    monkeypatch.chdir(REPO)  # the checkout would otherwise be found
    project.use_project(root)
    try:
        assert project.project_root() == root.resolve()
        assert params.scenario_files() == [root.resolve() / "params" / "baseline.yaml"]
    finally:
        project.use_project(None)
    with pytest.raises(project.ProjectError, match="not a capacity project"):
        project.use_project(no_project / "nowhere")
    monkeypatch.setenv(project.ENV_VAR, str(no_project / "nowhere"))
    with pytest.raises(project.ProjectError, match="CAPACITY_PROJECT"):
        project.project_root()


def test_a_relative_parameter_path_resolves_from_the_project_wherever_the_notebook_runs(monkeypatch):
    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(REPO / "notebooks")
    relative = "params/scenarios/ceasefire.yaml"
    assert project.resolve(relative) == REPO / relative
    assert project.resolve("no/such.yaml") == Path("no/such.yaml")

    def outcome(path):
        try:
            return params.load(path)
        except params.ParameterError as exc:  # the same verdict either way, not "file not found"
            return str(exc).replace(str(REPO) + "/", "")

    assert outcome(relative) == outcome(REPO / relative)
    with pytest.raises(params.ParameterError, match="not found"):
        params.load("params/scenarios/no_such.yaml")


def test_init_copies_every_parameter_file_and_refuses_to_overwrite(no_project):
    dest = no_project / "planner"
    written = project.init_project(dest)
    shipped = sorted(
        p.relative_to(project.defaults_root() / "params") for p in (project.defaults_root() / "params").rglob("*.yaml")
    )
    copied = sorted(p.relative_to(dest / "params") for p in (dest / "params").rglob("*.yaml"))
    assert copied == shipped and len(copied) > 10
    assert (dest / "reports").is_dir() and (dest / "README.md").is_file()
    assert "capacity run" in (dest / "README.md").read_text()
    assert dest / "README.md" in written
    assert project.find_project(dest) == dest.resolve()
    (dest / "params" / "baseline.yaml").write_text("mine: true\n")
    with pytest.raises(project.ProjectError, match="would overwrite .* nothing written"):
        project.init_project(dest)
    assert (dest / "params" / "baseline.yaml").read_text() == "mine: true\n"


def test_relative_paths_never_publish_a_machine_path(tmp_path):
    run = tmp_path / "reports" / "20250101T000000Z"
    assert project.relative(run / "baseline" / "01_data.html", run) == "baseline/01_data.html"
    assert project.relative(REPO / "params" / "baseline.yaml", REPO) == "params/baseline.yaml"
    assert project.relative("/somewhere/else/x.yaml", REPO) == "x.yaml"


def test_a_run_keeps_its_parameter_files_raw_and_the_merged_scenario(tmp_path, monkeypatch):
    from capacity.runner.inputs import copy_inputs, extends_chain
    from capacity.runner.plan import ScenarioSpec

    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(REPO)
    scenarios = REPO / "params" / "scenarios"
    chain = extends_chain(scenarios / "return_ceasefire.yaml")
    assert chain == [
        REPO / "params" / "baseline.yaml",
        scenarios / "ceasefire.yaml",
        scenarios / "return_ceasefire.yaml",
    ]
    spec = ScenarioSpec(
        name="return_ceasefire", params_path=scenarios / "return_ceasefire.yaml", title="t", language="en", seed=1
    )
    try:
        params.load(spec.params_path)
    except params.ParameterError as exc:  # the shipped files are being edited elsewhere
        pytest.skip(f"shipped scenario invalid right now: {exc}")
    written = copy_inputs(tmp_path, [spec])["return_ceasefire"]
    inputs = tmp_path / "return_ceasefire" / "inputs"
    for source in chain:
        copy = inputs / source.relative_to(REPO)
        assert copy in written and copy.read_bytes() == source.read_bytes()
    merged = (inputs / "scenario.yaml").read_text()
    assert merged.startswith("# The merged, validated scenario")
    assert params.load(inputs / "scenario.yaml") == params.load(spec.params_path)  # it loads back equal


def test_the_manifest_publishes_no_machine_path(tmp_path, monkeypatch):
    from capacity.runner.manifest import public_paths

    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(REPO)
    run = tmp_path / "reports" / "20250101T000000Z"
    manifest = {
        "log": str(tmp_path / "reports" / "logs" / "20250101T000000Z.log"),
        "scenarios": [{"params_file": str(REPO / "params" / "baseline.yaml"), "title": "/not/a/path/key"}],
        "data_files": [{"path": str(project.datasets_dir() / "municipalities.csv")}],
        "jobs": [{"html": str(run / "baseline" / "01_data.html"), "ipynb": None}],
        "elsewhere": {"path": "/opt/other/place/file.csv"},
    }
    out = public_paths(manifest, run)
    assert out["log"] == "../logs/20250101T000000Z.log"
    assert out["scenarios"][0] == {"params_file": "params/baseline.yaml", "title": "/not/a/path/key"}
    # in the checkout the data are inside the project; in a wheel, inside the installed package
    assert out["data_files"][0]["path"] in (
        "src/capacity/datasets/municipalities.csv",
        "capacity/datasets/municipalities.csv",
    )
    assert out["jobs"][0] == {"html": "baseline/01_data.html", "ipynb": None}
    assert out["elsewhere"]["path"] == "file.csv"


def test_cli_project_option_and_version(no_project, monkeypatch, capsys):
    from capacity import __version__, cli

    monkeypatch.setenv(project.ENV_VAR, "")  # restored after the test; main() sets it for --project
    root = _make_project(no_project / "elsewhere")
    (root / "params" / "scenarios" / "mine.yaml").write_text("meta:\n  title: Mine\n")
    assert cli.main(["--project", str(root), "list", "scenarios"]) == cli.EXIT_OK
    listing = capsys.readouterr().out
    assert "mine" in listing and "ceasefire" not in listing
    assert cli.main(["--project", str(no_project / "nowhere"), "list"]) == cli.EXIT_INPUT
    assert "not a capacity project" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"capacity {__version__}"
