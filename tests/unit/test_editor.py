"""The scenario editor: its logic without widgets, and the form driven headlessly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import Field

from capacity import params
from capacity.lab import form
from capacity.lab.editor import ScenarioEditor
from capacity.params.base import param
from capacity.params.forecast import ForecastConfig

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module", autouse=True)
def _close_widgets():
    """Close the module's widgets while Python still runs (their __del__ at exit prints noise)."""
    yield
    import ipywidgets

    ipywidgets.Widget.close_all()


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
    assert form.diff(values, base) == {
        "forecast.n_paths": (base["forecast.n_paths"], 200),
        "backlog.tpd_end_date": (base["backlog.tpd_end_date"], dt.date(2027, 9, 1)),
    }
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


def test_save_refuses_invalid_empty_existing_and_untitled(base, tmp_path: Path) -> None:
    kw = {"folder": tmp_path, "title": "Test draft"}
    with pytest.raises(ValueError, match="trend_damping"):  # a ParameterError
        form.save({**base, "forecast.trend_damping": 5.0}, base, "bad", **kw)
    with pytest.raises(ValueError, match="no changes"):
        form.save(base, base, "same", **kw)
    with pytest.raises(ValueError, match="baseline"):
        form.save({**base, "forecast.n_paths": 200}, base, "baseline", **kw)
    with pytest.raises(ValueError, match="meta.title"):  # the baseline's title is not a new title
        form.save({**base, "forecast.n_paths": 200}, base, "untitled", folder=tmp_path)
    with pytest.raises(ValueError, match="meta.title"):
        form.save({**base, "forecast.n_paths": 200}, base, "untitled", folder=tmp_path, title="  ")
    path = form.save({**base, "forecast.n_paths": 200}, base, "Twice", **kw)
    assert path == tmp_path / "twice.yaml"
    with pytest.raises(ValueError, match="exists"):
        form.save({**base, "forecast.n_paths": 300}, base, "twice", **kw)
    form.save({**base, "forecast.n_paths": 300}, base, "twice", overwrite=True, **kw)
    scn = params.load(path)
    assert scn.forecast.n_paths == 300 and scn.meta.title == "Test draft" and scn.meta.name == "twice"


def test_save_never_writes_into_the_packaged_defaults(base, monkeypatch) -> None:
    from capacity import project

    monkeypatch.setattr(project, "is_defaults", lambda root=None: True)
    with pytest.raises(ValueError, match="capacity init"):
        form.save({**base, "forecast.n_paths": 200}, base, "installed", title="Installed")


def test_editor_headless_set_invalid_then_valid_save_and_reload(base, tmp_path: Path) -> None:
    editor = ScenarioEditor(base=base, folder=tmp_path)
    assert set(editor.widgets) == {leaf.key for leaf in form.leaves()}  # a widget per field
    assert editor.error is None and "No changes" in editor.diff_view.value

    editor.widgets["forecast.trend_damping"].value = 5.0  # out of range: live error
    assert editor.error is not None and "forecast.trend_damping" in editor.error
    assert "forecast.trend_damping" in editor.status.value and "1 problem" in editor.status.value
    assert "between 0 and 1" in editor.field_errors["forecast.trend_damping"].value  # at the field
    assert not editor.field_errors["forecast.n_paths"].value
    assert "capacity-invalid" in editor.widgets["forecast.trend_damping"]._dom_classes
    editor.name.value, editor.title.value = "editor_test", "Editor test"
    assert editor.save() is None and not list(tmp_path.glob("*.yaml"))

    editor.widgets["forecast.trend_damping"].value = base["forecast.trend_damping"]
    editor.widgets["forecast.n_paths"].value = 250
    editor.widgets["shelter.entry_share"].value = "0.7"  # a distribution as YAML: fixed value
    assert editor.error is None, editor.error
    assert "forecast.n_paths" in editor.diff_view.value and "250" in editor.diff_view.value
    assert not editor.field_errors["forecast.trend_damping"].value and "valid" in editor.status.value
    assert "capacity-invalid" not in editor.widgets["forecast.trend_damping"]._dom_classes
    editor.widgets["shelter.entry_share"].value = "kind: [fixed"
    assert "shelter.entry_share: not valid YAML" in editor.error
    assert "not valid YAML" in editor.field_errors["shelter.entry_share"].value
    editor.widgets["shelter.entry_share"].value = "0.7"

    path = editor.save()
    assert path == tmp_path / "editor_test.yaml"
    scn = params.load(path)
    assert scn.forecast.n_paths == 250 and scn.shelter.entry_share.value == 0.7
    assert scn.meta.name == "editor_test" and scn.meta.title == "Editor test"
    assert scn.forecast.horizon_months == params.load(None).forecast.horizon_months
    assert editor.show() is not None


def test_a_new_draft_starts_untitled_and_saving_asks_for_a_title(base, tmp_path: Path) -> None:
    editor = ScenarioEditor(base=base, folder=tmp_path)
    assert editor.title.value == "" and editor.error is None  # an empty title is not an error while editing
    editor.widgets["forecast.n_paths"].value = 300
    editor.name.value = "no_title"
    assert editor.save() is None and "meta.title" in editor.message.value


