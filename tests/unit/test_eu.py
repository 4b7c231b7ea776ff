"""The EU around the Netherlands: the per-country data, report 06's tables, the secondary-movement layer."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity import params, report
from capacity.data.eu import load_eu
from capacity.errors import DataError
from capacity.forecast.secondary import latest_stocks, secondary_movement
from capacity.params.base import Distribution
from capacity.params.eu import SecondaryMovementConfig
from capacity.report import eu as eu_report

pytestmark = pytest.mark.unit

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "capacity" / "datasets"


@pytest.fixture(scope="module")
def eu():
    return load_eu()


def test_dutch_rows_equal_the_shipped_dutch_series(eu):
    nl = pd.read_csv(SHIPPED / "eurostat_tp_nl_monthly.csv")
    ours = eu.countries[eu.countries["geo"] == "NL"]
    assert list(ours["tp_stock"]) == list(nl["tp_beneficiaries_stock_end_month"])
    assert list(ours["tp_grants"]) == list(nl["tp_grants_in_month"])


def test_at_least_twenty_member_states_to_their_latest_month_each_with_its_source(eu):
    latest = eu_report.latest_by_country(eu.countries)
    assert len(latest) >= 20 and latest["member state"].is_unique
    assert latest["source"].str.contains("migr_asytpsm").all()
    assert set(latest["latest month"]) <= {"2024-06", "2024-07", "2024-08"}
    shares = latest["share of the member states' total"]
    assert shares.sum() == pytest.approx(1.0) and shares.between(0, 1).all()  # a fraction, printed as a percentage
    html = report.table(latest, language="nl")._repr_html_()
    assert re.search(r"<td>\d+,\d%</td>", html) and not re.search(r"<td>0[.,]\d+</td>", html)


def test_dutch_share_only_in_months_every_member_state_reported(eu):
    share = eu_report.dutch_share(eu.countries, codes=True)
    complete = share["reporting"].str.split(" / ").map(lambda p: p[0] == p[1])
    assert share.loc[~complete, "nl_share"].isna().all() and share.loc[complete, "nl_share"].notna().all()
    assert share["nl_share"].dropna().between(0.02, 0.035).all()  # about 3 % (issue 27)


def test_every_member_state_has_a_status_row_unknown_where_no_source(eu):
    table = eu_report.statuses(eu.countries, eu.statuses)
    assert len(table) == eu.countries.loc[eu.countries["eu_member"], "geo"].nunique() + 1  # + the EU frame
    known = table[table["status after TP"] != "unknown"]
    assert known["source"].str.len().gt(0).all()
    assert {"Netherlands", "Poland", "Czechia"} <= set(known["member state"])


def test_a_planners_data_dir_without_the_eu_files_falls_back_to_the_shipped_ones(tmp_path):
    assert load_eu(tmp_path).paths["eurostat_tp_countries"] == SHIPPED / "eurostat_tp_countries.csv"
    (tmp_path / "eurostat_tp_countries.csv").write_text("date,geo\n2024-01,NL\n")
    with pytest.raises(DataError, match="lacks column"):
        load_eu(tmp_path)


# ----------------------------------------------------------------------------- secondary movement

STOCKS = pd.Series({"NL": 100_000.0, "DE": 1_000_000.0, "PL": 900_000.0})


def config(**changes) -> SecondaryMovementConfig:
    base = {
        "share_moving": Distribution(value=0.05),
        "months": Distribution(value=4.0),
        "n_months": 12,
        "status_attractiveness": {
            "NL": Distribution(value=0.8),
            "DE": Distribution(value=0.5),
            "PL": Distribution(value=0.2),
        },
    }
    return SecondaryMovementConfig(**{**base, **changes})


def run(cfg, n_paths=50):
    return secondary_movement(STOCKS, cfg, tpd_end="2027-03-04", n_paths=n_paths, rng=np.random.default_rng(1))


def test_movement_follows_the_share_and_gravity_formula():
    res = run(config())
    movers = 0.05 * (1 - np.array([0.8, 0.5, 0.2])) * STOCKS.to_numpy()
    pull = STOCKS.to_numpy() * np.array([0.8, 0.5, 0.2])
    expected_in = movers[1] * pull[0] / (pull[0] + pull[2]) + movers[2] * pull[0] / (pull[0] + pull[1])
    np.testing.assert_allclose(res.arrivals.sum(axis=1), expected_in)
    np.testing.assert_allclose(res.departures.sum(axis=1), movers[0])
    assert res.dates[0] == pd.Timestamp("2027-03-01")
    assert (res.arrivals[:, :4] > 0).all() and (res.arrivals[:, 4:] == 0).all()  # spread over 4 months


def test_moves_align_to_the_forecast_months():
    res = run(config())
    months = pd.date_range("2026-12-01", periods=6, freq="MS")
    on = res.on(months)
    assert on.shape == (50, 6) and (on[:, :3] == 0).all()  # before the TPD end month: nothing
    np.testing.assert_allclose(on[:, 3:], res.arrivals[:, :3])


def test_nobody_moves_when_the_share_is_zero_or_every_status_is_the_best():
    assert run(config(share_moving=Distribution(value=0.0))).arrivals.sum() == 0
    best = {g: Distribution(value=1.0) for g in STOCKS.index}
    assert run(config(status_attractiveness=best)).departures.sum() == 0


def test_an_unattractive_dutch_status_draws_nobody_in():
    cfg = config(
        status_attractiveness={
            "NL": Distribution(value=0.0),
            "DE": Distribution(value=0.5),
            "PL": Distribution(value=0.5),
        }
    )
    res = run(cfg)
    assert res.arrivals.sum() == 0 and res.departures.sum() > 0


def test_unknown_statuses_widen_the_band():
    known = run(config(), n_paths=400).arrivals.sum(axis=1)
    unknown = run(config(status_attractiveness={"NL": Distribution(value=0.8)}), n_paths=400).arrivals.sum(axis=1)
    assert np.ptp(known) == pytest.approx(0) and np.ptp(unknown) > 0


def test_shipped_layer_scales_to_the_eu_total_and_gives_a_table(eu):
    stocks = latest_stocks(eu.countries, eu.eu_totals)
    assert stocks.sum() == pytest.approx(4_350_000) and 1.0 < stocks.attrs["scale"] < 1.1
    scn = params.load()
    res = secondary_movement(
        stocks, scn.eu.secondary_movement, tpd_end=scn.backlog.tpd_end_date, n_paths=200, rng=np.random.default_rng(2)
    )
    table = res.table()
    assert set(table["variable"]) == {"eu_arrivals", "eu_departures", "eu_net"}
    assert (res.arrivals >= 0).all() and (res.departures >= 0).all()


def test_an_update_from_eurostat_long_series_loads_as_the_shipped_file(tmp_path):
    from capacity.data.eu import countries_table

    stock = pd.DataFrame(
        {
            "geo": ["NL", "NL", "CY", "EU27_2020"],
            "date": ["2025-10", "2025-11-30", "2025-11", "2025-11"],
            "value": [130_000, 131_000, 20_000, 4_330_000],
        }
    )
    grants = pd.DataFrame({"geo": ["NL", "CY"], "date": ["2025-11", "2025-11"], "value": [1_500, 300]})
    table = countries_table(stock, grants, source="Eurostat migr_asytpsm/migr_asytpfm, 2026-12-06")
    assert set(table["geo"]) == {"NL", "CY"} and table["eu_member"].all()  # the aggregate is left out
    table.to_csv(tmp_path / "eurostat_tp_countries.csv", index=False)
    got = load_eu(tmp_path).countries
    nl = got[got["geo"] == "NL"].set_index("date")
    assert nl.loc["2025-11-01", "tp_stock"] == 131_000 and nl.loc["2025-11-01", "tp_grants"] == 1_500
    assert pd.isna(nl.loc["2025-10-01", "tp_grants"])  # a month without grants stays empty
    assert got.loc[got["geo"] == "NL", "country"].iloc[0] == "Netherlands"


def test_the_movement_parameters_read_in_dutch_on_a_dutch_page():
    cfg = params.load(None).eu.secondary_movement
    nl = eu_report.movement_parameters(cfg, "nl")
    assert list(nl.columns) == ["parameter", "instelling", "bron"] and set(nl["bron"]) == {"aanname"}
    assert nl["instelling"].str.startswith("driehoek").any() and not nl["instelling"].str.contains("triangular").any()
    assert nl["instelling"].iloc[-1] in {"ja", "nee"}
    en = eu_report.movement_parameters(cfg, "en")
    assert set(en["source"]) == {"assumption"} and en["setting"].str.startswith("triangular").any()
    for table in (nl, en):  # every parameter in words, never its name in the code (share_moving)
        assert not table["parameter"].str.contains(r"_|\.").any(), list(table["parameter"])
    assert "attractiveness of the status in Poland (0-1)" in set(en["parameter"])
