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
HEADER = ("# Made with the scenario editor (notebooks/scenario_editor.ipynb): only what differs\n"
          "# from the baseline (params/baseline.yaml); `capacity validate FILE` checks it.\n")


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
        found.append(Leaf(
            path=(*prefix, name), kind=kind, unit=str(extra.get("unit", "")),
            meaning=info.description or "", source=str(extra.get("source", "")),
            optional=optional, choices=choices,
            bounds=_tightest(_bounds([*info.metadata, *metadata])),
        ))
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
    return (isinstance(annotation, type) and issubclass(annotation, BaseModel)
            and not issubclass(annotation, Distribution))


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
    return {key: (base.get(key), value) for key, value in values.items()
            if key not in base or plain(value) != plain(base[key])}


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


def scenario_yaml(values: Mapping[str, Any], base: Mapping[str, Any], *,
                  target: Path | None = None) -> str:
    """Return the text of a scenario file holding only what differs from the baseline.

    Its first line names the project's ``params/schema.json`` relative to ``target`` (default
    a file in ``params/scenarios/``), so that editors check the file too.
    """
    from capacity import project
    from capacity.lab.schema import modeline

    schema = project.params_dir() / "schema.json"
    line = modeline(target, schema) if target is not None else modeline(
        project.params_dir() / "scenarios" / "x.yaml", schema)
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
            error = "\n".join(f"{path}: {p}" if p.startswith(("forecast.", "shelter.")) else p
                               for p in problems) or None
    return None if error is None else error.replace(str(path), path.name)


def save(values: Mapping[str, Any], base: Mapping[str, Any], name: str, *,
         folder: Path | str | None = None, overwrite: bool = False) -> Path:
    """Write the scenario (only its changes) to ``<folder>/<name>.yaml`` after validating it.

    Args:
        values: The form's values.
        base: The baseline's values.
        name: Scenario name; the file stem is :func:`slug` of it.
        folder: Default the project's ``params/scenarios/``.
        overwrite: Replace an existing file.

    Raises:
        ParameterError: If the scenario is invalid, the name is empty, the file exists, or
            there is no project folder to save into (only the packaged defaults).

    """
    from capacity import project
    from capacity.errors import ParameterError

    stem = slug(name)
    if not stem or stem == "baseline":
        raise ParameterError(f"scenario name {name!r}: expected a name such as 'ceasefire_2026' "
                             "(letters, digits, underscores; not 'baseline')")
    if folder is None and project.is_defaults():
        raise ParameterError("no project folder (only the packaged defaults): create one with "
                             "`capacity init DIR` and open the editor there")
    folder = Path(folder) if folder is not None else project.params_dir() / "scenarios"
    target = folder / f"{stem}.yaml"
    if target.exists() and not overwrite:
        raise ParameterError(f"{target}: exists already; choose another name or overwrite it")
    if not diff(values, base):
        raise ParameterError(f"{target.name}: no changes from the baseline: nothing to save")
    if target.is_symlink():  # never write through a link, into or out of params/
        raise ParameterError(f"{target}: is a symbolic link; choose another name")
    error = validate(values, base, name=stem)
    if error is not None:
        raise ParameterError(error)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(scenario_yaml(values, base, target=target), encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"{target}: cannot be written ({exc.strerror or type(exc).__name__}); "
                             "expected a folder this user can write to") from None
    return target


class _JobLines(logging.Handler):
    """Pass each job's status line from the runner's progress logger to a callback."""

    def __init__(self, callback: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        self.callback(record.getMessage())


def run_notebooks(path: Path | str, notebooks: Sequence[str] | None = None, *,
                  on_start: Callable[[int], None] | None = None,
                  on_job: Callable[[str], None] | None = None, **settings: Any) -> Any:
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

    settings = {"reports_dir": project.drafts_dir() / "reports", "publish": False,
                "progress": False, **settings}
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
