from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from capacity import report
from capacity.quantiles import CONTRACT_COLUMNS, check_contract, summarise, summarise_many

pytestmark = pytest.mark.unit

DATES = pd.date_range("2025-04-01", periods=4, freq="MS")


def test_contract_columns_are_the_designed_ones() -> None:
    assert CONTRACT_COLUMNS == (
        "date",
        "variable",
        "mean",
        "q0.025",
        "q0.05",
        "q0.10",
        "q0.165",
        "q0.25",
        "q0.50",
        "q0.75",
        "q0.835",
        "q0.90",
        "q0.95",
        "q0.975",
    )


def test_summarise_known_quantiles() -> None:
    paths = np.tile(np.arange(1001, dtype=float)[:, None], (1, 4))  # 0..1000 in every month
    table = summarise(paths, DATES, "x")
    assert table["q0.50"].tolist() == [500.0] * 4
    assert table["q0.025"].tolist() == [25.0] * 4 and table["q0.975"].tolist() == [975.0] * 4
    assert table["mean"].tolist() == [500.0] * 4
    check_contract(table)


def test_summarise_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError, match="shape"):
        summarise(np.zeros((3, 5)), DATES, "x")


def test_check_contract_catches_disorder_and_repeats() -> None:
    table = summarise_many({"a": np.random.default_rng(0).normal(size=(50, 4))}, DATES)
    bad = table.copy()
    bad["q0.975"] = bad["q0.025"] - 1
    with pytest.raises(ValueError, match="non-decreasing"):
        check_contract(bad)
    with pytest.raises(ValueError, match="repeated"):
        check_contract(pd.concat([table, table]))
    with pytest.raises(ValueError, match="lacks columns"):
        check_contract(table.drop(columns="mean"))


def test_fan_chart_draws_three_bands_and_median() -> None:
    table = summarise(np.random.default_rng(0).normal(100, 10, size=(200, 4)), DATES, "registered")
    fig = report.fan_chart(table, "registered", language="nl")
    names = [tr.name for tr in fig.data if tr.name]
    assert names == ["95%-band", "67%-band", "50%-band", "mediaan"]
    assert fig.layout.title.text == "Ingeschreven bij gemeenten"


def test_figure_is_offline_html_plus_plotly_json() -> None:
    fig = report.fan_chart(summarise(np.ones((5, 4)), DATES, "x"), "x")
    bundle = report.figure(fig)._repr_mimebundle_()
    assert "Plotly.newPlot" in bundle["text/html"]
    assert "cdn" not in bundle["text/html"].lower() and "<script src" not in bundle["text/html"]
    json.dumps(bundle["application/vnd.plotly.v1+json"])  # serialisable for the kernel


def test_one_call_saves_the_table_and_links_exactly_the_files_it_wrote(tmp_path) -> None:
    frame = pd.DataFrame({"gemeente": ["A", "B"], "plekken": [12345.0, 678.0]})
    html = report.table(frame, "demo", save_to=tmp_path, language="nl")._repr_html_()
    assert 'href="tables/demo.csv"' in html and 'href="tables/demo.xlsx"' in html
    assert (tmp_path / "tables" / "demo.csv").is_file() and (tmp_path / "tables" / "demo.xlsx").is_file()
    assert pd.read_csv(tmp_path / "tables" / "demo.csv")["plekken"].tolist() == [12345.0, 678.0]
    assert "12.345" in html
    unsaved = report.table(frame, "demo", language="nl")._repr_html_()  # interactive: nothing written
    assert "href=" not in unsaved
    long = report.table(pd.DataFrame({"x": range(100)}), max_rows=10)._repr_html_()
    assert "10 of 100" in long
    links_only = report.table(pd.DataFrame({"x": range(100)}), "all", save_to=tmp_path, max_rows=0)._repr_html_()
    assert "<table" not in links_only and 'href="tables/all.csv"' in links_only


