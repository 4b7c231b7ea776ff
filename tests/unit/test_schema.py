"""The published JSON Schema: up to date, accepting the shipped files, named by each of them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from capacity import params
from capacity.lab import schema

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "params" / "schema.json"
SHIPPED = [ROOT / "params" / "baseline.yaml", *sorted((ROOT / "params" / "scenarios").glob("*.yaml"))]


class _NoDates(yaml.SafeLoader):
    """YAML as an editor's language server reads it: dates stay strings."""


_NoDates.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        json.loads(SCHEMA.read_text(encoding="utf-8")), format_checker=jsonschema.FormatChecker()
    )


def test_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema.render(), (
        f"{SCHEMA} is out of date with the Scenario models: run `make schema` and commit it"
    )


def test_schema_is_stable_and_carries_units_meanings_and_ranges() -> None:
    assert schema.render() == schema.render()
    text = schema.render()
    assert json.loads(text) == json.loads(json.dumps(json.loads(text), sort_keys=True))
    n_paths = json.loads(text)["$defs"]["ForecastConfig"]["properties"]["n_paths"]
    assert n_paths["unit"] and n_paths["description"] and "minimum" in n_paths
    assert set(json.loads(text)["properties"]) == {*params.Scenario.model_fields, "extends"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_names_the_schema_and_passes_it(path: Path, validator) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema.modeline(path, SCHEMA)
    assert (path.parent / first.split("$schema=")[1]).resolve() == SCHEMA.resolve()
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in validator.iter_errors(yaml.load(path.read_text(encoding="utf-8"), Loader=_NoDates))
    ]
    assert not errors, errors


def test_schema_rejects_unknown_keys_and_out_of_range_values(validator) -> None:
    errors = [e.message for e in validator.iter_errors({"forecast": {"n_pathz": 3, "n_paths": -1}})]
    assert any("n_pathz" in e for e in errors) and any("-1" in e for e in errors)
    assert not list(validator.iter_errors({"shelter": {"entry_share": 0.7}}))  # a fixed value


def test_the_modeline_is_a_comment_to_the_loader(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(schema.modeline(scenario, SCHEMA) + "\nforecast:\n  n_paths: 250\n")
    assert params.read_yaml(scenario) == {"forecast": {"n_paths": 250}}


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "schema.json"
    stale.write_text("{}\n")
    assert schema.main(["--check", str(stale)]) == 1
    assert schema.main([str(stale)]) == 0 and schema.main(["--check", str(stale)]) == 0


def _schema_names(node: object) -> set[str]:
    """Every property name anywhere in the JSON Schema (parameters of every section)."""
    names: set[str] = set()
    if isinstance(node, dict):
        names |= set(node.get("properties", {}))
        for value in node.values():
            names |= _schema_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= _schema_names(value)
    return names


def _other_known_names() -> set[str]:
    """Snake-case names a comment may cite besides parameters: data files, their rows and
    columns, scenario files, and the package's public functions and path variables."""
    import re

    import capacity
    from capacity import backlog, data, shelter

    datasets = Path(capacity.__file__).parent / "datasets"
    text = " ".join(p.read_text(encoding="utf-8") for p in datasets.glob("*.csv"))
    names = set(re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", text))
    names |= {p.stem for p in datasets.glob("*.csv")} | {p.stem for p in SHIPPED}
    names |= {n for module in (data, shelter, backlog) for n in dir(module)} | set(backlog.UNITS)
    return names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_comments_name_only_parameters_that_exist(path: Path) -> None:
    # a comment that explains a parameter by name must name one the schema has, e.g. not a
    # conversion 'regular_persons_per_case' the code does not have
    import re

    known = _schema_names(json.loads(SCHEMA.read_text(encoding="utf-8"))) | _other_known_names()
    unknown = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        comment = line.split("#", 1)[1] if "#" in line else ""
        for name in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", comment):
            if name not in known:
                unknown[name] = number
    assert not unknown, f"{path.name}: comments name parameters the schema lacks: {unknown} (name: line)"
