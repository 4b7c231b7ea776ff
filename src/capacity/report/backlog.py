"""Figures, tables and texts of the IND/DT&V backlog report (English and Dutch).

No model code: every function takes a :class:`~capacity.backlog.BacklogResult` or a table
from :mod:`capacity.backlog` and returns a plotly figure, a DataFrame or a Markdown text.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity import i18n
from capacity.backlog import BacklogResult
from capacity.headline import FIGURES, lookup
from capacity.i18n import N_, _
from capacity.params.backlog import BacklogConfig
from capacity.params.base import Distribution
from capacity.params.policies import policy_names_nl
from capacity.quantiles import summarise_many
from capacity.report import Text, fan_chart, fmt_headline, fmt_month, fmt_number, fmt_value, t
from capacity.report.charts import COUNT_TICKS, LIGHT, described, forecast_step, hover, say
from capacity.report.format import fmt_distribution, fmt_parameter
from capacity.report.labels import has, in_words

__all__ = [
    "HEADLINE_KEYS",
    "TEXT_KEYS",
    "Text",
    "assumptions_table",
    "capacity_text",
    "cumulative_chart",
    "fan",
    "intro_text",
    "ledger_table",
    "months_to_clear_chart",
    "outcomes_chart",
    "term_text",
    "policy_chart",
    "policy_download",
    "policy_table",
    "policy_view",
]


def _n(x: float, language: str | None) -> str:
    if not np.isfinite(x):
        return t("not_in_run", language)
    return fmt_number(x, language)


def _month(date: pd.Timestamp, language: str | None) -> str:
    return fmt_month(date, language)


#: The backlog figures of the scenario's headline table, in report order.
HEADLINE_KEYS = (
    "backlog_cohort_persons",
    "backlog_continuing_persons",
    "backlog_cohort_cases",
    "backlog_first_decisions_months",
    "backlog_backlog_peak",
    "backlog_backlog_peak_month",
    "backlog_regular_backlog_peak",
    "backlog_regular_backlog_peak_month",
    "backlog_total_peak",
    "backlog_total_peak_month",
    "backlog_months_to_clear",
    "backlog_late_decisions_total",
    "backlog_late_or_overdue",
    "backlog_late_share",
    "backlog_overdue_pending_end",
    "backlog_late_decisions_regular",
    "backlog_penalty_eur_total",
    "backlog_penalty_eur_cohort",
    "backlog_penalty_eur_regular",
    "backlog_dtv_caseload_peak",
    "backlog_shelter_entitled_peak",
    "backlog_permits_issued_total",
    "backlog_permits_issued_by_month",
    "backlog_without_document_peak",
    *(
        f"backlog_{k}_term{t}"
        for t in (6, 21)
        for k in ("late_decisions", "overdue_pending_end", "late_share", "penalty_eur_cohort")
    ),
)


#: Figures the texts read besides the table's (a calendar month has no 10 % / 90 % columns).
TEXT_KEYS = (*HEADLINE_KEYS, "backlog_first_decisions_month", "ledger_post_tpd_asylum_12m")


def term_text(headline: pd.DataFrame, *, language: str | None = None) -> Text:
    """Return the legal term as a risk: the cohort's figures under 6 and 21 months side by side.

    Whether the categorical extension to 21 months holds is a legal risk (the Raad van
    State reversed the 15-month extension for regular cases in 2025), so both are shown.
    ``language``: the page's; default the kernel's.
    """
    lang = i18n.language(language)
    rows = lookup(headline)

    def f(key: str, field: str = "value") -> str:
        return fmt_headline(rows[key], lang, field)

    parts = {
        term: _(
            "**{term} months**: {late} late decisions, {overdue} cases still pending past the "
            "term at the end, penalties {penalty} (90 % bound {penalty_p90})",
            lang,
        ).format(
            term=term,
            late=f(f"backlog_late_decisions_term{term}"),
            overdue=f(f"backlog_overdue_pending_end_term{term}"),
            penalty=f(f"backlog_penalty_eur_cohort_term{term}"),
            penalty_p90=f(f"backlog_penalty_eur_cohort_term{term}", "p90"),
        )
        for term in (6, 21)
    }
    return Text(
        _(
            "The legal term is a risk: the Raad van State reversed the 15-month extension for "
            "regular cases in 2025, so whether the extension to 21 months holds for the "
            "cohort is uncertain. For the cohort, on the same paths: {term6}; {term21}.",
            lang,
        ).format(term6=parts[6], term21=parts[21])
    )


def intro_text(result: BacklogResult, headline: pd.DataFrame, *, language: str | None = None) -> Text:
    """Return a few sentences that state the headline result in words.

    Every figure comes from the scenario's headline table, formatted as everywhere else.
    ``language``: the page's; default the kernel's.
    """
    lang = i18n.language(language)
    cfg = result.config
    rows = lookup(headline)

    def f(key: str, field: str = "value") -> str:
        return fmt_headline(rows[key], lang, field)

    text = _(
        "Temporary protection ends on {day} {month}; the median **{cohort} persons** registered "
        "then. Those who take the transitiedocument (central {uptake}) withdraw their asylum "
        "application and never enter the IND's asylum queue: {documents} documents. Only the "
        "continuing asylum cases restart: **{continuing} persons** ({cases} cases). Arrivals after "
        "the TPD (regular asylum) in the first 12 months: {post_tpd}. The continuing cases get their "
        "first decisions in **{first_month}** (median, {first_months} months after the TPD ends). "
        "Half of the paths clear the cohort's backlog within **{clear} months** from {start} (90 % "
        "within {clear_p90}). With a legal term of {term} months after the TPD ends, **{late} "
        "decisions** come late and {overdue} cases are still pending past the term at the end. Every "
        "case waiting past its term runs up penalties, decided or not: **{penalty}** in all (90 % "
        "bound {penalty_p90}), of which {penalty_cohort} from the cohort and {penalty_regular} from "
        "the regular asylum queue. The DT&V caseload from the cohort peaks at {dtv} cases.",
        lang,
    )
    return Text(
        text.format(
            day=cfg.tpd_end_date.day,
            month=_month(pd.Timestamp(cfg.tpd_end_date), lang),
            cohort=f("backlog_cohort_persons"),
            uptake=fmt_value(cfg.permit_uptake_share.central, "share", 0.01, lang),
            documents=f("backlog_permits_issued_total"),
            continuing=f("backlog_continuing_persons"),
            cases=f("backlog_cohort_cases"),
            post_tpd=f("ledger_post_tpd_asylum_12m"),
            first_month=f("backlog_first_decisions_month"),
            first_months=f("backlog_first_decisions_months"),
            clear=f("backlog_months_to_clear"),
            start=_month(result.dates[0], lang),
            clear_p90=f("backlog_months_to_clear", "p90"),
            term=f"{cfg.term_months:g}",
            late=f("backlog_late_decisions_total"),
            overdue=f("backlog_overdue_pending_end"),
            penalty=f("backlog_penalty_eur_total"),
            penalty_p90=f("backlog_penalty_eur_total", "p90"),
            penalty_cohort=f("backlog_penalty_eur_cohort"),
            penalty_regular=f("backlog_penalty_eur_regular"),
            dtv=f("backlog_dtv_caseload_peak"),
        )
    )


_UNIT_KEYS = {
    "pending": "cases",
    "pending_regular": "cases",
    "backlog_total": "cases",
    "decisions": "cases_month",
    "late_decisions": "cases_month",
    "penalty_eur": "eur_month",
    "dtv_caseload": "cases",
    "shelter_entitled": "persons",
    "permits_pending": "cases",
    "late_cum": "cases",
    "penalty_cum": "eur",
}
#: The unit :func:`~capacity.report.format.fmt_value` prints each axis unit in (hover text, summary).
_VALUE_UNITS = {"cases": "cases", "cases_month": "cases", "eur_month": "EUR", "eur": "EUR", "persons": "persons"}


def _value_unit(variable: str) -> str:
    """Return the unit a path variable's figures print in: ``cases``, ``persons`` or ``EUR``."""
    return _VALUE_UNITS[_UNIT_KEYS.get(variable, "cases")]


