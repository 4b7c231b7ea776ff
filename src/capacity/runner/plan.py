"""Plan a run: which notebooks, for which scenarios and municipalities, with which parameters.

Everything here happens before any kernel starts, so that a typo'd parameter, an unknown
notebook or an unknown municipality fails in a second with a message naming the file, the
key, the value and the rule (papermill itself only warns about unknown parameters).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capacity import i18n, params
from capacity.errors import ParameterError, RunError
from capacity.runner.registry import (
    NOTEBOOK_DIR,
    NOTEBOOKS,
    RUNNER_PARAMETERS,
    SCENARIO_FIELDS,
    Notebook,
    check_extra_parameters,
    notebook_parameters,
    select_notebooks,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScenarioSpec:
    """A validated scenario of this run: its file, its name and its language.

    ``scenario`` is the validated :class:`~capacity.params.Scenario` itself, loaded once by
    :func:`load_scenarios` and handed down to every step of the run (manifest, inputs,
    fingerprint, the worker that computes its results) instead of each loading the file again.
    """

    name: str
    params_path: Path
    title: str
    language: str
    seed: int
    title_nl: str = ""  # the Dutch title (meta.title_nl), empty: the title
    scenario: params.Scenario | None = field(default=None, compare=False, repr=False)

    def title_in(self, language: str) -> str:
        """Return the scenario's title in ``language`` (a translated title is data: ``meta.title_nl``)."""
        return (self.title_nl if language != i18n.SOURCE else "") or self.title

    def load(self) -> params.Scenario:
        """Return the validated scenario: the one :func:`load_scenarios` loaded, else the file's."""
        return self.scenario if self.scenario is not None else params.load(self.params_path)


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
        missing = _missing_data_dir(scn.data.data_dir)
        if missing:
            errors.append(f"{path}: {missing}")
            continue
        seen[name] = path
        specs.append(
            ScenarioSpec(
                name=name,
                params_path=path.resolve(),
                title=scn.meta.title,
                language=scn.meta.language,
                seed=scn.meta.seed,
                title_nl=scn.meta.title_nl or "",
                scenario=scn,
            )
        )
    if errors:
        raise ParameterError("\n".join(errors))
    return specs


def _missing_data_dir(data_dir: str | None) -> str | None:
    """Describe a ``data.data_dir`` whose folder is missing (resolved as the run resolves it), else None.

    A relative folder counts from the project folder, not the working directory (the
    notebooks run elsewhere): :func:`capacity.data.data_files` resolves it. The files
    themselves are checked by :func:`capacity.data.check_scenario_data`.
    """
    if not data_dir:
        return None
    from capacity import data, project

    folder = data.data_files(data_dir)["municipalities"].parent
    if folder.is_dir():
        return None
    relative = (
        ""
        if Path(data_dir).expanduser().is_absolute()
        else f" (counted from the project folder {project.project_root()})"
    )
    return (
        f"data.data_dir = {data_dir!r}: folder {folder} does not exist{relative}; "
        "expected a folder with the CSV files (or null for the data shipped with the package)"
    )


def resolve_municipalities(queries: Sequence[str] | None) -> list[tuple[str, str]]:
    """Turn ``["all"]`` or codes/names into ``[(code, name), ...]``.

    Raises:
        ParameterError: Naming every unknown municipality.

    """
    if not queries:
        return []
    from capacity import data
    from capacity.shelter.allocation import resolve_municipality

    table = data.load_municipalities()
    if [q.lower() for q in queries] == ["all"]:
        return sorted(zip(table["code"].astype(str), table["name"].astype(str), strict=True))
    chosen: list[tuple[str, str]] = []
    errors: list[str] = []
    for query in queries:
        try:
            row = resolve_municipality(query, table)
        except ParameterError as exc:
            errors.append(f"--municipalities {query!r}: {exc}")
            continue
        if (str(row["code"]), str(row["name"])) not in chosen:
            chosen.append((str(row["code"]), str(row["name"])))
    if errors:
        raise ParameterError("\n".join(errors))
    return chosen


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
    declared = {nb.name: notebook_parameters(nb.source) for nb in notebooks} if extra_parameters else {}
    for spec in scenarios:
        scenario_dir = run_dir / spec.name
        for nb in notebooks:
            # Extra (-p) parameters go to the notebooks that declare them; plan() has already
            # failed if no selected notebook declares one.
            extra = {k: v for k, v in extra_parameters.items() if k in declared.get(nb.name, {})}
            base = {"params_path": str(spec.params_path), "output_dir": str(scenario_dir), "cache_path": None, **extra}
            if nb.per == "scenario":
                jobs.append(
                    Job(
                        key=f"{spec.name}/{nb.name}",
                        scenario=spec.name,
                        notebook=nb,
                        municipality=None,
                        parameters=base,
                        output_ipynb=scenario_dir / f"{nb.name}.ipynb",
                        output_html=scenario_dir / f"{nb.name}.html",
                        workdir=run_dir / ".work" / spec.name / nb.name,
                        language=spec.language,
                        title=f"{spec.title_in(spec.language)} — {nb.name}",
                    )
                )
                continue
            if municipal_scenarios is not None and spec.name not in municipal_scenarios:
                continue
            for code, name in municipalities:
                jobs.append(
                    Job(
                        key=f"{spec.name}/{nb.name}/{code}",
                        scenario=spec.name,
                        notebook=nb,
                        municipality=code,
                        parameters={**base, "municipality": code},
                        output_ipynb=scenario_dir / "municipalities" / f"{code}.ipynb",
                        output_html=scenario_dir / "municipalities" / f"{code}.html",
                        workdir=run_dir / ".work" / spec.name / f"{nb.name}-{code}",
                        language="nl",
                        title=f"{name} ({code}) — {spec.title_in('nl')}",
                        extra={"municipality_name": name},
                    )
                )
    return jobs


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
                errors.append(f"{path}: no cell tagged 'parameters' (add one declaring {', '.join(RUNNER_PARAMETERS)})")
                continue
        names = declared[path]
        if not names:
            continue
        for key, value in job.parameters.items():
            if key not in names:
                message = (
                    f"{path}: parameter {key} = {value!r} is not declared in the "
                    f"notebook's parameters cell (declared: {', '.join(names)})"
                )
                if message not in errors:
                    errors.append(message)
    if errors:
        raise RunError("\n".join(errors))


