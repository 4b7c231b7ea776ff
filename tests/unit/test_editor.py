"""The scenario editor: its logic without widgets, and the form driven headlessly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import Field

from capacity import params
from capacity.lab import form
from capacity.lab.editor import ScenarioEditor
from capacity.params.base import param
from capacity.params.forecast import ForecastConfig

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def base() -> dict:
    return form.baseline_values()


def _all_leaf_paths(model, prefix=()) -> set[str]:
    """Every leaf of the schema, read independently of the editor's walk (via the JSON Schema)."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})

    def walk(node, path):
        ref = node.get("$ref", "")
        if ref and ref.split("/")[-1] != "Distribution" and "properties" in defs[ref.split("/")[-1]]:
            node = defs[ref.split("/")[-1]]
        if "properties" in node:
            out = set()
            for name, sub in node["properties"].items():
                out |= walk(sub, (*path, name))
            return out
        return {".".join(path)}

    return walk(schema, prefix)


def test_every_leaf_of_the_schema_is_a_field_of_the_form(base) -> None:
    keys = {leaf.key for leaf in form.leaves()}
    assert keys == _all_leaf_paths(params.Scenario)
    assert set(base) == keys
    n_paths = next(leaf for leaf in form.leaves() if leaf.key == "forecast.n_paths")
    assert n_paths.kind == "int" and n_paths.unit and n_paths.meaning and n_paths.range_text
    kinds = {leaf.key: leaf.kind for leaf in form.leaves()}
    assert kinds["meta.language"] == "choice" and kinds["forecast.calibrate"] == "bool"
    assert kinds["forecast.fit_start"] == "date" and kinds["shelter.entry_share"] == "yaml"


def test_a_field_added_to_the_schema_appears_in_the_form(base) -> None:
    class MoreForecast(ForecastConfig):
        extra_knob: float = param(0.5, unit="share", doc="a new knob", ge=0, le=1)

    class MoreScenario(params.Scenario):
        forecast: MoreForecast = Field(default_factory=MoreForecast)

    leaf = next(x for x in form.leaves(MoreScenario) if x.key == "forecast.extra_knob")
    assert (leaf.kind, leaf.unit, leaf.meaning, leaf.range_text) == ("float", "share", "a new knob", "≥ 0, ≤ 1")
    editor = ScenarioEditor(model=MoreScenario, base={**base, "forecast.extra_knob": 0.5})
    assert editor.widgets["forecast.extra_knob"].value == 0.5
    boxes, titles = editor.sections()
    assert "forecast" in titles


def test_diff_and_yaml_hold_only_the_changes(base) -> None:
    values = {**base, "forecast.n_paths": 200, "backlog.tpd_end_date": dt.date(2027, 9, 1)}
    assert form.diff(values, base) == {"forecast.n_paths": (base["forecast.n_paths"], 200),
                                       "backlog.tpd_end_date": (base["backlog.tpd_end_date"],
                                                                dt.date(2027, 9, 1))}
    text = form.scenario_yaml(values, base)
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schema.json"
    assert "n_paths: 200" in text and "tpd_end_date: 2027-09-01" in text and "meta:" not in text
    assert form.validate(base, base) is None  # nothing changed: the baseline


def test_validation_gives_capacity_validates_message(base, tmp_path: Path) -> None:
    values = {**base, "forecast.trend_damping": 5.0}
    error = form.validate(values, base, name="my draft")
    assert error is not None and error.startswith("my_draft.yaml") and "forecast.trend_damping" in error
    saved = tmp_path / "my_draft.yaml"
    saved.write_text(form.scenario_yaml(values, base))
    assert params.validate_files([saved])[str(saved)].replace(str(saved), "my_draft.yaml") == error


