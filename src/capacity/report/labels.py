"""Every label of the reports, in English and Dutch: one table, one accessor (:func:`t`).

The reports' prose (headings, introductions, captions, Dutch column names) is kept in
:mod:`capacity.report.prose` and joins this table.

Sections keep the labels of one report together; a key means one thing everywhere (a test
checks that no key is defined twice).
"""

from __future__ import annotations

from typing import Any

from capacity.report.prose import SECTIONS as PROSE_SECTIONS
from capacity.report.prose_eu import EU as EU_PROSE

_GENERAL: dict[str, dict[str, str]] = {
    "registered": {"en": "Registered with municipalities", "nl": "Ingeschreven bij gemeenten"},
    "in_shelter": {"en": "In municipal shelter", "nl": "In gemeentelijke opvang"},
    "places": {"en": "Shelter places", "nl": "Opvangplekken"},
    "occupancy_rate": {"en": "Occupancy rate", "nl": "Bezettingsgraad"},
    "arrivals": {"en": "Arrivals per month", "nl": "Instroom per maand"},
    "departures": {"en": "Departures per month", "nl": "Vertrek per maand"},
    "tp_stock": {"en": "TP holders (Eurostat)", "nl": "Houders tijdelijke bescherming (Eurostat)"},
    "register_cleanup": {"en": "Register clean-up", "nl": "Registeropschoning"},
    "persons": {"en": "persons", "nl": "personen"},
    "share": {"en": "share", "nl": "aandeel"},
    "persons_per_month": {"en": "persons per month", "nl": "personen per maand"},
    "median": {"en": "median", "nl": "mediaan"},
    "band": {"en": "{p} % band", "nl": "{p}%-band"},
    "observed": {"en": "observed", "nl": "waargenomen"},
    "derived": {"en": "derived", "nl": "afgeleid"},
    "interpolated": {"en": "interpolated", "nl": "geïnterpoleerd"},
    "missing": {"en": "missing", "nl": "ontbreekt"},
    "month": {"en": "month", "nl": "maand"},
    "download": {"en": "Download", "nl": "Downloaden"},
    "rows_shown": {"en": "first {n} of {total} rows shown; the download has all",
                   "nl": "eerste {n} van {total} rijen getoond; de download bevat alle"},
    "parameters_used": {"en": "Parameters used",
                        "nl": "Gebruikte parameters (de betekenis en de meeste bronnen staan er in het "
                              "Engels, zoals in de parameterbestanden)"},
    "history": {"en": "History", "nl": "Historie"},
    "not_in_run": {"en": "not within the run", "nl": "niet binnen de looptijd"},
    "never": {"en": "not on most paths", "nl": "op de meeste paden niet"},
    "million": {"en": "million", "nl": "mln"},
    "indicator": {"en": "indicator", "nl": "indicator"},
    "p10": {"en": "10 %", "nl": "10%"},
    "p90": {"en": "90 %", "nl": "90%"},
    "unit": {"en": "unit", "nl": "eenheid"},
    "cases": {"en": "cases", "nl": "zaken"},
    "places_unit": {"en": "places", "nl": "plekken"},
    "months": {"en": "months", "nl": "maanden"},
    "month_unit": {"en": "month", "nl": "maand"},
    "EUR": {"en": "EUR", "nl": "EUR"},
}

_FORECAST: dict[str, dict[str, str]] = {
    "departure_rate": {"en": "Departure rate (share per month)", "nl": "Vertrekkans (aandeel per maand)"},
    "mase": {"en": "MASE (lower is better)", "nl": "MASE (lager is beter)"},
    "coverage_80": {"en": "Coverage of the 80 % interval", "nl": "Dekking van het 80%-interval"},
    "horizon": {"en": "months ahead", "nl": "maanden vooruit"},
    "target": {"en": "target", "nl": "doel"},
    "scenario_compare_registered": {"en": "Registered population by scenario (median and 80 % band)",
                                    "nl": "Ingeschreven personen per scenario (mediaan en 80%-band)"},
    "scenario_compare_arrivals": {"en": "Arrivals per month by scenario (median and 80 % band)",
                                  "nl": "Instroom per maand per scenario (mediaan en 80%-band)"},
    "series": {"en": "series", "nl": "reeks"},
    "data_until": {"en": "data until", "nl": "gegevens t/m"},
    "forecast_from": {"en": "forecast from", "nl": "voorspelling vanaf"},
    "fact": {"en": "fact", "nl": "feit"},
    "published": {"en": "published", "nl": "gepubliceerd"},
    "model": {"en": "model", "nl": "model"},
}

