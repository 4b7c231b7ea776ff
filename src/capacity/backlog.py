"""The post-TPD asylum backlog at the IND and DT&V: a monthly Monte Carlo cohort model.

When temporary protection (TPD) ends, every registered person's suspended asylum
application restarts at once. This module follows that cohort, in *cases*
(persons / ``persons_per_case``), month by month from the TPD end month:

1. **Leaving the queue** (start-of-month stock, competing monthly probabilities, split
   in proportion): withdrawal into the voluntary return programme; withdrawal into the
   transition / fallback permit (only the ``permit_uptake_share`` of cases that intend
   to, spread evenly over ``permit_uptake_months``); spontaneous departure.
2. **IND decisions** at a capacity that is a time series (level, ramp-up, realisation
   factor per path, month-to-month noise), shared with the regular asylum queue: the
   regular stock at the TPD end ("old") and regular applications lodged after it
   ("new"). The queue discipline orders the four groups (regular old, cohort simple,
   cohort standard, regular new); a reserved share of capacity can go to the cohort first.
3. **Outcomes**: grant; rejection, of which a share appeals (court duration geometric,
   success counted as a grant); a final rejection waits out the departure term and then
   joins DT&V's caseload, which DT&V closes at its capacity into independent departure,
   forced return, departure without supervision and other outcomes.
4. **Permits**: cases that withdrew for the permit join a permit-processing queue at the
   IND with its own capacity.
5. **Legal term**: a cohort decision in month ``k`` (taken at mid-month, ``k + 0.5``
   months after the restart) is late when that exceeds the applicable term; a share of
   late applicants sends a notice of default and the penalty accrues per day on the
   Awb schedule, capped per case.

The model is a mean-field (fluid) model per path: randomness comes from the uncertain
parameters (one draw per path) and from month-to-month noise in capacity and inflow; the
flows themselves are expected values. With a cohort of tens of thousands of cases the
binomial noise of individual behaviour is negligible next to parameter uncertainty; the
SimPy discrete-event model in the tests checks that the means agree.

Common random numbers: :func:`draw` takes all uniforms for the uncertain parameters (in
the fixed order of :data:`UNCERTAIN`, whether a scenario fixes them or not) and all
monthly normals up front, and parameters are obtained by inverse CDF. Two policies run on
the same :class:`Draws` therefore differ only by the policy, not by noise.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from capacity.distributions import quantile
from capacity.errors import ParameterError
from capacity.params.backlog import BacklogConfig
from capacity.paths import PopulationPaths
from capacity.quantiles import check_contract, summarise_many

log = logging.getLogger(__name__)

__all__ = [
    "CONTRACT_VARIABLES", "DAYS_PER_MONTH", "UNCERTAIN", "UNITS", "BacklogResult", "Draws",
    "cohort_at_tpd_end", "compare_policies", "default_policies", "draw", "headline",
    "months_to_clear_table",
    "penalty_per_case", "run", "simulate", "solve_capacity",
]

DAYS_PER_MONTH = 365.25 / 12

#: Uncertain parameters, in the fixed order in which their uniforms are drawn.
UNCERTAIN: tuple[str, ...] = (
    "persons_per_case", "simple_case_share", "return_rate_per_month", "permit_uptake_share",
    "permit_uptake_months", "departure_rate_per_month", "ind_capacity_realisation",
    "regular_backlog_cases", "regular_inflow_per_year", "grant_share", "appeal_share",
    "appeal_months_mean", "appeal_success_share", "dtv_capacity_realisation",
    "permit_capacity_realisation", "notice_share",
)
#: Number of monthly noise series: IND capacity, regular inflow, DT&V capacity.
_N_NOISE = 3

#: Variables of the quantile table ``backlog_forecast`` required by the issue.
CONTRACT_VARIABLES: tuple[str, ...] = (
    "pending", "decisions", "late_decisions", "penalty_eur", "dtv_caseload", "shelter_entitled",
)

#: Unit of every path variable (stocks at month end, flows per month).
UNITS: dict[str, str] = {
    "pending": "cases (cohort, first instance, month end)",
    "pending_regular": "cases (regular asylum queue, month end)",
    "backlog_total": "cases (cohort + regular, month end)",
    "decisions": "cases/month (cohort first-instance decisions)",
    "decisions_regular": "cases/month",
    "late_decisions": "cases/month (cohort decisions after the term)",
    "penalty_eur": "EUR/month",
    "granted": "cases/month (first instance + successful appeals)",
    "withdrawn_return": "cases/month",
    "withdrawn_permit": "cases/month",
    "departed": "cases/month (left on their own while pending or appealing)",
    "appeals_pending": "cases (month end)",
    "departure_term": "cases (month end)",
    "dtv_caseload": "cases (month end)",
    "dtv_independent": "cases/month",
    "dtv_forced": "cases/month",
    "dtv_unsupervised": "cases/month",
    "dtv_other": "cases/month",
    "permits_pending": "cases (month end)",
    "permit_takers_waiting": "cases (month end, intend to take the permit, not yet withdrawn)",
    "permits_issued": "cases/month",
    "shelter_entitled": "persons (month end)",
    "ind_capacity": "decisions/month",
    "regular_inflow": "cases/month",
}

_STOCKS_EXITS = ("granted", "withdrawn_return", "withdrawn_permit", "departed",
                 "dtv_independent", "dtv_forced", "dtv_unsupervised", "dtv_other")
_STOCKS_IN = ("pending", "appeals_pending", "departure_term", "dtv_caseload")


# --- random draws ------------------------------------------------------------------------


@dataclass(frozen=True)
class Draws:
    """All random numbers of a run, drawn up front for common random numbers.

    Attributes:
        uniforms: Shape (len(UNCERTAIN), n_paths); row ``i`` feeds ``UNCERTAIN[i]``.
        normals: Shape (n_months, 3, n_paths): IND capacity, regular inflow, DT&V capacity.
    """

    uniforms: np.ndarray
    normals: np.ndarray

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return int(self.uniforms.shape[1])

    @property
    def n_months(self) -> int:
        """Number of months."""
        return int(self.normals.shape[0])


def draw(n_paths: int, n_months: int, *, rng: np.random.Generator) -> Draws:
    """Draw every random number a run needs, in a fixed order independent of the policy."""
    uniforms = rng.random((len(UNCERTAIN), n_paths))
    normals = rng.standard_normal((n_months, _N_NOISE, n_paths))
    return Draws(uniforms=uniforms, normals=normals)


_BOUNDS: dict[str, tuple[float, float]] = {
    "persons_per_case": (1e-9, np.inf), "simple_case_share": (0, 1),
    "return_rate_per_month": (0, 1), "permit_uptake_share": (0, 1),
    "permit_uptake_months": (0, np.inf), "departure_rate_per_month": (0, 1),
    "ind_capacity_realisation": (0, np.inf), "regular_backlog_cases": (0, np.inf),
    "regular_inflow_per_year": (0, np.inf), "grant_share": (0, 1), "appeal_share": (0, 1),
    "appeal_months_mean": (1e-9, np.inf), "appeal_success_share": (0, 1),
    "dtv_capacity_realisation": (0, np.inf), "permit_capacity_realisation": (0, np.inf),
    "notice_share": (0, 1),
}


def _parameters(cfg: BacklogConfig, uniforms: np.ndarray) -> dict[str, np.ndarray]:
    """Per-path values of the uncertain parameters.

    Raises:
        ParameterError: If a distribution puts values outside the parameter's range.
    """
    values: dict[str, np.ndarray] = {}
    for i, name in enumerate(UNCERTAIN):
        x = quantile(getattr(cfg, name), uniforms[i])
        lo, hi = _BOUNDS[name]
        if np.any(x < lo - 1e-12) or np.any(x > hi + 1e-12):
            raise ParameterError(
                f"backlog.{name} must lie in [{lo}, {hi}]; its distribution "
                f"{getattr(cfg, name).model_dump(exclude_none=True)} gives values from "
                f"{x.min():.4g} to {x.max():.4g}")
        values[name] = x
    return values


# --- legal term and penalties ------------------------------------------------------------


def penalty_per_case(days_late: np.ndarray | float, cfg: BacklogConfig) -> np.ndarray:
    """Penalty owed for one case decided ``days_late`` days after its term ended (EUR).

    The penalty runs from ``notice_lag_days + penalty_grace_days`` after the end of the
    term, at the per-day steps of ``penalty_eur_per_day`` (each ``penalty_step_days``
    long, the last step continuing), and is capped at ``penalty_cap_eur`` (Awb art.
    4:17: 14 x 23 + 14 x 35 + 14 x 45 = EUR 1,442).
    """
    days = np.maximum(np.asarray(days_late, dtype=float) - cfg.notice_lag_days
                      - cfg.penalty_grace_days, 0.0)
    total = np.zeros_like(days)
    start = 0.0
    rates = cfg.penalty_eur_per_day
    for i, rate in enumerate(rates):
        length = np.inf if i == len(rates) - 1 else cfg.penalty_step_days
        total += rate * np.clip(days - start, 0.0, length)
        start += length
    return np.minimum(total, cfg.penalty_cap_eur)


# --- capacity and inflow series -----------------------------------------------------------


def _series(values: Sequence[float], n_months: int) -> np.ndarray:
    """Return ``n_months`` values from ``values``, the last carried on."""
    arr = np.asarray(values, dtype=float)
    idx = np.minimum(np.arange(n_months), len(arr) - 1)
    return arr[idx]


def planned_capacity(cfg: BacklogConfig, n_months: int) -> np.ndarray:
    """Planned IND first-instance capacity per month from the TPD end (decisions/month)."""
    if cfg.ind_capacity_series:
        return _series(cfg.ind_capacity_series, n_months)
    base = cfg.ind_decisions_per_month
    if cfg.ind_ramp_target_per_month is None:
        return np.full(n_months, base)
    target = cfg.ind_ramp_target_per_month
    if cfg.ind_ramp_months == 0:
        return np.full(n_months, target)
    frac = np.minimum(1.0, (np.arange(n_months) + 1) / cfg.ind_ramp_months)
    return base + (target - base) * frac


def _noise(z: np.ndarray, sd: float) -> np.ndarray:
    """Mean-one lognormal multiplier."""
    if sd == 0:
        return np.ones_like(z)
    return np.exp(sd * z - 0.5 * sd * sd)


# --- result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogResult:
    """Monthly sample paths of the post-TPD backlog.

    Attributes:
        dates: Month starts from the TPD end month, length ``n_months``.
        paths: ``{variable: array (n_paths, n_months)}``; units in :data:`UNITS`.
        months_to_clear: Per path, months from the TPD end month until the cohort's pending
            cases first fall to ``clear_threshold_cases`` (``inf`` if not within the run).
        months_to_permits: Per path, months until every permit taker has withdrawn and
            every permit is issued (``inf`` if not within the run; 0 without takers).
        cohort_cases: Cases restarting at the TPD end, per path.
        cohort_persons: Persons restarting at the TPD end, per path.
        parameters: The per-path values of the uncertain parameters.
        config: The configuration that produced the result.
    """

    dates: pd.DatetimeIndex
    paths: dict[str, np.ndarray]
    months_to_clear: np.ndarray
    months_to_permits: np.ndarray
    cohort_cases: np.ndarray
    cohort_persons: np.ndarray
    parameters: dict[str, np.ndarray] = field(repr=False)
    config: BacklogConfig = field(repr=False)

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.cohort_cases.shape[0])

    def table(self, variables: Sequence[str] | None = None) -> pd.DataFrame:
        """Return the quantile-contract table (default: the six contract variables)."""
        names = CONTRACT_VARIABLES if variables is None else tuple(variables)
        return check_contract(summarise_many({n: self.paths[n] for n in names}, self.dates))

    def late_share(self) -> np.ndarray:
        """Per path, the share of the cohort's first-instance decisions that come late.

        Cases still pending at the end of the run count as late decisions to come when the
        term has passed by then; without them, a capacity so low that hardly anything is
        decided would look punctual. ``(late + overdue at end) / (decided + pending at end)``.
        """
        late = self.late_or_overdue()
        total = self.paths["decisions"].sum(axis=1) + self.paths["pending"][:, -1]
        return np.divide(late, total, out=np.zeros_like(late), where=total > 0)

    def late_or_overdue(self) -> np.ndarray:
        """Per path, late decisions in the run plus cases still pending past the term (cases)."""
        pending_end = self.paths["pending"][:, -1]
        n_months = self.paths["pending"].shape[1]
        overdue = pending_end if n_months + 0.5 > self.config.term_months else 0.0
        return self.paths["late_decisions"].sum(axis=1) + overdue

    def accounted(self) -> np.ndarray:
        """Cohort cases accounted for at each month end, per path (cases).

        Pending + appealing + in the departure term + in DT&V + everyone who left
        (granted, withdrawn into return or permit, departed, DT&V case closed).
        """
        total = sum(self.paths[n] for n in _STOCKS_IN)
        return total + sum(np.cumsum(self.paths[n], axis=1) for n in _STOCKS_EXITS)

    def conservation_error(self) -> float:
        """Largest absolute gap between the cohort and the cases accounted for (cases)."""
        return float(np.max(np.abs(self.accounted() - self.cohort_cases[:, None])))

    def mean_wait_months(self) -> np.ndarray:
        """Per path, mean months a cohort case spends in first instance (pending).

        A case leaving during month ``k`` (decided, withdrawn or departed) counts
        ``k + 1`` months of month-start stock. Cases still pending at the end count the
        whole run (censored).
        """
        exits = self._first_instance_exits()
        k = np.arange(1, exits.shape[1] + 1)
        left = self.paths["pending"][:, -1] * exits.shape[1]
        return (exits @ k + left) / np.maximum(self.cohort_cases, 1e-12)

    def _first_instance_exits(self) -> np.ndarray:
        p = self.paths
        departed_pending = p["departed_pending"]
        return p["decisions"] + p["withdrawn_return"] + p["withdrawn_permit"] + departed_pending


def headline(result: BacklogResult) -> dict[str, float]:
    """Headline figures of a run (medians over paths unless the key says otherwise)."""
    p = result.paths

    def med(x: np.ndarray) -> float:
        if np.all(np.isfinite(x)):
            return float(np.median(x))
        return float(np.quantile(x, 0.5, method="inverted_cdf"))

    def q90(x: np.ndarray) -> float:
        # inverted_cdf: an observed value, so paths that never clear (inf) give inf, not nan
        return float(np.quantile(x, 0.9, method="inverted_cdf"))

    return {
        "cohort_persons": med(result.cohort_persons),
        "cohort_cases": med(result.cohort_cases),
        "backlog_peak": med(p["pending"].max(axis=1)),
        "backlog_total_peak": med(p["backlog_total"].max(axis=1)),
        "regular_backlog_peak": med(p["pending_regular"].max(axis=1)),
        "months_to_clear": med(result.months_to_clear),
        "months_to_clear_p90": q90(result.months_to_clear),
        "share_cleared_in_run": float(np.mean(np.isfinite(result.months_to_clear))),
        "decisions_total": med(p["decisions"].sum(axis=1)),
        "late_decisions_total": med(p["late_decisions"].sum(axis=1)),
        "late_decisions_total_p90": q90(p["late_decisions"].sum(axis=1)),
        "late_or_overdue": med(result.late_or_overdue()),
        "late_share": med(result.late_share()),
        "pending_at_end": med(p["pending"][:, -1]),
        "penalty_eur_total": med(p["penalty_eur"].sum(axis=1)),
        "penalty_eur_total_p90": q90(p["penalty_eur"].sum(axis=1)),
        "dtv_caseload_peak": med(p["dtv_caseload"].max(axis=1)),
        "shelter_entitled_peak": med(p["shelter_entitled"].max(axis=1)),
        "permits_issued_total": med(p["permits_issued"].sum(axis=1)),
        "permits_issued_by_month": med(result.months_to_permits),
        "permits_issued_by_month_p90": q90(result.months_to_permits),
        "withdrawn_return_total": med(p["withdrawn_return"].sum(axis=1)),
        "granted_total": med(p["granted"].sum(axis=1)),
    }


def months_to_clear_table(result: BacklogResult) -> pd.DataFrame:
    """Return the distribution of the finishing times, one row per month after the TPD end.

    Columns: ``month`` (months after the TPD end month), ``date``, ``share_cleared`` (share
    of paths whose cohort backlog is under ``clear_threshold_cases`` by then) and
    ``share_permits_done`` (share of paths on which every transition permit is issued).
    """
    months = np.arange(0, result.dates.size + 1)
    return pd.DataFrame({
        "month": months,
        # by the start of this month = by the end of month ``month`` after the TPD end month
        "date": pd.date_range(result.dates[0], periods=months.size, freq="MS"),
        "share_cleared": (result.months_to_clear[:, None] <= months).mean(axis=0),
        "share_permits_done": (result.months_to_permits[:, None] <= months).mean(axis=0),
    })


# --- the model -------------------------------------------------------------------------


def _first_month_at_or_below(x: np.ndarray, threshold: float) -> np.ndarray:
    """Per path, 1 + index of the first month with ``x <= threshold`` (``inf`` if none)."""
    hit = x <= threshold
    first = np.argmax(hit, axis=1).astype(float) + 1
    first[~hit.any(axis=1)] = np.inf
    return first


def _leave(stock: np.ndarray, probs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Split the leavers of ``stock`` over competing monthly probabilities.

    Everyone leaves with probability ``1 - prod(1 - p_i)``; leavers are split in
    proportion to the ``p_i``.
    """
    stay = np.ones_like(stock)
    total_p = np.zeros_like(stock)
    for p in probs:
        stay = stay * (1 - p)
        total_p = total_p + p
    leaving = stock * (1 - stay)
    scale = np.divide(leaving, total_p, out=np.zeros_like(leaving), where=total_p > 0)
    return [scale * p for p in probs]


