"""Schema section `backlog`: the post-TPD IND/DT&V backlog model (issue 5).

Counting units: the IND queue is counted in *cases* (one asylum application, possibly
covering more than one person); shelter need is counted in *persons*
(cases x ``persons_per_case``). Monthly probabilities are per month of the model's step.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import model_validator

from capacity.params.base import Distribution, Frozen, param

#: Default end of temporary protection: the EU extension of 2025 (policy_timeline.csv
#: 2025-06-13).
TPD_END = dt.date(2027, 3, 4)

QueueDiscipline = Literal["oldest_first", "simple_first", "newest_first", "proportional"]


class BacklogConfig(Frozen):
    """Post-TPD IND/DT&V backlog model settings.

    Uncertain values are :class:`~capacity.params.base.Distribution` (a plain number in
    YAML means fixed); each path of the Monte Carlo draws its own value.
    """

    # --- run ---------------------------------------------------------------------------
    n_paths: int = param(1000, unit="paths", doc="Monte Carlo sample paths", ge=1, le=1_000_000)
    n_months: int = param(60, unit="months", doc="months simulated from the TPD end month",
                          ge=1, le=600)
    seed_offset: int = param(5, unit="-", doc="added to meta.seed for the backlog's own rng",
                             ge=0)

    # --- cohort ------------------------------------------------------------------------
    tpd_end_date: dt.date = param(TPD_END, unit="date",
                                  doc="day temporary protection ends (the scenario's one TPD "
                                      "end: suspended asylum applications restart then, and "
                                      "the shelter model counts only entitled people from "
                                      "that month)")
    cohort_persons: float = param(120680.0, unit="persons",
                                  doc="registered population at the TPD end when it is not "
                                      "taken from the forecast paths", ge=0)
    use_forecast_cohort: bool = param(True, unit="-",
                                      doc="take the cohort from the forecast's registered paths "
                                          "when the TPD end lies inside the forecast")
    persons_per_case: Distribution = param(Distribution(value=1.0), unit="persons/case",
                                           doc="persons covered by one asylum case")
    simple_case_share: Distribution = param(Distribution(value=0.0), unit="share",
                                            doc="share of cohort cases that are simple")
    simple_case_effort: float = param(0.5, unit="capacity units/case",
                                      doc="IND capacity a simple case uses (a standard case = 1)",
                                      gt=0, le=1)

    # --- withdrawals and departures from the pending queue -----------------------------
    return_rate_per_month: Distribution = param(Distribution(value=0.0), unit="share/month",
                                                doc="pending cases withdrawing into the "
                                                    "voluntary return programme per month")
    permit_uptake_share: Distribution = param(Distribution(value=0.0), unit="share",
                                              doc="cohort cases that take the transition / "
                                                  "fallback permit and withdraw")
    permit_uptake_months: Distribution = param(Distribution(value=3.0), unit="months",
                                               doc="window over which permit takers withdraw "
                                                   "(spread evenly)")
    departure_rate_per_month: Distribution = param(Distribution(value=0.0), unit="share/month",
                                                   doc="pending or appealing cases leaving the "
                                                       "Netherlands on their own per month")

    # --- IND capacity and competing regular inflow ---------------------------------------
    ind_decisions_per_month: float = param(2640.0, unit="decisions/month",
                                           doc="planned IND first-instance asylum capacity at "
                                               "the TPD end (standard cases)", ge=0)
    ind_ramp_target_per_month: float | None = param(
        None, unit="decisions/month",
        doc="capacity reached after the ramp-up (None: no ramp)", ge=0)
    ind_ramp_months: int = param(0, unit="months", doc="months of linear ramp-up to the target",
                                 ge=0, le=120)
    ind_capacity_series: tuple[float, ...] | None = param(
        None, unit="decisions/month",
        doc="explicit capacity per month from the TPD end (last value carried on); "
            "overrides level and ramp")
    ind_capacity_realisation: Distribution = param(Distribution(value=1.0), unit="factor",
                                                   doc="realised / planned IND capacity, per path")
    ind_capacity_noise_sd: float = param(0.0, unit="log sd",
                                         doc="month-to-month noise of IND capacity", ge=0, le=2)
    ind_tpd_reserved_share: float = param(0.0, unit="share",
                                          doc="IND capacity reserved for the TPD cohort "
                                              "(unused reserve goes to the rest)", ge=0, le=1)
    queue_discipline: QueueDiscipline = param(
        "oldest_first", unit="-",
        doc="order of service: oldest_first (by start of the decision term), simple_first, "
            "newest_first, proportional (capacity shared by pending stock)")
    regular_backlog_cases: Distribution = param(Distribution(value=0.0), unit="cases",
                                                doc="regular asylum cases pending at the TPD end")
    regular_inflow_per_year: Distribution = param(Distribution(value=0.0), unit="cases/year",
                                                  doc="regular first asylum applications "
                                                      "competing for IND capacity")
    regular_inflow_series: tuple[float, ...] | None = param(
        None, unit="cases/month",
        doc="explicit regular inflow per month (last value carried on); overrides the yearly "
            "rate")
    regular_backlog_age_months: float = param(
        30.0, unit="months",
        doc="the regular cases pending at the start have waited evenly spread times up to "
            "this many months (their term started then)", gt=0, le=120)
    regular_term_months: float = param(6.0, unit="months",
                                       doc="decision term of a regular asylum application "
                                           "from its lodging", gt=0, le=60)
    regular_inflow_noise_sd: float = param(0.0, unit="log sd",
                                           doc="month-to-month noise of the regular inflow",
                                           ge=0, le=2)

    # --- decisions, appeals, departure term -------------------------------------------
    grant_share: Distribution = param(Distribution(value=0.5), unit="share",
                                      doc="first-instance decisions that grant a permit")
    appeal_share: Distribution = param(Distribution(value=0.0), unit="share",
                                       doc="rejected cases that appeal")
    appeal_months_mean: Distribution = param(Distribution(value=6.0), unit="months",
                                             doc="mean court duration of an appeal "
                                                 "(geometric)")
    appeal_success_share: Distribution = param(Distribution(value=0.0), unit="share",
                                               doc="appeals that succeed (counted as granted)")
    departure_term_months: int = param(1, unit="months",
                                       doc="departure term after a final rejection before DT&V "
                                           "takes the case", ge=0, le=24)

    # --- DT&V ---------------------------------------------------------------------------
    dtv_cases_per_month: float = param(300.0, unit="cases/month",
                                       doc="DT&V cases from the cohort closed per month", ge=0)
    dtv_capacity_realisation: Distribution = param(Distribution(value=1.0), unit="factor",
                                                   doc="realised / planned DT&V capacity, per "
                                                       "path")
    dtv_share_independent: float = param(0.20, unit="share",
                                         doc="closed DT&V cases: demonstrable independent "
                                             "departure", ge=0, le=1)
    dtv_share_forced: float = param(0.18, unit="share",
                                    doc="closed DT&V cases: forced return", ge=0, le=1)
    dtv_share_unsupervised: float = param(0.36, unit="share",
                                          doc="closed DT&V cases: departure without supervision "
                                              "(destination unknown)", ge=0, le=1)

    # --- permit processing ---------------------------------------------------------------
    permit_capacity_per_month: float = param(10000.0, unit="permits/month",
                                             doc="IND capacity to issue transition permits",
                                             ge=0)
    permit_capacity_realisation: Distribution = param(Distribution(value=1.0), unit="factor",
                                                      doc="realised / planned permit capacity")

    # --- legal term and penalties -----------------------------------------------------
    decision_term_months: float = param(6.0, unit="months",
                                        doc="decision term from the restart", gt=0, le=60)
    term_extension_months: float = param(0.0, unit="months",
                                         doc="extension of the term applied (total at most 21 "
                                             "months)", ge=0, le=15)
    notice_share: Distribution = param(Distribution(value=0.5), unit="share",
                                       doc="late applicants who send a notice of default")
    notice_lag_days: float = param(0.0, unit="days",
                                   doc="days from the end of the term to the notice of default",
                                   ge=0)
    penalty_grace_days: float = param(14.0, unit="days",
                                      doc="days after the notice before penalties run", ge=0)
    penalty_eur_per_day: tuple[float, ...] = param((23.0, 35.0, 45.0), unit="EUR/day",
                                                   doc="penalty per day in successive steps")
    penalty_step_days: float = param(14.0, unit="days", doc="length of each penalty step", gt=0)
    penalty_cap_eur: float = param(1442.0, unit="EUR/case",
                                   doc="maximum penalty per case per procedure", ge=0)
    penalties_abolished: bool = param(False, unit="-",
                                      doc="policy that abolishes penalties for late decisions")

    # --- outputs --------------------------------------------------------------------------
    clear_threshold_cases: float = param(1000.0, unit="cases",
                                         doc="the cohort backlog counts as cleared below this",
                                         ge=0)
    first_decisions_cases: float = param(100.0, unit="cases/month",
                                         doc="the cohort gets its first decisions in the first "
                                             "month with at least this many decided", gt=0)
    permit_done_threshold: float = param(1.0, unit="cases",
                                         doc="permit work counts as done below this many "
                                             "waiting takers plus queued permits", ge=0)

    # --- solver ---------------------------------------------------------------------------
    target_late_share: float = param(0.05, unit="share",
                                     doc="solver: highest acceptable share of late cohort "
                                         "decisions", ge=0, le=1)
    target_probability: float = param(0.8, unit="share",
                                      doc="solver: probability with which the target must hold",
                                      gt=0, le=1)
    dtv_target_months: int = param(36, unit="months",
                                   doc="solver: DT&V caseload must be below its threshold by "
                                       "this month", ge=1, le=600)
    dtv_target_caseload: float = param(1000.0, unit="cases",
                                       doc="solver: DT&V caseload threshold", ge=0)
    solver_n_paths: int = param(300, unit="paths", doc="paths used by the capacity solver",
                                ge=1, le=100_000)

    @model_validator(mode="after")
    def _check(self) -> BacklogConfig:
        if self.decision_term_months + self.term_extension_months > 21 + 1e-9:
            raise ValueError(
                "decision_term_months + term_extension_months must be at most 21 (Vw 2000 art. "
                f"43a: 21 months after the TPD ends), got {self.decision_term_months} + "
                f"{self.term_extension_months}")
        shares = self.dtv_share_independent + self.dtv_share_forced + self.dtv_share_unsupervised
        if shares > 1 + 1e-9:
            raise ValueError(f"dtv_share_independent + dtv_share_forced + dtv_share_unsupervised "
                             f"must be at most 1 (the rest closes otherwise), got {shares:.3f}")
        if not self.penalty_eur_per_day:
            raise ValueError("penalty_eur_per_day needs at least one step, e.g. [23, 35, 45]")
        for name in ("ind_capacity_series", "regular_inflow_series", "penalty_eur_per_day"):
            values = getattr(self, name)
            if values is not None and (len(values) == 0 or min(values) < 0):
                raise ValueError(f"{name} must be a non-empty list of values >= 0 (use null for "
                                 f"none), got {list(values)}")
        return self

    @property
    def term_months(self) -> float:
        """Applicable decision term after the restart (months)."""
        return self.decision_term_months + self.term_extension_months
