"""The backlog model's evidence: the historical replay against published figures and which input matters most.

Takes ``tables["backlog_validation"]`` and ``tables["backlog_sensitivity"]`` of the pipeline
and returns charts and texts (English and Dutch).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from capacity import i18n
from capacity.i18n import N_, _, pgettext
from capacity.report import Text, fmt_number, fmt_value, t
from capacity.report.charts import LIGHT, PERCENT_TICKS, described, hover
from capacity.report.format import fmt_range

__all__ = [
    "sensitivity_caption",
    "sensitivity_chart",
    "sensitivity_table",
    "sensitivity_text",
    "validation_chart",
    "validation_text",
]


def validation_chart(validation: pd.DataFrame, *, language: str | None = None) -> go.Figure:
    """Return the replay against the published figures: penalties and year-end backlog."""
    panels = (("penalty_eur", 1e6, "penalty_eur_m"), ("backlog_end", 1.0, "backlog_end"))
    units = {"penalty_eur": ("EUR", 100_000), "backlog_end": ("cases", 100)}
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t(k, language) for *_rest, k in panels])
    simulated, published = t("simulated", language), t("published", language)
    said = []
    for col, (quantity, scale, key) in enumerate(panels, start=1):
        part = validation[validation["quantity"] == quantity].sort_values("year")
        years = part["year"].astype(str)
        unit, step = units[quantity]
        sims = [
            _("{median} (80 % band {range})", language).format(
                median=fmt_value(m, unit, step, language), range=fmt_range(a, b, unit, step, language)
            )
            for m, a, b in zip(part["sim_median"], part["sim_p10"], part["sim_p90"], strict=True)
        ]
        seen = [fmt_value(v, unit, step, language) for v in part["observed"]]
        fig.add_trace(
            go.Scatter(
                x=years,
                y=part["sim_median"] / scale,
                mode="markers",
                name=t("simulated", language),
                marker={"color": "#1f77b4", "size": 10},
                showlegend=col == 1,
                text=sims,
                hovertemplate=hover(simulated),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["sim_p90"] - part["sim_median"]) / scale,
                    "arrayminus": (part["sim_median"] - part["sim_p10"]) / scale,
                },
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=part["observed"] / scale,
                mode="markers",
                name=t("published", language),
                marker={"color": "#d62728", "symbol": "x", "size": 11},
                showlegend=col == 1,
                text=seen,
                hovertemplate=hover(published),
            ),
            row=1,
            col=col,
        )
        compared = part[part["observed"].notna()]
        if not compared.empty:
            i = len(part) - 1 - list(part["observed"].notna())[::-1].index(True)
            said.append(
                _(VALIDATION_SUMMARY, language).format(
                    name=t(key, language), year=years.iloc[i], simulated=sims[i], published=seen[i]
                )
            )
    fig.update_layout(
        title=t("validation_title", language), template=LIGHT, height=380, legend={"orientation": "h", "y": -0.15}
    )
    return described(fig, " ".join(said), language)


#: The caption of the replay against the published figures: the last year with a published figure.
VALIDATION_SUMMARY = N_("{name} in {year}: simulated {simulated}, published {published}.")


def validation_text(validation: pd.DataFrame, *, language: str | None = None) -> Text:
    """Return the replay's verdict in words: the fit, the calibration years and 2025.

    ``language``: the page's; default the kernel's.
    """
    lang = i18n.language(language)
    pen = validation[validation["quantity"] == "penalty_eur"].set_index("year")

    def eur(x: float) -> str:
        return fmt_value(x, "EUR", 100_000, lang)

    def inside(year: int) -> bool:
        return bool(pen.loc[year, "sim_p10"] <= pen.loc[year, "observed"] <= pen.loc[year, "sim_p90"])

    at_bound = pen["calibrated_notice_share"].iloc[0] >= 0.999
    extra = ""
    if at_bound:
        extra += _(
            " The fitted share reaches its upper bound: with the 15-month term the model sends too "
            "few notices and runs up too little in 2023, so part of the 2023 notices and payments "
            "was probably owed on the 6-month term (contested extension).",
            lang,
        )
    notices = validation[validation["quantity"] == "notices_of_default"].set_index("year")
    if 2024 in notices.index:
        row = notices.loc[2024]
        extra += _(
            " Notices of default 2024 (out of sample): published {published}, simulated {simulated}.", lang
        ).format(published=fmt_number(row["observed"], lang), simulated=fmt_number(round(row["sim_median"], -2), lang))
    if "forecast_notice_share" in pen:
        extra += _(
            " The forecast takes this fit over (notice share {share}, lag {lag} days): at its bounds, every "
            "late case sends a notice of default at once.",
            lang,
        ).format(
            share=fmt_value(pen["forecast_notice_share"].iloc[0], "share", 0.01, lang),
            lag=fmt_number(pen["forecast_notice_lag_days"].iloc[0], lang),
        )
        if "penalty_eur_previous_notices" in pen:
            extra += _notice_effect(pen.iloc[0], at_bound, lang)
    years = []
    for year in (2023, 2024):
        row = pen.loc[year]
        msg = (
            _("{year}: published {published}, simulated {simulated} ({low} to {high}; {where} the 80 % band)", lang)
            if row["sample"] == "calibration"
            else _(
                "{year} (out of sample): published {published}, simulated {simulated} ({low} to {high}; "
                "{where} the 80 % band)",
                lang,
            )
        )
        years.append(
            msg.format(
                year=year,
                published=eur(row["observed"]),
                simulated=eur(row["sim_median"]),
                low=eur(row["sim_p10"]),
                high=eur(row["sim_p90"]),
                where=pgettext("band", "inside", lang) if inside(year) else pgettext("band", "outside", lang),
            )
        )
    out = pen.loc[2025]
    text = (
        _(
            "Calibrated on 2023 (notices of default and penalties): notice share {share}, notice lag "
            "{lag} days. {years}. **2025 out of sample**: published {published}, simulated {simulated} "
            "({miss} below; 80 % band {low} to {high}).",
            lang,
        )
        if out["miss_median"] < 0
        else _(
            "Calibrated on 2023 (notices of default and penalties): notice share {share}, notice lag "
            "{lag} days. {years}. **2025 out of sample**: published {published}, simulated {simulated} "
            "({miss} above; 80 % band {low} to {high}).",
            lang,
        )
    )
    text = text.format(
        share=fmt_value(pen["calibrated_notice_share"].iloc[0], "share", 0.01, lang),
        lag=fmt_number(pen["calibrated_lag_days"].iloc[0], lang),
        years="; ".join(years),
        published=eur(out["observed"]),
        simulated=eur(out["sim_median"]),
        miss=fmt_value(abs(out["miss_median"]), "share", 0.01, lang),
        low=eur(out["sim_p10"]),
        high=eur(out["sim_p90"]),
    )
    text += _(
        " In the model the 2025 jump comes from the reversed 15-month extension. The published "
        "amount is what was paid in the year, the model counts what was run up in the year; the "
        "month of the reversal is not in the data (assumption: January 2025).",
        lang,
    )
    return Text(text + extra)


def _notice_effect(row: pd.Series, at_bound: bool, language: str) -> str:
    """Return what the fit changes against the earlier notice values, and why it is taken at its bounds."""

    def eur(x: float) -> str:
        return fmt_value(x, "EUR", 100_000, language)

    why = (
        _(
            " The fit sits at its bounds (share capped, lag 0 days), so it may also measure the replay's "
            "shortfall of late cases in 2023; out of sample (2024 and 2025 together) it still misses "
            "less than the earlier values.",
            language,
        )
        if at_bound
        else ""
    )
    change = row["penalty_eur_forecast_notices"] / max(row["penalty_eur_previous_notices"], 1.0) - 1
    return _(
        " Before, the forecast used a share of {share} and a lag of {lag} days.{why} Effect on the same "
        "paths (the parameters' cohort, no later arrivals): penalties over the run **{alt} with the "
        "fit**, {base} with the earlier values ({change} higher); in the first three years {alt3} "
        "against {base3}.",
        language,
    ).format(
        share=fmt_value(row["previous_notice_share"], "share", 0.01, language),
        lag=fmt_number(row["previous_notice_lag_days"], language),
        why=why,
        base=eur(row["penalty_eur_previous_notices"]),
        alt=eur(row["penalty_eur_forecast_notices"]),
        base3=eur(row["penalty_eur_3y_previous_notices"]),
        alt3=eur(row["penalty_eur_3y_forecast_notices"]),
        change=fmt_value(change, "share", 0.01, language),
    )


def sensitivity_chart(table: pd.DataFrame, *, language: str | None = None) -> go.Figure:
    """Return bars of the total-order Sobol indices per output (inputs above 1 %).

    One panel under the other, each the page's full width: side by side, the inputs' names of
    one panel ran over the bars of the next. An estimate below 0 is noise (an index is a share
    of variance, never negative): it is drawn as 0 with its interval, and the caption says so.
    """
    outputs = [o for o in dict.fromkeys(table["output"]) if (_findings(table) & (table["output"] == o)).any()]
    sizes = [int((_findings(table) & (table["output"] == o)).sum()) for o in outputs] or [1]
    fig = make_subplots(
        rows=max(len(outputs), 1),
        cols=1,
        subplot_titles=[t(f"output_{o}", language) for o in outputs],
        row_heights=[float(n) for n in sizes],
        vertical_spacing=min(0.3 / max(len(outputs), 1), 0.08),
        shared_xaxes=True,
    )
    said = []
    for row, output in enumerate(outputs, start=1):
        part = table[(table["output"] == output) & _findings(table)].sort_values("total_order")
        estimate = part["total_order"].clip(lower=0.0)
        low, high = part["ci_low"].clip(lower=0.0), part["ci_high"].clip(lower=0.0)
        names = [t(f"input_{p}", language) for p in part["parameter"]]
        fig.add_trace(
            go.Bar(
                y=names,
                x=estimate,
                orientation="h",
                showlegend=False,
                marker={"color": "#1f77b4"},
                error_x={"type": "data", "symmetric": False, "array": high - estimate, "arrayminus": estimate - low},
                text=[
                    name
                    + ": "
                    + _("{index} (90 % interval {range})", language).format(
                        index=fmt_value(v, "share", 0.01, language), range=fmt_range(a, b, "share", 0.01, language)
                    )
                    for name, v, a, b in zip(names, estimate, low, high, strict=True)
                ],
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(automargin=True, row=row, col=1)
        if len(part):
            said.append(
                _(SENSITIVITY_LARGEST, language).format(
                    output=t(f"output_{output}", language),
                    input=names[-1],
                    index=fmt_value(estimate.iloc[-1], "share", 0.01, language),
                )
            )
    fig.update_xaxes(tickformat=PERCENT_TICKS, rangemode="tozero")
    fig.update_layout(
        title=_("Which assumption matters most (total-order Sobol index)", language),
        template=LIGHT,
        height=120 + 24 * sum(sizes) + 50 * len(outputs),
        margin={"l": 10, "r": 20},
    )
    summary = _(
        "Share of each output's variance that goes away if the input were known, with its 90 % "
        "bootstrap interval; inputs whose interval lies above 1 %. An estimate below 0 is noise "
        "and drawn as 0.",
        language,
    )
    return described(fig, " ".join([summary, *said]), language)


#: The caption's sentence on each output of the Sobol chart: the input that matters most.
SENSITIVITY_LARGEST = N_("{output}: most of all {input} ({index}).")


def sensitivity_caption(language: str | None = None) -> str:
    """Return the caption of the Sobol table (``language``: the page's; default the kernel's)."""
    return _("Sobol sensitivity indices", language)


#: The Sobol table's index columns: an index and its 90 % interval, as a share of the output's variance.
SOBOL_COLUMNS = {
    "total_order": ("ci_low", "ci_high", N_("total-order index (% of variance, 90 % interval)")),
    "first_order": (
        "first_order_ci_low",
        "first_order_ci_high",
        N_("first-order index (% of variance, 90 % interval)"),
    ),
}


def sensitivity_table(table: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the Sobol table for display: each index as a percentage of variance with its interval.

    ``27 % (21 % to 33 %)``: the estimate and its 90 % bootstrap interval as estimated, a negative
    end included (an index near 0 can be estimated below it; the chart clips its bars at 0, the
    table does not), rounded like the text above it (whole percents). The download keeps the numbers.
    """
    out = table.drop(columns=[c for lo_hi in SOBOL_COLUMNS.values() for c in lo_hi[:2]], errors="ignore")
    for column, (low, high, name) in SOBOL_COLUMNS.items():
        if column not in table:
            continue
        out[column] = [
            f"{fmt_value(v, 'share', 0.01, language)} ({_percent_range(lo, hi, language)})"
            for v, lo, hi in zip(table[column], table[low], table[high], strict=True)
        ]
        out = out.rename(columns={column: _(name, language)})
    return out