def test_field_errors_go_to_the_longest_key_they_name() -> None:
    keys = ["forecast.n_paths", "shelter.entry_share", "shelter.entry"]
    text = (
        "x.yaml: forecast.n_paths = -3: must be between 10 and 100,000\n"
        "x.yaml: shelter.entry_share = {kind: 'triangular'}: low (0.9) must not exceed high (0.5)\n"
        "x.yaml: something else went wrong"
    )
    out = form.field_errors(text, keys)
    assert out["forecast.n_paths"] == ["forecast.n_paths = -3: must be between 10 and 100,000"]
    assert len(out["shelter.entry_share"]) == 1 and "shelter.entry" not in out
    assert out[""] == ["something else went wrong"]
    assert form.field_errors(None, keys) == {}


FAKE_RUN = """
import sys, time
for key in sys.argv[1:]:
    print("ok     " + key + "  1.0 s (kernel 0.5, cells 0.5)", flush=True)
    time.sleep(0.05)
print("ok: done", flush=True)
print("index: /tmp/run/index.html", flush=True)
time.sleep(float(__import__("os").environ.get("FAKE_SLEEP", "0")))
"""


def test_run_button_runs_in_the_background_with_progress(base, tmp_path, monkeypatch) -> None:
    import sys

    editor = ScenarioEditor(base=base, folder=tmp_path)
    editor.widgets["forecast.n_paths"].value = 300
    editor.name.value, editor.title.value = "editor_run", "Editor run"
    editor.notebooks.value = ("01_data", "03_shelter")
    keys = ["editor_run/prepare", "editor_run/01_data", "editor_run/03_shelter"]
    monkeypatch.setenv("FAKE_SLEEP", "3")
    run = editor.run(argv=[sys.executable, "-c", FAKE_RUN, *keys])
    assert run is not None and run.running  # returned while the run goes on: the kernel is free
    assert editor.run_button.disabled and not editor.cancel_button.disabled
    assert run.wait(30) == "ok"
    assert run.total == 3 and run.done == 3  # the shared results, then each notebook
    assert editor.progress.max == 3 and editor.progress.value == 3
    assert editor.progress.bar_style == "success" and "/tmp/run/index.html" in editor.run_status.value
    assert any("03_shelter" in o.get("text", "") for o in editor.log.outputs)
    assert not editor.run_button.disabled and editor.cancel_button.disabled
    assert (tmp_path / "editor_run.yaml").is_file()


def test_cancel_stops_the_background_run(base, tmp_path, monkeypatch) -> None:
    import sys

    editor = ScenarioEditor(base=base, folder=tmp_path)
    editor.widgets["forecast.n_paths"].value = 300
    editor.name.value, editor.title.value = "editor_cancel", "Editor cancel"
    editor.notebooks.value = ("01_data",)
    monkeypatch.setenv("FAKE_SLEEP", "60")
    run = editor.run(argv=[sys.executable, "-c", FAKE_RUN, "editor_cancel/01_data"])
    assert run.running
    assert editor.run() is None and "under way" in editor.message.value  # one run at a time
    editor.cancel()
    assert run.wait(20) == "cancelled" and editor.progress.bar_style == "warning"


def test_the_run_command_writes_to_drafts_and_never_moves_latest(tmp_path) -> None:
    from capacity import project

    argv = form.run_command(tmp_path / "x.yaml", ["01_data"], jobs=1)
    assert argv[argv.index("--reports") + 1] == str(project.drafts_dir() / "reports")
    assert "--no-publish" in argv and argv[argv.index("--notebooks") + 1] == "01_data"
    assert form.job_keys(project.baseline_path(), ["01_data", "03_shelter"]) == [
        "baseline/prepare",
        "baseline/01_data",
        "baseline/03_shelter",
    ]


def test_a_draft_keeps_its_dutch_texts_and_never_another_scenarios_dutch_title(base, tmp_path: Path) -> None:
    """A draft started from a scenario that kept its Dutch title is refused; its own Dutch texts are saved."""
    ceasefire = form.values_of(params.load(params.PARAMS_DIR / "scenarios" / "ceasefire.yaml"))
    with pytest.raises(ValueError, match=r"meta.title_nl = 'Stabiel staakt-het-vuren .*ceasefire.yaml"):
        form.save({**ceasefire, "forecast.n_paths": 200}, base, "copy", folder=tmp_path, title="My ceasefire")
    own = {**ceasefire, "meta.title_nl": "Mijn staakt-het-vuren", "meta.description_nl": "Eigen beschrijving."}
    path = form.save(own, base, "copy", folder=tmp_path, title="My ceasefire")
    meta = params.load(path).meta
    assert (meta.text("title", "nl"), meta.text("description", "nl")) == (
        "Mijn staakt-het-vuren",
        "Eigen beschrijving.",
    )
    untranslated = form.save({**base, "forecast.n_paths": 200}, base, "plain", folder=tmp_path, title="Plain")
    assert params.load(untranslated).meta.text("title", "nl") == "Plain"  # not the baseline's Dutch title
