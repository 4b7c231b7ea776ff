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

The rules for places are tested out of sample on the same targets: each published count of
places is forecast from the count before it, with only the data known at the end of that
month. Rows of the same table, scored by coverage of the 80 % band and CRPS:

- ``places_out_of_sample`` (:func:`replay_out_of_sample`): the places-follow-demand rule of
  the scenario, refitted at each origin;
- ``places_out_of_sample_as_announced`` (:func:`replay_as_announced`): the baseline's places
  as announced: the count plus the changes announced by then (none is dated yet), no drift
  (as the baseline's forward rule), and a random walk's spread fitted on the counts
  published by then for the changes nobody announced;
- ``places_out_of_sample_rw_drift`` (the same function): the benchmark, a random walk with
  drift fitted on the same counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scoringrules
import statsmodels.api as sm
from scipy import stats

from capacity.errors import DataError
from capacity.forecast.paths import PopulationPaths
from capacity.params.shelter import PlacesChange, ShelterConfig
from capacity.quantiles import QUANTILE_COLUMNS, QUANTILES, summarise_many
from capacity.shelter.history import _months_between, _rule_paths, _wide, fit_places_rule
from capacity.shelter.stockflow import simulate_shelter

logger = logging.getLogger(__name__)

__all__ = [
    "CAP_GRID",
    "LEAD_GRID",
    "OUT_OF_SAMPLE",
    "OUT_OF_SAMPLE_AS_ANNOUNCED",
    "OUT_OF_SAMPLE_COLUMNS",
    "OUT_OF_SAMPLE_RW_DRIFT",
    "known_at",
    "replay",
    "replay_as_announced",
    "replay_out_of_sample",
]


def _published_population(
    wide: pd.DataFrame, months: pd.DatetimeIndex, start: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Arrivals, departures, registered per month (persons) and where each month's arrivals came from."""
    arrivals = wide["arrivals"].dropna() if "arrivals" in wide else pd.Series(dtype=float)
    if arrivals.empty:
        raise DataError("history has no published arrivals for the shelter replay")
    stand_in = float(arrivals.iloc[-12:].mean())
    arr = arrivals.reindex(months)
    source = np.where(
        arr.notna(), "published", f"assumed: mean of the last 12 published months ({arrivals.index[-1]:%Y-%m})"
    ).tolist()
    arr = arr.fillna(stand_in).to_numpy()
    registered = wide["registered"].dropna()
    grid = (
        registered.reindex(registered.index.union(months).union([start]))
        .interpolate(method="time", limit_area="inside")
        .ffill()
    )
    reg = grid.reindex(months).to_numpy()
    reg_before = np.concatenate([[float(grid.loc[start])], reg[:-1]])
    departures = np.maximum(arr - (reg - reg_before), 0.0)
    return arr, departures, reg, source


def _published_places_changes(
    wide: pd.DataFrame, months: pd.DatetimeIndex, start: pd.Timestamp
) -> tuple[PlacesChange, ...]:
    """Return the published places (interpolated between counts) as monthly changes from ``start``."""
    if "places" not in wide:
        return ()
    places = wide["places"].dropna()
    grid = (
        places.reindex(places.index.union(months).union([start]))
        .interpolate(method="time", limit_area="inside")
        .ffill()
    )
    level = np.rint(grid.reindex(months.insert(0, start)).to_numpy())
    steps = np.diff(level)
    return tuple(
        PlacesChange(month=m.date(), change=int(c), note="published places (replay)")
        for m, c in zip(months, steps, strict=True)
        if np.isfinite(c) and c != 0
    )


def replay(
    history: pd.DataFrame,
    cfg: ShelterConfig,
    *,
    start: str = "2023-07-01",
    end: str = "2025-03-01",
    n_paths: int = 200,
    rng: np.random.Generator | None = None,
    out_of_sample: bool = True,
) -> pd.DataFrame:
    """Replay the shelter model from ``start`` on the published population and compare to the counts.

    Args:
        history: Long history frame (date, variable, value, flag).
        cfg: Shelter parameters (the TPD is taken to run past ``end``).
        start: Month of the published starting state (in_shelter and places both counted).
        end: Last month compared.
        n_paths: Paths of sampled parameters.
        rng: Generator for the sampled parameters.
        out_of_sample: Also add the rows of :func:`replay_out_of_sample` (variable
            :data:`OUT_OF_SAMPLE`) and :func:`replay_as_announced` (variables
            :data:`OUT_OF_SAMPLE_AS_ANNOUNCED`, :data:`OUT_OF_SAMPLE_RW_DRIFT`), dated at the
            count forecast, ``origin`` the month the data end (no random numbers).

    Returns:
        Quantile-contract rows (date, variable in_shelter / places / demand, mean, q...) with
        ``observed`` (the published count, empty where none), ``inside_80`` (observed within
        q0.10..q0.90; empty where none), ``origin`` and ``crps`` (places; out-of-sample rows
        only) and ``arrivals_source``.

    """
    wide = _wide(history)
    start_ts = pd.Timestamp(start)
    months = pd.date_range(start_ts + pd.offsets.MonthBegin(1), pd.Timestamp(end), freq="MS")
    arr, dep, reg, source = _published_population(wide, months, start_ts)
    pop = PopulationPaths(
        dates=months,
        arrivals=np.tile(arr, (n_paths, 1)),
        departures=np.tile(dep, (n_paths, 1)),
        registered=np.tile(reg, (n_paths, 1)),
        jump_off_date=start_ts,
        jump_off_registered=float(reg[0] + dep[0] - arr[0]),
    )
    run_cfg = cfg.model_copy(
        update={
            "tpd_end": dt.date(months[-1].year + 5, 1, 1),
            "places_changes": _published_places_changes(wide, months, start_ts),
        }
    )
    past = history[pd.to_datetime(history["date"]) <= start_ts]
    res = simulate_shelter(pop, run_cfg, history=past, rng=rng)
    table = summarise_many({"in_shelter": res.in_shelter, "places": res.places, "demand": res.demand}, months)
    observed = wide.reindex(months)
    table["observed"] = [
        observed.loc[d, v] if v in observed.columns else np.nan
        for d, v in zip(table["date"], table["variable"], strict=True)
    ]
    inside = (table["observed"] >= table["q0.10"]) & (table["observed"] <= table["q0.90"])
    table["inside_80"] = inside.where(table["observed"].notna())
    table["arrivals_source"] = np.tile(source, 3)
    table["origin"] = pd.NaT
    table["crps"] = np.nan
    columns = [
        "date",
        "variable",
        "mean",
        *QUANTILE_COLUMNS,
        "observed",
        "inside_80",
        "origin",
        "crps",
        "arrivals_source",
    ]
    if not out_of_sample:
        return table[columns]
    parts = [table[columns]]
    for name, run in ((OUT_OF_SAMPLE, replay_out_of_sample), ("as announced", replay_as_announced)):
        try:
            oos = run(history, start=start, end=end)
        except DataError as err:  # too few counts of places to fit at an origin: no rows, said in the text
            logger.warning("no out-of-sample replay of places (%s): %s", name, err)
            continue
        parts.append(
            oos.rename(columns={"target": "date", "inside": "inside_80"}).assign(
                variable=oos["rule"].map(_RULE_VARIABLE),
                arrivals_source="",
                inside_80=lambda f: f["inside_80"].astype(object),
            )[columns]
        )
    return pd.concat(parts, ignore_index=True)


#: Supply caps tried by the out-of-sample replay and the 2024-25 refit (places/month; inf: no cap).
CAP_GRID: tuple[float, ...] = (*(float(c) for c in range(100, 2100, 100)), np.inf)

#: Leads tried (months): the 3-6-month lead of the places-follow-demand scenario.
LEAD_GRID: tuple[int, ...] = (3, 4, 5, 6)

#: The variable of the places-follow-demand rule's out-of-sample rows in :func:`replay`'s table.
OUT_OF_SAMPLE = "places_out_of_sample"

#: The variable of the baseline rule's (places as announced) out-of-sample rows.
OUT_OF_SAMPLE_AS_ANNOUNCED = "places_out_of_sample_as_announced"

#: The variable of the random-walk-with-drift benchmark's out-of-sample rows.
OUT_OF_SAMPLE_RW_DRIFT = "places_out_of_sample_rw_drift"

#: The ``rule`` of each out-of-sample table and the variable of its rows in :func:`replay`'s table.
_RULE_VARIABLE = {
    "follows_demand": OUT_OF_SAMPLE,
    "as_announced": OUT_OF_SAMPLE_AS_ANNOUNCED,
    "rw_drift": OUT_OF_SAMPLE_RW_DRIFT,
}

#: Columns of :func:`replay_out_of_sample`'s and :func:`replay_as_announced`'s tables.
OUT_OF_SAMPLE_COLUMNS = [
    "rule",
    "origin",
    "target",
    "horizon_months",
    "data_end",
    "observed",
    "median",
    "lo80",
    "hi80",
    "inside",
    "crps",
    "n_fits",
    "fit_window",
]


def _observed(history: pd.DataFrame, variable: str) -> pd.Series:
    """Return a variable's observed (or derived) monthly values, by month."""
    wide = _wide(history)
    return wide[variable].dropna() if variable in wide.columns else pd.Series(dtype=float)


def _demand_ahead(wide: pd.DataFrame, months: pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    """Return the demand proxy (persons) on ``months``: shelter share x registered.

    Registered is carried past its last count (never after ``origin``) by its mean monthly
    change over the 12 months before (a drift).
    """
    pair = wide[["in_shelter", "registered"]].dropna()
    share = float(pair["in_shelter"].iloc[-1] / pair["registered"].iloc[-1])
    registered = wide["registered"].dropna()
    registered = registered[registered.index <= origin]
    last = registered.index[-1]
    year = registered[registered.index >= last - pd.DateOffset(months=12)]
    span = max((last.year - year.index[0].year) * 12 + last.month - year.index[0].month, 1)
    drift = float(year.iloc[-1] - year.iloc[0]) / span
    grid = registered.reindex(registered.index.union(months)).interpolate(method="time", limit_area="inside")
    grid = grid.reindex(months).bfill()
    after = months > last
    steps = np.array([(m.year - last.year) * 12 + m.month - last.month for m in months[after]])
    grid[after] = float(registered.iloc[-1]) + drift * steps
    return share * grid.to_numpy()


def known_at(history: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Return the observed and derived rows of ``history`` dated in or before ``day``'s month.

    For the places, people in shelter and registered counts the places rule is fitted on, this
    is what ``capacity.data.load_history(as_of=day)`` returns for the end of a month (tested);
    interpolated values, which use later counts, are left out.
    """
    kept = history[pd.to_datetime(history["date"]) <= pd.Timestamp(day).to_period("M").to_timestamp()]
    return kept[kept["flag"].isin(["observed", "derived"])] if "flag" in kept.columns else kept


def _known_at_origin(
    history: pd.DataFrame, history_at: Callable[[pd.Timestamp], pd.DataFrame] | None, origin: pd.Timestamp
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Return the history as known at the end of ``origin``'s month and the last month it observes.

    Raises:
        DataError: If that history holds an observed value after ``origin``.

    """
    day = origin + pd.offsets.MonthEnd(0)
    known = known_at(history, day) if history_at is None else history_at(day)
    seen = known[known["flag"].isin(["observed", "derived"])] if "flag" in known else known
    data_end = pd.Timestamp(seen["date"].max())
    if data_end > origin:
        raise DataError(
            f"the history for the origin {origin:%Y-%m} holds observed values up to "
            f"{data_end:%Y-%m}; expected nothing after the origin"
        )
    return known, data_end


def replay_out_of_sample(
    history: pd.DataFrame,
    *,
    history_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
    start: str = "2023-07-01",
    end: str = "2025-03-01",
    fit_start: str = "2022-07-01",
    leads: tuple[int, ...] = LEAD_GRID,
    caps: tuple[float, ...] = CAP_GRID,
    tolerance: float = 1.25,
) -> pd.DataFrame:
    """Forecast every published count of places after ``start`` from the data known before it.

    For each count of places in (``start``, ``end``] of ``history`` the origin is the month
    of the count before it. The places rule of the places-follow-demand scenario (gain, lead
    of ``leads`` months, pressure, supply cap of ``caps``) is fitted on the history as known
    at the end of the origin month (counts of places from ``fit_start``), then run from the
    origin's count to the target month. Demand after the last registered count is the
    shelter share times registered carried on by its mean monthly change over the 12 months
    before (a drift). The band is the spread over every fit within ``tolerance`` times the
    best error (the fit's parameter uncertainty, not the demand's).

    Args:
        history: Long history frame (date, variable, value, flag): the published counts.
        history_at: Returns the history as known on a day (e.g.
            ``lambda d: capacity.data.load_history(..., as_of=d)``), called with the end of
            each origin month; None: :func:`known_at` of ``history``.
        start: First origin month: counts after it are targets.
        end: Last target month.
        fit_start: First count of places the rule is fitted on.
        leads: Leads tried (months).
        caps: Supply caps tried (places/month).
        tolerance: Fits within this multiple of the best error make the band.

    Returns:
        One row per target (:data:`OUT_OF_SAMPLE_COLUMNS`, then ``mean`` and the quantile
        columns): ``rule`` (``follows_demand``), origin and target month, horizon (months),
        ``data_end`` (the last month with an observed value the fit saw), the published
        count, median, lo80 (q0.10), hi80 (q0.90), ``inside`` (observed within the band),
        ``crps`` (places; of the fits in the band as an ensemble), the number of fits in the
        band and the fit window.

    Raises:
        DataError: If the history given for an origin holds an observed value after it.

    """
    final = _observed(history, "places")
    counts = final[(final.index >= pd.Timestamp(start)) & (final.index <= pd.Timestamp(end))]
    rows = []
    for origin, target in zip(counts.index[:-1], counts.index[1:], strict=True):
        known, data_end = _known_at_origin(history, history_at, origin)
        fits, fitted = fit_places_rule(known, start=fit_start, leads=leads, caps=caps)
        best = min(fits)
        near = [f for f in fits if f[1] == best[1] and f[0] <= tolerance * best[0]]
        months = pd.date_range(fitted["months"][0], target, freq="MS")
        demand = _demand_ahead(_wide(known), months, origin)
        first = months.get_loc(origin)
        start_places = float(_observed(known, "places").loc[origin])
        paths = np.concatenate(
            [
                _rule_paths(
                    demand,
                    start_places,
                    np.array([f[3] for f in group]),
                    lead,
                    best[1],
                    np.array([f[4] for f in group]),
                    first=first,
                )[:, -1]
                for lead in sorted({f[2] for f in near})
                for group in [[f for f in near if f[2] == lead]]
            ]
        )
        q = dict(zip(QUANTILE_COLUMNS, np.quantile(paths, QUANTILES), strict=True))
        observed = float(counts.loc[target])
        rows.append(
            {
                "rule": "follows_demand",
                "origin": origin,
                "target": target,
                "horizon_months": (target.year - origin.year) * 12 + target.month - origin.month,
                "data_end": data_end,
                "observed": observed,
                "median": float(q["q0.50"]),
                "lo80": float(q["q0.10"]),
                "hi80": float(q["q0.90"]),
                "inside": bool(q["q0.10"] <= observed <= q["q0.90"]),
                "crps": float(scoringrules.crps_ensemble(observed, paths)),
                "n_fits": len(near),
                "fit_window": f"{fitted['months'][0]:%Y-%m}..{fitted['months'][-1]:%Y-%m}",
                "mean": float(paths.mean()),
                **q,
            }
        )
    return pd.DataFrame(rows, columns=[*OUT_OF_SAMPLE_COLUMNS, "mean", *QUANTILE_COLUMNS])


def _t_quantiles(location: float, scale: float, df: float) -> dict[str, float]:
    """Return the quantile columns of a Student-t forecast (places)."""
    return dict(zip(QUANTILE_COLUMNS, (location + scale * stats.t.ppf(QUANTILES, df)).tolist(), strict=True))


def replay_as_announced(
    history: pd.DataFrame,
    *,
    history_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
    start: str = "2023-07-01",
    end: str = "2025-03-01",
    fit_start: str = "2022-07-01",
    announced: Sequence[tuple[dt.date, PlacesChange]] = (),
) -> pd.DataFrame:
    """Forecast every published count of places after ``start`` by the baseline's rule, from the count before it.

    The baseline's places are "as announced": they stay unless closed, with no drift (the
    forward rule, :func:`capacity.shelter.places_path`). At each origin (the month of the
    count before the target) the forecast is the origin's count plus the changes of
    ``announced`` made public by the end of the origin month that take effect after it, up
    to the target; what nobody announced spreads as a random walk without drift: scale
    ``sigma0 * sqrt(h)``, ``sigma0^2`` the mean of ``d^2 / g`` over the increments ``d``
    between counts ``g`` months apart from ``fit_start`` to the origin (as known at the end
    of the origin month), Student-t with as many degrees of freedom as increments.
    The benchmark (rule ``rw_drift``) is a random walk with drift on the level of places:
    the change over ``g`` months is ``N(mu * g, sigma2 * g)``, fitted by weighted least
    squares (``statsmodels``, weights ``1 / g``) on the same counts; ``h`` months ahead it
    is Student-t with the fit's residual degrees of freedom, its variance ``sigma2 * h``
    plus the drift's estimation variance.

    Args:
        history: Long history frame (date, variable, value, flag): the published counts.
        history_at: Returns the history as known on a day, called with the end of each
            origin month; None: :func:`known_at` of ``history``.
        start: First origin month: counts after it are targets.
        end: Last target month.
        fit_start: First count of places the random walk is fitted on.
        announced: Announced openings (+) and closures (-), each with the day it was made
            public. The baseline's schedule (``shelter.places_changes``) is empty and its
            rows carry no announcement day, so the default is none.

    Returns:
        Two rows per target (rules ``as_announced`` then ``rw_drift``) in
        :data:`OUT_OF_SAMPLE_COLUMNS`, then ``mean`` and the quantile columns, as
        :func:`replay_out_of_sample`; ``n_fits`` is the number of increments between counts
        fitted, ``crps`` is of the Student-t forecast (places).

    Raises:
        DataError: If the history given for an origin holds an observed value after it, or
            fewer than 3 counts of places are known at an origin.

    """
    final = _observed(history, "places")
    counts = final[(final.index >= pd.Timestamp(start)) & (final.index <= pd.Timestamp(end))]
    rows = []
    for origin, target in zip(counts.index[:-1], counts.index[1:], strict=True):
        known, data_end = _known_at_origin(history, history_at, origin)
        day = origin + pd.offsets.MonthEnd(0)
        seen = _observed(known, "places")
        seen = seen[seen.index >= pd.Timestamp(fit_start)]
        if len(seen) < 3:
            raise DataError(
                f"need at least 3 counts of places from {fit_start} known at {origin:%Y-%m}, got {len(seen)}"
            )
        gaps = np.array(
            [_months_between(a, b) for a, b in zip(seen.index[:-1], seen.index[1:], strict=True)], dtype=float
        )
        steps = np.diff(seen.to_numpy())
        h = _months_between(origin, target)
        planned = sum(
            c.change for on, c in announced if pd.Timestamp(on) <= day and origin < pd.Timestamp(c.month) <= target
        )
        count = float(seen.loc[origin])
        fit = sm.WLS(steps, gaps, weights=1.0 / gaps).fit()
        pred = fit.get_prediction(exog=np.array([[h]], dtype=float), weights=np.array([1.0 / h]))
        sigma0 = float(np.sqrt(np.mean(steps**2 / gaps) * h))
        observed = float(counts.loc[target])
        window = f"{seen.index[0]:%Y-%m}..{seen.index[-1]:%Y-%m}"
        for rule, loc, scale, df in (
            ("as_announced", count + planned, sigma0, float(len(steps))),
            ("rw_drift", count + float(pred.predicted_mean[0]), float(pred.se_obs[0]), float(fit.df_resid)),
        ):
            q = _t_quantiles(loc, scale, df)
            rows.append(
                {
                    "rule": rule,
                    "origin": origin,
                    "target": target,
                    "horizon_months": h,
                    "data_end": data_end,
                    "observed": observed,
                    "median": q["q0.50"],
                    "lo80": q["q0.10"],
                    "hi80": q["q0.90"],
                    "inside": bool(q["q0.10"] <= observed <= q["q0.90"]),
                    "crps": float(scoringrules.crps_t(observed, df, loc, scale)),
                    "n_fits": len(steps),
                    "fit_window": window,
                    "mean": loc,
                    **q,
                }
            )
    return pd.DataFrame(rows, columns=[*OUT_OF_SAMPLE_COLUMNS, "mean", *QUANTILE_COLUMNS])
