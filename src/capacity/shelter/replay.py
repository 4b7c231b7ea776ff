"""A history replay of the shelter model: start in mid-2023 on published arrivals, compare to the counts.

The model starts from the published state in ``start`` (people in shelter and places, both
counted in July 2023) and runs month by month on the published arrivals (TP grants) with
departures implied by the published registered counts (arrivals minus the change in
registered, registered interpolated between counts). Where no arrivals are published (after
August 2024 in the project's data), the mean of the last twelve published months stands in,
and the table says so. Every path samples the model's uncertain parameters (entry share,
move-out rate, unmet exit rate, the places response), so the band is the parameter
uncertainty given the published population; it does not hold forecast error of the
population, which a replay does not need. Places are policy (issue 25): the replay opens
the places that were published (interpolated between counts) as planned changes, so it
tests the demand side, not a rule for places. Simulated people in shelter and places are then
compared with every published count up to ``end``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from capacity.errors import DataError
from capacity.forecast.paths import PopulationPaths
from capacity.params.shelter import PlacesChange, ShelterConfig
from capacity.quantiles import QUANTILE_COLUMNS, summarise_many
from capacity.shelter.history import _wide
from capacity.shelter.stockflow import simulate_shelter

__all__ = ["replay"]


def _published_population(wide: pd.DataFrame, months: pd.DatetimeIndex, start: pd.Timestamp
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Arrivals, departures, registered per month (persons) and where each month's arrivals came from."""
    arrivals = wide["arrivals"].dropna() if "arrivals" in wide else pd.Series(dtype=float)
    if arrivals.empty:
        raise DataError("history has no published arrivals for the shelter replay")
    stand_in = float(arrivals.iloc[-12:].mean())
    arr = arrivals.reindex(months)
    source = np.where(arr.notna(), "published", f"assumed: mean of the last 12 published months "
                                                f"({arrivals.index[-1]:%Y-%m})").tolist()
    arr = arr.fillna(stand_in).to_numpy()
    registered = wide["registered"].dropna()
    grid = registered.reindex(registered.index.union(months).union([start])).interpolate(
        method="time", limit_area="inside").ffill()
    reg = grid.reindex(months).to_numpy()
    reg_before = np.concatenate([[float(grid.loc[start])], reg[:-1]])
    departures = np.maximum(arr - (reg - reg_before), 0.0)
    return arr, departures, reg, source


def _published_places_changes(wide: pd.DataFrame, months: pd.DatetimeIndex, start: pd.Timestamp
                              ) -> tuple[PlacesChange, ...]:
    """Return the published places (interpolated between counts) as monthly changes from ``start``."""
    if "places" not in wide:
        return ()
    places = wide["places"].dropna()
    grid = places.reindex(places.index.union(months).union([start])).interpolate(
        method="time", limit_area="inside").ffill()
    level = np.rint(grid.reindex(months.insert(0, start)).to_numpy())
    steps = np.diff(level)
    return tuple(PlacesChange(month=m.date(), change=int(c), note="published places (replay)")
                 for m, c in zip(months, steps, strict=True) if np.isfinite(c) and c != 0)


def replay(history: pd.DataFrame, cfg: ShelterConfig, *, start: str = "2023-07-01", end: str = "2025-03-01",
           n_paths: int = 200, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """Replay the shelter model from ``start`` on the published population and compare to the counts.

    Args:
        history: Long history frame (date, variable, value, flag).
        cfg: Shelter parameters (the TPD is taken to run past ``end``).
        start: Month of the published starting state (in_shelter and places both counted).
        end: Last month compared.
        n_paths: Paths of sampled parameters.
        rng: Generator for the sampled parameters.

    Returns:
        Quantile-contract rows (date, variable in_shelter / places / demand, mean, q...) with
        ``observed`` (the published count, empty where none), ``inside_80`` (observed within
        q0.10..q0.90; empty where none) and ``arrivals_source``.

    """
    wide = _wide(history)
    start_ts = pd.Timestamp(start)
    months = pd.date_range(start_ts + pd.offsets.MonthBegin(1), pd.Timestamp(end), freq="MS")
    arr, dep, reg, source = _published_population(wide, months, start_ts)
    pop = PopulationPaths(dates=months, arrivals=np.tile(arr, (n_paths, 1)), departures=np.tile(dep, (n_paths, 1)),
                          registered=np.tile(reg, (n_paths, 1)), jump_off_date=start_ts,
                          jump_off_registered=float(reg[0] + dep[0] - arr[0]))
    run_cfg = cfg.model_copy(update={"tpd_end": dt.date(months[-1].year + 5, 1, 1),
                                     "places_changes": _published_places_changes(wide, months, start_ts)})
    past = history[pd.to_datetime(history["date"]) <= start_ts]
    res = simulate_shelter(pop, run_cfg, history=past, rng=rng)
    table = summarise_many({"in_shelter": res.in_shelter, "places": res.places, "demand": res.demand}, months)
    observed = wide.reindex(months)
    table["observed"] = [observed.loc[d, v] if v in observed.columns else np.nan
                         for d, v in zip(table["date"], table["variable"], strict=True)]
    inside = (table["observed"] >= table["q0.10"]) & (table["observed"] <= table["q0.90"])
    table["inside_80"] = inside.where(table["observed"].notna())
    table["arrivals_source"] = np.tile(source, 3)
    return table[["date", "variable", "mean", *QUANTILE_COLUMNS, "observed", "inside_80", "arrivals_source"]]
