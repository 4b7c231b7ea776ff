from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity import data, params
from capacity.data import quality
from capacity.errors import DataError
from capacity.params.base import DataConfig

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
    assert reg.loc["2025-04-01", "flag"] == "observed"
    assert reg.loc["2025-05-01", "flag"] == "interpolated"  # between 121,000 (Apr) and 129,230 (Jun 2025)
    assert reg.loc["2025-05-01", "value"] == pytest.approx((121_000 + 129_230) / 2, rel=0.01)
    assert "interpolation" in reg.loc["2025-05-01", "source"]


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
    # Eurostat grants end in August 2024; the history runs to the last count (June 2025)
    assert arrivals["from"].max() == pd.Timestamp("2024-09-01") and arrivals["months"].max() == 10


def test_newer_file_by_parameter(data_copy: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer_shelter.csv"
    text = (data_copy / "ukraine_shelter_nl.csv").read_text(encoding="utf-8")
    newer.write_text(text + '2025-07-10,day,119000,93000,94000,,,,"test source","",table_press\n', encoding="utf-8")
    history = data.load_history(files={"ukraine_shelter_nl": str(newer)})
    wide = data.history_wide(history)
    assert wide.loc["2025-07-01", "registered"] == 119_000


def test_scenario_files_resolve_data_dir_and_per_file_overrides(data_copy: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer_shelter.csv"
    cfg = params.load().data.model_copy(
        update={"data_dir": str(data_copy), "files": {"ukraine_shelter_nl": str(newer)}}
    )
    files = data.scenario_files(cfg)
    assert set(files) == set(data.SPECS)
    assert files["ukraine_shelter_nl"] == newer and files["municipalities"] == data_copy / "municipalities.csv"
    assert data.scenario_files(params.load().data) == data.data_files()


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2024-01-01", "2024-01-01", 0),
        ("2024-01-01", "2025-03-01", 14),
        ("2025-03-01", "2024-01-01", -14),
        ("2024-01-31", "2024-02-01", 1),
    ],
)
def test_months_between_counts_calendar_months(start: str, end: str, months: int) -> None:
    assert data.months_between(pd.Timestamp(start), pd.Timestamp(end)) == months


def test_months_between_a_month_and_an_index_gives_one_count_each() -> None:
    dates = pd.date_range("2023-11-01", periods=4, freq="MS")
    assert list(data.months_between(pd.Timestamp("2024-01-01"), dates)) == [-2, -1, 0, 1]


def test_history_wide_spans_every_month_and_last_observed_skips_other_flags() -> None:
    long = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-04-01", "2024-01-01"]),
            "variable": ["registered", "registered", "registered", "places"],
            "value": [100.0, 120.0, 125.0, np.nan],
            "flag": ["observed", "observed", "interpolated", "missing"],
        }
    )
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
        (
            "eurostat_tp_nl_monthly",
            "2022-05,NL,66815",
            "2022-05,NL,-66815",
            r"row 4: tp_beneficiaries_stock_end_month = '-66815' is negative",
        ),
        (
            "eurostat_tp_nl_monthly",
            "2022-05,NL,66815",
            "2022-04,NL,66815",
            r"row 4: duplicate key \(date = '2022-04', geo = 'NL'\)",
        ),
        (
            "ukraine_shelter_nl",
            "2022-03-28,day,11000,18369",
            "2022-03-28,day,11000,lots",
            r"in_municipal_shelter = 'lots' is not a number",
        ),
        ("ukraine_shelter_nl", "99.8,35,99.8", "998,35,99.8", r"occupancy_pct_reported = '998' is not a percentage"),
    ],
)
def test_malformed_data_names_file_row_and_problem(
    data_copy: Path, name: str, old: str, new: str, message: str
) -> None:
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
    with pytest.raises(DataError, match=r"municipalities.csv, row 2: code = 'G14' is not GM"):
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


# --- Files a planner drops in: Dutch conventions, encodings, implausible values -------------


def _numeric_columns(name: str, header: list[str]) -> list[str]:
    spec = data.SPECS[name]
    cols = (*spec.counts, *spec.text_counts, *spec.shares_pct, *(("value",) if spec.value_forms else ()))
    return [c for c in cols if c in header]


