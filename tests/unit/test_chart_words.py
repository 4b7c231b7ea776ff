"""What the charts print: captions, hover text and text alternatives through the formatter, gaps as gaps.

Issue 28: fan captions read "0 (80 % band 0 to 0)" where a fan ends in nothing, "–" where its
values stop early; lines bridged months without counts; titles ran under the mode bar on a phone;
Dutch axes read "20k"; the Sobol chart's panels overlapped; identical scenarios hid each other.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from capacity.quantiles import summarise
from capacity.report import Text
from capacity.report import backlog_evidence as evidence
from capacity.report import shelter as rs
from capacity.report.charts import (
    COUNT_TICKS,
    PERCENT_TICKS,
    TITLE_CLASS,
    break_gaps,
    fan_chart,
    figure,
    history_chart,
    lines_chart,
)
from capacity.report.forecast import scenario_comparison

pytestmark = pytest.mark.unit

DATES = pd.date_range("2025-07-01", periods=12, freq="MS")
#: A raw float as a program prints it ("0.00", "123.456789"), never as the formatter does.
RAW_FLOAT = re.compile(r"\b\d+\.\d{2,}\b")


def _fan(values: np.ndarray, variable: str = "arrivals") -> pd.DataFrame:
    return summarise(values, DATES, variable)


def _ending_in_nothing() -> pd.DataFrame:
    """Arrivals that stop after the sixth month (the TPD ends): 0 to 0 from then on."""
    paths = np.random.default_rng(1).normal(2000, 300, size=(200, len(DATES)))
    paths[:, 6:] = 0.0
    return _fan(paths)


def _texts(fig: go.Figure) -> list[str]:
    """Every text a reader sees besides the ticks: summary, hover texts, annotations."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    out = [meta.get("summary", "")]
    for trace in fig.data:
        out += [str(t) for t in (trace.text if isinstance(trace.text, (list, tuple)) else [trace.text or ""])]
    return out


def test_a_fan_ending_in_nothing_says_its_last_month_with_something_and_from_when_it_is_0() -> None:
    summary = fan_chart(_ending_in_nothing(), "arrivals", language="en").layout.meta["summary"]
    assert re.match(r"Median in December 2025: 2,\d{3} \(80 % band 1,\d{3} to 2,\d{3}\)\. ", summary), summary
    assert "From January 2026 on: 0." in summary and "0 to 0" not in summary, summary
    dutch = fan_chart(_ending_in_nothing(), "arrivals", language="nl").layout.meta["summary"]
    assert "Vanaf januari 2026: 0." in dutch and "0 tot 0" not in dutch, dutch


def test_fan_captions_never_print_equal_ends_twice_nor_raw_floats() -> None:
    euros = _ending_in_nothing().assign(**{f"q{q}": 0.0 for q in ("0.10", "0.50", "0.90")})
    fig = fan_chart(euros, "arrivals", unit="EUR", language="en")
    texts = _texts(fig)
    assert not any("€ 0 to € 0" in t or "0 to 0" in t for t in texts), texts
    assert not any(RAW_FLOAT.search(t) for t in texts), [t for t in texts if RAW_FLOAT.search(t)]


def test_a_fan_whose_values_stop_early_says_so_instead_of_a_dash() -> None:
    table = _fan(np.random.default_rng(2).normal(1.0, 0.02, size=(100, len(DATES))), "pressure")
    table.loc[table["date"] >= DATES[8], [c for c in table.columns if c.startswith("q")]] = np.nan
    summary = fan_chart(table, "pressure", percent=True, language="en").layout.meta["summary"]
    assert "–" not in summary and summary.startswith("Median in February 2026: "), summary
    assert "No values after February 2026." in summary, summary


def test_a_municipal_fan_prints_small_counts_as_fewer_than_10_everywhere() -> None:
    paths = np.random.default_rng(3).normal(4, 1, size=(200, len(DATES))).clip(0.5)
    fig = fan_chart(_fan(paths, "demand"), "demand", small=True, language="nl")
    median = next(t for t in fig.data if t.name == "mediaan")
    assert set(median.text) == {"minder dan 10"}, set(median.text)
    assert "minder dan 10" in fig.layout.meta["summary"] and not re.search(r"\b[1-9]\b", fig.layout.meta["summary"])
    html = figure(fig)._repr_mimebundle_()["text/html"]
    assert "Mediaan in juni 2026: minder dan 10" in html  # the text alternative and the caption
    nothing = fan_chart(_fan(np.zeros((50, len(DATES))), "demand"), "demand", small=True, language="nl")
    assert set(next(t for t in nothing.data if t.name == "mediaan").text) == {"0"}  # nobody is 0


