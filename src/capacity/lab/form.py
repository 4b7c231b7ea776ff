"""The scenario editor's logic, without widgets: fields, values, diff, validation, save, run.

Everything is read from :class:`~capacity.params.Scenario`: :func:`leaves` walks its fields
recursively (a nested section is walked into; a distribution, a list or a mapping is one
leaf edited as YAML), so a field added to the schema is a field of the form. Values are
plain Python (numbers, text, dates, lists, mappings) keyed by the dotted path
(``"forecast.n_paths"``). Validation writes the changed keys to a scenario file and runs the
same check as ``capacity validate`` (:func:`capacity.params.validate_files`).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
import tempfile
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from capacity import params
from capacity.params.base import Distribution

#: Widget kinds: one per kind of leaf.
KINDS = ("bool", "int", "float", "choice", "date", "text", "yaml")
#: Header of a saved scenario (the schema line lets editors check it too).
HEADER = (
    "# Made with the scenario editor (notebooks/scenario_editor.ipynb): only what differs\n"
    "# from the baseline (params/baseline.yaml); `capacity validate FILE` checks it.\n"
)


@dataclass(frozen=True)
class Leaf:
    """One editable parameter of the schema.

    Attributes:
        path: Section and field names, e.g. ``("forecast", "n_paths")``.
        kind: One of :data:`KINDS`.
        unit: The field's unit (``"persons"``, ``"share"``, ...; ``"-"`` for none).
        meaning: The field's one-line description.
        source: Where the default comes from (may be empty).
        optional: Whether ``null`` is allowed.
        choices: The allowed values of a ``choice``.
        bounds: ``(operator, number)`` pairs such as ``(">=", 0)``, ``("<=", 1)``.

    """

    path: tuple[str, ...]
    kind: str
    unit: str = ""
    meaning: str = ""
    source: str = ""
    optional: bool = False
    choices: tuple[Any, ...] = ()
    bounds: tuple[tuple[str, float], ...] = field(default=())

    @property
    def key(self) -> str:
        """Return the dotted key, as ``capacity validate`` names it."""
        return ".".join(self.path)

    @property
    def range_text(self) -> str:
        """Return the allowed range in words, e.g. ``"≥ 0, ≤ 1"`` (empty when unbounded)."""
        shown = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
        return ", ".join(f"{shown[op]} {_number(v)}" for op, v in self.bounds)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def leaves(model: type[BaseModel] = params.Scenario, prefix: tuple[str, ...] = ()) -> list[Leaf]:
    """Return every leaf parameter of ``model``, depth first, in the order the schema declares them."""
    found: list[Leaf] = []
    for name, info in model.model_fields.items():
        annotation, optional, metadata = _unwrap(info.annotation)
        if _is_section(annotation):
            found += leaves(annotation, (*prefix, name))
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        kind, choices = _kind(annotation)
        found.append(
            Leaf(
                path=(*prefix, name),
                kind=kind,
                unit=str(extra.get("unit", "")),
                meaning=info.description or "",
                source=str(extra.get("source", "")),
                optional=optional,
                choices=choices,
                bounds=_tightest(_bounds([*info.metadata, *metadata])),
            )
        )
    return found


def _tightest(bounds: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """Keep the highest lower bound and the lowest upper bound (a field may repeat its type's)."""
    listed = list(bounds)
    lower = [(v, op == ">") for op, v in listed if op in (">=", ">")]
    upper = [(v, op == "<=") for op, v in listed if op in ("<=", "<")]
    out = []
    if lower:
        v, strict = max(lower)
        out.append((">" if strict else ">=", v))
    if upper:
        v, loose = min(upper)
        out.append(("<=" if loose else "<", v))
    return tuple(out)


def _is_section(annotation: Any) -> bool:
    return (
        isinstance(annotation, type) and issubclass(annotation, BaseModel) and not issubclass(annotation, Distribution)
    )


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """Strip ``Optional`` and ``Annotated``: return the bare type, whether None is allowed, metadata."""
    optional, metadata = False, []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *more = typing.get_args(annotation)
            metadata += more
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, optional, metadata
            annotation = args[0]
        else:
            return annotation, optional, metadata


def _kind(annotation: Any) -> tuple[str, tuple[Any, ...]]:
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice", tuple(m.value for m in annotation)
    simple = {bool: "bool", int: "int", float: "float", dt.date: "date", str: "text"}
    return simple.get(annotation, "yaml"), ()


def _bounds(metadata: Iterable[Any]) -> Iterable[tuple[str, float]]:
    """Yield ``(operator, number)`` from annotated-types/pydantic constraints (nested too)."""
    for item in metadata:
        for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attr, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                yield op, value
        yield from _bounds(getattr(item, "metadata", None) or [])


def plain(value: Any) -> Any:
    """Return ``value`` as plain YAML-able Python (models dumped, tuples as lists, enums as values)."""
    if isinstance(value, BaseModel):
        return plain(value.model_dump(exclude_none=True))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def values_of(scn: params.Scenario, fields: Sequence[Leaf] | None = None) -> dict[str, Any]:
    """Return ``{dotted key: plain value}`` of every leaf of ``scn``."""
    out = {}
    for leaf in fields if fields is not None else leaves(type(scn)):
        node: Any = scn
        for part in leaf.path:
            node = getattr(node, part)
        out[leaf.key] = plain(node)
    return out


def baseline_values() -> dict[str, Any]:
    """Return the baseline's values (``params/baseline.yaml`` of the project)."""
    return values_of(params.load(None))


def diff(values: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Return ``{key: (baseline value, new value)}`` for every value that differs from the baseline."""
    return {
        key: (base.get(key), value)
        for key, value in values.items()
        if key not in base or plain(value) != plain(base[key])
    }


def changes_tree(values: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """Return the changed values nested by section, as a scenario file holds them."""
    tree: dict[str, Any] = {}
    for key, (_, new) in diff(values, base).items():
        *parents, leaf = key.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = plain(new)
    return tree


def scenario_yaml(values: Mapping[str, Any], base: Mapping[str, Any], *, target: Path | None = None) -> str:
    """Return the text of a scenario file holding only what differs from the baseline.

    Its first line names the project's ``params/schema.json`` relative to ``target`` (default
    a file in ``params/scenarios/``), so that editors check the file too.
    """
    from capacity import project
    from capacity.lab.schema import modeline

    schema = project.params_dir() / "schema.json"
    line = (
        modeline(target, schema)
        if target is not None
        else modeline(project.params_dir() / "scenarios" / "x.yaml", schema)
    )
    tree = changes_tree(values, base)
    body = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=100) if tree else "{}\n"
    return line + "\n" + HEADER + body


def slug(name: str) -> str:
    """Return a file stem for a scenario name: lower case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")


def validate(values: Mapping[str, Any], base: Mapping[str, Any], *, name: str = "draft") -> str | None:
    """Validate the scenario the values make, as ``capacity validate`` does; return its error or None.

    The error text names the file as ``<name>.yaml`` (the file it would be saved as). Values
    equal to the baseline's are valid (the baseline is checked by ``capacity validate``).
    """
    from capacity.data.check import check_scenario

    if not diff(values, base):
        return None
    with tempfile.TemporaryDirectory(prefix="capacity-editor-") as tmp:
        path = Path(tmp) / f"{slug(name) or 'draft'}.yaml"
        try:
            text = scenario_yaml(values, base)
        except yaml.YAMLError as exc:  # a value YAML cannot write (an object, not plain data)
            return f"{path.name}: a value cannot be written as YAML ({str(exc).splitlines()[0][:120]})"
        path.write_text(text, encoding="utf-8")
        error = params.validate_files([path])[str(path)]
        if error is None:  # the data check that `capacity validate` does too
            problems = check_scenario(params.load(path))
            error = (
                "\n".join(f"{path}: {p}" if p.startswith(("forecast.", "shelter.")) else p for p in problems) or None
            )
    return None if error is None else error.replace(str(path), path.name)


def drafts_folder() -> Path:
    """Return where the editor saves drafts: ``<project>/drafts/scenarios`` (no run reads it)."""
    from capacity import project

    return project.drafts_dir() / "scenarios"


def draft_files() -> list[Path]:
    """Return the saved drafts (``drafts/scenarios/*.yaml``), sorted by name."""
    return sorted(drafts_folder().glob("*.yaml"))


def scenario_titles(*, exclude: Path | None = None, key: str = "title") -> dict[str, Path]:
    """Return ``{title in lower case: file}`` of the project's scenarios (the baseline too).

    ``key``: ``title``, or ``title_nl`` for the Dutch titles (a scenario without one is left out).

    Files that do not validate are skipped (``capacity validate`` reports them); ``exclude``
    leaves out one file (the one being replaced).
    """
    from capacity.errors import ParameterError

    titles: dict[str, Path] = {}
    for path in params.scenario_files():
        if exclude is not None and path.resolve() == Path(exclude).resolve():
            continue
        try:
            title = getattr(params.load(path).meta, key) or ""
            if title.strip():
                titles.setdefault(title.strip().casefold(), path)
        except ParameterError:
            continue
    return titles


def _check_name_and_title(name: str, title: str, base: Mapping[str, Any]) -> str:
    """Return the file stem for ``name`` after checking the name and the title; raise otherwise."""
    from capacity.errors import ParameterError

    stem = slug(name)
    if not stem or stem == "baseline":
        raise ParameterError(
            f"scenario name {name!r}: expected a name such as 'ceasefire_2026' "
            "(letters, digits, underscores; not 'baseline')"
        )
    title = (title or "").strip()
    if not title or title.casefold() == str(base.get("meta.title", "")).strip().casefold():
        raise ParameterError(
            f"{stem}: meta.title = {title!r}: expected a title of its own for the "
            "reports (not empty, not the baseline's), e.g. 'Ceasefire in spring 2026'"
        )
    return stem


def _check_dutch_title(path: Path, title_nl: Any, base: Mapping[str, Any], *, exclude: Path | None = None) -> None:
    """Refuse a Dutch title (``meta.title_nl``) that another scenario has: a draft started from it kept it.

    The baseline's is allowed: a file that sets its own title without a Dutch one never shows the
    baseline's (:func:`capacity.params.load`), and Dutch pages show its title instead.
    """
    from capacity import project
    from capacity.errors import ParameterError

    title_nl = str(title_nl or "").strip()
    if not title_nl or title_nl.casefold() == str(base.get("meta.title_nl") or "").strip().casefold():
        return
    clash = scenario_titles(exclude=exclude, key="title_nl").get(title_nl.casefold())
    if clash is not None:
        raise ParameterError(
            f"{path}: meta.title_nl = {title_nl!r}: already the Dutch title of {project.relative(clash)}; "
            "expected this scenario's own Dutch title, or empty (Dutch pages then show meta.title)"
        )


def save(
    values: Mapping[str, Any],
    base: Mapping[str, Any],
    name: str,
    *,
    title: str | None = None,
    folder: Path | str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a draft (only its changes) to ``<folder>/<name>.yaml`` after validating it.

    A draft is not a scenario: it lives in ``drafts/scenarios/``, which ``--all-scenarios``,
    ``capacity list`` and the monthly job never read. :func:`promote` makes it one.

    Args:
        values: The form's values.
        base: The baseline's values.
        name: Draft name; the file stem is :func:`slug` of it (and the scenario's ``meta.name``).
        title: The title shown in reports (default ``values["meta.title"]``); required, and
            not the baseline's.
        folder: Default the project's ``drafts/scenarios/`` (:func:`drafts_folder`).
        overwrite: Replace an existing file.

    Raises:
        ParameterError: If the scenario is invalid, the name or title is missing, the file
            exists, or there is no project folder to save into (only the packaged defaults).

    """
    from capacity import project
    from capacity.errors import ParameterError

    title = values.get("meta.title", "") if title is None else title
    stem = _check_name_and_title(name, title, base)
    if folder is None and project.is_defaults():
        raise ParameterError(
            "no project folder (only the packaged defaults): create one with "
            "`capacity init DIR` and open the editor there"
        )
    folder = Path(folder) if folder is not None else drafts_folder()
    target = folder / f"{stem}.yaml"
    if target.exists() and not overwrite:
        raise ParameterError(f"{target}: exists already; choose another name or overwrite it")
    # The file's stem is the scenario's name (params.load fills it in): never a stale meta.name.
    values = {**values, "meta.title": title.strip(), "meta.name": base.get("meta.name")}
    if not diff(
        {k: v for k, v in values.items() if k != "meta.title"}, {k: v for k, v in base.items() if k != "meta.title"}
    ):
        raise ParameterError(f"{target.name}: no changes from the baseline: nothing to save")
    if target.is_symlink():  # never write through a link, into or out of params/
        raise ParameterError(f"{target}: is a symbolic link; choose another name")
    _check_dutch_title(target, values.get("meta.title_nl"), base)
    error = validate(values, base, name=stem)
    if error is not None:
        raise ParameterError(error)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(scenario_yaml(values, base, target=target), encoding="utf-8")
    except OSError as exc:
        raise ParameterError(
            f"{target}: cannot be written ({exc.strerror or type(exc).__name__}); "
            "expected a folder this user can write to"
        ) from None
    return target


def promote(draft: Path | str, *, name: str | None = None, folder: Path | str | None = None) -> Path:
    """Make a draft a scenario: validate it, refuse a title or file in use, move it to ``params/scenarios/``.

    Args:
        draft: The draft file, or its name in ``drafts/scenarios/``.
        name: The scenario's name (default the draft's).
        folder: Default the project's ``params/scenarios/``.

    Returns:
        The scenario file; the draft is removed.

    Raises:
        ParameterError: If the draft is missing or invalid, its title is empty, the baseline's
            or another scenario's, or the scenario file exists.

    """
    from capacity import project
    from capacity.errors import ParameterError

    path = Path(draft)
    if not path.suffix and not path.exists():
        path = drafts_folder() / f"{slug(str(draft))}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in draft_files()) or "none"
        raise ParameterError(f"{draft}: no such draft (drafts: {known})")
    scn = params.load(path)  # ParameterError names the file, the key, the value and the rule
    base = baseline_values()
    stem = _check_name_and_title(name or path.stem, scn.meta.title, base)
    folder = Path(folder) if folder is not None else project.params_dir() / "scenarios"
    target = folder / f"{stem}.yaml"
    if target.exists():
        raise ParameterError(
            f"{path}: {target} exists already; promote under another name (capacity promote DRAFT --name NEW_NAME)"
        )
    clash = scenario_titles().get(scn.meta.title.strip().casefold())
    if clash is not None:
        raise ParameterError(
            f"{path}: meta.title = {scn.meta.title!r}: already the title of "
            f"{project.relative(clash)}; expected a title no scenario has"
        )
    _check_dutch_title(path, scn.meta.title_nl, base, exclude=path)
    values = {**values_of(scn), "meta.name": base.get("meta.name")}
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(scenario_yaml(values, base, target=target), encoding="utf-8")
    error = params.validate_files([target])[str(target)]
    if error is not None:  # cannot happen for a valid draft; never leave a broken scenario
        target.unlink()
        raise ParameterError(error)
    path.unlink()
    return target


def field_errors(error: str | None, keys: Iterable[str]) -> dict[str, list[str]]:
    """Split a validation error into its lines per field: ``{dotted key: [rule, ...]}``.

    A line reads ``file: key = value: rule`` (``capacity validate``'s form); it goes to the
    longest key it starts with (``shelter.entry_share.low`` to ``shelter.entry_share``). Lines
    that name no field go under ``""``.
    """
    known = sorted(keys, key=len, reverse=True)
    out: dict[str, list[str]] = {}
    for line in (error or "").splitlines():
        text = line.split(": ", 1)[1] if ": " in line and line.split(": ", 1)[0].endswith(".yaml") else line
        named = re.split(r"[ =:\[]", text.strip(), maxsplit=1)[0]
        key = next((k for k in known if named == k or named.startswith(k + ".")), "")
        out.setdefault(key, []).append(text.strip())
    return out


def run_command(
    path: Path | str,
    notebooks: Sequence[str] | None = None,
    *,
    reports_dir: Path | str | None = None,
    jobs: int | None = None,
) -> list[str]:
    """Return the ``capacity run`` command line the editor runs in the background.

    Reports go to the project's drafts folder (``drafts/reports``, which the monthly job never
    reads) and ``latest`` is never moved.
    """
    import sys

    from capacity import project

    reports = Path(reports_dir) if reports_dir is not None else project.drafts_dir() / "reports"
    argv = [
        sys.executable,
        "-m",
        "capacity",
        "--project",
        str(project.project_root()),
        "run",
        str(Path(path).resolve()),
        "--reports",
        str(reports),
        "--no-publish",
        "--keep",
        "20",
    ]
    if notebooks:
        argv += ["--notebooks", *notebooks]
    if jobs:
        argv += ["--jobs", str(jobs)]
    return argv


class BackgroundRun:
    """A ``capacity run`` in its own process, read line by line by a thread: the kernel stays free.

    Args:
        argv: The command (:func:`run_command`).
        keys: The job keys the run will report (``scenario/notebook``): each status line that
            names one counts as a job done.
        on_line: Called (from the reading thread) with each line the run writes.
        on_end: Called (from the reading thread) once the process has ended.

    Attributes:
        done: Jobs ended so far. total: ``len(keys)``. returncode: None while running.
        lines: Everything the run wrote. cancelled: Whether :meth:`cancel` was called.

    """

    def __init__(
        self,
        argv: Sequence[str],
        keys: Sequence[str],
        *,
        on_line: Callable[[str], None] | None = None,
        on_end: Callable[[BackgroundRun], None] | None = None,
    ) -> None:
        import subprocess
        import threading

        self.keys, self.total, self.done = set(keys), len(keys), 0
        self.lines: list[str] = []
        self.returncode: int | None = None
        self.cancelled = False
        self._on_line, self._on_end = on_line, on_end
        self.process = subprocess.Popen(  # our own interpreter and arguments, no shell
            list(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=_child_env(),
        )
        self.thread = threading.Thread(target=self._read, name="capacity-editor-run", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.rstrip("\n")
            self.lines.append(line)
            words = line.split()
            if len(words) > 1 and words[1].rstrip(":") in self.keys:
                self.done += 1
            if self._on_line is not None:
                self._on_line(line)
        self.returncode = self.process.wait()
        if self._on_end is not None:
            self._on_end(self)

    @property
    def running(self) -> bool:
        """True until the process has ended and every line is read."""
        return self.returncode is None

    @property
    def status(self) -> str:
        """``running``, ``ok``, ``failed``, ``cancelled`` or ``invalid`` (exit 2: nothing ran)."""
        if self.returncode is None:
            return "running"
        if self.cancelled:
            return "cancelled"
        return {0: "ok", 2: "invalid"}.get(self.returncode, "failed")

    def cancel(self) -> None:
        """Stop the run as systemd would (SIGTERM): the runner ends its kernels and marks it interrupted."""
        if self.returncode is None:
            self.cancelled = True
            self.process.terminate()

    def wait(self, timeout: float | None = None) -> str:
        """Wait for the run (and the reading thread) to end; return :attr:`status`."""
        self.thread.join(timeout)
        return self.status


def _child_env() -> dict[str, str]:
    """Return the environment of the background run: this one, with the package importable and no colour."""
    import os

    import capacity

    env = dict(os.environ)
    src = str(Path(capacity.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def job_keys(path: Path | str, notebooks: Sequence[str] | None = None) -> list[str]:
    """Return the steps a run of ``notebooks`` for the scenario file reports, in order.

    First ``<scenario>/prepare`` (the shared results, usually most of the time of a run of one
    notebook), then one key per notebook: the progress bar moves at each.
    """
    from capacity import runner

    the_plan = runner.plan([path], notebooks=notebooks)
    return [f"{s.name}/prepare" for s in the_plan.scenarios] + [job.key for job in the_plan.jobs(Path("/nonexistent"))]


class _JobLines(logging.Handler):
    """Pass each job's status line from the runner's progress logger to a callback."""

    def __init__(self, callback: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        self.callback(record.getMessage())


def run_notebooks(
    path: Path | str,
    notebooks: Sequence[str] | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_job: Callable[[str], None] | None = None,
    **settings: Any,
) -> Any:
    """Run the selected notebooks for the scenario file through the runner.

    Reports go to the project's drafts folder (``drafts/reports``, which the monthly job never
    reads) and ``latest`` is not moved, unless ``settings`` say otherwise.

    Args:
        path: The scenario file.
        notebooks: Registry names (None: every report notebook).
        on_start: Called with the number of jobs before the first starts.
        on_job: Called with each job's status line as it ends.
        **settings: :class:`~capacity.runner.RunOptions` fields, e.g. ``jobs=2``.

    Returns:
        The runner's :class:`~capacity.runner.RunResult`.

    """
    from capacity import project, runner

    settings = {"reports_dir": project.drafts_dir() / "reports", "publish": False, "progress": False, **settings}
    if on_start is not None:
        on_start(len(runner.plan([path], notebooks=notebooks).jobs(Path(settings["reports_dir"]))))
    progress_log = logging.getLogger("capacity.runner.progress")
    handler, level = (_JobLines(on_job) if on_job else None), progress_log.level
    if handler is not None:
        progress_log.addHandler(handler)
        progress_log.setLevel(logging.INFO)
    try:
        return runner.run([path], notebooks=notebooks, **settings)
    finally:
        if handler is not None:
            progress_log.removeHandler(handler)
            progress_log.setLevel(level)
