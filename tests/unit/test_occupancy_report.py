"""Unit tests of the shelter report helpers (figures, tables, Dutch texts)."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest
from tests.unit.test_shelter import make_history, make_pop

from capacity import shelter
from capacity.data import load_municipalities
from capacity.params.shelter import ShelterConfig
from capacity.report import fmt_number
from capacity.report import municipality as gm
from capacity.report import shelter as rs

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def result() -> shelter.ShelterResult:
    return shelter.simulate_shelter(make_pop(n=40, h=36), ShelterConfig(), history=make_history())


def test_figures_and_tables(result):
    for fig in (
        rs.demand_vs_places_chart(result, history=make_history()),
        rs.occupancy_chart(result, language="nl"),
        rs.crossing_chart(result),
        rs.cost_chart(result, shelter.cost_curve(result)),
    ):
        assert isinstance(fig, go.Figure) and fig.data
    assert "Laatste telling" in str(rs.jump_off_text(result, language="nl"))
    assert list(rs.crossing_table(result, language="nl").columns)[0] == "drempel"


def test_the_parameter_fallback_is_said_in_both_languages(result):
    assert "without the backlog model" in str(rs.entitled_note(result))
    assert "zonder het achterstandsmodel" in str(rs.entitled_note(result, language="nl"))


def test_dutch_municipality_texts(result):
    munis = load_municipalities()
    alloc = shelter.allocate(result, munis)
    nat = alloc.attrs["national"]
    big = shelter.municipality_row(alloc, "GM0363", munis)
    text = str(gm.municipality_text_nl(big, nat, result))
    assert "Amsterdam" in text and "inwoners" in text and "Let op" not in text
    small = alloc.sort_values("population").iloc[0]
    assert small["thin"]
    assert "Let op" in str(gm.municipality_text_nl(small, nat, result))
    assert "Onzeker cijfer" in str(gm.reliability_nl(small, nat))
    compare = gm.municipality_compare_nl(big, nat)
    assert compare["Nederland"].iloc[0] == "93.970"  # places now, Dutch notation
    assert all(v.endswith("0") for v in compare[str(big["name"])] if len(v) >= 3)  # counts to the 10
    counts = text.replace(population := fmt_number(big["population"], "nl"), "")
    assert population in text and not re.search(r"\b\d{1,3}\.\d{2}[1-9]\b", counts)  # no 4.867
    assert "; 0 van hen" not in text
    assert compare["aandeel gemeente"].str.endswith("%").all()
    local = shelter.municipality_table(result.table(), big)
    quarters = gm.municipality_table_nl(local)
    assert list(quarters.columns) == [
        "maand",
        "vraag naar plekken (mediaan)",
        "80%-band van de vraag",
        "plekken",
        "in opvang (mediaan)",
        "zonder plek (mediaan)",
        "benodigde plekken (kans 90%)",
    ]
    assert len(quarters) == len(local["date"].unique()[::3])  # every quarter, no row cut off
    first = local[(local["variable"] == "demand")].sort_values("date").iloc[0]
    assert quarters["vraag naar plekken (mediaan)"].iloc[0] == gm._count_nl(first["q0.50"])
    assert quarters["80%-band van de vraag"].iloc[0] == gm._range_nl(first["q0.10"], first["q0.90"])


def test_destinations_chart_has_every_destination():
    res = shelter.simulate_shelter(make_pop(h=12), ShelterConfig(tpd_end="2025-10-01"), history=make_history())
    fig = rs.destinations_chart(res, language="nl")
    # the housing task split (issue 25): housed, waiting in Ukraine shelter, fallback, without accommodation
    assert [t.name for t in fig.data] == [
        "asielopvang (asielprocedure)",
        "verhuisd naar een woning",
        "wacht op een woning in de opvang voor Oekraïners",
        "landelijke terugvaloptie",
        "zonder opvang",
        "vertrokken uit Nederland",
    ]


@pytest.mark.parametrize("thin", [False, True])
def test_municipal_page_answers_first_peak_month_shortage_and_housing_task(thin):
    res = shelter.simulate_shelter(
        make_pop(n=40, h=12), ShelterConfig(tpd_end="2025-12-01", places_response_gain=0.5), history=make_history()
    )
    munis = load_municipalities()
    allocation = shelter.allocate(res, munis)
    row = allocation.sort_values("population").iloc[0 if thin else -1]
    assert bool(row["thin"]) == thin
    local = shelter.municipality_table(res.table(), row)
    text = str(gm.municipality_answer_nl(local, res.after_tpd.table(), row, res))
    assert "Hoogste behoefte aan plekken" in text and "Eerste maand met een tekort" in text
    assert "Huisvestingsopgave na de RTB" in text and "nan" not in text.lower()
    assert "{" not in text and "}" not in text  # every figure filled in, no code on the page
    assert ("Onzeker cijfer" in text) == thin
    if thin:  # a range, or "fewer than 10" where the range is below 10: never an exact-looking count
        assert "tussen" in text or "minder dan 10" in text
    housing = shelter.municipality_housing_table(res.after_tpd.table(), row)
    total = res.after_tpd.table()
    np.testing.assert_allclose(housing["q0.50"], total["q0.50"] * row["places_share"])


def test_a_municipality_name_never_reaches_the_page_as_markup(result):
    munis = load_municipalities()
    munis.loc[munis["code"] == "GM0363", "name"] = "<script>window.__pwned=1</script>Amsterdam"
    alloc = shelter.allocate(result, munis)
    row = shelter.municipality_row(alloc, "GM0363", munis)
    nat = alloc.attrs["national"]
    assert "<script" not in gm.municipality_text_nl(row, nat, result)._repr_markdown_()
    assert "<script" not in gm.reliability_nl(row, nat)._repr_markdown_()
    from capacity import report

    html = report.table(gm.municipality_compare_nl(row, nat))._repr_html_()
    assert "<script" not in html and "&lt;script&gt;" in html
    local = shelter.municipality_table(result.table(), row)
    chart = report.figure(gm.municipality_chart_nl(local, row))._repr_mimebundle_()["text/html"]
    assert "<script>window" not in chart  # plotly's JSON escapes '<', the label is escaped too


def test_thresholds_differ_by_line_style_not_only_colour(result):
    fig = rs.occupancy_chart(result)
    dashes = [shape.line.dash for shape in fig.layout.shapes]
    assert len(dashes) == 3 and len(set(dashes)) == 3


def test_municipal_places_needed_is_its_share_of_the_national_figure():
    """Issue 25 part 5: one definition of places needed (the planning probability), and a
    municipality's figure is its share of the national one."""
    res = shelter.simulate_shelter(
        make_pop(n=40, h=12, arrivals=4000), ShelterConfig(tpd_end="2026-03-01"), history=make_history()
    )
    munis = load_municipalities()
    row = shelter.allocate(res, munis).sort_values("population").iloc[-1]
    local = shelter.municipality_table(res.table(), row)
    plan = shelter.planning_table(res)
    before = plan[plan["date"] < res.entitled_from]
    peak = gm._count_nl(before["places_needed"].max() * row["share"])
    text = str(gm.municipality_answer_nl(local, res.after_tpd.table(), row, res))
    assert f"**{peak}** plekken" in text and "met 90% kans" in text


