"""A run of the backlog model: per-path setup, the stocks at the TPD end, then the monthly step.

:func:`run` takes given random numbers (:func:`~capacity.backlog.parameters.draw`),
:func:`simulate` draws them first, :func:`cohort_at_tpd_end` takes the cohort from the
forecast. The monthly rules themselves are in :mod:`capacity.backlog.rules`.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from capacity.backlog.parameters import (
    Draws,
    carried_series,
    draw,
    parameter_values,
    planned_capacity,
)
from capacity.backlog.regular import initial_queue, penalty_steps
from capacity.backlog.result import BacklogResult, first_month_at_or_below
from capacity.backlog.rules import QUEUE_ORDERS, Setup, Stocks, step
from capacity.errors import ParameterError
from capacity.forecast.paths import PopulationPaths
from capacity.params.backlog import BacklogConfig

log = logging.getLogger(__name__)

#: Path variables recorded each month (units in ``result.UNITS``).
RECORDED: tuple[str, ...] = (
    "pending",
    "pending_regular",
    "backlog_total",
    "decisions",
    "decisions_regular",
    "late_decisions",
    "penalty_eur",
    "overdue_pending",
    "late_decisions_regular",
    "overdue_regular",
    "penalty_eur_regular",
    "granted",
    "withdrawn_return",
    "withdrawn_permit",
    "departed",
    "departed_pending",
    "appeals_pending",
    "departure_term",
    "dtv_caseload",
    "dtv_independent",
    "dtv_forced",
    "dtv_unsupervised",
    "dtv_other",
    "permits_pending",
    "permit_takers_waiting",
    "permits_issued",
    "shelter_entitled",
    "ind_capacity",
    "regular_inflow",
    "departure_rate",
)


#: Levers a run can take per path (:func:`run`'s ``levers``), e.g. for the sensitivity analysis.
LEVERS: tuple[str, ...] = ("ind_tpd_reserved_share", "ind_capacity_scale")


def _setup(
    cfg: BacklogConfig,
    draws: Draws,
    departure_rates: np.ndarray | None = None,
    extra_inflow: np.ndarray | None = None,
    levers: dict[str, np.ndarray] | None = None,
) -> Setup:
    """Per-path parameter values and plans for a run on ``draws``.

    ``departure_rates`` are the forecast's (n_paths, n_months); ``extra_inflow`` adds
    regular asylum applications per month (n_paths, n_months), e.g. people arriving from
    Ukraine after the TPD end (:mod:`capacity.forecast.regime`).
    """
    par = parameter_values(cfg, draws.uniforms)
    n, n_months = draws.n_paths, draws.n_months
    if cfg.regular_inflow_series:
        inflow_plan = carried_series(cfg.regular_inflow_series, n_months)[:, None] * np.ones(n)
    else:
        inflow_plan = np.broadcast_to(par["regular_inflow_per_year"] / 12.0, (n_months, n))
    if extra_inflow is not None:
        inflow_plan = inflow_plan + np.asarray(extra_inflow, dtype=float).T
    return Setup(
        values=par,
        normals=draws.normals,
        court_rate=np.minimum(1.0, 1.0 / par["appeal_months_mean"]),
        notice_share=par["notice_share"] * (0.0 if cfg.penalties_abolished else 1.0),
        queue_order=QUEUE_ORDERS.get(cfg.queue_discipline),
        ind_plan=planned_capacity(cfg, n_months),
        inflow_plan=inflow_plan,
        dtv_capacity=cfg.dtv_cases_per_month * par["dtv_capacity_realisation"],
        # issuing capacity counts persons; the permit queue counts cases
        permit_capacity=(cfg.permit_capacity_per_month * par["permit_capacity_realisation"] / par["persons_per_case"]),
        permit_head_start=float(cfg.document_issue_lead_months),
        dtv_share_other=(1.0 - cfg.dtv_share_independent - cfg.dtv_share_forced - cfg.dtv_share_unsupervised),
        cohort_penalty=penalty_steps(np.arange(n_months, dtype=float), cfg.term_months, cfg),
        departure_rates=None if departure_rates is None else np.ascontiguousarray(departure_rates.T),
        reserved_share=(
            cfg.ind_tpd_reserved_share
            if levers is None or "ind_tpd_reserved_share" not in levers
            else np.asarray(levers["ind_tpd_reserved_share"], dtype=float)
        ),
        capacity_scale=(
            1.0
            if levers is None or "ind_capacity_scale" not in levers
            else np.asarray(levers["ind_capacity_scale"], dtype=float)
        ),
    )


def _initial_stocks(cohort_cases: np.ndarray, cfg: BacklogConfig, par: dict[str, np.ndarray], n_months: int) -> Stocks:
    """Stocks at the TPD end: the whole cohort pending, the regular queue at its level."""
    n = cohort_cases.shape[0]
    simple = cohort_cases * par["simple_case_share"]
    standard = cohort_cases - simple
    uptake = par["permit_uptake_share"]
    return Stocks(
        simple_permit_takers=simple * uptake,
        simple_continuing=simple * (1 - uptake),
        standard_permit_takers=standard * uptake,
        standard_continuing=standard * (1 - uptake),
        regular=initial_queue(
            par["regular_backlog_cases"], n_months, cfg.regular_backlog_age_months, cfg.regular_term_months
        ),
        appeals=np.zeros(n),
        departure_term=[np.zeros(n) for _ in range(cfg.departure_term_months)],
        dtv=np.zeros(n),
        permit_queue=np.zeros(n),
    )


# --- a run -------------------------------------------------------------------------------------


def _checked_rates(departure_rates: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    """Return ``departure_rates`` as floats, or raise if their shape or values are wrong."""
    if departure_rates is None:
        return None
    rates = np.asarray(departure_rates, dtype=float)
    if rates.shape != shape:
        raise ParameterError(f"departure_rates must have shape (n_paths, n_months) = {shape}, got {rates.shape}")
    if not np.all(np.isfinite(rates)) or np.any(rates < 0) or np.any(rates > 1):
        raise ParameterError("departure_rates must be finite shares per month in [0, 1]")
    return rates


def run(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    draws: Draws,
    *,
    departure_rates: np.ndarray | None = None,
    extra_regular_inflow: np.ndarray | None = None,
    levers: dict[str, np.ndarray] | None = None,
) -> BacklogResult:
    """Simulate the backlog on given random numbers (see :func:`simulate`).

    Args:
        cohort_persons: Registered persons at the TPD end, shape (n_paths,).
        cfg: Backlog settings.
        draws: Random numbers from :func:`draw` with the same number of paths.
        departure_rates: Monthly departure probability of pending and appealing cases,
            shape (n_paths, n_months), e.g. :func:`forecast_departure_rates` (the forecast's
            one departure process); ``None``: ``cfg.departure_rate_per_month`` per path
            (standalone use). The uniform of that parameter is drawn either way, so the
            other parameters keep their common random numbers.
        extra_regular_inflow: Regular asylum applications added to the regular inflow per
            month, shape (n_paths, n_months) (cases = persons: the IND counts applicants),
            e.g. arrivals from Ukraine after the TPD end; ``None``: none.
        levers: Per-path values of policy levers (:data:`LEVERS`), shape (n_paths,):
            ``ind_tpd_reserved_share`` (share in [0, 1], replaces the configured one) and
            ``ind_capacity_scale`` (multiplier >= 0 of the planned IND capacity); ``None``:
            the configuration's, on every path.

    Returns:
        The :class:`BacklogResult` over ``draws.n_months`` months.
    """
    cohort_persons = np.asarray(cohort_persons, dtype=float)
    n, n_months = draws.n_paths, draws.n_months
    if cohort_persons.shape != (n,):
        raise ParameterError(f"cohort_persons must have shape ({n},) to match the draws, got {cohort_persons.shape}")
    if np.any(cohort_persons < 0) or not np.all(np.isfinite(cohort_persons)):
        raise ParameterError("cohort_persons must be finite and non-negative")
    rates = _checked_rates(departure_rates, (n, n_months))
    extra = None
    if extra_regular_inflow is not None:
        extra = np.asarray(extra_regular_inflow, dtype=float)
        if extra.shape != (n, n_months) or np.any(extra < 0) or not np.all(np.isfinite(extra)):
            raise ParameterError(
                f"extra_regular_inflow must be finite persons >= 0 of shape {(n, n_months)}, got shape {extra.shape}"
            )
    if levers is not None:
        unknown = set(levers) - set(LEVERS)
        if unknown:
            raise ParameterError(f"levers must be among {LEVERS}, got {sorted(unknown)}")
        for name, x in levers.items():
            x = np.asarray(x, dtype=float)
            hi = 1.0 if name == "ind_tpd_reserved_share" else np.inf
            if x.shape != (n,) or not np.all(np.isfinite(x)) or np.any(x < 0) or np.any(x > hi):
                raise ParameterError(f"lever {name} must be {n} finite values in [0, {hi}], got shape {x.shape}")
    setup = _setup(cfg, draws, rates, extra, levers)
    cases = cohort_persons / setup.values["persons_per_case"]
    stocks = _initial_stocks(cases, cfg, setup.values, n_months)
    by_month = {name: np.empty((n_months, n)) for name in RECORDED}  # rows: contiguous writes
    for month in range(n_months):
        month_values = step(month, stocks, setup, cfg)
        for name in RECORDED:
            by_month[name][month] = month_values[name]
    out = {name: np.ascontiguousarray(x.T) for name, x in by_month.items()}

    dates = pd.date_range(pd.Timestamp(cfg.tpd_end_date).to_period("M").to_timestamp(), periods=n_months, freq="MS")
    months_to_clear = first_month_at_or_below(out["pending"], cfg.clear_threshold_cases)
    permit_work = out["permit_takers_waiting"] + out["permits_pending"]
    months_to_permits = first_month_at_or_below(permit_work, cfg.permit_done_threshold)
    takers = cases * setup.values["permit_uptake_share"]
    months_to_permits[takers <= cfg.permit_done_threshold] = 0.0
    return BacklogResult(
        dates=dates,
        paths=out,
        months_to_clear=months_to_clear,
        months_to_permits=months_to_permits,
        cohort_cases=cases,
        cohort_persons=cohort_persons,
        parameters=setup.values,
        config=cfg,
        draws=draws,
    )


def simulate(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator,
    n_months: int | None = None,
    departure_rates: np.ndarray | None = None,
    extra_regular_inflow: np.ndarray | None = None,
) -> BacklogResult:
    """Simulate the post-TPD backlog, vectorised over paths (loop over months only).

    Args:
        cohort_persons: Registered persons at the TPD end, one per path, shape (n_paths,);
            see :func:`cohort_at_tpd_end`.
        cfg: Backlog settings (``scn.backlog``).
        rng: Random generator; all random numbers are drawn up front by :func:`draw`.
        n_months: Months to simulate from the TPD end month (default ``cfg.n_months``).
        departure_rates: The forecast's departure rates on the backlog months, shape
            (n_paths, n_months) (:func:`forecast_departure_rates`); ``None``: the parameter.
        extra_regular_inflow: Regular asylum applications added per month (persons), shape
            (n_paths, n_months); see :func:`run`.

    Returns:
        A :class:`BacklogResult`; ``result.table()`` is the ``backlog_forecast`` table.
    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    months = cfg.n_months if n_months is None else int(n_months)
    draws = draw(cohort_persons.shape[0], months, rng=rng)
    return run(cohort_persons, cfg, draws, departure_rates=departure_rates, extra_regular_inflow=extra_regular_inflow)