def fan(result: BacklogResult, variable: str, *, language: str | None = None) -> go.Figure:
    """Return the fan chart (median, 50/67/95 % bands) of one path variable."""
    table = result.table([variable])
    return fan_chart(
        table,
        variable,
        title=t(variable, language),
        y_title=t(_UNIT_KEYS.get(variable, "cases"), language),
        language=language,
        unit=_value_unit(variable),
    )


def decisions_chart(result: BacklogResult, *, language: str | None = None) -> go.Figure:
    """Return the cohort's decisions per month: the mean over paths and the share of paths deciding.

    Decisions come in bursts, so a median (0 in most months) would hide them.
    """
    table = result.bursty_table("decisions")
    fig = go.Figure()
    mean, share = t("decisions_mean", language), t("share_paths_deciding", language)
    fig.add_trace(
        go.Bar(
            x=table["date"],
            y=table["mean"],
            name=mean,
            marker={"color": "#1f77b4"},
            text=say(table["mean"], "cases", language, 1),
            textposition="none",
            hovertemplate=hover(mean),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=table["date"],
            y=table["share_paths"],
            yaxis="y2",
            mode="lines",
            name=share,
            line={"color": "#d62728"},
            text=say(table["share_paths"], "share", language, 0.01),
            hovertemplate=hover(share),
        )
    )
    fig.update_layout(
        title=t("decisions", language),
        template=LIGHT,
        height=380,
        yaxis={"title": t("cases_month", language)},
        yaxis2={
            "title": t("share", language),
            "overlaying": "y",
            "side": "right",
            "range": [0, 1],
            "tickformat": ".0%",
        },
        legend={"orientation": "h", "y": -0.15},
    )
    summary = ""
    if table["mean"].notna().any():
        top = table.loc[table["mean"].idxmax()]
        summary = _(DECISIONS_SUMMARY, language).format(
            when=fmt_month(top["date"], language),
            mean=fmt_value(top["mean"], "cases", 1, language),
            share=fmt_value(top["share_paths"], "share", 0.01, language),
            total=fmt_value(table["mean"].sum(), "cases", forecast_step(table["mean"].sum()), language),
        )
    return described(fig, summary, language)


