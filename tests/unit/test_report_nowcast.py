"""The chart of every published count with the nowcast's level, its 80 % band, the last count and today."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from capacity import params
from capacity.data import load_history
from capacity.forecast import PopulationPaths
from capacity.report import figure
from capacity.report.charts import OBSERVED_END_NAME, TODAY_NAME
from capacity.report.forecast import nowcast_sources_chart, population_fan

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_history()


@pytest.mark.parametrize(
    ("language", "today_label", "last_label", "band"),
    [("en", "today", "last count", "80 % band"), ("nl", "nu", "laatste telling", "80%-band")],
)
def test_sources_chart_shows_every_source_the_band_the_last_count_and_today(
    history, language, today_label, last_label, band
):
    cfg = params.load(forecast__as_of="2026-12-06").forecast
    fig = nowcast_sources_chart(history, cfg, language=language)
    names = [tr.name for tr in fig.data]
    assert band in names
    markers = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(markers) == 4  # letters, table, rounded press, Eurostat
    letters = markers[0]
    assert 129_230 in list(letters.y) and "2025-06-21" in list(letters.x)
    assert len(markers[3].y) == 24  # Eurostat's months from the fit start to Aug 2024
    lines = {a.text: a.x for a in fig.layout.annotations}
    assert lines[today_label] == "2026-12-06" and lines[last_label] == "2025-06-01"
    # the charts' own lines (named, one style on every page): today on the run's day, drawn once
    assert {(s.name, s.x0) for s in fig.layout.shapes} == {
        (TODAY_NAME, "2026-12-06"),
        (OBSERVED_END_NAME, "2025-06-01"),
    }
    shown = figure(fig).fig
    assert sum(s.name == TODAY_NAME for s in shown.layout.shapes) == 1
    # the band runs to today and widens after the last count
    hi, lo = np.asarray(fig.data[0].y, dtype=float), np.asarray(fig.data[1].y, dtype=float)
    assert fig.data[0].x[-1] == "2026-12-01"
    j = list(fig.data[0].x).index("2025-06-01")
    assert (hi - lo)[-1] > 5 * (hi - lo)[j] > 0
    assert fig.layout.meta["language"] == language


def test_sources_chart_has_a_text_alternative_with_the_headline_figure(history):
    cfg = params.load(forecast__as_of="2026-12-06").forecast
    headline = pd.DataFrame(
        {"key": ["registered_nowcast"], "value": [145_912.0], "p10": [131_000.0], "p90": [161_000.0]}
    )
    fig = nowcast_sources_chart(history, cfg, headline=headline, language="en")
    summary = fig.layout.meta["summary"]
    assert "4 from the ministry letters" in summary and "24 months of Eurostat" in summary
    assert "today (December 2026) 145,900 (131,000 to 161,000)" in summary
    assert "June 2025" in summary
    html = figure(fig)._repr_mimebundle_()["text/html"]
    assert 'role="img"' in html and "145,900" in html


@pytest.mark.parametrize("language", ["en", "nl"])
def test_population_fan_leaves_today_and_the_last_count_to_the_charts(language, monkeypatch):
    """One today line (the charts' own, on the run's day) and one last-count line, no words of its own."""
    from capacity.project import AS_OF_ENV

    monkeypatch.setenv(AS_OF_ENV, "2026-12-06")
    dates = pd.date_range("2025-07-01", periods=24, freq="MS")
    paths = np.linspace(130_000, 140_000, 24)[None, :] * np.linspace(0.9, 1.1, 20)[:, None]
    population = PopulationPaths(
        dates=dates,
        arrivals=paths / 100,
        departures=paths / 100,
        registered=paths,
        jump_off_date=pd.Timestamp("2025-06-01"),
        jump_off_registered=129_230.0,
        today=pd.Timestamp("2026-12-01"),
    )
    history = pd.DataFrame(
        {
            "date": pd.date_range("2024-07-01", periods=12, freq="MS"),
            "variable": "registered",
            "value": np.linspace(110_000, 129_230, 12),
            "flag": "observed",
        }
    )
    fig = figure(population_fan(population, history, "registered", language=language)).fig
    assert [(s.name, s.x0) for s in fig.layout.shapes] == [
        (OBSERVED_END_NAME, "2025-06-01"),
        (TODAY_NAME, "2026-12-06"),
    ]
    assert len(fig.layout.annotations) == 2


@pytest.mark.parametrize(("language", "october"), [("en", "October 2024"), ("nl", "oktober 2024")])
def test_a_data_end_reads_one_way_in_the_text_the_quality_box_and_the_dated_box(history, language, october):
    """Issue 28: departures' data end was 2024-10, November 2024 and missing from the dated box."""
    from capacity.data.quality import data_end
    from capacity.report.forecast import data_limits_text, quality_box
    from capacity.runner.export import dated_box

    ends = data_end(history)
    assert ends["departures"] == pd.Timestamp("2024-10-01")  # the last month with a monthly figure
    dates = pd.date_range("2025-07-01", periods=36, freq="MS")
    paths = np.linspace(130_000, 140_000, 36)[None, :] * np.linspace(0.9, 1.1, 20)[:, None]
    population = PopulationPaths(
        dates=dates,
        arrivals=paths / 100,
        departures=paths / 100,
        registered=paths,
        jump_off_date=ends["registered"],
        jump_off_registered=129_230.0,
    )
    text = str(data_limits_text(history, population, language=language))
    stock = pd.DataFrame(columns=["horizon", "n", "n_flows", "skill_flows", "coverage_80_lo", "coverage_80_hi"])
    box = str(quality_box(population, stock, history, language=language))
    vintage = "; ".join(f"{v} to {d:%Y-%m}" for v, d in ends.items())
    dated = {i["label"]: i["month"] for i in dated_box({"data_vintage": vintage}, language)["inputs"]}
    assert october in text and october in box and october in dated.values()
    assert "November 2024" not in box and "november 2024" not in box
    assert "36" in text and "2024-10" not in text
    from capacity.report.forecast import data_status

    status = data_status(history, population).set_index("series")["last_month_with_value"]
    assert status["departures"] == ends["departures"]  # the data-status table: the same month


HEADLINE_CSV = (
    "key,label_en,label_nl,value,p10,p90,unit,rounding\n"
    "registered_nowcast,x,x,144639.04,130225.02,160497.94,persons,100.0\n"
    "registered_months_since_count,x,x,18,,,months,1.0\n"
    "registered_last_count_month,x,x,2025-06,,,month,\n"
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Estimate for this month: 144,600 people registered under the TPD (80 %: 130,200 to 160,500); "
            "the last published count is 18 months old.",
        ),
        (
            "nl",
            "Schatting voor deze maand: 144.600 mensen ingeschreven onder de RTB (80%: 130.200 tot 160.500); "
            "de laatste gepubliceerde telling is 18 maanden oud.",
        ),
    ],
)
def test_the_dated_box_gives_the_nowcast_for_the_run_month(tmp_path, language, expected):
    """Issue 28: every report's dated box names an estimate for now, not only the last count."""
    from capacity.runner.export import dated_box

    path = tmp_path / "headline.csv"
    path.write_text(HEADLINE_CSV, encoding="utf-8")
    box = dated_box({"started": "2026-12-06T20:53:45+00:00"}, language, path)
    assert box["nowcast"] == expected
    assert dated_box({}, language, tmp_path / "missing.csv")["nowcast"] == ""
    path.write_text(HEADLINE_CSV.replace("registered_nowcast", "other"), encoding="utf-8")
    assert dated_box({}, language, path)["nowcast"] == ""  # a changed file is read again