def forecast_departure_rates(pop: PopulationPaths, cfg: BacklogConfig, *, n_months: int | None = None) -> np.ndarray:
    """Return the forecast's departure rates on the backlog's months, path by path.

    The one departure process of a run (:attr:`PopulationPaths.departure_rates`): backlog
    month ``k`` (``k`` months after the TPD-end month) takes the forecast path's rate of
    the same calendar month; months after the forecast horizon continue the path's last
    rate, and months before its first month (a TPD end before the jump-off) take its first.
    The pending cohort leaves at the rate of the registered population it came from.

    Args:
        pop: Forecast paths.
        cfg: Backlog settings (``tpd_end_date``, ``n_months``).
        n_months: Backlog months (default ``cfg.n_months``).

    Returns:
        Shares per month, shape (pop.n_paths, n_months).
    """
    months = cfg.n_months if n_months is None else int(n_months)
    start = pd.Timestamp(cfg.tpd_end_date).to_period("M")
    first = pd.Timestamp(pop.dates[0]).to_period("M")
    offset = (start.year - first.year) * 12 + (start.month - first.month)
    rates = np.clip(pop.departure_rates, 0.0, 1.0)
    idx = np.clip(offset + np.arange(months), 0, rates.shape[1] - 1)
    return np.ascontiguousarray(rates[:, idx])