#: The caption of the decisions chart: its busiest month and the total.
DECISIONS_SUMMARY = N_(
    "Most decisions in {when}: {mean} on average, on {share} of the paths; {total} decisions in all (mean)."
)


def cumulative_chart(result: BacklogResult, variable: str = "penalty_eur", *, language: str | None = None) -> go.Figure:
    """Return the fan chart of a flow summed from the TPD end (late decisions or EUR)."""
    key = {"penalty_eur": "penalty_cum", "late_decisions": "late_cum"}[variable]
    table = summarise_many({key: np.cumsum(result.paths[variable], axis=1)}, result.dates)
    return fan_chart(
        table,
        key,
        title=t(key, language),
        y_title=t(_UNIT_KEYS[key], language),
        language=language,
        unit=_value_unit(key),
    )


def months_to_clear_chart(result: BacklogResult, *, language: str | None = None) -> go.Figure:
    """Return the distribution (share of paths done by each month) of both finishing times."""
    months = np.arange(0, result.dates.size + 1)
    fig = go.Figure()
    said = []
    for values, key in ((result.months_to_clear, "clear"), (result.months_to_permits, "permits_done")):
        share = (values[:, None] <= months[None, :]).mean(axis=0)
        name = t(key, language)
        fig.add_trace(
            go.Scatter(
                x=months,
                y=share,
                mode="lines",
                name=name,
                line={"shape": "hv"},
                text=say(share, "share", language, 0.01),
                hovertemplate=hover(name),
            )
        )
        year = min(12, len(share) - 1)
        said.append(
            _(MONTHS_TO_CLEAR_SUMMARY, language).format(
                name=name,
                year=fmt_value(share[year], "share", 0.01, language),
                months_year=fmt_value(months[year], "months", 1, language),
                end=fmt_value(share[-1], "share", 0.01, language),
                months_end=fmt_value(months[-1], "months", 1, language),
            )
        )
    fig.update_layout(
        title=t("months_to_clear", language),
        template=LIGHT,
        xaxis_title=t("months_after_tpd", language),
        xaxis_hoverformat=COUNT_TICKS,  # the hover's header: whole numbers, the page's separators
        hovermode="x unified",
        yaxis_title=t("share_paths", language),
        yaxis_tickformat=".0%",
        height=380,
        legend={"orientation": "h", "y": -0.2},
    )
    return described(fig, " ".join(said), language)


#: The caption of the finishing-time chart: the share of paths done after a year and at the end.
MONTHS_TO_CLEAR_SUMMARY = N_(
    "{name}: on {year} of the paths within {months_year} months, on {end} within {months_end} months."
)


