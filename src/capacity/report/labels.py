"""Every short label of the reports: one table of keys, its words in one gettext catalogue.

A label is written once, in English, where it is defined here (``N_`` marks it for the
catalogue); its Dutch is in ``capacity/locale/nl/LC_MESSAGES/capacity.po``
(:mod:`capacity.i18n`). :func:`t` gives a key's text in a page's language. Prose lives in the
notebooks, as markdown twins tagged ``en``/``nl``.

Sections keep the labels of one report together; a key means one thing everywhere (a test
checks that no key is defined twice).
"""

from __future__ import annotations

import re
from typing import Any

from capacity import i18n
from capacity.i18n import N_

_GENERAL: dict[str, str] = {
    "registered": N_("Registered with municipalities"),
    "in_shelter": N_("In municipal shelter"),
    "places": N_("Shelter places"),
    "occupancy_rate": N_("Occupancy rate"),
    "arrivals": N_("Arrivals per month"),
    "departures": N_("Departures per month"),
    "tp_stock": N_("TP holders (Eurostat)"),
    "register_cleanup": N_("Register clean-up"),
    "persons": N_("persons"),
    "share": N_("share"),
    "persons_per_month": N_("persons per month"),
    "median": N_("median"),
    "band": N_("{p} % band"),
    "observed": N_("observed"),
    "derived": N_("derived"),
    "interpolated": N_("interpolated"),
    "missing": N_("missing"),
    "month": N_("month"),
    "download": N_("Download"),
    "rows_shown": N_("first {n} of {total} rows shown; the download has all"),
    "parameters_used": N_("Parameters used"),
    "history": N_("History"),
    "not_in_run": N_("not within the run"),
    "never": N_("not on most paths"),
    "million": N_("million"),
    "indicator": N_("indicator"),
    "p10": N_("10 %"),
    "p90": N_("90 %"),
    "unit": N_("unit"),
    "cases": N_("cases"),
    "places_unit": N_("places"),
    "months": N_("months"),
    "month_unit": N_("month"),
    "EUR": N_("EUR"),
}

_FORECAST: dict[str, str] = {
    "departure_rate": N_("Departure rate (share per month)"),
    "mase": N_("MASE (lower is better)"),
    "coverage_80": N_("Coverage of the 80 % interval"),
    "horizon": N_("months ahead"),
    "target": N_("target"),
    "scenario_compare_registered": N_("Registered population by scenario (median and 80 % band)"),
    "scenario_compare_arrivals": N_("Arrivals per month by scenario (median and 80 % band)"),
    "series": N_("series"),
    "data_until": N_("data until"),
    "forecast_from": N_("forecast from"),
    "fact": N_("fact"),
    "published": N_("published"),
    "model": N_("model"),
}

_SHELTER: dict[str, str] = {
    "demand": N_("People needing a place"),
    "places_median": N_("Places (median path)"),
    "occ_title": N_("Occupancy of municipal shelter"),
    "dvp_title": N_("People needing a place against places"),
    "in_shelter_obs": N_("in shelter (observed)"),
    "target_p": N_("target {p}"),
    "cross_title": N_("Share of futures in which demand per place has passed 95 % / 100 %"),
    "pressure_title": N_("Pressure: people needing a place per place (above 100 %: people go without)"),
    "pressure_obs": N_("occupancy (observed; capped at 100 %)"),
    "dest_title": N_("After the TPD: where the people in Ukraine shelter at its end are (median)"),
    "asylum_reception": N_("asylum reception (pursuing asylum)"),
    "housing_task": N_("housing task (must move to other housing)"),
    "left_country": N_("left the Netherlands"),
    "moved_home": N_("moved to a home"),
    "waiting_in_shelter": N_("waiting for a home in Ukraine shelter"),
    "fallback": N_("national fallback option"),
    "without_accommodation": N_("without accommodation"),
    "replay_title": N_("History replay from July 2023: simulated (80 % band) against published counts"),
    "in_shelter_line": N_("in shelter"),
    "places_sim": N_("places"),
    "cost_title": N_("Expected cost of idle places and of people without a place"),
}

