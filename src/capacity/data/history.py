"""Combine the published series into the canonical monthly history; pivot it; read its latest values.

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
* **New counts a planner adds** (the drop-in ``<project>/data/counts.csv``,
  :mod:`~capacity.data.dropin`) are reports like the shipped ones, read after them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from capacity.data.dropin import with_drop_ins
from capacity.data.files import data_files
from capacity.data.read import read_csv
from capacity.errors import DataError

HISTORY_COLUMNS = ("date", "variable", "value", "flag", "source", "note")
FLAGS = ("observed", "derived", "interpolated", "missing")
#: Flags of rows that carry a value (``missing`` rows carry none).
VALUED_FLAGS = ("observed", "derived", "interpolated")

#: Months in which Eurostat's NL TP stock drops by a register clean-up, not by departures
#: (datasets/README.md: "The stock breaks in Jan 2023 (109,820 -> 82,045) and Apr 2024
#: (121,450 -> 113,035) are register clean-ups, not outflows").
EUROSTAT_CLEANUP_MONTHS = (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-04-01"))


def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.to_period("M").dt.to_timestamp()


def _latest_in_month(frame: pd.DataFrame, column: str, variable: str, scale: float = 1.0) -> pd.DataFrame:
    """One row per month: the latest non-empty report of ``column`` in that month."""
    rows = frame.loc[frame[column].notna(), ["_sort", "_order", column, "source", "note"]]
    rows = rows.sort_values(["_sort", "_order"], kind="stable")
    rows["date"] = _month(rows["_sort"])
    counts = rows.groupby("date")[column].transform("size")
    rows = rows.assign(_n=counts).groupby("date", as_index=False).last()
    return pd.DataFrame(
        {
            "date": rows["date"],
            "variable": variable,
            "value": rows[column].astype(float) * scale,
            "flag": "observed",
            "source": rows["source"],
            "note": np.where(rows["_n"] > 1, "latest of " + rows["_n"].astype(str) + " reports in the month; ", "")
            + rows["note"].fillna("").astype(str),
        }
    )


def _shelter_reports(paths: Mapping[str, Path]) -> pd.DataFrame:
    """National shelter reports (then the rows of the planner's drop-in) plus the monitor report's anchor."""
    shelter = read_csv("ukraine_shelter_nl", paths["ukraine_shelter_nl"])
    if "series" not in shelter.columns or shelter["series"].isna().all():
        # a file in the format before June 2025 (no series): its counts are the biweekly table's
        shelter["series"] = np.where(shelter["registered_brp"].notna(), "table_press", None)
    shelter = with_drop_ins("ukraine_shelter_nl", shelter, paths)
    day = shelter["date"].str.len() > 7
    shelter["_sort"] = pd.to_datetime(shelter["date"].where(day, shelter["date"] + "-15"), format="%Y-%m-%d")
    facts = read_csv("monitor_report_facts", paths["monitor_report_facts"])
    anchor = facts[facts["date_or_period"] == "2025-02-28"].set_index("metric")
    extra = {}
    for metric, column in (
        ("registered_with_municipalities", "registered_brp"),
        ("in_municipal_emergency_shelter", "in_municipal_shelter"),
        ("shelter_occupancy", "occupancy_pct_reported"),
    ):
        if metric in anchor.index:
            extra[column] = _number(anchor.loc[metric, "value"], paths["monitor_report_facts"], metric)
    if extra:
        source = anchor["source"].iloc[0]
        extra_row = pd.DataFrame(
            [
                {
                    **extra,
                    "date": "2025-02-28",
                    "date_precision": "day",
                    "_sort": pd.Timestamp("2025-02-28"),
                    "source": source,
                    "series": "table_press",
                    "note": "monitor report anchor (monitor_report_facts.csv)",
                }
            ]
        )
        shelter = pd.concat([shelter, extra_row], ignore_index=True)
    shelter["_order"] = np.arange(len(shelter))
    return shelter


def _known_by(frame: pd.DataFrame, column: str, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Rows whose reference date (``column``) is on or before ``as_of`` (all with ``None``)."""
    return frame if as_of is None else frame[pd.to_datetime(frame[column]) <= as_of]


def registered_counts(
    data_dir: str | Path | None = None,
    files: Mapping[str, str] | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Every published registered count with the series it belongs to (the nowcast's observations).

    Returns:
        ``date`` (the count's day; month-dated reports at the 15th), ``value`` (persons),
        ``series`` (``rtb_letter`` | ``table_press``), ``source``, ``note``; only counts
        dated on or before ``as_of``.

    Raises:
        DataError: If a count has no series.

    """
    paths = data_files(data_dir, files)
    shelter = _known_by(_shelter_reports(paths), "_sort", None if as_of is None else pd.Timestamp(as_of))
    return _counts_frame(shelter, paths)


def _counts_frame(shelter: pd.DataFrame, paths: Mapping[str, Path]) -> pd.DataFrame:
    rows = shelter[shelter["registered_brp"].notna()]
    unnamed = rows[rows["series"].isna() | (rows["series"].astype(str).str.strip() == "")]
    if not unnamed.empty:
        first = unnamed.iloc[0]
        raise DataError(
            f"{paths['ukraine_shelter_nl']}: registered_brp = {first['registered_brp']:,.0f} on "
            f"{first['date']} has no series; expected rtb_letter (ministry letters) or "
            f"table_press (the biweekly table as quoted)"
        )
    return pd.DataFrame(
        {
            "date": rows["_sort"].to_numpy(),
            "value": rows["registered_brp"].astype(float).to_numpy(),
            "series": rows["series"].astype(str).str.strip().to_numpy(),
            "source": rows["source"].to_numpy(),
            "note": rows["note"].fillna("").to_numpy(),
        }
    )


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
        rows.append(
            {
                "date": date,
                "variable": variable,
                "value": float(filled[date]),
                "flag": "interpolated",
                "source": f"linear interpolation between reports of {before:%Y-%m} and {after:%Y-%m}",
                "note": "",
            }
        )
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def _number(value: object, path: Path, metric: str) -> float:
    """Return a fact's value as a number (a validated file may hold a range or a date there)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DataError(f"{path}: {metric} = {str(value)[:40]!r} is not a number; expected a count") from None


def _point(row: pd.Series, path: Path) -> tuple[pd.Timestamp, float]:
    """Return (end date, count) of a cumulative fact; the end of a period ``a/b`` is ``b``."""
    end = str(row["date_or_period"]).split("/")[-1]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", end):
        raise DataError(
            f"{path}: {row['metric']} dated {row['date_or_period']!r}; expected a cumulative count "
            f"dated to a day (2024-11-01) or a period ending on one (2022-02-24/2024-11-01)"
        )
    return pd.Timestamp(end), _number(row["value"], path, str(row["metric"]))


def _cumulative_departures(paths: Mapping[str, Path]) -> pd.DataFrame:
    """Return the published cumulative departures since 24 Feb 2022: (date, count, source)."""
    cbs = read_csv("ukraine_registrations_cbs", paths["ukraine_registrations_cbs"])
    facts = read_csv("monitor_report_facts", paths["monitor_report_facts"])
    points = [(pd.Timestamp("2022-02-24"), 0.0, "start of the war (24 Feb 2022)")]
    pick = cbs[
        cbs["metric"].isin(["cumulative_deregistrations_Ukrainians", "cumulative_departures_of_registered_refugees"])
    ]
    for _, r in pick.iterrows():
        points.append((*_point(r, paths["ukraine_registrations_cbs"]), f"{r['metric']}: {r['source']}"))
    dep = facts[facts["metric"] == "departed_since_arrival"]
    for _, r in dep.iterrows():
        points.append((*_point(r, paths["monitor_report_facts"]), f"departed_since_arrival: {r['source']}"))
    # The BZK count of 15 Dec 2024 (47,500 deregistered) uses another definition than CBS's
    # departures (51,748 by 1 Nov 2024) and is left out rather than mixed in.
    cum = pd.DataFrame(points, columns=["date", "count", "source"]).sort_values("date")
    cum = cum.drop_duplicates("date", keep="last").reset_index(drop=True)
    falls = np.flatnonzero(np.diff(cum["count"]) < 0)
    if falls.size:
        k = int(falls[0])
        raise DataError(
            f"{paths['ukraine_registrations_cbs']} / {paths['monitor_report_facts']}: cumulative departures "
            f"fall from {cum['count'].iloc[k]:,.0f} ({cum['date'].iloc[k]:%Y-%m-%d}) to "
            f"{cum['count'].iloc[k + 1]:,.0f} ({cum['date'].iloc[k + 1]:%Y-%m-%d}); expected counts since "
            f"24 Feb 2022 that never fall"
        )
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
        rows.append(
            {
                "date": start,
                "variable": "departures",
                "value": float(v1 - v0),
                "flag": "interpolated",
                "source": f"{cum['source'].iloc[k - 1]} -> {cum['source'].iloc[k]}",
                "note": (
                    f"cumulative departures interpolated linearly between {cum['date'].iloc[k - 1]:%Y-%m-%d} "
                    f"({cum['count'].iloc[k - 1]:,.0f}) and {cum['date'].iloc[k]:%Y-%m-%d} "
                    f"({cum['count'].iloc[k]:,.0f})"
                ),
            }
        )
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def _eurostat(paths: Mapping[str, Path]) -> pd.DataFrame:
    euro = read_csv("eurostat_tp_nl_monthly", paths["eurostat_tp_nl_monthly"])
    if not (euro["geo"] == "NL").any():
        found = ", ".join(sorted(map(str, euro["geo"].unique()))[:5])
        raise DataError(
            f"{paths['eurostat_tp_nl_monthly']}: no rows with geo = NL (found {found}); "
            "expected the Netherlands' monthly figures"
        )
    euro = euro[euro["geo"] == "NL"].copy()
    euro["date"] = pd.to_datetime(euro["date"] + "-01")
    euro = euro.sort_values("date").reset_index(drop=True)
    src = euro["source"].where(euro["source"] != "same as first row", euro["source"].iloc[0])
    stock = euro["tp_beneficiaries_stock_end_month"]
    grants = euro["tp_grants_in_month"]
    implied = stock.shift() + grants - stock
    frames = [
        pd.DataFrame(
            {
                "date": euro["date"],
                "variable": "arrivals",
                "value": grants,
                "flag": "observed",
                "source": src,
                "note": "Eurostat TP grants in the month (all citizenships), rounded to 5",
            }
        ),
        pd.DataFrame(
            {
                "date": euro["date"],
                "variable": "tp_stock",
                "value": stock,
                "flag": "observed",
                "source": src,
                "note": "Eurostat TP stock at month end (all citizenships), rounded to 5",
            }
        ),
    ]
    cleanup = euro["date"].isin(EUROSTAT_CLEANUP_MONTHS)
    frames.append(
        pd.DataFrame(
            {
                "date": euro.loc[cleanup, "date"],
                "variable": "register_cleanup",
                "value": implied[cleanup],
                "flag": "derived",
                "source": "DERIVED from Eurostat: stock[t-1] + grants[t] - stock[t]",
                "note": "register clean-up of the TP stock, not an outflow of that month (datasets/README.md)",
            }
        )
    )
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
    parts[3] = pd.concat(
        [
            occ,
            pd.DataFrame(
                {
                    "date": derived["date"],
                    "variable": "occupancy_rate",
                    "value": derived["value_in"] / derived["value_pl"],
                    "flag": "derived",
                    "source": "DERIVED: in_shelter / places of the same month",
                    "note": "",
                }
            ),
        ],
        ignore_index=True,
    )
    return pd.concat(parts, ignore_index=True)


def _mark_missing(history: pd.DataFrame) -> pd.DataFrame:
    """Add ``missing`` rows for every variable's months without a value, over the whole span."""
    months = pd.date_range(history["date"].min(), history["date"].max(), freq="MS")
    full = pd.MultiIndex.from_product([history["variable"].unique(), months], names=["variable", "date"])
    have = pd.MultiIndex.from_frame(history[["variable", "date"]])
    absent = full.difference(have)
    sparse = {"register_cleanup"}  # only defined in clean-up months
    rows = pd.DataFrame(
        [
            {
                "date": d,
                "variable": v,
                "value": np.nan,
                "flag": "missing",
                "source": "",
                "note": "no published figure for this month",
            }
            for v, d in absent
            if v not in sparse
        ],
        columns=list(HISTORY_COLUMNS),
    )
    return pd.concat([history, rows], ignore_index=True)


def load_history(
    data_dir: str | Path | None = None,
    files: Mapping[str, str] | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Build the canonical monthly history from the published series.

    Args:
        data_dir: Folder with the CSVs (``None``: the shipped copies).
        files: Per-file overrides ``{name: path}``.
        as_of: Use only what was known on this day: reports dated after it, Eurostat months
            ending after it and cumulative departure counts dated after it are left out
            (``None``: everything).

    Returns:
        Long frame with columns ``date, variable, value, flag, source, note``; variables
        ``registered``, ``in_shelter``, ``places``, ``occupancy_rate`` (share),
        ``arrivals``, ``departures`` (persons/month), ``tp_stock`` and
        ``register_cleanup`` (persons). See the module docstring for the rules.

    Raises:
        DataError: If a file is missing or malformed.

    """
    paths = data_files(data_dir, files)
    cut = None if as_of is None else pd.Timestamp(as_of).normalize()
    shelter = _known_by(_shelter_reports(paths), "_sort", cut)
    stocks = _shelter_history(shelter)
    registered = stocks[stocks["variable"] == "registered"]
    euro = _eurostat(paths)
    if cut is not None:
        euro = euro[euro["date"] + pd.offsets.MonthEnd(0) <= cut]
    history = pd.concat(
        [
            stocks,
            _interpolate_stock(registered, "registered"),
            euro,
            _monthly_departures(_known_by(_cumulative_departures(paths), "date", cut)),
        ],
        ignore_index=True,
    )
    # The departure count starts on 24 Feb 2022; the history starts with the first month of
    # the other series (March 2022), so that February is not shown as a gap everywhere.
    start = history.loc[history["variable"] != "departures", "date"].min()
    history = _mark_missing(history[history["date"] >= start])
    history["date"] = pd.to_datetime(history["date"])
    history["note"] = history["note"].fillna("").astype(str)
    history["source"] = history["source"].fillna("").astype(str)
    history = check_history(history.sort_values(["variable", "date"], kind="stable").reset_index(drop=True))
    # the nowcast reads every count with its series, not only the month's latest
    history.attrs["registered_counts"] = _counts_frame(shelter, paths)
    return history


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


def _require(history: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in history.columns]
    if missing:
        raise DataError(
            f"history must have columns {list(columns)} (capacity.data.load_history); "
            f"lacks {missing}, has {list(history.columns)}"
        )


def history_wide(history: pd.DataFrame, *, flags: tuple[str, ...] = VALUED_FLAGS) -> pd.DataFrame:
    """Return the long history as one column per variable and one row per month.

    Args:
        history: Long history frame (:func:`load_history`).
        flags: Flags whose values to keep; other rows count as missing.

    Returns:
        Frame indexed by ``date`` (every month start from the history's first to its last
        month), one column per variable kept; NaN where no kept value. If a
        (variable, date) pair repeats, its last row wins.

    Raises:
        DataError: If ``history`` lacks a column ``date, variable, value, flag``.

    """
    _require(history, ("date", "variable", "value", "flag"))
    kept = history[history["flag"].isin(flags)]
    wide = kept.pivot_table(index="date", columns="variable", values="value", aggfunc="last", dropna=False)
    months = pd.date_range(pd.Timestamp(history["date"].min()), pd.Timestamp(history["date"].max()), freq="MS")
    return wide.reindex(months).rename_axis("date").rename_axis(None, axis=1)


def observed(history: pd.DataFrame, variable: str, *, after: pd.Timestamp | None = None) -> pd.Series:
    """Return the observed values of ``variable`` indexed by month, oldest first.

    Args:
        history: Long history frame (:func:`load_history`).
        variable: E.g. ``registered`` (persons).
        after: Keep only months after this one (``None``: all).

    """
    _require(history, ("date", "variable", "value", "flag"))
    rows = history[(history["variable"] == variable) & (history["flag"] == "observed") & history["value"].notna()]
    values = rows.set_index("date")["value"].sort_index(kind="stable").astype(float)
    return values[values.index > after] if after is not None else values


def last_observed(history: pd.DataFrame, variable: str) -> tuple[pd.Timestamp, float]:
    """Return (month, value) of the latest observed value of ``variable``.

    Raises:
        DataError: If the variable has no observed value.

    """
    values = observed(history, variable)
    if values.empty:
        raise DataError(f"history has no observed value of {variable!r}")
    return pd.Timestamp(values.index[-1]), float(values.iloc[-1])
