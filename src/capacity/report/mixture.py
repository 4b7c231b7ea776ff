"""All scenarios, weighted: the mixture of the scenarios' forecasts in proportion to their probabilities.

Each scenario carries ``meta.weight``, the probability that it is the future that happens
(stress tests and policy variants carry none). The mixture is the forecast of someone who
believes each weighted scenario with its probability: its distribution function is

    F(x) = sum_s w_s F_s(x),   w_s = weight_s / sum of the weights in the run,

for every month and variable. The scenarios' tables hold quantiles, not paths, so each
``F_s`` is the piecewise-linear distribution through its quantiles (q0.025 … q0.975), with
the first and last segments extended to levels 0 and 1 at the slope of the neighbouring
segment (clamped at 0 for counts). The mixture's quantiles invert ``F`` exactly; its mean is
``sum_s w_s mean_s`` (exact). A mixture quantile always lies between the smallest and the
largest scenario quantile of the same level.

The mixture is taken only in months every weighted scenario covers: a month some scenario
lacks is left out, not guessed, except where the quantity does not exist yet (the TPD
cohort's pending cases before a scenario's TPD end are zero: ``zero_before_start``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from capacity.quantiles import CONTRACT_COLUMNS, QUANTILE_COLUMNS, QUANTILES, check_contract

#: What "all scenarios, weighted" shows: (table, variable) of the registered population, shelter
#: demand and the IND's workload (pending cases).
WEIGHTED_VARIABLES: tuple[tuple[str, str], ...] = (
    ("population_forecast", "registered"),
    ("shelter_forecast", "demand"),
    ("backlog_forecast", "pending"),
)
#: Tables whose quantities start at each scenario's TPD end (zero before it).
STARTS_AT_TPD_END: frozenset[str] = frozenset({"backlog_forecast"})

#: Probability with which a capacity must hold over all weighted futures.
CAPACITY_PROBABILITY = 0.90


def normalised_weights(weights: Mapping[str, float | None]) -> dict[str, float]:
    """Return the weights of the weighted scenarios divided by their sum (stress tests left out).

    Raises:
        ValueError: If a weight is negative or no scenario has a positive weight.

    """
    given = {k: float(v) for k, v in weights.items() if v is not None and not np.isnan(float(v))}
    if any(v < 0 for v in given.values()):
        raise ValueError(f"weights must be >= 0, got {given}")
    total = sum(given.values())
    if total <= 0:
        raise ValueError("no scenario has a positive meta.weight: nothing to weight")
    return {k: v / total for k, v in given.items() if v > 0}


def _knots(q: np.ndarray, nonnegative: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the (value, level) knots of one quantile row, extended to levels 0 and 1."""
    p = np.asarray(QUANTILES)
    lo = q[0] - (q[1] - q[0]) / (p[1] - p[0]) * p[0]
    hi = q[-1] + (q[-1] - q[-2]) / (p[-1] - p[-2]) * (1 - p[-1])
    if nonnegative:
        lo = max(lo, 0.0) if q[0] >= 0 else lo
    return np.concatenate([[min(lo, q[0])], q, [max(hi, q[-1])]]), np.concatenate([[0.0], p, [1.0]])


def _cdf(x: np.ndarray, qk: np.ndarray, pk: np.ndarray, *, left: bool) -> np.ndarray:
    """Piecewise-linear distribution function through knots (ties are point masses).

    ``left=True`` gives the left limit ``F(x-)``, else the value ``F(x)``.
    """
    j = np.searchsorted(qk, x, side="left" if left else "right") - 1
    out = np.zeros_like(x, dtype=float)
    inside = (j >= 0) & (j < len(qk) - 1)
    jj = j[inside]
    span = qk[jj + 1] - qk[jj]
    frac = np.where(span > 0, (x[inside] - qk[jj]) / np.where(span > 0, span, 1.0), 1.0)
    out[inside] = pk[jj] + frac * (pk[jj + 1] - pk[jj])
    out[j >= len(qk) - 1] = 1.0
    return out


def mixture_quantiles(rows: np.ndarray, weights: np.ndarray, *, nonnegative: bool = True) -> np.ndarray:
    """Return the contract quantiles of a weighted mixture of quantile rows.

    Args:
        rows: Quantiles of each component, shape (n_components, len(QUANTILES)), each row
            non-decreasing.
        weights: Component weights (summing to 1).
        nonnegative: Whether the variable is a count (the extended lower tail stops at 0).

    Returns:
        The mixture's quantiles at :data:`~capacity.quantiles.QUANTILES`.

    """
    rows = np.asarray(rows, dtype=float)
    w = np.asarray(weights, dtype=float)
    knots = [_knots(r, nonnegative) for r in rows]
    grid = np.unique(np.concatenate([k[0] for k in knots]))
    value = sum(wi * _cdf(grid, qk, pk, left=False) for wi, (qk, pk) in zip(w, knots, strict=True))
    left = sum(wi * _cdf(grid, qk, pk, left=True) for wi, (qk, pk) in zip(w, knots, strict=True))
    # F is linear on (grid[k-1], grid[k]) from value[k-1] to left[k], and jumps to value[k]
    # at grid[k]; q(p) = inf{x: F(x) >= p}.
    out = np.empty(len(QUANTILES))
    for i, p in enumerate(QUANTILES):
        k = min(int(np.searchsorted(value, p - 1e-12, side="left")), len(grid) - 1)
        if k == 0 or left[k] < p - 1e-12:
            out[i] = grid[k]  # at the first knot, or inside a jump (a point mass)
        else:
            out[i] = grid[k - 1] + (p - value[k - 1]) / (left[k] - value[k - 1]) * (grid[k] - grid[k - 1])
    return np.maximum.accumulate(out)


