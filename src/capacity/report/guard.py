"""Refuse a notebook parameter the notebook does not declare (papermill itself only warns).

papermill runs a notebook's ``parameters`` cell, then the cell it injects right after it
(``# Parameters`` followed by one assignment per ``-p NAME=VALUE``). A misspelt name there
is only a warning: the notebook runs on with its defaults and reports the wrong scenario.
The cell after the parameters cell calls :func:`refuse_unknown_parameters`, which reads both
cells back from the kernel's input history and fails the notebook on a name the parameters
cell does not assign. The known names are the parameters cell's own: nothing is listed twice.
An interactive run (no injected cell) is never refused.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Sequence

from capacity.errors import ParameterError

#: First line of the cell papermill injects (``PythonTranslator.codify``).
INJECTED_HEADER = "# Parameters"


def assignments(source: str) -> dict[str, ast.expr | None]:
    """Return ``{name: value expression}`` for the top-level assignments in ``source``.

    Raises:
        SyntaxError: ``source`` is not Python.
    """
    found: dict[str, ast.expr | None] = {}
    for node in ast.parse(source).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else ([node.target] if isinstance(node, ast.AnnAssign) else [])
        )
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = node.value
    return found


def assigned_names(source: str) -> dict[str, str]:
    """Return ``{name: source of the value}`` for the top-level assignments in ``source``."""
    try:
        values = assignments(source)
    except SyntaxError:
        return {}
    return {name: ast.unparse(value) if value is not None else "" for name, value in values.items()}


def unknown_parameters(declared: Sequence[str], injected: dict[str, str]) -> list[str]:
    """Return one line per injected name that ``declared`` lacks, with a "did you mean"."""
    known = sorted(declared)
    lines = []
    for name, value in injected.items():
        if name in declared:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        lines.append(
            f"parameter {name} = {value} is not declared in this notebook's parameters "
            f"cell (known: {', '.join(known) or '-'}){hint}"
        )
    return lines


def _split_history(history: Sequence[str]) -> tuple[str, str] | None:
    """Return (parameters cell, injected cell) from the input history, or None if none was injected."""
    for i in range(len(history) - 1, 0, -1):
        if history[i].lstrip().startswith(INJECTED_HEADER):
            return history[i - 1], history[i]
    return None


def refuse_unknown_parameters(history: Sequence[str] | None = None) -> None:
    """Fail the notebook if papermill injected a parameter its parameters cell does not declare.

    Args:
        history: The executed cells' sources in order; default the running kernel's ``In``.

    Raises:
        ParameterError: Naming each unknown parameter, its value and the known ones.

    """
    if history is None:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return
        history = shell.user_ns.get("In") or shell.history_manager.input_hist_raw
    cells = _split_history(history)
    if cells is None:
        return
    declared, injected = assigned_names(cells[0]), assigned_names(cells[1])
    errors = unknown_parameters(list(declared), injected)
    if errors:
        raise ParameterError("\n".join(errors))
