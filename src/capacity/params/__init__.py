"""Scenario parameters: load YAML, deep-merge scenarios onto the baseline, validate.

``params/baseline.yaml`` is the embedded default. A scenario file in ``params/scenarios/``
holds only what it changes; :func:`load` merges it onto the baseline and validates the
result against :class:`Scenario` (frozen, unknown keys rejected). Every failure is a
:class:`~capacity.errors.ParameterError` naming the file, the key path, the value and the
rule.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from capacity import i18n, project
from capacity.errors import ParameterError
from capacity.params.base import TWO_LANGUAGE_TEXTS, UNITS, Distribution
from capacity.params.problems import ParameterFileError, Problem, fail, from_validation
from capacity.params.scenario import Scenario
from capacity.params.yamlfile import read_mapping

__all__ = [  # BASELINE_PATH and PARAMS_DIR come from __getattr__: the project's, when asked
    "BASELINE_PATH",
    "COMPUTED",
    "MAX_EXTENDS",
    "PARAMS_DIR",
    "ParameterFileError",
    "Problem",
    "Scenario",
    "describe",
    "meaning",
    "unit_text",
    "UNITS",
    "TWO_LANGUAGE_TEXTS",
    "deep_merge",
    "dump",
    "load",
    "read_yaml",
    "scenario_files",
    "sha256",
    "shipped_municipality_codes",
    "to_yaml",
    "validate_files",
    "WEIGHT_KEYS",
    "date_warnings",
    "scenario_weights",
]

#: Longest chain of files extending each other.
MAX_EXTENDS = 10
#: Keys of ``meta`` that a file never inherits through ``extends`` (or from the baseline): a
#: scenario's probability is a statement about that scenario, not about the one it builds on.
WEIGHT_KEYS = frozenset({"weight", "stress_test", "weight_rationale", "weight_rationale_nl"})


def __getattr__(name: str) -> Path:
    """``PARAMS_DIR`` (``<project>/params``) and ``BASELINE_PATH``, read from :mod:`capacity.project` when asked."""
    if name == "PARAMS_DIR":
        return project.params_dir()
    if name == "BASELINE_PATH":
        return project.baseline_path()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_yaml(path: Path | str) -> dict[str, Any]:
    """Read a parameter file: a YAML mapping whose sections (meta, forecast, ...) are mappings.

    Raises:
        ParameterFileError: If the file is missing, too large, empty, not valid YAML, uses
            anchors, aliases or a key twice, nests too deep, or a section is not a mapping.

    """
    path = Path(path)
    content = read_mapping(path)
    _check_two_language_texts(path, content.get("meta"))
    for section in Scenario.model_fields:
        if section in content and not isinstance(content[section], dict):
            example = next(iter(_section_fields(section)), "key")
            raise fail(
                path,
                section,
                f"expected a section: a mapping of keys such as '{example}: ...' indented under '{section}:'",
                content[section],
                show_value=True,
            )
    return content


def _check_two_language_texts(path: Path, meta: Any) -> None:
    """Refuse a text of :data:`TWO_LANGUAGE_TEXTS` written as one mapping: the Dutch has a key of its own."""
    if not isinstance(meta, dict):
        return
    for key in TWO_LANGUAGE_TEXTS:
        for name in (key, f"{key}_nl"):
            if isinstance(meta.get(name), dict | list):
                raise fail(
                    path,
                    f"meta.{name}",
                    f"expected text; a text in two languages is written as '{key}: <English>' and "
                    f"'{key}_nl: <Dutch>' (Dutch pages show {key}_nl, English ones {key}; each the other when empty)",
                    meta[name],
                    show_value=True,
                )


def _section_fields(section: str) -> list[str]:
    model = Scenario.model_fields[section].annotation
    return list(getattr(model, "model_fields", {}))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``override`` merged in; nested mappings merge, the rest replaces.

    A mapping with a ``kind`` (a distribution such as ``{kind: fixed, value: 0.5}``) is a
    whole value: it replaces, so that no argument of the old kind is left behind.
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and "kind" not in value and isinstance(merged.get(key), Mapping):
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
            if not isinstance(node, dict):
                raise fail("overrides", key, "a key inside a value that is not a section", node, show_value=True)
        node[leaf] = value
    return nested


def _resolve_extends(path: Path, parent: Any, roots: tuple[Path, ...]) -> Path:
    """Return the file that ``path``'s ``extends:`` names, if it lies inside an allowed folder."""
    if not isinstance(parent, str) or not parent.strip():
        raise fail(path, "extends", "expected a file name like 'ceasefire.yaml'", parent, show_value=True)
    target = Path(parent)
    if target.is_absolute() and not any(target.resolve().is_relative_to(r) for r in roots):
        raise fail(
            path, "extends", "must be a file name relative to this file, not an absolute path", parent, show_value=True
        )
    if target.suffix not in (".yaml", ".yml"):
        raise fail(path, "extends", "must name a .yaml parameter file", parent, show_value=True)
    resolved = (path.parent / target).resolve()
    if not any(resolved.is_relative_to(r) for r in roots):
        allowed = ", ".join(str(r) for r in roots)
        raise fail(path, "extends", f"points outside the parameter folders ({allowed})", parent, show_value=True)
    return resolved


