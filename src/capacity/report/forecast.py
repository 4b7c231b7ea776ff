"""Figures and tables of the arrivals and departures report (no model code, no file I/O).

Words are written in English and read in the page's language from the catalogue
(:mod:`capacity.i18n`); ``language=None`` is the kernel's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.stats import norm

from capacity import forecast
from capacity.data import observed, reference_month
from capacity.data.quality import data_end
from capacity.forecast import PopulationPaths
from capacity.forecast.backtest import summary
from capacity.i18n import N_, _
from capacity.params import Scenario
from capacity.params.forecast import ForecastConfig
from capacity.report import Text, fan_chart, fmt_month, fmt_number, t
from capacity.report.charts import (
    COUNT_TICKS,
    LIGHT,
    _base_layout,
    _dates_in,
    _observed_end,
    described,
    forecast_step,
    hover,
    mark_today,
    say,
)
from capacity.report.format import fmt_range, fmt_value, percent
from capacity.report.labels import in_words
from capacity.report.tables import by_row_unit


def history_points(history: pd.DataFrame, variable: str, *, since: str | None = "2022-09-01") -> pd.DataFrame:
    """Return ``date, value, flag`` of a variable's non-missing history (for fan charts)."""
    rows = history[(history["variable"] == variable) & (history["flag"] != "missing")]
    if since is not None:
        rows = rows[rows["date"] >= pd.Timestamp(since)]
    return rows[["date", "value", "flag"]].sort_values("date").reset_index(drop=True)


def population_fan(
    population: PopulationPaths, history: pd.DataFrame, variable: str, *, language: str | None = None
) -> go.Figure:
    """Fan chart (median, 50/67/95 %) of one forecast variable with its history.

    The chart draws where the variable's counts end ("last count"); :func:`capacity.report.figure`
    adds the run's "today" when it is shown, so neither is drawn here.
    """
    unit = t("persons", language) if variable == "registered" else t("persons_per_month", language)
    fig = fan_chart(
        population.table(), variable, history=history_points(history, variable), y_title=unit, language=language
    )
    return fig


#: The inputs whose last observed month the quality box names, and their names.
_INPUT_NAMES = {
    "arrivals": N_("arrivals (Eurostat)"),
    "departures": N_("departures (CBS, cumulative)"),
    "registered": N_("registered (BRP)"),
}