def cohort_at_tpd_end(pop: PopulationPaths | None, cfg: BacklogConfig, *, n_paths: int | None = None) -> np.ndarray:
    """Return the registered persons at the TPD end, per path.

    Taken from ``pop.registered`` at the end of the month before the TPD end date (the
    stock on the day protection ends) when ``cfg.use_forecast_cohort`` and that month lies
    in the forecast (or is its jump-off month); otherwise ``cfg.cohort_persons`` on every
    path.

    Args:
        pop: Forecast paths, or ``None`` to use the fixed number.
        cfg: Backlog settings.
        n_paths: Paths wanted when ``pop`` is ``None`` (default ``cfg.n_paths``).

    Returns:
        Array of shape (n_paths,) in persons.
    """
    month = pd.Timestamp(cfg.tpd_end_date).to_period("M").to_timestamp() - pd.DateOffset(months=1)
    if pop is None:
        return np.full(cfg.n_paths if n_paths is None else n_paths, cfg.cohort_persons)
    if cfg.use_forecast_cohort:
        dates = pd.DatetimeIndex(pop.dates)
        if month in dates:
            return np.asarray(pop.registered[:, dates.get_loc(month)], dtype=float).copy()
        if month == pd.Timestamp(pop.jump_off_date):
            return np.full(pop.n_paths, float(pop.jump_off_registered))
        log.info(
            "TPD end %s lies outside the forecast (%s..%s): fixed cohort of %s persons",
            cfg.tpd_end_date,
            dates.min().date(),
            dates.max().date(),
            cfg.cohort_persons,
        )
    return np.full(pop.n_paths, cfg.cohort_persons)
