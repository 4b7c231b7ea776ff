"""Data-quality checks on the canonical history: coverage, gaps, breaks, identity, anchors.

Pure functions on the long history frame of :func:`capacity.data.load_history`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from capacity.data.dates import months_between
from capacity.data.history import FLAGS, history_wide, observed

#: Figures of the monitor report (March 2025) that the history must reproduce:
#: (variable, month, expected value, tolerance as a share, what it is).
ANCHOR_FACTS: tuple[tuple[str, str, float, float, str], ...] = (
    ("registered", "2025-02", 120_680, 0.0, "registered with municipalities, 28 Feb 2025"),
    ("in_shelter", "2025-02", 93_680, 0.0, "in municipal emergency shelter, 28 Feb 2025 (78 %)"),
    ("occupancy_rate", "2025-02", 0.998, 0.0, "shelter occupancy, 28 Feb 2025 (99.8 %)"),
    ("registered", "2024-12", 123_680, 0.0, "registered in the BRP under the TPD, 15 Dec 2024"),
)


#: The flags of a month with data: published, or spread between two published counts (never after the last).
DATA_FLAGS = frozenset({"observed", "interpolated"})


def data_end(history: pd.DataFrame) -> pd.Series:
    """Return each variable's last month with data, the one data end every page prints.

    The last month whose value is observed or interpolated between two published counts: for
    departures (CBS cumulative counts spread over the months between them) the month before the
    last count, the last month with a monthly figure. Derived and missing months do not count.
    Sorted by month, then variable.
    """
    have = history[history["value"].notna() & history["flag"].isin(DATA_FLAGS)]
    ends = have.groupby("variable")["date"].max()
    return ends.sort_values(kind="stable")


def coverage(history: pd.DataFrame) -> pd.DataFrame:
    """Return per variable: first and last month with a value and the count of each flag.

    Returns:
        Frame with columns ``variable, first, last, observed, derived, interpolated,
        missing, longest_gap_months`` (longest run of consecutive missing months).

    """
    rows = []
    for var, g in history.groupby("variable", sort=True):
        g = g.sort_values("date")
        valued = g[g["flag"] != "missing"]
        missing = (g["flag"] == "missing").to_numpy()
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, missing.astype(int), 0])))[::2] if missing.any() else [0]
        counts = g["flag"].value_counts()
        rows.append(
            {
                "variable": var,
                "first": valued["date"].min(),
                "last": valued["date"].max(),
                **{f: int(counts.get(f, 0)) for f in ("observed", "derived", "interpolated", "missing")},
                "longest_gap_months": int(max(runs)),
            }
        )
    return pd.DataFrame(rows)


def breaks(history: pd.DataFrame) -> pd.DataFrame:
    """Return the register clean-ups of the Eurostat stock with the stock before and after."""
    wide = history_wide(history, flags=FLAGS)
    cleanups = history[history["variable"] == "register_cleanup"]
    rows = []
    for _, r in cleanups.iterrows():
        d = r["date"]
        before = wide["tp_stock"].get(d - pd.offsets.MonthBegin(1), np.nan)
        rows.append(
            {
                "date": d,
                "tp_stock_before": before,
                "tp_stock_after": wide["tp_stock"].get(d, np.nan),
                "implied_outflow": r["value"],
                "rule": "kept as a register clean-up; not a departure",
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)


def identity_residuals(history: pd.DataFrame) -> pd.DataFrame:
    """Check ``registered[b] = registered[a] + sum(arrivals) - sum(departures)`` between reports.

    For each pair of consecutive *observed* registered counts (months ``a`` < ``b``) where
    arrivals and departures are known for every month in ``(a, b]``, the residual is the
    change in the registered count minus net arrivals (persons). A large residual means
    the sources disagree (definitions differ: Eurostat grants count TP grants of all
    citizenships, the BRP count people registered; departures are interpolated).

    Returns:
        Frame ``from, to, registered_change, arrivals, departures, residual,
        residual_share`` (residual / registered at ``a``).

    """
    wide = history_wide(history)
    obs = observed(history, "registered")
    rows = []
    dates = list(obs.index)
    values = obs.to_dict()
    for a, b in zip(dates[:-1], dates[1:], strict=True):
        months = pd.date_range(a + pd.offsets.MonthBegin(1), b, freq="MS")
        arr = wide.reindex(months).get("arrivals")
        dep = wide.reindex(months).get("departures")
        if arr is None or dep is None or arr.isna().any() or dep.isna().any():
            continue
        change = values[b] - values[a]
        net = arr.sum() - dep.sum()
        rows.append(
            {
                "from": a,
                "to": b,
                "registered_change": change,
                "arrivals": arr.sum(),
                "departures": dep.sum(),
                "residual": change - net,
                "residual_share": (change - net) / values[a],
            }
        )
    return pd.DataFrame(
        rows, columns=["from", "to", "registered_change", "arrivals", "departures", "residual", "residual_share"]
    )


def anchor_checks(history: pd.DataFrame) -> pd.DataFrame:
    """Compare the history with the monitor report's anchor figures.

    Returns:
        Frame ``fact, variable, month, expected, found, flag, ok``.

    """
    rows = []
    for var, month, expected, tol, fact in ANCHOR_FACTS:
        hit = history[(history["variable"] == var) & (history["date"] == pd.Timestamp(month + "-01"))]
        found = float(hit["value"].iloc[0]) if not hit.empty else np.nan
        flag = hit["flag"].iloc[0] if not hit.empty else "missing"
        ok = bool(np.isfinite(found) and abs(found - expected) <= tol * abs(expected) + 1e-9)
        rows.append(
            {
                "fact": fact,
                "variable": var,
                "month": month,
                "expected": expected,
                "found": found,
                "flag": flag,
                "ok": ok,
            }
        )
    return pd.DataFrame(rows)


def gaps(history: pd.DataFrame) -> pd.DataFrame:
    """Return runs of consecutive missing months per variable: ``variable, from, to, months``."""
    rows = []
    for var, g in history.sort_values("date").groupby("variable"):
        miss = g[g["flag"] == "missing"]["date"]
        if miss.empty:
            continue
        months = pd.Series(months_between(miss.iloc[0], pd.DatetimeIndex(miss)), index=miss.index)
        run_id = (months.diff() != 1).cumsum()
        for _, run in miss.groupby(run_id.to_numpy()):
            rows.append({"variable": var, "from": run.min(), "to": run.max(), "months": len(run)})
    return pd.DataFrame(rows, columns=["variable", "from", "to", "months"])
