"""Report tables print numbers through the one formatter, by the unit a column has."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from capacity.report import table
from capacity.report.tables import column_unit

pytestmark = pytest.mark.unit


def _cells(frame: pd.DataFrame, language: str = "en", **kwargs) -> dict[str, list[str]]:
    shown = table(frame, language=language, **kwargs)._repr_html_()
    rows = pd.read_html(__import__("io").StringIO(shown), thousands=None, decimal="\x00")[0].astype(str)
    return {c: list(rows[c]) for c in rows.columns}


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("late_share", "share"),
        ("share_paths", "share"),
        ("probability_reached", "share"),
        ("penalty_eur", "EUR"),
        ("penalty_eur_m", None),
        ("pending_cases", "cases"),
        ("year", "year"),
        ("capacity_per_year", None),
        ("policy", None),
        (3, None),
    ],
)
def test_a_column_name_says_its_unit(name, unit):
    assert column_unit(name) == unit


def test_shares_print_as_percent_counts_whole_years_without_separator():
    frame = pd.DataFrame(
        {
            "late_share": [0.333, 0.00212],
            "pending_cases": [4.83, 1234.4],
            "year": [2027, 2032],
            "penalty_eur": [3_850_718_834.0, 94_321.0],
            "other": [0.5, 1.25],
        }
    )
    cells = _cells(frame)
    assert cells["late share"] == ["33.3 %", "0.2 %"]
    assert cells["pending cases"] == ["5", "1,234"]
    assert cells["year"] == ["2027", "2032"]
    assert cells["penalty eur"] == ["€ 3,851 million", "€ 94,000"]
    assert cells["other"] == ["0.5", "1.25"]  # no unit: as before
    dutch = sum(_cells(frame, "nl").values(), [])
    assert "33,3%" in dutch and "€ 3.851 miljoen" in dutch


def test_the_caller_names_a_columns_unit_in_formats():
    frame = pd.DataFrame({"late": [0.567], "waiting": [4.83], "kept": [0.125]})
    cells = _cells(frame, formats={"late": "share", "waiting": "persons", "kept": "{:.1%}"})
    assert cells == {"late": ["56.7 %"], "waiting": ["5"], "kept": ["12.5 %"]}


def test_a_share_named_column_above_one_is_not_a_share():
    assert _cells(pd.DataFrame({"share_paths": [12.0, 40.0]}))["share paths"] == ["12", "40"]


def test_english_tables_show_yes_no_labels_and_words_not_codes() -> None:
    frame = pd.DataFrame(
        {"variable": ["tp_stock", "seasonal_naive"], "flag": ["observed", "derived"], "ok": [True, False]}
    )
    shown = table(frame, language="en", max_rows=1)._repr_html_()
    cells = re.findall(r"<td>([^<]*)</td>", shown)
    assert cells == ["TP holders (Eurostat)", "observed", "yes"]
    assert "first 1 of 2 rows shown" in shown
    big = table(pd.DataFrame({"x": range(1447)}), language="nl", max_rows=1)._repr_html_()
    assert "1.447" in big and "1447" not in big
    assert "seasonal naive" in table(frame.iloc[1:], language="en")._repr_html_()


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [("coverage_80", 0.754, "75.4 %"), ("weight", 0.25, "25.0 %"), ("miss_median", 0.00212, "0.2 %")],
)
def test_coverages_weights_and_misses_print_as_percentages_not_bare_decimals(name, value, shown) -> None:
    assert column_unit(name) == "share"
    assert _cells(pd.DataFrame({name: [value]}))[name.replace("_", " ")] == [shown]
