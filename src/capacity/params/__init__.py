"""Scenario parameters: load YAML, deep-merge scenarios onto the baseline, validate.

``params/baseline.yaml`` is the embedded default. A scenario file in ``params/scenarios/``
holds only what it changes; :func:`load` merges it onto the baseline and validates the
result against :class:`Scenario` (frozen, unknown keys rejected). Every failure is a
:class:`~capacity.errors.ParameterError` naming the file, the key path, the value and the
rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from capacity import project
from capacity.errors import ParameterError
from capacity.params.base import Distribution
from capacity.params.scenario import Scenario

__all__ = [  # BASELINE_PATH and PARAMS_DIR come from __getattr__: the project's, when asked
    "BASELINE_PATH", "PARAMS_DIR", "Scenario", "describe", "deep_merge", "load",
    "read_yaml", "scenario_files", "sha256", "validate_files",
]


def __getattr__(name: str) -> Path:
    """``PARAMS_DIR`` (``<project>/params``) and ``BASELINE_PATH``, read from :mod:`capacity.project` when asked."""
    if name == "PARAMS_DIR":
        return project.params_dir()
    if name == "BASELINE_PATH":
        return project.baseline_path()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_yaml(path: Path | str) -> dict[str, Any]:
    """Read a YAML mapping from ``path``.

    Raises:
        ParameterError: If the file is missing, is not valid YAML, or is not a mapping.

    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: parameter file not found")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # e.g. a date like 2025-13-01 that YAML reads as a date
        raise ParameterError(f"{path}: a value could not be read: {exc} (dates are YYYY-MM-DD)") from exc
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ParameterError(f"{path}: expected a mapping of sections at the top, got {type(content).__name__}")
    return content


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``override`` merged in; nested mappings merge, the rest replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _nest(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``{"backlog__grant_share": 0.5}`` into ``{"backlog": {"grant_share": 0.5}}``."""
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        *parents, leaf = key.split("__")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _format_errors(exc: ValidationError, path: Path | str) -> str:
    lines = [f"{path}: {exc.error_count()} invalid parameter(s)"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "<top>"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            rule = "unknown key (check the spelling against params/baseline.yaml)"
        else:
            rule = err["msg"]
        lines.append(f"  {key} = {value!r}: {rule}")
    return "\n".join(lines)


def _read_chain(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read ``path`` merged onto what it extends: the baseline, or the file named by ``extends``."""
    if path.resolve() == project.baseline_path().resolve():
        return read_yaml(path)
    if path.resolve() in seen:
        raise ParameterError(f"{path}: extends itself in a cycle: {[str(p) for p in seen]}")
    own = read_yaml(path)
    parent = own.pop("extends", None)
    if parent is None:
        base = _read_chain(project.baseline_path())
    elif not isinstance(parent, str):
        raise ParameterError(f"{path}: extends = {parent!r}: expected a file name like 'ceasefire.yaml'")
    else:
        base = _read_chain(path.parent / parent, (*seen, path.resolve()))
    merged = deep_merge(base, own)
    if "name" not in own.get("meta", {}):
        merged["meta"] = {**merged.get("meta", {}), "name": path.stem.replace(" ", "_").lower()}
    return merged


def load(path: Path | str | None = None, **overrides: Any) -> Scenario:
    """Load and validate a scenario.

    Args:
        path: A YAML file. ``None`` or the baseline itself loads the baseline; any other
            file is deep-merged onto the baseline, or onto the file its top-level
            ``extends:`` key names (relative to it), which is itself merged the same way.
        **overrides: Values that replace the file's, keyed by section and field joined
            with a double underscore, e.g. ``forecast__n_paths=200``.

    Returns:
        The validated, frozen :class:`Scenario`.

    Raises:
        ParameterError: Naming the file, the key path, the value and the rule broken.

    """
    path = project.resolve(path) if path is not None else project.baseline_path()
    raw = deep_merge(_read_chain(path), _nest(overrides))
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ParameterError(_format_errors(exc, path)) from None


def validate_files(paths: Iterable[Path | str]) -> dict[str, str | None]:
    """Validate several files; return ``{path: None}`` when valid, else the error text."""
    results: dict[str, str | None] = {}
    for p in paths:
        try:
            load(p)
            results[str(p)] = None
        except ParameterError as exc:
            results[str(p)] = str(exc)
    return results


def scenario_files(include_baseline: bool = True) -> list[Path]:
    """Return the shipped parameter files: the baseline, then ``params/scenarios/*.yaml``."""
    files = sorted((project.params_dir() / "scenarios").glob("*.yaml"))
    return ([project.baseline_path()] if include_baseline else []) + files


def sha256(path: Path | str) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _rows(model: BaseModel, prefix: str) -> Iterable[dict[str, Any]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel) and not isinstance(value, Distribution):
            yield from _rows(value, key + ".")
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if isinstance(value, Distribution):
            shown = value.model_dump(exclude_none=True)
        elif isinstance(value, tuple | list) and value and isinstance(value[0], BaseModel):
            shown = [v.model_dump(exclude_none=True) for v in value]
        else:
            shown = value
        yield {
            "parameter": key,
            "value": _plain_text(shown),
            "unit": extra.get("unit", ""),
            "meaning": info.description or "",
            "source": extra.get("source", ""),
        }


def _plain_text(value: Any) -> str:
    """Show a parameter value as a planner reads it: ``kind=triangular, low=0.5``, no reprs."""
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain_text(v)}" for k, v in value.items()) or "–"
    if isinstance(value, list | tuple):
        return "; ".join(_plain_text(v) for v in value) or "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe(scn: Scenario) -> pd.DataFrame:
    """Return the "Parameters used" table: one row per leaf parameter with unit and meaning."""
    table = pd.DataFrame(list(_rows(scn, "")))
    table["value"] = table["value"].astype(str)
    return table
