from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity import data, params
from capacity.data import quality
from capacity.errors import DataError

pytestmark = pytest.mark.unit

SHIPPED = Path(str(data.data_files()["municipalities"])).parent


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return data.load_history()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SHIPPED, folder)
    return folder


def test_history_shape_and_flags(history: pd.DataFrame) -> None:
    assert list(history.columns) == list(data.HISTORY_COLUMNS)
    assert set(history["flag"]) <= set(data.FLAGS)
    assert not history.duplicated(["variable", "date"]).any()
    assert (history["date"].dt.day == 1).all()
    assert {"registered", "in_shelter", "places", "arrivals", "departures"} <= set(history["variable"])
    valued = history[history["flag"] != "missing"]
    assert valued["value"].notna().all() and valued["source"].str.len().gt(0).all()
    assert history.loc[history["flag"] == "missing", "value"].isna().all()


def test_anchor_facts_are_reproduced(history: pd.DataFrame) -> None:
    checks = quality.anchor_checks(history)
    assert checks["ok"].all(), checks


def test_monthly_stock_is_the_latest_report_of_the_month(history: pd.DataFrame) -> None:
    # March 2025 has one report (19 Mar: 120,820 registered, 93,770 in shelter, 93,970 places).
    wide = data.history_wide(history)
    assert wide.loc["2025-03-01", ["registered", "in_shelter", "places"]].tolist() == [120_820, 93_770, 93_970]
    # September 2022: three reports dated to the month or week, one dated 19 Sep -> the latter.
    assert wide.loc["2022-09-01", "registered"] == 77_920


def test_eurostat_cleanups_are_kept_not_smoothed(history: pd.DataFrame) -> None:
    breaks = quality.breaks(history)
    assert breaks["date"].tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2024-04-01")]
    # 109,820 + 3,265 - 82,045 and 121,450 + 1,980 - 113,035
    assert breaks["implied_outflow"].tolist() == [31_040, 10_395]
    wide = data.history_wide(history)
    assert wide.loc["2023-01-01", "tp_stock"] == 82_045  # the drop stays in the stock
    # and departures in those months are not inflated by the clean-up
    assert wide.loc["2023-01-01", "departures"] < 3_000


def test_departures_reproduce_the_published_cumulative_counts(history: pd.DataFrame) -> None:
    dep = data.history_wide(history)["departures"]
    assert (history.loc[history["variable"] == "departures", "flag"].isin(["interpolated", "missing"])).all()
    # 43,533 departed by 1 May 2024 and 51,748 by 1 Nov 2024 (monitor report, CBS)
    assert dep["2024-05-01":"2024-10-01"].sum() == pytest.approx(51_748 - 43_533)
    # from 1 Mar 2022 to 1 Nov 2024 all but the departures of 24-28 Feb 2022
    assert dep[:"2024-10-01"].sum() == pytest.approx(51_748, rel=0.01)


def test_registered_between_reports_is_interpolated_and_flagged(history: pd.DataFrame) -> None:
    reg = history[history["variable"] == "registered"].set_index("date")
    assert reg.loc["2024-12-01", "flag"] == "observed"
    assert reg.loc["2025-01-01", "flag"] == "interpolated"
    assert reg.loc["2025-01-01", "value"] == pytest.approx((123_680 + 120_680) / 2, rel=0.01)
    assert "interpolation" in reg.loc["2025-01-01", "source"]


def test_stock_identity_on_a_consistent_history() -> None:
    months = pd.date_range("2023-01-01", periods=6, freq="MS")
    arrivals = np.array([0, 500, 400, 300, 200, 100.0])
    departures = np.array([0, 100, 100, 100, 100, 100.0])
    registered = 10_000 + np.cumsum(arrivals - departures)
    rows = []
    for var, values in (("arrivals", arrivals), ("departures", departures), ("registered", registered)):
        for d, v in zip(months, values, strict=True):
            rows.append({"date": d, "variable": var, "value": v, "flag": "observed", "source": "s", "note": ""})
    synthetic = pd.DataFrame(rows)
    synthetic.loc[(synthetic.variable == "registered") & synthetic.date.isin(months[1:5]), "flag"] = "interpolated"
    res = quality.identity_residuals(synthetic)
    assert len(res) == 1 and res["residual"].iloc[0] == pytest.approx(0.0)
    synthetic.loc[(synthetic.variable == "arrivals") & (synthetic.date == months[3]), "value"] += 250
    assert quality.identity_residuals(synthetic)["residual"].iloc[0] == pytest.approx(-250.0)


def test_stock_identity_on_the_real_history_is_small_after_the_first_wave(history: pd.DataFrame) -> None:
    res = quality.identity_residuals(history)
    assert len(res) >= 5
    late = res[res["from"] >= pd.Timestamp("2022-08-01")]
    assert (late["residual_share"].abs() < 0.10).all(), late


def test_gaps_are_listed(history: pd.DataFrame) -> None:
    gaps = quality.gaps(history)
    arrivals = gaps[gaps["variable"] == "arrivals"]
    assert arrivals["from"].max() == pd.Timestamp("2024-09-01") and arrivals["months"].max() == 7


