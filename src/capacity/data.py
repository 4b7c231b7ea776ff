"""Read, validate and combine the published series into the canonical monthly history.

All reading of data files happens here. The shipped CSVs in ``capacity/datasets/`` are
published figures with their sources (see ``datasets/README.md``); a user can point a run
at newer files in the same format with ``data.data_dir`` or ``data.files`` in the scenario.

The canonical history is long and tidy: ``date`` (month start), ``variable``, ``value``,
``flag`` (``observed`` | ``derived`` | ``interpolated`` | ``missing``), ``source``, ``note``.
Rules used to build it (also shown in the data report):

* **Monthly value of a stock** (``registered``, ``in_shelter``, ``places``,
  ``occupancy_rate``): the latest report within the calendar month, taken as the stock of
  that month. Reports dated only to a month or week sort at the 15th; ties keep file order.
* **Arrivals**: Eurostat's temporary-protection grants per month (2022-03 .. 2024-08).
* **Departures**: Eurostat's NL stock is *not* decremented for people who leave between
  register clean-ups (its stock identity gives ~0 or negative monthly outflows and then a
  drop of 31,040 in Jan 2023 and 10,395 in Apr 2024), so departures are not derived from it.
  They come from the published cumulative departure counts (CBS; BZK deregistrations),
  spread over the months between two published points by linear interpolation of the
  cumulative count: flagged ``interpolated`` with both points in ``source``.
* **Register clean-ups** of the Eurostat stock (Jan 2023, Apr 2024) are kept as variable
  ``register_cleanup`` (flag ``derived``), the implied outflow of that month, and never
  smoothed away.
* **Registered between reports**: linear interpolation between two reports, flagged
  ``interpolated``; before the first and after the last report: ``missing``.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capacity.errors import DataError

log = logging.getLogger(__name__)

HISTORY_COLUMNS = ("date", "variable", "value", "flag", "source", "note")
FLAGS = ("observed", "derived", "interpolated", "missing")

#: Months in which Eurostat's NL TP stock drops by a register clean-up, not by departures
#: (datasets/README.md: "The stock breaks in Jan 2023 (109,820 -> 82,045) and Apr 2024
#: (121,450 -> 113,035) are register clean-ups, not outflows").
EUROSTAT_CLEANUP_MONTHS = (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-04-01"))


@dataclass(frozen=True)
class FileSpec:
    """What a data file must contain: key columns, date column and count columns."""

    required: tuple[str, ...]
    date_column: str
    key: tuple[str, ...]
    counts: tuple[str, ...] = ()
    shares_pct: tuple[str, ...] = ()
    date_is_period: bool = False


SPECS: dict[str, FileSpec] = {
    "ukraine_shelter_nl": FileSpec(
        required=("date", "date_precision", "registered_brp", "in_municipal_shelter",
                  "shelter_places", "occupancy_pct_reported", "source"),
        date_column="date", key=(),  # several reports per month are expected
        counts=("registered_brp", "in_municipal_shelter", "shelter_places", "free_places_reported"),
        shares_pct=("occupancy_pct_reported", "occupancy_pct_derived"),
    ),
    "eurostat_tp_nl_monthly": FileSpec(
        required=("date", "geo", "tp_beneficiaries_stock_end_month", "tp_grants_in_month", "source"),
        date_column="date", key=("date", "geo"),
        counts=("tp_beneficiaries_stock_end_month", "tp_grants_in_month",
                "asylum_applicants_excl_ukr", "asylum_pending_excl_ukr"),
    ),
    "monitor_report_facts": FileSpec(
        required=("date_or_period", "metric", "value", "unit", "source"),
        date_column="date_or_period", key=("date_or_period", "metric"), date_is_period=True,
    ),
    "ukraine_registrations_cbs": FileSpec(
        required=("date_or_period", "metric", "value", "unit", "source"),
        date_column="date_or_period", key=("date_or_period", "metric"), date_is_period=True,
    ),
    "ind_asylum_figures": FileSpec(
        required=("date_or_period", "metric", "value", "unit", "source"),
        date_column="date_or_period", key=("date_or_period", "metric"), date_is_period=True,
    ),
    "municipalities": FileSpec(
        required=("code", "name", "province", "population", "safety_region_code", "safety_region"),
        date_column="population_date", key=("code",), counts=("population",),
    ),
    "policy_timeline": FileSpec(
        required=("date", "category", "item", "source"), date_column="date", key=(),
        date_is_period=True,
    ),
    "dtv_intake_departures_annual": FileSpec(
        required=("year", "period", "source"), date_column="year", key=("year", "period"),
        date_is_period=True,
    ),
    "dtv_return_case_outcomes": FileSpec(
        required=("year", "metric", "value", "unit", "source"), date_column="year",
        key=("year", "metric"), date_is_period=True,
    ),
    "shelter_regional_points": FileSpec(
        required=("date", "region", "places", "occupied_or_in_shelter", "source"),
        date_column="date", key=(), counts=("places", "occupied_or_in_shelter", "target_places"),
    ),
}


def data_files(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Return the path of every known data file.

    Args:
        data_dir: Folder with the CSVs; ``None`` for the copies shipped in the package.
        files: Per-file overrides ``{name: path}`` (name without ``.csv``), e.g. a newer
            ``ukraine_shelter_nl`` in the same format.

    Raises:
        DataError: If an override names an unknown file.

    """
    folder = Path(data_dir) if data_dir is not None else Path(str(resources.files("capacity") / "datasets"))
    paths = {name: folder / f"{name}.csv" for name in SPECS}
    for name, path in (files or {}).items():
        if name not in SPECS:
            raise DataError(f"data.files: unknown data file {name!r}; expected one of {sorted(SPECS)}")
        paths[name] = Path(path)
    return paths


