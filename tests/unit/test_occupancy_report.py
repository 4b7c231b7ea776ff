"""Unit tests of the shelter report helpers (figures, tables, Dutch texts)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from tests.unit.test_occupancy import make_history, make_pop

from capacity import occupancy, regions
from capacity import report_shelter as rs
from capacity.data import load_municipalities
from capacity.params.shelter import ShelterConfig

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def result() -> occupancy.ShelterResult:
    return occupancy.simulate_shelter(make_pop(n=40, h=36), ShelterConfig(), history=make_history())


def test_figures_and_tables(result):
    for fig in (rs.demand_vs_places_chart(result, history=make_history()),
                rs.occupancy_chart(result, language="nl"), rs.crossing_chart(result),
                rs.cost_chart(result)):
        assert isinstance(fig, go.Figure) and fig.data
    assert len(rs.headline_table(result)) >= 7
    assert list(rs.crossing_table(result, language="nl").columns)[0] == "drempel"
    costs = rs.cost_table(result)
    assert costs.loc[costs["level"] == "cost-optimal", "cost_tradeoff_eur"].iloc[0] == \
        pytest.approx(costs["cost_tradeoff_eur"].min())


def test_placeholder_is_said_in_both_languages(result):
    assert "Placeholder" in str(rs.entitled_note(result))
    assert "placeholder" in str(rs.entitled_note(result, language="nl"))


def test_dutch_municipality_texts(result):
    munis = load_municipalities()
    alloc = regions.allocate(result, munis)
    nat = alloc.attrs["national"]
    big = regions.municipality_row(alloc, "GM0363", munis)
    text = str(rs.municipality_text_nl(big, nat, occupancy.headline(result)))
    assert "Amsterdam" in text and "inwoners" in text and "Let op" not in text
    small = alloc.sort_values("population").iloc[0]
    assert small["thin"]
    assert "Let op" in str(rs.municipality_text_nl(small, nat, occupancy.headline(result)))
    assert "Dun cijfer" in str(rs.reliability_nl(small, nat))
    compare = rs.municipality_compare_nl(big, nat)
    assert compare["Nederland"].iloc[0] == "93.970"  # places now, Dutch notation
    assert compare["aandeel gemeente"].str.endswith("%").all()
    local = regions.municipality_table(result.table(), big)
    assert "grootheid" in rs.municipality_table_nl(local).columns