def quality_box(
    population: PopulationPaths,
    stock: pd.DataFrame,
    history: pd.DataFrame,
    *,
    headline: pd.DataFrame | None = None,
    language: str | None = None,
) -> Text:
    """Return the forecast-quality box in plain words (top of report 02).

    What is counted, today's nowcast with its 80 % band and the months since the last
    count, the stock backtest's CRPS skill against a random walk with drift and the
    flows-only model, the 80 % band's coverage with its interval and the number of counts
    it rests on, and the last observed month of each input. With ``headline`` the nowcast
    is its ``registered_nowcast`` row (one figure, one value on every page).
    """
    from capacity.forecast.nowcast import TARGET
    from capacity.forecast.stock import pooled

    lines = [
        _("**How good is the forecast?**", language),
        "",
        _("- The forecast counts those {target}.", language).format(target=_(TARGET, language)),
    ]
    today = population.today if population.today is not None else population.jump_off_date
    row = None if headline is None else headline.set_index("key").loc["registered_nowcast"]
    if row is not None:
        p10, p50, p90 = float(row["p10"]), float(row["value"]), float(row["p90"])
    else:
        x = population.at(today)
        p10, p50, p90 = (float(np.quantile(x, q, method="inverted_cdf")) for q in (0.1, 0.5, 0.9))
    gap = forecast_months(population.jump_off_date, today)
    num = [fmt_value(v, "persons", 100, language) for v in (p50, p10, p90)]
    if gap > 0:
        lines.append(
            _(
                "- **Now ({today}): an estimated {median}** registered (80 % band {low} to {high}). The last "
                "count is of {last}, {months} months ago: the estimate combines every published count and "
                "grows less certain the older they are.",
                language,
            ).format(
                today=fmt_month(today, language),
                median=num[0],
                low=num[1],
                high=num[2],
                last=fmt_month(population.jump_off_date, language),
                months=gap,
            )
        )
    score = pooled(stock, 1, 6)
    if score["n"]:
        share = lambda v: fmt_value(v, "share", 0.01, language)  # noqa: E731
        rows = stock[(stock["horizon"] <= 6) & (stock["n"] > 0)]
        flows = rows[rows["n_flows"] > 0]
        beat = (
            ""
            if flows.empty
            else (
                _(" and better than the flows-only model at every horizon", language)
                if (flows["skill_flows"] > 0).all()
                else _(" but not better than the flows-only model at every horizon", language)
            )
        )
        lines.append(
            _(
                "- Backtest (1-6 months ahead, each time with the data of then only): the forecast "
                "distribution scores {skill} better (CRPS) than a random walk with drift{beat}. The 80 % "
                "band held the count in {coverage} of the forecasts (on {counts} counts per horizon; 95 % "
                "intervals per horizon from {low} to {high}).",
                language,
            ).format(
                skill=share(score["skill"]),
                beat=beat,
                coverage=share(score["coverage_80"]),
                counts=int(score["n_counts"]),
                low=share(float(rows["coverage_80_lo"].min())),
                high=share(float(rows["coverage_80_hi"].max())),
            )
        )
    else:
        lines.append(_("- Too few published counts to backtest the registered count.", language))
    ends = data_end(history)
    last_seen = [
        f"{_(name, language)} {fmt_month(ends[var], language)}" for var, name in _INPUT_NAMES.items() if var in ends
    ]
    if last_seen:
        lines.append(_("- Last observed month of each input: {inputs}.", language).format(inputs="; ".join(last_seen)))
    return Text("\n".join(lines))


DATA_LIMITS = N_(
    "**What the data allow.** Monthly arrivals (Eurostat temporary-protection grants) run to {arrivals}; "
    "departures are CBS's published cumulative counts spread over the months between publications, to "
    "{departures}; the BRP registered count is published now and then, the last for {registered}. The models "
    "are fitted to those ends: **arrivals and departures after them are forecasts, not data.** The population "
    "paths start from the last registered count ({jump_off}) and run {months} months from {start}."
)


def data_limits_text(history: pd.DataFrame, population: PopulationPaths, *, language: str | None = None) -> Text:
    """Return what the data allow: each input's data end (:func:`capacity.data.quality.data_end`) and the paths.

    The same months as the quality box and the dated box atop the page, from the same function.
    """
    ends = data_end(history)

    def end(var: str) -> str:
        return fmt_month(ends.get(var), language)

    return Text(
        _(DATA_LIMITS, language).format(
            arrivals=end("arrivals"),
            departures=end("departures"),
            registered=end("registered"),
            jump_off=fmt_month(population.jump_off_date, language),
            months=len(population.dates),
            start=fmt_month(population.dates[0], language),
        )
    )


