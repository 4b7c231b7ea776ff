"""Figures and tables of the arrivals and departures report (no model code, no file I/O)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity import forecast
from capacity.forecast import PopulationPaths
from capacity.forecast.backtest import summary
from capacity.params import Scenario
from capacity.report import Text, fan_chart, fmt_month, fmt_number, t
from capacity.report.charts import LIGHT


def history_points(history: pd.DataFrame, variable: str, *, since: str | None = "2022-09-01") -> pd.DataFrame:
    """Return ``date, value, flag`` of a variable's non-missing history (for fan charts)."""
    rows = history[(history["variable"] == variable) & (history["flag"] != "missing")]
    if since is not None:
        rows = rows[rows["date"] >= pd.Timestamp(since)]
    return rows[["date", "value", "flag"]].sort_values("date").reset_index(drop=True)


def population_fan(population: PopulationPaths, history: pd.DataFrame, variable: str, *,
                   language: str = "en") -> go.Figure:
    """Fan chart (median, 50/67/95 %) of one forecast variable with its history."""
    unit = t("persons", language) if variable == "registered" else t("persons_per_month", language)
    fig = fan_chart(population.table(), variable, history=history_points(history, variable),
                    y_title=unit, language=language)
    end = population.jump_off_date
    fig.add_vline(x=end, line_dash="dot", line_color="gray")
    fig.add_annotation(x=end, y=1, yref="paper", showarrow=False, xanchor="right",
                       text="laatste telling" if language == "nl" else "last count")
    return fig


def quality_box(gap: pd.DataFrame, stock: pd.DataFrame, history: pd.DataFrame, *,
                language: str = "en") -> Text:
    """Return the forecast-quality box in plain words (top of report 02).

    How the latest published counts sit in the band forecast from the first count after
    the data end (the gap check), how often the stock backtest's bands held the published
    count 1-6 months ahead, on how few counts that rests, and the last observed month of
    each input.
    """
    nl = language == "nl"
    lines = ["**Hoe goed is de voorspelling?**" if nl else "**How good is the forecast?**", ""]
    if not gap.empty:
        start = gap["start_date"].iloc[0]
        parts = []
        for _, row in gap.iterrows():
            where = ("binnen de 80%-band" if nl else "inside the 80 % band") if row["inside_80"] else (
                ("binnen de 95%-band, buiten de 80%-band" if nl else "inside the 95 % band, outside the 80 % band")
                if row["inside_95"] else ("buiten de 95%-band" if nl else "outside the 95 % band"))
            parts.append(f"{fmt_month(row['date'], language)} ({fmt_number(row['observed'], language)}): {where}")
        lead = (f"- Voorspeld vanaf de telling van {fmt_month(start, language)} liggen de later gepubliceerde "
                "aantallen ingeschrevenen zo: " if nl else
                f"- Forecast from the count of {fmt_month(start, language)}, the registered counts published "
                "since sit as follows: ")
        lines.append(lead + "; ".join(parts) + (
            ". De ijking van de banden heeft deze tellingen wel gezien; de toets hieronder niet." if nl else
            ". The band calibration has seen these counts; the backtest below has not."))
    rows = stock[(stock["horizon"] <= 6) & (stock["n"] > 0)]
    n = int(rows["n"].sum())
    if n:
        hit80 = int(round(float((rows["coverage_80"] * rows["n"]).sum())))
        hit95 = int(round(float((rows["coverage_95"] * rows["n"]).sum())))
        counts = int(stock["n_counts"].max())
        if nl:
            lines.append(f"- Toets op het verleden van het aantal ingeschrevenen zelf (1-6 maanden vooruit): de "
                         f"80%-band bevatte het gepubliceerde aantal in {hit80} van {n} voorspellingen, de "
                         f"95%-band in {hit95} van {n}. Dat rust op weinig gepubliceerde tellingen (per horizon "
                         f"hooguit {counts}): lees de banden als een ruwe maat, niet als exacte kansen.")
        else:
            lines.append(f"- Backtest of the registered count itself (1-6 months ahead): the 80 % band held the "
                         f"published count in {hit80} of {n} forecasts, the 95 % band in {hit95} of {n}. This "
                         f"rests on few published counts (at most {counts} per horizon): read the bands as a "
                         "rough guide, not as exact odds.")
    else:
        lines.append("- Te weinig gepubliceerde tellingen voor een toets op het verleden." if nl else
                     "- Too few published counts to backtest the registered count.")
    lines.append("- De banden zijn geijkt op de fouten van het aantal ingeschrevenen zelf, niet alleen op die "
                 "van instroom en vertrek." if nl else
                 "- The bands are calibrated on the errors of the registered count itself, not only on those of "
                 "arrivals and departures.")
    last = []
    names = {"arrivals": ("instroom (Eurostat)", "arrivals (Eurostat)"),
             "departures": ("vertrek (CBS, cumulatief)", "departures (CBS, cumulative)"),
             "registered": ("ingeschrevenen (BRP)", "registered (BRP)")}
    for var, (name_nl, name_en) in names.items():
        have = history[(history["variable"] == var) & history["value"].notna() & (history["flag"] != "missing")]
        if var == "departures":
            anchors = have["note"].astype(str).str.extract(r"and (\d{4}-\d{2}-\d{2})", expand=False).dropna()
            month = pd.Timestamp(anchors.max()) if not anchors.empty else None
        else:
            obs = have[have["flag"] == "observed"]
            month = obs["date"].max() if not obs.empty else None
        if month is not None and pd.notna(month):
            last.append(f"{name_nl if nl else name_en} {fmt_month(month, language)}")
    if last:
        lines.append(("- Laatste waargenomen maand per bron: " if nl else "- Last observed month of each input: ")
                     + "; ".join(last) + ".")
    return Text("\n".join(lines))


