"""The scenario editor under a clumsy user or an attacker: aliases, unwritable folders, links, the data check."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from capacity import cli
from capacity.errors import ParameterError
from capacity.lab import form
from capacity.lab.editor import ScenarioEditor

pytestmark = pytest.mark.unit

BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)


@pytest.fixture(scope="module")
def base() -> dict:
    return form.baseline_values()


@pytest.mark.parametrize("text", [BOMB, "!!python/object/apply:os.system [ls]", "x\x1by", "&a 0.7"])
def test_a_widget_refuses_aliases_tags_and_control_characters_quickly(base, tmp_path: Path, text: str) -> None:
    editor = ScenarioEditor(base=base, folder=tmp_path)
    start = time.monotonic()
    editor.widgets["shelter.entry_share"].value = text
    assert time.monotonic() - start < 5
    assert editor.error is not None and editor.error.startswith("shelter.entry_share: ")
    assert len(editor.error.splitlines()) == 1


def test_saving_into_a_folder_that_is_a_file_is_one_line(base, tmp_path: Path) -> None:
    values = {**base, "forecast.n_paths": 250, "meta.title": "A draft of its own"}
    folder = tmp_path / "file"
    folder.write_text("not a folder")
    with pytest.raises(ParameterError, match="cannot be written") as err:
        form.save(values, base, "x", folder=folder)
    assert len(str(err.value).splitlines()) == 1


def test_a_value_yaml_cannot_write_is_an_error_not_a_traceback(base) -> None:
    values = {**base, "meta.title": object()}
    error = form.validate(values, base, name="x")
    assert error is not None and "cannot be written as YAML" in error


def test_save_never_writes_through_a_symbolic_link(base, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("keep me\n")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "x.yaml").symlink_to(outside)
    with pytest.raises(ParameterError, match="symbolic link"):
        form.save(
            {**base, "forecast.n_paths": 250, "meta.title": "A draft of its own"},
            base,
            "x",
            folder=folder,
            overwrite=True,
        )
    assert outside.read_text() == "keep me\n"


def test_the_editor_and_validate_agree_on_a_fit_start_after_the_data(base, tmp_path: Path, capsys) -> None:
    values = {**base, "forecast.fit_start": dt.date(2026, 1, 1)}
    error = form.validate(values, base, name="late")
    assert error is not None and "late.yaml: forecast.fit_start = 2026-01: leaves fewer than two months" in error
    path = tmp_path / "late.yaml"
    path.write_text("forecast:\n  fit_start: 2026-01-01\n", encoding="utf-8")
    assert cli.main(["validate", str(path)]) == cli.EXIT_INPUT
    assert "forecast.fit_start = 2026-01: leaves fewer than two months" in capsys.readouterr().out
