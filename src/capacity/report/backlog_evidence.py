"""The backlog model's evidence: the historical replay against published figures and which input matters most.

Takes ``tables["backlog_validation"]`` and ``tables["backlog_sensitivity"]`` of the pipeline
and returns charts and texts (English and Dutch).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from capacity.report import Text, fmt_number, fmt_value, t
from capacity.report.charts import LIGHT

__all__ = ["sensitivity_chart", "sensitivity_text", "validation_chart", "validation_text"]


def validation_chart(validation: pd.DataFrame, *, language: str = "en") -> go.Figure:
    """Return the replay against the published figures: penalties and year-end backlog."""
    panels = (("penalty_eur", 1e6, "penalty_eur_m"), ("backlog_end", 1.0, "backlog_end"))
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t(k, language) for *_, k in panels])
    for col, (quantity, scale, _) in enumerate(panels, start=1):
        part = validation[validation["quantity"] == quantity]
        years = part["year"].astype(str)
        fig.add_trace(go.Scatter(
            x=years, y=part["sim_median"] / scale, mode="markers", name=t("simulated", language),
            marker={"color": "#1f77b4", "size": 10}, showlegend=col == 1,
            error_y={"type": "data", "symmetric": False,
                     "array": (part["sim_p90"] - part["sim_median"]) / scale,
                     "arrayminus": (part["sim_median"] - part["sim_p10"]) / scale}), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=years, y=part["observed"] / scale, mode="markers", name=t("published", language),
            marker={"color": "#d62728", "symbol": "x", "size": 11}, showlegend=col == 1),
            row=1, col=col)
    fig.update_layout(title=t("validation_title", language), template=LIGHT,
                      height=380, legend={"orientation": "h", "y": -0.15})
    return fig


def validation_text(validation: pd.DataFrame, *, language: str = "en") -> Text:
    """Return the replay's verdict in words: the fit, the calibration years and 2025."""
    pen = validation[validation["quantity"] == "penalty_eur"].set_index("year")
    share = fmt_value(pen["calibrated_notice_share"].iloc[0], "share", 0.01, language)
    lag = fmt_number(pen["calibrated_lag_days"].iloc[0], language)

    def eur(x: float) -> str:
        return fmt_value(x, "EUR", 100_000, language)

    def inside(year: int) -> bool:
        return bool(pen.loc[year, "sim_p10"] <= pen.loc[year, "observed"] <= pen.loc[year, "sim_p90"])

    at_bound = pen["calibrated_notice_share"].iloc[0] >= 0.999
    bound = {"en": (" The fitted share reaches its upper bound: with the 15-month term the model "
                    "sends too few notices and runs up too little in 2023, so part of the 2023 "
                    "notices and payments was probably owed on the 6-month term (contested "
                    "extension)." if at_bound else ""),
             "nl": (" Het aandeel loopt tegen zijn bovengrens: met de termijn van 15 maanden "
                    "verstuurt het model in 2023 te weinig ingebrekestellingen en loopt er te "
                    "weinig op, dus een deel daarvan ging waarschijnlijk over de termijn van 6 "
                    "maanden (betwiste verlenging)." if at_bound else "")}
    notices = validation[validation["quantity"] == "notices_of_default"].set_index("year")
    forecast_share = fmt_value(pen["forecast_notice_share"].iloc[0], "share", 0.01, language) \
        if "forecast_notice_share" in pen else None
    extra = {"en": "", "nl": ""}
    if 2024 in notices.index:
        row = notices.loc[2024]
        n_obs, n_sim = fmt_number(row["observed"], language), fmt_number(round(row["sim_median"], -2), language)
        extra = {"en": f" Notices of default 2024 (out of sample): published {n_obs}, simulated {n_sim}.",
                 "nl": f" Ingebrekestellingen 2024 (buiten de kalibratie): gepubliceerd {n_obs}, "
                       f"gesimuleerd {n_sim}."}
    if forecast_share is not None:
        extra["en"] += (f" The forecast does not take this fit over: it draws its own notice share "
                        f"(central {forecast_share}).")
        extra["nl"] += (f" De prognose neemt deze schatting niet over: zij trekt een eigen aandeel "
                        f"(centraal {forecast_share}).")
    if forecast_share is not None and "penalty_eur_replay_notices" in pen:
        extra = _notice_effect(pen.iloc[0], at_bound, language, extra)
    out = pen.loc[2025]
    miss = fmt_value(abs(out["miss_median"]), "share", 0.01, language)
    parts = []
    for year in (2023, 2024):
        row = pen.loc[year]
        label = "" if row["sample"] == "calibration" else (
            " (buiten de kalibratie)" if language == "nl" else " (out of sample)")
        if language == "nl":
            parts.append(f"{year}{label}: gepubliceerd {eur(row['observed'])}, gesimuleerd "
                         f"{eur(row['sim_median'])} ({eur(row['sim_p10'])} tot {eur(row['sim_p90'])}; "
                         f"{'binnen' if inside(year) else 'buiten'} de 80%-band)")
        else:
            parts.append(f"{year}{label}: published {eur(row['observed'])}, simulated "
                         f"{eur(row['sim_median'])} ({eur(row['sim_p10'])} to {eur(row['sim_p90'])}; "
                         f"{'inside' if inside(year) else 'outside'} the 80 % band)")
    if language == "nl":
        side = "lager" if out["miss_median"] < 0 else "hoger"
        text = (f"Gekalibreerd op 2023 (ingebrekestellingen en dwangsommen): aandeel "
                f"ingebrekestellingen {share}, vertraging "
                f"{lag} dagen. {'; '.join(parts)}. **2025 buiten de kalibratie**: gepubliceerd "
                f"{eur(out['observed'])}, gesimuleerd {eur(out['sim_median'])} ({miss} {side}; "
                f"80%-band {eur(out['sim_p10'])} tot {eur(out['sim_p90'])}). De sprong in 2025 "
                "komt in het model van de teruggedraaide verlenging tot 15 maanden. Het "
                "gepubliceerde bedrag is wat in het jaar is uitbetaald, het model telt wat in het "
                "jaar oploopt; de maand van de terugdraaiing staat niet in de data (aanname: "
                "januari 2025)." + bound["nl"] + extra["nl"])
    else:
        side = "below" if out["miss_median"] < 0 else "above"
        text = (f"Calibrated on 2023 (notices of default and penalties): notice share {share}, "
                f"notice lag {lag} days. "
                f"{'; '.join(parts)}. **2025 out of sample**: published {eur(out['observed'])}, "
                f"simulated {eur(out['sim_median'])} ({miss} {side}; 80 % band "
                f"{eur(out['sim_p10'])} to {eur(out['sim_p90'])}). In the model the 2025 jump "
                "comes from the reversed 15-month extension. The published amount is what was "
                "paid in the year, the model counts what was run up in the year; the month of "
                "the reversal is not in the data (assumption: January 2025)." + bound["en"] + extra["en"])
    return Text(text)


