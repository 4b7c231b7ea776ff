"""On a phone (390 px) a chart's title is whole and clear of plotly's mode bar; ticks read once.

Issue 28: inside the plot, a long title does not wrap: at 390 px it ran under the mode bar and
off the edge. The check reads what Chromium drew: the title's box (an HTML line above the plot,
or plotly's own title), the mode bar's box and the tick labels of each axis.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from test_reports_render import DevTools, browser  # noqa: F401 - the Chromium fixture, shared

from capacity.quantiles import summarise
from capacity.report import charts
from capacity.runner.publish import copy_assets

pytestmark = pytest.mark.browser

PHONE = 390
LONG = "Pressure: people needing a place per place (above 100 %: people go without)"

#: Per chart: its title's box, the mode bar's box and every axis's tick labels, as drawn.
BOXES_JS = """(() => JSON.stringify(Array.from(document.querySelectorAll('figure.capacity-chart')).map(f => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const title = f.querySelector('.capacity-chart-title') || f.querySelector('.gtitle');
  const modebar = f.querySelector('.modebar-container .modebar') || f.querySelector('.modebar');
  return {
    text: title ? title.textContent : '',
    title: box(title),
    modebar: box(modebar),
    width: window.innerWidth,
    ticks: Array.from(f.querySelectorAll('.xaxislayer-above, .yaxislayer-above')).map(
      layer => Array.from(layer.querySelectorAll('text')).map(t => t.textContent)),
  };
})))()"""


def _page(tmp_path: Path) -> Path:
    dates = pd.date_range("2025-07-01", periods=30, freq="MS")
    table = summarise(np.random.default_rng(0).normal(1.0, 0.01, size=(50, len(dates))), dates, "pressure")
    counts = summarise(np.random.default_rng(1).normal(20_000, 2_000, size=(50, len(dates))), dates, "registered")
    close = go.Figure(
        go.Scatter(x=list(dates), y=np.linspace(0.01, 0.024, len(dates))),
        layout={"title": {"text": "close percentages"}, "yaxis": {"tickformat": ".0%"}, "meta": {"language": "nl"}},
    )
    figures = [
        charts.fan_chart(table, "pressure", title=LONG, percent=True, language="nl"),
        charts.fan_chart(counts, "registered", title="counts", language="nl"),
        close,
    ]
    body = "\n".join(charts.figure(f)._repr_mimebundle_()["text/html"] for f in figures)
    copy_assets(tmp_path)
    page = tmp_path / "titles.html"
    page.write_text(
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<script src="assets/plotly.min.js"></script><script src="assets/plotly-locale-nl.js"></script>'
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return page


def _at_width(devtools: DevTools, url: str, width: int) -> list[dict]:
    target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        devtools.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": True},
            session=session,
        )
        devtools.events.clear()
        devtools.send("Page.enable", session=session)
        devtools.send("Page.navigate", {"url": url}, session=session)
        devtools.wait_event("Page.loadEventFired")
        time.sleep(1.5)  # let Plotly finish drawing
        reply = devtools.send("Runtime.evaluate", {"expression": BOXES_JS, "returnByValue": True}, session=session)
        return json.loads(reply["result"]["value"])
    finally:
        devtools.send("Target.closeTarget", {"targetId": target})


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_on_a_phone_titles_are_whole_and_clear_of_the_mode_bar_and_ticks_read_once(
    browser: DevTools,  # noqa: F811 - the shared fixture, imported above
    tmp_path: Path,
) -> None:
    found = _at_width(browser, _page(tmp_path).as_uri(), PHONE)
    assert [chart["text"] for chart in found] == [LONG, "counts", "close percentages"], found
    for chart in found:
        title = chart["title"]
        assert title["left"] >= 0 and title["right"] <= chart["width"] + 1, chart  # not off the edge
        if chart["modebar"] is not None:
            assert not _overlap(title, chart["modebar"]), chart  # not under the mode bar
        for ticks in chart["ticks"]:
            assert len(ticks) == len(set(ticks)), chart  # never "1%, 1%, 2%"
    counts = [t for t in found[1]["ticks"][1] if t]
    assert counts and all("k" not in t and "M" not in t for t in counts), counts  # "20.000", never "20k"
