"""Every chart of the reports says what it shows, its figures printed by the one formatter.

Issue 28: the scorecard, cost, destinations, replay, outcomes, decisions and policy charts had no
caption and no text alternative, and several hovered plotly's raw numbers ("12345.6789", "1.2e6")
on counts and euros. Here every chart the notebooks 01-06 and the index draw is built from the
shared baseline result, in English and in Dutch, and checked: a caption (``<figcaption>``) and a
text alternative (``aria-label``) with figures in it, and hover text only from preformatted
``text`` (never ``%{y}`` or ``%{y:.2f}``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import numpy as np
import plotly.graph_objects as go
import pytest

from capacity import i18n, pipeline
from capacity.report import backlog as rb
from capacity.report import backlog_evidence as evidence
from capacity.report import eu as eu_report
from capacity.report import forecast as rf
from capacity.report import history_chart
from capacity.report import ledger as rl
from capacity.report import municipality as gm
from capacity.report import shelter as rs
from capacity.report.charts import figure, plain_title, title_html

pytestmark = pytest.mark.unit

LANGUAGES = ("en", "nl")
#: A raw float as a program prints it ("123.456789", "1.2e+06"), never as the formatter does. On a
#: Dutch page a point groups thousands ("95.300"), so there a point before 1, 2 or 4+ digits is raw too.
RAW_FLOAT = {
    "en": re.compile(r"\d\.\d{3,}\b|\d[eE][+-]?\d"),
    "nl": re.compile(r"\d\.(\d{1,2}|\d{4,})\b|\d[eE][+-]?\d"),
}
#: A hover template that prints a trace's own x or y (plotly's number formats: "12345.6789", "1.2k").
RAW_NUMBER = re.compile(r"%\{[xy](?:[:|][^}]*)?\}")


def _charts(res: pipeline.ScenarioResults, language: str) -> Iterator[tuple[str, go.Figure]]:
    """Every chart the reports draw, as the notebooks (and the index) build them."""
    history, tables, scn = res.history, res.tables, res.scenario
    yield (
        "01 stock",
        history_chart(history, ["registered", "tp_stock", "in_shelter", "places"], title="t", language=language),
    )
    yield (
        "01 flows",
        history_chart(history, ["arrivals", "departures", "register_cleanup"], title="t", language=language),
    )
    for variable in ("arrivals", "departures", "registered"):
        yield f"02 {variable}", rf.population_fan(res.population, history, variable, language=language)
    yield "02 nowcast", rf.nowcast_sources_chart(history, scn.forecast, headline=res.headline, language=language)
    yield (
        "02 rate",
        rf.departure_rate_fan(res.population, history, denominator=scn.forecast.rate_denominator, language=language),
    )
    for series, metric in (("arrivals", "mase"), ("arrivals", "coverage_80"), ("departure_rate", "mase")):
        yield (
            f"02 scorecard {series} {metric}",
            rf.scorecard_chart(res.scorecard, series=series, metric=metric, language=language),
        )
    shelter = res.shelter
    yield "03 demand", rs.demand_vs_places_chart(shelter, history=history, language=language)
    yield "03 pressure", rs.pressure_chart(shelter, history=history, language=language)
    yield "03 occupancy", rs.occupancy_chart(shelter, history=history, language=language)
    yield "03 crossing", rs.crossing_chart(shelter, language=language)
    yield "03 cost", rs.cost_chart(shelter, tables["shelter_cost_curve"], language=language)
    yield "03 ledger", rl.ledger_chart(res.ledger, language=language)
    yield "03 destinations", rs.destinations_chart(shelter, language=language)
    yield "03 replay", rs.replay_chart(tables["shelter_replay"], language=language)
    backlog = res.backlog
    for variable in ("pending", "pending_regular", "dtv_caseload", "shelter_entitled"):
        yield f"04 {variable}", rb.fan(backlog, variable, language=language)
    yield "04 months to clear", rb.months_to_clear_chart(backlog, language=language)
    yield "04 decisions", rb.decisions_chart(backlog, language=language)
    for variable in ("late_decisions", "penalty_eur"):
        yield f"04 cumulative {variable}", rb.cumulative_chart(backlog, variable, language=language)
    yield "04 outcomes", rb.outcomes_chart(backlog, language=language)
    yield "04 policies", rb.policy_chart(res.policies, language=language)
    yield "04 validation", evidence.validation_chart(tables["backlog_validation"], language=language)
    yield "04 sensitivity", evidence.sensitivity_chart(tables["backlog_sensitivity"], language=language)
    population = res.population.table()
    yield (
        "index comparison",
        rf.scenario_comparison(
            {"A": population, "B": population.assign(**{"q0.50": population["q0.50"] * 1.1})}, language=language
        ),
    )


def _municipal_and_eu(res: pipeline.ScenarioResults) -> Iterator[tuple[str, go.Figure]]:
    view = pipeline.municipality_view(res, "GM0363")
    yield "05 municipality", gm.municipality_chart_nl(view.table, view.row)
    ctx = pipeline.eu_context(res.scenario)
    for language in LANGUAGES:
        yield f"06 stocks {language}", eu_report.stocks_chart(ctx.data.countries, language=language)
        yield f"06 grants {language}", eu_report.grants_chart(ctx.data.countries, language=language)
        yield f"06 share {language}", eu_report.share_chart(ctx.data.countries, language=language)
        yield f"06 movement {language}", eu_report.movement_chart(ctx.movement, language=language)


@pytest.fixture(scope="module")
def shipped(baseline_results) -> list[tuple[str, str, go.Figure]]:
    """Every shipped chart, in English and Dutch (the kernel's language set as a page sets it)."""
    built = []
    try:
        for language in LANGUAGES:
            i18n.set_language(language)
            built += [(language, name, fig) for name, fig in _charts(baseline_results, language)]
        built += [
            (name.split()[-1] if name.startswith("06") else "nl", name, fig)
            for name, fig in _municipal_and_eu(baseline_results)
        ]
    finally:
        i18n.set_language("en")
    return built


def _problems(language: str, fig: go.Figure) -> list[str]:
    """What a chart lacks: a caption and text alternative with figures, formatted hover text."""
    found = []
    shown = figure(fig)
    page = shown._repr_mimebundle_()["text/html"]
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page, re.S)
    label = re.search(r'role="img" aria-label="([^"]*)"', page)
    if caption is None or not re.search(r"\d", caption[1]):
        found.append(f"no caption with figures: {caption and caption[1]!r}")
    if label is None or shown.summary not in html.unescape(label[1]):
        found.append("no text alternative with the caption")
    if RAW_FLOAT[language].search(shown.summary):
        found.append(f"raw number in the caption: {shown.summary!r}")
    for trace in fig.data:
        if trace.hoverinfo == "skip" or trace.type not in ("scatter", "bar"):
            continue
        template = trace.hovertemplate or ""
        if not re.search(r"%\{(text|customdata)", template):
            found.append(f"trace {trace.name!r}: no preformatted hover text ({template!r})")
        if RAW_NUMBER.search(template):
            found.append(f"trace {trace.name!r}: plotly's own number in the hover ({template!r})")
        texts = trace.text if isinstance(trace.text, (list, tuple, np.ndarray)) else [trace.text or ""]
        raw = [x for x in texts if RAW_FLOAT[language].search(str(x))]
        if raw:
            found.append(f"trace {trace.name!r}: raw numbers in the hover text: {raw[:3]}")
    return found