def test_newer_file_by_parameter(data_copy: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer_shelter.csv"
    text = (data_copy / "ukraine_shelter_nl.csv").read_text(encoding="utf-8")
    newer.write_text(text + '2025-04-10,day,119000,93000,94000,,,,"test source",""\n', encoding="utf-8")
    history = data.load_history(files={"ukraine_shelter_nl": str(newer)})
    wide = data.history_wide(history)
    assert wide.loc["2025-04-01", "registered"] == 119_000



def test_scenario_files_resolve_data_dir_and_per_file_overrides(data_copy: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer_shelter.csv"
    cfg = params.load().data.model_copy(update={"data_dir": str(data_copy),
                                                "files": {"ukraine_shelter_nl": str(newer)}})
    files = data.scenario_files(cfg)
    assert set(files) == set(data.SPECS)
    assert files["ukraine_shelter_nl"] == newer and files["municipalities"] == data_copy / "municipalities.csv"
    assert data.scenario_files(params.load().data) == data.data_files()


@pytest.mark.parametrize(("start", "end", "months"), [
    ("2024-01-01", "2024-01-01", 0), ("2024-01-01", "2025-03-01", 14),
    ("2025-03-01", "2024-01-01", -14), ("2024-01-31", "2024-02-01", 1),
])
def test_months_between_counts_calendar_months(start: str, end: str, months: int) -> None:
    assert data.months_between(pd.Timestamp(start), pd.Timestamp(end)) == months


def test_months_between_a_month_and_an_index_gives_one_count_each() -> None:
    dates = pd.date_range("2023-11-01", periods=4, freq="MS")
    assert list(data.months_between(pd.Timestamp("2024-01-01"), dates)) == [-2, -1, 0, 1]


def test_history_wide_spans_every_month_and_last_observed_skips_other_flags() -> None:
    long = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-04-01", "2024-01-01"]),
        "variable": ["registered", "registered", "registered", "places"],
        "value": [100.0, 120.0, 125.0, np.nan],
        "flag": ["observed", "observed", "interpolated", "missing"],
    })
    wide = data.history_wide(long)
    assert list(wide.index) == list(pd.date_range("2024-01-01", "2024-04-01", freq="MS"))
    assert wide["registered"].tolist()[::2] == [100.0, 120.0] and np.isnan(wide.loc["2024-02-01", "registered"])
    assert "places" not in wide and data.history_wide(long, flags=data.FLAGS)["places"].isna().all()
    assert data.last_observed(long, "registered") == (pd.Timestamp("2024-03-01"), 120.0)
    with pytest.raises(DataError, match="no observed value of 'places'"):
        data.last_observed(long, "places")


def _corrupt(folder: Path, name: str, old: str, new: str) -> Path:
    path = folder / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("eurostat_tp_nl_monthly", "2022-05,NL,66815", "2022-5x,NL,66815", r"row 4: date = '2022-5x' is not a date"),
        ("eurostat_tp_nl_monthly", "2022-05,NL,66815", "2022-05,NL,-66815", r"row 4: tp_beneficiaries_stock_end_month = -66815 is negative"),
        ("eurostat_tp_nl_monthly", "2022-05,NL,66815", "2022-04,NL,66815", r"row 4: duplicate key \(date = '2022-04', geo = 'NL'\)"),
        ("ukraine_shelter_nl", "2022-03-28,day,11000,18369", "2022-03-28,day,11000,lots", r"in_municipal_shelter = 'lots' is not a number"),
        ("ukraine_shelter_nl", "99.8,35,99.8", "998,35,99.8", r"occupancy_pct_reported = 998 is not a percentage"),
    ],
)
def test_malformed_data_names_file_row_and_problem(data_copy: Path, name: str, old: str, new: str, message: str) -> None:
    path = _corrupt(data_copy, name, old, new)
    with pytest.raises(DataError, match=message) as err:
        data.load_history(data_copy)
    assert str(path) in str(err.value)


def test_missing_column_and_missing_file(data_copy: Path) -> None:
    _corrupt(data_copy, "eurostat_tp_nl_monthly", "tp_grants_in_month", "grants")
    with pytest.raises(DataError, match=r"missing column\(s\) \['tp_grants_in_month'\]"):
        data.load_history(data_copy)
    (data_copy / "ukraine_shelter_nl.csv").unlink()
    with pytest.raises(DataError, match="ukraine_shelter_nl.csv: data file not found"):
        data.load_history(data_copy)
    with pytest.raises(DataError, match="unknown data file 'shelter'"):
        data.load_history(files={"shelter": "x.csv"})


def test_municipalities() -> None:
    mun = data.load_municipalities()
    assert len(mun) == 342 and mun["code"].is_unique
    assert mun["population"].sum() == 17_942_942  # datasets/README.md


def test_bad_municipality_code(data_copy: Path) -> None:
    _corrupt(data_copy, "municipalities", "GM0014,Groningen", "G14,Groningen")
    with pytest.raises(DataError, match="code 'G14' is not GM"):
        data.load_municipalities(data_copy)


def test_save_table_writes_csv_and_excel(tmp_path: Path) -> None:
    frame = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=2, freq="MS"), "value": [1.0, 2.0]})
    path = data.save_table(frame, "demo", tmp_path)
    assert path == tmp_path / "tables" / "demo.csv"
    assert pd.read_csv(path)["value"].tolist() == [1.0, 2.0]
    assert (tmp_path / "tables" / "demo.xlsx").is_file()
    assert data.save_table(frame, "demo", None) is None


def test_pickle_round_trip(tmp_path: Path) -> None:
    obj = {"a": np.arange(3)}
    data.save_pickle(obj, tmp_path / "c" / "x.pkl")
    assert np.array_equal(data.load_pickle(tmp_path / "c" / "x.pkl")["a"], obj["a"])
