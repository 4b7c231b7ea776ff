"""The monthly rules of the backlog model on named stocks: one function per rule, and the step that runs them.

Each month, in this order (see the package docstring for the rules in words):

1. :func:`_leave_queue`: document takers withdraw for the transition document, and
   takers and continuing cases withdraw into the return programme or depart;
2. :func:`_decide`: regular inflow arrives and the IND decides at its capacity, shared
   between the regular queue and the cohort by the queue discipline;
3. :func:`_appeal`: appeals are decided or abandoned, new rejections appeal or become final;
4. :func:`_depart`: final rejections wait out the departure term, then DT&V closes cases;
5. :func:`_issue_permits`: withdrawn permit takers join the permit queue, which is worked off.

:func:`step` applies them to :class:`Stocks` for one month. All quantities are arrays over
sample paths; the cohort is counted in cases. Document takers are never in the IND's asylum
queue: they wait on the document route (withdrawal letter, public-order check) until they
withdraw, and the IND decides only continuing cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from capacity.backlog.parameters import noise
from capacity.backlog.regular import OLD_COLUMNS, RegularQueue, serve_and_accrue
from capacity.params.backlog import BacklogConfig

#: Order in which the IND serves the four queues, per discipline (proportional: none).
QUEUE_ORDERS: dict[str, tuple[str, ...]] = {
    "oldest_first": ("regular_old", "cohort_simple", "cohort_standard", "regular_new"),
    "newest_first": ("regular_new", "cohort_simple", "cohort_standard", "regular_old"),
    "simple_first": ("cohort_simple", "regular_old", "cohort_standard", "regular_new"),
}
#: Order within the regular queue's columns, per discipline.
REGULAR_ORDER: dict[str, str] = {
    "oldest_first": "oldest",
    "simple_first": "oldest",
    "newest_first": "newest",
    "proportional": "proportional",
}


@dataclass
class Stocks:
    """Cases in each stock at a month boundary, per path (cases).

    The cohort is split by kind of case (simple / standard) and by intent: document takers
    withdraw for the transitiedocument within the uptake window and are never in the IND's
    asylum queue; the others continue their asylum application (the pending cohort).
    """

    simple_permit_takers: np.ndarray
    simple_continuing: np.ndarray
    standard_permit_takers: np.ndarray
    standard_continuing: np.ndarray
    regular: RegularQueue  # regular asylum queue by start of its decision term
    appeals: np.ndarray  # rejected cohort cases waiting for the court
    departure_term: list[np.ndarray]  # final rejections, one array per month left, oldest first
    dtv: np.ndarray  # DT&V caseload
    permit_queue: np.ndarray  # withdrawn for the permit, waiting for it to be issued

    @property
    def cohort_pending(self) -> np.ndarray:
        """Continuing cohort cases waiting for a first-instance decision (the IND's queue)."""
        return self.simple_continuing + self.standard_continuing

    @property
    def document_route(self) -> np.ndarray:
        """Document takers who have not yet withdrawn (not in the IND's asylum queue)."""
        return self.simple_permit_takers + self.standard_permit_takers

    @property
    def regular_old(self) -> np.ndarray:
        """Regular cases pending since before the TPD end."""
        return self.regular.old

    @property
    def regular_new(self) -> np.ndarray:
        """Regular cases lodged after the TPD end, still pending."""
        return self.regular.new

    @property
    def in_departure_term(self) -> np.ndarray:
        """Final rejections still within the departure term."""
        return np.sum(self.departure_term, axis=0) if self.departure_term else np.zeros_like(self.dtv)


@dataclass(frozen=True)
class Setup:
    """What stays fixed during a run: per-path parameter values and monthly plans."""

    values: dict[str, np.ndarray]  # per-path values of the uncertain parameters
    normals: np.ndarray  # monthly noise, shape (n_months, 3, n_paths)
    court_rate: np.ndarray  # share of appeals decided per month
    notice_share: np.ndarray  # late applicants sending a notice (0 if abolished)
    queue_order: tuple[str, ...] | None
    ind_plan: np.ndarray  # planned IND capacity per month (decisions/month)
    inflow_plan: np.ndarray  # expected regular inflow, (n_months, n_paths), cases/month
    dtv_capacity: np.ndarray  # DT&V case closures per month, per path
    permit_capacity: np.ndarray  # permits issued per month, per path (cases)
    dtv_share_other: float  # closed DT&V cases with another outcome
    cohort_penalty: tuple[np.ndarray, np.ndarray, np.ndarray]  # schedule at month start/mid/end
    #: monthly departure probability (n_months, n_paths) from the forecast's paths, or None:
    #: the per-path parameter ``departure_rate_per_month`` in every month (standalone use)
    departure_rates: np.ndarray | None = None
    #: months of document issuing done before the TPD end (added to month 0's capacity)
    permit_head_start: float = 0.0
    #: share of IND capacity reserved for the cohort, per path (or one value for all)
    reserved_share: np.ndarray | float = 0.0
    #: planned IND capacity multiplier, per path (a lever in the sensitivity analysis)
    capacity_scale: np.ndarray | float = 1.0

    def departure_rate(self, month: int) -> np.ndarray:
        """Share of pending or appealing cases leaving the Netherlands in ``month``, per path."""
        if self.departure_rates is None:
            return self.values["departure_rate_per_month"]
        return self.departure_rates[month]


# --- helpers: competing exits and priority service -----------------------------------------


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


def _fill(capacity: np.ndarray, groups: Sequence[tuple[np.ndarray, float]]) -> tuple[list[np.ndarray], np.ndarray]:
    """Serve groups in priority order, ``(stock, effort per case)``; return served and left."""
    served = []
    left = capacity
    for stock, effort in groups:
        s = np.minimum(stock, left / effort)
        served.append(s)
        left = np.maximum(left - s * effort, 0.0)
    return served, left


def _remaining(stock: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """``stock - removed``, exactly 0 where (to rounding) everything was removed."""
    return np.where(removed >= stock * (1 - 1e-12), 0.0, np.maximum(stock - removed, 0.0))


# --- the model rules, one month each ----------------------------------------------------------


def _leave_queue(month: int, s: Stocks, setup: Setup) -> dict[str, np.ndarray]:
    """Rule 1: withdrawals into return or permit and departures, from month-start stocks."""
    par = setup.values
    ret, dep = par["return_rate_per_month"], setup.departure_rate(month)
    uptake_left = par["permit_uptake_months"] - month
    # permit takers withdraw evenly over the months left in the uptake window
    permit = np.where(uptake_left > 1.0, 1.0 / np.maximum(uptake_left, 1e-12), 1.0)
    ret_st, perm_st, dep_st = _leave(s.simple_permit_takers, (ret, permit, dep))
    ret_ct, perm_ct, dep_ct = _leave(s.standard_permit_takers, (ret, permit, dep))
    ret_sn, dep_sn = _leave(s.simple_continuing, (ret, dep))
    ret_cn, dep_cn = _leave(s.standard_continuing, (ret, dep))
    s.simple_permit_takers = _remaining(s.simple_permit_takers, ret_st + perm_st + dep_st)
    s.standard_permit_takers = _remaining(s.standard_permit_takers, ret_ct + perm_ct + dep_ct)
    s.simple_continuing = _remaining(s.simple_continuing, ret_sn + dep_sn)
    s.standard_continuing = _remaining(s.standard_continuing, ret_cn + dep_cn)
    return {
        "withdrawn_return": ret_st + ret_ct + ret_sn + ret_cn,
        "withdrawn_permit": perm_st + perm_ct,
        "departed_pending": dep_st + dep_ct + dep_sn + dep_cn,
    }


def _serve_queues(
    free: np.ndarray, queues: dict[str, tuple[np.ndarray, float]], order: tuple[str, ...] | None
) -> dict[str, np.ndarray]:
    """Cases decided per queue from capacity ``free``: in ``order``, or in proportion."""
    if order is None:  # proportional: capacity shared in proportion to the work waiting
        work = sum(stock * effort for stock, effort in queues.values())
        frac = np.minimum(1.0, np.divide(free, work, out=np.ones_like(free), where=work > 0))
        return {key: stock * frac for key, (stock, _) in queues.items()}
    served, _ = _fill(free, [queues[key] for key in order])
    return dict(zip(order, served, strict=True))


def _decide(month: int, s: Stocks, setup: Setup, cfg: BacklogConfig) -> dict[str, np.ndarray]:
    """Rule 2: the regular inflow arrives and the IND decides at this month's capacity."""
    inflow = setup.inflow_plan[month] * noise(setup.normals[month, 1], cfg.regular_inflow_noise_sd)
    s.regular.stock[:, OLD_COLUMNS + month] += inflow
    capacity = (
        setup.ind_plan[month]
        * setup.capacity_scale
        * setup.values["ind_capacity_realisation"]
        * noise(setup.normals[month, 0], cfg.ind_capacity_noise_sd)
    )
    # only continuing cases are in the IND's queue; document takers never are
    simple, standard = s.simple_continuing, s.standard_continuing
    effort = cfg.simple_case_effort
    reserved = setup.reserved_share
    if np.any(reserved > 0):  # the reserve serves the cohort first; what it leaves joins the rest
        (simple_reserved, standard_reserved), reserve_left = _fill(
            capacity * reserved, ((simple, effort), (standard, 1.0))
        )
        free = capacity * (1 - reserved) + reserve_left
    else:
        simple_reserved = standard_reserved = np.zeros_like(capacity)
        free = capacity
    served = _serve_queues(
        free,
        {
            "regular_old": (s.regular_old, 1.0),
            "cohort_simple": (simple - simple_reserved, effort),
            "cohort_standard": (standard - standard_reserved, 1.0),
            "regular_new": (s.regular_new, 1.0),
        },
        setup.queue_order,
    )
    simple_decided = served["cohort_simple"] + simple_reserved
    standard_decided = served["cohort_standard"] + standard_reserved
    s.simple_continuing = _remaining(s.simple_continuing, simple_decided)
    s.standard_continuing = _remaining(s.standard_continuing, standard_decided)
    regular = serve_and_accrue(
        s.regular,
        month,
        served["regular_old"],
        served["regular_new"],
        REGULAR_ORDER[cfg.queue_discipline],
        setup.notice_share,
        cfg,
    )
    decisions = simple_decided + standard_decided
    # decided at mid-month, month + 0.5 months after the restart
    late = decisions if month + 0.5 > cfg.term_months else np.zeros_like(decisions)
    return regular | {
        "decisions": decisions,
        "late_decisions": late,
        "decisions_regular": served["regular_old"] + served["regular_new"],
        "ind_capacity": capacity,
        "regular_inflow": inflow,
    }


def _appeal(month: int, s: Stocks, decisions: np.ndarray, setup: Setup) -> dict[str, np.ndarray]:
    """Rule 3: court decisions and departures from month-start appeals, then new rejections."""
    par = setup.values
    court, departed = _leave(s.appeals, (setup.court_rate, setup.departure_rate(month)))
    s.appeals = s.appeals - court - departed
    rejected = decisions * (1 - par["grant_share"])
    s.appeals = s.appeals + rejected * par["appeal_share"]
    success = par["appeal_success_share"]
    return {
        "final_rejections": rejected * (1 - par["appeal_share"]) + court * (1 - success),
        "granted": decisions * par["grant_share"] + court * success,
        "departed_appealing": departed,
    }


def _depart(s: Stocks, final_rejections: np.ndarray, setup: Setup, cfg: BacklogConfig) -> dict[str, np.ndarray]:
    """Rule 4: the departure term, then DT&V closes cases at its capacity."""
    if s.departure_term:
        to_dtv = s.departure_term[0]
        s.departure_term = [*s.departure_term[1:], final_rejections]
    else:
        to_dtv = final_rejections
    closed = np.minimum(s.dtv, setup.dtv_capacity)
    s.dtv = s.dtv - closed + to_dtv
    return {
        "dtv_independent": closed * cfg.dtv_share_independent,
        "dtv_forced": closed * cfg.dtv_share_forced,
        "dtv_unsupervised": closed * cfg.dtv_share_unsupervised,
        "dtv_other": closed * setup.dtv_share_other,
    }


def _issue_permits(month: int, s: Stocks, withdrawn_permit: np.ndarray, setup: Setup) -> np.ndarray:
    """Rule 5: document takers who withdrew join the issuing queue; return documents issued.

    With a head start the IND prepares documents in the months before the TPD end, so in
    the TPD-end month it issues that many months' capacity on top.
    """
    s.permit_queue = s.permit_queue + withdrawn_permit
    capacity = setup.permit_capacity * (1.0 + (setup.permit_head_start if month == 0 else 0.0))
    issued = np.minimum(s.permit_queue, capacity)
    s.permit_queue = s.permit_queue - issued
    return issued


def _cohort_penalty(
    month: int, before: np.ndarray, after: np.ndarray, setup: Setup, cfg: BacklogConfig
) -> dict[str, np.ndarray]:
    """Penalty run up by the cohort this month, and its cases overdue at month end.

    Every cohort case shares one term (from the restart). A case still pending at the
    month's end runs up the schedule over the whole month; a case leaving first instance
    (decided, withdrawn or departed, at mid-month) runs it up to mid-month: decided or not,
    a case pending past its term costs the penalty of the time it waited.
    """
    a_start, a_mid, a_end = (a[month] for a in setup.cohort_penalty)
    left = np.maximum(before - after, 0.0)
    run_up = after * (a_end - a_start) + left * (a_mid - a_start)
    overdue = after if month + 1.0 > cfg.term_months else np.zeros_like(after)
    return {"penalty_eur": setup.notice_share * run_up, "overdue_pending": overdue}


def step(month: int, s: Stocks, setup: Setup, cfg: BacklogConfig) -> dict[str, np.ndarray]:
    """Advance ``s`` by one month; return every recorded variable for that month."""
    pending_before = s.cohort_pending
    flows = _leave_queue(month, s, setup)
    flows |= _decide(month, s, setup, cfg)
    appealed = _appeal(month, s, flows["decisions"], setup)
    flows |= _depart(s, appealed["final_rejections"], setup, cfg)
    flows["permits_issued"] = _issue_permits(month, s, flows["withdrawn_permit"], setup)
    pending, in_term = s.cohort_pending, s.in_departure_term
    flows |= _cohort_penalty(month, pending_before, pending, setup, cfg)
    return flows | {
        "granted": appealed["granted"],
        "departed": flows["departed_pending"] + appealed["departed_appealing"],
        "pending": pending,
        "pending_regular": s.regular_old + s.regular_new,
        "backlog_total": pending + s.regular_old + s.regular_new,
        "appeals_pending": s.appeals,
        "departure_term": in_term,
        "dtv_caseload": s.dtv,
        "permits_pending": s.permit_queue,
        "permit_takers_waiting": s.document_route,
        "shelter_entitled": (pending + s.appeals + in_term) * setup.values["persons_per_case"],
        "departure_rate": setup.departure_rate(month),
    }