def test_every_shipped_chart_has_a_caption_a_text_alternative_and_formatted_hover_text(shipped) -> None:
    problems = {f"{language} {name}": _problems(language, fig) for language, name, fig in shipped}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems
    assert len(shipped) >= 2 * 30 + 1 + 8  # every chart of 01-04 and the index in both languages, 05, 06


def test_dutch_captions_are_dutch(shipped) -> None:
    summaries = {(language, name): figure(fig).summary for language, name, fig in shipped}
    for (language, name), text in summaries.items():
        if language == "nl" and ("en", name) in summaries:
            assert text != summaries["en", name], (name, text)  # translated, not the English left over
            assert not re.search(r"\d,\d{3}\b", text), (name, text)  # "12.300", never "12,300"


@pytest.mark.parametrize(
    ("title", "shown", "plain"),
    [
        ("Demand<br>and places", "Demand<br>and places", "Demand and places"),
        ("<b>Bold</b> and <i>it</i><sup>2</sup>", "<b>Bold</b> and <i>it</i><sup>2</sup>", "Bold and it2"),
        ("<span style='color:red'>Red</span> <a href='x'>link</a>", "Red link", "Red link"),
        ("Groningen & <script>alert(1)</script> Ede", "Groningen &amp; alert(1) Ede", "Groningen & alert(1) Ede"),
        ("a < b > c", "a &lt; b &gt; c", "a < b > c"),
        ('<b onclick="x">x</b><br/>y', "<b>x</b><br>y", "x y"),
    ],
)
def test_a_title_keeps_plotlys_simple_markup_and_escapes_the_rest(title: str, shown: str, plain: str) -> None:
    assert title_html(title) == shown
    assert plain_title(title) == plain
    page = figure(
        go.Figure(go.Scatter(x=[1], y=[1], text=["1"], hovertemplate="%{text}"), layout={"title": {"text": title}})
    )
    html_out = page._repr_mimebundle_()["text/html"]
    assert f">{shown}</p>" in html_out
    assert f'aria-label="{html.escape(plain, quote=True)}"' in html_out