def outcomes_chart(result: BacklogResult, *, language: str | None = None) -> go.Figure:
    """Return a stacked area of where the cohort's cases are, month by month (medians)."""
    p = result.paths
    closed = p["dtv_independent"] + p["dtv_forced"] + p["dtv_unsupervised"] + p["dtv_other"]
    parts = {
        "granted": np.cumsum(p["granted"], axis=1),
        "withdrawn_permit": np.cumsum(p["withdrawn_permit"], axis=1),
        "withdrawn_return": np.cumsum(p["withdrawn_return"], axis=1),
        "departed": np.cumsum(p["departed"], axis=1),
        "dtv_closed": np.cumsum(closed, axis=1),
        "dtv_caseload": p["dtv_caseload"],
        "departure_term": p["departure_term"],
        "appeals_pending": p["appeals_pending"],
        "pending": p["pending"],
        "permit_takers_waiting": p["permit_takers_waiting"],
    }
    fig = go.Figure()
    items = []
    for key, values in parts.items():
        median = np.median(values, axis=0)
        name = t(f"outcome_{key}", language)
        fig.add_trace(
            go.Scatter(
                x=result.dates,
                y=median,
                stackgroup="one",
                mode="lines",
                line={"width": 0.5},
                name=name,
                text=say(median, "cases", language),
                hovertemplate=hover(name),
            )
        )
        if len(median):
            items.append(f"{name}: {fmt_value(median[-1], 'cases', forecast_step(median[-1]), language)}")
    fig.update_layout(
        title=t("outcomes", language),
        template=LIGHT,
        yaxis_title=t("cases", language),
        height=440,
        legend={"orientation": "h", "y": -0.2},
    )
    summary = ""
    if items:
        summary = _(OUTCOMES_SUMMARY, language).format(
            when=fmt_month(result.dates[-1], language), parts="; ".join(items)
        )
    return described(fig, summary, language)


#: The caption of the outcomes chart: where the cases are in its last month.
OUTCOMES_SUMMARY = N_("Where the cohort's cases are in {when} (medians): {parts}.")


def _policy_names(policies: pd.DataFrame, language: str | None) -> pd.Series:
    """Return the policies' names in the page's language (Dutch: ``name_nl`` of params/policies.yaml)."""
    if i18n.language(language) == i18n.SOURCE:
        return policies["policy"]
    names = policy_names_nl()
    return policies["policy"].map(lambda name: names.get(name, name))


#: The headline figure each policy-table column is (its unit and rounding come from there).
POLICY_FIGURES = {
    "cohort_persons": "backlog_cohort_persons",
    "backlog_peak": "backlog_backlog_peak",
    "regular_backlog_peak": "backlog_regular_backlog_peak",
    "months_to_clear": "backlog_months_to_clear",
    "months_to_clear_p90": "backlog_months_to_clear",
    "late_decisions": "backlog_late_decisions_total",
    "late_or_overdue": "backlog_late_or_overdue",
    "late_share": "backlog_late_share",
    "overdue_pending_end": "backlog_overdue_pending_end",
    "penalty_eur": "backlog_penalty_eur_total",
    "penalty_eur_p90": "backlog_penalty_eur_total",
    "penalty_eur_cohort": "backlog_penalty_eur_cohort",
    "penalty_eur_regular": "backlog_penalty_eur_regular",
    "dtv_caseload_peak": "backlog_dtv_caseload_peak",
    "shelter_entitled_peak": "backlog_shelter_entitled_peak",
    "permits_issued": "backlog_permits_issued_total",
    "permits_done_month": "backlog_permits_issued_by_month",
}
#: Policy-table columns that are no headline figure: their unit and rounding.
POLICY_UNITS = {
    "share_cleared": ("share", 0.001),
    "pending_at_end": ("cases", 100),
    "late_decisions_vs_first": ("cases", 100),
}
#: Policy-table columns that are differences: printed with their sign, "+" as well as "−".
POLICY_SIGNED = frozenset({"late_decisions_vs_first"})


def policy_format(column: str) -> tuple[str, float] | None:
    """Return the unit and rounding a policy-table column prints with: its headline figure's, if any."""
    if column in POLICY_FIGURES:
        fig = next(f for f in FIGURES if f.key == POLICY_FIGURES[column])
        return fig.unit, fig.rounding
    if column.endswith("_eur_mean") or column == "total_cost_eur_p90":
        return "EUR", 100_000
    return POLICY_UNITS.get(column)