def stock_backtest_note(stock: pd.DataFrame, *, language: str = "en") -> Text:
    """Say which horizons of the stock backtest are too thin to calibrate on their own, with their counts."""
    from capacity.forecast.stock import THIN

    thin = stock[stock["n"] < THIN]
    if thin.empty:
        return Text("")
    parts = ", ".join(f"{int(h)} ({int(n)})" for h, n in zip(thin["horizon"], thin["n"], strict=True))
    if language == "nl":
        return Text(f"Te weinig punten om per horizon te ijken (minder dan {THIN} voorspellingen); horizon "
                    f"(aantal voorspellingen): {parts}. De ijking deelt daarom één foutmodel over alle horizons "
                    "(variantie groeit lineair met de maanden sinds de laatste telling).")
    return Text(f"Too few points to calibrate each horizon on its own (fewer than {THIN} forecasts); horizon "
                f"(forecasts): {parts}. The calibration therefore pools one error model over all horizons "
                "(variance growing linearly with the months since the last count).")


def scorecard_summary(scorecard: pd.DataFrame, *, horizons: tuple[int, int] = (1, 6)) -> pd.DataFrame:
    """Return the backtest scorecard averaged over ``horizons``, rounded for display."""
    table = summary(scorecard, horizons=horizons)
    return table.round({"mae": 4, "mase": 3, "coverage_50": 3, "coverage_80": 3, "coverage_95": 3,
                        "winkler_80": 4, "weight": 3, "mase_rel_naive": 3})


def scorecard_chart(scorecard: pd.DataFrame, *, series: str = "arrivals", metric: str = "mase",
                    language: str = "en") -> go.Figure:
    """Line chart of a backtest metric by horizon, one line per model (ensemble bold)."""
    rows = scorecard[scorecard["series"] == series]
    fig = go.Figure()
    for model, d in rows.groupby("model", sort=False):
        bold = model == "ensemble"
        fig.add_trace(go.Scatter(x=d["h"], y=d[metric], mode="lines+markers", name=model,
                                 line={"width": 4 if bold else 1.5}))
    if metric.startswith("coverage_"):
        nominal = int(metric.split("_")[1]) / 100
        fig.add_hline(y=nominal, line_dash="dash", line_color="gray",
                      annotation_text=f"{t('target', language)} {nominal:.0%}")
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(title=f"{t(series, language)}: "
                            f"{t(metric, language)}",
                      xaxis_title=t("horizon", language), template=LIGHT, height=400,
                      legend={"orientation": "h", "y": -0.2})
    return fig


def scenario_comparison(tables: dict[str, pd.DataFrame], *, variable: str = "registered",
                        language: str = "en") -> go.Figure:
    """Median and 80 % band of ``variable`` per scenario (tables in the quantile contract)."""
    fig = go.Figure()
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    for i, (name, table) in enumerate(tables.items()):
        rows = table[table["variable"] == variable].sort_values("date")
        colour = palette[i % len(palette)]
        rgb = tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.90"], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.10"], mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=f"rgba{(*rgb, 0.12)}", showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.50"], mode="lines", name=name,
                                 line={"color": colour, "width": 2.5}))
    unit = t("persons", language) if variable == "registered" else t("persons_per_month", language)
    fig.update_layout(title=t(f"scenario_compare_{variable}", language), template=LIGHT,
                      height=450, yaxis_title=unit, legend={"orientation": "h", "y": -0.15})
    return fig


