"""Drafts of the scenario editor: their own folder, their own name and title, promoted on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from capacity import cli, params, project
from capacity.lab import form

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module", autouse=True)
def _close_widgets():
    """Close the module's widgets while Python still runs (their __del__ at exit prints noise)."""
    yield
    import ipywidgets

    ipywidgets.Widget.close_all()


@pytest.fixture
def planner(tmp_path: Path, monkeypatch) -> Path:
    """A planner's project folder (``capacity init``), made the project of this test."""
    root = tmp_path / "work"
    project.init_project(root)
    monkeypatch.setenv(project.ENV_VAR, str(root))
    monkeypatch.chdir(root)
    return root


def _draft(base: dict, name: str = "ceasefire_may", title: str = "Ceasefire in May", **changes) -> Path:
    return form.save({**base, "forecast.n_paths": 250, **changes}, base, name, title=title)


def test_a_draft_is_saved_under_drafts_and_is_not_a_scenario(planner: Path, capsys) -> None:
    base = form.baseline_values()
    path = _draft(base)
    assert path == planner / "drafts" / "scenarios" / "ceasefire_may.yaml"
    assert path not in params.scenario_files()  # what --all-scenarios and the monthly job read
    assert path.read_text().splitlines()[0] == "# yaml-language-server: $schema=../../params/schema.json"
    assert form.draft_files() == [path]
    assert cli.main(["list", "scenarios"]) == 0
    assert "Ceasefire in May" not in capsys.readouterr().out
    assert cli.main(["list"]) == 0
    scenarios, _, drafts = capsys.readouterr().out.partition("Drafts")
    assert "ceasefire_may" not in scenarios and "Ceasefire in May" in drafts.split("Notebooks:")[0]


def test_promote_validates_moves_and_refuses_a_title_in_use(planner: Path, capsys) -> None:
    base = form.baseline_values()
    taken = params.load(planner / "params" / "scenarios" / "ceasefire.yaml").meta.title
    clash = _draft(base, "same_title", taken)
    with pytest.raises(ValueError, match="already the title of params/scenarios/ceasefire.yaml"):
        form.promote(clash)
    assert clash.is_file()  # refused: left where it was

    _draft(base)
    assert cli.main(["promote", "ceasefire_may"]) == 0
    target = planner / "params" / "scenarios" / "ceasefire_may.yaml"
    assert "promoted to" in capsys.readouterr().out and target.is_file()
    assert not (planner / "drafts" / "scenarios" / "ceasefire_may.yaml").exists()
    assert target in params.scenario_files()
    scn = params.load(target)
    assert (scn.meta.name, scn.meta.title, scn.forecast.n_paths) == ("ceasefire_may", "Ceasefire in May", 250)
    assert target.read_text().splitlines()[0] == "# yaml-language-server: $schema=../schema.json"

    again = _draft(base, "ceasefire_may", "Ceasefire in May (v2)")  # same name: the file exists
    assert cli.main(["promote", "ceasefire_may"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert cli.main(["promote", "ceasefire_may", "--name", "ceasefire_may_v2"]) == 0
    assert not again.exists() and (planner / "params" / "scenarios" / "ceasefire_may_v2.yaml").is_file()


def test_promote_refuses_an_invalid_or_missing_draft(planner: Path, capsys) -> None:
    folder = form.drafts_folder()
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("meta:\n  title: Broken\nforecast:\n  trend_damping: 5\n")
    assert cli.main(["promote", "broken"]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml" in err and "forecast.trend_damping" in err
    assert not (planner / "params" / "scenarios" / "broken.yaml").exists()
    assert cli.main(["promote", "nothing_here"]) == 2
    assert "no such draft (drafts: broken)" in capsys.readouterr().err


def test_the_editor_saves_a_draft_and_promotes_it(planner: Path) -> None:
    from capacity.lab.editor import ScenarioEditor

    editor = ScenarioEditor()
    editor.widgets["forecast.n_paths"].value = 400
    editor.name.value, editor.title.value = "from_editor", "From the editor"
    assert editor.promote() is None and "save the draft first" in editor.message.value
    draft = editor.save()
    assert draft == planner / "drafts" / "scenarios" / "from_editor.yaml"
    promoted = editor.promote()
    assert promoted == planner / "params" / "scenarios" / "from_editor.yaml" and not draft.exists()
    assert "promoted" in editor.message.value
