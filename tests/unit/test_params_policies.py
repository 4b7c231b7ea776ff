"""Policy variants in params/policies.yaml: read, validated, values taken from the scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest

from capacity import backlog as bl
from capacity import params
from capacity.params.policies import load_policies, policies_path, policy_names_nl
from capacity.params.problems import ParameterFileError

pytestmark = pytest.mark.unit


def _write(folder: Path, text: str) -> Path:
    (folder / "scenarios").mkdir(exist_ok=True)
    (folder / "scenarios" / "high.yaml").write_text("backlog:\n  permit_uptake_share: 0.95\n", encoding="utf-8")
    path = folder / "policies.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_policies_are_the_default_set_and_each_has_a_dutch_name():
    shipped = load_policies()
    assert policies_path() == params.PARAMS_DIR / "policies.yaml"
    assert bl.default_policies() == shipped
    assert next(iter(shipped)) == "as configured" and shipped["as configured"] == {}
    assert set(policy_names_nl()) == set(shipped)


@pytest.mark.parametrize(
    ("policy", "scenario", "key"),
    [
        ("permit, high uptake (85-98 %)", "permit_high_uptake.yaml", "permit_uptake_share"),
        ("permit, 2024 precedent (73 %)", "permit_precedent_2024.yaml", "permit_uptake_share"),
        ("all applications restart", "tpd_all_restart_2027.yaml", "permit_uptake_share"),
        ("TPD extended to 2028-03-04", "tpd_extended_2028.yaml", "tpd_end_date"),
        ("no term extension (6 months)", "tpd_term_6_months.yaml", "term_extension_months"),
    ],
)
def test_a_policy_that_is_a_scenario_has_the_scenario_files_value(policy, scenario, key):
    change = load_policies()[policy]
    scn = params.load(params.PARAMS_DIR / "scenarios" / scenario)
    applied = bl.parameters.with_changes(params.load().backlog, **change)
    assert getattr(applied, key) == getattr(scn.backlog, key)


def test_fields_are_read_from_the_named_scenario(tmp_path):
    path = _write(
        tmp_path,
        "policies:\n  - name: high\n    scenario: scenarios/high.yaml\n"
        "    fields: [permit_uptake_share]\n  - name: lead\n"
        "    changes: {document_issue_lead_months: 2}\n",
    )
    assert load_policies(path) == {"high": {"permit_uptake_share": 0.95}, "lead": {"document_issue_lead_months": 2}}


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            "policies:\n  - name: a\n    changes: {permit_uptake_share: 1.5}\n",
            "policies[0].changes.permit_uptake_share",
            "1.5",
        ),
        ("policies:\n  - name: a\n    changes: {no_such_key: 1}\n", "policies[0].changes.no_such_key", "no_such_key"),
        ("policies:\n  - name: a\n  - name: a\n", "policies[1].name", "second policy"),
        (
            "policies:\n  - name: a\n    scenario: scenarios/high.yaml\n    fields: [grant_share]\n",
            "policies[0].fields",
            "sets no backlog.grant_share",
        ),
        ("policies:\n  - name: a\n    fields: [grant_share]\n", "policies[0].fields", "scenario"),
        (
            "policies:\n  - name: a\n    scenario: ../elsewhere.yaml\n    fields: [grant_share]\n",
            "policies[0].scenario",
            "inside the folder",
        ),
        ("policies:\n  - name: a\n    colour: red\n", "policies[0].colour", "colour"),
        ("policy: []\n", "policy", "unknown key"),
    ],
)
def test_an_invalid_policy_names_file_key_and_value(tmp_path, text, key, words):
    path = _write(tmp_path, text)
    with pytest.raises(ParameterFileError) as err:
        load_policies(path)
    assert err.value.file == str(path) and err.value.key == key
    assert words in str(err.value)
