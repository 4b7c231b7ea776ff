"""Unit tests of the safety-region and province tables (tables/regions.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import data
from capacity.quantiles import QUANTILE_COLUMNS, check_contract, summarise_many
from capacity.shelter import regions

pytestmark = pytest.mark.unit

COLS = ["mean", *QUANTILE_COLUMNS]


@pytest.fixture(scope="module")
def munis() -> pd.DataFrame:
    return data.load_municipalities()


@pytest.fixture(scope="module")
def key(munis: pd.DataFrame) -> pd.DataFrame:
    return regions.regional_key(data.load_table("shelter_regional_points"), munis, data.load_history())


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2026-01-01", periods=12, freq="MS")
    paths = {v: rng.gamma(3.0, 9000.0, (300, 12)) * (1 + np.arange(12) / 12) for v in regions.REGION_VARIABLES}
    paths["unmet_demand"][:, :3] = 0.0  # exact zeros allocate to zeros
    return summarise_many(paths, dates)


@pytest.fixture(scope="module")
def table(national: pd.DataFrame, key: pd.DataFrame) -> pd.DataFrame:
    return regions.region_table(national, key)


def test_every_municipality_is_in_exactly_one_safety_region_and_one_province(munis: pd.DataFrame) -> None:
    assert munis["code"].is_unique and len(munis) == 342
    assert munis["safety_region_code"].notna().all() and munis["province"].notna().all()
    assert munis["safety_region_code"].nunique() == 25 and munis["province"].nunique() == 12
    # one name per code, and each safety region within one province (so provinces are sums of regions)
    for column in ("safety_region", "province"):
        assert munis.drop_duplicates(["safety_region_code", column])["safety_region_code"].is_unique


def test_key_uses_observed_counts_where_they_exist_and_population_elsewhere(key: pd.DataFrame) -> None:
    assert len(key) == 25 and key["share"].sum() == pytest.approx(1.0, abs=1e-12)
    obs = key.set_index("safety_region")
    # Drenthe: 3,200 places (Feb 2023) against 75,000 national places published for Feb 2023
    assert obs.loc["Drenthe", "key_source"] == "observed"
    assert obs.loc["Drenthe", "share"] == pytest.approx(3200 / 75000)
    assert obs.loc["Drenthe", "national_basis"] == "published"
    # Groningen: 4,052 in shelter (Sep 2023) against the national count interpolated 2023-07..2024-03
    assert obs.loc["Groningen", "key_source"] == "observed"
    assert obs.loc["Groningen", "observed_quantity"] == "in_shelter"
    assert obs.loc["Groningen", "share"] == pytest.approx(4052 / (76000 + (90680 - 76000) * 2 / 8))
    assert "interpolated" in obs.loc["Groningen", "national_basis"]
    assert obs.loc["Groningen", "source"].startswith("OOG tv")
    # the 2022 build-up counts are not used (Utrecht, Noord-Holland Noord, ...): population there
    rest = key[key["key_source"] == "population"]
    assert len(rest) == 23 and "Utrecht" in set(rest["safety_region"])
    ratio = rest["share"] / rest["population"]
    assert np.allclose(ratio, ratio.iloc[0])
    assert rest["share"].sum() == pytest.approx(1 - obs.loc["Drenthe", "share"] - obs.loc["Groningen", "share"])


def test_observed_shares_are_above_population_as_the_issue_reports(key: pd.DataFrame) -> None:
    obs = key.set_index("safety_region")
    for region in ("Drenthe", "Groningen"):
        assert obs.loc[region, "share"] > 1.3 * obs.loc[region, "population_share"]


def test_regions_reconcile_exactly_with_the_national_figure(table: pd.DataFrame, national: pd.DataFrame) -> None:
    nat = national.set_index(["date", "variable"])[COLS].round()
    assert set(table["variable"]) == set(regions.REGION_VARIABLES)
    for region_type, n in (("safety_region", 25), ("province", 12)):
        part = table[table["region_type"] == region_type]
        assert (part.groupby(["date", "variable"]).size() == n).all()
        sums = part.groupby(["date", "variable"])[COLS].sum()
        assert (sums.to_numpy() == nat.loc[sums.index].to_numpy()).all(), region_type
    assert (table[COLS].to_numpy() % 1 == 0).all() and (table[COLS].to_numpy() >= 0).all()


def test_provinces_are_the_sums_of_their_safety_regions(table: pd.DataFrame, key: pd.DataFrame) -> None:
    province_of = key.set_index("safety_region")["province"]
    sr = table[table["region_type"] == "safety_region"].assign(province=lambda d: d["region"].map(province_of))
    sums = sr.groupby(["province", "date", "variable"])[COLS].sum()
    pr = table[table["region_type"] == "province"].set_index(["region", "date", "variable"])[COLS]
    assert (pr.loc[sums.index].to_numpy() == sums.to_numpy()).all()
    sources = table[table["region_type"] == "province"].groupby("region")["key_source"].first()
    assert sources["Drenthe"] == "observed" and sources["Utrecht"] == "population"


def test_each_region_follows_the_contract_with_ordered_quantiles(table: pd.DataFrame) -> None:
    assert list(table.columns[:4]) == ["region_type", "region", "date", "variable"]
    for _, group in table.groupby(["region_type", "region"]):
        check_contract(group)


def test_zero_national_figures_give_zero_everywhere(table: pd.DataFrame) -> None:
    first = table[(table["variable"] == "unmet_demand") & (table["date"] == table["date"].min())]
    assert (first[COLS].to_numpy() == 0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5000), min_size=2, max_size=11), st.lists(st.floats(0.0, 10.0), min_size=2, max_size=25))
def test_ordered_allocation_sums_exactly_stays_ordered_and_near_the_share(
    totals: list[int], weights: list[float]
) -> None:
    w = np.asarray(weights)
    if w.sum() <= 0:
        w = np.ones_like(w)
    share = w / w.sum()
    t = np.sort(np.asarray(totals))
    out = regions._ordered_allocation(t, share)
    assert (out.sum(axis=1) == t).all()
    assert (np.diff(out, axis=0) >= 0).all()
    assert (out[:, share == 0] == 0).all()
    assert np.abs(out - t[:, None] * share).max() < 2.0


def test_one_chain_municipalities_add_up_to_region_province_and_nation(
    table: pd.DataFrame, national: pd.DataFrame, munis: pd.DataFrame, key: pd.DataFrame
) -> None:
    """Issue 25 part 4: sums of municipalities = safety region = province = national, every
    month and every quantile (one key: the municipalities share their region's)."""
    chain = regions.municipal_chain_table(table, munis)
    assert len(chain) == 342 * len(national)
    nat = national.set_index(["date", "variable"])[COLS].round()
    for level, region_type in (("safety_region", "safety_region"), ("province", "province")):
        sums = chain.groupby([level, "date", "variable"])[COLS].sum()
        reg = table[table["region_type"] == region_type].set_index(["region", "date", "variable"])[COLS]
        assert (reg.loc[sums.index].to_numpy() == sums.to_numpy()).all(), level
    total = chain.groupby(["date", "variable"])[COLS].sum()
    assert (total.to_numpy() == nat.loc[total.index].to_numpy()).all()
    q = chain[list(QUANTILE_COLUMNS)].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()  # quantiles stay ordered in every municipality
    # Drenthe (observed regional count) is no longer split by population in the municipal key
    from capacity import shelter
    from capacity.params.shelter import ShelterConfig

    share = shelter.allocation_key(munis, ShelterConfig(), key)
    drenthe = munis.loc[munis["province"] == "Drenthe", "code"]
    expected = key.loc[key["province"] == "Drenthe", "share"].sum()
    assert share.loc[drenthe].sum() == pytest.approx(expected)
    assert share.sum() == pytest.approx(1.0)
