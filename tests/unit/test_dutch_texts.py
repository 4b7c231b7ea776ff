"""Dutch where municipalities read it: parameter meanings, scenario texts and early-warning texts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from capacity import i18n, params
from capacity.lab.form import leaves
from capacity.params.warnings import BacklogCapacity, DataAge, PenaltyBudget, ShelterPressure
from capacity.vintages import banner
from capacity.vintages import warnings as early

pytestmark = pytest.mark.unit


# --- parameter meanings and units -----------------------------------------------------------


def test_every_parameter_meaning_and_unit_is_in_the_catalogue() -> None:
    """A doc or unit the catalogue lacks would show in English on a Dutch page."""
    missing = [f"{leaf.key}: {leaf.meaning!r}" for leaf in leaves() if leaf.meaning and not i18n.known(leaf.meaning)]
    assert not missing, "param(doc=...) not marked N_() or not translated:\n" + "\n".join(missing)
    units = sorted({leaf.unit for leaf in leaves()} - params.UNITS)
    assert not units, f"units missing from capacity.params.UNITS: {units}"
    assert all(i18n.known(u) for u in params.UNITS), sorted(u for u in params.UNITS if not i18n.known(u))


def test_describe_in_dutch_has_no_english_meaning_left() -> None:
    scn = params.load()
    english, dutch = params.describe(scn, "en"), params.describe(scn, "nl")
    assert list(english["parameter"]) == list(dutch["parameter"])
    assert list(english["value"]) == list(dutch["value"])  # values as the files write them
    same = english[(english["meaning"] == dutch["meaning"]) & (english["meaning"] != "")]
    assert same.empty, same[["parameter", "meaning"]].to_string()
    rows = dutch.set_index("parameter")
    assert rows.loc["meta.seed", "meaning"] == "startwaarde (seed) van de toevalsgenerator"
    assert rows.loc["backlog.notice_share", "meaning"].startswith("aanvragers met een te late beslissing")
    assert rows.loc["shelter.target_occupancy", "meaning"].startswith("bezettingsgraad waarop wordt gepland")
    assert rows.loc["forecast.n_paths", "unit"] == "paden"
    assert english.set_index("parameter").loc["forecast.n_paths", "unit"] == "paths"


def test_describe_follows_the_kernel_language() -> None:
    before = i18n.language()
    try:
        i18n.set_language("nl")
        assert params.describe(params.load()).set_index("parameter").loc["meta.title", "meaning"] == (
            "titel die in rapporten wordt getoond"
        )
    finally:
        i18n.set_language(before)


# --- scenario title, description and weight rationale in two languages ----------------------


def test_every_shipped_scenario_has_dutch_title_description_and_rationale() -> None:
    for path in params.scenario_files():
        meta = params.load(path).meta
        for key in params.TWO_LANGUAGE_TEXTS:
            text, lang = meta.text_and_language(key, "nl")
            assert lang == "nl" and text.strip(), f"{path.name}: meta.{key}_nl"
            assert meta.text(key, "en") == getattr(meta, key), f"{path.name}: meta.{key}"
    dutch_edition = params.load(params.PARAMS_DIR / "scenarios" / "baseline_nl.yaml").meta
    assert dutch_edition.text("title", "en") == "War continues (baseline, Dutch edition)"
    assert dutch_edition.text("title", "nl") == "Oorlog duurt voort (basisscenario, Nederlandse editie)"


def test_a_text_falls_back_to_the_other_language(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "meta:\n  title: Mine\n  description: Only in English.\n  weight_rationale_nl: Alleen in het Nederlands.\n"
        "  stress_test: true\n",
        encoding="utf-8",
    )
    meta = params.load(path).meta
    # its own English title and description: never the baseline's Dutch ones
    assert meta.text_and_language("title", "nl") == ("Mine", "en")
    assert meta.text_and_language("description", "nl") == ("Only in English.", "en")
    assert meta.text_and_language("weight_rationale", "en") == ("Alleen in het Nederlands.", "nl")
    assert meta.text_and_language("weight_rationale", "nl") == ("Alleen in het Nederlands.", "nl")
    with pytest.raises(KeyError, match="meta.seed is not written in two languages"):
        meta.text("seed", "nl")


def test_a_scenario_that_keeps_the_baselines_texts_keeps_their_dutch(tmp_path: Path) -> None:
    path = tmp_path / "paths.yaml"
    path.write_text("meta:\n  title: Fewer paths\n  title_nl: Minder paden\nforecast:\n  n_paths: 200\n")
    meta, base = params.load(path).meta, params.load().meta
    assert meta.text("title", "nl") == "Minder paden"
    assert meta.text("description", "nl") == base.description_nl  # the description is the baseline's


@pytest.mark.parametrize(
    "line, key, shown",
    [
        ("  title: {en: Mine, nl: Het mijne}", "meta.title", "{en: 'Mine', nl: 'Het mijne'}"),
        ("  description_nl: [een, twee]", "meta.description_nl", "['een', 'twee']"),
    ],
)
def test_a_text_in_two_languages_written_as_a_mapping_is_refused_clearly(
    tmp_path: Path, line: str, key: str, shown: str
) -> None:
    path = tmp_path / "both.yaml"
    own_title = "" if key == "meta.title" else "  title: Mine\n"
    path.write_text(f"meta:\n{own_title}{line}\n", encoding="utf-8")
    with pytest.raises(params.ParameterFileError) as err:
        params.load(path)
    message = str(err.value)
    name = key.split(".")[1].removesuffix("_nl")
    assert message.startswith(f"{path}: {key} = {shown}: expected text"), message
    assert f"'{name}: <English>' and '{name}_nl: <Dutch>'" in message


def test_a_dutch_text_that_is_not_text_names_file_key_value_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "number.yaml"
    path.write_text("meta:\n  title: Mine\n  title_nl: 12\n", encoding="utf-8")
    with pytest.raises(params.ParameterFileError, match=r"number.yaml: meta.title_nl = 12: expected text"):
        params.load(path)


# --- early-warning texts ----------------------------------------------------------------------


def _pressure(months: int = 12) -> pd.DataFrame:
    dates = pd.date_range("2025-04-01", periods=months, freq="MS")
    median = [0.5, 0.5] + [1.0] * (months - 2)
    return pd.DataFrame({"date": dates, "variable": "pressure", "q0.10": median, "q0.50": median, "q0.90": median})


def _english(text: str) -> list[str]:
    words = {"the", "and", "months", "month", "places", "not", "above", "below", "needs", "planned", "of", "June"}
    return sorted({w for w in text.replace(",", " ").replace(".", " ").split() if w in words})


def test_every_trigger_text_is_written_in_dutch_too() -> None:
    capacity = pd.DataFrame(
        [
            {
                "service": "IND regular stream",
                "variant": "ramp 12 months",
                "capacity_per_month": 4547.0,
                "planned_per_month": 2640.0,
                "ratio_to_planned": 4547 / 2640,
            }
        ]
    )
    results = [
        early.shelter_pressure(ShelterPressure(threshold=0.95), _pressure(), lead_time_months=6),
        early.backlog_capacity(BacklogCapacity(margin=0.10), capacity),
        early.penalty_budget(PenaltyBudget(budget_eur=300e6), {PenaltyBudget().key: {"value": 145e6, "p90": 234e6}}),
        early.data_age(DataAge(max_months=3), "2025-06-01", "2026-12-06T20:53:45+00:00"),
        early.backlog_capacity(BacklogCapacity(), None),
    ]
    for res in results:
        english, dutch = res["texts"]["en"], res["texts"]["nl"]
        assert english == res["text"] and dutch != english
        assert not _english(dutch), (dutch, _english(dutch))
        assert early.text_in(res, "nl") == (dutch, "nl")
    pressure, service, penalty, age, missing = (r["texts"]["nl"] for r in results)
    assert pressure == (
        "De mediane vraag per plek bereikt 95% in juni 2025, 3 maanden na de laatste telling; nieuwe plekken "
        "hebben 6 maanden nodig om open te gaan. Er is minder voorbereidingstijd over dan nieuwe plekken nodig hebben."
    )
    assert results[0]["text"].startswith("Median demand per place reaches 95 % in June 2025, 3 months after")
    assert service == (
        "Benodigde capaciteit meer dan 10% boven de geplande: IND reguliere stroom (opbouw in 12 maanden): "
        "heeft 4.547 per maand nodig, gepland 2.640 (72% meer)."
    )
    assert "€ 300 miljoen" in penalty and "mediaan € 145 miljoen" in penalty
    assert age.startswith("Verouderde gegevens: de laatste telling van ingeschrevenen is van juni 2025, 18 maanden")
    assert missing.startswith("Niet beoordeeld:")


def test_stale_data_replaces_the_count_triggers_in_both_languages() -> None:
    from capacity.params.warnings import WarningsConfig

    out = early.evaluate(
        WarningsConfig(),
        observations=pd.DataFrame(columns=["date", "variable", "value"]),
        earlier=None,
        tables={"shelter_forecast": _pressure()},
        headline={},
        lead_time_months=6,
        data_date="2025-06-01",
        run_date="2026-12-06",
    )
    stale = [r for r in out if r["trigger"] in early.COUNT_TRIGGERS]
    assert stale and all(
        r["texts"]["nl"] == "Niet beoordeeld op verouderde gegevens (zie de ouderdom van de gegevens)." for r in stale
    )


def test_an_older_result_without_texts_falls_back_to_english_and_says_so() -> None:
    old = {"trigger": "x", "status": "amber", "title": "Something new", "text": "needs more"}
    assert early.text_in(old, "nl") == ("needs more", "en")
    assert early.title_in(old, "nl") == ("Something new", "en")
    known = {**old, "title": early.TITLES["data_age"]}
    assert early.title_in(known, "nl") == ("Ouderdom van de gegevens", "nl")


def test_warnings_json_carries_both_languages(tmp_path: Path) -> None:
    from capacity.vintages.record import write_warnings

    res = early.data_age(DataAge(max_months=3), "2025-06-01", "2026-12-06")
    path = write_warnings(tmp_path, "r1", {"baseline": [res]})
    trigger = json.loads(Path(path).read_text())["scenarios"]["baseline"]["triggers"][0]
    assert trigger["text"].startswith("Stale data") and trigger["texts"]["nl"].startswith("Verouderde gegevens")


def test_the_municipal_banner_is_dutch() -> None:
    res = early.data_age(DataAge(max_months=3), "2025-06-01", "2026-12-06")
    note = banner.note_html("stale", [res], {"first": True}, language="nl", index_href="../../index.html")
    assert "Vroegsignalering: VEROUDERDE GEGEVENS" in note and "Ouderdom van de gegevens gaf een signaal" in note
    assert not _english(note.split(">", 1)[1])