def test_download_can_differ_from_the_table_shown(tmp_path) -> None:
    raw = pd.DataFrame({"value": [0.7383]})
    shown = pd.DataFrame({"value": ["73.8 %"]})
    report.table(shown, "share", save_to=tmp_path, download=raw)
    assert pd.read_csv(tmp_path / "tables" / "share.csv")["value"].tolist() == [0.7383]


@pytest.mark.parametrize(
    "value, unit, rounding, language, expected",
    [
        (93103.92, "cases", 100, "en", "93,100"),
        (93103.92, "cases", 100, "nl", "93.100"),
        (0.738295, "share", 0.001, "en", "73.8 %"),
        (0.738295, "share", 0.001, "nl", "73,8%"),
        (9948841.77, "EUR", 100_000, "en", "€ 9.9 million"),
        (9948841.77, "EUR", 100_000, "nl", "€ 9,9 miljoen"),
        (27.0, "months", 1, "en", "27"),
        (float("inf"), "months", 1, "en", "not within the run"),
        ("inf", "months", 1, "nl", "niet binnen de looptijd"),
        (float("nan"), "cases", 100, "en", "–"),
        ("2025-04", "month", 1, "en", "April 2025"),
        ("2025-04", "month", 1, "nl", "april 2025"),
        (None, "month", 1, "en", "not on most paths"),
        (3.4e-321, "EUR", 100_000, "en", "€ 0"),
        (0.0, "EUR", 100_000, "nl", "€ 0"),
    ],
)
def test_headline_figures_are_formatted_one_way(value, unit, rounding, language, expected) -> None:
    assert report.fmt_value(value, unit, rounding, language) == expected


def test_labels_fall_back_to_the_key() -> None:
    assert report.t("places", "nl") == "Opvangplekken"
    assert report.t("unknown_key", "nl") == "unknown_key"
    assert report.fmt_number(1234.5, "nl", 1) == "1.234,5"


def test_percent_axis_is_not_labelled_persons_and_dutch_dates_are_numeric() -> None:
    table = summarise(np.random.default_rng(0).uniform(0.9, 1.0, size=(50, 4)), DATES, "occupancy_rate")
    fig = report.fan_chart(table, "occupancy_rate", percent=True, y_title="", language="nl")
    assert fig.layout.yaxis.title.text in ("", None) and fig.layout.yaxis.tickformat == ".1~%"
    assert report.fan_chart(table, "occupancy_rate", percent=True).layout.yaxis.title.text == "share"
    assert fig.layout.separators == ",." and fig.layout.meta["language"] == "nl"
    bundle = report.figure(fig)._repr_mimebundle_()["text/html"]
    assert '"locale": "nl"' in bundle  # month names come from the vendored Dutch locale


def test_every_chart_has_a_text_alternative_and_a_caption() -> None:
    table = summarise(np.random.default_rng(0).normal(1000, 50, size=(200, 4)), DATES, "registered")
    fig = report.fan_chart(table, "registered", title="Registered <b>now</b><script>x()</script>", language="nl")
    html = report.figure(fig)._repr_mimebundle_()["text/html"]
    # the text alternative is the title in plain words; the title line keeps plotly's <b>, never a script
    assert 'role="img"' in html and 'aria-label="Registered nowx(). Mediaan in' in html
    assert ">Registered <b>now</b>x()</p>" in html and "<script>x()" not in html
    assert "<figcaption>Mediaan in" in html and "80%-band" in html


def test_chart_summary_rounds_counts_as_the_headline_table_does() -> None:
    paths = np.random.default_rng(1).normal(11_140, 3_000, size=(400, 4))
    fig = report.fan_chart(summarise(paths, DATES, "registered"), "registered", language="en")
    summary = fig.layout.meta["summary"]
    numbers = re.findall(r"\d[\d,]{3,}", summary.split(":", 1)[1].split(";")[0])
    assert numbers and all(n.endswith("00") for n in numbers), summary  # persons over 10,000: nearest 100
    assert report.charts.forecast_step(1_230) == 10 and report.charts.forecast_step(421) == 1


