"""One baseline (issue 29): ``params/baseline.yaml`` holds every value, the schema none of its own."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from capacity import params
from capacity.params.backlog import TPD_END, BacklogConfig
from capacity.params.base import Distribution, Frozen, baseline_value, packaged_baseline, param
from capacity.params.problems import ParameterFileError
from capacity.params.scenario import Scenario
from capacity.params.shelter import ShelterConfig

pytestmark = pytest.mark.unit

#: Fields whose schema default is not a value of the baseline, and why.
NOT_BASELINE_VALUES = {
    # a weight belongs to its file and is never inherited (params.WEIGHT_KEYS): a scenario that
    # states none is not weighted, whatever the baseline's own weight is
    "meta.weight",
    "meta.stress_test",
    "meta.weight_rationale",
    "meta.weight_rationale_nl",
    # computed: always backlog.tpd_end_date (params.COMPUTED), never a key of a file
    "shelter.tpd_end",
}


def _section_type(annotation: Any) -> type[Frozen] | None:
    if isinstance(annotation, type) and issubclass(annotation, Frozen) and not issubclass(annotation, Distribution):
        return annotation
    return None


def default_problems(model: type[BaseModel], key: str, section: Any) -> list[str]:
    """Return one line per field of ``model`` (at ``key`` of the baseline) whose value is not the baseline's."""
    out = []
    for name, info in model.model_fields.items():
        full = f"{key}.{name}"
        if full in NOT_BASELINE_VALUES:
            continue
        if not isinstance(section, dict) or name not in section:
            out.append(
                f"field {full}: params/baseline.yaml has no value — add '{name}: <value>  # source' "
                f"under '{key}:' in params/baseline.yaml (the one home of every value)"
            )
            continue
        inner = _section_type(info.annotation)
        if inner is not None:
            if inner.baseline_key != full:
                out.append(
                    f"field {full}: class {inner.__name__} has baseline_key {inner.baseline_key!r} — "
                    f"set baseline_key = {full!r} in it"
                )
            out.extend(default_problems(inner, full, section[name]))
            continue
        if name in getattr(model, "baseline_fields", ()):
            continue  # the default was read from the baseline
        if info.is_required():
            out.append(
                f"field {full}: no default although params/baseline.yaml has one — set "
                f"baseline_key = {key!r} in class {model.__name__}"
            )
            continue
        declared = info.get_default(call_default_factory=True)
        adapter = TypeAdapter(info.rebuild_annotation())
        if adapter.validate_python(declared) != adapter.validate_python(section[name]):
            out.append(
                f"field {full}: default {declared!r} differs from baseline.yaml {section[name]!r} — "
                "remove the default (write param(unit=..., doc=...)) so that the value comes from "
                "params/baseline.yaml, or, if the default is right, change the YAML and remove it"
            )
        else:
            out.append(
                f"field {full}: default {declared!r} repeats baseline.yaml — remove the default "
                "(write param(unit=..., doc=...)): the value's one home is params/baseline.yaml"
            )
    return out


def test_no_schema_default_differs_from_or_repeats_baseline_yaml():
    raw = packaged_baseline()
    problems = []
    for name, info in Scenario.model_fields.items():
        section = _section_type(info.annotation)
        assert section is not None and section.baseline_key == name, name
        problems += default_problems(section, name, raw.get(name))
    assert not problems, "\n".join(problems)


def test_a_default_that_contradicts_the_baseline_is_named_with_what_to_do():
    class Contradicts(Frozen):
        baseline_key = "backlog"
        n_paths: int = param(999, unit="paths", doc="Monte Carlo sample paths")
        n_months: int = param(60, unit="months", doc="months simulated")
        extra: int = param(unit="-", doc="not in the baseline")

    class Missing(Frozen):
        baseline_key = "backlog"
        not_in_yaml: int = param(1, unit="-", doc="a new field without a baseline value")

    got = default_problems(Contradicts, "backlog", packaged_baseline()["backlog"])
    assert got[0] == (
        "field backlog.n_paths: default 999 differs from baseline.yaml 1000 — remove the "
        "default (write param(unit=..., doc=...)) so that the value comes from "
        "params/baseline.yaml, or, if the default is right, change the YAML and remove it"
    )
    assert got[1].startswith("field backlog.n_months: default 60 repeats baseline.yaml — remove the default")
    assert got[2].startswith("field backlog.extra: params/baseline.yaml has no value — add 'extra: <value>")
    got = default_problems(Missing, "backlog", packaged_baseline()["backlog"])
    assert got == [got[0]] and "add 'not_in_yaml: <value>  # source' under 'backlog:'" in got[0]


def test_a_field_without_default_takes_the_baseline_value():
    class Section(Frozen):
        baseline_key = "backlog"
        term_extension_months: float = param(unit="months", doc="extension")

    assert Section.baseline_fields == {"term_extension_months"}
    assert Section().term_extension_months == baseline_value("backlog.term_extension_months") == 15


def test_sections_built_without_a_file_are_the_baseline():
    base = params.load(params.base.packaged_baseline_path())
    assert BacklogConfig() == base.backlog
    assert ShelterConfig(tpd_end=TPD_END) == base.shelter
    assert TPD_END == base.backlog.tpd_end_date
    scn = Scenario.model_validate({})
    for section in ("data", "forecast", "backlog", "warnings", "eu"):
        assert getattr(scn, section) == getattr(base, section), section
    assert scn.meta.model_dump(exclude=NOT_BASELINE_KEYS) == base.meta.model_dump(exclude=NOT_BASELINE_KEYS)


NOT_BASELINE_KEYS = {k.split(".")[1] for k in NOT_BASELINE_VALUES if k.startswith("meta.")}


def test_a_value_missing_from_the_baseline_is_named():
    with pytest.raises(ParameterFileError, match=r"baseline\.yaml.*backlog\.no_such_key.*missing"):
        baseline_value("backlog.no_such_key")
