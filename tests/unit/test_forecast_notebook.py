"""Notebook 02 stays thin: a parameters cell with the agreed names, no definitions, no reading."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.unit

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_arrivals_departures.ipynb"


def code_cells() -> list:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def test_parameters_cell_comes_first_with_the_agreed_names():
    first = code_cells()[0]
    assert "parameters" in first.metadata.get("tags", [])
    names = {t.id for node in ast.parse(first.source).body for t in node.targets}
    assert names == {"params_path", "output_dir", "cache_path", "n_paths"}


def test_no_definitions_reading_or_outputs():
    for cell in code_cells():
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda) for n in ast.walk(tree))
        assert "read_csv" not in cell.source and "read_excel" not in cell.source
        assert not cell.get("outputs") and cell.get("execution_count") is None


def test_tables_of_the_contract_are_saved():
    source = "\n".join(c.source for c in code_cells())
    for name in ("population_forecast", "backtest", "forecast_assumptions", "scenario_comparison"):
        assert f'"{name}"' in source