@dataclass(frozen=True)
class Plan:
    """Everything validated before the run starts (no kernel has started yet)."""

    scenarios: list[ScenarioSpec]
    notebooks: list[Notebook]
    municipalities: list[tuple[str, str]]
    extra_parameters: dict[str, Any]
    municipal_scenarios: list[str] | None = None

    def jobs(self, run_dir: Path) -> list[Job]:
        """Return the jobs this plan makes for a run folder."""
        return plan_jobs(
            self.scenarios,
            self.notebooks,
            self.municipalities,
            run_dir=run_dir,
            extra_parameters=self.extra_parameters,
            municipal_scenarios=self.municipal_scenarios,
        )


def check_scenario_bounds(scenarios: Sequence[ScenarioSpec], extra: Mapping[str, Any]) -> None:
    """Check each ``-p`` value that stands for a scenario field against that field's schema, per scenario.

    ``-p n_paths=…`` replaces ``forecast.n_paths`` in the notebooks: it must pass the same
    bounds (and cross-field rules) as the field in a YAML file, before anything runs.

    Raises:
        ParameterError: Naming the option, the field, the value and the rule (one line each).

    """
    errors = []
    for key, value in extra.items():
        target = SCENARIO_FIELDS.get(key)
        if target is None:
            continue
        for spec in scenarios:
            try:
                params.load(spec.params_path, **{target.replace(".", "__"): value})
            except ParameterError as exc:
                errors += [
                    f"-p {key}={value!r} (the scenario's {target}): {line}"
                    for line in str(exc).splitlines()
                    if target in line
                ] or [f"-p {key}={value!r} (the scenario's {target}): {str(exc).splitlines()[0]}"]
                break
    if errors:
        raise ParameterError("\n".join(dict.fromkeys(errors)))


def plan(
    params_files: Sequence[Path | str] | None = None,
    *,
    notebooks: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    registry: Sequence[Notebook] = NOTEBOOKS,
    extra_parameters: Mapping[str, Any] | None = None,
    municipal_scenarios: Sequence[str] | None = None,
) -> Plan:
    """Validate a run's inputs without starting a kernel.

    Raises:
        ParameterError: An invalid parameter file or unknown municipality.
        RunError: An unknown notebook, or a parameter the notebook does not declare.

    """
    scenarios = load_scenarios(params_files)
    chosen = select_notebooks(notebooks, registry=registry)
    if not chosen:
        raise RunError(
            "no notebooks to run: none of the registry's notebooks exist in "
            f"{NOTEBOOK_DIR} (or --notebooks selected none)"
        )
    chosen, munis = _municipal_notebooks(chosen, municipalities)
    for_scenarios = _municipal_scenarios(municipal_scenarios, scenarios)
    check_extra_parameters(chosen, extra_parameters or {})
    check_scenario_bounds(scenarios, extra_parameters or {})
    result = Plan(scenarios, chosen, munis, dict(extra_parameters or {}), for_scenarios)
    # Inspect parameters now, against throw-away paths: fail before the lock and any kernel.
    check_notebook_parameters(result.jobs(Path("/nonexistent")))
    return result


def _municipal_notebooks(
    chosen: list[Notebook],
    municipalities: Sequence[str] | None,
) -> tuple[list[Notebook], list[tuple[str, str]]]:
    """Return the notebooks to run and the municipalities (per-municipality ones need some)."""
    per_municipality = [nb for nb in chosen if nb.per == "municipality"]
    munis = resolve_municipalities(municipalities) if per_municipality and municipalities else []
    if municipalities and not per_municipality:
        logger.warning("--municipalities given but no per-municipality notebook selected")
    if per_municipality and not munis:
        logger.info(
            "no municipalities selected: per-municipality notebooks skipped (use --municipalities all|CODE ...)"
        )
        chosen = [nb for nb in chosen if nb.per != "municipality"]
        if not chosen:
            raise RunError(
                "only per-municipality notebooks selected but no municipality: add --municipalities all|CODE ..."
            )
    return chosen, munis


def _municipal_scenarios(names: Sequence[str] | None, scenarios: Sequence[ScenarioSpec]) -> list[str] | None:
    """Return the scenarios that get municipal reports (None: every one; ``["all"]`` too)."""
    if names is None or [m.lower() for m in names] == ["all"]:
        return None
    known = [s.name for s in scenarios]
    unknown = [m for m in names if m not in known]
    if unknown:
        raise ParameterError(
            f"--municipalities-for {' '.join(unknown)}: not among this run's scenarios ({', '.join(known)})"
        )
    return list(names)