def test_charts_carry_plotly_whites_look_without_its_per_trace_defaults() -> None:
    import plotly.io as pio

    fig = report.fan_chart(
        summarise(np.random.default_rng(0).normal(100, 10, size=(200, 4)), DATES, "registered"),
        "registered",
        language="en",
    )
    template = fig.to_plotly_json()["layout"]["template"]
    assert "data" not in template or not template["data"]  # 6 kB of bar/contour/3-D defaults per chart
    white = pio.templates["plotly_white"].layout
    assert fig.layout.template.layout.plot_bgcolor == white.plot_bgcolor
    assert fig.layout.template.layout.xaxis.gridcolor == white.xaxis.gridcolor
    assert list(fig.layout.template.layout.colorway) == list(white.colorway)


def test_chart_dates_are_written_short_and_read_back_as_the_same_months() -> None:
    table = summarise(np.random.default_rng(0).normal(100, 10, size=(200, 4)), DATES, "registered")
    fig = report.fan_chart(table, "registered", language="nl")
    bundle = report.figure(fig)._repr_mimebundle_()
    xs = bundle["application/vnd.plotly.v1+json"]["data"][0]["x"]
    assert xs == [d.strftime("%Y-%m-%d") for d in DATES]  # no T00:00:00.000000
    assert "T00:00:00" not in bundle["text/html"] and "T00:00:00" not in fig.to_json()
    assert list(pd.to_datetime(xs)) == list(DATES)
    # any other chart's month dates are written short when it is shown
    other = go.Figure(go.Scatter(x=list(DATES), y=[1, 2, 3, 4]))
    long = len(go.Figure(other.data).to_json())  # the traces only: showing it adds the today line
    shown = report.figure(other)._repr_mimebundle_()
    assert shown["application/vnd.plotly.v1+json"]["data"][0]["x"] == xs
    assert len(go.Figure(other.data).to_json()) < long


def test_texts_and_captions_carry_no_markup() -> None:
    text = report.Text("**Gemeente** <script>alert(1)</script> & DT&V")
    assert "<script>" not in text._repr_markdown_() and "**Gemeente**" in text._repr_markdown_()
    html = report.table(
        pd.DataFrame({"a": ["<img src=x onerror=alert(1)>"]}), caption="<script>x</script>"
    )._repr_html_()
    assert "<script>" not in html and "<img" not in html and "<caption" in html


def test_small_numbers_keep_three_significant_digits() -> None:
    html = report.table(pd.DataFrame({"rate": [0.011634, 1.5512]}))._repr_html_()
    assert "0.0116" in html and "1.55" in html and "0.011634" not in html


def test_main_points_give_each_figure_with_its_range() -> None:
    table = pd.DataFrame(
        [
            {
                "key": "a",
                "label_en": "People without a place",
                "label_nl": "Mensen zonder plek",
                "value": 18965.3,
                "p10": 7266.8,
                "p90": 36241.0,
                "unit": "persons",
                "rounding": 100,
            },
            {
                "key": "b",
                "label_en": "Peak occupancy",
                "label_nl": "Hoogste bezetting",
                "value": 0.9987,
                "p10": float("nan"),
                "p90": float("nan"),
                "unit": "share",
                "rounding": 0.001,
            },
        ]
    )
    text = str(report.main_points(table, ["a", "b", "missing"], language="nl"))
    assert "Mensen zonder plek: **19.000** (waarschijnlijk tussen 7.300 en 36.200)" in text
    assert "Hoogste bezetting: **99,9%**" in text and "missing" not in text


def test_one_label_table_every_key_once_in_both_languages() -> None:
    from capacity.report import labels

    keys = [k for section in labels.SECTIONS for k in section]
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)
    untranslated = sorted(
        k
        for k, en in labels.LABELS.items()
        if labels.t(k, "nl") == en and en != "EUR" and k not in {"indicator", "model", "eur"}
    )
    assert not untranslated, untranslated  # every label's Dutch is in the catalogue


