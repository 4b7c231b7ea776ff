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


def test_a_table_whose_rows_differ_in_unit_prints_each_row_in_its_own():
    from capacity.report import shelter as rs

    rates = pd.DataFrame(
        {
            "parameter": ["arrivals_per_month", "entry_share", "move_out_rate", "departure_rate_ratio", "rmse_places"],
            "value": [2538.2, None, 0.003558, None, 4273.4],
            "unit": ["persons/month", None, "share/month", None, "places"],
            "used_median": [None, 0.7787, 0.001932, 1.0, None],
        }
    )
    cells = _cells(rs.rates_table(rates), download=rates)
    assert cells["value"] == ["2,538", "–", "0.36 %", "–", "4,273"]  # counts separated, rates as percent
    assert cells["used median"] == ["–", "77.9 %", "0.19 %", "1.00", "–"]  # the parameter's declared unit
    assert not any("_" in p for p in cells["parameter"]), cells["parameter"]  # names in words, not code
    dutch = _cells(rs.rates_table(rates, language="nl"), language="nl")
    assert dutch["waarde"][:3] == ["2.538", "–", "0,36%"]


def test_the_backtest_summary_prints_errors_in_the_series_unit_and_mase_as_a_named_ratio():
    from capacity.report import forecast as rf

    summary = pd.DataFrame(
        {
            "series": ["arrivals", "departure_rate"],
            "model": ["ets", "ets"],
            "mae": [503.4, 0.00169],
            "mase": [1.2512, 2.06],
            "winkler_80": [2085.0, 0.0126],
            "mase_rel_naive": [0.8191, 1.0],
        }
    )
    cells = _cells(rf.backtest_table(summary), download=summary)
    assert cells["mae"] == ["503", "0.17 %"] and cells["winkler 80"] == ["2,085", "1.3 %"]
    shown = rf.backtest_table(summary)
    assert list(shown["MASE relative to the naive forecast"]) == ["0.82", "1.00"]
    assert list(shown["mase"]) == ["1.25", "2.06"] and "MASE relative to the naive forecast" in cells


def test_the_sobol_table_prints_each_index_with_its_interval_as_percent_of_variance():
    from capacity.report import backlog_evidence as evidence

    sobol = pd.DataFrame(
        {
            "output": ["months_to_clear"],
            "parameter": ["permit_uptake_share"],
            "first_order": [0.268],
            "total_order": [0.366],
            "ci_low": [0.307],
            "ci_high": [0.425],
            "first_order_ci_low": [-0.012],
            "first_order_ci_high": [0.327],
            "kind": ["uncertain"],
            "finding": [True],
        }
    )
    cells = _cells(evidence.sensitivity_table(sobol), download=sobol)
    assert cells["total-order index (% of variance, 90 % interval)"] == ["37 % (31 to 42 %)"]
    assert cells["first-order index (% of variance, 90 % interval)"] == ["27 % (−1 to 33 %)"]  # as estimated
    assert "ci low" not in cells and cells["parameter"] == ["transition document uptake"]


def test_monitor_facts_print_in_their_variables_unit():
    from capacity.report import by_row_unit, variable_unit

    facts = pd.DataFrame({"variable": ["registered", "occupancy_rate"], "expected": [120680.0, 0.998]})
    shown = by_row_unit(facts, ["expected"], facts["variable"].map(variable_unit))
    assert list(shown["expected"]) == ["120,680", "99.8 %"]


def test_the_cost_table_prints_the_cost_optimum_as_the_headline_does():
    """Issue 28: the cost optimum read three ways on page 03 (106,645 / 106,679 / 106,700)."""
    from capacity.report import fmt_headline
    from capacity.report import shelter as rs

    headline = pd.DataFrame(
        {
            "key": ["shelter_places_needed", "shelter_cost_optimal_places"],
            "value": [109_765.0, 96_953.0],
            "p10": [None, None],
            "p90": [None, None],
            "unit": ["places", "places"],
            "rounding": [100.0, 100.0],
        }
    )
    costs = pd.DataFrame(
        {
            "level": ["places at the last count", "places needed at target", "cost-optimal"],
            "places": [95_530.0, 109_765.0, 96_953.0],
        }
    )
    shown = rs.costs_table(costs, headline)
    optimum = fmt_headline(headline.iloc[1].to_dict())
    assert list(shown["places"]) == ["95,530", "109,800", optimum] and optimum == "97,000"


def test_an_uncertain_parameter_reads_in_words_with_the_languages_separators():
    from capacity.params.base import Distribution
    from capacity.report.format import fmt_distribution

    triangular = Distribution(kind="triangular", low=1.0, mode=1.2, high=1.59)
    assert fmt_distribution(triangular, "en") == "triangular 1 / 1.2 / 1.59"
    assert fmt_distribution(triangular, "nl") == "driehoek 1 / 1,2 / 1,59"
    assert fmt_distribution(Distribution(kind="uniform", low=0.002, high=0.015), "en") == "uniform 0.002-0.015"
    assert fmt_distribution(Distribution(value=24070.0), "en") == "24,070"
    assert "=" not in fmt_distribution(Distribution(kind="beta", a=14.6, b=5.4), "en")


def test_a_month_column_named_in_formats_prints_in_words():
    months = pd.DataFrame(
        {"series": ["departures", "arrivals"], "last_month_with_value": pd.to_datetime(["2024-10-01", None])}
    )
    shown = _cells(months, formats={"last_month_with_value": "month"})["last month with value"]
    assert shown == ["October 2024", "–"]  # a month not in the data is missing, not "not on most paths"
    assert _cells(months, "nl", formats={"last_month_with_value": "month"})["laatste maand met waarde"][0] == (
        "oktober 2024"
    )
