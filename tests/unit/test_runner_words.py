"""The runner's own words: a scenario's title in the page's language, the municipal CSV link."""

from __future__ import annotations

from pathlib import Path

import pytest

from capacity import i18n
from capacity.runner.plan import ScenarioSpec

pytestmark = pytest.mark.unit


def test_a_scenario_title_is_in_the_page_language_where_the_scenario_gives_one() -> None:
    spec = ScenarioSpec("baseline_nl", Path("baseline_nl.yaml"), "War goes on", "nl", 1, title_nl="Oorlog duurt voort")
    assert spec.title_in("nl") == "Oorlog duurt voort" and spec.title_in("en") == "War goes on"
    assert ScenarioSpec("b", Path("b.yaml"), "War goes on", "nl", 1).title_in("nl") == "War goes on"


def test_the_municipal_csv_link_is_named_in_the_page_language() -> None:
    assert i18n.gettext("CSV, all municipalities", "nl") == "CSV, alle gemeenten"
    assert i18n.gettext("CSV, all municipalities", "en") == "CSV, all municipalities"