def _notice_effect(row: pd.Series, at_bound: bool, language: str, extra: dict[str, str]) -> dict[str, str]:
    """Add why the forecast keeps its own notice parameters and what the replay's fit would change."""

    def eur(x: float) -> str:
        return fmt_value(x, "EUR", 100_000, language)

    own = (fmt_value(row["forecast_notice_share"], "share", 0.01, language),
           fmt_number(row["forecast_notice_lag_days"], language))
    fit = (fmt_value(row["calibrated_notice_share"], "share", 0.01, language),
           fmt_number(row["calibrated_lag_days"], language))
    base, alt = eur(row["penalty_eur_forecast_notices"]), eur(row["penalty_eur_replay_notices"])
    base3, alt3 = eur(row["penalty_eur_3y_forecast_notices"]), eur(row["penalty_eur_3y_replay_notices"])
    change = fmt_value(row["penalty_eur_replay_notices"] / max(row["penalty_eur_forecast_notices"], 1.0) - 1,
                       "share", 0.01, language)
    why = {"en": (" Why: the fit sits at its bounds (share capped, lag 0 days), so it measures the "
                  "replay's shortfall of late cases in 2023 rather than how many late applicants "
                  "send a notice." if at_bound else ""),
           "nl": (" Reden: de schatting ligt op haar grenzen (aandeel afgekapt, vertraging 0 dagen), "
                  "dus zij meet vooral het tekort aan te late zaken in de naspeling van 2023, niet "
                  "hoeveel aanvragers in gebreke stellen." if at_bound else "")}
    if language == "nl":
        extra["nl"] += (f" Verschil: de prognose gebruikt aandeel {own[0]} en vertraging {own[1]} dagen, "
                        f"de naspeling {fit[0]} en {fit[1]} dagen.{why['nl']} Effect op dezelfde paden "
                        f"(cohort uit de parameters, zonder latere aankomsten): dwangsommen over de "
                        f"looptijd {base} met de eigen waarden, **{alt} met de schatting** ({change} "
                        f"hoger); in de eerste drie jaar {base3} tegen {alt3}.")
    else:
        extra["en"] += (f" The difference: the forecast uses a share of {own[0]} and a lag of {own[1]} "
                        f"days, the replay {fit[0]} and {fit[1]} days.{why['en']} Effect on the same "
                        f"paths (the parameters' cohort, no later arrivals): penalties over the run "
                        f"{base} with the forecast's values, **{alt} with the replay's** ({change} "
                        f"higher); in the first three years {base3} against {alt3}.")
    return extra


