"""The notebooks are thin: parameters first, then calls that load results and show them.

Read from the notebooks' source (no kernel): every number a report shows is computed by
``capacity.pipeline``, so a notebook that draws random numbers, fits a model, runs a
simulation, a solver or a comparison, or reads a file itself fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.unit

#: Lab tools in notebooks/ that are not reports (not in the runner's registry, no parameters cell).
LAB_NOTEBOOKS = {"scenario_editor"}
NOTEBOOKS = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb") if p.stem not in LAB_NOTEBOOKS
)

#: What a notebook may import from capacity: loading results and showing them.
ALLOWED_MODULES = {"params", "pipeline", "report"}
#: Calls that compute: a notebook that makes one recomputes what the pipeline holds.
FORBIDDEN_CALLS = {
    "run_scenario",
    "default_rng",
    "compare_policies",
    "solve_capacity",
    "gap_check",
    "simulate",
    "simulate_shelter",
    "allocate",
    "forecast_population",
    "run_backtest",
    "scenario_tables",
    "load_history",
    "load_municipalities",
    "save_table",
    "seed",
}
#: Contract tables each notebook saves (and links) with ``report.table(..., save_to=output_dir)``.
SAVED = {
    "01_data": {"history", "anchor_checks"},
    "02_arrivals_departures": {
        "population_forecast",
        "backtest",
        "backtest_summary",
        "forecast_gap_check",
        "forecast_data_status",
        "forecast_assumptions",
        "stock_backtest",
    },
    "03_shelter": {
        "headline",
        "shelter_forecast",
        "shelter_planning",
        "shelter_costs",
        "shelter_crossings",
        "municipalities",
        "regions",
    },
    "04_tpd_backlog": {
        "headline",
        "backlog_forecast",
        "backlog_policies",
        "capacity_needed",
        "backlog_months_to_clear",
    },
    "06_eu_context": {"eu_tp_latest", "eu_nl_share", "eu_tp_totals", "eu_post_tp_statuses", "eu_secondary_movement"},
}


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_comes_first_with_scalars_only(path: Path) -> None:
    first = code_cells(path)[0]
    assert "parameters" in first.metadata.get("tags", [])
    tree = ast.parse(first.source)
    names = {t.id for node in tree.body for t in node.targets}
    assert {"params_path", "output_dir", "cache_path"} <= names
    assert all(isinstance(node.value, ast.Constant) for node in tree.body)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_definitions_no_outputs_no_file_reading(path: Path) -> None:
    for cell in code_cells(path):
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda) for n in ast.walk(tree)), cell.source
        assert "read_csv" not in cell.source and "read_excel" not in cell.source and "open(" not in cell.source
        assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_computes_or_draws_random_numbers(path: Path) -> None:
    for cell in code_cells(path)[1:]:
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                pytest.fail(f"{path.name}: imports {[a.name for a in node.names]}: use capacity.*")
            if isinstance(node, ast.ImportFrom):
                assert node.module in ("capacity", "capacity.report"), f"{path.name}: imports from {node.module}"
                if node.module == "capacity":
                    assert {a.name for a in node.names} <= ALLOWED_MODULES, f"{path.name}: {cell.source}"
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                assert name not in FORBIDDEN_CALLS, f"{path.name} computes in a cell: {cell.source}"
            if isinstance(node, ast.Name):
                assert node.id not in {"np", "numpy", "random"}, f"{path.name}: {cell.source}"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem in SAVED], ids=lambda p: p.stem)
def test_every_table_is_saved_and_shown_by_one_call(path: Path) -> None:
    saved = set()
    for cell in code_cells(path):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "table":
                keywords = {k.arg for k in node.keywords}
                if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    assert "save_to" in keywords, f"{path.name}: {node.args[1].value} named but not saved"
                    saved.add(node.args[1].value)
    assert SAVED[path.stem] <= saved, SAVED[path.stem] - saved


def test_report_notebooks_are_the_registry_and_lab_notebooks_are_not_in_it() -> None:
    from capacity.runner.registry import NOTEBOOKS as REGISTRY

    assert {p.stem for p in NOTEBOOKS} == {nb.name for nb in REGISTRY}
    assert not LAB_NOTEBOOKS & {nb.name for nb in REGISTRY}
    for name in LAB_NOTEBOOKS:
        lab = Path(__file__).resolve().parents[2] / "notebooks" / f"{name}.ipynb"
        cells = code_cells(lab)
        assert cells and all(not c.get("outputs") and c.get("execution_count") is None for c in cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_cell_after_parameters_refuses_unknown_papermill_names(path: Path) -> None:
    guard = code_cells(path)[1].source
    assert "guard.refuse_unknown_parameters()" in guard


def test_guard_refuses_an_injected_name_the_parameters_cell_lacks() -> None:
    from capacity.errors import ParameterError
    from capacity.report.guard import refuse_unknown_parameters

    params = "params_path = None  # scenario; None = baseline\nn_paths = 1000\n"
    refuse_unknown_parameters(["", "import x", params, "# Parameters\nn_paths = 5\n", "guard"])
    refuse_unknown_parameters(["", params, "guard"])  # interactive: nothing injected
    with pytest.raises(ParameterError, match="n_path = 5 .*known: n_paths, params_path.*did you mean n_paths"):
        refuse_unknown_parameters(["", params, "# Parameters\nn_path = 5\n", "guard"])