def _fill(
    capacity: np.ndarray, groups: Sequence[tuple[np.ndarray, float]]
) -> tuple[list[np.ndarray], np.ndarray]:
    """Serve groups in priority order, ``(stock, effort per case)``; return served and left."""
    served = []
    left = capacity
    for stock, effort in groups:
        s = np.minimum(stock, left / effort)
        served.append(s)
        left = np.maximum(left - s * effort, 0.0)
    return served, left


_ORDERS: dict[str, tuple[str, ...]] = {
    "oldest_first": ("regular_old", "cohort_simple", "cohort_standard", "regular_new"),
    "newest_first": ("regular_new", "cohort_simple", "cohort_standard", "regular_old"),
    "simple_first": ("cohort_simple", "regular_old", "cohort_standard", "regular_new"),
}


def run(cohort_persons: np.ndarray, cfg: BacklogConfig, draws: Draws) -> BacklogResult:
    """Simulate the backlog on given random numbers (see :func:`simulate`).

    Args:
        cohort_persons: Registered persons at the TPD end, shape (n_paths,).
        cfg: Backlog settings.
        draws: Random numbers from :func:`draw` with the same number of paths.

    Returns:
        The :class:`BacklogResult` over ``draws.n_months`` months.
    """
    cohort_persons = np.asarray(cohort_persons, dtype=float)
    n, n_months = draws.n_paths, draws.n_months
    if cohort_persons.shape != (n,):
        raise ParameterError(
            f"cohort_persons must have shape ({n},) to match the draws, got {cohort_persons.shape}")
    if np.any(cohort_persons < 0) or not np.all(np.isfinite(cohort_persons)):
        raise ParameterError("cohort_persons must be finite and non-negative")
    par = _parameters(cfg, draws.uniforms)
    ppc = par["persons_per_case"]
    cases = cohort_persons / ppc
    simple = cases * par["simple_case_share"]
    standard = cases - simple
    u = par["permit_uptake_share"]
    # cohort stocks: (simple, standard) x (permit taker, not)
    cs_t, cs_n = simple * u, simple * (1 - u)
    cc_t, cc_n = standard * u, standard * (1 - u)
    regular_old = par["regular_backlog_cases"].copy()
    regular_new = np.zeros(n)
    appeals = np.zeros(n)
    pipe = [np.zeros(n) for _ in range(cfg.departure_term_months)]
    dtv = np.zeros(n)
    permit_queue = np.zeros(n)

    r_ret = par["return_rate_per_month"]
    r_dep = par["departure_rate_per_month"]
    uptake_months = par["permit_uptake_months"]
    p_court = np.minimum(1.0, 1.0 / par["appeal_months_mean"])
    grant, appeal, success = par["grant_share"], par["appeal_share"], par["appeal_success_share"]
    notice = par["notice_share"] * (0.0 if cfg.penalties_abolished else 1.0)
    e_simple = cfg.simple_case_effort
    reserved_share = cfg.ind_tpd_reserved_share
    order = _ORDERS.get(cfg.queue_discipline)

    cap_plan = planned_capacity(cfg, n_months)
    if cfg.regular_inflow_series:
        inflow_plan = _series(cfg.regular_inflow_series, n_months)[:, None] * np.ones(n)
    else:
        inflow_plan = np.broadcast_to(par["regular_inflow_per_year"] / 12.0, (n_months, n))
    dtv_cap = cfg.dtv_cases_per_month * par["dtv_capacity_realisation"]
    permit_cap = cfg.permit_capacity_per_month * par["permit_capacity_realisation"]
    share_other = (1.0 - cfg.dtv_share_independent - cfg.dtv_share_forced
                   - cfg.dtv_share_unsupervised)
    term = cfg.term_months
    late_amount = penalty_per_case(
        (np.arange(n_months) + 0.5 - term) * DAYS_PER_MONTH, cfg)

    names = ("pending", "pending_regular", "backlog_total", "decisions", "decisions_regular",
             "late_decisions", "penalty_eur", "granted", "withdrawn_return", "withdrawn_permit",
             "departed", "departed_pending", "appeals_pending", "departure_term",
             "dtv_caseload", "dtv_independent", "dtv_forced", "dtv_unsupervised", "dtv_other",
             "permits_pending", "permit_takers_waiting", "permits_issued", "shelter_entitled",
             "ind_capacity", "regular_inflow")
    out = {name: np.empty((n, n_months)) for name in names}

    for k in range(n_months):
        # 1. leaving the first-instance queue (start-of-month stocks)
        remaining = uptake_months - k
        h_perm = np.where(remaining > 1.0, 1.0 / np.maximum(remaining, 1e-12), 1.0)
        ret_st, perm_st, dep_st = _leave(cs_t, (r_ret, h_perm, r_dep))
        ret_ct, perm_ct, dep_ct = _leave(cc_t, (r_ret, h_perm, r_dep))
        ret_sn, dep_sn = _leave(cs_n, (r_ret, r_dep))
        ret_cn, dep_cn = _leave(cc_n, (r_ret, r_dep))
        cs_t = cs_t - ret_st - perm_st - dep_st
        cc_t = cc_t - ret_ct - perm_ct - dep_ct
        cs_n = cs_n - ret_sn - dep_sn
        cc_n = cc_n - ret_cn - dep_cn
        withdrawn_return = ret_st + ret_ct + ret_sn + ret_cn
        withdrawn_permit = perm_st + perm_ct
        departed_pending = dep_st + dep_ct + dep_sn + dep_cn

        # 2. IND decisions: regular inflow arrives, capacity is shared
        inflow = inflow_plan[k] * _noise(draws.normals[k, 1], cfg.regular_inflow_noise_sd)
        regular_new = regular_new + inflow
        capacity = (cap_plan[k] * par["ind_capacity_realisation"]
                    * _noise(draws.normals[k, 0], cfg.ind_capacity_noise_sd))
        c_simple, c_standard = cs_t + cs_n, cc_t + cc_n
        if reserved_share > 0:
            (rs_s, rs_c), reserve_left = _fill(capacity * reserved_share,
                                               ((c_simple, e_simple), (c_standard, 1.0)))
            free = capacity * (1 - reserved_share) + reserve_left
        else:
            rs_s = rs_c = np.zeros(n)
            free = capacity
        stocks = {"regular_old": (regular_old, 1.0), "cohort_simple": (c_simple - rs_s, e_simple),
                  "cohort_standard": (c_standard - rs_c, 1.0), "regular_new": (regular_new, 1.0)}
        if order is None:  # proportional: capacity shared in proportion to the work waiting
            work = sum(s * e for s, e in stocks.values())
            frac = np.minimum(1.0, np.divide(free, work, out=np.ones(n), where=work > 0))
            served = {key: s * frac for key, (s, _) in stocks.items()}
        else:
            got, _ = _fill(free, [stocks[key] for key in order])
            served = dict(zip(order, got, strict=True))
        d_simple = served["cohort_simple"] + rs_s
        d_standard = served["cohort_standard"] + rs_c
        f_s = np.divide(cs_t, c_simple, out=np.zeros(n), where=c_simple > 0)
        f_c = np.divide(cc_t, c_standard, out=np.zeros(n), where=c_standard > 0)
        cs_t, cs_n = cs_t - d_simple * f_s, cs_n - d_simple * (1 - f_s)
        cc_t, cc_n = cc_t - d_standard * f_c, cc_n - d_standard * (1 - f_c)
        regular_old = regular_old - served["regular_old"]
        regular_new = regular_new - served["regular_new"]
        decisions = d_simple + d_standard
        late = decisions if k + 0.5 > term else np.zeros(n)

        # 3. appeals (start-of-month stock), then new rejections join
        court, dep_app = _leave(appeals, (p_court, r_dep))
        appeals = appeals - court - dep_app
        rejected = decisions * (1 - grant)
        appeals = appeals + rejected * appeal
        final_rejections = rejected * (1 - appeal) + court * (1 - success)
        granted = decisions * grant + court * success

        # 4. departure term, then DT&V
        if pipe:
            to_dtv = pipe[0]
            pipe = [*pipe[1:], final_rejections]
        else:
            to_dtv = final_rejections
        closed = np.minimum(dtv, dtv_cap)
        dtv = dtv - closed + to_dtv

        # 5. permits
        permit_queue = permit_queue + withdrawn_permit
        issued = np.minimum(permit_queue, permit_cap)
        permit_queue = permit_queue - issued

        pending = cs_t + cs_n + cc_t + cc_n
        in_term = sum(pipe) if pipe else np.zeros(n)
        o = out
        o["pending"][:, k] = pending
        o["pending_regular"][:, k] = regular_old + regular_new
        o["backlog_total"][:, k] = pending + regular_old + regular_new
        o["decisions"][:, k] = decisions
        o["decisions_regular"][:, k] = served["regular_old"] + served["regular_new"]
        o["late_decisions"][:, k] = late
        o["penalty_eur"][:, k] = late * notice * late_amount[k]
        o["granted"][:, k] = granted
        o["withdrawn_return"][:, k] = withdrawn_return
        o["withdrawn_permit"][:, k] = withdrawn_permit
        o["departed"][:, k] = departed_pending + dep_app
        o["departed_pending"][:, k] = departed_pending
        o["appeals_pending"][:, k] = appeals
        o["departure_term"][:, k] = in_term
        o["dtv_caseload"][:, k] = dtv
        o["dtv_independent"][:, k] = closed * cfg.dtv_share_independent
        o["dtv_forced"][:, k] = closed * cfg.dtv_share_forced
        o["dtv_unsupervised"][:, k] = closed * cfg.dtv_share_unsupervised
        o["dtv_other"][:, k] = closed * share_other
        o["permits_pending"][:, k] = permit_queue
        o["permit_takers_waiting"][:, k] = cs_t + cc_t
        o["permits_issued"][:, k] = issued
        o["shelter_entitled"][:, k] = (pending + appeals + in_term) * ppc
        o["ind_capacity"][:, k] = capacity
        o["regular_inflow"][:, k] = inflow

    dates = pd.date_range(pd.Timestamp(cfg.tpd_end_date).to_period("M").to_timestamp(),
                          periods=n_months, freq="MS")
    months_to_clear = _first_month_at_or_below(out["pending"], cfg.clear_threshold_cases)
    permit_work = out["permit_takers_waiting"] + out["permits_pending"]
    months_to_permits = _first_month_at_or_below(permit_work, cfg.permit_done_threshold)
    months_to_permits[(cases * u) <= cfg.permit_done_threshold] = 0.0
    return BacklogResult(dates=dates, paths=out, months_to_clear=months_to_clear,
                         months_to_permits=months_to_permits, cohort_cases=cases,
                         cohort_persons=cohort_persons, parameters=par, config=cfg)