def test_a_fan_chart_shows_where_counts_are_missing() -> None:
    # arrivals counted to August 2024, the forecast starting in July 2025: blank between, said so
    seen = pd.DataFrame({"date": pd.date_range("2023-01-01", "2024-08-01", freq="MS")})
    seen["value"] = 3000.0
    seen = seen[(seen["date"] < "2023-05-01") | (seen["date"] > "2023-11-01")]  # and a 7-month hole
    fig = fan_chart(_ending_in_nothing(), "arrivals", history=seen, language="en")
    observed = next(t for t in fig.data if t.name == "observed")
    assert observed.connectgaps is False and sum(v is None or np.isnan(v) for v in observed.y) == 1
    summary = fig.layout.meta["summary"]
    assert "No counts from May 2023 to November 2023." in summary, summary
    assert "No counts from September 2024 to June 2025." in summary, summary


def test_history_and_lines_charts_break_at_gaps_longer_than_their_usual_step() -> None:
    dates = pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01", "2023-10-01", "2023-11-01", "2023-12-01"])
    history = pd.DataFrame(
        {"date": dates, "variable": "in_shelter", "value": np.arange(6.0) * 1000, "flag": "observed", "source": "x"}
    )
    [trace] = history_chart(history, ["in_shelter"], title="t", language="en").data
    assert [v is None or np.isnan(v) for v in trace.y] == [False] * 3 + [True] + [False] * 3
    assert trace.connectgaps is False
    frame = history.rename(columns={"variable": "series"})
    [line] = lines_chart(frame, series="series", title="t", y_title="").data
    assert sum(v is None or np.isnan(v) for v in line.y) == 1
    # a quarterly series is not broken at its usual step, a regular monthly one never
    quarterly = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=6, freq="QS"), "value": 1.0})
    assert len(break_gaps(quarterly)) == 6