def test_save_refuses_invalid_empty_and_existing(base, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="trend_damping"):  # a ParameterError
        form.save({**base, "forecast.trend_damping": 5.0}, base, "bad", folder=tmp_path)
    with pytest.raises(ValueError, match="no changes"):
        form.save(base, base, "same", folder=tmp_path)
    with pytest.raises(ValueError, match="baseline"):
        form.save({**base, "forecast.n_paths": 200}, base, "baseline", folder=tmp_path)
    path = form.save({**base, "forecast.n_paths": 200}, base, "Twice", folder=tmp_path)
    assert path == tmp_path / "twice.yaml"
    with pytest.raises(ValueError, match="exists"):
        form.save({**base, "forecast.n_paths": 300}, base, "twice", folder=tmp_path)
    form.save({**base, "forecast.n_paths": 300}, base, "twice", folder=tmp_path, overwrite=True)
    assert params.load(path).forecast.n_paths == 300


def test_save_never_writes_into_the_packaged_defaults(base, monkeypatch) -> None:
    from capacity import project

    monkeypatch.setattr(project, "is_defaults", lambda root=None: True)
    with pytest.raises(ValueError, match="capacity init"):
        form.save({**base, "forecast.n_paths": 200}, base, "installed")


def test_editor_headless_set_invalid_then_valid_save_and_reload(base, tmp_path: Path) -> None:
    editor = ScenarioEditor(base=base, folder=tmp_path)
    assert set(editor.widgets) == {leaf.key for leaf in form.leaves()}  # a widget per field
    assert editor.error is None and "No changes" in editor.diff_view.value

    editor.widgets["forecast.trend_damping"].value = 5.0  # out of range: live error
    assert editor.error is not None and "forecast.trend_damping" in editor.error
    assert "forecast.trend_damping" in editor.status.value
    assert editor.save() is None and not list(tmp_path.glob("*.yaml"))

    editor.widgets["forecast.trend_damping"].value = base["forecast.trend_damping"]
    editor.widgets["forecast.n_paths"].value = 250
    editor.widgets["shelter.entry_share"].value = "0.7"  # a distribution as YAML: fixed value
    assert editor.error is None, editor.error
    assert "forecast.n_paths" in editor.diff_view.value and "250" in editor.diff_view.value
    editor.widgets["shelter.entry_share"].value = "kind: [fixed"
    assert "shelter.entry_share: not valid YAML" in editor.error
    editor.widgets["shelter.entry_share"].value = "0.7"

    editor.name.value = "editor_test"
    path = editor.save()
    assert path == tmp_path / "editor_test.yaml"
    scn = params.load(path)
    assert scn.forecast.n_paths == 250 and scn.shelter.entry_share.value == 0.7
    assert scn.meta.name == "editor_test"
    assert scn.forecast.horizon_months == params.load(None).forecast.horizon_months
    assert editor.show() is not None


def test_run_button_runs_the_selected_notebooks_through_the_runner(base, tmp_path, monkeypatch) -> None:
    from capacity import runner

    calls = []

    def fake_run(files, *, notebooks, **settings):
        calls.append((files, notebooks, settings))
        import logging

        log = logging.getLogger("capacity.runner.progress")
        log.info("ok %s in %.1f s", "editor_run/01_data", 1.0)
        log.info("ok %s in %.1f s", "editor_run/03_shelter", 2.0)
        return SimpleNamespace(status="ok", run_dir=tmp_path / "run")

    monkeypatch.setattr(runner, "run", fake_run)
    editor = ScenarioEditor(base=base, folder=tmp_path)
    editor.widgets["forecast.n_paths"].value = 300
    editor.name.value = "editor_run"
    editor.notebooks.value = ("01_data", "03_shelter")
    result = editor.run(reports_dir=tmp_path / "reports")
    assert result.status == "ok"
    [(files, notebooks, settings)] = calls
    assert files == [tmp_path / "editor_run.yaml"] and notebooks == ["01_data", "03_shelter"]
    assert settings["publish"] is False and settings["reports_dir"] == tmp_path / "reports"
    assert editor.progress.max == 2 and editor.progress.value == 2
    assert any("03_shelter" in o.get("text", "") for o in editor.log.outputs)