_SHELTER: dict[str, dict[str, str]] = {
    "demand": {"en": "People needing a place", "nl": "Mensen die een opvangplek nodig hebben"},
    "places_median": {"en": "Places (median path)", "nl": "Opvangplekken (mediaan)"},
    "occ_title": {"en": "Occupancy of municipal shelter", "nl": "Bezettingsgraad gemeentelijke opvang"},
    "dvp_title": {"en": "People needing a place against places",
                  "nl": "Vraag naar opvangplekken tegenover het aantal plekken"},
    "in_shelter_obs": {"en": "in shelter (observed)", "nl": "in opvang (waargenomen)"},
    "target_p": {"en": "target {p}", "nl": "streefwaarde {p}"},
    "cross_title": {"en": "Share of futures in which demand per place has passed 95 % / 100 %",
                    "nl": "Aandeel van de paden waarop de vraag per plek 95% / 100% is gepasseerd"},
    "pressure_title": {"en": "Pressure: people needing a place per place (above 100 %: people go without)",
                       "nl": "Druk: vraag per opvangplek (boven 100%: mensen zonder plek)"},
    "pressure_obs": {"en": "occupancy (observed; capped at 100 %)",
                     "nl": "bezetting (waargenomen; hoogstens 100%)"},
    "dest_title": {"en": "After the TPD: where the people in Ukraine shelter at its end are (median)",
                   "nl": "Na de RTB: waar de mensen uit de opvang voor Oekraïners zijn (mediaan)"},
    "asylum_reception": {"en": "asylum reception (pursuing asylum)", "nl": "asielopvang (asielprocedure)"},
    "housing_task": {"en": "housing task (must move to other housing)",
                     "nl": "huisvestingsopgave (moet naar andere huisvesting)"},
    "left_country": {"en": "left the Netherlands", "nl": "vertrokken uit Nederland"},
    "moved_home": {"en": "moved to a home", "nl": "verhuisd naar een woning"},
    "waiting_in_shelter": {"en": "waiting for a home in Ukraine shelter",
                           "nl": "wacht op een woning in de opvang voor Oekraïners"},
    "fallback": {"en": "national fallback option", "nl": "landelijke terugvaloptie"},
    "without_accommodation": {"en": "without accommodation", "nl": "zonder opvang"},
    "replay_title": {"en": "History replay from July 2023: simulated (80 % band) against published counts",
                     "nl": "Terugblik vanaf juli 2023: gesimuleerd (80%-band) tegenover gepubliceerde tellingen"},
    "in_shelter_line": {"en": "in shelter", "nl": "in de opvang"},
    "places_sim": {"en": "places", "nl": "plekken"},
    "cost_title": {"en": "Expected cost of idle places and of people without a place",
                   "nl": "Verwachte kosten van lege plekken en van mensen zonder plek"},
}

