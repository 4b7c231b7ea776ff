"""Capacity needed: the smallest IND and DT&V capacities that meet the targets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from capacity.backlog.model import run
from capacity.backlog.parameters import Draws, draw, planned_capacity, trial
from capacity.params.backlog import BacklogConfig


def _bisect(ok: Any, lo: float, hi: float, *, tol: float, max_iter: int = 60) -> tuple[float, int]:
    """Smallest ``x`` in ``[lo, hi]`` with ``ok(x)`` (monotone), to within ``tol``.

    ``ok(hi)`` false: returns ``hi`` with ``-1`` steps (the target is not met in the bracket;
    ``hi`` is then a lower bound, flagged by the caller), never ``nan``.
    """
    if ok(lo):
        return lo, 0
    if not ok(hi):
        return hi, -1
    it = 0
    while hi - lo > tol and it < max_iter:
        mid = 0.5 * (lo + hi)
        if ok(mid):
            hi = mid
        else:
            lo = mid
        it += 1
    return hi, it


def solve_capacity(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator,
    n_months: int | None = None,
    ramp_months: Sequence[int] = (0, 12),
    tol: float = 5.0,
    departure_rates: np.ndarray | None = None,
    extra_regular_inflow: np.ndarray | None = None,
) -> pd.DataFrame:
    """Smallest IND and DT&V capacities that meet the targets with the given probability.

    IND: the smallest capacity level (decisions/month; with a ramp, the level reached
    after ``ramp_months`` starting from ``cfg.ind_decisions_per_month``) such that the
    share of late cohort decisions is at most ``target_late_share`` on at least a
    ``probability`` share of paths. DT&V: the smallest ``dtv_cases_per_month`` such that
    the DT&V caseload is at most ``cfg.dtv_target_caseload`` by month
    ``cfg.dtv_target_months`` with that probability. Bisection on common random numbers
    (the same draws for every trial capacity), so the criterion is monotone.

    Args:
        cohort_persons: Registered persons at the TPD end, shape (n_paths,); a few hundred
            paths suffice (``cfg.solver_n_paths``).
        cfg: Backlog settings.
        rng: Random generator (draws taken once).
        n_months: Months simulated (default ``cfg.n_months``).
        ramp_months: IND variants: 0 = a constant level from the TPD end month.
        tol: Bisection tolerance (decisions or cases per month).
        departure_rates: The forecast's departure rates on the backlog months, shape
            (n_paths, n_months) (:func:`~capacity.backlog.forecast_departure_rates`);
            ``None``: ``cfg.departure_rate_per_month``.
        extra_regular_inflow: Regular asylum applications added per month (persons), shape
            (>= n_paths, n_months), e.g. the arrivals after the TPD end.

    Returns:
        Table ``capacity_needed``: one row per service and variant with the capacity
        needed per month and per year, today's planned capacity, the ratio, the
        probability reached and the target; ``target_met`` is false when no capacity in
        the search bracket meets the target (the capacity is then the bracket's top, a
        lower bound). Two more rows give the planners' two numbers: ``IND cohort
        priority`` (the smallest share of the planned capacity reserved for the cohort,
        ``priority_share``, that meets the legal-term target, with the probability it
        does) and ``IND regular stream`` (``deficit_per_month``: regular inflow minus
        planned capacity x realisation, cases/month, median over paths with ``deficit_p10``
        and ``deficit_p90``; ``probability_reached`` is the probability of a deficit).
        Never ``inf``; a cell that does not apply to its row is NaN (an empty CSV cell):
        ``priority_share`` and the deficit outside their rows, the regular stream's
        ``probability_target`` (it has no target).
    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    months = cfg.n_months if n_months is None else int(n_months)
    # targets from the settings (a trial config changes them: ``trial(cfg, target_...=...)``)
    target, prob = cfg.target_late_share, cfg.target_probability
    draws = draw(cohort_persons.shape[0], months, rng=rng)
    rows = [
        _ind_row(cohort_persons, cfg, draws, ramp=ramp, target=target, prob=prob, tol=tol, rates=departure_rates)
        for ramp in ramp_months
    ]
    rows.append(_dtv_row(cohort_persons, cfg, draws, prob=prob, tol=tol, rates=departure_rates))
    extra = (
        None
        if extra_regular_inflow is None
        else np.asarray(extra_regular_inflow, dtype=float)[: cohort_persons.shape[0], :months]
    )
    rows.append(_priority_row(cohort_persons, cfg, draws, target=target, prob=prob, rates=departure_rates, extra=extra))
    rows.append(_deficit_row(cohort_persons, cfg, draws, rates=departure_rates, extra=extra))
    # a column that does not apply to a row (the deficit of the DT&V row) stays empty (NaN)
    return pd.DataFrame(rows).fillna({"target_met": True}).astype({"target_met": bool})


def _ind_config(cfg: BacklogConfig, level: float, ramp: int) -> BacklogConfig:
    """``cfg`` with IND capacity ``level`` (decisions/month), reached after ``ramp`` months."""
    if ramp == 0:
        return trial(
            cfg,
            ind_capacity_series=None,
            ind_decisions_per_month=level,
            ind_ramp_target_per_month=None,
            ind_ramp_months=0,
        )
    return trial(cfg, ind_capacity_series=None, ind_ramp_target_per_month=level, ind_ramp_months=ramp)


