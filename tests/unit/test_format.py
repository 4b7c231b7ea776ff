"""One formatter keyed by unit: every figure a page prints, in English and Dutch."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from capacity.report.format import COUNTS, EUROS, UNITS, fmt_range, fmt_value

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value, unit, rounding, en, nl",
    [
        # counts: whole, with separators, never decimals ("0.00", "0,60 personen", "4.83")
        (93103.92, "persons", 100, "93,100", "93.100"),
        (0.0, "persons", 0.01, "0", "0"),
        (0.6, "persons", 0.01, "1", "1"),
        (4.83, "places", 0.01, "5", "5"),
        (5451.2, "cases", 1, "5,451", "5.451"),
        (12.4, "decisions", None, "12", "12"),
        # euros: millions from a million ("2.37e+08 EUR", "3,850,718,834"), thousands from 10,000
        (2.37e8, "EUR", 1, "€ 237 million", "€ 237 miljoen"),
        (2.4e6, "euros", 100_000, "€ 2.4 million", "€ 2,4 miljoen"),
        (3_850_718_834, "EUR", 1, "€ 3,851 million", "€ 3.851 miljoen"),
        (166_049_000, "EUR", 100_000, "€ 166 million", "€ 166 miljoen"),
        (93_970.4, "EUR", 1, "€ 94,000", "€ 94.000"),
        (1442, "EUR", 1, "€ 1,442", "€ 1.442"),
        (23.5, "EUR", 0.01, "€ 23.50", "€ 23,50"),
        (0.0, "EUR", 100_000, "€ 0", "€ 0"),
        # shares as percentages ("0.333", "0.00212")
        (0.333, "share", 0.001, "33.3 %", "33,3%"),
        (0.00212, "share", 0.001, "0.2 %", "0,2%"),
        (0.567, "share", 0.01, "57 %", "57%"),
        # differences of percentages in percentage points, never "%"
        (0.012, "pp", 0.001, "+1.2 pp", "+1,2 procentpunt"),
        (-0.034, "percentage_points", 0.001, "\u22123.4 pp", "\u22123,4 procentpunt"),
        (0.0, "pp", None, "0.0 pp", "0,0 procentpunt"),
        # negatives with the minus sign a reader reads ("−"), not the hyphen-minus ("-11,400")
        (-11_433.0, "cases", 100, "\u221211,400", "\u221211.400"),
        (-2.5e6, "EUR", 100_000, "€ \u22122.5 million", "€ \u22122,5 miljoen"),
        (-93_970.4, "EUR", 1, "€ \u221294,000", "€ \u221294.000"),
        (-0.4, "cases", 1, "0", "0"),
        # months: a duration, a censored duration, a calendar month
        (27.0, "months", 1, "27", "27"),
        ("> 60", "months", 1, "more than 60", "meer dan 60"),
        (float("inf"), "months", 1, "not within the run", "niet binnen de looptijd"),
        ("2025-04", "month", 1, "April 2025", "april 2025"),
        # years: never "2,027"
        (2027, "year", None, "2027", "2027"),
        (2032.0, "year", 1, "2032", "2032"),
        ("2030", "year", None, "2030", "2030"),
        (pd.Timestamp("2028-03-01"), "year", None, "2028", "2028"),
        # missing
        (float("nan"), "persons", 100, "–", "–"),
        (None, "EUR", 100_000, "–", "–"),
    ],
)
def test_every_unit_prints_one_way_in_english_and_dutch(value, unit, rounding, en, nl) -> None:
    assert fmt_value(value, unit, rounding, "en") == en
    assert fmt_value(value, unit, rounding, "nl") == nl


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("unit", sorted(UNITS - {"month"}))
@pytest.mark.parametrize("value", [2027.0, 0.0, 0.6, 4.83, 2.37e8, 3_850_718_834.0, 0.333, 0.00212, 1e-12])
def test_no_unit_prints_program_output(value, unit, language) -> None:
    """No e-notation, no year with a separator, no count with decimals, no euros to the euro above 10,000."""
    text = fmt_value(value, unit, 0.01, language)
    assert not re.search(r"\d[eE][+-]?\d", text), text
    assert text not in ("0.00", "0,00", "€ 0.00", "€ 0,00"), text
    if unit in COUNTS:
        assert ("." if language == "en" else ",") not in text, text
    if unit in EUROS and value >= 10_000:
        assert "million" in text or "miljoen" in text or re.sub(r"\D", "", text).endswith("000"), text
    if unit == "year":
        assert text == str(round(value)), text


def test_small_municipal_counts_are_ranges_not_exact_figures() -> None:
    assert fmt_value(4, "persons", 1, "nl", small=True) == "minder dan 10"
    assert fmt_value(4, "persons", 1, "en", small=True) == "fewer than 10"
    assert fmt_value(40, "persons", 1, "nl", small=True) == "40"
    assert fmt_value(4, "persons", 1, "nl") == "4"  # national pages print what they have
    assert fmt_value(0.04, "share", 0.001, "nl", small=True) == "4,0%"  # not a count
    assert fmt_range(3, 7, "persons", 1, "nl", small=True) == "minder dan 10"
    assert fmt_range(3, 70, "persons", 1, "en", small=True) == "3 to 70"


def test_a_range_with_equal_ends_prints_once() -> None:
    assert fmt_range(5, 5, "persons", 1, "nl") == "5"  # never "5 tot 5"
    assert fmt_range(5400, 5600, "persons", 100, "nl") == "5.400 tot 5.600"
    assert fmt_range(0.1, 0.25, "share", 0.01, "en") == "10 % to 25 %"


def test_a_municipal_headline_row_prints_small_counts_as_a_range() -> None:
    from capacity.report.format import fmt_headline

    row = {"value": 4.2, "p10": 1.0, "p90": 12.0, "unit": "persons", "rounding": 1}
    assert fmt_headline(row, "nl", small=True) == "minder dan 10"
    assert fmt_headline(row, "nl", "p90", small=True) == "12"
    assert fmt_headline(row, "nl") == "4"
    assert fmt_headline({**row, "p10": float("nan")}, "en", "p10") == "–"


@pytest.mark.parametrize("language, where", [("en", "en_GB"), ("nl", "nl_NL")])
@pytest.mark.parametrize("decimals", [0, 1, 2])
@pytest.mark.parametrize("value", [0.0, -0.4, 0.5, 2.5, 1234.5, -1_234_567.891, 93_970.44, 3_850_718_834.0])
def test_numbers_are_written_as_babel_writes_them(value, decimals, language, where) -> None:
    from babel.numbers import format_decimal

    from capacity.report.format import fmt_number

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    expected = format_decimal(round(value, decimals) + 0.0, format=pattern, locale=where)
    # one deliberate difference: the reader's minus sign "−" for CLDR's hyphen-minus
    assert fmt_number(value, language, decimals) == expected.replace("-", "\u2212")
