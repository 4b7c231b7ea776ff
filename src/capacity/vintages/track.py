"""Track record: score earlier forecasts against the observations that came in since.

Pure functions on frames: :func:`score` takes forecasts in the store's long format and the
newest observations and returns one row per vintage, series and month observed since;
:func:`summary` pools them per horizon. No I/O.
"""

from __future__ import annotations

import pandas as pd

#: Band name → (lower, upper) quantile columns of the forecast tables.
BANDS = {"50": ("q0.25", "q0.75"), "80": ("q0.10", "q0.90"), "95": ("q0.025", "q0.975")}

#: Columns of the scores (table ``track_record`` of the store).
SCORE_COLUMNS = (
    "run_id",
    "scenario",
    "table_name",
    "variable",
    "date",
    "horizon",
    "observed",
    "median",
    "error",
    "abs_pct_error",
    "in_50",
    "in_80",
    "in_95",
)


def wide(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Return long forecasts (``stat``, ``value``) as one row per run, table, variable and date."""
    keys = ["run_id", "scenario", "table_name", "variable", "date"]
    if forecasts.empty:
        return pd.DataFrame(columns=[*keys, "q0.50"])
    out = forecasts.pivot_table(index=keys, columns="stat", values="value", aggfunc="first")
    out.columns.name = None
    return out.reset_index()


def score(forecasts: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Score each forecast month that now has an observation.

    Args:
        forecasts: Long format: ``run_id, scenario, table_name, variable, date, stat, value``
            (``stat`` ``mean`` or a quantile column such as ``q0.50``).
        observations: ``date, variable, value`` (observed values only).

    Returns:
        :data:`SCORE_COLUMNS`: ``horizon`` 1 is the vintage's first forecast month of that
        series; ``error`` is observed minus median; ``in_50/80/95`` whether the observation
        lies inside the band (bounds included).

    """
    table = wide(forecasts)
    if table.empty or observations.empty:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    table["date"] = pd.to_datetime(table["date"])
    first = table.groupby(["run_id", "scenario", "table_name", "variable"])["date"].transform("min")
    table["horizon"] = (table["date"].dt.year - first.dt.year) * 12 + table["date"].dt.month - first.dt.month + 1
    obs = observations[["date", "variable", "value"]].rename(columns={"value": "observed"})
    obs = obs.assign(date=pd.to_datetime(obs["date"])).dropna(subset=["observed"])
    obs = obs.drop_duplicates(["date", "variable"], keep="last")
    merged = table.merge(obs, on=["date", "variable"], how="inner")
    merged = merged.dropna(subset=["q0.50"])
    merged["median"] = merged["q0.50"]
    merged["error"] = merged["observed"] - merged["median"]
    merged["abs_pct_error"] = (merged["error"].abs() / merged["observed"].abs()).where(merged["observed"] != 0)
    for band, (lo, hi) in BANDS.items():
        if lo in merged and hi in merged:
            merged[f"in_{band}"] = (merged["observed"] >= merged[lo]) & (merged["observed"] <= merged[hi])
        else:
            merged[f"in_{band}"] = pd.NA
    return merged[list(SCORE_COLUMNS)].sort_values(["run_id", "table_name", "variable", "date"]).reset_index(drop=True)


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Pool scores per scenario, series and horizon: n, mean error, mean absolute %, coverage."""
    cols = [
        "scenario",
        "variable",
        "horizon",
        "n",
        "vintages",
        "mean_error",
        "mape",
        "coverage_50",
        "coverage_80",
        "coverage_95",
    ]
    if scores.empty:
        return pd.DataFrame(columns=cols)
    frame = scores.copy()
    for band in BANDS:
        frame[f"in_{band}"] = frame[f"in_{band}"].astype(float)
    grouped = frame.groupby(["scenario", "variable", "horizon"])
    out = grouped.agg(
        n=("error", "size"),
        vintages=("run_id", "nunique"),
        mean_error=("error", "mean"),
        mape=("abs_pct_error", "mean"),
        coverage_50=("in_50", "mean"),
        coverage_80=("in_80", "mean"),
        coverage_95=("in_95", "mean"),
    ).reset_index()
    return out[cols]
