"""One home per word for reports 02, 03 and 05: no language branch, Dutch from the catalogue, one language per kernel."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from tests.unit.test_shelter import make_history, make_pop

from capacity import i18n, shelter
from capacity.params.shelter import ShelterConfig
from capacity.report import forecast as rf
from capacity.report import shelter as rs

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
#: Modules that still branch on the language (another change moves their words home); shrink it, never grow it.
STILL_BRANCHING: set[str] = set()  # every word is in the catalogue: no module branches on the language
_BRANCH = re.compile(r"""[!=]=\s*["']nl["']""")


@pytest.fixture(scope="module")
def result() -> shelter.ShelterResult:
    return shelter.simulate_shelter(make_pop(n=30, h=36), ShelterConfig(), history=make_history())


@pytest.fixture
def kernel_language():
    before = i18n.language()
    yield
    i18n.set_language(before)


def test_no_module_outside_the_shrinking_list_branches_on_the_language() -> None:
    src = REPO / "src" / "capacity"
    branching = {p.relative_to(src).as_posix() for p in src.rglob("*.py") if _BRANCH.search(p.read_text("utf-8"))}
    assert branching <= STILL_BRANCHING, sorted(branching - STILL_BRANCHING)
    assert "report/shelter.py" not in branching and "report/forecast.py" not in branching


@pytest.mark.parametrize("name", ["02_arrivals_departures", "03_shelter", "05_municipality"])
def test_the_notebook_sets_its_language_once_and_passes_it_nowhere(name: str) -> None:
    code = "\n".join(
        c.source
        for c in nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4).cells
        if c.cell_type == "code"
    )
    assert code.count("report.set_language(") == 1
    assert "language=" not in code.replace('language="en"', "")  # only the English download of 03
    assert not re.search(r"\blang\b", code) and not re.search(r"report\.t\(\"p0[235]_", code)


def test_the_shelter_texts_read_the_kernel_language(result, kernel_language) -> None:
    english = [str(rs.jump_off_text(result)), str(rs.entitled_note(result)), str(rs.housing_cap_text(result))]
    i18n.set_language("nl")
    dutch = [str(rs.jump_off_text(result)), str(rs.entitled_note(result)), str(rs.housing_cap_text(result))]
    assert english[0].startswith("Last count") and dutch[0].startswith("Laatste telling")
    assert "**Aanname zonder het achterstandsmodel.** Vanaf maart 2027" in dutch[1]
    assert "of the Ukraine places close" in english[1]
    assert "van de plekken voor Oekraïners sluit" in dutch[1]
    assert "**2.000 mensen per maand**" in dutch[2] or "mensen per maand" in dutch[2]
    assert rs.crossing_table(result).columns.tolist() == [
        "drempel",
        "vroeg (10%)",
        "mediaan",
        "laat (90%)",
        "aandeel nooit",
    ]
    assert rs.caption("municipality_compare") == "De gemeente naast Nederland"
    assert rf.caption("quantile", "en") == "Quantile table (persons; persons per month)"


def test_the_planning_paragraph_says_too_late_in_dutch(result) -> None:
    month = pd.date_range("2026-01-01", periods=4, freq="MS")
    planning = pd.DataFrame(
        {
            "date": month,
            "extra_places": [0, 5, 5, 5],
            "places_needed": [10, 20, 30, 40],
            "places_planned": [10, 15, 25, 35],
            "too_late": [False, True, False, False],
            "request_by": month - pd.DateOffset(months=3),
        }
    )
    headline = pd.DataFrame(
        [{"key": "shelter_places_needed", "value": 40.0, "p10": 30.0, "p90": 50.0, "unit": "places", "rounding": 1}]
    )
    nl = str(rs.places_needed_text(result, planning, headline, language="nl"))
    en = str(rs.places_needed_text(result, planning, headline, language="en"))
    assert "Vanaf **februari 2026** zijn meer plekken nodig dan gepland" in nl and "dus te laat" in nl
    assert "De eerste maand die nog te halen is: maart 2026" in nl
    assert "From **February 2026** more places are needed" in en and "so too late" in en
    assert not re.search(r"\b(?:places|request|the)\b", nl)


def test_the_replay_words_are_dutch_on_a_dutch_page() -> None:
    dates = pd.to_datetime(["2024-01-01", "2024-02-01"])
    replay = pd.DataFrame(
        {
            "variable": ["in_shelter", "in_shelter", "places", "places"],
            "date": list(dates) * 2,
            "origin": [pd.NaT] * 4,
            "q0.10": [1.0] * 4,
            "q0.50": [2.0] * 4,
            "q0.90": [3.0] * 4,
            "observed": [2.0, 9000.0, 2.0, None],
            "inside_80": [True, False, True, False],
        }
    )
    nl = str(rs.replay_text(replay, language="nl"))
    assert "1 van 2 tellingen binnen de 80%-band; buiten: februari 2024: 9.000 gepubliceerd, mediaan 2." in nl
    names = [trace.name for trace in rs.replay_chart(replay, language="nl").data if trace.name]
    assert any(n.endswith("(mediaan)") for n in names) and any(n.endswith("(gepubliceerd)") for n in names)
    assert not any("median" in n or "published" in n for n in names)


def test_the_coverage_target_is_written_as_the_language_writes_a_percentage() -> None:
    scorecard = pd.DataFrame(
        {"series": ["arrivals"] * 2, "model": ["naive", "ensemble"], "h": [1, 1], "coverage_80": [0.7, 0.8]}
    )
    texts = {
        lang: rf.scorecard_chart(scorecard, metric="coverage_80", language=lang).layout.annotations[0].text
        for lang in ("en", "nl")
    }
    assert texts == {"en": "target 80 %", "nl": "doel 80%"}