_BACKLOG: dict[str, dict[str, str]] = {
    "pending": {"en": "Continuing asylum cases pending at the IND (document takers never are)",
                "nl": "Openstaande doorlopende asielzaken bij de IND (wie het document neemt nooit)"},
    "pending_regular": {"en": "Regular asylum cases pending", "nl": "Reguliere openstaande asielzaken"},
    "backlog_total": {"en": "All asylum cases pending at the IND",
                      "nl": "Alle openstaande asielzaken bij de IND"},
    "decisions": {"en": "IND decisions on continuing asylum cases per month",
                  "nl": "IND-beslissingen over doorlopende asielzaken per maand"},
    "late_decisions": {"en": "Decisions after the legal term per month",
                       "nl": "Beslissingen na de wettelijke termijn per maand"},
    "penalty_eur": {"en": "Penalties run up by cohort cases past the term, per month (EUR)",
                    "nl": "Dwangsommen door cohortzaken over de termijn, per maand (EUR)"},
    "penalty_eur_regular": {"en": "Penalties run up by regular cases past the term, per month (EUR)",
                            "nl": "Dwangsommen door reguliere zaken over de termijn, per maand (EUR)"},
    "overdue_pending": {"en": "Cohort cases pending past the legal term",
                        "nl": "Cohortzaken over de wettelijke termijn"},
    "validation_title": {"en": "Replay 2023-2025: simulated (80 % band) against published",
                         "nl": "Terugrekening 2023-2025: gesimuleerd (80%-band) tegen gepubliceerd"},
    "simulated": {"en": "simulated (median, 80 % band)", "nl": "gesimuleerd (mediaan, 80%-band)"},
    "penalty_eur_m": {"en": "Penalties (EUR million)", "nl": "Dwangsommen (mln EUR)"},
    "backlog_end": {"en": "Pending at 31 December (persons)",
                    "nl": "Openstaand op 31 december (personen)"},
    "penalties_title": {"en": "Penalty exposure by calendar year and stream (EUR)",
                        "nl": "Dwangsommen per kalenderjaar en stroom (EUR)"},
    "dtv_caseload": {"en": "DT&V caseload from the cohort", "nl": "Zaken bij DT&V uit het cohort"},
    "shelter_entitled": {"en": "Persons in continuing asylum cases entitled to reception (pending, appeal, "
                               "departure term)",
                         "nl": "Personen in doorlopende asielzaken met recht op opvang (in procedure, beroep, "
                               "vertrektermijn)"},
    "permits_pending": {"en": "Transitiedocumenten waiting to be issued (cases)",
                        "nl": "Transitiedocumenten in behandeling"},
    "late_cum": {"en": "Late decisions, cumulative", "nl": "Te late beslissingen, cumulatief"},
    "penalty_cum": {"en": "Penalties, cumulative (EUR)", "nl": "Dwangsommen, cumulatief (EUR)"},
    "cases_month": {"en": "cases per month", "nl": "zaken per maand"},
    "decisions_mean": {"en": "Mean over paths (cases per month)",
                       "nl": "Gemiddelde over de paden (zaken per maand)"},
    "share_paths_deciding": {"en": "Share of paths with cohort decisions that month",
                             "nl": "Aandeel paden met beslissingen over het cohort in die maand"},
    "eur": {"en": "EUR", "nl": "EUR"},
    "eur_month": {"en": "EUR per month", "nl": "EUR per maand"},
    "months_after_tpd": {"en": "months after the TPD ends", "nl": "maanden na einde RTB"},
    "share_paths": {"en": "share of paths", "nl": "aandeel van de paden"},
    "clear": {"en": "Cohort backlog cleared", "nl": "Achterstand cohort weggewerkt"},
    "permits_done": {"en": "Every transition permit issued", "nl": "Alle transitiedocumenten afgegeven"},
    "months_to_clear": {"en": "Months until the cohort backlog is cleared",
                        "nl": "Maanden tot de achterstand van het cohort is weggewerkt"},
    "not_within": {"en": "not within {n} months", "nl": "niet binnen {n} maanden"},
    "outcomes": {"en": "Where the cohort's cases are (median, cumulative)",
                 "nl": "Waar de zaken van het cohort zijn (mediaan, cumulatief)"},
    "policy_late": {"en": "Late decisions incl. overdue at the end (median)",
                    "nl": "Te late beslissingen incl. achterstallig aan het eind (mediaan)"},
    "policy_eur": {"en": "Penalties, EUR million (median)", "nl": "Dwangsommen, mln EUR (mediaan)"},
    "forecast_table": {"en": "Backlog forecast (quantiles)", "nl": "Prognose achterstand (kwantielen)"},
    "capacity_title": {"en": "IND and DT&V capacity that meets the targets",
                       "nl": "IND- en DT&V-capaciteit die de doelen haalt"},
    "assumptions_title": {"en": "Backlog assumptions and their sources",
                          "nl": "Aannames van het achterstandsmodel en hun bronnen (betekenis en "
                                "bronnen in het Engels, zoals in de parameterbestanden)"},
    "policy_title": {"en": "Policies side by side (common random numbers)",
                     "nl": "Beleidsopties naast elkaar (gemeenschappelijke toevalsgetallen)"},
}