def simulate(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator,
    n_months: int | None = None,
) -> BacklogResult:
    """Simulate the post-TPD backlog, vectorised over paths (loop over months only).

    Args:
        cohort_persons: Registered persons at the TPD end, one per path, shape (n_paths,);
            see :func:`cohort_at_tpd_end`.
        cfg: Backlog settings (``scn.backlog``).
        rng: Random generator; all random numbers are drawn up front by :func:`draw`.
        n_months: Months to simulate from the TPD end month (default ``cfg.n_months``).

    Returns:
        A :class:`BacklogResult`; ``result.table()`` is the ``backlog_forecast`` table.
    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    months = cfg.n_months if n_months is None else int(n_months)
    draws = draw(cohort_persons.shape[0], months, rng=rng)
    return run(cohort_persons, cfg, draws)


def cohort_at_tpd_end(pop: PopulationPaths | None, cfg: BacklogConfig, *,
                      n_paths: int | None = None) -> np.ndarray:
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
        log.info("TPD end %s lies outside the forecast (%s..%s): fixed cohort of %s persons",
                 cfg.tpd_end_date, dates.min().date(), dates.max().date(), cfg.cohort_persons)
    return np.full(pop.n_paths, cfg.cohort_persons)


# --- capacity solver ------------------------------------------------------------------


def _with(cfg: BacklogConfig, **update: Any) -> BacklogConfig:
    """Return a validated copy of ``cfg`` with ``update`` applied."""
    data = cfg.model_dump()
    data.update(update)
    return BacklogConfig.model_validate(data)


def _bisect(ok: Any, lo: float, hi: float, *, tol: float, max_iter: int = 60) -> tuple[float, int]:
    """Smallest ``x`` in ``[lo, hi]`` with ``ok(x)`` (monotone), to within ``tol``."""
    if ok(lo):
        return lo, 0
    if not ok(hi):
        return float("nan"), 0
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
    target_late_share: float | None = None,
    probability: float | None = None,
    tol: float = 5.0,
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
        target_late_share: Default ``cfg.target_late_share``.
        probability: Default ``cfg.target_probability``.
        tol: Bisection tolerance (decisions or cases per month).

    Returns:
        Table ``capacity_needed``: one row per service and variant with the capacity
        needed per month and per year, today's planned capacity, the ratio, the
        probability reached and the target.
    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    months = cfg.n_months if n_months is None else int(n_months)
    target = cfg.target_late_share if target_late_share is None else target_late_share
    prob = cfg.target_probability if probability is None else probability
    draws = draw(cohort_persons.shape[0], months, rng=rng)
    rows = []

    def ind_cfg(level: float, ramp: int) -> BacklogConfig:
        if ramp == 0:
            return _with(cfg, ind_capacity_series=None, ind_decisions_per_month=level,
                         ind_ramp_target_per_month=None, ind_ramp_months=0)
        return _with(cfg, ind_capacity_series=None, ind_ramp_target_per_month=level,
                     ind_ramp_months=ramp)

    def ind_prob(level: float, ramp: int) -> float:
        res = run(cohort_persons, ind_cfg(level, ramp), draws)
        return float(np.mean(res.late_share() <= target + 1e-12))

    hi_ind = float(cohort_persons.max() / 0.5 + 200_000)
    for ramp in ramp_months:
        level, iters = _bisect(lambda x, r=ramp: ind_prob(x, r) >= prob, 0.0, hi_ind, tol=tol)
        reached = ind_prob(level, ramp) if np.isfinite(level) else float("nan")
        rows.append({
            "service": "IND", "variant": "constant" if ramp == 0 else f"ramp {ramp} months",
            "criterion": f"late share of cohort decisions <= {target:.0%}",
            "probability_target": prob, "capacity_per_month": level,
            "capacity_per_year": level * 12, "planned_per_month": cfg.ind_decisions_per_month,
            "ratio_to_planned": level / cfg.ind_decisions_per_month
            if cfg.ind_decisions_per_month > 0 else float("nan"),
            "probability_reached": reached, "bisection_steps": iters,
            "n_paths": cohort_persons.shape[0],
        })

    month_idx = min(cfg.dtv_target_months, months) - 1

    def dtv_prob(level: float) -> float:
        res = run(cohort_persons, _with(cfg, dtv_cases_per_month=level), draws)
        return float(np.mean(res.paths["dtv_caseload"][:, month_idx] <= cfg.dtv_target_caseload))

    level, iters = _bisect(lambda x: dtv_prob(x) >= prob, 0.0, float(cohort_persons.max() + 1e5),
                           tol=tol)
    rows.append({
        "service": "DT&V", "variant": "constant",
        "criterion": f"caseload <= {cfg.dtv_target_caseload:,.0f} cases by month "
                     f"{month_idx + 1}",
        "probability_target": prob, "capacity_per_month": level, "capacity_per_year": level * 12,
        "planned_per_month": cfg.dtv_cases_per_month,
        "ratio_to_planned": level / cfg.dtv_cases_per_month
        if cfg.dtv_cases_per_month > 0 else float("nan"),
        "probability_reached": dtv_prob(level) if np.isfinite(level) else float("nan"),
        "bisection_steps": iters, "n_paths": cohort_persons.shape[0],
    })
    return pd.DataFrame(rows)


# --- policy comparison ----------------------------------------------------------------


def default_policies(cfg: BacklogConfig) -> dict[str, dict[str, Any]]:
    """Return the standard policy set: ``{name: {field: value}}`` changes to ``cfg``."""
    return {
        "as configured": {},
        "all applications restart": {"permit_uptake_share": 0.0},
        "permit, high uptake (90 %)": {"permit_uptake_share": 0.90},
        "permit, 2024 precedent (73 %)": {"permit_uptake_share": 0.73},
        "return programme 3 %/month": {"return_rate_per_month": 0.03},
        "no return programme": {"return_rate_per_month": 0.0},
        "queue: simple cases first": {"queue_discipline": "simple_first"},
        "queue: newest first": {"queue_discipline": "newest_first"},
        "queue: shared in proportion": {"queue_discipline": "proportional"},
        "TPD ends 2026-03-04": {"tpd_end_date": "2026-03-04"},
        "no term extension (6 months)": {"term_extension_months": 0.0},
        "penalties abolished": {"penalties_abolished": True},
    }


def compare_policies(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator,
    policies: Mapping[str, Mapping[str, Any]] | None = None,
    pop: PopulationPaths | None = None,
    n_months: int | None = None,
) -> pd.DataFrame:
    """Run several policies on common random numbers and tabulate them side by side.

    Args:
        cohort_persons: Registered persons at the TPD end, shape (n_paths,).
        cfg: Backlog settings every policy starts from.
        rng: Random generator (draws taken once and shared by all policies).
        policies: ``{name: {field: value}}``; default :func:`default_policies`.
        pop: Forecast paths; if given, a policy that moves ``tpd_end_date`` gets its
            cohort from them via :func:`cohort_at_tpd_end`.
        n_months: Months simulated (default ``cfg.n_months``).

    Returns:
        Table ``backlog_policies``: one row per policy with medians (and p90) of backlog
        peak, months to clear, late decisions, late share (overdue cases still pending at
        the end count as late), cases still pending at the end, penalties (EUR), DT&V
        peak, shelter peak, and the paired median difference in late decisions against the
        first policy. Without ``pop``, a policy that moves the TPD end date keeps the same
        cohort, so only the calendar moves.
    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    months = cfg.n_months if n_months is None else int(n_months)
    policies = default_policies(cfg) if policies is None else policies
    draws = draw(cohort_persons.shape[0], months, rng=rng)
    rows = []
    first_late: np.ndarray | None = None
    for name, change in policies.items():
        pcfg = _with(cfg, **dict(change))
        cohort = cohort_persons
        if pop is not None and "tpd_end_date" in change:
            cohort = cohort_at_tpd_end(pop, pcfg)[: cohort_persons.shape[0]]
            if cohort.shape != cohort_persons.shape:
                raise ParameterError(f"pop has {pop.n_paths} paths; compare_policies needs at "
                                     f"least {cohort_persons.shape[0]} (one per cohort path)")
        res = run(cohort, pcfg, draws)
        h = headline(res)
        late_total = res.paths["late_decisions"].sum(axis=1)
        if first_late is None:
            first_late = late_total
        rows.append({
            "policy": name,
            "change": ", ".join(f"{k}={v}" for k, v in change.items()) or "-",
            "cohort_persons": h["cohort_persons"],
            "backlog_peak": h["backlog_peak"],
            "regular_backlog_peak": h["regular_backlog_peak"],
            "months_to_clear": h["months_to_clear"],
            "months_to_clear_p90": h["months_to_clear_p90"],
            "late_decisions": h["late_decisions_total"],
            "late_or_overdue": h["late_or_overdue"],
            "late_share": h["late_share"],
            "pending_at_end": h["pending_at_end"],
            "late_decisions_vs_first": float(np.median(late_total - first_late)),
            "penalty_eur": h["penalty_eur_total"],
            "penalty_eur_p90": h["penalty_eur_total_p90"],
            "dtv_caseload_peak": h["dtv_caseload_peak"],
            "shelter_entitled_peak": h["shelter_entitled_peak"],
            "permits_issued": h["permits_issued_total"],
            "permits_done_month": h["permits_issued_by_month"],
        })
    return pd.DataFrame(rows)