#: An interval of percentages, the sign once at its end: ``-1 to 4 %`` (a negative end is no difference of shares).
PERCENT_RANGE = N_("{low} to {high} %")


def _percent_range(low: float, high: float, language: str | None) -> str:
    """Return an interval of shares in whole percents, ``21 to 33 %``; equal ends once, ``1 %``."""
    lo, hi = (fmt_number(round(100 * float(v)), language) for v in (low, high))
    if lo == hi:
        return fmt_value(high, "share", 0.01, language)
    return _(PERCENT_RANGE, language).format(low=lo, high=hi)


def _findings(table: pd.DataFrame) -> pd.Series:
    """Rows whose total-order index is a finding (interval above the threshold, never negative)."""
    if "finding" in table:
        return table["finding"].astype(bool) & (table["total_order"] > 0)
    return table["total_order"] >= 0.01


def sensitivity_text(table: pd.DataFrame, *, language: str | None = None) -> Text:
    """Return the three inputs that matter most for late decisions and for penalties."""

    def top(output: str) -> str:
        part = table[(table["output"] == output) & _findings(table)]
        part = part.sort_values("total_order", ascending=False).head(3)
        if part.empty:
            return "-"
        return ", ".join(
            f"{t('input_' + p, language)} ({fmt_value(v, 'share', 0.01, language)})"
            for p, v in zip(part["parameter"], part["total_order"], strict=True)
        )

    return Text(
        _(
            "For **late decisions** the inputs that matter most are: {late}. For **penalties**: "
            "{penalties}. For months to clear: {clear}. In brackets the share of the variance the "
            "input explains, its interactions included.",
            language,
        ).format(late=top("late_decisions"), penalties=top("penalty_eur"), clear=top("months_to_clear"))
    )