def _read_chain(path: Path, roots: tuple[Path, ...], seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read ``path`` merged onto what it extends: the baseline, or the file named by ``extends``."""
    if path.resolve() == project.baseline_path().resolve():
        return read_yaml(path)
    if path.resolve() in seen:
        chain = " -> ".join(p.name for p in (*seen, path.resolve()))
        raise fail(path, "extends", f"files extend each other in a cycle: {chain}")
    if len(seen) >= MAX_EXTENDS:
        raise fail(path, "extends", f"more than {MAX_EXTENDS} files extend each other in a chain")
    own = read_yaml(path)
    parent = own.pop("extends", None)
    if parent is None:
        base = _read_chain(project.baseline_path(), roots)
    else:
        base = _read_chain(_resolve_extends(path, parent, roots), roots, (*seen, path.resolve()))
    merged = deep_merge(base, own)
    own_meta = own.get("meta") if isinstance(own.get("meta"), dict) else {}
    meta = {
        k: v for k, v in merged.get("meta", {}).items() if k not in WEIGHT_KEYS or k in own_meta
    }  # a weight belongs to its file
    if "name" not in own_meta:
        meta["name"] = path.stem.replace(" ", "_").lower()
    for key in TWO_LANGUAGE_TEXTS:  # a file's own English text never shows the Dutch of the file it extends
        if key in own_meta and f"{key}_nl" not in own_meta:
            meta[f"{key}_nl"] = None
    merged["meta"] = meta
    return merged


def load(
    path: Path | str | None = None,
    *,
    municipality_codes: Collection[str] | None = None,
    extends_roots: Iterable[Path | str] = (),
    **overrides: Any,
) -> Scenario:
    """Load and validate a scenario.

    Args:
        path: A YAML file. ``None`` or the baseline itself loads the baseline; any other
            file is deep-merged onto the baseline, or onto the file its top-level
            ``extends:`` key names (relative to it), which is itself merged the same way.
            ``extends:`` may only name files inside ``params/``, inside the folder of
            ``path`` itself, or inside ``extends_roots``.
        municipality_codes: The known municipality codes that ``shelter.custom_weights`` and
            ``shelter.known_places`` may name (default: the shipped municipalities file, when
            the scenario reads the shipped data; the run checks other data files).
        extends_roots: Further folders that ``extends:`` may point into.
        **overrides: Values that replace the file's, keyed by section and field joined
            with a double underscore, e.g. ``forecast__n_paths=200``.

    ``forecast.as_of`` left empty takes ``$CAPACITY_AS_OF`` when set (``capacity run --as-of``).

    Returns:
        The validated, frozen :class:`Scenario`.

    Raises:
        ParameterFileError: One line per problem, naming the file, the key path, the value and
            the rule broken.

    """
    path = project.resolve(path) if path is not None else project.baseline_path()
    roots = tuple(dict.fromkeys(Path(r).resolve() for r in (project.params_dir(), path.parent, *extends_roots)))
    raw = deep_merge(_read_chain(path, roots), _nest(overrides))
    as_of = os.environ.get(project.AS_OF_ENV, "").strip()
    if as_of and isinstance(raw.get("forecast"), dict) and raw["forecast"].get("as_of") is None:
        raw["forecast"]["as_of"] = as_of  # capacity run --as-of: the run's "today" for every scenario
    if municipality_codes is None:
        municipality_codes = _codes_for(raw.get("data"))
    try:
        return Scenario.model_validate(raw, context={"municipality_codes": municipality_codes})
    except ValidationError as exc:
        raise from_validation(exc, path, Scenario) from None
    except RecursionError:
        raise fail(path, "", "nested too deep to validate") from None


def _codes_for(data: Any) -> frozenset[str] | None:
    """Return the shipped municipality codes when the scenario reads the shipped data, else None."""
    if isinstance(data, dict) and (data.get("data_dir") or "municipalities" in (data.get("files") or {})):
        return None
    return shipped_municipality_codes()


@lru_cache(maxsize=1)
def shipped_municipality_codes() -> frozenset[str]:
    """Return the codes of the shipped ``datasets/municipalities.csv`` (empty if unreadable)."""
    try:
        with (
            resources.files("capacity")
            .joinpath("datasets", "municipalities.csv")
            .open(encoding="utf-8", newline="") as handle
        ):
            return frozenset(row["code"] for row in csv.DictReader(handle) if row.get("code"))
    except (OSError, KeyError, csv.Error):
        return frozenset()


#: Fields a scenario fills in itself and a file may not set (``shelter.tpd_end`` is always
#: ``backlog.tpd_end_date``): :func:`dump` leaves them out, so that its output loads again.
COMPUTED: dict[str, set[str]] = {"shelter": {"tpd_end"}}


def dump(scn: Scenario) -> dict[str, Any]:
    """Return ``scn`` as plain data (every value filled in) that :func:`load` accepts as a file."""
    return scn.model_dump(mode="json", exclude=COMPUTED)


def to_yaml(scn: Scenario, header: str = "") -> str:
    """Return ``scn`` as a YAML parameter file (``header``: comment lines put first).

    Loading that file with :func:`load` gives back a scenario equal to ``scn``.
    """
    return header + yaml.safe_dump(dump(scn), sort_keys=False, allow_unicode=True)


def validate_files(paths: Iterable[Path | str], *, as_of: Any = None) -> dict[str, str | None]:
    """Validate several files; return ``{path: None}`` when valid, else the error text.

    ``as_of`` (a date) is the run's "today" to validate against (default: each file's
    ``forecast.as_of``, else ``$CAPACITY_AS_OF``, else today): it places shocks written as
    months after the run.
    """
    results: dict[str, str | None] = {}
    extra = {"forecast__as_of": as_of} if as_of not in (None, "") else {}
    for p in paths:
        try:
            load(p, **extra)
            results[str(p)] = None
        except ParameterError as exc:
            results[str(p)] = str(exc)
    return results


def date_warnings(path: Path | str, *, as_of: Any = None) -> list[str]:
    """Return one line per date in the scenario file that lies before the run's "today".

    Args:
        path: A parameter file.
        as_of: The run's "today" (default: the file's ``forecast.as_of``, else
            ``$CAPACITY_AS_OF``, else the run date).

    Returns:
        ``"<file>: <key> = <value> ..."`` lines (:func:`capacity.params.dated.past_dates`); empty
        when nothing lies in the past.

    Raises:
        ParameterFileError: If the file is not valid.

    """
    from capacity.params.clock import reference_date
    from capacity.params.dated import past_dates

    extra = {"forecast__as_of": as_of} if as_of not in (None, "") else {}
    scn = load(path, **extra)
    in_force = load(None).backlog.tpd_end_date  # the project's baseline states the TPD end in force
    return [f"{path}: {p.message}" for p in past_dates(scn, reference_date(scn.forecast.as_of), in_force=in_force)]


def scenario_weights(paths: Iterable[Path | str]) -> pd.DataFrame:
    """Return the weights the scenario files declare, and the normalised weights of a mixture.

    Args:
        paths: Parameter files (e.g. :func:`scenario_files`).

    Returns:
        One row per file: ``scenario`` (meta.name), ``file``, ``weight`` (as declared, NaN when
        not weighted), ``stress_test``, ``rationale`` and ``share`` (the weight divided by the sum
        of the declared weights: the share of the scenario in the weighted mixture; NaN for the
        unweighted). ``attrs["weight_sum"]`` is the sum of the declared weights.

    """
    rows = []
    for p in paths:
        meta = load(p).meta
        rows.append(
            {
                "scenario": meta.name,
                "file": str(p),
                "weight": float("nan") if meta.weight is None else float(meta.weight),
                "stress_test": meta.stress_test,
                "rationale": meta.weight_rationale,
            }
        )
    table = pd.DataFrame(rows, columns=["scenario", "file", "weight", "stress_test", "rationale"])
    total = float(table["weight"].sum()) if len(table) else 0.0
    table["share"] = table["weight"] / total if total > 0 else float("nan")
    table.attrs["weight_sum"] = total
    return table


def scenario_files(include_baseline: bool = True) -> list[Path]:
    """Return the shipped parameter files: the baseline, then ``params/scenarios/*.yaml``."""
    files = sorted((project.params_dir() / "scenarios").glob("*.yaml"))
    return ([project.baseline_path()] if include_baseline else []) + files


def sha256(path: Path | str) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def meaning(info: FieldInfo, language: str | None = None) -> str:
    """Return a schema field's one-line meaning (``param(doc=...)``) in ``language`` (default the kernel's)."""
    return i18n.gettext(info.description, language) if info.description else ""


def unit_text(unit: str, language: str | None = None) -> str:
    """Return a schema unit (``persons/month``) in ``language``: its words from the catalogue (:data:`UNITS`)."""
    return i18n.gettext(unit, language) if unit and i18n.known(unit) else unit


def _rows(model: BaseModel, prefix: str, language: str | None) -> Iterable[dict[str, Any]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel) and not isinstance(value, Distribution):
            yield from _rows(value, key + ".", language)
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
            "unit": unit_text(extra.get("unit", ""), language),
            "meaning": meaning(info, language),
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


def describe(scn: Scenario, language: str | None = None) -> pd.DataFrame:
    """Return the "Parameters used" table: one row per leaf parameter with unit and meaning.

    Units and meanings are in ``language`` (default the page's, :func:`capacity.i18n.language`);
    parameter names, values and sources as the files write them.
    """
    table = pd.DataFrame(list(_rows(scn, "", language)))
    table["value"] = table["value"].astype(str)
    return table