def test_the_formatter_prints_hover_text_the_way_captions_do() -> None:
    """The hover helper is the formatter: a Dutch count has a dot, euros in millions, shares in %."""
    from capacity.report.charts import say

    assert say([12_345.6, np.nan], "persons", "nl", 1) == ["12.346", ""]
    assert say([2_400_000.0], "EUR", "en", 100_000) == ["€ 2.4 million"]
    assert say([0.734], "share", "nl", 0.01) == ["73%"]


def test_the_check_finds_a_chart_without_caption_and_with_plotlys_own_hover_numbers() -> None:
    """The check above is not empty: a bare chart, plotly's ``%{y:.2f}`` and raw floats are found."""
    bare = go.Figure(go.Scatter(x=[1, 2], y=[1234.5678, 2.0], hovertemplate="%{y:.2f}<extra></extra>"))
    found = " ".join(_problems("en", bare))
    assert "no caption" in found and "no preformatted hover text" in found and "plotly's own number" in found
    raw = go.Figure(go.Scatter(x=[1], y=[1.0], text=["1234.5678"], hovertemplate="%{text}"))
    raw.update_layout(meta={"summary": "Median in June 2026: 1.23456 persons."})
    found = " ".join(_problems("en", raw))
    assert "raw number in the caption" in found and "raw numbers in the hover text" in found
    dutch = go.Figure(go.Scatter(x=[1], y=[1.0], text=["95.300"], hovertemplate="%{text}"))
    dutch.update_layout(meta={"summary": "Laatste waarden: 95.300 (juni 2025)."})
    assert _problems("nl", dutch) == []  # a Dutch thousands point is no raw float


def test_the_cost_chart_prints_its_optimum_as_its_caption_does(baseline_results) -> None:
    """The optimum's label on the chart and the caption print the same figure ("97,300", not "97,267")."""
    fig = rs.cost_chart(baseline_results.shelter, baseline_results.tables["shelter_cost_curve"], language="en")
    [label] = [a.text for a in fig.layout.annotations if a.text.startswith("optimum")]
    assert label.removeprefix("optimum ") in fig.layout.meta["summary"], (label, fig.layout.meta["summary"])
