"""Schema section `backlog`: the post-TPD IND/DT&V backlog model (issue 5).

Counting units: the cohort's IND queue is counted in *cases* (one asylum application,
possibly covering more than one person: work per household); everything else in
*persons*: shelter need, transitiedocumenten and their issuing capacity (cases x
``persons_per_case``), the regular asylum stream (the IND counts applicants, one
application each) and the population ledger. Monthly probabilities are per month of the
model's step.

``tpd_end_date`` is the scenario's one TPD end: the forecast's TP arrivals stop then
(:mod:`capacity.forecast.regime`), the backlog restarts the continuing cases, and the
shelter model switches to entitled people from that month.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import model_validator

from capacity.i18n import N_
from capacity.params.base import (
    FactorDist,
    Frozen,
    MonthsDist,
    RateDist,
    ShareDist,
    baseline_value,
    param,
    within,
)
from capacity.params.types import (
    MAX_PER_MONTH,
    MAX_PERSONS,
    Count,
    Date,
    Days,
    Factor,
    Money,
    Months,
    PerMonth,
    Setting,
    Share,
    WholeMonths,
)

#: Persons covered by one asylum case: more than 0, at most a large family.
PersonsPerCaseDist = within(0, 20, what="persons per case", low_open=True)
#: An uncertain number of cases (0..MAX_PERSONS).
#: The mean court duration of an appeal: its inverse is the monthly rate, so not 0.
AppealMonthsDist = within(0, 600, what="a mean duration in months", low_open=True, unbounded_ok=True)
CasesDist = within(0, MAX_PERSONS, what="a number of cases")
#: An uncertain number of cases per year (0..12 x MAX_PER_MONTH).
CasesPerYearDist = within(0, 12 * MAX_PER_MONTH, what="a number of cases per year")
#: One value of an explicit monthly series.
_SeriesValue = PerMonth

#: End of temporary protection in the packaged baseline (``backlog.tpd_end_date`` of
#: ``params/baseline.yaml``, its one home): the EU extension of 2025 (policy_timeline.csv 2025-06-13).
TPD_END: dt.date = baseline_value("backlog.tpd_end_date")

QueueDiscipline = Literal["oldest_first", "simple_first", "newest_first", "proportional"]


class BacklogConfig(Frozen):
    """Post-TPD IND/DT&V backlog model settings.

    Uncertain values are :class:`~capacity.params.base.Distribution` (a plain number in
    YAML means fixed); each path of the Monte Carlo draws its own value.
    """

    baseline_key = "backlog"

    # --- run ---------------------------------------------------------------------------
    n_paths: Setting = param(unit="paths", doc=N_("Monte Carlo sample paths"), ge=1, le=1_000_000, source="run setting")
    n_months: Setting = param(
        unit="months", doc=N_("months simulated from the TPD end month"), ge=1, le=600, source="run setting"
    )

    # --- cohort ------------------------------------------------------------------------
    tpd_end_date: Date = param(
        unit="date",
        doc=N_(
            "day temporary protection ends (the scenario's one TPD "
            "end: suspended asylum applications restart then, and "
            "the shelter model counts only entitled people from "
            "that month)"
        ),
        source="policy_timeline.csv 2025-06-13: EU extends the TPD to 4 Mar 2027",
    )
    cohort_persons: Count = param(
        unit="persons",
        doc=N_("registered population at the TPD end when it is not taken from the forecast paths"),
        ge=0,
        source=(
            "monitor_report_facts.csv 2025-02-28: 120,680 registered (fallback; the "
            "forecast's registered paths when available)"
        ),
    )
    use_forecast_cohort: bool = param(
        unit="-",
        doc=N_("take the cohort from the forecast's registered paths when the TPD end lies inside the forecast"),
        source="run setting: the cohort from the forecast's registered paths",
    )
    persons_per_case: PersonsPerCaseDist = param(
        unit="persons/case",
        doc=N_("persons covered by one asylum case"),
        source=(
            "1.0 (own application each) to 1.59 = 1/(1-0.37), 37 % minors "
            "among the registered (ukraine_registrations_cbs.csv 2022-04-07, "
            "DERIVED); mode assumption"
        ),
    )
    simple_case_share: ShareDist = param(
        unit="share", doc=N_("share of cohort cases that are simple"), source="assumption"
    )
    simple_case_effort: Share = param(
        unit="capacity units/case",
        doc=N_("IND capacity a simple case uses (a standard case = 1)"),
        gt=0,
        le=1,
        source="assumption",
    )

    # --- withdrawals and departures from the pending queue -----------------------------
    return_rate_per_month: RateDist = param(
        unit="share/month",
        doc=N_("pending cases withdrawing into the voluntary return programme per month"),
        source=(
            "policy_timeline.csv 2023: 400 of 4,600 TCN took the EUR "
            "5,000 scheme in ~6 months = ~1.5 %/month (DERIVED); low end "
            "assumption"
        ),
    )
    permit_uptake_share: ShareDist = param(
        unit="share",
        doc=N_(
            "cohort cases that take the transitiedocument "
            "and withdraw (never in the IND's asylum "
            "queue); the rest continue their application"
        ),
        source=(
            "policy_timeline.csv 2024-01-24: 740 of 2,760 (27 %) "
            "continued when their TP ended, so uptake centred on 73 %; "
            "spread: assumption (the plan's document, "
            "policy_timeline.csv 2025-11-28)"
        ),
    )
    permit_uptake_months: MonthsDist = param(
        unit="months",
        doc=N_("window over which document takers withdraw (spread evenly; 1: all in the TPD-end month)"),
        source="assumption",
    )
    departure_rate_per_month: RateDist = param(
        unit="share/month",
        doc=N_(
            "pending or appealing cases leaving the "
            "Netherlands on their own per month, when no "
            "forecast paths are given (with them, each "
            "path's forecast departure rate applies)"
        ),
        source=("monitor_report_facts.csv: 8,215 departed May-Nov 2024 of ~117,530 = 1.17 %/month (DERIVED)"),
    )

    # --- the regime after the TPD end ----------------------------------------------------
    post_tpd_asylum_share: ShareDist = param(
        unit="share",
        doc=N_(
            "of the arrivals the forecast carries past the TPD end (no TP any more), the share "
            "who still come and apply for asylum (regular IND inflow, COA reception)"
        ),
        source="assumption: no published figure; the TP ends EU-wide (policy_timeline.csv 2025-09-16)",
    )
    pull_forward_share: Share = param(
        unit="share",
        doc=N_(
            "share of the arrivals of the pull_forward_months after the TPD end that come before it instead (under TP)"
        ),
        ge=0,
        le=1,
        source="no pull-forward in the baseline (a scenario lever)",
    )
    pull_forward_months: WholeMonths = param(
        unit="months",
        doc=N_(
            "months after the TPD end whose arrivals can be pulled forward, and months before it they are spread over"
        ),
        ge=1,
        le=24,
        source="assumption (scenario lever)",
    )
    tpd_end_departure_pulse: Share = param(
        unit="share",
        doc=N_(
            "extra share of the people registered at the TPD end who leave the Netherlands in "
            "the TPD-end month (return or onward movement) before choosing a route"
        ),
        ge=0,
        le=1,
        source="no pulse in the baseline (a scenario lever)",
    )
    document_issue_lead_months: WholeMonths = param(
        unit="months",
        doc=N_(
            "months before the TPD end in which the IND already issues documents at its issuing "
            "capacity (a policy lever; the status still changes at the TPD end)"
        ),
        ge=0,
        le=24,
        source="the plan names no earlier start (policy_timeline.csv 2025-11-28)",
    )
    document_months: WholeMonths = param(
        unit="months",
        doc=N_("validity of the transitiedocument from the TPD end"),
        ge=1,
        le=120,
        source="policy_timeline.csv 2025-11-28: a three-year transitiedocument",
    )
    document_housing_rate_per_month: RateDist = param(
        unit="share/month",
        doc=N_("document holders in (fallback) shelter who move to own housing each month"),
        source="assumption: no published rate; housing is scarce",
    )
    expiry_work_study_share: Share = param(
        unit="share",
        doc=N_("document holders at expiry who move to a work or study permit"),
        ge=0,
        le=1,
        source="assumption (branch of the expiry)",
    )
    expiry_asylum_share: Share = param(
        unit="share",
        doc=N_("document holders at expiry who lodge a new asylum application"),
        ge=0,
        le=1,
        source="assumption (branch of the expiry)",
    )
    expiry_return_share: Share = param(
        unit="share",
        doc=N_(
            "document holders at expiry who return (leave the Netherlands); "
            "the rest of the three branches stay without a residence status"
        ),
        ge=0,
        le=1,
        source="assumption (branch of the expiry)",
    )

    # --- IND capacity and competing regular inflow ---------------------------------------
    ind_decisions_per_month: PerMonth = param(
        unit="decisions/month",
        doc=N_("planned IND first-instance asylum capacity at the TPD end (standard cases)"),
        ge=0,
        source="ind_asylum_figures.csv 2024-04: 2,640 first decisions",
    )
    ind_ramp_target_per_month: PerMonth | None = param(
        unit="decisions/month",
        doc=N_("capacity reached after the ramp-up (empty: no ramp)"),
        source="no announced ramp-up (scenario tpd_ind_ramp: assumption)",
    )
    ind_ramp_months: WholeMonths = param(
        unit="months",
        doc=N_("months of linear ramp-up to the target"),
        ge=0,
        le=120,
        source="no announced ramp-up (scenario tpd_ind_ramp: assumption)",
    )
    ind_capacity_series: tuple[_SeriesValue, ...] | None = param(
        unit="decisions/month",
        doc=N_("explicit capacity per month from the TPD end (last value carried on); overrides level and ramp"),
        source="not used in the baseline",
    )
    ind_capacity_realisation: FactorDist = param(
        unit="factor",
        doc=N_("realised / planned IND capacity, per path"),
        source=("ind_asylum_figures.csv: mandate 22,000/yr (0.69) to ~40,500 decisions in 2024 (1.28, DERIVED)"),
    )
    ind_capacity_noise_sd: Factor = param(
        unit="log sd", doc=N_("month-to-month noise of IND capacity"), ge=0, le=2, source="assumption"
    )
    ind_tpd_reserved_share: Share = param(
        unit="share",
        doc=N_("IND capacity reserved for the TPD cohort (unused reserve goes to the rest)"),
        ge=0,
        le=1,
        source="no dedicated TPD team announced",
    )
    queue_discipline: QueueDiscipline = param(
        unit="-",
        doc=N_(
            "order of service: oldest_first (by start of the decision term), simple_first, "
            "newest_first, proportional (capacity shared by pending stock)"
        ),
        source="assumption: oldest first, as the IND decides in order of receipt",
    )
    regular_backlog_cases: CasesDist = param(
        unit="cases",
        doc=N_("regular asylum cases pending at the TPD end"),
        source=("ind_asylum_figures.csv: ~50,000-51,000 pending end 2023-2025"),
    )
    regular_inflow_per_year: CasesPerYearDist = param(
        unit="cases/year",
        doc=N_("regular first asylum applications competing for IND capacity"),
        source=(
            "ind_asylum_figures.csv: 24,070 (2025), 32,180 (2024); MPP "
            "2026 max 67,100 x 0.77 first-application share (DERIVED)"
        ),
    )
    regular_inflow_series: tuple[_SeriesValue, ...] | None = param(
        unit="cases/month",
        doc=N_("explicit regular inflow per month (last value carried on); overrides the yearly rate"),
        source="not used in the baseline",
    )
    regular_backlog_age_months: Months = param(
        unit="months",
        doc=N_(
            "the regular cases pending at the start have waited evenly spread times up to "
            "this many months (their term started then)"
        ),
        gt=0,
        le=120,
        source=(
            "ind_asylum_figures.csv 2025: >25,000 of ~50,000 waiting >15 months -> evenly spread up to 30 months "
            "(DERIVED); assumption that it holds at the TPD end"
        ),
    )
    regular_term_months: Months = param(
        unit="months",
        doc=N_("decision term of a regular asylum application from its lodging"),
        gt=0,
        le=60,
        source=(
            "art. 42 Vw 2000: 6 months; the 15-month extension was reversed by "
            "the Raad van State (ind_asylum_figures.csv 2025 note)"
        ),
    )
    regular_inflow_noise_sd: Factor = param(
        unit="log sd",
        doc=N_("month-to-month noise of the regular inflow"),
        ge=0,
        le=2,
        source="assumption (monthly 2022: 1,600-4,435)",
    )

    # --- decisions, appeals, departure term -------------------------------------------
    grant_share: ShareDist = param(
        unit="share",
        doc=N_("first-instance decisions that grant a permit"),
        source=(
            "ind_asylum_figures.csv: grant rate 36 % (2025), 58 % (2024), all "
            "nationalities; that it applies to Ukrainians is an assumption"
        ),
    )
    appeal_share: ShareDist = param(unit="share", doc=N_("rejected cases that appeal"), source="assumption")
    appeal_months_mean: AppealMonthsDist = param(
        unit="months", doc=N_("mean court duration of an appeal (geometric)"), source="assumption"
    )
    appeal_success_share: ShareDist = param(
        unit="share", doc=N_("appeals that succeed (counted as granted)"), source="assumption"
    )
    departure_term_months: WholeMonths = param(
        unit="months",
        doc=N_("departure term after a final rejection before DT&V takes the case"),
        ge=0,
        le=24,
        source="art. 62 Vw 2000: 4 weeks",
    )

    # --- DT&V ---------------------------------------------------------------------------
    dtv_cases_per_month: PerMonth = param(
        unit="cases/month",
        doc=N_("DT&V cases from the cohort closed per month"),
        ge=0,
        source=(
            "dtv_return_case_outcomes.csv: 15,860 closed in 2024 (1,322/month); "
            "share free for the cohort (a quarter) is an assumption"
        ),
    )
    dtv_capacity_realisation: FactorDist = param(
        unit="factor", doc=N_("realised / planned DT&V capacity, per path"), source="assumption"
    )
    dtv_share_independent: Share = param(
        unit="share",
        doc=N_("closed DT&V cases: demonstrable independent departure"),
        ge=0,
        le=1,
        source=(
            "dtv_return_case_outcomes.csv 2024: 38 % demonstrable departure, "
            "slightly more than half voluntary (DERIVED 20 %)"
        ),
    )
    dtv_share_forced: Share = param(
        unit="share",
        doc=N_("closed DT&V cases: forced return"),
        ge=0,
        le=1,
        source=(
            "assumption: 0, forced return to Ukraine not feasible while the war goes "
            "on (2024 all nationalities: 18 %, dtv_return_case_outcomes.csv)"
        ),
    )
    dtv_share_unsupervised: Share = param(
        unit="share",
        doc=N_("closed DT&V cases: departure without supervision (destination unknown)"),
        ge=0,
        le=1,
        source="dtv_return_case_outcomes.csv 2024: 36 % destination unknown",
    )

    # --- permit processing ---------------------------------------------------------------
    permit_capacity_per_month: PerMonth = param(
        unit="persons/month",
        doc=N_("IND capacity to issue transitiedocumenten (one per person)"),
        ge=0,
        source="assumption",
    )
    permit_capacity_realisation: FactorDist = param(
        unit="factor", doc=N_("realised / planned permit capacity"), source="assumption"
    )

    # --- legal term and penalties -----------------------------------------------------
    decision_term_months: Months = param(
        unit="months",
        doc=N_("decision term from the restart"),
        gt=0,
        le=60,
        source=("art. 43a Vw 2000 (monitor_report_facts.csv): 6 months after the TPD ends"),
    )
    term_extension_months: Months = param(
        unit="months",
        doc=N_("extension of the term applied (total at most 21 months)"),
        ge=0,
        le=15,
        source=(
            "up to 21 months in total; used in 2023 (policy_timeline.csv 2023-03-16), upheld by Rb Den Haag 2024-12-04"
        ),
    )
    notice_share: ShareDist = param(
        unit="share",
        doc=N_("late applicants who send a notice of default"),
        source=(
            "fitted by the backlog replay on the 2023 notices and penalties (at its bound 1.0); "
            "ind_asylum_figures.csv 2022: 19,830 notices vs ~20,400 late decisions (0.97, DERIVED) agrees"
        ),
    )
    notice_lag_days: Days = param(
        unit="days",
        doc=N_("days from the end of the term to the notice of default"),
        ge=0,
        source="fitted by the backlog replay on the 2023 notices and penalties (at its bound 0 days)",
    )
    penalty_grace_days: Days = param(
        unit="days",
        doc=N_("days after the notice before penalties run"),
        ge=0,
        source="Awb art. 4:17: penalties run two weeks after the notice",
    )
    penalty_eur_per_day: tuple[Money, ...] = param(
        unit="EUR/day",
        doc=N_("penalty per day in successive steps"),
        source="Awb art. 4:17: EUR 23 / 35 / 45 per day, 14 days each",
    )
    penalty_step_days: Days = param(
        unit="days", doc=N_("length of each penalty step"), gt=0, source="Awb art. 4:17: 14 days per step"
    )
    penalty_cap_eur: Money = param(
        unit="EUR/case",
        doc=N_("maximum penalty per case per procedure"),
        ge=0,
        source="ind_asylum_figures.csv: max EUR 1,442 per case per procedure",
    )
    penalties_abolished: bool = param(
        unit="-",
        doc=N_("policy that abolishes penalties for late decisions"),
        source="current law (policy option in the comparison)",
    )

    # --- costs ----------------------------------------------------------------------------
    coa_eur_per_person_day: Money = param(
        unit="EUR/person-day",
        ge=0,
        le=1000,
        doc=N_("cost of one person in COA asylum reception for one day (continuing cases, appeals, departure term)"),
        source=(
            "assumption: no COA price per person-day in datasets/; VNG's EUR 55-60 actual "
            "cost of a municipal place (policy_timeline.csv 2025-01-01) as a stand-in"
        ),
    )
    municipal_eur_per_person_day: Money = param(
        unit="EUR/person-day",
        ge=0,
        le=1000,
        doc=N_(
            "cost of one person in municipal shelter for one day (document takers waiting for their transitiedocument)"
        ),
        source="policy_timeline.csv 2025-01-01: normbedrag EUR 44 per place per day (2025)",
    )
    waiting_in_shelter_share: Share = param(
        unit="share",
        ge=0,
        le=1,
        doc=N_("share of document takers waiting for their document who stay in municipal shelter"),
        source="monitor_report_facts.csv 2025-02-28: 93,680 of 120,680 registered in shelter (78 %)",
    )
    staff_eur_per_decision: Money = param(
        unit="EUR/decision",
        ge=0,
        le=100_000,
        doc=N_("IND staff cost of one first-instance asylum decision"),
        source=(
            "assumption: no cost per decision in datasets/ (the IND budget, "
            "policy_timeline.csv 2027, covers all its work)"
        ),
    )

    # --- outputs --------------------------------------------------------------------------
    clear_threshold_cases: Count = param(
        unit="cases", doc=N_("the cohort backlog counts as cleared below this"), ge=0, source="assumption"
    )
    first_decisions_cases: PerMonth = param(
        unit="cases/month",
        doc=N_("the cohort gets its first decisions in the first month with at least this many decided"),
        gt=0,
        source="assumption",
    )
    permit_done_threshold: Count = param(
        unit="cases",
        doc=N_("permit work counts as done below this many waiting takers plus queued permits"),
        ge=0,
        source="assumption",
    )

    # --- solver ---------------------------------------------------------------------------
    target_late_share: Share = param(
        unit="share",
        doc=N_("solver: highest acceptable share of late cohort decisions"),
        ge=0,
        le=1,
        source="planning target (judgement)",
    )
    target_probability: Share = param(
        unit="share",
        doc=N_("solver: probability with which the target must hold"),
        gt=0,
        le=1,
        source="planning target (judgement)",
    )
    dtv_target_months: Setting = param(
        unit="months",
        doc=N_("solver: DT&V caseload must be below its threshold by this month"),
        ge=1,
        le=600,
        source="planning target (judgement)",
    )
    dtv_target_caseload: Count = param(
        unit="cases", doc=N_("solver: DT&V caseload threshold"), ge=0, source="planning target (judgement)"
    )
    solver_n_paths: Setting = param(
        unit="paths", doc=N_("paths used by the capacity solver"), ge=1, le=100_000, source="run setting"
    )

    @model_validator(mode="after")
    def _check(self) -> BacklogConfig:
        if self.decision_term_months + self.term_extension_months > 21 + 1e-9:
            raise ValueError(
                "decision_term_months + term_extension_months must be at most 21 (Vw 2000 art. "
                f"43a: 21 months after the TPD ends), got {self.decision_term_months} + "
                f"{self.term_extension_months}"
            )
        shares = self.dtv_share_independent + self.dtv_share_forced + self.dtv_share_unsupervised
        if shares > 1 + 1e-9:
            raise ValueError(
                f"dtv_share_independent + dtv_share_forced + dtv_share_unsupervised "
                f"must be at most 1 (the rest closes otherwise), got {shares:.3f}"
            )
        branches = self.expiry_work_study_share + self.expiry_asylum_share + self.expiry_return_share
        if branches > 1 + 1e-9:
            raise ValueError(
                f"expiry_work_study_share + expiry_asylum_share + expiry_return_share "
                f"must be at most 1 (the rest stays without a status), got {branches:.3f}"
            )
        if not self.penalty_eur_per_day:
            raise ValueError("penalty_eur_per_day needs at least one step, e.g. [23, 35, 45]")
        for name in ("ind_capacity_series", "regular_inflow_series", "penalty_eur_per_day"):
            values = getattr(self, name)
            if values is not None and (len(values) == 0 or min(values) < 0):
                raise ValueError(
                    f"{name} must be a non-empty list of values >= 0 (use null for none), got {list(values)}"
                )
        return self

    @property
    def term_months(self) -> float:
        """Applicable decision term after the restart (months)."""
        return self.decision_term_months + self.term_extension_months
