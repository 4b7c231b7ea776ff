"""Figures and tables of the arrivals and departures report (no model code, no file I/O)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity import forecast
from capacity.forecast.backtest import summary
from capacity.forecast.population import PopulationPaths
from capacity.params import Scenario
from capacity.report import fan_chart, t

_LABELS: dict[str, dict[str, str]] = {
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


def label(key: str, language: str = "en") -> str:
    """Return a report label (own labels first, then ``capacity.report.t``)."""
    entry = _LABELS.get(key)
    return t(key, language) if entry is None else entry.get(language, entry["en"])


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
    return fan_chart(population.table(), variable, history=history_points(history, variable),
                     y_title=unit, language=language)


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
                      annotation_text=f"{label('target', language)} {nominal:.0%}")
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(title=f"{label(series, language) if series in _LABELS else t(series, language)}: "
                            f"{label(metric, language)}",
                      xaxis_title=label("horizon", language), template="plotly_white", height=400,
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
    fig.update_layout(title=label(f"scenario_compare_{variable}", language), template="plotly_white",
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
    return fan_chart(departure_rate_table(population), "departure_rate", title=label("departure_rate", language),
                     history=departure_rate_history(history, denominator=denominator),
                     y_title=label("departure_rate", language), language=language, percent=True)