_BACKLOG: dict[str, str] = {
    "pending": N_("Continuing asylum cases pending at the IND (document takers never are)"),
    "pending_regular": N_("Regular asylum cases pending"),
    "backlog_total": N_("All asylum cases pending at the IND"),
    "decisions": N_("IND decisions on continuing asylum cases per month"),
    "late_decisions": N_("Decisions after the legal term per month"),
    "penalty_eur": N_("Penalties run up by cohort cases past the term, per month (EUR)"),
    "penalty_eur_regular": N_("Penalties run up by regular cases past the term, per month (EUR)"),
    "overdue_pending": N_("Cohort cases pending past the legal term"),
    "validation_title": N_("Replay 2023-2025: simulated (80 % band) against published"),
    "simulated": N_("simulated (median, 80 % band)"),
    "penalty_eur_m": N_("Penalties (EUR million)"),
    "backlog_end": N_("Pending at 31 December (persons)"),
    "penalties_title": N_("Penalty exposure by calendar year and stream (EUR)"),
    "dtv_caseload": N_("DT&V caseload from the cohort"),
    "shelter_entitled": N_(
        "Persons in continuing asylum cases entitled to reception (pending, appeal, departure term)"
    ),
    "permits_pending": N_("Transitiedocumenten waiting to be issued (cases)"),
    "late_cum": N_("Late decisions, cumulative"),
    "penalty_cum": N_("Penalties, cumulative (EUR)"),
    "cases_month": N_("cases per month"),
    "decisions_mean": N_("Mean over paths (cases per month)"),
    "share_paths_deciding": N_("Share of paths with cohort decisions that month"),
    "eur": N_("EUR"),
    "eur_month": N_("EUR per month"),
    "months_after_tpd": N_("months after the TPD ends"),
    "share_paths": N_("share of paths"),
    "clear": N_("Cohort backlog cleared"),
    "permits_done": N_("Every transition permit issued"),
    "months_to_clear": N_("Months until the cohort backlog is cleared"),
    "not_within": N_("not within {n} months"),
    "outcomes": N_("Where the cohort's cases are (median, cumulative)"),
    "policy_late": N_("Late decisions incl. overdue at the end (median)"),
    "policy_eur": N_("Penalties, EUR million (median)"),
    "forecast_table": N_("Backlog forecast (quantiles)"),
    "capacity_title": N_("IND and DT&V capacity that meets the targets"),
    "assumptions_title": N_("Backlog assumptions and their sources"),
    "policy_title": N_("Policies side by side (common random numbers)"),
}

_OUTCOMES: dict[str, str] = {
    "outcome_pending": N_("continuing, pending (first instance)"),
    "outcome_permit_takers_waiting": N_("document route, not yet withdrawn"),
    "outcome_appeals_pending": N_("in appeal"),
    "outcome_departure_term": N_("departure term"),
    "outcome_dtv_caseload": N_("at DT&V"),
    "outcome_granted": N_("granted asylum"),
    "outcome_withdrawn_permit": N_("withdrew: transition permit"),
    "outcome_withdrawn_return": N_("withdrew: return programme"),
    "outcome_departed": N_("left on their own"),
    "outcome_dtv_closed": N_("DT&V case closed"),
}

