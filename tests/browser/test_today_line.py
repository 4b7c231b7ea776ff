"""In Chromium, every time chart shows the run's "today" line, drawn inside its date axis.

A small page of charts made by :mod:`capacity.report.charts` (fan, history and lines charts,
a chart that marks today itself, a bar chart without dates), each shown through
:func:`capacity.report.figure` as a report shows it, with the run's plotly.js and Dutch
locale. The check reads what plotly drew: each date axis's shapes, labels and range.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from test_reports_render import DevTools, browser  # noqa: F401 - the Chromium fixture, shared

from capacity.project import AS_OF_ENV
from capacity.quantiles import summarise
from capacity.report import charts
from capacity.runner.publish import copy_assets

pytestmark = pytest.mark.browser

TODAY = "2026-12-06"

#: Per chart: its date axes, the today lines on them, the labels and x ranges plotly drew.
TODAY_JS = """(() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
  const full = el._fullLayout;
  const axes = Object.keys(full).filter(k => /^xaxis\\d*$/.test(k) && full[k].type === 'date');
  const today = (el.layout.shapes || []).filter(s => s.name === 'today');
  return {
    title: (el.closest('figure').querySelector('.capacity-chart-title') || {}).textContent || (full.title && full.title.text) || '',
    dateAxes: axes.map(k => full[k]._id),
    todayAxes: today.map(s => s.xref),
    todayX: today.map(s => String(s.x0)),
    dashes: today.map(s => (s.line || {}).dash),
    labels: Array.from(el.querySelectorAll('.annotation-text')).map(t => t.textContent),
    ranges: axes.map(k => full[k].range.map(String)),
    drawnShapes: el.querySelectorAll('.shapelayer path').length,
    yticks: Array.from(el.querySelectorAll('.ytick text')).map(t => t.textContent),
  };
})))()"""


def _page(tmp_path: Path) -> Path:
    dates = pd.date_range("2024-01-01", periods=30, freq="MS")
    table = summarise(np.random.default_rng(0).normal(100_000, 10_000, size=(50, len(dates))), dates, "registered")
    history = pd.DataFrame(
        {"date": dates[:9], "variable": "registered", "value": np.arange(9.0), "flag": "observed", "source": "test"}
    )
    lines = pd.DataFrame({"date": list(dates) * 2, "value": np.arange(60.0), "country": ["NL"] * 30 + ["DE"] * 30})
    marked = go.Figure(go.Scatter(x=list(dates), y=np.arange(30.0)), layout={"title": {"text": "marked"}})
    marked.add_vline(x="2026-12-01", line_dash="dash")
    marked.add_annotation(x="2026-12-01", y=1, yref="paper", text="today", showarrow=False)
    figures = [
        charts.fan_chart(table, "registered", history=history[["date", "value"]], title="fan nl", language="nl"),
        charts.fan_chart(table, "registered", title="fan en", language="en"),
        charts.history_chart(history, ["registered"], title="history", language="en"),
        charts.lines_chart(lines, series="country", title="lines", y_title="persons", language="nl"),
        marked,
    ]
    bar = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"title": {"text": "categories"}})
    body = "\n".join(charts.figure(f)._repr_mimebundle_()["text/html"] for f in [*figures, bar])
    copy_assets(tmp_path)
    page = tmp_path / "charts.html"
    page.write_text(
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        '<script src="assets/plotly.min.js"></script><script src="assets/plotly-locale-nl.js"></script>'
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return page


def _evaluate(devtools: DevTools, url: str, expression: str) -> object:
    target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        devtools.events.clear()
        devtools.send("Page.enable", session=session)
        devtools.send("Page.navigate", {"url": url}, session=session)
        devtools.wait_event("Page.loadEventFired")
        time.sleep(1.0)  # let Plotly finish drawing
        reply = devtools.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        return json.loads(reply["result"]["value"])
    finally:
        devtools.send("Target.closeTarget", {"targetId": target})


def test_every_time_chart_shows_todays_line_once(
    browser: DevTools,  # noqa: F811 - the shared fixture, imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(AS_OF_ENV, TODAY)  # as ``capacity run --as-of`` does
    found = {chart["title"]: chart for chart in _evaluate(browser, _page(tmp_path).as_uri(), TODAY_JS)}
    assert set(found) == {"fan nl", "fan en", "history", "lines", "marked", "categories"}, found
    for title in ("fan nl", "fan en", "history", "lines"):
        chart = found[title]
        assert chart["dateAxes"] == ["x"] and chart["todayAxes"] == ["x"], chart
        assert chart["todayX"] == [TODAY] and chart["dashes"] == ["dash"], chart
        assert ("nu" if title in ("fan nl", "lines") else "today") in chart["labels"], chart
        low, high = chart["ranges"][0]
        assert low[:10] <= TODAY <= high[:10], chart  # drawn inside the axis, not off its edge
        assert chart["drawnShapes"] >= 1, chart
    assert "laatste telling" in found["fan nl"]["labels"]  # where the observations end
    ticks = found["fan nl"]["yticks"]  # Dutch count ticks: "100.000", never "100k"
    assert ticks and all(re.fullmatch(r"\d{1,3}(\.\d{3})*", tick) for tick in ticks), ticks
    # the builder's own today line is the only one; a chart without dates has none
    assert found["marked"]["todayAxes"] == [] and found["marked"]["labels"].count("today") == 1
    assert found["categories"]["dateAxes"] == [] and found["categories"]["todayAxes"] == []