def test_the_page_prints_the_title_above_the_plot_not_inside_it() -> None:
    fig = fan_chart(_ending_in_nothing(), "arrivals", title="A long title that ran under the mode bar on a phone")
    html = figure(fig)._repr_mimebundle_()["text/html"]
    assert f'<p class="{TITLE_CLASS}"' in html and "A long title that ran under the mode bar" in html
    layout = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*\[.*?\],\s*(\{.*?\}),\s*\{", html, re.S)[1])
    assert not (layout.get("title") or {}).get("text"), layout.get("title")
    assert figure(fig).fig.layout.title.text.startswith("A long title")  # JupyterLab keeps it in the plot


def test_every_chart_shown_prints_numbers_in_its_language() -> None:
    plain = go.Figure(go.Scatter(x=[1, 2, 3], y=[20_000, 5_000_000, 3]), layout={"meta": {"language": "nl"}})
    shown = figure(plain).fig
    assert shown.layout.separators == ",." and shown.layout.yaxis.tickformat == COUNT_TICKS  # "20.000", not "20k"
    assert shown.layout.xaxis.tickformat == COUNT_TICKS
    share = go.Figure(go.Scatter(x=[1, 2], y=[0.01, 0.02]), layout={"yaxis": {"tickformat": ".0%"}})
    assert figure(share).fig.layout.yaxis.tickformat == PERCENT_TICKS  # never "1%, 1%, 2%"
    assert figure(share).fig.layout.separators is None  # English: plotly's own
    bars = go.Figure(go.Bar(y=["a", "b"], x=[1, 2], orientation="h"), layout={"yaxis": {"type": "category"}})
    assert figure(bars).fig.layout.yaxis.tickformat is None


def test_sobol_bars_are_never_below_0_and_stacked_one_under_the_other() -> None:
    table = pd.DataFrame(
        {
            "output": ["late_decisions", "late_decisions", "penalty_eur", "penalty_eur"],
            "parameter": ["grant_rate", "court_duration", "grant_rate", "permit_uptake_share"],
            "total_order": [0.4, 0.05, -0.02, 0.3],
            "ci_low": [0.3, 0.02, -0.05, 0.2],
            "ci_high": [0.5, 0.08, 0.04, 0.4],
            "finding": [True, True, True, True],
        }
    )
    table["total_order"] = table["total_order"].astype(float)
    fig = evidence.sensitivity_chart(table.assign(finding=True), language="en")
    assert all(min(trace.x) >= 0 for trace in fig.data)
    assert all(v >= 0 for trace in fig.data for v in trace.x - np.asarray(trace.error_x.arrayminus))
    domains = [fig.layout[f"yaxis{'' if i == 1 else i}"].domain for i in range(1, len(fig.data) + 1)]
    assert len({tuple(d) for d in domains}) == len(fig.data)  # one panel per output, one under the other
    assert all(fig.layout[f"xaxis{'' if i == 1 else i}"].domain == (0.0, 1.0) for i in range(1, len(fig.data) + 1))
    assert "below 0 is noise" in fig.layout.meta["summary"]
    assert not any(RAW_FLOAT.search(t) for t in _texts(fig))


def test_identical_scenarios_are_drawn_once_with_both_names() -> None:
    table = _fan(np.random.default_rng(4).normal(130_000, 5_000, size=(100, len(DATES))), "registered")
    other = table.assign(**{c: table[c] * 0.9 for c in table.columns if c.startswith("q")})
    fig = scenario_comparison({"War continues": table, "Oorlog duurt voort": table.copy(), "Ceasefire": other})
    medians = [trace.name for trace in fig.data if trace.name]
    assert medians == ["War continues = Oorlog duurt voort", "Ceasefire"], medians
    assert all(not RAW_FLOAT.search(t) and " to " in t for t in fig.data[2].text)


def test_threshold_labels_sit_on_different_sides_of_their_lines() -> None:
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 3]))
    rs._threshold_lines(fig, 0.91, "en")
    places = [(a.xanchor, a.yanchor) for a in fig.layout.annotations]
    assert len(set(places)) == 3, places  # 91 %, 95 % and 100 % never share a corner


def test_the_pressure_chart_keeps_its_median_named_median() -> None:
    hist = pd.DataFrame({"date": DATES[:3] - pd.DateOffset(months=3), "value": [0.97, 0.98, 0.99]})
    fig = fan_chart(_fan(np.ones((20, len(DATES))), "pressure"), "pressure", history=hist, percent=True)
    rs._rename_observed(fig, "occupancy (observed)", "en")
    assert [t.name for t in fig.data if t.name in ("median", "occupancy (observed)")] == [
        "median",
        "occupancy (observed)",
    ]


def test_a_flat_crossing_chart_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    flat = pd.DataFrame(
        {
            "date": list(DATES) * 2,
            "threshold": [0.95] * len(DATES) + [1.0] * len(DATES),
            "cumulative_share": [1.0] * len(DATES) + [0.93] + [0.99] * (len(DATES) - 1),
        }
    )
    monkeypatch.setattr(rs.shelter, "crossing_distribution", lambda result: flat)
    view = rs.crossing_view(object(), language="en")
    assert isinstance(view, Text), view
    words = str(view)
    assert "100 % on 93 %" in words and "July 2025" in words and "June 2026" in words, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "x -> cumulative_departures_of_registered_refugees: Volkskrant",
            "x -> cumulative departures of registered refugees: Volkskrant",
        ),
        ("DERIVED from Eurostat: stock[t-1]", "derived from Eurostat: stock[t-1]"),
        ("ukraine_registrations_cbs.csv 2022-04-07", "ukraine_registrations_cbs.csv 2022-04-07"),
        ("seasonal_naive", "seasonal naive"),
        ("https://example.org/a_b_c", "https://example.org/a_b_c"),
    ],
)
def test_sources_and_model_names_read_as_words(text, expected) -> None:
    """Hover sources, model names and assumption sources never show a name from the code."""
    from capacity.report.labels import in_words

    assert in_words(text) == expected
