"""Notebook hygiene: committed notebooks are clean, and neither git nor Lab's autosave lets outputs in."""

from __future__ import annotations

import json
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
    nb.cells = [
        nbformat.v4.new_code_cell(
            "x = 1", metadata={"tags": ["parameters"], "scrolled": True, "execution": {"iopub.status.busy": "2026"}}
        ),
        nbformat.v4.new_markdown_cell("# Title", metadata={"jupyter": {"source_hidden": True}}),
        nbformat.v4.new_code_cell("x"),
    ]
    nb.cells[0].execution_count = 1
    nb.cells[2].execution_count = 2
    nb.cells[2].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=2)]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nb.metadata = {
        "kernelspec": {"name": "capacity", "display_name": "capacity (project)", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.9", "codemirror_mode": {"name": "ipython"}},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
    }
    return json.loads(nbformat.writes(nb))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_committed_notebook_is_exactly_its_clean_form(path: Path) -> None:
    assert hygiene.is_clean(path.read_text(encoding="utf-8")), (
        f"{path.name}: not clean; run python -m capacity.lab.hygiene --write {path.relative_to(REPO)}"
    )


def test_clean_drops_outputs_counts_and_machine_metadata_and_keeps_tags() -> None:
    used = _used_notebook()
    cleaned = hygiene.clean(used)
    assert used["cells"][2]["outputs"]  # the input is not changed
    code = [c for c in cleaned["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert cleaned["cells"][0]["metadata"] == {"tags": ["parameters"]}
    assert cleaned["cells"][1]["metadata"] == {}
    assert cleaned["metadata"] == {
        "kernelspec": used["metadata"]["kernelspec"],
        "language_info": hygiene.language_info(),
    }
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


def test_the_make_venv_step_configures_lab_and_the_git_filter() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert '"pre_save_hook": "capacity.lab.hygiene.pre_save_hook"' in makefile
    assert "etc/jupyter/jupyter_server_config.json" in makefile and "filter.capacity-notebook.clean" in makefile
    assert "notebooks/*.ipynb filter=capacity-notebook" in (REPO / ".gitattributes").read_text()
    assert "capacity.lab.hygiene --check" in (REPO / ".pre-commit-config.yaml").read_text()