_LEDGER: dict[str, str] = {
    "ledger_title": N_("Everyone after the TPD end, by state (mean over paths, persons)"),
    "ledger_none": N_("The TPD ends after the run"),
    "ledger_document_expires": N_("transitiedocument expires"),
    "ledger_document_waiting": N_("document route: waiting for the document"),
    "ledger_document_in_shelter": N_("document holder in (fallback) shelter"),
    "ledger_document_housed": N_("document holder housed"),
    "ledger_asylum_pending_ind": N_("continuing asylum case at the IND (COA)"),
    "ledger_asylum_appeal": N_("continuing case in appeal or departure term (COA)"),
    "ledger_asylum_granted": N_("continuing case: asylum granted"),
    "ledger_refused_dtv": N_("refused (DT&V)"),
    "ledger_post_tpd_asylum_pending": N_("arrived after the TPD: asylum pending (COA)"),
    "ledger_post_tpd_granted": N_("arrived after the TPD: asylum granted"),
    "ledger_post_tpd_refused": N_("arrived after the TPD: asylum refused"),
    "ledger_expired_work_study": N_("document expired: work or study permit"),
    "ledger_expired_asylum": N_("document expired: new asylum application pending (COA)"),
    "ledger_expired_asylum_granted": N_("document expired: new application granted"),
    "ledger_expired_asylum_refused": N_("document expired: new application refused"),
    "ledger_expired_no_status": N_("document expired: no residence status"),
    "ledger_left_nl": N_("left the Netherlands"),
}

#: The uncertain inputs of the backlog sensitivity analysis (key: ``input_<parameter>``).
_INPUTS: dict[str, str] = {
    "input_persons_per_case": N_("persons per case"),
    "input_simple_case_share": N_("share of simple cases"),
    "input_return_rate_per_month": N_("return programme uptake"),
    "input_permit_uptake_share": N_("transition document uptake"),
    "input_permit_uptake_months": N_("time to take up the document"),
    "input_departure_rate_per_month": N_("spontaneous departures"),
    "input_ind_capacity_realisation": N_("IND capacity realised"),
    "input_regular_backlog_cases": N_("regular asylum stock"),
    "input_regular_inflow_per_year": N_("regular asylum inflow"),
    "input_grant_share": N_("grant rate"),
    "input_appeal_share": N_("share appealing"),
    "input_appeal_months_mean": N_("court duration"),
    "input_appeal_success_share": N_("appeals won"),
    "input_dtv_capacity_realisation": N_("DT&V capacity realised"),
    "input_permit_capacity_realisation": N_("document issuing capacity"),
    "input_notice_share": N_("share sending a notice of default"),
    "input_cohort_persons": N_("cohort size at the TPD end"),
    "input_ind_tpd_reserved_share": N_("capacity reserved for the cohort (TPD team)"),
    "input_ind_capacity_scale": N_("planned IND capacity (multiplier)"),
}

#: The shelter model's stock-flow rates and places response (report 03's rate tables; key: ``input_<parameter>``).
_SHELTER_INPUTS: dict[str, str] = {
    "input_arrivals_per_month": N_("arrivals per month"),
    "input_departures_per_month": N_("departures per month"),
    "input_departure_rate_ratio": N_("departure rate from shelter relative to all registered"),
    "input_entitled_shelter_share": N_("share of people entitled after the TPD who use a place"),
    "input_entry_share": N_("share of new arrivals who need a place"),
    "input_home_exit_rate_employed": N_("move to a home after the TPD, households with work"),
    "input_home_exit_rate_other": N_("move to a home after the TPD, other households"),
    "input_move_out_rate": N_("move-out rate from shelter"),
    "input_places_response_gain": N_("share of the gap in places opened per month"),
    "input_places_response_lead_months": N_("lead time of new places"),
    "input_places_response_pressure": N_("demand per place aimed at"),
    "input_shelter_share_of_registered": N_("share of the registered in shelter"),
    "input_unmet_exit_rate": N_("people without a place who find other accommodation"),
    "input_rmse_places": N_("fit error (RMSE, places)"),
}

#: The outputs of the backlog sensitivity analysis (key: ``output_<output>``).
_OUTPUTS: dict[str, str] = {
    "output_months_to_clear": N_("months to clear"),
    "output_late_decisions": N_("late decisions (incl. overdue)"),
    "output_penalty_eur": N_("penalties"),
    "output_dtv_caseload_peak": N_("DT&V caseload peak"),
}

