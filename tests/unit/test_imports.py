"""Imports flow one way (params -> data -> models -> pipeline -> report -> runner), with no circle.

The import graph is read from the source (every ``import`` of a capacity module, also the
ones inside functions, because a lazy import back up is still a circle).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import capacity

pytestmark = pytest.mark.unit

SRC = Path(capacity.__file__).parent

#: Layer of each top-level part of the package: a module may import only its own layer or lower ones.
LAYERS: dict[str, int] = {
    "errors": 0,
    "project": 0,
    "i18n": 0,
    "params": 1,
    "data": 2,
    "quantiles": 2,
    "distributions": 2,
    "forecast": 3,
    "shelter": 3,
    "backlog": 3,
    "pipeline": 4,
    "headline": 4,
    "report": 5,
    "runner": 6,
    "cli": 6,
    "__main__": 6,
    "lab": 6,  # JupyterLab: the JSON Schema and the scenario editor (runs notebooks via runner)
    "vintages": 6,  # the vintage store: read by runner and cli, never importing them
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = ["capacity", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Return the capacity modules that ``path`` imports anywhere in its body."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named = {f"{node.module}.{a.name}" for a in node.names}
            out |= {m for m in {node.module, *named} if m in modules}
    return out - {"capacity"}  # the root package holds only the version


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _layer(module: str) -> int:
    top = module.split(".")[1]
    key = "report" if top.startswith("report") else top
    assert key in LAYERS, f"{module}: place capacity.{top} in a layer of LAYERS in {__file__}"
    return LAYERS[key]


def _circle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """Return a chain of imports leading from ``start`` back to it, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, chain = stack.pop()
        for nxt in sorted(graph[node]):
            if nxt == start:
                return [*chain, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*chain, nxt]))
    return None


def test_no_module_imports_a_module_that_imports_it():
    graph = _graph()
    circles = [" -> ".join(c) for m in sorted(graph) if (c := _circle_from(m, graph))]
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_imports_flow_one_way_params_data_models_pipeline_report_runner():
    graph = _graph()
    upward = [
        f"{m} imports {t}" for m in sorted(graph) if m != "capacity" for t in sorted(graph[m]) if _layer(t) > _layer(m)
    ]
    assert not upward, "imports against the flow:\n" + "\n".join(upward)


def test_every_module_imports_in_a_fresh_interpreter():
    names = sorted(m for m in _modules() if m != "capacity.__main__")
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