_LEDGER: dict[str, dict[str, str]] = {
    "ledger_title": {"en": "Everyone after the TPD end, by state (mean over paths, persons)",
                     "nl": "Iedereen na het einde van de RTB, per situatie (gemiddelde over de paden, personen)"},
    "ledger_none": {"en": "The TPD ends after the run", "nl": "De RTB eindigt na de doorrekening"},
    "ledger_document_expires": {"en": "transitiedocument expires", "nl": "transitiedocument loopt af"},
    "ledger_document_waiting": {"en": "document route: waiting for the document",
                                "nl": "transitiedocument: wacht op het document"},
    "ledger_document_in_shelter": {"en": "document holder in (fallback) shelter",
                                   "nl": "documenthouder in (terugval)opvang"},
    "ledger_document_housed": {"en": "document holder housed", "nl": "documenthouder met eigen woonruimte"},
    "ledger_asylum_pending_ind": {"en": "continuing asylum case at the IND (COA)",
                                  "nl": "doorlopende asielzaak bij de IND (COA)"},
    "ledger_asylum_appeal": {"en": "continuing case in appeal or departure term (COA)",
                             "nl": "doorlopende zaak in beroep of vertrektermijn (COA)"},
    "ledger_asylum_granted": {"en": "continuing case: asylum granted", "nl": "doorlopende zaak: asiel verleend"},
    "ledger_refused_dtv": {"en": "refused (DT&V)", "nl": "afgewezen (DT&V)"},
    "ledger_post_tpd_asylum_pending": {"en": "arrived after the TPD: asylum pending (COA)",
                                       "nl": "aangekomen na de RTB: asiel in behandeling (COA)"},
    "ledger_post_tpd_granted": {"en": "arrived after the TPD: asylum granted",
                                "nl": "aangekomen na de RTB: asiel verleend"},
    "ledger_post_tpd_refused": {"en": "arrived after the TPD: asylum refused",
                                "nl": "aangekomen na de RTB: asiel afgewezen"},
    "ledger_expired_work_study": {"en": "document expired: work or study permit",
                                  "nl": "document afgelopen: vergunning voor werk of studie"},
    "ledger_expired_asylum": {"en": "document expired: new asylum application pending (COA)",
                              "nl": "document afgelopen: nieuwe asielaanvraag in behandeling (COA)"},
    "ledger_expired_asylum_granted": {"en": "document expired: new application granted",
                                      "nl": "document afgelopen: nieuwe aanvraag ingewilligd"},
    "ledger_expired_asylum_refused": {"en": "document expired: new application refused",
                                      "nl": "document afgelopen: nieuwe aanvraag afgewezen"},
    "ledger_expired_no_status": {"en": "document expired: no residence status",
                                 "nl": "document afgelopen: geen verblijfsstatus"},
    "ledger_left_nl": {"en": "left the Netherlands", "nl": "vertrokken uit Nederland"},
}

_OUTCOMES: dict[str, dict[str, str]] = {
    "outcome_pending": {"en": "continuing, pending (first instance)",
                        "nl": "doorlopend, in behandeling (eerste aanleg)"},
    "outcome_permit_takers_waiting": {"en": "document route, not yet withdrawn",
                                      "nl": "transitiedocument, nog niet ingetrokken"},
    "outcome_appeals_pending": {"en": "in appeal", "nl": "in beroep"},
    "outcome_departure_term": {"en": "departure term", "nl": "vertrektermijn"},
    "outcome_dtv_caseload": {"en": "at DT&V", "nl": "bij DT&V"},
    "outcome_granted": {"en": "granted asylum", "nl": "asielvergunning"},
    "outcome_withdrawn_permit": {"en": "withdrew: transition permit", "nl": "ingetrokken: transitiedocument"},
    "outcome_withdrawn_return": {"en": "withdrew: return programme", "nl": "ingetrokken: terugkeerprogramma"},
    "outcome_departed": {"en": "left on their own", "nl": "zelf vertrokken"},
    "outcome_dtv_closed": {"en": "DT&V case closed", "nl": "DT&V-zaak afgesloten"},
}