#: Report 01's captions and chart titles, and words every report shares.
_DATA: dict[str, str] = {
    "p00_parameters": N_("## Parameters used"),
    "yes": N_("yes"),
    "no": N_("no"),
    "p01_registered_chart": N_("Registered, TP holders, in shelter and places"),
    "p01_flows_chart": N_("Arrivals, departures and register clean-ups"),
    "p01_history_caption": N_("Monthly history, first rows; the download has every month with its source and note"),
    "p01_coverage_caption": N_("Coverage per series"),
    "p01_gaps_caption": N_("Gaps (consecutive months without a figure)"),
    "p01_breaks_caption": N_("Register clean-ups"),
    "p01_identity_caption": N_("Stock identity residuals (persons)"),
    "p01_anchors_caption": N_("Monitor report facts"),
}

#: Report 06's captions and chart titles.
_EU: dict[str, str] = {
    "p06_latest_caption": N_("Latest reported month per member state (Eurostat migr_asytpsm, migr_asytpfm)"),
    "p06_stocks_chart": N_("People under temporary protection: the largest member states and the Netherlands"),
    "p06_grants_chart": N_("New temporary-protection grants per month"),
    "p06_share_chart": N_("Share of the EU's people under temporary protection who are in the Netherlands"),
    "p06_share_caption": N_("Dutch share per month (complete months only)"),
    "p06_totals_caption": N_("EU-27 totals from Eurostat releases, 2025"),
    "p06_statuses_caption": N_("Post-TP national statuses (datasets/post_tp_statuses.csv)"),
    "p06_movement_chart": N_("Arrivals in the Netherlands from other member states after the TPD end"),
    "p06_movement_caption": N_("Moves to and from the Netherlands, totals over the months after the TPD end"),
    "p06_assumptions_caption": N_("Parameters of the movement layer (all assumptions)"),
    "eu_arrivals": N_("Arrivals from other member states"),
    "eu_departures": N_("Departures to other member states"),
    "eu_net": N_("Net arrivals from other member states"),
    "unknown": N_("unknown"),
}


#: The label sections (key -> English text; the catalogue has the Dutch).
SECTIONS = (_GENERAL, _FORECAST, _SHELTER, _BACKLOG, _OUTCOMES, _LEDGER, _INPUTS, _SHELTER_INPUTS, _OUTPUTS, _DATA, _EU)
#: Every label by key: its English text, the catalogue's msgid (text may hold ``{placeholders}``).
LABELS: dict[str, str] = {k: v for section in SECTIONS for k, v in section.items()}


def t(key: str, language: str | None = None, **fmt: Any) -> str:
    """Return the label for ``key`` in ``language`` (default: the kernel's); the key if unknown.

    ``col_<code>`` and ``cell_<phrase>`` (the old keys of column names and table phrases)
    still work: they read the catalogue's ``column`` context and its phrases.
    """
    lang = i18n.language(language)
    if key.startswith("col_"):
        text = i18n.pgettext("column", key[4:], lang)
    elif key.startswith("cell_"):
        text = i18n.gettext(key[5:], lang)
    else:
        text = i18n.gettext(LABELS[key], lang) if key in LABELS else key
    return text.format(**fmt) if fmt else text


#: A name from the code or a data file: lower-case words joined by underscores (``pull_forward_months``).
_CODE_WORD = re.compile(r"(?<![\w/.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.])")


def in_words(text: str) -> str:
    """Return free text (a source, a meaning) with names from the code as words.

    ``pull_forward_months`` -> ``pull forward months``; the data files' flag ``DERIVED`` ->
    ``derived``. File names (``x.csv``) and web addresses keep their underscores.
    """
    text = _CODE_WORD.sub(lambda m: m.group().replace("_", " "), str(text))
    return text.replace("DERIVED", "derived")


def has(key: str) -> bool:
    """Return whether :func:`t` knows ``key`` (a label, a column or a phrase)."""
    if key.startswith("col_"):
        return i18n.known(key[4:], "column")
    if key.startswith("cell_"):
        return i18n.known(key[5:])
    return key in LABELS
