"""Notebook hygiene: committed notebooks are clean, and neither git nor Lab's autosave lets outputs in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from capacity.lab import hygiene

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _used_notebook() -> dict:
    """A notebook as Lab leaves it after a run: outputs, counts, language_info, widget state, cell metadata."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"], "scrolled": True,
                                                                 "execution": {"iopub.status.busy": "2026"}}),
                nbformat.v4.new_markdown_cell("# Title", metadata={"jupyter": {"source_hidden": True}}),
                nbformat.v4.new_code_cell("x")]
    nb.cells[0].execution_count = 1
    nb.cells[2].execution_count = 2
    nb.cells[2].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=2)]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nb.metadata = {"kernelspec": {"name": "capacity", "display_name": "capacity (project)", "language": "python"},
                   "language_info": {"name": "python", "version": "3.11.9", "codemirror_mode": {"name": "ipython"}},
                   "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}}
    return json.loads(nbformat.writes(nb))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_committed_notebook_is_exactly_its_clean_form(path: Path) -> None:
    assert hygiene.is_clean(path.read_text(encoding="utf-8")), (
        f"{path.name}: not clean; run python -m capacity.lab.hygiene --write {path.relative_to(REPO)}")


def test_clean_drops_outputs_counts_and_machine_metadata_and_keeps_tags() -> None:
    used = _used_notebook()
    cleaned = hygiene.clean(used)
    assert used["cells"][2]["outputs"]  # the input is not changed
    code = [c for c in cleaned["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert cleaned["cells"][0]["metadata"] == {"tags": ["parameters"]}
    assert cleaned["cells"][1]["metadata"] == {}
    assert cleaned["metadata"] == {"kernelspec": used["metadata"]["kernelspec"],
                                   "language_info": hygiene.language_info()}
    assert cleaned["metadata"]["language_info"]["version"] == sys.version.split()[0]  # as the kernel says
    text = hygiene.clean_text(json.dumps(used))
    assert hygiene.is_clean(text) and hygiene.clean_text(text) == text  # idempotent
    assert not hygiene.is_clean(json.dumps(used))
    one_line = json.loads(text)
    one_line["cells"][0]["source"] = "x = 1"  # a source as one string (Lab rewrites it as lines)
    assert not hygiene.is_clean(json.dumps(one_line, indent=1, sort_keys=True) + "\n")


def test_check_names_the_file_and_write_fixes_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "used.ipynb"
    path.write_text(json.dumps(_used_notebook()))
    assert hygiene.main(["--check", str(path)]) == 1
    assert f"{path}: not clean" in capsys.readouterr().err
    assert hygiene.main(["--write", str(path)]) == 0
    assert hygiene.main(["--check", str(path)]) == 0


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
    manager = contents.FileContentsManager(root_dir=str(tmp_path),
                                           pre_save_hook="capacity.lab.hygiene.pre_save_hook")
    model = {"type": "notebook", "format": "json", "content": _used_notebook()}
    manager.save(dict(model, content=_used_notebook()), "notebooks/01_data.ipynb")
    manager.save(dict(model, content=_used_notebook()), "mine.ipynb")  # a planner's own: kept as is
    assert hygiene.is_clean((tmp_path / "notebooks" / "01_data.ipynb").read_text())
    assert json.loads((tmp_path / "mine.ipynb").read_text())["cells"][2]["outputs"]


def test_the_make_venv_step_configures_lab_and_the_git_filter() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert '"pre_save_hook": "capacity.lab.hygiene.pre_save_hook"' in makefile
    assert "etc/jupyter/jupyter_server_config.json" in makefile and "filter.capacity-notebook.clean" in makefile
    assert "notebooks/*.ipynb filter=capacity-notebook" in (REPO / ".gitattributes").read_text()
    assert "capacity.lab.hygiene --check" in (REPO / ".pre-commit-config.yaml").read_text()


def test_git_stores_a_used_notebook_without_outputs(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "PYTHONPATH": str(Path(hygiene.__file__).resolve().parents[2])}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True,
                              text=True).stdout

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
