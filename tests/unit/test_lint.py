"""House style is checked, not hoped for: ruff over the package, tests and benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    done = subprocess.run([ruff, "check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _tool(name: str) -> str:
    """The venv's own copy of a command-line tool (the test extra installs it)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def test_ruff_format_is_clean() -> None:
    done = subprocess.run(
        [_tool("ruff"), "format", "--check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, "run `ruff format src tests benchmarks`:\n" + done.stdout + done.stderr


def test_codespell_is_clean() -> None:
    # Settings (skipped folders, the Dutch words) live in pyproject.toml's [tool.codespell].
    done = subprocess.run([_tool("codespell")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_strict_clean_on_the_model_code() -> None:
    # Settings ([tool.mypy] in pyproject.toml): strict on forecast, shelter and backlog.
    done = subprocess.run(
        [_tool("mypy"), "--python-executable", sys.executable, "--no-incremental"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_hooks_are_valid_and_installed() -> None:
    """The hooks' config validates and every local hook's command is in the venv (no network needed)."""
    import yaml

    config = ROOT / ".pre-commit-config.yaml"
    done = subprocess.run(
        [_tool("pre-commit"), "validate-config", str(config)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = [h for repo in yaml.safe_load(config.read_text())["repos"] for h in repo["hooks"]]
    assert {h["id"] for h in hooks} >= {
        "notebooks-clean",
        "ruff-check",
        "ruff-format",
        "check-yaml",
        "codespell",
        "schema",
        "mypy",
    }
    for hook in hooks:  # entries name the venv's tools (.venv/bin/...): the same commands are in this venv
        _tool(Path(hook["entry"].split()[0]).name)
