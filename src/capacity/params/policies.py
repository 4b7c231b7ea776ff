"""Policy variants of the backlog comparison: ``params/policies.yaml``, beside the scenarios.

Each variant changes the backlog section of the scenario being run
(:func:`capacity.backlog.compare_policies`). A variant that is also a scenario file takes its
values from that file (``scenario:`` and ``fields:``), so that each value has one home; the
others state their ``changes:``. :func:`load_policies` reads and validates the file: every
error is a :class:`~capacity.params.problems.ParameterFileError` naming the file, the policy,
the key and the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from capacity import project
from capacity.i18n import N_
from capacity.params.backlog import BacklogConfig
from capacity.params.base import Frozen, param
from capacity.params.problems import ParameterFileError, Problem, fail, from_validation
from capacity.params.types import ShortText
from capacity.params.yamlfile import read_mapping

__all__ = ["POLICIES_FILE", "PolicyVariant", "load_policies", "policies_path", "policy_names_nl"]

#: Name of the policies file in a project's ``params/`` folder.
POLICIES_FILE = "policies.yaml"


class PolicyVariant(Frozen):
    """One policy of the comparison: a name and changes to the backlog section."""

    name: ShortText = param(..., unit="-", doc=N_("name of the policy in the policy table"), min_length=1)
    name_nl: ShortText | None = param(None, unit="-", doc=N_("Dutch name (empty: the name)"))
    scenario: ShortText | None = param(
        None, unit="path", doc=N_("scenario file (relative to the policies file) whose values to take")
    )
    fields: tuple[ShortText, ...] = param((), unit="-", doc=N_("keys of the scenario file's backlog section to take"))
    changes: dict[ShortText, Any] = param({}, unit="-", doc=N_("changes to the backlog section {key: value}"))


def policies_path() -> Path:
    """Return the project's ``params/policies.yaml``, else the packaged defaults' one."""
    own = project.params_dir() / POLICIES_FILE
    return own if own.is_file() else project.defaults_root() / "params" / POLICIES_FILE


def _read_variants(path: Path) -> list[PolicyVariant]:
    content = read_mapping(path)
    unknown = sorted(set(content) - {"policies"})
    if unknown:
        raise fail(path, unknown[0], "unknown key: a policies file holds one key, 'policies:'")
    rows = content.get("policies")
    if not isinstance(rows, list) or not rows:
        raise fail(path, "policies", "expected a list of policies, each '- name: ...'", rows, show_value=True)
    variants, seen = [], set()
    for i, row in enumerate(rows):
        try:
            variant = PolicyVariant.model_validate(row)
        except ValidationError as exc:
            raise _prefixed(from_validation(exc, path, PolicyVariant), f"policies[{i}]") from None
        if variant.name in seen:
            raise fail(
                path,
                f"policies[{i}].name",
                "a second policy with this name; give each its own",
                variant.name,
                show_value=True,
            )
        seen.add(variant.name)
        variants.append(variant)
    return variants


def _prefixed(error: ParameterFileError, prefix: str) -> ParameterFileError:
    return ParameterFileError(
        Problem(p.file, f"{prefix}.{p.key}" if p.key else prefix, p.value, p.rule) for p in error.problems
    )


def _from_scenario(path: Path, where: str, variant: PolicyVariant) -> dict[str, Any]:
    """Return the ``fields`` of the scenario file the variant names, from its own backlog section."""
    if variant.scenario is None:
        if variant.fields:
            raise fail(path, f"{where}.fields", "fields are taken from a scenario: name it with 'scenario:'")
        return {}
    if not variant.fields:
        raise fail(
            path,
            f"{where}.fields",
            "name the keys of the scenario's backlog section to take, e.g. fields: [permit_uptake_share]",
        )
    source = (path.parent / variant.scenario).resolve()
    if not source.is_relative_to(path.parent.resolve()) or source.suffix not in (".yaml", ".yml"):
        raise fail(
            path,
            f"{where}.scenario",
            "must name a .yaml scenario file inside the folder of this file",
            variant.scenario,
            show_value=True,
        )
    own = read_mapping(source).get("backlog")
    own = own if isinstance(own, dict) else {}
    out = {}
    for key in variant.fields:
        if key not in own:
            raise fail(
                path,
                f"{where}.fields",
                f"{variant.scenario} sets no backlog.{key} of its own (it sets: {', '.join(sorted(own)) or 'nothing'})",
                key,
                show_value=True,
            )
        out[key] = own[key]
    return out


def load_policies(path: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """Read and validate the policy variants.

    Args:
        path: A policies file (default :func:`policies_path`).

    Returns:
        ``{name: {backlog key: value}}`` in the file's order: the changes each policy makes to
        the backlog section (values as written in YAML, e.g. a distribution as a mapping).

    Raises:
        ParameterFileError: If the file is not valid, a policy names a scenario file that does
            not set the field, or a change is not a backlog key or not a valid value for it.

    """
    path = Path(path) if path is not None else policies_path()
    base = BacklogConfig().model_dump()
    out: dict[str, dict[str, Any]] = {}
    for i, variant in enumerate(_read_variants(path)):
        where = f"policies[{i}]"
        taken = _from_scenario(path, where, variant)
        twice = sorted(set(taken) & set(variant.changes))
        if twice:
            raise fail(path, f"{where}.changes.{twice[0]}", "also taken from the scenario file; give it once")
        changes = {**taken, **variant.changes}
        try:
            BacklogConfig.model_validate({**base, **changes})
        except ValidationError as exc:
            raise _prefixed(from_validation(exc, path, BacklogConfig), f"{where}.changes") from None
        out[variant.name] = changes
    return out


def policy_names_nl(path: Path | str | None = None) -> dict[str, str]:
    """Return ``{name: Dutch name}`` of the policies that have one (same file as :func:`load_policies`)."""
    path = Path(path) if path is not None else policies_path()
    return {v.name: v.name_nl for v in _read_variants(path) if v.name_nl}
