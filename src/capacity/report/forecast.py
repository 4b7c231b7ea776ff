"""Figures and tables of the arrivals and departures report (no model code, no file I/O)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.stats import norm

from capacity import forecast
from capacity.data import observed, reference_month
from capacity.forecast import PopulationPaths
from capacity.forecast.backtest import summary
from capacity.params import Scenario
from capacity.params.forecast import ForecastConfig
from capacity.report import Text, fan_chart, fmt_month, fmt_number, t
from capacity.report.charts import LIGHT, _base_layout, _dates_in
from capacity.report.format import fmt_value


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
    today = population.today
    if today is not None and pd.Timestamp(today) > pd.Timestamp(end):
        fig.add_vline(x=today, line_dash="dash", line_color="black")
        fig.add_annotation(x=today, y=1, yref="paper", showarrow=False, xanchor="left",
                           text="nu" if language == "nl" else "today")
    return fig


def quality_box(population: PopulationPaths, stock: pd.DataFrame, history: pd.DataFrame, *,
                headline: pd.DataFrame | None = None, language: str = "en") -> Text:
    """Return the forecast-quality box in plain words (top of report 02).

    What is counted, today's nowcast with its 80 % band and the months since the last
    count, the stock backtest's CRPS skill against a random walk with drift and the
    flows-only model, the 80 % band's coverage with its interval and the number of counts
    it rests on, and the last observed month of each input. With ``headline`` the nowcast
    is its ``registered_nowcast`` row (one figure, one value on every page).
    """
    from capacity.forecast.nowcast import TARGET
    from capacity.forecast.stock import pooled

    nl = language == "nl"
    lines = ["**Hoe goed is de voorspelling?**" if nl else "**How good is the forecast?**", ""]
    lines.append("- Voorspeld wordt het aantal ingeschrevenen in de BRP met bescherming onder de RTB (de "
                 "Kamerbrieven van het ministerie)." if nl else f"- The forecast counts those {TARGET}.")
    today = population.today if population.today is not None else population.jump_off_date
    row = None if headline is None else headline.set_index("key").loc["registered_nowcast"]
    if row is not None:
        p10, p50, p90 = float(row["p10"]), float(row["value"]), float(row["p90"])
    else:
        x = population.at(today)
        p10, p50, p90 = (float(np.quantile(x, q, method="inverted_cdf")) for q in (0.1, 0.5, 0.9))
    gap = forecast_months(population.jump_off_date, today)
    num = [fmt_value(v, "persons", 100, language) for v in (p50, p10, p90)]
    last, when = fmt_month(population.jump_off_date, language), fmt_month(today, language)
    if gap > 0:
        lines.append(f"- **Nu ({when}): naar schatting {num[0]}** ingeschrevenen (80% zekerheid: {num[1]} tot "
                     f"{num[2]}). De laatste telling is van {last}, {gap} maanden geleden: de schatting "
                     "combineert alle gepubliceerde tellingen en wordt onzekerder naarmate die ouder zijn."
                     if nl else
                     f"- **Now ({when}): an estimated {num[0]}** registered (80 % band {num[1]} to {num[2]}). "
                     f"The last count is of {last}, {gap} months ago: the estimate combines every published "
                     "count and grows less certain the older they are.")
    score = pooled(stock, 1, 6)
    if score["n"]:
        skill = fmt_value(score["skill"], "share", 0.01, language)
        cov = fmt_value(score["coverage_80"], "share", 0.01, language)
        rows = stock[(stock["horizon"] <= 6) & (stock["n"] > 0)]
        lo = fmt_value(float(rows["coverage_80_lo"].min()), "share", 0.01, language)
        hi = fmt_value(float(rows["coverage_80_hi"].max()), "share", 0.01, language)
        counts = int(score["n_counts"])
        flows = rows[rows["n_flows"] > 0]
        beat = "" if flows.empty else (
            (" en beter dan het model van alleen instroom en vertrek op elke horizon" if nl else
             " and better than the flows-only model at every horizon")
            if (flows["skill_flows"] > 0).all() else
            (" maar niet op elke horizon beter dan het model van alleen instroom en vertrek" if nl else
             " but not better than the flows-only model at every horizon"))
        if nl:
            lines.append(f"- Toets op het verleden (1-6 maanden vooruit, telkens met alleen de gegevens van "
                         f"toen): de voorspelde verdeling is {skill} beter (CRPS) dan een random walk met "
                         f"drift{beat}. De 80%-band bevatte de telling in {cov} van de voorspellingen (op "
                         f"{counts} tellingen per horizon; per horizon 95%-interval {lo} tot {hi}).")
        else:
            lines.append(f"- Backtest (1-6 months ahead, each time with the data of then only): the forecast "
                         f"distribution scores {skill} better (CRPS) than a random walk with drift{beat}. The "
                         f"80 % band held the count in {cov} of the forecasts (on {counts} counts per horizon; "
                         f"95 % intervals per horizon from {lo} to {hi}).")
    else:
        lines.append("- Te weinig gepubliceerde tellingen voor een toets op het verleden." if nl else
                     "- Too few published counts to backtest the registered count.")
    last_seen = []
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
            last_seen.append(f"{name_nl if nl else name_en} {fmt_month(month, language)}")
    if last_seen:
        lines.append(("- Laatste waargenomen maand per bron: " if nl else "- Last observed month of each input: ")
                     + "; ".join(last_seen) + ".")
    return Text("\n".join(lines))


def forecast_months(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Return the whole months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return max((end.year - start.year) * 12 + end.month - start.month, 0)


def stock_backtest_note(stock: pd.DataFrame, *, language: str = "en") -> Text:
    """Say at which horizons the stock backtest rests on few counts, and what its coverage can then tell."""
    from capacity.forecast.stock import THIN

    thin = stock[stock["n_counts"] < THIN]
    if thin.empty:
        return Text("")
    parts = ", ".join(f"{int(h)} ({int(n)})" for h, n in zip(thin["horizon"], thin["n_counts"], strict=True))
    if language == "nl":
        return Text(f"Minder dan {THIN} verschillende tellingen per horizon; horizon (tellingen): {parts}. Op zo "
                    "weinig tellingen is het 95%-interval van de dekking breed (kolommen dekking 80 laag/hoog): "
                    "de CRPS tegenover de benchmarks zegt meer dan de dekking.")
    return Text(f"Fewer than {THIN} distinct counts per horizon; horizon (counts): {parts}. On so few counts the "
                "95 % interval of the coverage is wide (columns coverage 80 low/high): the CRPS against the "
                "benchmarks says more than the coverage.")


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
    rate = np.divide(population.departures, previous, out=np.zeros_like(population.departures),
                     where=previous > 0)  # no one left to depart: a rate of 0, not NaN
    return summarise(rate, population.dates, "departure_rate")


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


#: Legend names of the published sources of the registered count (en, nl).
_SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "rtb_letter": ("Ministry letters (BRP, protection under the RTB)", "Kamerbrieven (BRP, bescherming onder de RTB)"),
    "table_press": ("Biweekly table, to the person", "Tweewekelijkse tabel, exact"),
    "press_rounded": ("Biweekly table as rounded in the press", "Tweewekelijkse tabel, afgerond in de pers"),
    "eurostat": ("Eurostat: holders of temporary protection, month end",
                 "Eurostat: houders van tijdelijke bescherming, einde maand"),
}


def nowcast_sources_chart(history: pd.DataFrame, cfg: ForecastConfig, *, headline: pd.DataFrame | None = None,
                          language: str = "en") -> go.Figure:
    """Chart every source's published counts with the nowcast's smoothed level and its 80 % band.

    The level and band are the state-space model's (:func:`capacity.forecast.population.fit_stock_nowcast`):
    smoothed up to the last count, then the filter's prediction up to the run's "today"
    (``cfg.as_of`` or the run date), both marked. With ``headline``, today's figure in the
    text alternative is its ``registered_nowcast`` row (the figure every page prints).

    Args:
        history: The long history with its counts (``attrs["registered_counts"]``).
        cfg: Forecast settings (``fit_start``, ``as_of``).
        headline: The run's headline table, or ``None``.
        language: ``en`` or ``nl``.

    Returns:
        A plotly figure; ``layout.meta["summary"]`` holds its text alternative.

    """
    from capacity.forecast.nowcast import SOURCES
    from capacity.forecast.population import fit_stock_nowcast, stock_counts

    nl = language == "nl"
    model = fit_stock_nowcast(history, cfg)
    today = max(reference_month(cfg.as_of), model.last_month)
    ahead = forecast_months(model.last_month, today)
    z = norm.ppf(0.9)
    level, sd = model.level, model.level_sd
    dates = list(model.months)
    if ahead > 0:
        means, variances = model.predict(ahead)
        level = np.concatenate([level, means])
        sd = np.concatenate([sd, np.sqrt(variances)])
        dates += list(pd.date_range(model.last_month, periods=ahead + 1, freq="MS")[1:])
    x = [d.strftime("%Y-%m-%d") for d in dates]
    lo, mid, hi = (np.round(np.exp(level + k * z * sd)) for k in (-1, 0, 1))
    band = t("band", language, p=80)
    traces = [
        go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"),
        go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, fill="tonexty", fillcolor="rgba(31,119,180,0.25)",
                   name=band),
        go.Scatter(x=x, y=mid, mode="lines", line={"color": "rgb(31,119,180)"},
                   name="Actuele schatting (mediaan)" if nl else "Nowcast (median)"),
    ]
    start = pd.Timestamp(cfg.fit_start)
    counts = stock_counts(history)
    counts = counts[pd.to_datetime(counts["date"]) >= start]
    source = np.where((counts["series"] == "table_press") & (counts["value"] % 1000 == 0), "press_rounded",
                      counts["series"])
    eurostat = observed(history, "tp_stock")
    eurostat = eurostat[eurostat.index >= start]
    symbols = {"rtb_letter": "diamond", "table_press": "circle", "press_rounded": "circle-open",
               "eurostat": "x"}
    n = {}
    for name in SOURCES:
        if name == "eurostat":
            days, values = eurostat.index + pd.offsets.MonthEnd(0), eurostat.to_numpy()
        else:
            pick = counts[source == name]
            days, values = pd.to_datetime(pick["date"]), pick["value"].to_numpy()
        n[name] = len(values)
        if n[name]:
            traces.append(go.Scatter(x=[d.strftime("%Y-%m-%d") for d in days], y=values, mode="markers",
                                     marker={"symbol": symbols[name], "size": 8},
                                     name=_SOURCE_NAMES[name][1 if nl else 0]))
    title = ("Ingeschrevenen: elke gepubliceerde telling en de actuele schatting" if nl else
             "Registered: every published count and the nowcast")
    fig = go.Figure(traces)
    fig.update_layout(_base_layout(title, t("persons", language)))
    last = model.last_month
    fig.add_vline(x=last.strftime("%Y-%m-%d"), line_dash="dot", line_color="gray")
    fig.add_annotation(x=last.strftime("%Y-%m-%d"), y=1, yref="paper", showarrow=False, xanchor="right",
                       text="laatste telling" if nl else "last count")
    fig.add_vline(x=today.strftime("%Y-%m-%d"), line_dash="dash", line_color="black")
    fig.add_annotation(x=today.strftime("%Y-%m-%d"), y=1, yref="paper", showarrow=False, xanchor="left",
                       text="nu" if nl else "today")
    j = len(model.months) - 1
    fmt = [fmt_value(v, "persons", 100, language) for v in (mid[j], lo[j], hi[j])]
    if headline is not None and "registered_nowcast" in set(headline["key"]):
        row = headline.set_index("key").loc["registered_nowcast"]
        now = [float(row["value"]), float(row["p10"]), float(row["p90"])]
    else:
        now = [mid[-1], lo[-1], hi[-1]]
    fnow = [fmt_value(v, "persons", 100, language) for v in now]
    since, lm, tm = fmt_month(start, language), fmt_month(last, language), fmt_month(today, language)
    if nl:
        summary = (f"Gepubliceerde tellingen sinds {since}: {n['rtb_letter']} uit de Kamerbrieven, "
                   f"{n['table_press']} uit de tabel, {n['press_rounded']} afgeronde persberichten en "
                   f"{n['eurostat']} maanden Eurostat (houders van tijdelijke bescherming: een andere telling, "
                   f"die van het register afwijkt). Bij de laatste telling ({lm}) schat het model {fmt[0]} "
                   f"(80%-band {fmt[1]} tot {fmt[2]}); nu ({tm}) {fnow[0]} ({fnow[1]} tot {fnow[2]}): de band "
                   "wordt breder naarmate de laatste telling ouder is.")
    else:
        summary = (f"Published counts since {since}: {n['rtb_letter']} from the ministry letters, "
                   f"{n['table_press']} from the table, {n['press_rounded']} rounded press figures and "
                   f"{n['eurostat']} months of Eurostat (holders of temporary protection: a different count that "
                   f"runs apart from the register). At the last count ({lm}) the model estimates {fmt[0]} "
                   f"(80 % band {fmt[1]} to {fmt[2]}); today ({tm}) {fnow[0]} ({fnow[1]} to {fnow[2]}): the band "
                   "widens as the last count ages.")
    fig.update_layout(meta={"summary": summary})
    return _dates_in(fig, language)
