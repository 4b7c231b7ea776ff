"""Every time chart marks the run's today; fan charts mark where observations end."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from capacity.project import AS_OF_ENV
from capacity.quantiles import summarise
from capacity.report.charts import (
    OBSERVED_END_NAME,
    TODAY_NAME,
    fan_chart,
    figure,
    history_chart,
    lines_chart,
    mark_today,
)
from capacity.report.format import fmt_value

pytestmark = pytest.mark.unit

DATES = pd.date_range("2025-01-01", periods=6, freq="MS")


@pytest.fixture
def table() -> pd.DataFrame:
    return summarise(np.random.default_rng(0).normal(100, 10, size=(50, len(DATES))), DATES, "registered")


def _named(items, name: str) -> list:
    return [item for item in items if item.name == name]


def _time_charts(table: pd.DataFrame) -> dict[str, go.Figure]:
    history = pd.DataFrame(
        {"date": DATES, "variable": "registered", "value": np.arange(6.0), "flag": "observed", "source": "test"}
    )
    lines = pd.DataFrame({"date": list(DATES) * 2, "value": np.arange(12.0), "country": ["NL"] * 6 + ["DE"] * 6})
    return {
        "fan": fan_chart(table, "registered", language="nl"),
        "history": history_chart(history, ["registered"], title="History", language="en"),
        "lines": lines_chart(lines, series="country", title="TP", y_title="persons"),
        "plain": go.Figure(go.Scatter(x=list(DATES), y=[1, 2, 3, 4, 5, 6])),
        "text dates": go.Figure(go.Scatter(x=[d.strftime("%Y-%m-%d") for d in DATES], y=np.arange(6))),
    }


@pytest.mark.parametrize("name", ["fan", "history", "lines", "plain", "text dates"])
def test_time_axes_tick_in_months_and_years_named_by_the_page_locale(table, name) -> None:
    # "%b %Y": plotly writes the month by the page's locale ("jan 2027" on a Dutch page), never
    # bare years or "Jul 2025" on a Dutch axis; a caller's own format is kept
    assert figure(_time_charts(table)[name]).fig.layout.xaxis.tickformat == "%b %Y"
    own = go.Figure(go.Scatter(x=list(DATES), y=np.arange(6)), layout={"xaxis": {"tickformat": "%Y"}})
    assert figure(own).fig.layout.xaxis.tickformat == "%Y"


@pytest.mark.parametrize("name", ["fan", "history", "lines", "plain", "text dates"])
def test_every_time_chart_shown_marks_today_once(table, name, monkeypatch) -> None:
    monkeypatch.setenv(AS_OF_ENV, "2026-12-06")
    fig = figure(_time_charts(table)[name]).fig
    [line] = _named(fig.layout.shapes, TODAY_NAME)
    assert line.x0 == line.x1 == "2026-12-06" and line.line.dash == "dash"
    [label] = _named(fig.layout.annotations, TODAY_NAME)
    assert label.text in ("today", "nu")
    figure(fig)  # shown twice: still one line
    assert len(_named(fig.layout.shapes, TODAY_NAME)) == 1


def test_today_is_the_as_of_date_when_the_run_has_one(table, monkeypatch) -> None:
    monkeypatch.setenv(AS_OF_ENV, "2025-03-15")
    fig = figure(fan_chart(table, "registered")).fig
    assert _named(fig.layout.shapes, TODAY_NAME)[0].x0 == "2025-03-15"
    monkeypatch.delenv(AS_OF_ENV)
    fig = figure(fan_chart(table, "registered")).fig
    assert _named(fig.layout.shapes, TODAY_NAME)[0].x0 == pd.Timestamp.today().strftime("%Y-%m-%d")


def test_today_is_labelled_in_the_charts_language(table) -> None:
    dutch = figure(fan_chart(table, "registered", language="nl")).fig
    english = figure(fan_chart(table, "registered", language="en")).fig
    assert _named(dutch.layout.annotations, TODAY_NAME)[0].text == "nu"
    assert _named(english.layout.annotations, TODAY_NAME)[0].text == "today"
    html = figure(fan_chart(table, "registered", language="nl"))._repr_mimebundle_()["text/html"]
    assert f'"name":"{TODAY_NAME}"' in html.replace(" ", "")


def test_a_chart_that_marks_today_itself_gets_no_second_line(table) -> None:
    fig = fan_chart(table, "registered", language="nl")
    fig.add_vline(x="2026-12-01", line_dash="dash")
    fig.add_annotation(x="2026-12-01", y=1, yref="paper", text="nu", showarrow=False)
    shown = figure(fig).fig
    assert not _named(shown.layout.shapes, TODAY_NAME)
    assert sum(a.text == "nu" for a in shown.layout.annotations) == 1


@pytest.mark.parametrize("x", [["a", "b", "c"], [1, 2, 3], [0.5, 1.5, 2.5]])
def test_charts_without_dates_get_no_today_line(x) -> None:
    fig = figure(go.Figure(go.Bar(x=x, y=[1, 2, 3]))).fig
    assert not fig.layout.shapes and not fig.layout.annotations


def test_each_date_axis_of_a_chart_with_subplots_gets_its_own_line() -> None:
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Scatter(x=list(DATES), y=np.arange(6)), row=1, col=1)
    fig.add_trace(go.Scatter(x=list(DATES), y=np.arange(6)), row=1, col=2)
    lines = _named(mark_today(fig, today="2026-12-06").layout.shapes, TODAY_NAME)
    assert sorted((s.xref, s.yref) for s in lines) == [("x", "y domain"), ("x2", "y2 domain")]


def test_a_fan_chart_marks_where_its_observations_end(table) -> None:
    history = pd.DataFrame(
        {"date": pd.date_range("2024-06-01", periods=6, freq="MS"), "value": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan]}
    )
    fig = fan_chart(table, "registered", history=history, language="nl")
    [line] = _named(fig.layout.shapes, OBSERVED_END_NAME)
    assert line.x0 == "2024-10-01" and line.line.dash == "dot"  # the last month with a value
    assert _named(fig.layout.annotations, OBSERVED_END_NAME)[0].text == "laatste telling"
    assert not _named(fan_chart(table, "registered").layout.shapes, OBSERVED_END_NAME)  # no history: no line


def test_a_last_count_line_drawn_by_the_caller_is_not_doubled(table) -> None:
    history = pd.DataFrame({"date": pd.date_range("2024-06-01", periods=5, freq="MS"), "value": np.arange(5.0)})
    fig = fan_chart(table, "registered", history=history)
    fig.add_vline(x=pd.Timestamp("2024-10-01"), line_dash="dot")
    shown = figure(fig).fig
    assert not _named(shown.layout.shapes, OBSERVED_END_NAME) and not _named(
        shown.layout.annotations, OBSERVED_END_NAME
    )
    assert sum(s.line.dash == "dot" for s in shown.layout.shapes) == 1


def test_fan_chart_hover_text_and_summary_come_from_the_formatter(table) -> None:
    big = table.assign(**{c: table[c] * 1000 for c in table.columns if c.startswith("q")})
    fig = fan_chart(big, "registered", language="nl")
    median = next(trace for trace in fig.data if trace.name == "mediaan")
    assert all(
        text == fmt_value(v, "persons", 100 if v >= 10_000 else 10, "nl")
        for text, v in zip(median.text, median.y, strict=True)
    )
    band = next(trace for trace in fig.data if trace.name == "50%-band")
    assert " tot " in band.text[0] and "%{text}" in band.hovertemplate
    euros = fan_chart(
        big.assign(**{c: big[c] * 1000 for c in big.columns if c.startswith("q")}),
        "registered",
        unit="EUR",
        language="en",
    )
    assert all(
        text.startswith("€ ") and text.endswith("million")
        for text in next(t for t in euros.data if t.name == "median").text
    )
    assert "million" in euros.layout.meta["summary"]


def test_a_fan_of_small_counts_prints_no_decimals(table) -> None:
    tiny = table.assign(**{c: table[c] / 160 for c in table.columns if c.startswith("q")})  # about 0.6
    summary = fan_chart(tiny, "registered", language="nl").layout.meta["summary"]
    assert not re.search(r"\d,\d", summary), summary  # never "0,60 personen"


def test_history_and_lines_hover_text_come_from_the_formatter() -> None:
    history = pd.DataFrame(
        {
            "date": DATES[:2],
            "variable": "registered",
            "value": [93_970.4, 1234.0],
            "flag": ["observed", "derived"],
            "source": "CBS",
        }
    )
    [trace] = history_chart(history, ["registered"], title="t", language="nl").data
    assert list(trace.text) == ["93.970 (waargenomen)", "1.234 (afgeleid)"]
    frame = pd.DataFrame({"date": DATES[:2], "value": [0.333, 0.00212], "series": "NL"})
    [line] = lines_chart(frame, series="series", title="t", y_title="", percent=True, language="en").data
    assert list(line.text) == ["33.3 %", "0.2 %"]


def test_count_axes_print_whole_numbers_and_percent_axes_no_doubled_ticks(table) -> None:
    assert fan_chart(table, "registered").layout.yaxis.tickformat == ",~r"  # never "20k", "5M"
    assert fan_chart(table, "registered", percent=True).layout.yaxis.tickformat == ".1~%"  # never "1%, 1%"
    assert fan_chart(table, "registered", unit="share").layout.yaxis.tickformat == ".1~%"