def assumptions_table(scn: Scenario) -> pd.DataFrame:
    """Return the scenario's shocks and stated assumptions, one row each."""
    rows = []
    for s in scn.forecast.shocks:
        size = s.size.model_dump(exclude_none=True)
        rows.append({"item": s.name, "target": s.target, "start": f"{s.start:%Y-%m}",
                     "shape": s.shape, "duration_months": s.duration_months, "kind": s.kind,
                     "size": ", ".join(f"{k}={v}" for k, v in size.items()), "source": s.source})
    for a in scn.meta.assumptions:
        rows.append({"item": "assumption", "target": "", "start": "", "shape": "", "duration_months": None,
                     "kind": "", "size": "", "source": a})
    if not rows:
        rows.append({"item": "baseline", "target": "", "start": "", "shape": "", "duration_months": None,
                     "kind": "", "size": "", "source": "no shocks: the war goes on as in the data"})
    return pd.DataFrame(rows)


def data_status(history: pd.DataFrame, population: PopulationPaths) -> pd.DataFrame:
    """Return per series the last month with data and what is forecast (not data) after it."""
    rows = []
    for var in ("arrivals", "departures", "registered"):
        have = history[(history["variable"] == var) & history["value"].notna()]
        observed = have[have["flag"] == "observed"]
        last = have["date"].max()
        last_obs = observed["date"].max() if not observed.empty else pd.NaT
        rows.append({"series": var, "last_month_with_value": last, "last_observed_month": last_obs,
                     "flags": ", ".join(sorted(have["flag"].unique())),
                     "forecast_not_data_from": (last + pd.offsets.MonthBegin(1)) if var != "registered"
                     else population.dates[0]})
    return pd.DataFrame(rows)


def departures_check(history: pd.DataFrame, population: PopulationPaths) -> pd.DataFrame:
    """Compare the departures and registered count with the monitor report's facts.

    Facts (monitor_report_facts.csv): 8,215 departed 1 May - 1 Nov 2024 (about 1,369 per
    month); 120,680 registered on 28 Feb 2025 and 120,820 in March 2025 (jump-off).
    """
    hist = history[(history["variable"] == "departures") & history["date"].between("2024-05-01", "2024-10-01")]
    dep = population.departures
    first6 = dep[:, :6].mean(axis=1)
    return pd.DataFrame([
        {"fact": "departed 1 May - 1 Nov 2024, per month (CBS via monitor report)", "published": 8215 / 6,
         "model": float(hist["value"].mean()) if not hist.empty else np.nan,
         "note": "history series (CBS counts spread over months)"},
        {"fact": "departures per month, first 6 forecast months (median of paths)", "published": 8215 / 6,
         "model": float(np.median(first6)), "note": "rate x registered; larger stock than in 2024"},
        {"fact": "registered at jump-off (BRP)", "published": population.jump_off_registered,
         "model": population.jump_off_registered, "note": f"{population.jump_off_date:%Y-%m}, paths start here"},
    ])


def scenario_long(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Stack scenario quantile tables into one long table with a ``scenario`` column first."""
    parts = [table.assign(scenario=name) for name, table in tables.items()]
    out = pd.concat(parts, ignore_index=True)
    return out[["scenario", *[c for c in out.columns if c != "scenario"]]]


def departure_rate_table(population: PopulationPaths) -> pd.DataFrame:
    """Quantile table of the departure rate implied by the paths (departures / registered[t-1], share)."""
    from capacity.quantiles import summarise

    previous = np.concatenate([np.full((population.n_paths, 1), population.jump_off_registered),
                               population.registered[:, :-1]], axis=1)
    return summarise(population.departures / previous, population.dates, "departure_rate")


def departure_rate_history(history: pd.DataFrame, *, denominator: str = "registered",
                           since: str = "2022-09-01") -> pd.DataFrame:
    """Return ``date, value`` of the historical departure rate the models fit (share per month)."""
    rate = forecast.departure_rate(history, denominator=denominator).dropna()
    rate = rate[rate.index >= pd.Timestamp(since)]
    return pd.DataFrame({"date": rate.index, "value": rate.to_numpy()})


def departure_rate_fan(population: PopulationPaths, history: pd.DataFrame, *, denominator: str = "registered",
                       language: str = "en") -> go.Figure:
    """Fan chart of the monthly departure rate (share of the registered population)."""
    return fan_chart(departure_rate_table(population), "departure_rate", title=t("departure_rate", language),
                     history=departure_rate_history(history, denominator=denominator),
                     y_title=t("departure_rate", language), language=language, percent=True)


def identity_text(population: PopulationPaths, *, language: str = "en") -> Text:
    """Say that the stock identity holds on every path, with its largest breach in persons."""
    breach = fmt_number(population.identity_error(), language, 0)
    if language == "nl":
        return Text(f"De voorraadvergelijking (ingeschreven = vorige maand + instroom − vertrek + rest) "
                    f"klopt op elk pad: de grootste afwijking is {breach} personen.")
    return Text(f"The stock identity (registered = last month + arrivals − departures + residual) holds "
                f"on every path: the largest breach is {breach} persons.")