def forecast_months(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Return the whole months from ``start`` to ``end`` (0 when ``end`` is not later)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return max((end.year - start.year) * 12 + end.month - start.month, 0)


def stock_backtest_note(stock: pd.DataFrame, *, language: str | None = None) -> Text:
    """Say at which horizons the stock backtest rests on few counts, and what its coverage can then tell."""
    from capacity.forecast.stock import THIN

    thin = stock[stock["n_counts"] < THIN]
    if thin.empty:
        return Text("")
    parts = ", ".join(f"{int(h)} ({int(n)})" for h, n in zip(thin["horizon"], thin["n_counts"], strict=True))
    return Text(
        _(
            "Fewer than {thin} distinct counts per horizon; horizon (counts): {horizons}. On so few counts "
            "the 95 % interval of the coverage is wide (columns coverage 80 low/high): the CRPS against the "
            "benchmarks says more than the coverage.",
            language,
        ).format(thin=THIN, horizons=parts)
    )


def scorecard_summary(scorecard: pd.DataFrame, *, horizons: tuple[int, int] = (1, 6)) -> pd.DataFrame:
    """Return the backtest scorecard averaged over ``horizons``, rounded for display."""
    table = summary(scorecard, horizons=horizons)
    return table.round(
        {
            "mae": 4,
            "mase": 3,
            "coverage_50": 3,
            "coverage_80": 3,
            "coverage_95": 3,
            "winkler_80": 4,
            "weight": 3,
            "mase_rel_naive": 3,
        }
    )


def scorecard_chart(
    scorecard: pd.DataFrame, *, series: str = "arrivals", metric: str = "mase", language: str | None = None
) -> go.Figure:
    """Line chart of a backtest metric by horizon, one line per model (ensemble bold)."""
    rows = scorecard[scorecard["series"] == series]
    unit, step = ("share", 0.01) if metric.startswith("coverage_") else ("number", 0.01)
    fig = go.Figure()
    for model, d in rows.groupby("model", sort=False):
        bold = model == "ensemble"
        fig.add_trace(
            go.Scatter(
                x=d["h"],
                y=d[metric],
                mode="lines+markers",
                name=in_words(model),
                line={"width": 4 if bold else 1.5},
                text=say(d[metric], unit, language, step),
                hovertemplate=hover(in_words(model)),
            )
        )
    if metric.startswith("coverage_"):
        nominal = int(metric.split("_")[1]) / 100
        share = percent(fmt_number(100 * nominal, language), language)
        fig.add_hline(
            y=nominal, line_dash="dash", line_color="gray", annotation_text=f"{t('target', language)} {share}"
        )
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(
        title=f"{t(series, language)}: {t(metric, language)}",
        xaxis_title=t("horizon", language),
        xaxis_hoverformat=COUNT_TICKS,  # the hover's header: whole numbers, the page's separators
        hovermode="x unified",
        template=LIGHT,
        height=400,
        legend={"orientation": "h", "y": -0.2},
    )
    return described(fig, _scorecard_summary(rows, metric, unit, step, language), language)


#: The caption of a scorecard chart: the ensemble's (else the first model's) metric, near and far.
SCORECARD_SUMMARY = N_("{model}: {near} at horizon {h_near}, {far} at horizon {h_far} (months ahead).")


def _scorecard_summary(rows: pd.DataFrame, metric: str, unit: str, step: float, language: str | None) -> str:
    """Say the ensemble's metric at the shortest and the longest horizon (else the first model's)."""
    scored = rows.dropna(subset=[metric])
    if scored.empty:
        return ""
    model = "ensemble" if (scored["model"] == "ensemble").any() else scored["model"].iloc[0]
    line = scored[scored["model"] == model].sort_values("h")
    near, far = line.iloc[0], line.iloc[-1]
    return _(SCORECARD_SUMMARY, language).format(
        model=in_words(model),
        near=fmt_value(near[metric], unit, step, language),
        h_near=fmt_value(near["h"], "months", 1, language),
        far=fmt_value(far[metric], unit, step, language),
        h_far=fmt_value(far["h"], "months", 1, language),
    )


#: The caption of the scenario comparison: each scenario's median and band in the last month.
SCENARIO_SUMMARY = N_("{name} in {when}: median {median} (80 % band {range}).")


def scenario_comparison(
    tables: dict[str, pd.DataFrame], *, variable: str = "registered", language: str | None = None
) -> go.Figure:
    """Median and 80 % band of ``variable`` per scenario (tables in the quantile contract).

    Scenarios whose median and band are the same (an edition of a scenario in another language)
    are drawn once, named by all of them ("A = B"): a line drawn on top of an identical one hid it.
    """
    groups: list[tuple[list[str], pd.DataFrame]] = []
    for name, table in tables.items():
        rows = table[table["variable"] == variable].sort_values("date").reset_index(drop=True)
        same = next((g for g in groups if _same_fan(g[1], rows)), None)
        if same is None:
            groups.append(([name], rows))
        else:
            same[0].append(name)
    fig = go.Figure()
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    for i, (names, rows) in enumerate(groups):
        name = " = ".join(names)
        colour = palette[i % len(palette)]
        rgb = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
        steps = [forecast_step(m) for m in rows["q0.50"]]
        fig.add_trace(
            go.Scatter(
                x=rows["date"], y=rows["q0.90"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
            )
        )
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["q0.10"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=f"rgba{(*rgb, 0.12)}",
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["q0.50"],
                mode="lines",
                name=name,
                line={"color": colour, "width": 2.5},
                text=[
                    _("{median} (80 % band {range})", language).format(
                        median=fmt_value(m, "persons", st, language),
                        range=fmt_range(a, b, "persons", st, language),
                    )
                    for m, a, b, st in zip(rows["q0.50"], rows["q0.10"], rows["q0.90"], steps, strict=True)
                ],
                hovertemplate=f"{name}: %{{text}}<extra></extra>",
            )
        )
    unit = t("persons", language) if variable == "registered" else t("persons_per_month", language)
    fig.update_layout(
        title=t(f"scenario_compare_{variable}", language),
        template=LIGHT,
        height=450,
        yaxis_title=unit,
        legend={"orientation": "h", "y": -0.15},
    )
    said = []
    for names, rows in groups:
        last = rows.dropna(subset=["q0.50"])
        if last.empty:
            continue
        last = last.iloc[-1]
        step = forecast_step(last["q0.50"])
        said.append(
            _(SCENARIO_SUMMARY, language).format(
                name=" = ".join(names),
                when=fmt_month(last["date"], language),
                median=fmt_value(last["q0.50"], "persons", step, language),
                range=fmt_range(last["q0.10"], last["q0.90"], "persons", step, language),
            )
        )
    return described(fig, " ".join(said), language)


def _same_fan(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Say whether two scenarios' fans are the same: dates, median and 80 % band (to a millionth)."""
    columns = ["q0.10", "q0.50", "q0.90"]
    if len(a) != len(b) or not a["date"].reset_index(drop=True).equals(b["date"].reset_index(drop=True)):
        return False
    return bool(np.allclose(a[columns].to_numpy(float), b[columns].to_numpy(float), rtol=1e-6, equal_nan=True))


def assumptions_table(scn: Scenario) -> pd.DataFrame:
    """Return the scenario's shocks and stated assumptions, one row each."""
    rows = []
    for s in scn.forecast.shocks:
        size = s.size.model_dump(exclude_none=True)
        rows.append(
            {
                "item": s.name,
                "target": s.target,
                "start": f"{s.start:%Y-%m}",
                "shape": s.shape,
                "duration_months": s.duration_months,
                "kind": s.kind,
                "size": ", ".join(f"{k}={v}" for k, v in size.items()),
                "source": s.source,
            }
        )
    for a in scn.meta.assumptions:
        rows.append(
            {
                "item": "assumption",
                "target": "",
                "start": "",
                "shape": "",
                "duration_months": None,
                "kind": "",
                "size": "",
                "source": a,
            }
        )
    if not rows:
        rows.append(
            {
                "item": "baseline",
                "target": "",
                "start": "",
                "shape": "",
                "duration_months": None,
                "kind": "",
                "size": "",
                "source": "no shocks: the war goes on as in the data",
            }
        )
    return pd.DataFrame(rows)


def data_status(history: pd.DataFrame, population: PopulationPaths) -> pd.DataFrame:
    """Return per series the last month with data and what is forecast (not data) after it.

    The last month with data is :func:`capacity.data.quality.data_end`'s, the month every text,
    the quality box and the dated box print; the table shows its months in words (:data:`MONTH_COLUMNS`).
    """
    rows = []
    ends = data_end(history)
    for var in ("arrivals", "departures", "registered"):
        have = history[(history["variable"] == var) & history["value"].notna()]
        observed = have[have["flag"] == "observed"]
        last = ends.get(var, have["date"].max())  # the one data end (quality and dated box too)
        last_obs = observed["date"].max() if not observed.empty else pd.NaT
        rows.append(
            {
                "series": var,
                "last_month_with_value": last,
                "last_observed_month": last_obs,
                "flags": ", ".join(sorted(have["flag"].unique())),
                "forecast_not_data_from": (last + pd.offsets.MonthBegin(1))
                if var != "registered"
                else population.dates[0],
            }
        )
    return pd.DataFrame(rows)


#: The data-status table's months, printed in words like every data end (``formats`` of the table).
MONTH_COLUMNS = {"last_month_with_value": "month", "last_observed_month": "month", "forecast_not_data_from": "month"}


def departures_check(history: pd.DataFrame, population: PopulationPaths) -> pd.DataFrame:
    """Compare the departures and registered count with the monitor report's facts.

    Facts (monitor_report_facts.csv): 8,215 departed 1 May - 1 Nov 2024 (about 1,369 per
    month); 120,680 registered on 28 Feb 2025 and 120,820 in March 2025 (jump-off).
    """
    hist = history[(history["variable"] == "departures") & history["date"].between("2024-05-01", "2024-10-01")]
    dep = population.departures
    first6 = dep[:, :6].mean(axis=1)
    return pd.DataFrame(
        [
            {
                "fact": "departed 1 May - 1 Nov 2024, per month (CBS via monitor report)",
                "published": 8215 / 6,
                "model": float(hist["value"].mean()) if not hist.empty else np.nan,
                "note": "history series (CBS counts spread over months)",
            },
            {
                "fact": "departures per month, first 6 forecast months (median of paths)",
                "published": 8215 / 6,
                "model": float(np.median(first6)),
                "note": "rate x registered; larger stock than in 2024",
            },
            {
                "fact": "registered at the last count (BRP)",
                "published": population.jump_off_registered,
                "model": population.jump_off_registered,
                "note": f"{population.jump_off_date:%Y-%m}, paths start here",
            },
        ]
    )


def scenario_long(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Stack scenario quantile tables into one long table with a ``scenario`` column first."""
    parts = [table.assign(scenario=name) for name, table in tables.items()]
    out = pd.concat(parts, ignore_index=True)
    return out[["scenario", *[c for c in out.columns if c != "scenario"]]]


def departure_rate_table(population: PopulationPaths) -> pd.DataFrame:
    """Quantile table of the departure rate implied by the paths (departures / registered[t-1], share)."""
    from capacity.quantiles import summarise

    previous = np.concatenate(
        [np.full((population.n_paths, 1), population.jump_off_registered), population.registered[:, :-1]], axis=1
    )
    rate = np.divide(
        population.departures, previous, out=np.zeros_like(population.departures), where=previous > 0
    )  # no one left to depart: a rate of 0, not NaN
    return summarise(rate, population.dates, "departure_rate")


def departure_rate_history(
    history: pd.DataFrame, *, denominator: str = "registered", since: str = "2022-09-01"
) -> pd.DataFrame:
    """Return ``date, value`` of the historical departure rate the models fit (share per month)."""
    rate = forecast.departure_rate(history, denominator=denominator).dropna()
    rate = rate[rate.index >= pd.Timestamp(since)]
    return pd.DataFrame({"date": rate.index, "value": rate.to_numpy()})


def departure_rate_fan(
    population: PopulationPaths, history: pd.DataFrame, *, denominator: str = "registered", language: str | None = None
) -> go.Figure:
    """Fan chart of the monthly departure rate (share of the registered population)."""
    return fan_chart(
        departure_rate_table(population),
        "departure_rate",
        title=t("departure_rate", language),
        history=departure_rate_history(history, denominator=denominator),
        y_title=t("departure_rate", language),
        language=language,
        percent=True,
    )


def identity_text(population: PopulationPaths, *, language: str | None = None) -> Text:
    """Say that the stock identity holds on every path, with its largest breach in persons."""
    return Text(
        _(
            "The stock identity (registered = last month + arrivals − departures + residual) holds on every "
            "path: the largest breach is {breach} persons.",
            language,
        ).format(breach=fmt_number(population.identity_error(), language, 0))
    )


#: Legend names of the published sources of the registered count.
_SOURCE_NAMES: dict[str, str] = {
    "rtb_letter": N_("Ministry letters (BRP, protection under the RTB)"),
    "table_press": N_("Biweekly table, to the person"),
    "press_rounded": N_("Biweekly table as rounded in the press"),
    "eurostat": N_("Eurostat: holders of temporary protection, month end"),
}


def nowcast_sources_chart(
    history: pd.DataFrame, cfg: ForecastConfig, *, headline: pd.DataFrame | None = None, language: str | None = None
) -> go.Figure:
    """Chart every source's published counts with the nowcast's smoothed level and its 80 % band.

    The level and band are the state-space model's (:func:`capacity.forecast.population.fit_stock_nowcast`):
    smoothed up to the last count, then the filter's prediction up to the run's "today"
    (``cfg.as_of`` or the run date), both marked. With ``headline``, today's figure in the
    text alternative is its ``registered_nowcast`` row (the figure every page prints).

    Args:
        history: The long history with its counts (``attrs["registered_counts"]``).
        cfg: Forecast settings (``fit_start``, ``as_of``).
        headline: The run's headline table, or ``None``.
        language: ``en`` or ``nl`` (None: the kernel's).

    Returns:
        A plotly figure; ``layout.meta["summary"]`` holds its text alternative.

    """
    from capacity.forecast.nowcast import SOURCES
    from capacity.forecast.population import fit_stock_nowcast, stock_counts

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
    nowcast = _("Nowcast (median)", language)
    traces = [
        go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"),
        go.Scatter(
            x=x,
            y=lo,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(31,119,180,0.25)",
            name=band,
            text=[fmt_range(a, b, "persons", 100, language) for a, b in zip(lo, hi, strict=True)],
            hovertemplate=hover(band),
        ),
        go.Scatter(
            x=x,
            y=mid,
            mode="lines",
            line={"color": "rgb(31,119,180)"},
            name=nowcast,
            text=say(mid, "persons", language, 100),
            hovertemplate=hover(nowcast),
        ),
    ]
    start = pd.Timestamp(cfg.fit_start)
    counts = stock_counts(history)
    counts = counts[pd.to_datetime(counts["date"]) >= start]
    source = np.where(
        (counts["series"] == "table_press") & (counts["value"] % 1000 == 0), "press_rounded", counts["series"]
    )
    eurostat = observed(history, "tp_stock")
    eurostat = eurostat[eurostat.index >= start]
    symbols = {"rtb_letter": "diamond", "table_press": "circle", "press_rounded": "circle-open", "eurostat": "x"}
    n = {}
    for name in SOURCES:
        if name == "eurostat":
            days, values = eurostat.index + pd.offsets.MonthEnd(0), eurostat.to_numpy()
        else:
            pick = counts[source == name]
            days, values = pd.to_datetime(pick["date"]), pick["value"].to_numpy()
        n[name] = len(values)
        if n[name]:
            traces.append(
                go.Scatter(
                    x=[d.strftime("%Y-%m-%d") for d in days],
                    y=values,
                    mode="markers",
                    marker={"symbol": symbols[name], "size": 8},
                    name=_(_SOURCE_NAMES[name], language),
                    text=say(values, "persons", language, 1),
                    hovertemplate=hover(_(_SOURCE_NAMES[name], language)),
                )
            )
    fig = go.Figure(traces)
    fig.update_layout(
        _base_layout(_("Registered: every published count and the nowcast", language), t("persons", language))
    )
    last = model.last_month
    shape, note = _observed_end(last.strftime("%Y-%m-%d"), language)
    fig.add_shape(shape)
    fig.add_annotation(note)
    mark_today(fig, today=cfg.as_of, language=language)  # the run's day, as on every chart
    j = len(model.months) - 1
    fmt = [fmt_value(v, "persons", 100, language) for v in (mid[j], lo[j], hi[j])]
    if headline is not None and "registered_nowcast" in set(headline["key"]):
        row = headline.set_index("key").loc["registered_nowcast"]
        now = [float(row["value"]), float(row["p10"]), float(row["p90"])]
    else:
        now = [mid[-1], lo[-1], hi[-1]]
    fnow = [fmt_value(v, "persons", 100, language) for v in now]
    summary = _(
        "Published counts since {since}: {letters} from the ministry letters, {table} from the table, "
        "{rounded} rounded press figures and {eurostat} months of Eurostat (holders of temporary "
        "protection: a different count that runs apart from the register). At the last count ({last}) the "
        "model estimates {median} (80 % band {low} to {high}); today ({today}) {now} ({now_low} to "
        "{now_high}): the band widens as the last count ages.",
        language,
    ).format(
        since=fmt_month(start, language),
        letters=n["rtb_letter"],
        table=n["table_press"],
        rounded=n["press_rounded"],
        eurostat=n["eurostat"],
        last=fmt_month(last, language),
        median=fmt[0],
        low=fmt[1],
        high=fmt[2],
        today=fmt_month(today, language),
        now=fnow[0],
        now_low=fnow[1],
        now_high=fnow[2],
    )
    fig.update_layout(meta={"summary": summary})
    return _dates_in(fig, language)


#: The unit of each backtested series' errors (MAE, Winkler score): arrivals in persons, the rate as a share.
SERIES_UNITS = {
    "arrivals": "persons",
    "departures": "persons",
    "registered": "persons",
    "departure_rate": "share/month",
}
#: The backtest summary's ratio column, in words (a MASE of the model over the naive forecast's).
MASE_RELATIVE = N_("MASE relative to the naive forecast")


def backtest_table(summary: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the backtest summary for display: errors in each series' unit, MASE as ratios.

    MAE and Winkler score print in the series' unit (a departure rate's as a percentage, never a
    bare ``0.00189``), MASE and the MASE relative to the naive forecast with two decimals, under a
    name in words. The download keeps the numbers and the column names.
    """
    units = [SERIES_UNITS.get(str(v), "persons") for v in summary["series"]]
    out = by_row_unit(summary, ["mae", "winkler_80"], units, language)
    out = by_row_unit(out, ["mase", "mase_rel_naive"], ["ratio"] * len(out), language)
    return out.rename(columns={"mase_rel_naive": _(MASE_RELATIVE, language)})


#: Captions of report 02's tables, in English (the catalogue has their Dutch).
CAPTIONS: dict[str, str] = {
    "headline": N_("Registered population and forecast quality"),
    "quantile": N_("Quantile table (persons; persons per month)"),
    "backtest": N_("Horizons 1–6, averaged (n = forecasts scored)"),
    "scorecard": N_("Full scorecard: every model, series, origin, horizon and metric"),
    "gap": N_("Observed registered count against the forecast from the first count after the data end"),
    "stock_backtest": N_("Backtest of the registered population by months ahead"),
    "status": N_("Where data end and forecasts begin"),
    "checks": N_("Checks against the monitor report"),
    "headline_all": N_("Headline figures of this scenario"),
}


def caption(key: str, language: str | None = None) -> str:
    """Return the caption ``key`` of :data:`CAPTIONS` in ``language`` (None: the kernel's)."""
    return _(CAPTIONS[key], language)