def dutch_number(cell: str) -> str:
    """Write a canonical number (or range a-b) as Dutch Excel does: 120820 -> 120.820, 99.8 -> 99,8."""
    parts = cell.split("-") if cell and cell[0].isdigit() and cell.count("-") == 1 else [cell]
    out = []
    for part in parts:
        if re.fullmatch(r"\d+", part):
            part = f"{int(part):,}".replace(",", ".")
        elif re.fullmatch(r"\d+\.\d+", part):
            whole, frac = part.split(".")
            part = f"{int(whole):,}".replace(",", ".") + "," + frac
        out.append(part)
    return "-".join(out)


def dutch_date(cell: str) -> str:
    """2025-03-19 -> 19-03-2025 and 2022-05 -> 05-2022 (each end of a/b); other forms unchanged."""
    out = []
    for part in cell.split("/"):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
            part = "-".join(reversed(part.split("-")))
        elif re.fullmatch(r"\d{4}-\d{2}", part):
            part = "-".join(reversed(part.split("-")))
        out.append(part)
    return "/".join(out)


def to_dutch(text: str, name: str, *, dates: bool = True) -> str:
    """Rewrite a shipped CSV as a Dutch Excel export: ';', decimal commas, '.' thousands, dd-mm-jjjj."""
    rows = list(csv.reader(io.StringIO(text)))
    header, spec = rows[0], data.SPECS[name]
    numeric = [header.index(c) for c in _numeric_columns(name, header)]
    units = header.index("unit") if "unit" in header else None
    for row in rows[1:]:
        for j in numeric:
            if j < len(row):
                is_date = units is not None and row[units] == "date"
                row[j] = dutch_date(row[j]) if is_date else dutch_number(row[j])
        if dates:
            row[header.index(spec.date_column)] = dutch_date(row[header.index(spec.date_column)])
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _shipped(name: str) -> str:
    return (SHIPPED / f"{name}.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(data.SPECS))
def test_a_dutch_excel_export_of_every_shipped_file_reads_the_same_values(name: str, tmp_path: Path) -> None:
    original = data.read_csv(name, SHIPPED / f"{name}.csv")
    path = tmp_path / f"{name}.csv"
    path.write_text(to_dutch(_shipped(name), name), encoding="utf-8")
    pd.testing.assert_frame_equal(data.read_csv(name, path), original)


def test_dutch_history_equals_the_shipped_history(data_copy: Path, history: pd.DataFrame) -> None:
    for name in ("ukraine_shelter_nl", "eurostat_tp_nl_monthly", "monitor_report_facts", "ukraine_registrations_cbs"):
        path = data_copy / f"{name}.csv"
        path.write_text(to_dutch(path.read_text(encoding="utf-8"), name), encoding="utf-8")
    pd.testing.assert_frame_equal(data.load_history(data_copy), history)


def test_120_820_is_120820_in_a_dutch_file_and_an_error_in_a_comma_file(data_copy: Path) -> None:
    path = data_copy / "ukraine_shelter_nl.csv"
    dutch = to_dutch(path.read_text(encoding="utf-8"), "ukraine_shelter_nl")
    assert "19-03-2025;week;120.820;93.770;93.970;99,8" in dutch
    path.write_text(dutch, encoding="utf-8")
    frame = data.read_csv("ukraine_shelter_nl", path).set_index("date")
    assert frame.loc["2025-03-19", "registered_brp"] == 120_820
    assert frame.loc["2025-03-19", "occupancy_pct_reported"] == 99.8
    assert data.history_wide(data.load_history(data_copy)).loc["2025-03-01", "registered"] == 120_820
    # the same figure with a thousands dot in a comma-separated file is an error, never 120.82
    comma = _shipped("ukraine_shelter_nl").replace("2025-03-19,week,120820", "2025-03-19,week,120.820")
    path.write_text(comma, encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"ukraine_shelter_nl.csv, row 46: registered_brp = '120.820' has a '\.' "
        r"followed by three digits.*write 120820",
    ):
        data.read_csv("ukraine_shelter_nl", path)
    # in a facts file too (unit persons)
    facts = data_copy / "monitor_report_facts.csv"
    facts.write_text(_shipped("monitor_report_facts").replace(",120680,persons", ",120.680,persons"), encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2: value = '120.680' has a '\.' followed by three digits"):
        data.read_csv("monitor_report_facts", facts)
    facts.write_text(to_dutch(_shipped("monitor_report_facts"), "monitor_report_facts"), encoding="utf-8")
    assert "120.680" in facts.read_text(encoding="utf-8")
    assert data.read_csv("monitor_report_facts", facts)["value"].iloc[0] == "120680"


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("cp1252", "monitor_report_facts"),
        ("utf-16", "ukraine_shelter_nl"),
        ("utf-8-sig", "municipalities"),
        ("utf-16", "policy_timeline"),
    ],
)
def test_cp1252_and_utf16_files_read_the_same(tmp_path: Path, encoding: str, name: str) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(_shipped(name).encode(encoding))
    pd.testing.assert_frame_equal(data.read_csv(name, path), data.read_csv(name, SHIPPED / f"{name}.csv"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"the file is empty"),
        (b"  \r\n\r\n", r"the file is empty"),
        (None, r"has a header but no data rows"),
        (b"PK\x03\x04rest-of-an-xlsx", r"Excel workbook, not a CSV file.*CSV UTF-8"),
        ("date,geo\n".encode("utf-16-le"), r"NUL bytes.*UTF-16 without a byte-order mark"),
        (b"date\tgeo\ttp_beneficiaries_stock_end_month\n", r"missing column\(s\).*read as UTF-8 with tab"),
        (b"date geo stock\n2022-03 NL 5\n", r"no ',' or ';' between the column names"),
        (
            b"date,geo,tp_beneficiaries_stock_end_month,tp_grants_in_month,source\n2022-03,NL,1,1,s,extra\n",
            r"row 2: 6 fields, but the header has 5; a ',' inside a value needs quotes",
        ),
        (
            b'date,geo,tp_beneficiaries_stock_end_month,tp_grants_in_month,source\n2022-03,NL,"1,5",1,s\n',
            r"number '1,5' has a comma inside",
        ),
        (
            b"date;geo;tp_beneficiaries_stock_end_month;tp_grants_in_month;source\n03-2022;NL;1,5;99.5;s\n",
            r"mixes decimal points \('99.5'\) and decimal commas \('1,5'\)",
        ),
        (b"date,geo,geo,source\n", r"column 'geo' appears twice"),
    ],
)
def test_unreadable_files_are_one_line_errors_naming_the_file(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "eurostat_tp_nl_monthly.csv"
    path.write_bytes(
        _shipped("eurostat_tp_nl_monthly").splitlines(keepends=True)[0].encode() if content is None else content
    )
    with pytest.raises(DataError, match=message) as err:
        data.read_csv("eurostat_tp_nl_monthly", path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("ukraine_shelter_nl", "2025-03-19,week,120820", "19-03-2025,week,120820", None),
        (
            "ukraine_shelter_nl",
            "2025-03-19,week,120820",
            "19/03/2025,week,120820",
            r"row 46: date = '19/03/2025' is not a date \(day and month order unknown: write 2025-03-19\)",
        ),
        (
            "ukraine_shelter_nl",
            "2025-03-19,week,120820",
            "2025-03-19,week,inf",
            r"row 46: registered_brp = 'inf' is not a finite number",
        ),
        (
            "ukraine_shelter_nl",
            "2025-03-19,week,120820",
            "2025-03-19,week,NaN",
            r"registered_brp = 'NaN' is not a finite",
        ),
        (
            "ukraine_shelter_nl",
            "2025-03-19,week,120820",
            "2025-03-19,week,1e12",
            r"registered_brp = '1e12' is implausible; expected a count of at most 10,000,000",
        ),
        (
            "ukraine_shelter_nl",
            "2025-03-19,week,120820",
            "2025-03-19,week,12082000",
            r"registered_brp = '12082000' is implausible",
        ),
        (
            "ukraine_shelter_nl",
            "2022-09-19,day,77920",
            "2022-09-19,day,7792000",
            r"row 30: registered_brp = '7792000' is 82 times off its neighbouring value\(s\) 78,000, 95,000",
        ),
        (
            "ukraine_shelter_nl",
            "2024-12-15,day,123680",
            "2024-12-15,day,1237",
            r"row 44: registered_brp = '1237' is 86 times off its neighbouring value\(s\) 106,000, 124,310",
        ),
        (
            "ukraine_shelter_nl",
            "2024-12-15,day,123680",
            "2024-12-15,day,1236.5",
            r"registered_brp = '1236.5' is not a whole number",
        ),
        (
            "eurostat_tp_nl_monthly",
            "2022-05,NL,66815",
            "2022-05,NL,668",
            r"row 4: tp_beneficiaries_stock_end_month = '668' is \d+ times off",
        ),
        ("ukraine_shelter_nl", "2025-03-19,week", "2031-03-19,week", r"row 46: date = '2031-03-19' is in the future"),
        ("ukraine_shelter_nl", "2022-03-11,day", "2012-03-11,day", r"row 2: date = '2012-03-11' is before 2022-01-01"),
        ("ukraine_shelter_nl", "2022-03-11,day", "2022,day", r"row 2: date = '2022' is not a date"),
        ("ukraine_registrations_cbs", ",10,persons,", ",ten,persons,", r"row 2: value = 'ten' is not a number"),
        (
            "ind_asylum_figures",
            "2021,first_asylum_applications,24686",
            "2021,first_asylum_applications,",
            r"row 2: value is empty; every row needs a value",
        ),
        (
            "municipalities",
            "GM0014,Groningen,Groningen,243768",
            "GM0014,Groningen,Groningen,",
            r"row 2: population is empty",
        ),
        (
            "municipalities",
            "GM0014,Groningen,Groningen,243768",
            "GM0014,Groningen,Groningen,-5",
            r"row 2: population = '-5' is negative",
        ),
    ],
)
def test_implausible_values_name_file_row_column_and_value(
    data_copy: Path, name: str, old: str, new: str, message: str | None
) -> None:
    path = _corrupt(data_copy, name, old, new)
    today = pd.Timestamp("2026-01-15")
    if message is None:
        frame = data.read_csv(name, path, today=today)
        assert frame.set_index("date").loc["2025-03-19", "registered_brp"] == 120_820
        return
    with pytest.raises(DataError, match=message) as err:
        data.read_csv(name, path, today=today)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_file_without_rows_is_an_error_also_for_municipalities(data_copy: Path) -> None:
    path = data_copy / "municipalities.csv"
    path.write_text(_shipped("municipalities").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="municipalities.csv: has a header but no data rows"):
        data.load_municipalities(data_copy)


