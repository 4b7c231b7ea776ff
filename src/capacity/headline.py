"""The headline figures of a scenario: one table, the one source of every figure printed.

:func:`headline_table` turns a scenario's results into ``tables/headline.csv``: one row
per figure with ``key, label_en, label_nl, value, p10, p90, unit, rounding`` (a label is
written once in English; its Dutch is in the catalogue, :mod:`capacity.i18n`). ``value``
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
from capacity.i18n import N_, _

COLUMNS = ("key", "label_en", "label_nl", "value", "p10", "p90", "unit", "rounding")


@dataclass(frozen=True)
class Figure:
    """How one headline figure is computed and shown.

    Attributes:
        key: Stable identifier (column ``key`` of headline.csv).
        label: English label (the catalogue's msgid; its Dutch in the .po, :mod:`capacity.i18n`).
        unit: One of the units in the module docstring.
        rounding: Display step in the unit (e.g. 100 persons, 0.001 for a share).
        paths: Per-path values (``value`` = median, ``p10``/``p90``), from the results.
        scalar: Or a single value, when the figure is not a per-path quantity.
        band: With ``scalar``, its 10 % and 90 % values where the model gives them.
        term: The legal term (months) a cohort figure is computed under, shown after the label.

    """

    key: str
    label: str
    unit: str
    rounding: float
    paths: Callable[[Any], np.ndarray] | None = None
    scalar: Callable[[Any], Any] | None = None
    band: Callable[[Any], tuple[Any, Any]] | None = None
    term: int | None = None

    def text(self, language: str) -> str:
        """Return the label in ``language`` (``en``: the msgid itself)."""
        label = _(self.label, language)
        if self.term is None:
            return label
        return _("{label} (legal term {term} months)", language).format(label=label, term=self.term)


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
    Figure(
        "registered_nowcast",
        N_("Registered with protection under the RTB in the run month (nowcast)"),
        "persons",
        100,
        paths=lambda r: r.population.at(_today(r)),
    ),
    Figure(
        "registered_months_since_count",
        N_("Months from the last published count to the run month"),
        "months",
        1,
        scalar=lambda r: _months_since_count(r),
    ),
    Figure(
        "registered_last_count_month",
        N_("Month of the last published count"),
        "month",
        1,
        scalar=lambda r: _month(r.population.jump_off_date),
    ),
    Figure(
        "registered_12m_p50",
        N_("Registered 12 months after the run month"),
        "persons",
        100,
        paths=lambda r: r.population.at(_today(r) + pd.DateOffset(months=12)),
    ),
    Figure(
        "registered_end_p50",
        N_("Registered with municipalities at the end of the horizon"),
        "persons",
        100,
        paths=lambda r: r.population.registered[:, -1],
    ),
    Figure(
        "forecast_stock_skill",
        N_("Backtest of the registered count, 1-6 months ahead: CRPS skill against a random walk with drift"),
        "share",
        0.01,
        scalar=lambda r: _stock_coverage(r, "skill"),
    ),
    Figure(
        "forecast_stock_coverage_80",
        N_("Backtest of the registered count, 1-6 months ahead: share inside the 80 % band"),
        "share",
        0.01,
        scalar=lambda r: _stock_coverage(r, "coverage_80"),
    ),
    Figure(
        "forecast_stock_coverage_95",
        N_("Backtest of the registered count, 1-6 months ahead: share inside the 95 % band"),
        "share",
        0.01,
        scalar=lambda r: _stock_coverage(r, "coverage_95"),
    ),
    # --- shelter
    Figure(
        "shelter_peak_occupancy",
        N_("Shelter occupancy, highest month (median)"),
        "share",
        0.001,
        scalar=_shelter("peak_occupancy"),
    ),
    Figure(
        "shelter_pressure_jump_off",
        N_("Demand per place at the last count"),
        "share",
        0.001,
        scalar=_shelter("pressure_jump_off"),
    ),
    Figure(
        "shelter_peak_pressure",
        N_("Demand per place, highest month (median; above 100 % people go without)"),
        "share",
        0.001,
        scalar=_shelter("peak_pressure"),
    ),
    Figure(
        "shelter_first_month_95",
        N_("First month demand passes 95 % of the places (the last count if already then)"),
        "month",
        1,
        scalar=lambda r: _month(r.shelter_headline["first_month_95"]),
    ),
    Figure(
        "shelter_first_month_100",
        N_("First month demand passes the places (the last count if already then)"),
        "month",
        1,
        scalar=lambda r: _month(r.shelter_headline["first_month_100"]),
    ),
    Figure(
        "shelter_share_paths_100",
        N_("Share of paths on which demand passes the places"),
        "share",
        0.001,
        scalar=_shelter("share_paths_100"),
    ),
    Figure(
        "shelter_places_short",
        N_("People without a place, highest month (no new places: places as announced)"),
        "persons",
        100,
        paths=lambda r: r.shelter.unmet_demand.max(axis=1),
    ),
    Figure(
        "shelter_places_short_before_tpd",
        N_("People without a place before the TPD ends, highest month"),
        "persons",
        100,
        paths=lambda r: shelter.peak_short_before_tpd(r.shelter),
    ),
    Figure(
        "shelter_places_needed",
        N_("Places needed at the occupancy target"),
        "places",
        100,
        scalar=_shelter("places_needed"),
    ),
    Figure(
        "shelter_cost_optimal_places",
        N_("Places with the lowest expected cost"),
        "places",
        100,
        scalar=_shelter("cost_optimal_places"),
    ),
    Figure(
        "shelter_places_jump_off",
        N_("Shelter places at the last count"),
        "places",
        10,
        scalar=_shelter("places_jump_off"),
    ),
    Figure(
        "shelter_in_shelter_jump_off",
        N_("People in shelter at the last count"),
        "persons",
        10,
        scalar=_shelter("in_shelter_jump_off"),
    ),
    Figure(
        "shelter_cohort_at_tpd_end",
        N_("People in Ukraine shelter when the TPD ends"),
        "persons",
        100,
        paths=lambda r: _after(r, lambda d: d.cohort),
    ),
    Figure(
        "shelter_housing_task_first_month",
        N_("People who must move to other housing in the TPD-end month"),
        "persons",
        100,
        paths=lambda r: _after(r, lambda d: d.housing_task_new[:, 0]),
    ),
    Figure(
        "shelter_housing_task_peak",
        N_("Housing task after the TPD (people from shelter to other housing), highest month"),
        "persons",
        100,
        paths=lambda r: _after(r, lambda d: d.housing_task.max(axis=1)),
    ),
    Figure(
        "shelter_fallback_peak",
        N_("People in the national fallback option after Ukraine shelter closes, highest month"),
        "persons",
        100,
        paths=lambda r: _after(r, lambda d: _max_or_zero(d.fallback)),
    ),
    Figure(
        "shelter_without_accommodation_peak",
        N_("People from Ukraine shelter without accommodation after it closes, highest month"),
        "persons",
        100,
        paths=lambda r: _after(r, lambda d: _max_or_zero(d.without_accommodation)),
    ),
    Figure(
        "shelter_asylum_reception_first_month",
        N_("People from Ukraine shelter in asylum reception in the TPD-end month (continuing asylum cases)"),
        "persons",
        100,
        paths=lambda r: _after(r, lambda d: d.asylum_reception[:, 0]),
    ),
    # --- the population ledger after the TPD end (persons; one state per person and month)
    Figure(
        "ledger_coa_intake_tpd_month",
        N_("Continuing asylum cases in COA reception at the end of the TPD-end month"),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: _at(g, "asylum_pending_ind", 0) + _at(g, "asylum_appeal", 0)),
    ),
    Figure(
        "ledger_in_coa_peak",
        N_(
            "In COA reception after the TPD (continuing cases, later arrivals, new applications at expiry), "
            "highest month"
        ),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: g.in_coa().max(axis=1)),
    ),
    Figure(
        "ledger_document_holders_in_shelter_12m",
        N_("Document holders still in shelter 12 months after the TPD end"),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: _at(g, "document_in_shelter", 11)),
    ),
    Figure(
        "ledger_post_tpd_asylum_12m",
        N_("Arrivals after the TPD (regular asylum), first 12 months"),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: g.arrivals[:, :12].sum(axis=1)),
    ),
    Figure(
        "ledger_document_expiry_holders",
        N_("Document holders when the transitiedocument expires"),
        "persons",
        100,
        paths=lambda r: _ledger(
            r,
            lambda g: (
                g.flows["expired"][:, g.expiry_index]
                if g.expiry_index < g.flows["expired"].shape[1]
                else np.full(g.n_paths, np.nan)
            ),
        ),
    ),
    Figure(
        "ledger_expired_work_study",
        N_("After the document expires: work or study permit"),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: _expired(g, "expired_work_study")),
    ),
    Figure(
        "ledger_expired_asylum",
        N_("After the document expires: new asylum application"),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: g.flows["expired_asylum_applications"].sum(axis=1)),
    ),
    Figure(
        "ledger_expired_no_status",
        N_("After the document expires: no residence status"),
        "persons",
        100,
        paths=lambda r: _ledger(r, lambda g: _expired(g, "expired_no_status")),
    ),
    # --- backlog
    Figure(
        "backlog_cohort_persons",
        N_("Persons registered when the TPD ends (each takes the document or continues an asylum case)"),
        "persons",
        100,
        paths=lambda r: r.backlog.cohort_persons,
    ),
    Figure(
        "backlog_continuing_persons",
        N_("Persons in continuing asylum cases"),
        "persons",
        100,
        paths=lambda r: r.backlog.cohort_persons * _continuing(r),
    ),
    Figure(
        "backlog_cohort_cases",
        N_("Continuing asylum cases (restarting at the TPD end)"),
        "cases",
        100,
        paths=lambda r: r.backlog.cohort_cases * _continuing(r),
    ),
    Figure(
        "backlog_backlog_peak",
        N_("Continuing asylum cases pending at the IND, highest month"),
        "cases",
        100,
        paths=lambda r: _bl(r)["pending"].max(axis=1),
    ),
    Figure(
        "backlog_regular_backlog_peak",
        N_("Regular asylum cases pending, highest month"),
        "cases",
        100,
        paths=lambda r: _bl(r)["pending_regular"].max(axis=1),
    ),
    Figure(
        "backlog_total_peak",
        N_("All asylum cases pending at the IND, highest month"),
        "cases",
        100,
        paths=lambda r: _bl(r)["backlog_total"].max(axis=1),
    ),
    Figure(
        "backlog_backlog_peak_month",
        N_("Month of the cohort's highest backlog (months after the TPD ends)"),
        "months",
        1,
        paths=lambda r: r.backlog.peak_month("pending"),
    ),
    Figure(
        "backlog_regular_backlog_peak_month",
        N_("Month of the regular queue's highest level (months after the TPD ends)"),
        "months",
        1,
        paths=lambda r: r.backlog.peak_month("pending_regular"),
    ),
    Figure(
        "backlog_total_peak_month",
        N_("Month of the highest IND backlog (months after the TPD ends)"),
        "months",
        1,
        paths=lambda r: r.backlog.peak_month("backlog_total"),
    ),
    Figure(
        "backlog_first_decisions_months",
        N_("Months until the cohort gets its first decisions"),
        "months",
        1,
        paths=lambda r: r.backlog.first_decisions(),
    ),
    Figure(
        "backlog_first_decisions_month",
        N_("Month the cohort gets its first decisions (median path)"),
        "month",
        1,
        scalar=lambda r: _months_after(r.backlog, _median(r.backlog.first_decisions())),
    ),
    Figure(
        "backlog_months_to_clear",
        N_("Months until the cohort backlog is cleared"),
        "months",
        1,
        paths=lambda r: r.backlog.months_to_clear,
    ),
    Figure(
        "backlog_late_decisions_total",
        N_("Decisions after the legal term"),
        "cases",
        100,
        paths=lambda r: _bl(r)["late_decisions"].sum(axis=1),
    ),
    Figure(
        "backlog_late_or_overdue",
        N_("Late decisions plus cases overdue at the end"),
        "cases",
        100,
        paths=lambda r: r.backlog.late_or_overdue(),
    ),
    Figure(
        "backlog_late_share",
        N_("Share of decisions late (incl. overdue at the end)"),
        "share",
        0.001,
        paths=lambda r: r.backlog.late_share(),
    ),
    Figure(
        "backlog_overdue_pending_end",
        N_("Cohort cases pending past the legal term at the end"),
        "cases",
        100,
        paths=lambda r: _bl(r)["overdue_pending"][:, -1],
    ),
    Figure(
        "backlog_late_decisions_regular",
        N_("Regular decisions after the legal term"),
        "cases",
        100,
        paths=lambda r: _bl(r)["late_decisions_regular"].sum(axis=1),
    ),
    Figure(
        "backlog_penalty_eur_total",
        N_("Penalties run up by cases past the term (cohort and regular)"),
        "EUR",
        100_000,
        paths=lambda r: r.backlog.penalty_total(),
    ),
    Figure(
        "backlog_penalty_eur_3y",
        N_("Penalties run up in the first three years after the TPD (cohort and regular)"),
        "EUR",
        100_000,
        paths=lambda r: r.backlog.penalty_first_months(36),
    ),
    Figure(
        "backlog_penalty_eur_cohort",
        N_("Penalties run up by the cohort"),
        "EUR",
        100_000,
        paths=lambda r: _bl(r)["penalty_eur"].sum(axis=1),
    ),
    Figure(
        "backlog_penalty_eur_regular",
        N_("Penalties run up by the regular asylum queue"),
        "EUR",
        100_000,
        paths=lambda r: _bl(r)["penalty_eur_regular"].sum(axis=1),
    ),
    *(
        Figure(
            f"backlog_{key}_term{term}",
            label,
            unit,
            rounding,
            term=term,
            paths=lambda r, term=term, name=name: r.backlog.cohort_under_term(float(term))[name],
        )
        for term in (6, 21)
        for key, name, label, unit, rounding in (
            ("late_decisions", "late_decisions", N_("Cohort decisions after the legal term"), "cases", 100),
            (
                "overdue_pending_end",
                "overdue_pending_end",
                N_("Cohort cases pending past the term at the end"),
                "cases",
                100,
            ),
            (
                "late_share",
                "late_share",
                N_("Share of cohort decisions late (incl. overdue at the end)"),
                "share",
                0.001,
            ),
            ("penalty_eur_cohort", "penalty_eur", N_("Penalties run up by the cohort"), "EUR", 100_000),
        )
    ),
    Figure(
        "backlog_priority_share",
        N_("Share of planned IND capacity reserved for the cohort (a TPD team) that meets its legal-term target"),
        "share",
        0.01,
        scalar=lambda r: _solver(r, "IND cohort priority", "priority_share"),
    ),
    Figure(
        "backlog_priority_share_probability",
        N_("Probability that this reserved share meets the legal-term target"),
        "share",
        0.01,
        scalar=lambda r: _solver(r, "IND cohort priority", "probability_reached"),
    ),
    Figure(
        "backlog_regular_deficit_per_month",
        N_("Regular asylum stream: inflow minus planned IND capacity x realisation, per month"),
        "cases",
        10,
        scalar=lambda r: _solver(r, "IND regular stream", "deficit_per_month"),
        band=lambda r: (
            _solver(r, "IND regular stream", "deficit_p10"),
            _solver(r, "IND regular stream", "deficit_p90"),
        ),
    ),
    Figure(
        "backlog_regular_deficit_probability",
        N_("Probability that the regular asylum stream runs a deficit"),
        "share",
        0.01,
        scalar=lambda r: _solver(r, "IND regular stream", "probability_reached"),
    ),
    Figure(
        "backlog_dtv_caseload_peak",
        N_("DT&V caseload from the cohort, highest month"),
        "cases",
        10,
        paths=lambda r: _bl(r)["dtv_caseload"].max(axis=1),
    ),
    Figure(
        "backlog_shelter_entitled_peak",
        N_("Persons in continuing asylum cases entitled to reception after the TPD, highest month"),
        "persons",
        100,
        paths=lambda r: _bl(r)["shelter_entitled"].max(axis=1),
    ),
    Figure(
        "backlog_permits_issued_total",
        N_("Transitiedocumenten issued (one per person)"),
        "persons",
        100,
        paths=lambda r: _persons(r, "permits_issued").sum(axis=1),
    ),
    Figure(
        "backlog_without_document_peak",
        N_("Persons waiting for their transition document without any document, highest month"),
        "persons",
        100,
        paths=lambda r: r.backlog.without_document().max(axis=1),
    ),
    Figure(
        "backlog_permits_issued_by_month",
        N_("Months until every transition permit is issued"),
        "months",
        1,
        paths=lambda r: r.backlog.months_to_permits,
    ),
    Figure(
        "backlog_withdrawn_return_total",
        N_("Withdrawn for the return programme"),
        "cases",
        10,
        paths=lambda r: _bl(r)["withdrawn_return"].sum(axis=1),
    ),
    Figure("backlog_granted_total", N_("Asylum granted"), "cases", 100, paths=lambda r: _bl(r)["granted"].sum(axis=1)),
)

#: Figures shown first (in this order) where a short list is wanted, e.g. the index page.
MAIN = (
    "registered_nowcast",
    "registered_months_since_count",
    "registered_end_p50",
    "shelter_pressure_jump_off",
    "shelter_peak_pressure",
    "shelter_first_month_100",
    "shelter_places_short",
    "backlog_backlog_peak",
    "backlog_months_to_clear",
    "backlog_late_decisions_total",
    "backlog_penalty_eur_total",
    "backlog_dtv_caseload_peak",
)


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
        rows.append(
            {
                "key": fig.key,
                "label_en": fig.text("en"),
                "label_nl": fig.text("nl"),
                "value": value,
                "p10": p10,
                "p90": p90,
                "unit": fig.unit,
                "rounding": fig.rounding,
            }
        )
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