def policy_table(policies: pd.DataFrame, *, language: str | None = None, n_months: int | None = None) -> pd.DataFrame:
    """Return the policy comparison for display: every figure printed as the headline prints it.

    Each column takes its headline figure's unit and rounding (:data:`POLICY_FIGURES`) and is
    printed by :func:`~capacity.report.format.fmt_value`, so the configured policy's row reads
    the same figures as the headline table and the text (euros as ``€ 166 million``, shares as
    percentages). A finishing time not reached within the run reads "more than ``n_months``"
    (the run's length). Yes/no columns are words. A difference with the first row is signed,
    ``+3,700`` / ``−11,400`` / ``0`` (:data:`POLICY_SIGNED`).
    """
    shown = policies.drop(columns=["change"]).copy()
    shown["policy"] = _policy_names(policies, language)
    for col in ("months_to_clear", "months_to_clear_p90", "permits_done_month"):
        if col not in shown:
            continue
        flag = shown.pop(f"{col}_censored") if f"{col}_censored" in shown else False
        cens = np.broadcast_to(np.asarray(flag, dtype=bool), len(shown))
        shown[col] = [
            f"> {x if n_months is None else n_months:.0f}" if c else x
            for x, c in zip(shown[col].astype(float), cens, strict=True)
        ]
    for col in list(shown.columns):
        how = policy_format(col)
        if how is not None:
            shown[col] = [fmt_value(v, how[0], how[1], language) for v in shown[col]]
            if col in POLICY_SIGNED:  # "+" where the figure is above 0 (the formatter prints "−")
                shown[col] = ["+" + s if s[:1].isdigit() and s.strip("0.,") else s for s in shown[col]]
        elif pd.api.types.is_bool_dtype(shown[col]):
            shown[col] = [t("yes" if v else "no", language) for v in shown[col]]
    # the columns keep the names of the table in millions the catalogue has (a cell says its unit)
    names = {
        "penalty_eur": "penalty_eur_m",
        "penalty_eur_p90": "penalty_eur_m_p90",
        "penalty_eur_cohort": "penalty_eur_cohort_m",
        "penalty_eur_regular": "penalty_eur_regular_m",
        "total_cost_eur_p90": "total_cost_eur_m_p90",
    }
    return shown.rename(
        columns=lambda c: names.get(c) or (c.replace("_eur", "_eur_m") if c.endswith("_eur_mean") else c)
    )


#: The policy table's column headers as a planner reads them (medians unless a header says otherwise).
POLICY_HEADERS = {
    "policy": N_("Policy"),
    "cohort_persons": N_("Persons at the TPD end"),
    "backlog_peak": N_("Continuing cases pending, highest month"),
    "regular_backlog_peak": N_("Regular cases pending, highest month"),
    "months_to_clear": N_("Months until the cohort is cleared"),
    "months_to_clear_p90": N_("Months until cleared (90th percentile)"),
    "share_cleared": N_("Paths cleared within the run"),
    "feasible": N_("Feasible"),
    "late_decisions": N_("Decisions after the legal term"),
    "late_or_overdue": N_("Late decisions plus cases overdue at the end"),
    "late_share": N_("Share late"),
    "pending_at_end": N_("Cases pending at the end"),
    "late_decisions_vs_first": N_("Late decisions, difference with the first row"),
    "overdue_pending_end": N_("Cases pending past the term at the end"),
    "penalty_eur_m": N_("Penalties"),
    "penalty_eur_m_p90": N_("Penalties (90th percentile)"),
    "penalty_eur_cohort_m": N_("Penalties, cohort"),
    "penalty_eur_regular_m": N_("Penalties, regular queue"),
    "penalty_eur_m_mean": N_("Penalties (mean)"),
    "reception_coa_eur_m_mean": N_("COA reception (mean)"),
    "reception_municipal_eur_m_mean": N_("Municipal shelter (mean)"),
    "reception_eur_m_mean": N_("Reception (mean)"),
    "staff_eur_m_mean": N_("IND staff (mean)"),
    "total_cost_eur_m_mean": N_("Total cost (mean)"),
    "total_cost_eur_m_p90": N_("Total cost (90th percentile)"),
    "dtv_caseload_peak": N_("DT&V caseload, highest month"),
    "shelter_entitled_peak": N_("Persons entitled to reception, highest month"),
    "permits_issued": N_("Transition documents issued"),
    "permits_done_month": N_("Months until every document is issued"),
    "cost_rank": N_("Rank by cost"),
    "cheapest": N_("Cheapest"),
}


#: The policy table's columns on the page: the few that decide, in reading order (the download has
#: them all). Whether a policy is feasible (cleared within the run on enough paths) and how long
#: the cohort takes (median and 90th percentile: the planning horizon); late decisions *plus* cases
#: still overdue at the end (late decisions alone flatter a queue that never reaches the cohort:
#: newest first has none), their share and the paired difference in late decisions with the
#: first row (the policy's effect, free of noise); penalties and the total cost (mean: its parts
#: add up); the peaks DT&V and the municipalities must staff and house. Eleven columns: one A4
#: landscape width, no sideways scrolling at 1400 px.
POLICY_COMPACT = (
    "policy",
    "feasible",
    "months_to_clear",
    "months_to_clear_p90",
    "late_or_overdue",
    "late_share",
    "late_decisions_vs_first",
    "penalty_eur_m",
    "total_cost_eur_m_mean",
    "dtv_caseload_peak",
    "shelter_entitled_peak",
)