def test_relative_data_paths_count_from_the_project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from capacity.data.files import project_root

    monkeypatch.chdir(tmp_path)  # not the working directory: notebooks run elsewhere
    root = project_root()
    assert data.data_files("data")["municipalities"] == root / "data" / "municipalities.csv"
    assert data.data_files(files={"municipalities": "x/m.csv"})["municipalities"] == root / "x" / "m.csv"
    assert data.data_files(str(tmp_path))["municipalities"] == tmp_path / "municipalities.csv"


def test_check_files_and_check_scenario_data(data_copy: Path, tmp_path: Path) -> None:
    assert data.check_files(data.data_files()) == []
    _corrupt(data_copy, "ukraine_shelter_nl", "2025-03-19,week,120820", "2025-03-19,week,120.820")
    (data_copy / "municipalities.csv").write_text("code,name\n", encoding="utf-8")
    problems = data.check_files(data.data_files(data_copy))
    assert len(problems) == 2 and all("\n" not in p for p in problems)
    assert any("ukraine_shelter_nl.csv, row 46: registered_brp = '120.820'" in p for p in problems)
    assert any("municipalities.csv: missing column(s)" in p for p in problems)
    cfg = DataConfig(data_dir="no/such/folder")
    (problem,) = data.check_scenario_data(cfg)
    assert "data.data_dir = 'no/such/folder': folder" in problem and "counts from the project folder" in problem
    assert data.check_scenario_data(DataConfig(files={"nope": "x.csv"})) == [
        "data.files: unknown data file 'nope'; expected one of " + str(sorted(data.SPECS)) + " or a drop-in ['counts']"
    ]
    assert data.check_scenario_data(DataConfig()) == []


def test_falling_cumulative_departures_name_the_files_without_a_dict(data_copy: Path) -> None:
    _corrupt(data_copy, "monitor_report_facts", "departed_since_arrival,51748", "departed_since_arrival,1748")
    with pytest.raises(DataError, match=r"monitor_report_facts.csv: cumulative departures fall from") as err:
        data.load_history(data_copy)
    assert "{" not in str(err.value)


def test_validate_opens_the_scenarios_data_files(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from capacity import cli

    scenario = tmp_path / "dropin.yaml"
    scenario.write_text(
        f"meta:\n  name: dropin\n  title: Drop-in data\ndata:\n  data_dir: {data_copy}\n", encoding="utf-8"
    )
    assert cli.main(["validate", str(scenario)]) == 0
    _corrupt(data_copy, "ukraine_shelter_nl", "2025-03-19,week,120820", "2025-03-19,week,120.820")
    assert cli.main(["validate", str(scenario)]) != 0
    out = capsys.readouterr()
    line = "ukraine_shelter_nl.csv, row 46: registered_brp = '120.820' has a '.' followed by three digits"
    assert f"ERROR  {data_copy}/{line}" in out.out and "Traceback" not in out.out + out.err
