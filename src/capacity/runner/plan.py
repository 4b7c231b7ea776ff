"""Plan a run: which notebooks, for which scenarios and municipalities, with which parameters.

Everything here happens before any kernel starts, so that a typo'd parameter, an unknown
notebook or an unknown municipality fails in a second with a message naming the file, the
key, the value and the rule (papermill itself only warns about unknown parameters).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from capacity import params
from capacity.errors import ParameterError, RunError

logger = logging.getLogger(__name__)

#: Folder of the suite's notebooks (``notebooks/`` at the project root).
NOTEBOOK_DIR = Path(__file__).resolve().parents[3] / "notebooks"

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
        return self.path if self.path is not None else NOTEBOOK_DIR / f"{self.name}.ipynb"


#: The suite, in run order. Adding a notebook is a one-line change here.
NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook("01_data"),
    Notebook("02_arrivals_departures"),
    Notebook("03_shelter"),
    Notebook("04_tpd_backlog"),
    Notebook("05_municipality", per="municipality"),
)


@dataclass(frozen=True)
class ScenarioSpec:
    """A validated scenario of this run: its file, its name and its language."""

    name: str
    params_path: Path
    title: str
    language: str
    seed: int


@dataclass(frozen=True)
class Job:
    """One notebook execution: a notebook for a scenario (and maybe a municipality).

    Attributes:
        key: Unique id within the run, e.g. ``"baseline/03_shelter"`` or
            ``"baseline/05_municipality/GM0363"``.
        scenario: The scenario's name (its folder in the run).
        notebook: Registry entry.
        municipality: Municipality code for per-municipality notebooks, else None.
        parameters: Injected into the notebook's parameters cell.
        output_ipynb: Where the executed notebook is kept.
        output_html: Where the code-free report goes.
        workdir: The kernel's own working directory.
        language: ``"nl"`` or ``"en"`` (municipal reports are Dutch).
        title: Report title.

    """

    key: str
    scenario: str
    notebook: Notebook
    municipality: str | None
    parameters: Mapping[str, Any]
    output_ipynb: Path
    output_html: Path
    workdir: Path
    language: str
    title: str
    extra: Mapping[str, Any] = field(default_factory=dict)


def load_scenarios(paths: Sequence[Path | str] | None) -> list[ScenarioSpec]:
    """Validate every parameter file; collect all errors before failing.

    Args:
        paths: YAML files; None or empty means the baseline alone.

    Returns:
        One :class:`ScenarioSpec` per file, in the given order.

    Raises:
        ParameterError: Listing every invalid file (file, key path, value, rule), or two
            files that give the same scenario name (they would write into one folder).

    """
    # The same file given twice (e.g. --all-scenarios plus params/baseline.yaml) runs once.
    paths = list(dict.fromkeys(Path(p).resolve() for p in (paths or [params.BASELINE_PATH])))
    errors: list[str] = []
    specs: list[ScenarioSpec] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            scn = params.load(path)
        except ParameterError as exc:
            errors.append(str(exc))
            continue
        name = scn.meta.name
        if name in seen:
            errors.append(
                f"{path}: meta.name = {name!r}: scenario name already used by {seen[name]} "
                "(give each scenario file its own meta.name)"
            )
            continue
        data_dir = scn.data.data_dir
        if data_dir and not Path(data_dir).expanduser().is_dir():
            errors.append(f"{path}: data.data_dir = {data_dir!r}: folder does not exist "
                          "(use null for the data shipped with the package)")
            continue
        seen[name] = path
        specs.append(ScenarioSpec(name=name, params_path=path.resolve(), title=scn.meta.title,
                                  language=scn.meta.language, seed=scn.meta.seed))
    if errors:
        raise ParameterError("\n".join(errors))
    return specs


def select_notebooks(
    names: Sequence[str] | None = None, *, registry: Sequence[Notebook] = NOTEBOOKS
) -> list[Notebook]:
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

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - a malformed notebook: say which file
        raise RunError(f"{path}: cannot read the notebook: {exc}") from exc
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])),
                None)
    if cell is None:
        return {}
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        import papermill

        return {name: info.get("default") for name, info in
                papermill.inspect_notebook(str(path)).items()}
    found: dict[str, Any] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value) if node.value else None
                except ValueError:
                    found[target.id] = ast.unparse(node.value)
    return found


def resolve_municipalities(queries: Sequence[str] | None) -> list[tuple[str, str]]:
    """Turn ``["all"]`` or codes/names into ``[(code, name), ...]``.

    Uses ``capacity.regions.resolve_municipality`` when it exists; otherwise accepts
    codes of the form ``GM0363`` that occur in the municipality table.

    Raises:
        ParameterError: Naming the unknown municipality.

    """
    if not queries:
        return []
    from capacity import data

    table = data.load_municipalities()
    codes = dict(zip(table["code"].astype(str), table["name"].astype(str), strict=True))
    if [q.lower() for q in queries] == ["all"]:
        return sorted(codes.items())
    try:
        from capacity.regions import resolve_municipality
    except ImportError:
        resolve_municipality = None
    chosen: list[tuple[str, str]] = []
    errors: list[str] = []
    for query in queries:
        try:
            if resolve_municipality is not None:
                hit = resolve_municipality(query, table)
                code = hit if isinstance(hit, str) else str(getattr(hit, "code", None) or hit["code"])
            else:
                code = _resolve_plain(query, codes)
        except (KeyError, LookupError, ValueError) as exc:
            errors.append(f"--municipalities {query!r}: {exc}")
            continue
        if code not in codes:
            errors.append(f"--municipalities {query!r}: no municipality with code {code}")
            continue
        if (code, codes[code]) not in chosen:
            chosen.append((code, codes[code]))
    if errors:
        raise ParameterError("\n".join(errors))
    return chosen


def _resolve_plain(query: str, codes: Mapping[str, str]) -> str:
    q = query.strip()
    if re.fullmatch(r"(?i)gm\d{4}", q):
        return q.upper()
    if q.isdigit():
        return f"GM{int(q):04d}"
    by_name = {name.lower(): code for code, name in codes.items()}
    if q.lower() in by_name:
        return by_name[q.lower()]
    raise LookupError("unknown municipality (use a CBS code like GM0363 or the exact name)")


def plan_jobs(
    scenarios: Sequence[ScenarioSpec],
    notebooks: Sequence[Notebook],
    municipalities: Sequence[tuple[str, str]],
    *,
    run_dir: Path,
    extra_parameters: Mapping[str, Any] | None = None,
    municipal_scenarios: Sequence[str] | None = None,
) -> list[Job]:
    """Return the jobs of a run, scenario by scenario, in registry order.

    Per-municipality notebooks get one job per municipality (none when no municipality
    is selected), for every scenario or only for those named in ``municipal_scenarios``.
    ``cache_path`` is filled in by the runner once the scenario's shared results exist.
    Extra parameters go only to the notebooks whose parameters cell declares them.
    """
    jobs: list[Job] = []
    extra_parameters = dict(extra_parameters or {})
    declared = ({nb.name: notebook_parameters(nb.source) for nb in notebooks}
                if extra_parameters else {})
    for spec in scenarios:
        scenario_dir = run_dir / spec.name
        for nb in notebooks:
            # Extra (-p) parameters go to the notebooks that declare them; plan() has already
            # failed if no selected notebook declares one.
            extra = {k: v for k, v in extra_parameters.items() if k in declared.get(nb.name, {})}
            base = {"params_path": str(spec.params_path), "output_dir": str(scenario_dir),
                    "cache_path": None, **extra}
            if nb.per == "scenario":
                jobs.append(Job(
                    key=f"{spec.name}/{nb.name}", scenario=spec.name, notebook=nb,
                    municipality=None, parameters=base,
                    output_ipynb=scenario_dir / f"{nb.name}.ipynb",
                    output_html=scenario_dir / f"{nb.name}.html",
                    workdir=run_dir / ".work" / spec.name / nb.name,
                    language=spec.language, title=f"{spec.title} — {nb.name}",
                ))
                continue
            if municipal_scenarios is not None and spec.name not in municipal_scenarios:
                continue
            for code, name in municipalities:
                jobs.append(Job(
                    key=f"{spec.name}/{nb.name}/{code}", scenario=spec.name, notebook=nb,
                    municipality=code, parameters={**base, "municipality": code},
                    output_ipynb=scenario_dir / "municipalities" / f"{code}.ipynb",
                    output_html=scenario_dir / "municipalities" / f"{code}.html",
                    workdir=run_dir / ".work" / spec.name / f"{nb.name}-{code}",
                    language="nl", title=f"{name} ({code}) — {spec.title}",
                    extra={"municipality_name": name},
                ))
    return jobs


def check_extra_parameters(notebooks: Sequence[Notebook], extra: Mapping[str, Any]) -> None:
    """Fail if an extra (``-p NAME=VALUE``) parameter is declared by none of the notebooks.

    Raises:
        RunError: Naming the parameter, its value and what the notebooks declare.

    """
    declared = {nb.name: notebook_parameters(nb.source) for nb in notebooks}
    errors = []
    for key, value in extra.items():
        if not any(key in names for names in declared.values()):
            listing = "; ".join(f"{name}: {', '.join(names) or '-'}" for name, names in declared.items())
            errors.append(f"parameter {key} = {value!r} is not declared in the parameters cell of "
                          f"any selected notebook ({listing})")
    if errors:
        raise RunError("\n".join(errors))


def check_notebook_parameters(jobs: Iterable[Job]) -> None:
    """Fail if any injected parameter is not declared in the notebook's ``parameters`` cell.

    papermill only logs a warning for an unknown parameter and runs on (papermill #667,
    #818); a typo would then silently keep the notebook's default.

    Raises:
        RunError: Naming the notebook, the parameter and its value, and what it declares.

    """
    declared: dict[Path, dict[str, Any]] = {}
    errors: list[str] = []
    for job in jobs:
        path = job.notebook.source
        if path not in declared:
            declared[path] = notebook_parameters(path)
            if not declared[path]:
                errors.append(f"{path}: no cell tagged 'parameters' (add one declaring "
                              f"{', '.join(RUNNER_PARAMETERS)})")
                continue
        names = declared[path]
        if not names:
            continue
        for key, value in job.parameters.items():
            if key not in names:
                message = (f"{path}: parameter {key} = {value!r} is not declared in the "
                           f"notebook's parameters cell (declared: {', '.join(names)})")
                if message not in errors:
                    errors.append(message)
    if errors:
        raise RunError("\n".join(errors))
