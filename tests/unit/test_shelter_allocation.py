"""Unit tests of the municipal allocation and the municipality resolver."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.test_shelter import make_history, make_pop

from capacity import shelter
from capacity.errors import ParameterError
from capacity.params.shelter import ShelterConfig
from capacity.quantiles import check_contract
from capacity.report.format import fmt_range

pytestmark = pytest.mark.unit

COUNTS = ["places_now", "in_shelter_now", "places", "demand", "in_shelter", "unmet_demand", "places_needed"]


@pytest.fixture(scope="module")
def munis() -> pd.DataFrame:
    from capacity.data import load_municipalities

    return load_municipalities()


@pytest.fixture(scope="module")
def result() -> shelter.ShelterResult:
    return shelter.simulate_shelter(make_pop(n=40, h=24), ShelterConfig(), history=make_history())


def test_resolve_by_code_and_name(munis):
    assert shelter.resolve_municipality("GM0363", munis)["name"] == "Amsterdam"
    assert shelter.resolve_municipality("gm0363", munis)["name"] == "Amsterdam"
    assert shelter.resolve_municipality("363", munis)["code"] == "GM0363"
    assert shelter.resolve_municipality("  amsterdam ", munis)["code"] == "GM0363"
    assert shelter.resolve_municipality("'s-Hertogenbosch", munis)["code"] == "GM0796"


def test_unknown_municipality_is_a_clear_error(munis):
    with pytest.raises(ParameterError, match="nearest names: .*Amsterdam") as err:
        shelter.resolve_municipality("Amsterdm", munis)
    assert err.value.args[0].count("(GM") == 3
    with pytest.raises(ParameterError, match="GM9999"):
        shelter.resolve_municipality("GM9999", munis)
    with pytest.raises(ParameterError):
        shelter.resolve_municipality("", munis)


@settings(max_examples=50, deadline=None)
@given(total=st.integers(0, 10**6), weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_largest_remainder_sums_exactly(total, weights):
    w = np.array(weights)
    if w.sum() == 0:
        w[0] = 1.0
    out = shelter.largest_remainder(total, w)
    assert out.sum() == total
    assert np.all(out >= 0)
    quota = total * w / w.sum()
    assert np.all(np.abs(out - quota) < 1 + 1e-9)  # each within one of its quota
    assert np.all(out[w == 0] == 0)


def test_largest_remainder_known_case():
    np.testing.assert_array_equal(shelter.largest_remainder(10, [1, 1, 1]), [4, 3, 3])
    np.testing.assert_array_equal(shelter.largest_remainder(7, [0.5, 0.3, 0.2]), [4, 2, 1])


def test_allocation_reconciles_exactly(result, munis):
    alloc = shelter.allocate(result, munis)
    assert len(alloc) == 342 and alloc["code"].is_unique
    nat = alloc.attrs["national"]
    for col in COUNTS:
        assert alloc[col].sum() == nat[col], col
        assert alloc[col].dtype.kind == "i"
    assert (alloc["in_shelter"] <= alloc["places"]).all()
    assert (alloc["in_shelter_now"] <= alloc["places_now"]).all()
    assert alloc["share"].sum() == pytest.approx(1.0)
    assert alloc["thin"].any() and not alloc["thin"].all()


@settings(max_examples=15, deadline=None)
@given(month=st.integers(0, 23), known=st.integers(0, 5000), custom=st.floats(0.0, 0.2))
def test_reconciliation_property(result, munis, month, known, custom):
    cfg = ShelterConfig(
        known_places={"GM0363": known, "GM0014": 10}, allocation_key="custom", custom_weights={"GM0599": custom}
    )
    alloc = shelter.allocate(result, munis, cfg, month=month)
    nat = alloc.attrs["national"]
    for col in COUNTS:
        assert alloc[col].sum() == nat[col], col
    assert alloc.loc[alloc["code"] == "GM0363", "places_now"].iloc[0] == known
    assert (alloc["in_shelter"] <= alloc["places"]).all()


def test_known_places_above_national_is_an_error(result, munis):
    cfg = ShelterConfig(known_places={"GM0363": 10**7})
    with pytest.raises(ParameterError, match="known_places"):
        shelter.allocate(result, munis, cfg)


def test_municipality_table_is_share_of_national(result, munis):
    alloc = shelter.allocate(result, munis)
    row = shelter.municipality_row(alloc, "Amsterdam", munis)
    nat = result.table()
    local = check_contract(shelter.municipality_table(nat, row))
    d_nat = nat[nat["variable"] == "demand"]["q0.50"].to_numpy()
    d_loc = local[local["variable"] == "demand"]["q0.50"].to_numpy()
    np.testing.assert_allclose(d_loc, d_nat * row["share"])
    # quantile of share x paths == share x quantile of paths
    np.testing.assert_allclose(d_loc, np.quantile(result.demand * row["share"], 0.5, axis=0))


def test_municipal_exits_add_up_to_the_national_median_every_month(munis):
    """Issue 25 part 3: monthly exits per municipality (home, COA, abroad) with the closure month."""
    cfg = ShelterConfig(
        tpd_end="2026-01-01", places_closed_at_tpd_end_share=1.0, ukraine_shelter_close_date="2026-06-01"
    )
    res = shelter.simulate_shelter(make_pop(n=40, h=24), cfg, history=make_history())
    alloc = shelter.allocate(res, munis)
    exits = shelter.municipal_exits(res, alloc)
    assert len(exits) == len(munis) * len(res.after_tpd.dates)
    assert (exits["closure_month"] == pd.Timestamp("2026-06-01")).all()
    flows = res.after_tpd.exits()
    for name in shelter.EXIT_COLUMNS:
        by_month = exits.groupby("date")[name].sum().to_numpy()
        np.testing.assert_array_equal(by_month, np.rint(np.median(flows[name], axis=0)))
        assert (exits[name] >= 0).all()
    # asylum users keep their Ukraine place until it closes, then all go to COA that month
    coa = exits.groupby("date")["to_asylum_reception"].sum()
    assert coa.loc[: pd.Timestamp("2026-05-01")].sum() == 0 and coa.loc[pd.Timestamp("2026-06-01")] > 0
    fallback = exits.groupby("date")["to_fallback"].sum()
    assert fallback.idxmax() == pd.Timestamp("2026-06-01")
    assert exits.groupby("date")["to_home"].sum().max() <= cfg.housing_supply_per_month
    empty = shelter.municipal_exits(
        shelter.simulate_shelter(make_pop(n=4, h=12), ShelterConfig(), history=make_history()), alloc
    )
    assert empty.empty and list(empty.columns)[-5:] == list(shelter.EXIT_COLUMNS)


def test_municipal_page_shows_its_exits_and_the_closure_month_in_dutch(munis):
    from capacity.report import municipality as gm

    cfg = ShelterConfig(tpd_end="2026-01-01", places_closed_at_tpd_end_share=1.0)
    res = shelter.simulate_shelter(make_pop(n=10, h=24), cfg, history=make_history())
    alloc = shelter.allocate(res, munis)
    exits = shelter.municipal_exits(res, alloc)
    row = shelter.municipality_row(alloc, "Amsterdam", munis)
    table = gm.municipality_exits_nl(exits, row)
    assert list(table.columns) == ["maand", *gm.EXIT_LABELS_NL.values()]
    assert len(table) == len(res.after_tpd.dates) and table["maand"].iloc[0] == "januari 2026"
    download = gm.municipality_exits_nl(exits, row, numbers=True)  # numbers, never the page's "1.450"
    assert list(download.columns) == list(table.columns) and download["maand"].iloc[0] == "2026-01"
    own = exits[exits["code"] == row["code"]].sort_values("date")
    assert download.iloc[:, 1:].to_numpy() == pytest.approx(own[list(gm.EXIT_LABELS_NL)].to_numpy())
    text = str(gm.municipality_exits_text_nl(exits, row))
    assert "sluit in **januari 2026**" in text and "Amsterdam" in text
    assert "na de horizon" in str(gm.municipality_exits_text_nl(None, row))


def test_amsterdam_page_shows_its_monthly_exits_and_the_housing_cap_that_binds(munis):
    """Issue 25: the Amsterdam (GM0363) page shows its monthly exits and when the housing cap binds."""
    import json
    from pathlib import Path

    from capacity.report import municipality as gm
    from capacity.report import shelter as rs

    cfg = ShelterConfig(tpd_end="2026-01-01", places_closed_at_tpd_end_share=1.0)
    res = shelter.simulate_shelter(make_pop(n=10, h=24), cfg, history=make_history())
    alloc = shelter.allocate(res, munis)
    exits = shelter.municipal_exits(res, alloc)
    row = shelter.municipality_row(alloc, "GM0363", munis)
    assert row["name"] == "Amsterdam"
    own = gm.municipality_exits_nl(exits, row)
    assert len(own) == len(res.after_tpd.dates) and (own.iloc[:, 1:] != "0").to_numpy().any()
    # the cap binds: the national median moves home reach 2,000 a month in the first months
    moves = np.median(res.after_tpd.moved_home_new, axis=0)
    binding = res.after_tpd.dates[moves >= cfg.housing_supply_per_month - 1]
    assert binding[0] == pd.Timestamp("2026-01-01")
    text = str(rs.housing_cap_text(res, exits, row, language="nl"))
    assert "**2.000 mensen per maand**" in text and "bindt van januari 2026" in text
    ams = exits[(exits["code"] == "GM0363") & exits["date"].isin(binding)]["to_home"]
    span = fmt_range(ams.min(), ams.max(), "persons", 1, "nl", small=True)
    assert f"In Amsterdam verhuizen er in die maanden {span} per maand" in text
    assert "binds in no month" in str(
        rs.housing_cap_text(
            shelter.simulate_shelter(
                make_pop(n=10, h=24), cfg.model_copy(update={"housing_supply_per_month": 1e6}), history=make_history()
            ),
            language="en",
        )
    )
    # and the municipal page (notebook 05) shows both, after the exits text
    cells = [
        "".join(c["source"])
        for c in json.loads((Path(__file__).parents[2] / "notebooks" / "05_municipality.ipynb").read_text())["cells"]
    ]
    shown = [i for i, c in enumerate(cells) if "municipality_exits_text_nl(" in c or "housing_cap_text(" in c]
    assert len(shown) == 2 and "municipality_exits_nl(" in cells[shown[1] + 1]


def test_a_small_municipality_reads_no_exact_small_counts_and_no_zero_a_month(munis):
    """Issue 28: the smallest shelter's exits print "minder dan 10", and a cap share of none says so."""
    from capacity.report import municipality as gm
    from capacity.report import shelter as rs

    cfg = ShelterConfig(tpd_end="2026-01-01", places_closed_at_tpd_end_share=1.0)
    res = shelter.simulate_shelter(make_pop(n=10, h=24), cfg, history=make_history())
    alloc = shelter.allocate(res, munis)
    exits = shelter.municipal_exits(res, alloc)
    row = shelter.municipality_row(alloc, "GM0363", munis)
    small = exits.copy()
    own = small["code"] == "GM0363"
    small.loc[own, list(shelter.EXIT_COLUMNS)] = 0
    small.loc[own & (small["date"] == small["date"].min()), "to_asylum_reception"] = 3
    small.loc[own & (small["date"] == small["date"].min()), "abroad"] = 1447
    table = gm.municipality_exits_nl(small, row)
    first = table.iloc[0].tolist()
    assert first[2] == "minder dan 10" and first[3] == "1.450" and first[1] == "0", first
    text = str(rs.housing_cap_text(res, small, row, language="nl"))
    assert "0 per maand" not in text and "verhuist in die maanden niemand naar een woning" in text