def _row(
    service: str,
    variant: str,
    criterion: str,
    level: float,
    planned: float,
    *,
    prob: float,
    reached: float,
    iters: int,
    n_paths: int,
) -> dict[str, Any]:
    """One row of the ``capacity_needed`` table (``iters`` < 0: target not met in the bracket).

    With nothing planned the ratio is 0 (no ratio to show), never ``nan``.
    """
    return {
        "service": service,
        "variant": variant,
        "criterion": criterion,
        "probability_target": prob,
        "capacity_per_month": level,
        "capacity_per_year": level * 12,
        "planned_per_month": planned,
        "planned_per_year": planned * 12,
        "ratio_to_planned": level / planned if planned > 0 else 0.0,
        "probability_reached": reached,
        "bisection_steps": max(iters, 0),
        "n_paths": n_paths,
        "target_met": iters >= 0,
    }


def _ind_row(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    draws: Draws,
    *,
    ramp: int,
    target: float,
    prob: float,
    tol: float,
    rates: np.ndarray | None = None,
) -> dict[str, Any]:
    """IND capacity such that the late share is at most ``target`` with probability ``prob``."""

    def ind_prob(level: float) -> float:
        res = run(cohort_persons, _ind_config(cfg, level, ramp), draws, departure_rates=rates)
        return float(np.mean(res.late_share() <= target + 1e-12))

    hi_ind = float(cohort_persons.max() / 0.5 + 200_000)
    level, iters = _bisect(lambda x: ind_prob(x) >= prob, 0.0, hi_ind, tol=tol)
    reached = ind_prob(level)
    return _row(
        "IND",
        "constant" if ramp == 0 else f"ramp {ramp} months",
        f"late share of cohort decisions <= {target:.0%}",
        level,
        cfg.ind_decisions_per_month,
        prob=prob,
        reached=reached,
        iters=iters,
        n_paths=cohort_persons.shape[0],
    )


def _dtv_row(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    draws: Draws,
    *,
    prob: float,
    tol: float,
    rates: np.ndarray | None = None,
) -> dict[str, Any]:
    """DT&V capacity such that the caseload meets its target by the target month."""
    month_idx = min(cfg.dtv_target_months, draws.n_months) - 1

    def dtv_prob(level: float) -> float:
        res = run(cohort_persons, trial(cfg, dtv_cases_per_month=level), draws, departure_rates=rates)
        return float(np.mean(res.paths["dtv_caseload"][:, month_idx] <= cfg.dtv_target_caseload))

    level, iters = _bisect(lambda x: dtv_prob(x) >= prob, 0.0, float(cohort_persons.max() + 1e5), tol=tol)
    reached = dtv_prob(level)
    return _row(
        "DT&V",
        "constant",
        f"caseload <= {cfg.dtv_target_caseload:,.0f} cases by month {month_idx + 1}",
        level,
        cfg.dtv_cases_per_month,
        prob=prob,
        reached=reached,
        iters=iters,
        n_paths=cohort_persons.shape[0],
    )


def _priority_row(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    draws: Draws,
    *,
    target: float,
    prob: float,
    rates: np.ndarray | None,
    extra: np.ndarray | None,
    tol: float = 0.005,
) -> dict[str, Any]:
    """Smallest share of the planned IND capacity reserved for the cohort (a TPD team).

    The share such that the late share of cohort decisions is at most ``target`` on at
    least a ``prob`` share of paths, at the planned capacity (the reserve serves the cohort
    first; what it leaves goes to the rest).
    """

    def prob_at(share: float) -> float:
        res = run(
            cohort_persons,
            trial(cfg, ind_tpd_reserved_share=share),
            draws,
            departure_rates=rates,
            extra_regular_inflow=extra,
        )
        return float(np.mean(res.late_share() <= target + 1e-12))

    share, iters = _bisect(lambda x: prob_at(x) >= prob, 0.0, 1.0, tol=tol)
    planned = float(np.mean(planned_capacity(cfg, draws.n_months)))
    row = _row(
        "IND cohort priority",
        "reserved share of planned capacity",
        f"late share of cohort decisions <= {target:.0%} at the planned capacity",
        share * planned,
        planned,
        prob=prob,
        reached=prob_at(share),
        iters=iters,
        n_paths=cohort_persons.shape[0],
    )
    return row | {"priority_share": share}


def _deficit_row(
    cohort_persons: np.ndarray, cfg: BacklogConfig, draws: Draws, *, rates: np.ndarray | None, extra: np.ndarray | None
) -> dict[str, Any]:
    """Return the regular stream's monthly deficit: inflow minus planned capacity x realisation.

    Per path, the mean over the run of regular inflow (cases = persons) minus the IND's
    realised capacity (planned x realisation x noise) before any of it goes to the cohort:
    positive, the regular queue grows even with no TPD cohort at all.
    """
    res = run(cohort_persons, cfg, draws, departure_rates=rates, extra_regular_inflow=extra)
    inflow = res.paths["regular_inflow"].mean(axis=1)
    deficit = inflow - res.paths["ind_capacity"].mean(axis=1)
    planned = float(np.mean(planned_capacity(cfg, draws.n_months)))
    needed = float(np.median(inflow / np.maximum(res.parameters["ind_capacity_realisation"], 1e-9)))
    row = _row(
        "IND regular stream",
        "monthly deficit",
        "regular inflow minus planned capacity x realisation (cases/month, mean over the run)",
        needed,
        planned,
        prob=float("nan"),
        reached=float(np.mean(deficit > 0)),
        iters=0,
        n_paths=cohort_persons.shape[0],
    )
    return row | {
        "deficit_per_month": float(np.median(deficit)),
        "deficit_p10": float(np.quantile(deficit, 0.1)),
        "deficit_p90": float(np.quantile(deficit, 0.9)),
    }
