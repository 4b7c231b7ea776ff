"""The backlog notebook is thin: a parameters cell, calls into capacity, no outputs."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.unit

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "04_tpd_backlog.ipynb"


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_parameters_cell_comes_first_with_scalars_only(nb):
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    tree = ast.parse(code[0].source)
    names = {t.id for node in tree.body for t in node.targets}
    assert names == {"params_path", "output_dir", "cache_path", "n_paths"}
    assert all(isinstance(node.value, ast.Constant) for node in tree.body)


def test_no_model_code_and_no_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)
                       for n in ast.walk(tree)), cell.source
        assert "read_csv" not in cell.source and "read_excel" not in cell.source
        assert not cell.get("outputs") and cell.get("execution_count") is None


def test_saves_the_contract_tables(nb):
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in ("backlog_forecast", "backlog_policies", "capacity_needed"):
        assert f'"{name}", output_dir' in source, name