def _parse_period_start(text: str) -> pd.Timestamp | None:
    """Parse '2024', '2024-05', '2024-05-01', '2024-Q1', '2023-H1' or 'a/b' to a start date."""
    text = str(text).strip().split("/")[0]
    try:
        if len(text) == 4 and text.isdigit():
            return pd.Timestamp(f"{text}-01-01")
        if "-Q" in text:
            year, q = text.split("-Q")
            return pd.Timestamp(year=int(year), month=3 * (int(q) - 1) + 1, day=1)
        if "-H" in text:
            year, h = text.split("-H")
            return pd.Timestamp(year=int(year), month=6 * (int(h) - 1) + 1, day=1)
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        return None


def read_csv(name: str, path: Path | str) -> pd.DataFrame:
    """Read and validate one data file.

    Checks: the file exists and parses; required columns are present; every date parses;
    count columns are numbers >= 0; percentages lie in [0, 100]; key columns do not repeat.

    Raises:
        DataError: Naming the file, the row (as in a spreadsheet: header = row 1) and the
            problem.

    """
    spec = SPECS[name]
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: data file not found (expected the {name} table)")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as CSV: {exc}") from exc
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}")

    def row(i: int) -> str:
        return f"{path}, row {i + 2}"

    for i, value in frame[spec.date_column].items():
        if pd.isna(value):
            raise DataError(f"{row(i)}: column {spec.date_column!r} is empty; expected a date")
        parsed = _parse_period_start(value) if spec.date_is_period else _parse_date(value)
        if parsed is None:
            raise DataError(
                f"{row(i)}: {spec.date_column} = {value!r} is not a date (expected e.g. 2024-05-01 or 2024-05)"
            )
    for col in spec.counts + spec.shares_pct:
        if col not in frame.columns:
            continue
        numbers = pd.to_numeric(frame[col], errors="coerce")
        bad = frame[col].notna() & numbers.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{row(i)}: {col} = {frame[col].iloc[i]!r} is not a number")
        negative = numbers < 0
        if negative.any():
            i = int(np.flatnonzero(negative.to_numpy())[0])
            raise DataError(f"{row(i)}: {col} = {numbers.iloc[i]:g} is negative; counts must be >= 0")
        if col in spec.shares_pct and (numbers > 100).any():
            i = int(np.flatnonzero((numbers > 100).to_numpy())[0])
            raise DataError(f"{row(i)}: {col} = {numbers.iloc[i]:g} is not a percentage in [0, 100]")
        frame[col] = numbers
    if spec.key:
        dup = frame.duplicated(list(spec.key), keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            keys = ", ".join(f"{k} = {frame[k].iloc[i]!r}" for k in spec.key)
            raise DataError(f"{row(i)}: duplicate key ({keys}); each must appear once")
    return frame


def _parse_date(value: str) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(str(value).strip())
    except (ValueError, TypeError):
        return None


def load_table(name: str, data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read one shipped table (validated), e.g. ``"ind_asylum_figures"``.

    Raises:
        DataError: If the name is unknown or the file is malformed.

    """
    if name not in SPECS:
        raise DataError(f"unknown data table {name!r}; expected one of {sorted(SPECS)}")
    return read_csv(name, data_files(data_dir, files)[name])


def load_municipalities(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the 342 municipalities: code, name, province, population, safety region.

    Raises:
        DataError: If codes are not ``GM`` + 4 digits or populations are not positive.

    """
    frame = load_table("municipalities", data_dir, files)
    bad = ~frame["code"].str.fullmatch(r"GM\d{4}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"municipalities, row {i + 2}: code {frame['code'].iloc[i]!r} is not GM + 4 digits")
    frame["population"] = frame["population"].astype("int64")
    if (frame["population"] <= 0).any():
        raise DataError("municipalities: every population must be > 0")
    return frame


# --- canonical history ----------------------------------------------------------------


def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.to_period("M").dt.to_timestamp()


def _latest_in_month(frame: pd.DataFrame, column: str, variable: str, scale: float = 1.0) -> pd.DataFrame:
    """One row per month: the latest non-empty report of ``column`` in that month."""
    rows = frame.loc[frame[column].notna(), ["_sort", "_order", column, "source", "note"]]
    rows = rows.sort_values(["_sort", "_order"], kind="stable")
    rows["date"] = _month(rows["_sort"])
    counts = rows.groupby("date")[column].transform("size")
    rows = rows.assign(_n=counts).groupby("date", as_index=False).last()
    return pd.DataFrame({
        "date": rows["date"],
        "variable": variable,
        "value": rows[column].astype(float) * scale,
        "flag": "observed",
        "source": rows["source"],
        "note": np.where(rows["_n"] > 1, "latest of " + rows["_n"].astype(str) + " reports in the month; ", "")
        + rows["note"].fillna("").astype(str),
    })


def _shelter_reports(paths: Mapping[str, Path]) -> pd.DataFrame:
    """National shelter reports plus the monitor report's 28 Feb 2025 anchor figures."""
    shelter = read_csv("ukraine_shelter_nl", paths["ukraine_shelter_nl"])
    day = shelter["date"].str.len() > 7
    shelter["_sort"] = pd.to_datetime(
        shelter["date"].where(day, shelter["date"] + "-15"), format="%Y-%m-%d"
    )
    facts = read_csv("monitor_report_facts", paths["monitor_report_facts"])
    anchor = facts[facts["date_or_period"] == "2025-02-28"].set_index("metric")
    extra = {}
    for metric, column in (("registered_with_municipalities", "registered_brp"),
                           ("in_municipal_emergency_shelter", "in_municipal_shelter"),
                           ("shelter_occupancy", "occupancy_pct_reported")):
        if metric in anchor.index:
            extra[column] = float(anchor.loc[metric, "value"])
    if extra:
        source = anchor["source"].iloc[0]
        extra_row = pd.DataFrame([{**extra, "date": "2025-02-28", "date_precision": "day",
                                   "_sort": pd.Timestamp("2025-02-28"), "source": source,
                                   "note": "monitor report anchor (monitor_report_facts.csv)"}])
        shelter = pd.concat([shelter, extra_row], ignore_index=True)
    shelter["_order"] = np.arange(len(shelter))
    return shelter


def _interpolate_stock(observed: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Fill months between two reports by linear interpolation (flag ``interpolated``)."""
    if observed.empty:
        return observed
    obs = observed.set_index("date")["value"]
    months = pd.date_range(obs.index.min(), obs.index.max(), freq="MS")
    filled = obs.reindex(months).interpolate(method="time")
    rows = []
    known = list(obs.index)
    for date in months:
        if date in obs.index:
            continue
        before = max(d for d in known if d < date)
        after = min(d for d in known if d > date)
        rows.append({
            "date": date, "variable": variable, "value": float(filled[date]), "flag": "interpolated",
            "source": f"linear interpolation between reports of {before:%Y-%m} and {after:%Y-%m}",
            "note": "",
        })
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def _cumulative_departures(paths: Mapping[str, Path]) -> pd.DataFrame:
    """Return the published cumulative departures since 24 Feb 2022: (date, count, source)."""
    cbs = read_csv("ukraine_registrations_cbs", paths["ukraine_registrations_cbs"])
    facts = read_csv("monitor_report_facts", paths["monitor_report_facts"])
    points = [(pd.Timestamp("2022-02-24"), 0.0, "start of the war (24 Feb 2022)")]
    pick = cbs[cbs["metric"].isin(["cumulative_deregistrations_Ukrainians",
                                   "cumulative_departures_of_registered_refugees"])]
    for _, r in pick.iterrows():
        end = str(r["date_or_period"]).split("/")[-1]
        points.append((pd.Timestamp(end), float(r["value"]), f"{r['metric']}: {r['source']}"))
    dep = facts[facts["metric"] == "departed_since_arrival"]
    for _, r in dep.iterrows():
        end = str(r["date_or_period"]).split("/")[-1]
        points.append((pd.Timestamp(end), float(r["value"]), f"departed_since_arrival: {r['source']}"))
    # The BZK count of 15 Dec 2024 (47,500 deregistered) uses another definition than CBS's
    # departures (51,748 by 1 Nov 2024) and is left out rather than mixed in.
    cum = pd.DataFrame(points, columns=["date", "count", "source"]).sort_values("date")
    cum = cum.drop_duplicates("date", keep="last").reset_index(drop=True)
    if (np.diff(cum["count"]) < 0).any():
        raise DataError(f"cumulative departures decrease over time: {cum[['date', 'count']].to_dict('records')}")
    return cum


def _monthly_departures(cum: pd.DataFrame) -> pd.DataFrame:
    """Spread cumulative departures over calendar months (flag ``interpolated``)."""
    def days(ts: pd.Series | pd.Timestamp) -> np.ndarray:
        return np.asarray(pd.to_datetime(ts)).astype("datetime64[s]").astype(float) / 86_400

    known = days(cum["date"])
    first = cum["date"].iloc[0].to_period("M").to_timestamp()
    last = (cum["date"].iloc[-1] - pd.offsets.MonthBegin(1)).to_period("M").to_timestamp()
    rows = []
    for start in pd.date_range(first, last, freq="MS"):
        end = start + pd.offsets.MonthBegin(1)
        t0, t1 = (max(start, cum["date"].iloc[0]), end)
        v0, v1 = np.interp(days(pd.Series([t0, t1])), known, cum["count"])
        k = int(np.searchsorted(cum["date"], t1, side="left"))
        k = min(max(k, 1), len(cum) - 1)
        rows.append({
            "date": start, "variable": "departures", "value": float(v1 - v0), "flag": "interpolated",
            "source": f"{cum['source'].iloc[k - 1]} -> {cum['source'].iloc[k]}",
            "note": (f"cumulative departures interpolated linearly between {cum['date'].iloc[k - 1]:%Y-%m-%d} "
                     f"({cum['count'].iloc[k - 1]:,.0f}) and {cum['date'].iloc[k]:%Y-%m-%d} "
                     f"({cum['count'].iloc[k]:,.0f})"),
        })
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def _eurostat(paths: Mapping[str, Path]) -> pd.DataFrame:
    euro = read_csv("eurostat_tp_nl_monthly", paths["eurostat_tp_nl_monthly"])
    euro = euro[euro["geo"] == "NL"].copy()
    euro["date"] = pd.to_datetime(euro["date"] + "-01")
    euro = euro.sort_values("date").reset_index(drop=True)
    src = euro["source"].where(euro["source"] != "same as first row", euro["source"].iloc[0])
    stock = euro["tp_beneficiaries_stock_end_month"]
    grants = euro["tp_grants_in_month"]
    implied = stock.shift() + grants - stock
    frames = [
        pd.DataFrame({"date": euro["date"], "variable": "arrivals", "value": grants, "flag": "observed",
                      "source": src, "note": "Eurostat TP grants in the month (all citizenships), rounded to 5"}),
        pd.DataFrame({"date": euro["date"], "variable": "tp_stock", "value": stock, "flag": "observed",
                      "source": src, "note": "Eurostat TP stock at month end (all citizenships), rounded to 5"}),
    ]
    cleanup = euro["date"].isin(EUROSTAT_CLEANUP_MONTHS)
    frames.append(pd.DataFrame({
        "date": euro.loc[cleanup, "date"], "variable": "register_cleanup", "value": implied[cleanup],
        "flag": "derived", "source": "DERIVED from Eurostat: stock[t-1] + grants[t] - stock[t]",
        "note": "register clean-up of the TP stock, not an outflow of that month (datasets/README.md)",
    }))
    return pd.concat(frames, ignore_index=True)


def _shelter_history(shelter: pd.DataFrame) -> pd.DataFrame:
    parts = [
        _latest_in_month(shelter, "registered_brp", "registered"),
        _latest_in_month(shelter, "in_municipal_shelter", "in_shelter"),
        _latest_in_month(shelter, "shelter_places", "places"),
        _latest_in_month(shelter, "occupancy_pct_reported", "occupancy_rate", scale=0.01),
    ]
    occ = parts[3]
    both = parts[1].merge(parts[2], on="date", suffixes=("_in", "_pl"))
    derived = both.loc[~both["date"].isin(occ["date"])]
    parts[3] = pd.concat([occ, pd.DataFrame({
        "date": derived["date"], "variable": "occupancy_rate",
        "value": derived["value_in"] / derived["value_pl"], "flag": "derived",
        "source": "DERIVED: in_shelter / places of the same month", "note": "",
    })], ignore_index=True)
    return pd.concat(parts, ignore_index=True)


def _mark_missing(history: pd.DataFrame) -> pd.DataFrame:
    """Add ``missing`` rows for every variable's months without a value, over the whole span."""
    months = pd.date_range(history["date"].min(), history["date"].max(), freq="MS")
    full = pd.MultiIndex.from_product([history["variable"].unique(), months], names=["variable", "date"])
    have = pd.MultiIndex.from_frame(history[["variable", "date"]])
    absent = full.difference(have)
    sparse = {"register_cleanup"}  # only defined in clean-up months
    rows = pd.DataFrame([
        {"date": d, "variable": v, "value": np.nan, "flag": "missing",
         "source": "", "note": "no published figure for this month"}
        for v, d in absent if v not in sparse
    ], columns=list(HISTORY_COLUMNS))
    return pd.concat([history, rows], ignore_index=True)


def load_history(data_dir: str | Path | None = None, files: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Build the canonical monthly history from the published series.

    Args:
        data_dir: Folder with the CSVs (``None``: the shipped copies).
        files: Per-file overrides ``{name: path}``.

    Returns:
        Long frame with columns ``date, variable, value, flag, source, note``; variables
        ``registered``, ``in_shelter``, ``places``, ``occupancy_rate`` (share),
        ``arrivals``, ``departures`` (persons/month), ``tp_stock`` and
        ``register_cleanup`` (persons). See the module docstring for the rules.

    Raises:
        DataError: If a file is missing or malformed.

    """
    paths = data_files(data_dir, files)
    shelter = _shelter_reports(paths)
    stocks = _shelter_history(shelter)
    registered = stocks[stocks["variable"] == "registered"]
    history = pd.concat([
        stocks,
        _interpolate_stock(registered, "registered"),
        _eurostat(paths),
        _monthly_departures(_cumulative_departures(paths)),
    ], ignore_index=True)
    # The departure count starts on 24 Feb 2022; the history starts with the first month of
    # the other series (March 2022), so that February is not shown as a gap everywhere.
    start = history.loc[history["variable"] != "departures", "date"].min()
    history = _mark_missing(history[history["date"] >= start])
    history["date"] = pd.to_datetime(history["date"])
    history["note"] = history["note"].fillna("").astype(str)
    history["source"] = history["source"].fillna("").astype(str)
    return check_history(history.sort_values(["variable", "date"], kind="stable").reset_index(drop=True))


def check_history(history: pd.DataFrame) -> pd.DataFrame:
    """Check the history's shape; return it unchanged.

    Raises:
        DataError: On missing columns, unknown flags, repeated (variable, date), a non
            month-start date, or a negative count.

    """
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise DataError(f"history lacks columns {missing}")
    unknown = set(history["flag"]) - set(FLAGS)
    if unknown:
        raise DataError(f"history has unknown flags {sorted(unknown)}; expected {FLAGS}")
    if history.duplicated(["variable", "date"]).any():
        raise DataError("history repeats a (variable, date) pair")
    if not (history["date"].dt.day == 1).all():
        raise DataError("history dates must be month starts")
    counts = history[~history["variable"].isin(["occupancy_rate"])]
    if (counts["value"] < 0).any():
        bad = counts[counts["value"] < 0].iloc[0]
        raise DataError(f"history: {bad['variable']} = {bad['value']} on {bad['date']:%Y-%m} is negative")
    return history


def history_wide(
    history: pd.DataFrame, *, flags: tuple[str, ...] = ("observed", "derived", "interpolated")
) -> pd.DataFrame:
    """Return the history as one column per variable, indexed by month; other flags -> NaN."""
    kept = history[history["flag"].isin(flags)]
    wide = kept.pivot(index="date", columns="variable", values="value")
    months = pd.date_range(history["date"].min(), history["date"].max(), freq="MS")
    return wide.reindex(months).rename_axis("date").rename_axis(None, axis=1)


def last_observed(history: pd.DataFrame, variable: str) -> tuple[pd.Timestamp, float]:
    """Return (month, value) of the latest observed value of ``variable``.

    Raises:
        DataError: If the variable has no observed value.

    """
    rows = history[(history["variable"] == variable) & (history["flag"] == "observed")]
    if rows.empty:
        raise DataError(f"history has no observed value of {variable!r}")
    last = rows.sort_values("date").iloc[-1]
    return pd.Timestamp(last["date"]), float(last["value"])


# --- outputs --------------------------------------------------------------------------


def save_table(df: pd.DataFrame, name: str, out_dir: str | Path | None) -> Path | None:
    """Write ``df`` to ``<out_dir>/tables/<name>.csv`` and ``.xlsx``; return the CSV path.

    ``out_dir=None`` writes nothing (interactive use without an output folder).
    """
    if out_dir is None:
        return None
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{name}.csv"
    df.to_csv(csv, index=False)
    excel = df.copy()
    for col in excel.columns:
        if isinstance(excel[col].dtype, pd.DatetimeTZDtype):
            excel[col] = excel[col].dt.tz_localize(None)
    try:
        excel.to_excel(folder / f"{name}.xlsx", index=False)
    except (ValueError, TypeError) as exc:  # keep the CSV even if a cell type is not for Excel
        log.warning("could not write %s.xlsx: %s", name, exc)
    return csv


def save_pickle(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` to ``path`` atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def load_pickle(path: str | Path) -> Any:
    """Read an object written by :func:`save_pickle`."""
    with Path(path).open("rb") as fh:
        return pickle.load(fh)  # noqa: S301 - our own cache files only