def test_main_points_give_no_range_when_it_is_a_single_value() -> None:
    table = pd.DataFrame(
        [
            {
                "key": "a",
                "label_en": "People without a place",
                "label_nl": "x",
                "value": 0.0,
                "p10": 0.0,
                "p90": 0.0,
                "unit": "persons",
                "rounding": 100,
            }
        ]
    )
    assert str(report.main_points(table, ["a"])).endswith("People without a place: **0**")


def test_a_column_with_nothing_in_it_is_not_shown_but_downloaded(tmp_path) -> None:
    frame = pd.DataFrame({"parameter": ["a", "b"], "source": ["", ""]})
    html = report.table(frame, "p", save_to=tmp_path)._repr_html_()
    assert "<th>source</th>" not in html
    assert list(pd.read_csv(tmp_path / "tables" / "p.csv").columns) == ["parameter", "source"]


def test_an_english_table_reads_column_codes_as_words_and_downloads_the_codes(tmp_path) -> None:
    frame = pd.DataFrame({"capacity_per_month": [3408.2], "q0.50": [1.0]})
    html = report.table(frame, "c", save_to=tmp_path, language="en")._repr_html_()
    assert "<th>capacity per month</th>" in html and "<th>q0.50</th>" in html
    assert list(pd.read_csv(tmp_path / "tables" / "c.csv").columns) == ["capacity_per_month", "q0.50"]


def test_a_dutch_table_shows_dutch_column_names_and_downloads_the_codes(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-04-01"]),
            "variable": ["demand"],
            "mean": [1.0],
            "q0.50": [1.0],
            "unknown_code": [2],
        }
    )
    html = report.table(frame, "f", save_to=tmp_path, language="nl")._repr_html_()
    assert "<th>datum</th>" in html and "<th>variabele</th>" in html and "<th>gemiddelde</th>" in html
    assert "<th>q0.50</th>" in html and "<th>unknown_code</th>" in html  # no Dutch name: the code
    assert "<td>vraag</td>" in html and "<td>demand</td>" not in html  # a code shows its label
    formatted = report.table(
        pd.DataFrame({"n": [94336.4], "p": [0.9701]}), language="nl", formats={"n": "{:,.0f}", "p": "{:.1%}"}
    )._repr_html_()
    assert "<td>94.336</td>" in formatted and "<td>97,0%</td>" in formatted  # not 94,336 (= 94.3)
    english = report.table(
        pd.DataFrame({"n": [94336.4], "p": [0.9701]}), formats={"n": "{:,.0f}", "p": "{:.1%}"}
    )._repr_html_()
    assert "<td>94,336</td>" in english and "<td>97.0 %</td>" in english  # one way: as fmt_value
    flags = report.table(pd.DataFrame({"too_late": [True, False]}), language="nl")._repr_html_()
    assert "<td>ja</td>" in flags and "<td>nee</td>" in flags and "True" not in flags
    assert list(pd.read_csv(tmp_path / "tables" / "f.csv").columns)[:3] == ["date", "variable", "mean"]
    assert "<th>date</th>" in report.table(frame)._repr_html_()  # English keeps the codes


def test_every_prose_key_a_notebook_shows_exists_in_both_languages() -> None:
    import json
    import re
    from pathlib import Path

    from capacity.report import labels

    notebooks = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("0*.ipynb"))
    keys = set()
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            keys |= set(re.findall(r'report\.t\("(p0\d_\w+)"', "".join(cell["source"])))
    assert keys  # captions still shown by key; prose is in markdown twins (test_language_cells)
    missing = sorted(k for k in keys if not labels.has(k))
    assert not missing, missing
    for key in keys:
        en, nl = labels.t(key, "en"), labels.t(key, "nl")
        assert en and nl and en != nl, key
        assert en.startswith("#") == nl.startswith("#"), key  # a heading in both or in neither
        assert en.split(" ", 1)[0] == nl.split(" ", 1)[0] if en.startswith("#") else True, key  # same level