def sensitivity_chart(table: pd.DataFrame, *, language: str = "en") -> go.Figure:
    """Return bars of the total-order Sobol indices per output (inputs above 1 %)."""
    outputs = list(dict.fromkeys(table["output"]))
    fig = make_subplots(rows=1, cols=len(outputs),
                        subplot_titles=[t(f"output_{o}", language) for o in outputs])
    for col, output in enumerate(outputs, start=1):
        part = table[(table["output"] == output) & _findings(table)]
        part = part.sort_values("total_order").assign(ci_low=lambda d: d["ci_low"].clip(lower=0.0))
        fig.add_trace(go.Bar(
            y=[t(f"input_{p}", language) for p in part["parameter"]], x=part["total_order"],
            orientation="h", showlegend=False, marker={"color": "#1f77b4"},
            error_x={"type": "data", "symmetric": False,
                     "array": part["ci_high"] - part["total_order"],
                     "arrayminus": part["total_order"] - part["ci_low"]}), row=1, col=col)
    title = ("Which assumption matters most (total-order Sobol index)" if language != "nl"
             else "Welke aanname telt het zwaarst (totale Sobol-index)")
    fig.update_layout(title=title, template=LIGHT, height=420,
                      margin={"l": 10})
    return fig


def _findings(table: pd.DataFrame) -> pd.Series:
    """Rows whose total-order index is a finding (interval above the threshold, never negative)."""
    if "finding" in table:
        return table["finding"].astype(bool) & (table["total_order"] > 0)
    return table["total_order"] >= 0.01


def sensitivity_text(table: pd.DataFrame, *, language: str = "en") -> Text:
    """Return the three inputs that matter most for late decisions and for penalties."""
    def top(output: str) -> str:
        part = table[(table["output"] == output) & _findings(table)]
        part = part.sort_values("total_order", ascending=False).head(3)
        if part.empty:
            return "-"
        return ", ".join(f"{t('input_' + p, language)} ({fmt_value(v, 'share', 0.01, language)})"
                         for p, v in zip(part["parameter"], part["total_order"], strict=True))

    if language == "nl":
        text = (f"Voor **te late beslissingen** tellen het zwaarst: {top('late_decisions')}. Voor "
                f"**dwangsommen**: {top('penalty_eur')}. Voor de tijd tot de achterstand weg is: "
                f"{top('months_to_clear')}. Tussen haakjes het deel van de variantie dat de "
                "aanname (met haar wisselwerkingen) verklaart.")
    else:
        text = (f"For **late decisions** the inputs that matter most are: {top('late_decisions')}. "
                f"For **penalties**: {top('penalty_eur')}. For months to clear: "
                f"{top('months_to_clear')}. In brackets the share of the variance the input "
                "explains, its interactions included.")
    return Text(text)