#: The uncertain inputs of the backlog sensitivity analysis (key: ``input_<parameter>``).
_INPUTS: dict[str, dict[str, str]] = {
    "input_persons_per_case": {"en": "persons per case", "nl": "personen per zaak"},
    "input_simple_case_share": {"en": "share of simple cases", "nl": "aandeel eenvoudige zaken"},
    "input_return_rate_per_month": {"en": "return programme uptake", "nl": "gebruik terugkeerprogramma"},
    "input_permit_uptake_share": {"en": "transition document uptake",
                            "nl": "gebruik transitiedocument"},
    "input_permit_uptake_months": {"en": "time to take up the document",
                             "nl": "tijd tot gebruik transitiedocument"},
    "input_departure_rate_per_month": {"en": "spontaneous departures", "nl": "zelfstandig vertrek"},
    "input_ind_capacity_realisation": {"en": "IND capacity realised", "nl": "gerealiseerde IND-capaciteit"},
    "input_regular_backlog_cases": {"en": "regular asylum stock", "nl": "reguliere asielvoorraad"},
    "input_regular_inflow_per_year": {"en": "regular asylum inflow", "nl": "reguliere asielinstroom"},
    "input_grant_share": {"en": "grant rate", "nl": "inwilligingspercentage"},
    "input_appeal_share": {"en": "share appealing", "nl": "aandeel in beroep"},
    "input_appeal_months_mean": {"en": "court duration", "nl": "duur beroep"},
    "input_appeal_success_share": {"en": "appeals won", "nl": "gegronde beroepen"},
    "input_dtv_capacity_realisation": {"en": "DT&V capacity realised",
                                 "nl": "gerealiseerde DT&V-capaciteit"},
    "input_permit_capacity_realisation": {"en": "document issuing capacity",
                                    "nl": "capaciteit afgifte transitiedocument"},
    "input_notice_share": {"en": "share sending a notice of default",
                     "nl": "aandeel dat in gebreke stelt"},
    "input_cohort_persons": {"en": "cohort size at the TPD end", "nl": "omvang cohort bij het einde van de RTB"},
    "input_ind_tpd_reserved_share": {"en": "capacity reserved for the cohort (TPD team)",
                                     "nl": "capaciteit gereserveerd voor het cohort (TPD-team)"},
    "input_ind_capacity_scale": {"en": "planned IND capacity (multiplier)",
                                 "nl": "geplande IND-capaciteit (factor)"},
}

#: Its outputs (key: ``output_<output>``).
_OUTPUTS: dict[str, dict[str, str]] = {
    "output_months_to_clear": {"en": "months to clear", "nl": "maanden tot weggewerkt"},
    "output_late_decisions": {"en": "late decisions (incl. overdue)",
                       "nl": "te late beslissingen (incl. over de termijn)"},
    "output_penalty_eur": {"en": "penalties", "nl": "dwangsommen"},
    "output_dtv_caseload_peak": {"en": "DT&V caseload peak", "nl": "piek zaken bij DT&V"},
}

#: All labels by key: ``{"en": ..., "nl": ...}`` (text may hold ``{placeholders}``).
SECTIONS = (_GENERAL, _FORECAST, _SHELTER, _BACKLOG, _OUTCOMES, _LEDGER, _INPUTS, _OUTPUTS, *PROSE_SECTIONS,
            EU_PROSE)
LABELS: dict[str, dict[str, str]] = {k: v for section in SECTIONS for k, v in section.items()}


def t(key: str, language: str = "en", **fmt: Any) -> str:
    """Return the label for ``key`` in ``language`` (``en`` or ``nl``); the key if unknown."""
    entry = LABELS.get(key)
    text = key if entry is None else entry.get(language, entry["en"])
    return text.format(**fmt) if fmt else text
