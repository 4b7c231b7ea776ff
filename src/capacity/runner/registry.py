"""The suite's notebooks: the registry, picking notebooks, and the parameters they declare.

Adding a notebook to the suite is a one-line change in :data:`NOTEBOOKS`. A notebook's
``parameters`` cell is read with :mod:`ast` before any kernel starts, so that a parameter
the notebook does not declare fails the run at once (papermill itself only warns).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from capacity import project
from capacity.errors import RunError

logger = logging.getLogger(__name__)


def __getattr__(name: str) -> Path:
    """``NOTEBOOK_DIR``: the project's ``notebooks/`` (else the packaged ones), read when asked."""
    if name == "NOTEBOOK_DIR":
        return project.notebooks_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Parameters the runner injects into every notebook (the notebook must declare them).
RUNNER_PARAMETERS = ("params_path", "output_dir", "cache_path")


@dataclass(frozen=True)
class Notebook:
    """One notebook of the suite.

    Attributes:
        name: File stem, e.g. ``"01_data"``; also the report's file name.
        per: ``"scenario"`` (one report per scenario) or ``"municipality"`` (one Dutch report
            per selected municipality, with the extra parameter ``municipality``).
        path: The .ipynb file; defaults to ``notebooks/<name>.ipynb``.

    """

    name: str
    per: Literal["scenario", "municipality"] = "scenario"
    path: Path | None = None

    @property
    def source(self) -> Path:
        """Return the notebook file."""
        return self.path if self.path is not None else project.notebooks_dir() / f"{self.name}.ipynb"


#: The suite, in run order. Adding a notebook is a one-line change here.
NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook("01_data"),
    Notebook("02_arrivals_departures"),
    Notebook("03_shelter"),
    Notebook("04_tpd_backlog"),
    Notebook("05_municipality", per="municipality"),
    Notebook("06_eu_context"),
)


def select_notebooks(names: Sequence[str] | None = None, *, registry: Sequence[Notebook] = NOTEBOOKS) -> list[Notebook]:
    """Pick notebooks from the registry by name, or ad hoc notebooks by path.

    Registry entries whose file does not exist (yet) are skipped with a warning when no names
    are given; a named notebook that does not exist is an error.

    Args:
        names: Registry names (``"03_shelter"`` or ``"03"``) or paths to ``.ipynb`` files;
            None selects the whole registry.
        registry: The suite (default :data:`NOTEBOOKS`).

    Raises:
        RunError: If a name matches no notebook.

    """
    if not names:
        chosen = []
        for nb in registry:
            if nb.source.is_file():
                chosen.append(nb)
            else:
                logger.warning("notebook %s not found at %s: skipped", nb.name, nb.source)
        return chosen
    chosen = []
    for name in names:
        if name.endswith(".ipynb"):
            path = Path(name)
            if not path.is_file():
                raise RunError(f"--notebooks {name}: no such file")
            per = "municipality" if "municipality" in notebook_parameters(path) else "scenario"
            chosen.append(Notebook(path.stem, per=per, path=path.resolve()))
            continue
        matches = [nb for nb in registry if nb.name == name or nb.name.split("_")[0] == name]
        if not matches:
            known = ", ".join(nb.name for nb in registry)
            raise RunError(f"--notebooks {name}: unknown notebook (known: {known}, or a path to an .ipynb)")
        for nb in matches:
            if not nb.source.is_file():
                raise RunError(f"--notebooks {name}: {nb.source} does not exist yet")
            chosen.append(nb)
    return chosen


def notebook_parameters(path: Path | str) -> dict[str, Any]:
    """Return the names (and literal defaults) assigned in a notebook's ``parameters`` cell.

    Parses the cell with :mod:`ast`, which also copes with trailing comments that contain
    ``=`` (papermill's line-based inspection misreads ``x = None  # None = default``);
    falls back to ``papermill.inspect_notebook`` for cells that are not plain Python.
    """
    import ast

    import nbformat

    from capacity.report.guard import assignments

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # a malformed notebook: say which file
        raise RunError(f"{path}: cannot read the notebook: {exc}") from exc
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    try:
        values = assignments(cell.source)
    except SyntaxError:
        import papermill

        return {name: info.get("default") for name, info in papermill.inspect_notebook(str(path)).items()}
    found: dict[str, Any] = {}
    for name, value in values.items():
        try:
            found[name] = ast.literal_eval(value) if value else None
        except ValueError:
            found[name] = ast.unparse(value)
    return found


def check_extra_parameters(notebooks: Sequence[Notebook], extra: Mapping[str, Any]) -> None:
    """Fail if an extra (``-p NAME=VALUE``) parameter is declared by none of the notebooks.

    Raises:
        RunError: Naming the parameter, its value and what the notebooks declare.

    """
    declared = {nb.name: notebook_parameters(nb.source) for nb in notebooks}
    errors = []
    for key, value in extra.items():
        if key in RUNNER_OWNED:
            errors.append(
                f"-p {key}={value!r}: {key} is set by the runner for every job; use {RUNNER_OWNED[key]} instead"
            )
        elif not any(key in names for names in declared.values()):
            listing = "; ".join(f"{name}: {', '.join(names) or '-'}" for name, names in declared.items())
            close = difflib.get_close_matches(key, sorted({n for d in declared.values() for n in d}), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            errors.append(
                f"parameter {key} = {value!r} is not declared in the parameters cell of "
                f"any selected notebook ({listing}){hint}"
            )
        else:
            errors += [
                f"-p {key}={value!r}: {problem}"
                for name, names in declared.items()
                if key in names and (problem := _type_problem(value, names[key], name))
            ]
    if errors:
        raise RunError("\n".join(errors))


#: Notebook parameters that stand for a scenario field (``-p n_paths=200`` is the forecast's
#: ``n_paths``): a value given with ``-p`` must pass that field's schema (runner.plan).
SCENARIO_FIELDS: dict[str, str] = {"n_paths": "forecast.n_paths"}

#: Parameters the runner sets per job, and the option that chooses them instead of ``-p``.
RUNNER_OWNED: dict[str, str] = {
    "params_path": "a scenario FILE (or --params)",
    "output_dir": "--reports",
    "cache_path": "--no-cache / --keep-cache",
    "municipality": "--municipality or --municipalities",
}


def _type_problem(value: Any, default: Any, notebook: str) -> str | None:
    """Return what is wrong with ``value`` for a parameter whose default is ``default``, or None.

    A default of None, a text or an expression (read back as its source text) accepts
    anything; a bool default only true/false; a number a number of its kind (an int default
    no float, neither a bool).
    """
    kinds = {bool: "true or false", int: "a whole number", float: "a number"}
    kind = type(default)
    if kind not in kinds or value is None:
        return None
    ok = (
        isinstance(value, bool)
        if kind is bool
        else isinstance(value, int) and not isinstance(value, bool)
        if kind is int
        else isinstance(value, int | float) and not isinstance(value, bool)
    )
    return None if ok else (f"expected {kinds[kind]} (the default in {notebook} is {default!r})")