def policy_view(
    policies: pd.DataFrame,
    *,
    language: str | None = None,
    n_months: int | None = None,
    columns: tuple[str, ...] | None = POLICY_COMPACT,
) -> pd.DataFrame:
    """Return the policy comparison as the page shows it: :func:`policy_table` under words.

    ``columns``: the page's few that decide (:data:`POLICY_COMPACT`, the default), ``None`` for
    every column with a header. Every column header is words in the page's language
    (:data:`POLICY_HEADERS`), never a code such as ``penalty_eur_m``; the cells say their units
    (``€ 166 million``, ``56.4 %``), so no header repeats one. Columns without a header are not
    shown (the download has them).
    """
    shown = policy_table(policies, language=language, n_months=n_months)
    wanted = POLICY_HEADERS if columns is None else columns
    shown = shown[[c for c in wanted if c in shown.columns and c in POLICY_HEADERS]]
    return shown.rename(columns=lambda c: _(POLICY_HEADERS[c], language))


def ledger_table(ledger: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the ledger's quantiles per month for display: each state in words, not its code.

    The download keeps the codes (``tables/ledger.csv``); ``language``: the page's, default
    the kernel's.
    """
    shown = ledger.copy()
    if "state" in shown:
        shown["state"] = [t(f"ledger_{code}", language) if has(f"ledger_{code}") else code for code in shown["state"]]
    return shown


def policy_download(policies: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the policy table as downloaded: a censored finishing time as text (``"> 60"``).

    A finishing time not reached within the run is held as the run's length with a
    ``*_censored`` flag; the download writes it as ``"> 60"`` (60 months: the run), the
    others as whole months, and keeps the flag for a machine that needs it. No ``inf``.
    Beside the machine-readable ``change`` (``key=value``) comes ``change_described``: each
    changed parameter's meaning (its description in the page's language) and value.
    """
    out = policies.copy()
    for col in ("months_to_clear", "months_to_clear_p90", "permits_done_month"):
        if col not in out:
            continue
        flag = out[f"{col}_censored"] if f"{col}_censored" in out else pd.Series(False, index=out.index)
        out[col] = [
            f"> {x:.0f}" if c else f"{x:.0f}" for x, c in zip(out[col].astype(float), flag.astype(bool), strict=True)
        ]
    if "change" in out:
        described = [_described(c, language) for c in out["change"]]
        out.insert(out.columns.get_loc("change") + 1, "change_described", described)
    return out


#: One ``key=value`` of a policy's change: a backlog key, then everything up to the next key.
_CHANGE = re.compile(r"(\w+)=(.*?)(?=, \w+=|$)")


def _described(change: str, language: str | None) -> str:
    """Return a policy's ``key=value`` changes in words: ``meaning: value``; ``-`` stays ``-``.

    The meaning is the parameter's description (:class:`BacklogConfig`), in the page's language,
    a share as a percentage (``73 %``); an unknown key stays as written.
    """
    parts = []
    for key, value in _CHANGE.findall(str(change)):
        info = BacklogConfig.model_fields.get(key)
        if info is None or not info.description:
            parts.append(f"{key}={value}")
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("unit") == "share" and re.fullmatch(r"[\d.]+", value):
            value = fmt_value(float(value), "share", 0.01, language)
        parts.append(f"{i18n.gettext(info.description, language)}: {value}")
    return "; ".join(parts) or str(change)


#: A policy name on the chart's axis wraps after this many characters: on a phone (390 px)
#: the names take ~160 px and leave the bars the rest.
POLICY_WRAP = 26
#: A panel's axis title wraps after this many characters: the bars' width on a phone.
POLICY_TITLE_WRAP = 28
#: Height per line of a wrapped policy name (10 px type), per line of an axis title, of an
#: axis's ticks, and of the top margin (px).
POLICY_LINE_PX, POLICY_TITLE_PX, POLICY_TICKS_PX, POLICY_TOP_PX = 12, 15, 30, 40


def _wrap(text: str, width: int) -> str:
    """Return ``text`` broken into lines of at most ``width`` characters at spaces (``<br>``)."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _wrap_name(name: str) -> str:
    """Return a policy name in lines of :data:`POLICY_WRAP` characters; two lines, a little wider, where it fits.

    A third line would need room beside its neighbours on an evenly spaced axis (the chart
    grows by a fifth, past an A4 page); a name of up to 1.4 times two lines takes two.
    """
    for width in range(POLICY_WRAP, round(1.4 * POLICY_WRAP) + 1):
        text = _wrap(name, width)
        if text.count("<br>") < 2:
            return text
    return _wrap(name, POLICY_WRAP)


def policy_chart(policies: pd.DataFrame, *, language: str | None = None) -> go.Figure:
    """Return bars of late decisions and penalties per policy (medians): one panel a measure, stacked.

    Readable on a phone (390 px) and on a screen (1400 px): each panel as wide as the chart
    (two side by side left a phone ~100 px a panel, their titles cut off), its axis title
    under it wrapped to a phone's width (:data:`POLICY_TITLE_WRAP`); the policy names
    wrapped (:data:`POLICY_WRAP`, ``<br>``) and the left margin grown to them
    (``automargin``), never a fixed width; few upright ticks. The bars' ``y`` stay the names
    (the hover text reads them).
    """
    fig = go.Figure()
    names = _policy_names(policies, language)
    wrapped = [_wrap_name(n) for n in names]
    late, eur = t("policy_late", language), t("policy_eur", language)
    panels = (
        ("late_or_overdue", policies["late_or_overdue"], late, ""),
        ("penalty_eur", policies["penalty_eur"] / 1e6, eur, "2"),
    )
    titles = [_wrap(title, POLICY_TITLE_WRAP) for _c, _v, title, _a in panels]
    # the names are evenly spaced: room for the longest beside a two-line neighbour, two lines at least
    longest = max((w.count("<br>") + 1 for w in wrapped), default=1)
    bars = round(len(names) * POLICY_LINE_PX * max(2.0, (longest + 2) / 2))
    under = POLICY_TICKS_PX + POLICY_TITLE_PX * max(w.count("<br>") + 1 for w in titles) + 10  # ticks, title
    plot = 2 * bars + under  # the lower panel's ticks and title are in the bottom margin
    x = {"rangemode": "tozero", "nticks": 5, "tickangle": 0, "automargin": True, "tickformat": COUNT_TICKS}
    y = {"autorange": "reversed", "automargin": True, "tickvals": list(names), "ticktext": wrapped}
    y["tickfont"] = {"size": 10}
    domains = ([1 - bars / plot, 1.0], [0.0, bars / plot])
    for (column, values, title, axis), text, domain in zip(panels, titles, domains, strict=True):
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                orientation="h",
                name=title,
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                showlegend=False,
                text=_named(names, _policy_say(policies[column], column, language)),
                textposition="none",
                hovertemplate=f"%{{text}}<extra>{title}</extra>",
            )
        )
        fig.update_layout(
            {
                f"yaxis{axis}": {**y, "domain": domain},
                f"xaxis{axis}": {**x, "anchor": f"y{axis}", "title": {"text": text}},
            }
        )
    fig.update_layout(
        title=t("policy_title", language),
        template=LIGHT,
        height=POLICY_TOP_PX + plot + under,
        margin={"l": 10, "r": 20, "t": POLICY_TOP_PX, "b": under},
    )
    summary = ""
    if len(policies):
        late_row, eur_row = policies["late_or_overdue"].idxmin(), policies["penalty_eur"].idxmin()
        summary = _(POLICY_SUMMARY, language).format(
            late_policy=names.loc[late_row],
            late=_policy_say([policies.loc[late_row, "late_or_overdue"]], "late_or_overdue", language)[0],
            eur_policy=names.loc[eur_row],
            eur=_policy_say([policies.loc[eur_row, "penalty_eur"]], "penalty_eur", language)[0],
        )
    return described(fig, summary, language)


def _policy_say(values: Any, column: str, language: str | None) -> list[str]:
    """Return a policy column's figures as the policy table prints them (its unit and rounding)."""
    unit, rounding = policy_format(column) or ("cases", None)
    return say(values, unit, language, rounding)


def _named(names: pd.Series, texts: list[str]) -> list[str]:
    """Return hover texts that start with their bar's name (``"policy: 1,200"``)."""
    return [f"{name}: {text}" for name, text in zip(names, texts, strict=True)]


#: The caption of the policy chart: the policy with the fewest late decisions and the lowest penalties.
POLICY_SUMMARY = N_(
    "Fewest late or overdue decisions: {late_policy} ({late}); lowest penalties: {eur_policy} ({eur}) (medians)."
)


def capacity_text(capacity: pd.DataFrame, cfg: BacklogConfig, *, language: str | None = None) -> Text:
    """Return the capacity answer in words (``language``: the page's; default the kernel's)."""
    lang = i18n.language(language)
    ind = capacity[capacity["service"] == "IND"].iloc[0]
    dtv = capacity[capacity["service"] == "DT&V"].iloc[0]
    text = _(
        "To keep late decisions on the cohort at or under {late} with {probability} probability, "
        "the IND needs **{ind_month} decisions a month** from the TPD end ({ind_year} a year; "
        "planned now {ind_planned} a month). DT&V needs to close **{dtv_month} cohort cases a "
        "month** to bring the caseload under {dtv_target} within {dtv_months} months (assumed "
        "now: {dtv_assumed}).",
        lang,
    ).format(
        late=fmt_value(cfg.target_late_share, "share", 0.01, lang),
        probability=fmt_value(cfg.target_probability, "share", 0.01, lang),  # 80 % / 80%: one rule
        ind_month=_n(ind["capacity_per_month"], lang),
        ind_year=_n(ind["capacity_per_year"], lang),
        ind_planned=_n(cfg.ind_decisions_per_month, lang),
        dtv_month=_n(dtv["capacity_per_month"], lang),
        dtv_target=_n(cfg.dtv_target_caseload, lang),
        dtv_months=cfg.dtv_target_months,
        dtv_assumed=_n(cfg.dtv_cases_per_month, lang),
    )
    return Text(text + _two_numbers(capacity, lang))


def _two_numbers(capacity: pd.DataFrame, language: str) -> str:
    """Return the priority share and the regular deficit in words ('' if the solver has neither)."""
    rows = capacity.set_index("service")
    if not {"IND cohort priority", "IND regular stream"} <= set(rows.index):
        return ""
    prio, regular = rows.loc["IND cohort priority"], rows.loc["IND regular stream"]
    if prio["target_met"]:
        prio_text = _(
            " At the planned capacity, a TPD team with **{share} of capacity** meets the "
            "legal-term target (probability {probability}).",
            language,
        ).format(
            share=fmt_value(prio["priority_share"], "share", 0.01, language),
            probability=fmt_value(prio["probability_reached"], "share", 0.01, language),
        )
    else:
        prio_text = _(
            " At the planned capacity, not even all of it reserved for the cohort meets the legal-term target.",
            language,
        )
    if regular["deficit_per_month"] > 0:
        stream = _(
            " The regular asylum stream runs a deficit of **{cases} cases a month** (inflow minus "
            "planned capacity x realisation; probability of a deficit {probability}).",
            language,
        )
    else:
        stream = _(
            " The regular asylum stream runs a surplus of **{cases} cases a month** (inflow minus "
            "planned capacity x realisation; probability of a deficit {probability}).",
            language,
        )
    return prio_text + stream.format(
        cases=_n(abs(regular["deficit_per_month"]), language),
        probability=fmt_value(regular["probability_reached"], "share", 0.01, language),
    )


def assumptions_table(cfg: BacklogConfig, *, language: str | None = None) -> pd.DataFrame:
    """Return the backlog assumptions: parameter, value used, unit, meaning and source.

    The source is the one declared with the parameter (``param(..., source=...)``).
    """
    rows = []
    for name, info in type(cfg).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if not extra.get("source"):
            continue
        value = getattr(cfg, name)
        if isinstance(value, Distribution):  # in words, as report 06 prints its parameters
            shown = fmt_distribution(value, language, extra.get("unit"))
        elif hasattr(value, "model_dump"):
            shown = ", ".join(
                f"{k.replace('_', ' ')} {v:g}" if isinstance(v, float) else f"{k.replace('_', ' ')} {v}"
                for k, v in value.model_dump(exclude_none=True).items()
            )
        elif isinstance(value, bool):
            shown = t("yes" if value else "no", language)
        elif not isinstance(value, int | float):  # a setting: in words (oldest_first -> oldest first)
            shown = "–" if value is None else str(value).replace("_", " ")
        elif isinstance(value, tuple | list):  # a schedule of values: each in the unit
            shown = " / ".join(fmt_parameter(v, extra.get("unit"), language) for v in value) or "–"
        else:  # in its unit: a share as a percentage, a count with separators
            shown = fmt_parameter(value, extra.get("unit"), language)
        rows.append(
            {
                "parameter": f"backlog.{name}",
                "value": shown,
                "unit": extra.get("unit", ""),
                "meaning": in_words(i18n.gettext(info.description, language)) if info.description else "",
                "source": in_words(extra["source"]),
            }
        )
    return pd.DataFrame(rows)


#: Units of the path variables, re-exported for captions.
