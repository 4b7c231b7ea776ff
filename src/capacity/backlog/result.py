"""What a backlog run returns: monthly sample paths, their units and headline figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capacity.backlog.parameters import Draws
from capacity.backlog.regular import penalty_steps
from capacity.params.backlog import BacklogConfig
from capacity.quantiles import check_contract, summarise_many

#: Variables of the quantile table ``backlog_forecast`` required by the issue.
CONTRACT_VARIABLES: tuple[str, ...] = (
    "pending",
    "decisions",
    "late_decisions",
    "penalty_eur",
    "dtv_caseload",
    "shelter_entitled",
)

#: Unit of every path variable (stocks at month end, flows per month).
UNITS: dict[str, str] = {
    "pending": "cases (continuing cohort cases at the IND, first instance, month end; document takers are never in it)",
    "pending_regular": "cases (regular asylum queue, month end; the IND publishes applicants, "
    "one application each, so a regular case is one person)",
    "backlog_total": "cases (cohort + regular, month end)",
    "decisions": "cases/month (cohort first-instance decisions)",
    "decisions_regular": "cases/month",
    "late_decisions": "cases/month (cohort decisions after the term)",
    "penalty_eur": "EUR/month (cohort: run up by cases pending past the term, decided or not)",
    "overdue_pending": "cases (cohort, pending past the term, month end)",
    "late_decisions_regular": "cases/month (regular decisions after the term)",
    "overdue_regular": "cases (regular queue, pending past the term, month end)",
    "penalty_eur_regular": "EUR/month (regular queue, run up by cases pending past the term)",
    "granted": "cases/month (first instance + successful appeals)",
    "withdrawn_return": "cases/month",
    "withdrawn_permit": "cases/month (document takers withdrawing their application)",
    "departed": "cases/month (left on their own while pending or appealing)",
    "appeals_pending": "cases (month end)",
    "departure_term": "cases (month end)",
    "dtv_caseload": "cases (month end)",
    "dtv_independent": "cases/month",
    "dtv_forced": "cases/month",
    "dtv_unsupervised": "cases/month",
    "dtv_other": "cases/month",
    "permits_pending": "cases (month end; persons = cases x persons_per_case)",
    "permit_takers_waiting": "cases (month end, document takers not yet withdrawn; not in the IND queue)",
    "permits_issued": "cases/month (issuing capacity counts persons: cases x persons_per_case)",
    "shelter_entitled": "persons (month end)",
    "ind_capacity": "decisions/month",
    "regular_inflow": "cases/month",
    "departure_rate": "share/month (pending or appealing cases leaving the Netherlands)",
}

_STOCKS_EXITS = (
    "granted",
    "withdrawn_return",
    "withdrawn_permit",
    "departed",
    "dtv_independent",
    "dtv_forced",
    "dtv_unsupervised",
    "dtv_other",
)
_STOCKS_IN = ("pending", "permit_takers_waiting", "appeals_pending", "departure_term", "dtv_caseload")


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
        draws: The random numbers the run took (:func:`~capacity.backlog.parameters.draw`),
            so that another run (a policy) can take the same ones: common random numbers.
    """

    dates: pd.DatetimeIndex
    paths: dict[str, np.ndarray]
    months_to_clear: np.ndarray
    months_to_permits: np.ndarray
    cohort_cases: np.ndarray
    cohort_persons: np.ndarray
    parameters: dict[str, np.ndarray] = field(repr=False)
    config: BacklogConfig = field(repr=False)
    draws: Draws | None = field(default=None, repr=False, compare=False)

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.cohort_cases.shape[0])

    def table(self, variables: Sequence[str] | None = None) -> pd.DataFrame:
        """Return the quantile-contract table (default: the six contract variables)."""
        names = CONTRACT_VARIABLES if variables is None else tuple(variables)
        return check_contract(summarise_many({n: self.paths[n] for n in names}, self.dates))

    def without_document(self) -> np.ndarray:
        """Persons who withdrew for the transition document and wait for it, per month end.

        Their TPD document ended with the TPD and their asylum application is withdrawn, so
        until the document is issued they hold neither (persons, shape (n_paths, n_months)).
        """
        return self.paths["permits_pending"] * self.parameters["persons_per_case"][:, None]

    def first_decisions(self) -> np.ndarray:
        """Per path, months from the TPD end month until the cohort's first decisions.

        1 + the first month in which at least ``first_decisions_cases`` cohort cases are
        decided (``inf`` if that never happens within the run).
        """
        return first_month_at_or_above(self.paths["decisions"], self.config.first_decisions_cases)

    def peak_month(self, variable: str) -> np.ndarray:
        """Per path, 1 + the month of the highest value of ``variable``.

        ``inf`` where the highest value is the run's last month and the path is still
        rising there: the peak lies beyond the run, and the run's last value is no peak.
        """
        x = self.paths[variable]
        month = np.argmax(x, axis=1).astype(float) + 1
        rising = (month == x.shape[1]) & (x[:, -1] > x[:, -2] if x.shape[1] > 1 else True)
        month[rising] = np.inf
        return month

    def cohort_under_term(self, term_months: float) -> dict[str, np.ndarray]:
        """Per path, the cohort's late decisions, overdue cases and penalties under a term.

        The legal term changes what is late and what it costs, not the queue: decisions,
        withdrawals and departures are the same, so any term can be read off the same
        paths (common random numbers by construction). Returns ``late_decisions``
        (cases), ``overdue_pending_end`` (cases pending past the term at the end),
        ``penalty_eur`` (run up in the run) and ``late_share`` (as :meth:`late_share`).
        """
        p, cfg = self.paths, self.config
        n_months = p["pending"].shape[1]
        months = np.arange(n_months)
        a_start, a_mid, a_end = penalty_steps(months.astype(float), term_months, cfg)
        continuing = self.cohort_cases * (1 - self.parameters["permit_uptake_share"])
        before = np.concatenate([continuing[:, None], p["pending"][:, :-1]], axis=1)
        left = np.maximum(before - p["pending"], 0.0)
        notice = 0.0 if cfg.penalties_abolished else self.parameters["notice_share"]
        penalty = notice * (p["pending"] @ (a_end - a_start) + left @ (a_mid - a_start))
        late = p["decisions"] @ (months + 0.5 > term_months)
        overdue = p["pending"][:, -1] * float(n_months > term_months)
        total = p["decisions"].sum(axis=1) + p["pending"][:, -1]
        share = np.divide(late + overdue, total, out=np.zeros_like(total), where=total > 0)
        return {"late_decisions": late, "overdue_pending_end": overdue, "penalty_eur": penalty, "late_share": share}

    def bursty_table(self, variable: str = "decisions", *, at_least: float = 1.0) -> pd.DataFrame:
        """Table of a bursty flow: per month the mean over paths and the share of paths with it.

        Cohort decisions come in bursts (nothing while older cases go first, then a wave),
        so the median over paths is 0 in most months and hides them. Columns ``date``,
        ``mean`` (cases/month), ``share_paths`` (share of paths with at least ``at_least``
        cases that month), ``p90`` (cases/month).
        """
        x = self.paths[variable]
        return pd.DataFrame(
            {
                "date": self.dates,
                "mean": x.mean(axis=0),
                "share_paths": (x >= at_least).mean(axis=0),
                "p90": np.quantile(x, 0.9, axis=0),
            }
        )

    def penalty_first_months(self, n_months: int = 36) -> np.ndarray:
        """Per path, penalties run up in the first ``n_months`` months (cohort and regular, EUR).

        Three years of exposure, to compare with a three-year budget (the run may be longer).
        """
        p = self.paths
        return p["penalty_eur"][:, :n_months].sum(axis=1) + p["penalty_eur_regular"][:, :n_months].sum(axis=1)

    def penalty_total(self) -> np.ndarray:
        """Per path, penalties run up in the run by the cohort and the regular queue (EUR)."""
        return self.paths["penalty_eur"].sum(axis=1) + self.paths["penalty_eur_regular"].sum(axis=1)

    def penalties_by_year(self) -> pd.DataFrame:
        """Table ``backlog_penalties``: penalty exposure per calendar year and stream.

        One row per year and stream (``cohort``, ``regular``, ``total``) with the p10,
        median and p90 over paths of the penalties run up in that year (EUR), the late
        decisions in the year and the cases pending past their term at the year's last
        simulated month (medians, cases). Years are calendar years of the run's months
        (the first and last may be partial: ``months`` says how many are simulated).
        """
        p = self.paths
        streams = {
            "cohort": (p["penalty_eur"], p["late_decisions"], p["overdue_pending"]),
            "regular": (p["penalty_eur_regular"], p["late_decisions_regular"], p["overdue_regular"]),
        }
        streams["total"] = tuple(a + b for a, b in zip(*streams.values(), strict=True))
        years = self.dates.year.to_numpy()
        rows = []
        for year in np.unique(years):
            cols = np.flatnonzero(years == year)
            for stream, (eur, late, overdue) in streams.items():
                x = eur[:, cols].sum(axis=1)
                rows.append(
                    {
                        "year": int(year),
                        "stream": stream,
                        "months": int(cols.size),
                        "penalty_eur_p10": float(np.quantile(x, 0.1)),
                        "penalty_eur_median": float(np.median(x)),
                        "penalty_eur_p90": float(np.quantile(x, 0.9)),
                        "late_decisions_median": float(np.median(late[:, cols].sum(axis=1))),
                        "overdue_pending_median": float(np.median(overdue[:, cols[-1]])),
                    }
                )
        return pd.DataFrame(rows)

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

        Pending + document takers not yet withdrawn + appealing + in the departure term +
        in DT&V + everyone who left
        (granted, withdrawn into return or permit, departed, DT&V case closed).
        """
        total = np.sum([self.paths[n] for n in _STOCKS_IN], axis=0)
        return total + np.sum([np.cumsum(self.paths[n], axis=1) for n in _STOCKS_EXITS], axis=0)

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
        "overdue_pending_end": med(p["overdue_pending"][:, -1]),
        "late_decisions_regular_total": med(p["late_decisions_regular"].sum(axis=1)),
        "overdue_regular_end": med(p["overdue_regular"][:, -1]),
        "penalty_eur_cohort": med(p["penalty_eur"].sum(axis=1)),
        "penalty_eur_regular": med(p["penalty_eur_regular"].sum(axis=1)),
        "penalty_eur_total": med(result.penalty_total()),
        "penalty_eur_total_p90": q90(result.penalty_total()),
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
    return pd.DataFrame(
        {
            "month": months,
            # by the start of this month = by the end of month ``month`` after the TPD end month
            "date": pd.date_range(result.dates[0], periods=months.size, freq="MS"),
            "share_cleared": (result.months_to_clear[:, None] <= months).mean(axis=0),
            "share_permits_done": (result.months_to_permits[:, None] <= months).mean(axis=0),
        }
    )


def first_month_at_or_above(x: np.ndarray, threshold: float) -> np.ndarray:
    """Per path, 1 + index of the first month with ``x >= threshold`` (``inf`` if none)."""
    hit = x >= threshold
    first = np.argmax(hit, axis=1).astype(float) + 1
    first[~hit.any(axis=1)] = np.inf
    return first


def first_month_at_or_below(x: np.ndarray, threshold: float) -> np.ndarray:
    """Per path, 1 + index of the first month with ``x <= threshold`` (``inf`` if none)."""
    hit = x <= threshold
    first = np.argmax(hit, axis=1).astype(float) + 1
    first[~hit.any(axis=1)] = np.inf
    return first
