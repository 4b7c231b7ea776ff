"""The headline figures of a scenario: one table, the one source of every figure printed.

:func:`headline_table` turns a scenario's results into ``tables/headline.csv``: one row
per figure with ``key, label_en, label_nl, value, p10, p90, unit, rounding``. ``value``
is the median over the sample paths (unrounded), ``p10``/``p90`` its 10 % and 90 %
quantiles (empty where the figure is not a per-path quantity), and ``rounding`` the step
every report, the index and every text round it to (see ``capacity.report.fmt_headline``).

Units: ``persons``, ``cases``, ``places``, ``EUR``, ``share`` (0–1), ``months`` (a count;
the text ``"> 60"`` when not reached within a 60-month run: a censored duration, never
``inf``) and ``month`` (a calendar month, ``YYYY-MM``). A cell that does not apply is
empty (NaN in the frame, an empty cell in the CSV).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from capacity import shelter

COLUMNS = ("key", "label_en", "label_nl", "value", "p10", "p90", "unit", "rounding")


@dataclass(frozen=True)
class Figure:
    """How one headline figure is computed and shown.

    Attributes:
        key: Stable identifier (column ``key`` of headline.csv).
        label_en: English label.
        label_nl: Dutch label.
        unit: One of the units in the module docstring.
        rounding: Display step in the unit (e.g. 100 persons, 0.001 for a share).
        paths: Per-path values (``value`` = median, ``p10``/``p90``), from the results.
        scalar: Or a single value, when the figure is not a per-path quantity.
        band: With ``scalar``, its 10 % and 90 % values where the model gives them.

    """

    key: str
    label_en: str
    label_nl: str
    unit: str
    rounding: float
    paths: Callable[[Any], np.ndarray] | None = None
    scalar: Callable[[Any], Any] | None = None
    band: Callable[[Any], tuple[Any, Any]] | None = None


def _median(x: np.ndarray) -> float:
    """Median; with paths that never finish (``inf``) an observed value, so never NaN."""
    x = np.asarray(x, dtype=float)
    if np.all(np.isfinite(x)):
        return float(np.median(x))
    return float(np.quantile(x, 0.5, method="inverted_cdf"))


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(np.asarray(x, dtype=float), q, method="inverted_cdf"))


def censored(value: Any, horizon_months: int) -> Any:
    """Return a duration in months, or ``"> horizon"`` when it is not reached within the run.

    A path that never finishes carries ``inf``; a table shows it as the censored text
    (``"> 60"`` in a 60-month run), so no ``inf`` reaches a CSV or a page.
    """
    if isinstance(value, float | np.floating) and np.isinf(value) and value > 0:
        return f"> {int(horizon_months)}"
    return value


def _horizon(res: Any) -> int:
    """Months the backlog run covers (the bound of a censored duration)."""
    return int(res.backlog.dates.size)


def _bl(res: Any) -> dict[str, np.ndarray]:
    return res.backlog.paths


def _persons(res: Any, name: str) -> np.ndarray:
    """Return a backlog path in cases as persons (cases x the path's persons per case)."""
    return res.backlog.paths[name] * res.backlog.parameters["persons_per_case"][:, None]


def _continuing(res: Any) -> np.ndarray:
    """Per path, the share of the cohort's cases that continue their asylum application."""
    return 1.0 - res.backlog.parameters["permit_uptake_share"]


def _ledger(res: Any, pick: Callable[[Any], np.ndarray]) -> np.ndarray:
    """Per-path values read from the population ledger (NaN without one)."""
    ledger = getattr(res, "ledger", None)
    return pick(ledger) if ledger is not None else np.full(res.backlog.n_paths, np.nan)


def _at(ledger: Any, state: str, month: int) -> np.ndarray:
    """Return a ledger state at month ``month`` after the TPD-end month (NaN beyond the run)."""
    x = ledger.stocks[state]
    return x[:, month] if month < x.shape[1] else np.full(x.shape[0], np.nan)


def _expired(ledger: Any, state: str) -> np.ndarray:
    """Return a ledger state at the end of the document's expiry month (NaN if beyond the run)."""
    return _at(ledger, state, ledger.expiry_index)


def _solver(res: Any, service: str, column: str) -> float | None:
    """Return one number of the capacity solver's table (``None`` if the run has none)."""
    table = getattr(res, "capacity_needed", None)
    if table is None or column not in table or service not in set(table["service"]):
        return None
    return float(table.loc[table["service"] == service, column].iloc[0])


def _month(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m")


def _months_after(bl: Any, months: float) -> str | None:
    """Calendar month (``YYYY-MM``) in which month ``months`` after the TPD end month falls."""
    if not np.isfinite(months):
        return None
    return _month(bl.dates[0] + pd.DateOffset(months=int(months) - 1))


def _today(res: Any) -> pd.Timestamp:
    """Return the run's "today" (month start) the population paths were made for."""
    today = res.population.today
    return pd.Timestamp(today) if today is not None else pd.Timestamp(res.population.jump_off_date)


def _months_since_count(res: Any) -> int:
    """Whole months from the last published count's month to the run month."""
    jump = pd.Timestamp(res.population.jump_off_date)
    today = _today(res)
    return (today.year - jump.year) * 12 + today.month - jump.month


def _stock_coverage(res: Any, column: str) -> float | None:
    """Pooled coverage or skill of the stock backtest at horizons 1-6 (``None`` without scored forecasts)."""
    from capacity.forecast.stock import pooled, stock_backtest_table

    value = pooled(stock_backtest_table(res.scorecard), 1, 6)[column]
    return None if not np.isfinite(value) else value


def _after(res: Any, pick: Callable[[Any], np.ndarray]) -> np.ndarray:
    """Per-path values of the shelter model's destinations after the TPD (NaN if it ends later)."""
    after = res.shelter.after_tpd
    return pick(after) if after is not None else np.full(res.shelter.n_paths, np.nan)


def _max_or_zero(stock: np.ndarray | None) -> np.ndarray:
    """Per-path highest month of a destination stock (persons); 0 on a path without months."""
    if stock is None or stock.shape[1] == 0:
        return np.zeros(0 if stock is None else stock.shape[0])
    return stock.max(axis=1)


def _shelter(key: str) -> Callable[[Any], Any]:
    """Return a getter of one scalar of the shelter model's own headline."""
    return lambda res: res.shelter_headline[key]


FIGURES: tuple[Figure, ...] = (
    # --- population
    Figure("registered_nowcast", "Registered with protection under the RTB in the run month (nowcast)",
           "Ingeschreven met bescherming onder de RTB in de maand van de run (nowcast)", "persons", 100,
           paths=lambda r: r.population.at(_today(r))),
    Figure("registered_months_since_count", "Months from the last published count to the run month",
           "Maanden van de laatste gepubliceerde telling tot de maand van de run", "months", 1,
           scalar=lambda r: _months_since_count(r)),
    Figure("registered_last_count_month", "Month of the last published count",
           "Maand van de laatste gepubliceerde telling", "month", 1,
           scalar=lambda r: _month(r.population.jump_off_date)),
    Figure("registered_12m_p50", "Registered 12 months after the run month",
           "Ingeschreven 12 maanden na de maand van de run", "persons", 100,
           paths=lambda r: r.population.at(_today(r) + pd.DateOffset(months=12))),
    Figure("registered_end_p50", "Registered with municipalities at the end of the horizon",
           "Ingeschreven bij gemeenten aan het eind van de horizon", "persons", 100,
           paths=lambda r: r.population.registered[:, -1]),
    Figure("forecast_stock_skill",
           "Backtest of the registered count, 1-6 months ahead: CRPS skill against a random walk with drift",
           "Toets van het aantal ingeschrevenen, 1-6 maanden vooruit: CRPS-winst tegenover een random walk "
           "met drift", "share", 0.01,
           scalar=lambda r: _stock_coverage(r, "skill")),
    Figure("forecast_stock_coverage_80",
           "Backtest of the registered count, 1-6 months ahead: share inside the 80 % band",
           "Toets van het aantal ingeschrevenen, 1-6 maanden vooruit: aandeel binnen de 80%-band", "share", 0.01,
           scalar=lambda r: _stock_coverage(r, "coverage_80")),
    Figure("forecast_stock_coverage_95",
           "Backtest of the registered count, 1-6 months ahead: share inside the 95 % band",
           "Toets van het aantal ingeschrevenen, 1-6 maanden vooruit: aandeel binnen de 95%-band", "share", 0.01,
           scalar=lambda r: _stock_coverage(r, "coverage_95")),
    # --- shelter
    Figure("shelter_peak_occupancy", "Shelter occupancy, highest month (median)",
           "Bezetting opvang, hoogste maand (mediaan)", "share", 0.001,
           scalar=_shelter("peak_occupancy")),
    Figure("shelter_pressure_jump_off", "Demand per place at the last count",
           "Vraag per plek bij de laatste telling", "share", 0.001,
           scalar=_shelter("pressure_jump_off")),
    Figure("shelter_peak_pressure", "Demand per place, highest month (median; above 100 % people go without)",
           "Vraag per plek, hoogste maand (mediaan; boven 100% gaan mensen zonder plek)", "share", 0.001,
           scalar=_shelter("peak_pressure")),
    Figure("shelter_first_month_95", "First month demand passes 95 % of the places (the last count if already then)",
           "Eerste maand met vraag boven 95% van de plekken (de laatste telling als dat toen al zo was)",
           "month", 1, scalar=lambda r: _month(r.shelter_headline["first_month_95"])),
    Figure("shelter_first_month_100", "First month demand passes the places (the last count if already then)",
           "Eerste maand met meer vraag dan plekken (de laatste telling als dat toen al zo was)", "month", 1,
           scalar=lambda r: _month(r.shelter_headline["first_month_100"])),
    Figure("shelter_share_paths_100", "Share of paths on which demand passes the places",
           "Aandeel paden met meer vraag dan plekken", "share", 0.001,
           scalar=_shelter("share_paths_100")),
    Figure("shelter_places_short", "People without a place, highest month (no new places: places as announced)",
           "Mensen zonder plek, hoogste maand (geen nieuwe plekken: plekken zoals aangekondigd)", "persons", 100,
           paths=lambda r: r.shelter.unmet_demand.max(axis=1)),
    Figure("shelter_places_short_before_tpd", "People without a place before the TPD ends, highest month",
           "Mensen zonder plek vóór het einde van de RTB, hoogste maand", "persons", 100,
           paths=lambda r: shelter.peak_short_before_tpd(r.shelter)),
    Figure("shelter_places_needed", "Places needed at the occupancy target",
           "Benodigde plekken bij de bezettingsnorm", "places", 100,
           scalar=_shelter("places_needed")),
    Figure("shelter_cost_optimal_places", "Places with the lowest expected cost",
           "Plekken met de laagste verwachte kosten", "places", 100,
           scalar=_shelter("cost_optimal_places")),
    Figure("shelter_places_jump_off", "Shelter places at the last count",
           "Opvangplekken bij de laatste telling", "places", 10,
           scalar=_shelter("places_jump_off")),
    Figure("shelter_in_shelter_jump_off", "People in shelter at the last count",
           "Mensen in de opvang bij de laatste telling", "persons", 10,
           scalar=_shelter("in_shelter_jump_off")),
    Figure("shelter_cohort_at_tpd_end", "People in Ukraine shelter when the TPD ends",
           "Mensen in de opvang voor Oekraïners bij het einde van de RTB", "persons", 100,
           paths=lambda r: _after(r, lambda d: d.cohort)),
    Figure("shelter_housing_task_first_month", "People who must move to other housing in the TPD-end month",
           "Mensen die in de maand dat de RTB eindigt naar andere huisvesting moeten", "persons", 100,
           paths=lambda r: _after(r, lambda d: d.housing_task_new[:, 0])),
    Figure("shelter_housing_task_peak",
           "Housing task after the TPD (people from shelter to other housing), highest month",
           "Huisvestingsopgave na de RTB (mensen uit de opvang naar andere huisvesting), hoogste maand",
           "persons", 100,
           paths=lambda r: _after(r, lambda d: d.housing_task.max(axis=1))),
    Figure("shelter_fallback_peak",
           "People in the national fallback option after Ukraine shelter closes, highest month",
           "Mensen in de landelijke terugvaloptie nadat de opvang voor Oekraïners sluit, hoogste maand",
           "persons", 100,
           paths=lambda r: _after(r, lambda d: _max_or_zero(d.fallback))),
    Figure("shelter_without_accommodation_peak",
           "People from Ukraine shelter without accommodation after it closes, highest month",
           "Mensen uit de opvang voor Oekraïners zonder opvang nadat die sluit, hoogste maand",
           "persons", 100,
           paths=lambda r: _after(r, lambda d: _max_or_zero(d.without_accommodation))),
    Figure("shelter_asylum_reception_first_month",
           "People from Ukraine shelter in asylum reception in the TPD-end month (continuing asylum cases)",
           "Mensen uit de opvang voor Oekraïners in de asielopvang in de maand dat de RTB eindigt "
           "(doorlopende asielzaken)", "persons", 100,
           paths=lambda r: _after(r, lambda d: d.asylum_reception[:, 0])),
    # --- the population ledger after the TPD end (persons; one state per person and month)
    Figure("ledger_coa_intake_tpd_month",
           "Continuing asylum cases in COA reception at the end of the TPD-end month",
           "Doorlopende asielzaken in de COA-opvang aan het eind van de maand dat de RTB eindigt",
           "persons", 100,
           paths=lambda r: _ledger(r, lambda g: _at(g, "asylum_pending_ind", 0) + _at(g, "asylum_appeal", 0))),
    Figure("ledger_in_coa_peak",
           "In COA reception after the TPD (continuing cases, later arrivals, new applications at expiry), "
           "highest month",
           "In de COA-opvang na de RTB (doorlopende zaken, latere aankomsten, nieuwe aanvragen na afloop), "
           "hoogste maand", "persons", 100,
           paths=lambda r: _ledger(r, lambda g: g.in_coa().max(axis=1))),
    Figure("ledger_document_holders_in_shelter_12m",
           "Document holders still in shelter 12 months after the TPD end",
           "Houders van een transitiedocument nog in de opvang 12 maanden na het einde van de RTB",
           "persons", 100, paths=lambda r: _ledger(r, lambda g: _at(g, "document_in_shelter", 11))),
    Figure("ledger_post_tpd_asylum_12m",
           "Arrivals after the TPD (regular asylum), first 12 months",
           "Aankomsten na de RTB (regulier asiel), eerste 12 maanden", "persons", 100,
           paths=lambda r: _ledger(r, lambda g: g.arrivals[:, :12].sum(axis=1))),
    Figure("ledger_document_expiry_holders", "Document holders when the transitiedocument expires",
           "Houders van een transitiedocument als het document afloopt", "persons", 100,
           paths=lambda r: _ledger(r, lambda g: g.flows["expired"][:, g.expiry_index]
                                   if g.expiry_index < g.flows["expired"].shape[1]
                                   else np.full(g.n_paths, np.nan))),
    Figure("ledger_expired_work_study", "After the document expires: work or study permit",
           "Na afloop van het document: verblijfsvergunning voor werk of studie", "persons", 100,
           paths=lambda r: _ledger(r, lambda g: _expired(g, "expired_work_study"))),
    Figure("ledger_expired_asylum", "After the document expires: new asylum application",
           "Na afloop van het document: nieuwe asielaanvraag", "persons", 100,
           paths=lambda r: _ledger(r, lambda g: g.flows["expired_asylum_applications"].sum(axis=1))),
    Figure("ledger_expired_no_status", "After the document expires: no residence status",
           "Na afloop van het document: geen verblijfsstatus", "persons", 100,
           paths=lambda r: _ledger(r, lambda g: _expired(g, "expired_no_status"))),
    # --- backlog
    Figure("backlog_cohort_persons",
           "Persons registered when the TPD ends (each takes the document or continues an asylum case)",
           "Ingeschreven personen als de RTB eindigt (elk neemt het transitiedocument of zet een asielzaak door)",
           "persons", 100, paths=lambda r: r.backlog.cohort_persons),
    Figure("backlog_continuing_persons", "Persons in continuing asylum cases",
           "Personen in doorlopende asielzaken", "persons", 100,
           paths=lambda r: r.backlog.cohort_persons * _continuing(r)),
    Figure("backlog_cohort_cases", "Continuing asylum cases (restarting at the TPD end)",
           "Doorlopende asielzaken (weer in behandeling als de RTB eindigt)", "cases", 100,
           paths=lambda r: r.backlog.cohort_cases * _continuing(r)),
    Figure("backlog_backlog_peak", "Continuing asylum cases pending at the IND, highest month",
           "Openstaande doorlopende asielzaken bij de IND, hoogste maand", "cases", 100,
           paths=lambda r: _bl(r)["pending"].max(axis=1)),
    Figure("backlog_regular_backlog_peak", "Regular asylum cases pending, highest month",
           "Reguliere openstaande asielzaken, hoogste maand", "cases", 100,
           paths=lambda r: _bl(r)["pending_regular"].max(axis=1)),
    Figure("backlog_total_peak", "All asylum cases pending at the IND, highest month",
           "Alle openstaande asielzaken bij de IND, hoogste maand", "cases", 100,
           paths=lambda r: _bl(r)["backlog_total"].max(axis=1)),
    Figure("backlog_backlog_peak_month", "Month of the cohort's highest backlog (months after the TPD ends)",
           "Maand met de hoogste achterstand van het cohort (maanden na einde RTB)", "months", 1,
           paths=lambda r: r.backlog.peak_month("pending")),
    Figure("backlog_regular_backlog_peak_month",
           "Month of the regular queue's highest level (months after the TPD ends)",
           "Maand met de hoogste reguliere voorraad (maanden na einde RTB)", "months", 1,
           paths=lambda r: r.backlog.peak_month("pending_regular")),
    Figure("backlog_total_peak_month", "Month of the highest IND backlog (months after the TPD ends)",
           "Maand met de hoogste IND-voorraad (maanden na einde RTB)", "months", 1,
           paths=lambda r: r.backlog.peak_month("backlog_total")),
    Figure("backlog_first_decisions_months", "Months until the cohort gets its first decisions",
           "Maanden tot de eerste beslissingen over het cohort", "months", 1,
           paths=lambda r: r.backlog.first_decisions()),
    Figure("backlog_first_decisions_month", "Month the cohort gets its first decisions (median path)",
           "Maand van de eerste beslissingen over het cohort (mediaan)", "month", 1,
           scalar=lambda r: _months_after(r.backlog, _median(r.backlog.first_decisions()))),
    Figure("backlog_months_to_clear", "Months until the cohort backlog is cleared",
           "Maanden tot de achterstand van het cohort is weggewerkt", "months", 1,
           paths=lambda r: r.backlog.months_to_clear),
    Figure("backlog_late_decisions_total", "Decisions after the legal term",
           "Beslissingen na de wettelijke termijn", "cases", 100,
           paths=lambda r: _bl(r)["late_decisions"].sum(axis=1)),
    Figure("backlog_late_or_overdue", "Late decisions plus cases overdue at the end",
           "Te late beslissingen plus zaken over de termijn aan het eind", "cases", 100,
           paths=lambda r: r.backlog.late_or_overdue()),
    Figure("backlog_late_share", "Share of decisions late (incl. overdue at the end)",
           "Aandeel te late beslissingen (incl. over de termijn aan het eind)", "share", 0.001,
           paths=lambda r: r.backlog.late_share()),
    Figure("backlog_overdue_pending_end", "Cohort cases pending past the legal term at the end",
           "Zaken van het cohort over de wettelijke termijn aan het eind", "cases", 100,
           paths=lambda r: _bl(r)["overdue_pending"][:, -1]),
    Figure("backlog_late_decisions_regular", "Regular decisions after the legal term",
           "Reguliere beslissingen na de wettelijke termijn", "cases", 100,
           paths=lambda r: _bl(r)["late_decisions_regular"].sum(axis=1)),
    Figure("backlog_penalty_eur_total", "Penalties run up by cases past the term (cohort and regular)",
           "Dwangsommen door zaken over de termijn (cohort en regulier)", "EUR", 100_000,
           paths=lambda r: r.backlog.penalty_total()),
    Figure("backlog_penalty_eur_3y", "Penalties run up in the first three years after the TPD "
           "(cohort and regular)", "Dwangsommen in de eerste drie jaar na de RTB (cohort en regulier)",
           "EUR", 100_000, paths=lambda r: r.backlog.penalty_first_months(36)),
    Figure("backlog_penalty_eur_cohort", "Penalties run up by the cohort",
           "Dwangsommen door het cohort", "EUR", 100_000,
           paths=lambda r: _bl(r)["penalty_eur"].sum(axis=1)),
    Figure("backlog_penalty_eur_regular", "Penalties run up by the regular asylum queue",
           "Dwangsommen door de reguliere asielzaken", "EUR", 100_000,
           paths=lambda r: _bl(r)["penalty_eur_regular"].sum(axis=1)),
    *(Figure(f"backlog_{key}_term{term}", f"{en} (legal term {term} months)",
             f"{nl} (wettelijke termijn {term} maanden)", unit, rounding,
             paths=lambda r, term=term, name=name: r.backlog.cohort_under_term(float(term))[name])
      for term in (6, 21)
      for key, name, en, nl, unit, rounding in (
          ("late_decisions", "late_decisions", "Cohort decisions after the legal term",
           "Beslissingen over het cohort na de wettelijke termijn", "cases", 100),
          ("overdue_pending_end", "overdue_pending_end", "Cohort cases pending past the term at the end",
           "Cohortzaken over de termijn aan het eind", "cases", 100),
          ("late_share", "late_share", "Share of cohort decisions late (incl. overdue at the end)",
           "Aandeel te late beslissingen over het cohort (incl. over de termijn aan het eind)",
           "share", 0.001),
          ("penalty_eur_cohort", "penalty_eur", "Penalties run up by the cohort",
           "Dwangsommen door het cohort", "EUR", 100_000))),
    Figure("backlog_priority_share", "Share of planned IND capacity reserved for the cohort "
           "(a TPD team) that meets its legal-term target",
           "Deel van de geplande IND-capaciteit voor het cohort (een TPD-team) waarmee de "
           "termijndoelstelling wordt gehaald", "share", 0.01,
           scalar=lambda r: _solver(r, "IND cohort priority", "priority_share")),
    Figure("backlog_priority_share_probability",
           "Probability that this reserved share meets the legal-term target",
           "Kans dat dit deel de termijndoelstelling haalt", "share", 0.01,
           scalar=lambda r: _solver(r, "IND cohort priority", "probability_reached")),
    Figure("backlog_regular_deficit_per_month",
           "Regular asylum stream: inflow minus planned IND capacity x realisation, per month",
           "Reguliere asielstroom: instroom min geplande IND-capaciteit x realisatie, per maand",
           "cases", 10, scalar=lambda r: _solver(r, "IND regular stream", "deficit_per_month"),
           band=lambda r: (_solver(r, "IND regular stream", "deficit_p10"),
                           _solver(r, "IND regular stream", "deficit_p90"))),
    Figure("backlog_regular_deficit_probability",
           "Probability that the regular asylum stream runs a deficit",
           "Kans dat de reguliere asielstroom een tekort heeft", "share", 0.01,
           scalar=lambda r: _solver(r, "IND regular stream", "probability_reached")),
    Figure("backlog_dtv_caseload_peak", "DT&V caseload from the cohort, highest month",
           "Zaken bij DT&V uit het cohort, hoogste maand", "cases", 10,
           paths=lambda r: _bl(r)["dtv_caseload"].max(axis=1)),
    Figure("backlog_shelter_entitled_peak",
           "Persons in continuing asylum cases entitled to reception after the TPD, highest month",
           "Personen in doorlopende asielzaken met recht op opvang na de RTB, hoogste maand", "persons", 100,
           paths=lambda r: _bl(r)["shelter_entitled"].max(axis=1)),
    Figure("backlog_permits_issued_total", "Transitiedocumenten issued (one per person)",
           "Afgegeven transitiedocumenten (één per persoon)", "persons", 100,
           paths=lambda r: _persons(r, "permits_issued").sum(axis=1)),
    Figure("backlog_without_document_peak",
           "Persons waiting for their transition document without any document, highest month",
           "Personen die nog op hun transitiedocument wachten, hoogste maand",
           "persons", 100, paths=lambda r: r.backlog.without_document().max(axis=1)),
    Figure("backlog_permits_issued_by_month", "Months until every transition permit is issued",
           "Maanden tot alle transitiedocumenten zijn afgegeven", "months", 1,
           paths=lambda r: r.backlog.months_to_permits),
    Figure("backlog_withdrawn_return_total", "Withdrawn for the return programme",
           "Ingetrokken voor het terugkeerprogramma", "cases", 10,
           paths=lambda r: _bl(r)["withdrawn_return"].sum(axis=1)),
    Figure("backlog_granted_total", "Asylum granted", "Asiel verleend", "cases", 100,
           paths=lambda r: _bl(r)["granted"].sum(axis=1)),
)

#: Figures shown first (in this order) where a short list is wanted, e.g. the index page.
MAIN = ("registered_nowcast", "registered_months_since_count", "registered_end_p50", "shelter_pressure_jump_off",
        "shelter_peak_pressure", "shelter_first_month_100", "shelter_places_short", "backlog_backlog_peak",
        "backlog_months_to_clear", "backlog_late_decisions_total", "backlog_penalty_eur_total",
        "backlog_dtv_caseload_peak")


def headline_table(results: Any, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the scenario's headline table (columns :data:`COLUMNS`, one row per figure).

    Args:
        results: A ``capacity.pipeline.ScenarioResults`` (population, shelter, backlog);
            with ``keys``, any object with the results those figures read.
        keys: Figures to compute (default all, in :data:`FIGURES` order).

    """
    view = _View(results)
    rows = []
    for fig in FIGURES if keys is None else [f for f in FIGURES if f.key in set(keys)]:
        if fig.paths is not None:
            x = fig.paths(view)
            value, p10, p90 = _median(x), _quantile(x, 0.1), _quantile(x, 0.9)
            if fig.unit == "months":
                value, p10, p90 = (censored(v, _horizon(view)) for v in (value, p10, p90))
        else:
            value = fig.scalar(view)
            p10, p90 = fig.band(view) if fig.band is not None else (np.nan, np.nan)
            if isinstance(value, np.generic):
                value = value.item()
        rows.append({"key": fig.key, "label_en": fig.label_en, "label_nl": fig.label_nl,
                     "value": value, "p10": p10, "p90": p90, "unit": fig.unit,
                     "rounding": fig.rounding})
    return pd.DataFrame(rows, columns=list(COLUMNS))


class _View:
    """The results plus the shelter model's headline, computed once when first read."""

    def __init__(self, results: Any) -> None:
        self.results = results

    def __getattr__(self, name: str) -> Any:
        return getattr(self.results, name)

    @cached_property
    def shelter_headline(self) -> dict[str, Any]:
        return shelter.headline(self.results.shelter)


def lookup(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Return the headline table as ``{key: row dict}`` for text and table builders."""
    return {row["key"]: row for row in table.to_dict("records")}


__all__ = ["COLUMNS", "FIGURES", "MAIN", "Figure", "censored", "headline_table", "lookup"]
