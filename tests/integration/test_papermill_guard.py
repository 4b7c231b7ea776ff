"""papermill without holes: a misspelt name fails the notebook; ``capacity run -p`` checks its values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def capacity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "capacity", *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_plain_papermill_with_a_misspelt_parameter_fails_naming_it(tmp_path: Path) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as failed:
        papermill.execute_notebook(
            str(ROOT / "notebooks" / "01_data.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"output_dri": str(tmp_path)},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(ROOT / "notebooks"),
        )
    message = str(failed.value)
    assert "ParameterError" in message and "output_dri" in message
    assert "did you mean output_dir" in message and "params_path" in message
    assert not (tmp_path / "tables").exists()  # nothing ran on the baseline


def test_run_p_refuses_runner_names_unknown_names_and_wrong_types() -> None:
    out = capacity(
        "run",
        "--dry-run",
        "--notebooks",
        "02",
        "-p",
        "n_paths=abc",
        "-p",
        "params_path=params/scenarios/ceasefire.yaml",
        "-p",
        "n_path=5",
    )
    assert out.returncode == 2, out.stderr
    assert "n_paths='abc'" in out.stderr and "whole number" in out.stderr
    assert "params_path" in out.stderr and "set by the runner" in out.stderr
    assert "n_path = 5" in out.stderr and "did you mean n_paths" in out.stderr
    assert "valid." not in out.stdout


def test_run_p_with_a_declared_name_and_right_type_passes_the_dry_run() -> None:
    out = capacity("run", "--dry-run", "--notebooks", "02", "-p", "n_paths=200")
    assert out.returncode == 0, out.stderr
    assert "valid." in out.stdout


def test_a_notebook_given_as_a_scenario_is_a_one_line_error() -> None:
    out = capacity("run", "--dry-run", "notebooks/01_data.ipynb")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "01_data.ipynb" in lines[0] and "--notebooks" in lines[0]
    validated = capacity("validate", "notebooks/01_data.ipynb")
    assert validated.returncode == 2 and len(validated.stderr.strip().splitlines()) == 1
    assert "cell_type" not in validated.stdout + validated.stderr


def test_the_scenario_editor_notebook_runs_and_shows_the_form(tmp_path: Path) -> None:
    import papermill

    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "scenario_editor.ipynb"),
        str(tmp_path / "editor.ipynb"),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT / "notebooks"),
    )
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert not any(o.get("output_type") == "error" for o in outputs)