def test_small_counts_are_fewer_than_10_and_shares_are_not_exact_looking():
    assert gm._count_nl(5.2) == "minder dan 10" and gm._count_nl(0) == "0" and gm._count_nl(12.4) == "12"
    assert gm._count_nl(4_867) == "4.870"  # 100 and more to the nearest 10, as on the whole page
    assert gm._range_nl(4.6, 5.4) == "minder dan 10"  # never "5 tot 5"
    assert gm._range_nl(0.0, 0.0) == "0"  # never "0 tot 0"
    assert gm._range_nl(4.6, 15.2) == "5 tot 15" and gm._range_nl(4_690, 5_004) == "4.690 tot 5.000"
    assert gm._range_nl(52.2, 52.4) == "52"
    assert gm._between(4.6, 5.4) == "minder dan 10" and gm._between(30.2, 61.0) == "tussen 30 en 61"
    assert gm._share_nl(0.0001) == "minder dan 0,1%" and gm._share_nl(0.0501) == "5,0%" and gm._share_nl(0) == "0,0%"


def test_a_municipality_with_a_handful_in_shelter_shows_no_exact_small_counts(result):
    munis = load_municipalities()
    alloc = shelter.allocate(result, munis)
    nat = alloc.attrs["national"]
    small = alloc.sort_values("population").iloc[0]
    assert small["in_shelter_now"] < 10
    text = str(gm.municipality_text_nl(small, nat, result))
    compare = gm.municipality_compare_nl(small, nat)
    quarters = gm.municipality_table_nl(shelter.municipality_table(result.table(), small))
    cells = [*compare.iloc[:, 1], *compare.iloc[:, 3], *quarters.iloc[:, 1:].to_numpy().ravel()]
    for cell in cells:
        assert not re.fullmatch(r"[1-9]", cell), cell  # "minder dan 10", never 5
        assert not re.fullmatch(r"(\d+) tot \1", cell), cell  # never "5 tot 5"
        assert not re.search(r"0,0[1-9]%", cell), cell  # never an exact-looking 0,01%
    assert "minder dan 10 mensen in opvang" in text and not re.search(r"0,0[1-9]%", text)
    summary = gm.municipality_chart_nl(shelter.municipality_table(result.table(), small), small).layout.meta["summary"]
    assert summary.startswith("Mediaan in ") and " tot " not in summary  # never "0 tot 0" nor "5 tot 5"
    assert gm._range_nl(0.0, 0.0) in summary or "minder dan 10" in summary
    # the jump-off figures are the last count's, never "now" (a past month)
    assert list(compare.iloc[:2, 0]) == ["Opvangplekken bij de laatste telling", "In opvang bij de laatste telling"]
