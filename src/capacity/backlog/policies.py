"""Policy comparison: several policies run side by side on common random numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from capacity.backlog.ledger import run_after_tpd
from capacity.backlog.model import cohort_at_tpd_end, forecast_departure_rates, run
from capacity.backlog.parameters import DAYS_PER_MONTH, draw, with_changes
from capacity.backlog.result import BacklogResult, headline
from capacity.errors import ParameterError
from capacity.forecast.paths import PopulationPaths
from capacity.params.backlog import BacklogConfig
from capacity.params.policies import load_policies


def default_policies(cfg: BacklogConfig | None = None) -> dict[str, dict[str, Any]]:
    """Return the standard policy set, ``{name: {field: value}}`` changes to ``cfg``.

    The set lives in ``params/policies.yaml`` beside the scenarios
    (:func:`capacity.params.policies.load_policies`, which reads and validates it); ``cfg``
    is not read (kept for callers that pass it).
    """
    return load_policies()


def compare_policies(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator | None = None,
    policies: Mapping[str, Mapping[str, Any]] | None = None,
    pop: PopulationPaths | None = None,
    n_months: int | None = None,
    extra_regular_inflow: np.ndarray | None = None,
    configured: BacklogResult | None = None,
) -> pd.DataFrame:
    """Run several policies on common random numbers and tabulate them side by side.

    Args:
        cohort_persons: Registered persons at the TPD end, shape (n_paths,).
        cfg: Backlog settings every policy starts from.
        rng: Random generator (draws taken once and shared by all policies); not needed
            with ``configured``.
        policies: ``{name: {field: value}}``; default :func:`default_policies`.
        pop: Forecast paths; if given, a policy that moves ``tpd_end_date`` gets its
            cohort from them via :func:`cohort_at_tpd_end` (less the policy's
            ``tpd_end_departure_pulse``, as the run's own cohort), and every policy's
            pending cases leave at the forecast's departure rates from its own TPD end
            (:func:`forecast_departure_rates`, the first ``n_paths`` paths); without it,
            at ``cfg.departure_rate_per_month``.
        n_months: Months simulated (default ``cfg.n_months``; with ``configured``, its months).
        extra_regular_inflow: Regular asylum applications added per month (persons), e.g.
            the arrivals after the TPD end, shape (>= n_paths, n_months); the same for every
            policy (first ``n_paths`` rows).
        configured: The run of ``cfg`` itself as the headline has it
            (:func:`~capacity.backlog.ledger.simulate_after_tpd` on ``cohort_persons``, the
            forecast's departure rates and ``extra_regular_inflow``). Given, every policy
            runs as that run did (:func:`~capacity.backlog.ledger.run_after_tpd`: with the
            document holders' asylum applications at expiry) on its random numbers
            (``configured.draws``), and a policy without changes *is* that run, so its row
            prints the headline's figures and the paired differences are against them.

    Returns:
        Table ``backlog_policies``: one row per policy with medians (and p90) of backlog
        peak, months to clear, late decisions, late share (overdue cases still pending at
        the end count as late), cases still pending at the end, penalties (EUR), DT&V
        peak, shelter peak, documents issued (persons), and the paired median difference
        in late decisions against the first policy; medians are taken as the headline
        takes them (:func:`~capacity.backlog.result.headline`). Penalties (EUR, both
        streams and each) count every case pending past its term, decided or not, and
        overdue cases still pending at the end are their own column. Costs
        (:func:`policy_costs`) are means over paths, so their parts add up:
        ``total_cost_eur_mean`` = ``penalty_eur_mean`` + ``reception_eur_mean`` (COA and
        municipal) + ``staff_eur_mean``. Finishing times never reached within the run are
        the run's length with a ``*_censored`` flag (never ``inf``). A policy is
        ``feasible`` when the cohort clears within the run on at least
        ``target_probability`` of the paths; ``cost_rank`` and ``cheapest`` rank feasible
        policies before infeasible ones. Without ``pop``, a policy that moves the TPD end
        date keeps the same cohort, so only the calendar moves.

    Raises:
        ParameterError: If neither ``rng`` nor ``configured`` is given, or ``configured``
            is not a run of ``cfg`` on ``cohort_persons`` with its random numbers.
    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    n = cohort_persons.shape[0]
    policies = default_policies(cfg) if policies is None else policies
    if configured is not None:
        _check_configured(configured, cohort_persons, cfg)
        if configured.draws is None:
            raise ParameterError("configured has no draws: pass a run made by backlog.run or simulate_after_tpd")
        draws = configured.draws
        months = draws.n_months
    elif rng is None:
        raise ParameterError("compare_policies needs rng (its own random numbers) or configured (the headline run's)")
    else:
        months = cfg.n_months if n_months is None else int(n_months)
        draws = draw(n, months, rng=rng)
    extra = None if extra_regular_inflow is None else np.asarray(extra_regular_inflow, dtype=float)[:n, :months]
    rows = []
    first_late: np.ndarray | None = None
    for name, change in policies.items():
        pcfg = with_changes(cfg, **dict(change))
        cohort = cohort_persons
        if pop is not None and "tpd_end_date" in change:
            cohort = cohort_at_tpd_end(pop, pcfg)[:n] * (1 - pcfg.tpd_end_departure_pulse)
            if cohort.shape != cohort_persons.shape:
                raise ParameterError(
                    f"pop has {pop.n_paths} paths; compare_policies needs at least {n} (one per cohort path)"
                )
        rates = None if pop is None else forecast_departure_rates(pop, pcfg, n_months=months)[:n]
        if configured is not None and not change:
            res = configured
        elif configured is not None:
            arrivals = np.zeros((n, months)) if extra is None else extra
            if rates is None:  # the rates the configured run took (its parameter, on the same draws)
                rates = configured.paths["departure_rate"]
            res = run_after_tpd(cohort, pcfg, draws, departure_rates=rates, post_tpd_arrivals=arrivals)
        else:
            res = run(cohort, pcfg, draws, departure_rates=rates, extra_regular_inflow=extra)
        late_total = res.paths["late_decisions"].sum(axis=1)
        if first_late is None:
            first_late = late_total
        rows.append({"policy": name, **_row(res, pcfg, months, late_total - first_late), "change": _change(change)})
    table = pd.DataFrame(rows)
    return rank_by_cost(table[["policy", "change", *[c for c in table.columns if c not in ("policy", "change")]]])


def _check_configured(configured: BacklogResult, cohort_persons: np.ndarray, cfg: BacklogConfig) -> None:
    """Raise unless ``configured`` is a run of ``cfg`` on ``cohort_persons`` that kept its draws."""
    if configured.draws is None:
        raise ParameterError("configured must be a run that kept its random numbers (BacklogResult.draws)")
    if configured.cohort_persons.shape != cohort_persons.shape or not np.array_equal(
        configured.cohort_persons, cohort_persons
    ):
        raise ParameterError("configured must be the run on cohort_persons (the same paths, the same persons)")
    if configured.config != cfg:
        raise ParameterError("configured must be the run of cfg itself (the policy without changes)")


def _change(change: Mapping[str, Any]) -> str:
    """Return a policy's changes as ``key=value`` (the download's machine-readable column)."""
    return ", ".join(f"{k}={v}" for k, v in change.items()) or "-"


def _row(res: BacklogResult, cfg: BacklogConfig, months: int, late_vs_first: np.ndarray) -> dict[str, Any]:
    """Return one policy's figures: the headline's medians of ``res``, costs and finishing times."""
    h = headline(res)
    clear, clear_cens = _censored(res.months_to_clear, months, 0.5)
    clear90, clear90_cens = _censored(res.months_to_clear, months, 0.9)
    permits, permits_cens = _censored(res.months_to_permits, months, 0.5)
    share_cleared = float(np.mean(np.isfinite(res.months_to_clear)))
    cost = policy_costs(res)
    persons_issued = (res.paths["permits_issued"] * res.parameters["persons_per_case"][:, None]).sum(axis=1)
    return {
        "cohort_persons": h["cohort_persons"],
        "backlog_peak": h["backlog_peak"],
        "regular_backlog_peak": h["regular_backlog_peak"],
        "months_to_clear": clear,
        "months_to_clear_censored": clear_cens,
        "months_to_clear_p90": clear90,
        "months_to_clear_p90_censored": clear90_cens,
        "share_cleared": share_cleared,
        "feasible": bool(share_cleared >= cfg.target_probability - 1e-12),
        "late_decisions": h["late_decisions_total"],
        "late_or_overdue": h["late_or_overdue"],
        "late_share": h["late_share"],
        "pending_at_end": h["pending_at_end"],
        "late_decisions_vs_first": float(np.median(late_vs_first)),
        "overdue_pending_end": h["overdue_pending_end"],
        "penalty_eur": h["penalty_eur_total"],
        "penalty_eur_p90": h["penalty_eur_total_p90"],
        "penalty_eur_cohort": h["penalty_eur_cohort"],
        "penalty_eur_regular": h["penalty_eur_regular"],
        **{f"{part}_mean": float(np.mean(x)) for part, x in cost.items()},
        "total_cost_eur_p90": float(np.quantile(cost["total_cost_eur"], 0.9)),
        "dtv_caseload_peak": h["dtv_caseload_peak"],
        "shelter_entitled_peak": h["shelter_entitled_peak"],
        "permits_issued": _median(persons_issued),
        "permits_done_month": permits,
        "permits_done_month_censored": permits_cens,
    }


def _median(x: np.ndarray) -> float:
    """Median as the headline takes it: with paths that never finish (``inf``) an observed value."""
    if np.all(np.isfinite(x)):
        return float(np.median(x))
    return float(np.quantile(x, 0.5, method="inverted_cdf"))


def _censored(months: np.ndarray, n_months: int, q: float) -> tuple[float, bool]:
    """Quantile ``q`` of finishing times, censored at the run's length: ``(value, censored)``.

    A path that never finishes within the run counts ``inf``; when the quantile is such a
    path, the value is ``n_months`` (a lower bound: "more than ``n_months``") and the flag is
    set. The median is taken as the headline takes it (:func:`_median`).
    """
    x = _median(months) if q == 0.5 else float(np.quantile(months, q, method="inverted_cdf"))
    if np.isfinite(x):
        return x, False
    return float(n_months), True


def policy_costs(res: BacklogResult) -> dict[str, np.ndarray]:
    """Per path, the cost of a policy over the run and its parts (EUR).

    * ``penalty_eur``: penalties run up by the cohort and the regular queue;
    * ``reception_coa_eur``: cohort persons in COA reception (pending, appealing, in the
      departure term: ``shelter_entitled``) x days x ``coa_eur_per_person_day``;
    * ``reception_municipal_eur``: document takers still without their document (not yet
      withdrawn, or withdrawn and waiting for it) x ``waiting_in_shelter_share`` x days x
      ``municipal_eur_per_person_day`` (the normbedrag);
    * ``staff_eur``: first-instance decisions (cohort and regular) x ``staff_eur_per_decision``;
    * ``total_cost_eur``: their sum.

    Costs after the run's last month are not counted: a policy that leaves cases undecided
    carries costs beyond the horizon, which is why it is infeasible, never cheapest.
    """
    p, cfg, persons = res.paths, res.config, res.parameters["persons_per_case"][:, None]
    penalty = res.penalty_total()
    coa = p["shelter_entitled"].sum(axis=1) * DAYS_PER_MONTH * cfg.coa_eur_per_person_day
    waiting = (p["permit_takers_waiting"] + p["permits_pending"]) * persons
    municipal = waiting.sum(axis=1) * cfg.waiting_in_shelter_share * DAYS_PER_MONTH * cfg.municipal_eur_per_person_day
    staff = (p["decisions"] + p["decisions_regular"]).sum(axis=1) * cfg.staff_eur_per_decision
    return {
        "penalty_eur": penalty,
        "reception_coa_eur": coa,
        "reception_municipal_eur": municipal,
        "reception_eur": coa + municipal,
        "staff_eur": staff,
        "total_cost_eur": penalty + coa + municipal + staff,
    }


def rank_by_cost(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``cost_rank`` (1 = cheapest) and ``cheapest`` to a policy table.

    Feasible policies are ranked by mean total cost first; infeasible ones follow, also by
    cost, so an infeasible policy is never ranked cheapest (no policy is, if none is feasible).
    """
    order = table.sort_values(["feasible", "total_cost_eur_mean"], ascending=[False, True], kind="stable").index
    rank = pd.Series(np.arange(1, len(table) + 1), index=order)
    out = table.assign(cost_rank=rank.reindex(table.index).astype(int))
    out["cheapest"] = (out["cost_rank"] == 1) & out["feasible"]
    return out