def _zero_before_start(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add rows of zeros to each table in the months before its first, back to the earliest first month."""
    first = min(pd.to_datetime(t["date"]).min() for t in tables.values())
    out = {}
    for name, table in tables.items():
        table = table.assign(date=pd.to_datetime(table["date"]))
        rows = []
        for variable, own in table.groupby("variable"):
            for date in pd.date_range(first, own["date"].min(), freq="MS", inclusive="left"):
                rows.append({"date": date, "variable": variable, "mean": 0.0, **dict.fromkeys(QUANTILE_COLUMNS, 0.0)})
        out[name] = pd.concat([pd.DataFrame(rows), table], ignore_index=True) if rows else table
    return out


def mixture_table(
    tables: Mapping[str, pd.DataFrame],
    weights: Mapping[str, float | None],
    *,
    variables: tuple[str, ...] | None = None,
    zero_before_start: bool = False,
) -> pd.DataFrame:
    """Return the weighted mixture of several scenarios' quantile tables.

    Args:
        tables: Quantile-contract table per scenario name (``date``, ``variable``, ``mean``,
            ``q0.025`` … ``q0.975``).
        weights: ``meta.weight`` per scenario name; scenarios with none (stress tests) and
            scenarios without a table are left out; the rest are normalised to sum to 1.
        variables: Which variables to mix (default: those every weighted table has).
        zero_before_start: Count a scenario's months before its table begins as zero (a quantity
            that exists only from a dated event on, e.g. the TPD cohort's pending cases before
            that scenario's TPD end); otherwise those months are left out of the mixture.

    Returns:
        A quantile-contract table of the mixture, in the months and variables every weighted
        scenario has; ``attrs["weights"]`` holds the normalised weights used.

    Raises:
        ValueError: If no weighted scenario has a table.

    """
    w = normalised_weights({k: v for k, v in weights.items() if k in tables})
    names = list(w)
    if zero_before_start:
        tables = _zero_before_start({n: tables[n] for n in names})
    keyed = {n: tables[n].assign(date=pd.to_datetime(tables[n]["date"])).set_index(["date", "variable"]) for n in names}
    common = None
    for n in names:
        idx = keyed[n].index
        if variables is not None:
            idx = idx[idx.get_level_values("variable").isin(variables)]
        common = idx if common is None else common.intersection(idx)
    records = []
    for key in sorted(common):
        rows = np.vstack([keyed[n].loc[key, list(QUANTILE_COLUMNS)].to_numpy(dtype=float) for n in names])
        means = np.array([float(keyed[n].loc[key, "mean"]) for n in names])
        ws = np.array([w[n] for n in names])
        if not np.isfinite(rows).all():
            continue  # an undefined month (e.g. occupancy without places) stays undefined
        q = mixture_quantiles(rows, ws, nonnegative=bool((rows >= 0).all()))
        records.append(
            {
                "date": key[0],
                "variable": key[1],
                "mean": float(ws @ means),
                **dict(zip(QUANTILE_COLUMNS, q, strict=True)),
            }
        )
    out = pd.DataFrame.from_records(records, columns=list(CONTRACT_COLUMNS))
    out.attrs["weights"] = w
    return check_contract(out)


def capacity_over_mixture(
    table: pd.DataFrame, variable: str, *, probability: float = CAPACITY_PROBABILITY
) -> dict[str, object]:
    """Return the capacity that holds with ``probability`` in every month over the weighted futures.

    The capacity is the largest monthly mixture quantile at ``probability``: in each month
    the variable stays at or below it with at least that probability over all weighted
    futures (a month-by-month guarantee, not one for the whole path at once).

    Args:
        table: A mixture table (:func:`mixture_table`).
        variable: Which variable (e.g. ``demand``, ``pending``).
        probability: The level; a quantile column of the contract (0.90 by default).

    Returns:
        ``{"variable", "probability", "capacity", "month"}``; capacity NaN without rows.

    """
    column = f"q{probability:.3f}".rstrip("0").rstrip(".")
    if column not in table.columns:
        column = f"q{probability:.2f}"
    rows = table[table["variable"] == variable]
    if rows.empty:
        return {"variable": variable, "probability": probability, "capacity": float("nan"), "month": None}
    top = rows.loc[rows[column].idxmax()]
    return {
        "variable": variable,
        "probability": probability,
        "capacity": float(top[column]),
        "month": pd.Timestamp(top["date"]).strftime("%Y-%m"),
    }


def expected_total(
    tables: Mapping[str, pd.DataFrame], weights: Mapping[str, float | None], variable: str
) -> dict[str, float]:
    """Return the expected sum over months of a flow (e.g. ``penalty_eur``), per scenario and weighted.

    The expectation of a sum is the sum of the monthly means, so the scenario tables' ``mean``
    column gives it exactly, over all the months each table covers.

    Returns:
        ``{scenario: expected total, ..., "weighted": sum_s w_s total_s}`` (weighted scenarios).

    """
    w = normalised_weights({k: v for k, v in weights.items() if k in tables})
    totals = {n: float(tables[n].loc[tables[n]["variable"] == variable, "mean"].sum()) for n in w}
    return {**totals, "weighted": float(sum(w[n] * totals[n] for n in w))}