def test_a_dutch_table_shows_fixed_phrases_and_units_in_dutch_and_downloads_the_english(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "parameter": ["arrivals_per_month", "grant_share"],
            "unit": ["persons/month", "share"],
            "method": ["stock-flow identity with entry share 0.78, departure share 0.78", "a new method"],
            "criterion": ["caseload <= 1,000 cases by month 36", "late share of cohort decisions <= 5%"],
            "level": ["places at the last count", "cost-optimal"],
            "flags": ["interpolated, observed", "observed"],
            "reliability": [
                "allocated by key",
                "thin: fewer than 100 people in shelter; allocated by key, treat as indicative",
            ],
        }
    )
    html = report.table(frame, "c", save_to=tmp_path, language="nl")._repr_html_()
    for dutch in (
        "personen per maand",
        "instroomaandeel 0,78",
        "hoogstens 1.000 zaken in maand 36",
        "plekken bij de laatste telling",
        "geïnterpoleerd, waargenomen",
        "toegerekend met de verdeelsleutel",
        "minder dan 100 mensen",
        "inwilligingspercentage",
        "<td>aandeel</td>",
    ):
        assert dutch in html, dutch
    assert "a new method" in html  # an unknown phrase is shown as it is, not dropped
    for english in ("persons/month", "places at the last count", "allocated by key", "caseload"):
        assert english not in html, english
    assert pd.read_csv(tmp_path / "tables" / "c.csv")["unit"].tolist() == ["persons/month", "share"]
    assert "persons/month" in report.table(frame)._repr_html_()  # English keeps the English


def test_every_dutch_cell_phrase_keeps_its_number_slots() -> None:
    from capacity.report import labels
    from capacity.report.phrases import PHRASES

    assert len(PHRASES) > 60
    for phrase in PHRASES:
        assert phrase.count("{}") == labels.t(f"cell_{phrase}", "nl").count("{}"), phrase


def test_a_report_run_sends_a_chart_as_html_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels of a batch whose notebooks are not kept skip the JSON twin only JupyterLab renders."""
    from capacity.report.charts import HTML_ONLY_ENV

    fig = report.fan_chart(
        summarise(np.random.default_rng(0).normal(100, 10, size=(200, 4)), DATES, "registered"), "registered"
    )
    monkeypatch.delenv(HTML_ONLY_ENV, raising=False)
    full = report.figure(fig)._repr_mimebundle_()
    monkeypatch.setenv(HTML_ONLY_ENV, "1")
    html_only = report.figure(fig)._repr_mimebundle_()
    assert set(full) == {"text/html", "application/vnd.plotly.v1+json"}

    def no_ids(page: str) -> str:  # plotly gives each div a new id
        return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "id", page)

    assert list(html_only) == ["text/html"] and no_ids(html_only["text/html"]) == no_ids(full["text/html"])


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": ["x <b> & 'q'", None, ""], "b": [True, False, True], "n": ["1.234", "–", "5"]}),
        pd.DataFrame({"maand": ["april 2025"], "vraag naar plekken": ["12.345"], "x": [np.nan]}),
        pd.DataFrame({1: ["een"], "<kop>": ["twee"]}),
        pd.DataFrame({"leeg": []}),
    ],
)
def test_html_table_is_pandas_markup_unindented(frame: pd.DataFrame) -> None:
    """The table writer gives pandas' to_html(index=False) page, a missing value as a dash."""
    from capacity.report.tables import html_table

    dashed = frame.astype(object).where(frame.notna(), "–")
    expected = re.sub(
        r">\s+<", "><", dashed.to_html(index=False, escape=True, border=0, classes="dataframe capacity-table")
    )
    assert html_table(frame) == expected
    with_caption = html_table(frame, "Prognose <voor> de gemeente")
    assert '<caption class="sr-only">Prognose &lt;voor&gt; de gemeente</caption><thead>' in with_caption
