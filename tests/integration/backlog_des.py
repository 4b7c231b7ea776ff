"""A discrete-event simulation (SimPy) of the post-TPD backlog model, for validation only.

Every cohort case is a SimPy process with its own events: it may withdraw or depart at a
pre-sampled time (competing monthly risks, the same probabilities as the vectorised
model), unless the IND decides it first; a rejected case may appeal (court decision or
departure at pre-sampled times), waits out the departure term and joins DT&V, whose
monthly process closes cases at its capacity. Regular asylum cases are counters. Monthly
processes run in a fixed order within the month (t = k + offset):

    0.05 appeals decided / appellants depart   0.10 withdrawals and departures
    0.20 regular inflow arrives                0.30 IND decisions
    0.60 DT&V closures                         0.65 departure term ends -> DT&V
    0.70 permits issued                        0.90 month-end record

Fractional capacities are used by randomised rounding (one more case with probability
equal to the fraction), so expected decisions equal the vectorised model's.

Only uncertain parameters fixed at a single value are supported (use ``Distribution.central``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from capacity.backlog import planned_capacity
from capacity.backlog.regular import penalty_steps
from capacity.params.backlog import BacklogConfig

OFFSETS = {
    "appeal": 0.05,
    "leave": 0.10,
    "inflow": 0.20,
    "ind": 0.30,
    "dtv": 0.60,
    "to_dtv": 0.65,
    "permit": 0.70,
    "record": 0.90,
}
RECORDED = (
    "pending",
    "pending_regular",
    "decisions",
    "late_decisions",
    "penalty_eur",
    "overdue_pending",
    "granted",
    "withdrawn_return",
    "withdrawn_permit",
    "departed",
    "appeals_pending",
    "departure_term",
    "dtv_caseload",
    "dtv_closed",
    "permits_pending",
    "permits_issued",
    "shelter_entitled",
    "permit_takers_waiting",
)


def _value(cfg: BacklogConfig, name: str) -> float:
    return float(getattr(cfg, name).central)


@dataclass
class _Case:
    simple: bool
    taker: bool
    state: str = "pending"  # pending, appeal, term, dtv, gone
    decided: simpy.Event | None = None
    pending_since: float = 0.0


@dataclass
class _Group:
    """Members of one queue group, with O(1) random removal."""

    members: list = field(default_factory=list)
    index: dict = field(default_factory=dict)

    def add(self, case: _Case) -> None:
        self.index[id(case)] = len(self.members)
        self.members.append(case)

    def remove(self, case: _Case) -> None:
        i = self.index.pop(id(case))
        last = self.members.pop()
        if last is not case:
            self.members[i] = last
            self.index[id(last)] = i

    def __len__(self) -> int:
        return len(self.members)


class BacklogDES:
    """One replication of the backlog model as a discrete-event simulation."""

    def __init__(self, cohort_cases: int, cfg: BacklogConfig, n_months: int, seed: int):
        self.cfg, self.n_months = cfg, n_months
        self.rng = np.random.default_rng(seed)
        self.env = simpy.Environment()
        self.r_ret = _value(cfg, "return_rate_per_month")
        self.r_dep = _value(cfg, "departure_rate_per_month")
        self.window = _value(cfg, "permit_uptake_months")
        self.grant = _value(cfg, "grant_share")
        self.appeal = _value(cfg, "appeal_share")
        self.p_court = min(1.0, 1.0 / _value(cfg, "appeal_months_mean"))
        self.success = _value(cfg, "appeal_success_share")
        self.notice = 0.0 if cfg.penalties_abolished else _value(cfg, "notice_share")
        self.ppc = _value(cfg, "persons_per_case")
        self.capacity = planned_capacity(cfg, n_months) * _value(cfg, "ind_capacity_realisation")
        self.inflow = (
            np.asarray(cfg.regular_inflow_series, float)
            if cfg.regular_inflow_series
            else np.array([_value(cfg, "regular_inflow_per_year") / 12])
        )
        self.dtv_cap = cfg.dtv_cases_per_month * _value(cfg, "dtv_capacity_realisation")
        self.permit_cap = (
            cfg.permit_capacity_per_month * _value(cfg, "permit_capacity_realisation") / self.ppc
        )  # capacity in persons, queue in cases
        # penalty schedule per case at each month's start, middle and end (the cohort
        # shares one term); a case leaving first instance in month k counts as leaving at
        # mid-month, as in the vectorised model
        self.schedule = penalty_steps(np.arange(n_months, dtype=float), cfg.term_months, cfg)
        self.pending_before = 0  # continuing cases (the IND's queue), set below
        self.takers_waiting = 0  # document takers not yet withdrawn (never in the IND's queue)
        ks = np.arange(n_months)
        remaining = self.window - ks
        h_perm = np.where(remaining > 1.0, 1.0 / np.maximum(remaining, 1e-12), 1.0)
        ones = np.ones(n_months)
        # columns: total leaving probability, then return, departure, permit weights
        self.leave_other = np.column_stack(
            [1 - (1 - self.r_ret) * (1 - self.r_dep) * ones, self.r_ret * ones, self.r_dep * ones, 0 * ones]
        )
        self.leave_taker = np.column_stack(
            [1 - (1 - self.r_ret) * (1 - self.r_dep) * (1 - h_perm), self.r_ret * ones, self.r_dep * ones, h_perm]
        )
        self.simple, self.standard = _Group(), _Group()
        self.regular_old = int(round(_value(cfg, "regular_backlog_cases")))
        self.regular_new = 0
        self.appeals = 0
        self.term: list[list[_Case]] = [[] for _ in range(n_months + cfg.departure_term_months + 2)]
        self.dtv: list[_Case] = []
        self.permit_queue = 0
        self.rec = {name: np.zeros(n_months) for name in RECORDED}
        self.flow = {name: 0.0 for name in RECORDED}
        self.wait_months: list[float] = []  # time in first instance of each cohort case

        n_simple = int(round(cohort_cases * _value(cfg, "simple_case_share")))
        u = _value(cfg, "permit_uptake_share")
        for simple, n in ((True, n_simple), (False, cohort_cases - n_simple)):
            n_takers = int(round(n * u))
            for j in range(n):
                case = _Case(simple=simple, taker=j < n_takers)
                if not case.taker:  # document takers are never in the IND's asylum queue
                    (self.simple if simple else self.standard).add(case)
                    self.pending_before += 1
                else:
                    self.takers_waiting += 1
                self.env.process(self._case(case))
        for proc in (self._ind, self._dtv_process, self._permits, self._inflow, self._record):
            self.env.process(proc())

    # -- helpers ---------------------------------------------------------------------------
    def _round(self, x: float) -> int:
        """Randomised rounding: floor(x) plus one with probability frac(x)."""
        base = int(np.floor(x))
        return base + int(self.rng.random() < x - base)

    def _leave_month(self, taker: bool) -> tuple[int, str] | None:
        """Pre-sample the month and reason of withdrawal/departure, if within the run."""
        probs = self.leave_taker if taker else self.leave_other
        u = self.rng.random(self.n_months)
        hit = np.flatnonzero(u < probs[:, 0])
        if hit.size == 0:
            return None
        k = int(hit[0])
        split = probs[k, 1:] / probs[k, 1:].sum()
        return k, ("return", "departed", "permit")[self.rng.choice(3, p=split)]

    # -- processes ---------------------------------------------------------------------------
    def _case(self, case: _Case):
        env = self.env
        case.decided = env.event()
        leave = self._leave_month(case.taker)
        waits = [case.decided]
        if leave is not None:
            waits.append(env.timeout(leave[0] + OFFSETS["leave"], value=leave[1]))
        fired = yield env.any_of(waits)
        if case.decided not in fired:  # withdrew or departed first
            reason = leave[1]
            if not case.taker:
                (self.simple if case.simple else self.standard).remove(case)
            else:
                self.takers_waiting -= 1
            case.state = f"left:{reason}"
            self.wait_months.append(np.floor(env.now) + 1)
            if reason == "return":
                self.flow["withdrawn_return"] += 1
            elif reason == "permit":
                self.flow["withdrawn_permit"] += 1
                self.permit_queue += 1
            else:
                self.flow["departed"] += 1
            return
        self.wait_months.append(np.floor(env.now) + 1)
        k = int(np.floor(env.now))
        if self.rng.random() < self.grant:
            self.flow["granted"] += 1
            case.state = "granted"
            return
        if self.rng.random() < self.appeal:
            case.state = "appeal"
            self.appeals += 1
            p_out = 1 - (1 - self.p_court) * (1 - self.r_dep)
            m = k + int(self.rng.geometric(p_out))  # first month with a court or departure
            if m >= self.n_months:
                return
            court = self.rng.random() < self.p_court / (self.p_court + self.r_dep)
            outcome = (m, "court" if court else "departed")
            yield env.timeout(outcome[0] + OFFSETS["appeal"] - env.now)
            self.appeals -= 1
            k = outcome[0]
            if outcome[1] == "departed":
                self.flow["departed"] += 1
                case.state = "left:departed-appeal"
                return
            if self.rng.random() < self.success:
                self.flow["granted"] += 1
                case.state = "gone"
                return
        case.state = "term"
        move = k + self.cfg.departure_term_months
        self.term[move].append(case)

    def _ind(self):
        env, cfg = self.env, self.cfg
        for k in range(self.n_months):
            yield env.timeout(k + OFFSETS["ind"] - env.now)
            cap = float(self.capacity[k])
            e = cfg.simple_case_effort
            decided: list[_Case] = []
            if cfg.queue_discipline == "proportional":
                work = len(self.simple) * e + len(self.standard) + self.regular_old + self.regular_new
                frac = 1.0 if work <= cap else cap / work
                n_s = min(len(self.simple), self._round(len(self.simple) * frac))
                n_c = min(len(self.standard), self._round(len(self.standard) * frac))
                n_o = min(self.regular_old, self._round(self.regular_old * frac))
                n_n = min(self.regular_new, self._round(self.regular_new * frac))
                decided += self._take(self.simple, n_s) + self._take(self.standard, n_c)
                self.regular_old -= n_o
                self.regular_new -= n_n
            else:
                order = {
                    "oldest_first": ("old", "simple", "standard", "new"),
                    "newest_first": ("new", "simple", "standard", "old"),
                    "simple_first": ("simple", "old", "standard", "new"),
                }[cfg.queue_discipline]
                left = cap
                for group in order:
                    effort = e if group == "simple" else 1.0
                    size = {
                        "old": self.regular_old,
                        "new": self.regular_new,
                        "simple": len(self.simple),
                        "standard": len(self.standard),
                    }[group]
                    if size * effort <= left:  # the whole group is served
                        n, left = size, left - size * effort
                    else:  # capacity runs out inside this group
                        n, left = min(size, self._round(left / effort)), 0.0
                    if group == "old":
                        self.regular_old -= n
                    elif group == "new":
                        self.regular_new -= n
                    else:
                        decided += self._take(self.simple if group == "simple" else self.standard, n)
            late = k + 0.5 > cfg.term_months
            for case in decided:
                case.state = "decided"
                case.decided.succeed()
            self.flow["decisions"] += len(decided)
            if late:
                self.flow["late_decisions"] += len(decided)

    def _take(self, group: _Group, n: int) -> list[_Case]:
        picks = self.rng.choice(len(group), size=n, replace=False) if n else []
        chosen = [group.members[i] for i in picks]
        for case in chosen:
            group.remove(case)
        return chosen

    def _dtv_process(self):
        env, cfg = self.env, self.cfg
        shares = np.array([cfg.dtv_share_independent, cfg.dtv_share_forced, cfg.dtv_share_unsupervised])
        shares = np.append(shares, 1 - shares.sum())
        for k in range(self.n_months):
            yield env.timeout(k + OFFSETS["dtv"] - env.now)
            n = min(len(self.dtv), self._round(self.dtv_cap))
            for i in sorted(self.rng.choice(len(self.dtv), size=n, replace=False), reverse=True):
                case = self.dtv[i]
                self.dtv[i] = self.dtv[-1]
                self.dtv.pop()
                case.state = "gone"
                self.rng.choice(4, p=shares)  # outcome type; only the total is compared
            self.flow["dtv_closed"] += n
            yield env.timeout(k + OFFSETS["to_dtv"] - env.now)
            for case in self.term[k]:
                case.state = "dtv"
                self.dtv.append(case)
            self.term[k] = []

    def _permits(self):
        env = self.env
        for k in range(self.n_months):
            yield env.timeout(k + OFFSETS["permit"] - env.now)
            n = min(self.permit_queue, self._round(self.permit_cap))
            self.permit_queue -= n
            self.flow["permits_issued"] += n

    def _inflow(self):
        env = self.env
        for k in range(self.n_months):
            yield env.timeout(k + OFFSETS["inflow"] - env.now)
            self.regular_new += self._round(float(self.inflow[min(k, len(self.inflow) - 1)]))

    def _record(self):
        env = self.env
        for k in range(self.n_months):
            yield env.timeout(k + OFFSETS["record"] - env.now)
            pending = len(self.simple) + len(self.standard)
            term = sum(len(x) for x in self.term[k + 1 :])
            r = self.rec
            r["pending"][k] = pending
            r["pending_regular"][k] = self.regular_old + self.regular_new
            r["appeals_pending"][k] = self.appeals
            r["departure_term"][k] = term
            r["dtv_caseload"][k] = len(self.dtv)
            r["permits_pending"][k] = self.permit_queue
            r["permit_takers_waiting"][k] = self.takers_waiting
            r["shelter_entitled"][k] = (pending + self.appeals + term) * self.ppc
            # penalties run on every case pending past the term, decided later or not:
            # leavers this month to mid-month, the still pending over the whole month
            # (expected value over notices: notice share x schedule)
            a_start, a_mid, a_end = (float(a[k]) for a in self.schedule)
            left = self.pending_before - pending
            self.flow["penalty_eur"] = self.notice * (left * (a_mid - a_start) + pending * (a_end - a_start))
            self.pending_before = pending
            r["overdue_pending"][k] = pending if k + 1.0 > self.cfg.term_months else 0.0
            for name in (
                "decisions",
                "late_decisions",
                "penalty_eur",
                "granted",
                "withdrawn_return",
                "withdrawn_permit",
                "departed",
                "dtv_closed",
                "permits_issued",
            ):
                r[name][k] = self.flow[name]
                self.flow[name] = 0.0

    def run(self) -> dict[str, np.ndarray]:
        """Run to the end; return ``{variable: array (n_months,)}``."""
        self.env.run(until=self.n_months)
        return self.rec


def simulate_des(
    cohort_cases: int, cfg: BacklogConfig, *, n_months: int, n_reps: int, seed: int = 0
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Run ``n_reps`` replications; return ``{variable: (n_reps, n_months)}`` and all waits."""
    out = {name: np.zeros((n_reps, n_months)) for name in RECORDED}
    waits: list[float] = []
    for rep in range(n_reps):
        des = BacklogDES(cohort_cases, cfg, n_months, seed + rep)
        rec = des.run()
        for name in RECORDED:
            out[name][rep] = rec[name]
        waits += des.wait_months
    return out, waits
