"""Notebook hygiene with the real tools: Jupyter's contents manager and config, and git's filter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from capacity.lab import hygiene

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _used_notebook() -> dict:
    """A notebook with outputs and counts, as Lab leaves it after a run."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x")]
    nb.cells[1].execution_count = 2
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=2)]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python", "version": "0.0"},
    }
    return json.loads(nbformat.writes(nb))


def test_the_servers_config_file_sets_the_hook(tmp_path: Path, monkeypatch) -> None:
    """The file make venv writes is one the Jupyter server reads (a .d folder would only enable extensions)."""
    serverapp = pytest.importorskip("jupyter_server.serverapp")
    line = next(x for x in (REPO / "Makefile").read_text().splitlines() if "pre_save_hook" in x and "echo" in x)
    (tmp_path / "jupyter_server_config.json").write_text(line.split("'")[1])
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user"))
    app = serverapp.ServerApp()
    app.load_config_file()
    assert app.config.ContentsManager.pre_save_hook == "capacity.lab.hygiene.pre_save_hook"


def test_labs_save_writes_the_projects_notebooks_clean(tmp_path: Path) -> None:
    """Lab's autosave goes through the server's contents manager: with the hook, the file on disk stays clean."""
    contents = pytest.importorskip("jupyter_server.services.contents.filemanager")
    (tmp_path / "notebooks").mkdir()
    manager = contents.FileContentsManager(root_dir=str(tmp_path), pre_save_hook="capacity.lab.hygiene.pre_save_hook")
    model = {"type": "notebook", "format": "json", "content": _used_notebook()}
    manager.save(dict(model, content=_used_notebook()), "notebooks/01_data.ipynb")
    manager.save(dict(model, content=_used_notebook()), "mine.ipynb")  # a planner's own: kept as is
    assert hygiene.is_clean((tmp_path / "notebooks" / "01_data.ipynb").read_text())
    assert json.loads((tmp_path / "mine.ipynb").read_text())["cells"][1]["outputs"]


def test_git_stores_a_used_notebook_without_outputs(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PYTHONPATH": str(Path(hygiene.__file__).resolve().parents[2]),
    }

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "filter.capacity-notebook.clean", f"{sys.executable} -m capacity.lab.hygiene")
    git("config", "filter.capacity-notebook.smudge", "cat")
    (tmp_path / ".gitattributes").write_text((REPO / ".gitattributes").read_text())
    (tmp_path / "notebooks").mkdir()
    used = json.dumps(_used_notebook(), indent=1)
    (tmp_path / "notebooks" / "x.ipynb").write_text(used)
    git("add", ".")
    git("commit", "-q", "-m", "x")
    stored = git("show", "HEAD:notebooks/x.ipynb")
    assert hygiene.is_clean(stored) and '"outputs": []' in stored
    assert (tmp_path / "notebooks" / "x.ipynb").read_text() == used  # the working copy keeps its outputs
    assert git("status", "--porcelain") == ""  # and git sees no change
