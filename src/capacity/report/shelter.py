"""Figures, tables and texts of the national shelter report (the municipal one: ``municipality``).

No model code: every function takes a :class:`~capacity.shelter.ShelterResult`, a
municipality row from :func:`capacity.shelter.allocate` or tables made from them, and returns
a plotly figure, a DataFrame or a Markdown text object for display. Words are written in
English and read in the page's language from the catalogue (:mod:`capacity.i18n`);
``language=None`` is the kernel's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity import shelter
from capacity.headline import lookup
from capacity.i18n import N_, _, pgettext
from capacity.i18n import gettext as i18n_gettext
from capacity.params.shelter import ShelterConfig
from capacity.report import Figure, Text, fan_chart, figure, fmt_headline, fmt_month, fmt_number, t
from capacity.report.charts import COUNT_TICKS, described, forecast_step, hover, say
from capacity.report.format import fmt_range, fmt_value, percent
from capacity.report.tables import by_row_unit
from capacity.shelter import ShelterResult
from capacity.shelter.replay import OUT_OF_SAMPLE, OUT_OF_SAMPLE_AS_ANNOUNCED, OUT_OF_SAMPLE_RW_DRIFT

__all__ = [
    "CAPTIONS",
    "HEADLINE_KEYS",
    "RELIABILITY_WORDS",
    "allocation_table",
    "caption",
    "cost_chart",
    "costs_table",
    "crossing_chart",
    "crossing_table",
    "demand_vs_places_chart",
    "destinations_chart",
    "entitled_note",
    "housing_cap_text",
    "jump_off_text",
    "observed_shelter",
    "occupancy_chart",
    "places_needed_text",
    "pressure_chart",
    "rates_table",
    "replay_chart",
    "replay_out_of_sample_table",
    "replay_out_of_sample_text",
    "replay_text",
    "Text",
]


def month_label(date: pd.Timestamp | None, language: str | None = None) -> str:
    """Return 'March 2026' / 'maart 2026', or a dash for None."""
    return fmt_month(date, language)


def _pct(x: float, language: str | None = None, decimals: int = 1) -> str:
    """Return a share as a percentage in the language's way (``97.0 %`` / ``97,0%``)."""
    return percent(fmt_number(100 * x, language, decimals), language)


# --------------------------------------------------------------------------- national


def observed_shelter(history: pd.DataFrame, variable: str = "in_shelter", since: str = "2023-01-01") -> pd.DataFrame:
    """Return observed points of a shelter series (date, value) for a chart."""
    rows = history[
        (history["variable"] == variable)
        & history["flag"].isin(["observed", "derived"])
        & (history["date"] >= pd.Timestamp(since))
    ]
    return rows[["date", "value"]].dropna().sort_values("date")


def demand_vs_places_chart(
    result: ShelterResult, *, history: pd.DataFrame | None = None, language: str | None = None
) -> go.Figure:
    """Fan chart of the people needing a place, with the planned places as a line."""
    table = result.table()
    places = table[table["variable"] == "places"][["date", "q0.50"]].rename(columns={"q0.50": "value"})
    hist = observed_shelter(history) if history is not None else None
    fig = fan_chart(
        table,
        "demand",
        title=t("dvp_title", language),
        history=hist,
        reference=places,
        reference_name=t("places_median", language),
        language=language,
    )
    if hist is not None and not hist.empty:
        _rename_observed(fig, t("in_shelter_obs", language), language)
    return fig


def occupancy_chart(
    result: ShelterResult, *, history: pd.DataFrame | None = None, language: str | None = None
) -> go.Figure:
    """Fan chart of the occupancy rate with the target, 95 % and 100 % lines."""
    hist = observed_shelter(history, "occupancy_rate") if history is not None else None
    fig = fan_chart(
        result.table(),
        "occupancy_rate",
        title=t("occ_title", language),
        history=hist,
        language=language,
        percent=True,
        y_title="",
    )
    target = result.cfg.target_occupancy
    _threshold_lines(fig, target, language)
    return fig


#: Threshold lines told apart by line style as well as colour (readable in grey print).
THRESHOLDS = (("seagreen", "dot"), ("darkorange", "dash"), ("firebrick", "solid"))


def _threshold_lines(fig: go.Figure, target: float, language: str) -> None:
    """Draw the occupancy target, 95 % and 100 % as labelled lines of three styles."""
    labels = (t("target_p", language, p=_pct(target, language, 0)), _pct(0.95, language, 0), _pct(1.0, language, 0))
    # 100 % is labelled above its line at the right, 95 % below its line, the target at the left:
    # on a tall axis the lines lie close, and three labels at the bottom right overlapped
    sides = ("bottom left", "bottom right", "top right")
    for level, (colour, dash), label, side in zip((target, 0.95, 1.0), THRESHOLDS, labels, sides, strict=True):
        fig.add_hline(
            y=level,
            line={"color": colour, "dash": dash, "width": 1.5},
            annotation_text=label,
            annotation_position=side,
        )


def _rename_observed(fig: go.Figure, name: str, language: str | None) -> None:
    """Rename a fan chart's observed points (the trace named "observed"), not another trace."""
    for trace in fig.data:
        if trace.name == t("observed", language):
            trace.name = name
            trace.hovertemplate = f"{name}: %{{text}}<extra></extra>"


def pressure_chart(
    result: ShelterResult, *, history: pd.DataFrame | None = None, language: str | None = None
) -> go.Figure:
    """Fan chart of demand per place (pressure) with the target, 95 % and 100 % lines.

    Unlike occupancy, pressure is not capped at 100 %: above it, people go without a place.
    A month without places has no pressure value (a gap), not 100 %.
    """
    hist = observed_shelter(history, "occupancy_rate") if history is not None else None
    fig = fan_chart(
        result.table(),
        "pressure",
        title=t("pressure_title", language),
        history=hist,
        language=language,
        percent=True,
        y_title="",
    )
    if hist is not None and not hist.empty:
        _rename_observed(fig, t("pressure_obs", language), language)
    target = result.cfg.target_occupancy
    _threshold_lines(fig, target, language)
    return fig


def destinations_chart(result: ShelterResult, *, language: str | None = None) -> go.Figure:
    """Stacked median destinations of the people in Ukraine shelter at the TPD end, per month.

    Medians of the parts need not add up exactly to the median cohort; the table
    (``tables/housing_task.csv``) has every quantile.
    """
    fig = go.Figure()
    after = result.after_tpd
    summary = _("Temporary protection runs past the forecast horizon.", language)
    if after is not None:
        parts = (("asylum_reception", "steelblue"), ("housing_task", "darkorange"), ("left_country", "grey"))
        if after.waiting is not None:  # the housing task split: housed, waiting in shelter or the fallback
            parts = (
                ("asylum_reception", "steelblue"),
                ("moved_home", "seagreen"),
                ("waiting_in_shelter", "darkorange"),
                ("fallback", "firebrick"),
                ("without_accommodation", "black"),
                ("left_country", "grey"),
            )
        items = []
        for name, colour in parts:
            median = np.median(getattr(after, name), axis=0)
            fig.add_trace(
                go.Scatter(
                    x=after.dates,
                    y=median,
                    mode="lines",
                    stackgroup="one",
                    line={"color": colour},
                    name=t(name, language),
                    text=say(median, "persons", language),
                    hovertemplate=hover(t(name, language)),
                )
            )
            if len(median):
                items.append(
                    f"{t(name, language)}: {fmt_value(median[-1], 'persons', forecast_step(median[-1]), language)}"
                )
        if items:
            summary = i18n_gettext(DESTINATIONS_SUMMARY, language).format(
                when=fmt_month(after.dates[-1], language), parts="; ".join(items)
            )
    fig.update_layout(
        title=t("dest_title", language), template="plotly_white", height=400, legend={"orientation": "h", "y": -0.15}
    )
    return described(fig, summary, language)


#: The caption of the destinations chart: the medians in its last month.
DESTINATIONS_SUMMARY = N_("Where the people in Ukraine shelter at the TPD end are in {when} (medians): {parts}.")


def housing_cap_text(
    result: ShelterResult,
    exits: pd.DataFrame | None = None,
    row: pd.Series | None = None,
    *,
    language: str | None = None,
) -> Text:
    """Say what the housing cap is, in which months it binds and, for a municipality, its moves home then.

    The cap binds in a month when the median over paths of the national moves to a home
    reaches it (within one person).

    Args:
        result: National shelter simulation (``after_tpd`` set when the TPD ends in the horizon).
        exits: ``tables["municipal_exits"]`` (:func:`capacity.shelter.municipal_exits`), for a municipality.
        row: The municipality's allocation row (code, name), or None for the national text.
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    cap = result.cfg.housing_supply_per_month
    head = _(
        "After the TPD, moves from shelter to a home are limited by the national housing supply: "
        "**{cap} people a month** (an assumption; no published figure).",
        language,
    ).format(cap=n(cap))
    after = result.after_tpd
    if after is None or after.moved_home_new is None:
        return Text(head + " " + _("The TPD ends after this forecast's horizon.", language))
    moves = np.median(after.moved_home_new, axis=0)
    binding = after.dates[moves >= cap - 1.0]
    if binding.empty:
        return Text(head + " " + _("The cap binds in no month of this forecast.", language))
    text = (
        head
        + " "
        + _(
            "The cap binds from {first} to {last} ({months} months): more people wait for a home than homes come free.",
            language,
        ).format(first=month_label(binding[0], language), last=month_label(binding[-1], language), months=len(binding))
    )
    if row is not None and exits is not None and not exits.empty:
        own = exits[(exits["code"] == row["code"]) & exits["date"].isin(binding)]
        if not own.empty:
            low, high = int(own["to_home"].min()), int(own["to_home"].max())
            if high == 0:  # never "0 a month": its part of the cap rounds to no one
                text += " " + _(
                    "In {name}, no one moves to a home in those months (its part of the national cap rounds to "
                    "fewer than one person a month).",
                    language,
                ).format(name=row["name"])
                return Text(text)
            span = fmt_range(low, high, "persons", 1, language, small=True)  # a page of one municipality
            text += " " + _(
                "In {name}, {span} a month move to a home in those months (its part of the national cap).", language
            ).format(name=row["name"], span=span)
    return Text(text)


def replay_chart(replay: pd.DataFrame, *, language: str | None = None) -> go.Figure:
    """Draw simulated people in shelter and places (median, 80 % band) with the published counts as points.

    Args:
        replay: The replay table (``tables["shelter_replay"]``).
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    fig = go.Figure()
    said = []
    for var, colour, key in (("in_shelter", "steelblue", "in_shelter"), ("places", "darkorange", "places_sim")):
        rows = replay[replay["variable"] == var]
        name = t(key, language)
        steps = [forecast_step(m) for m in rows["q0.50"]]
        fig.add_trace(
            go.Scatter(
                x=rows["date"], y=rows["q0.90"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
            )
        )
        band = _("{name} 80 %", language).format(name=name)
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["q0.10"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=colour,
                opacity=0.25,
                name=band,
                text=[
                    fmt_range(a, b, "persons", st, language)
                    for a, b, st in zip(rows["q0.10"], rows["q0.90"], steps, strict=True)
                ],
                hovertemplate=hover(band),
            )
        )
        median = _("{name} (median)", language).format(name=name)
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["q0.50"],
                mode="lines",
                line={"color": colour},
                name=median,
                text=[fmt_value(m, "persons", st, language) for m, st in zip(rows["q0.50"], steps, strict=True)],
                hovertemplate=hover(median),
            )
        )
        obs = rows[rows["observed"].notna()]
        published = _("{name} (published)", language).format(name=name)
        fig.add_trace(
            go.Scatter(
                x=obs["date"],
                y=obs["observed"],
                mode="markers",
                marker={"color": colour, "symbol": "x", "size": 9},
                name=published,
                text=say(obs["observed"], "persons", language, 1),
                hovertemplate=hover(published),
            )
        )
        if not obs.empty:
            last = obs.sort_values("date").iloc[-1]
            step = forecast_step(last["q0.50"])
            said.append(
                i18n_gettext(REPLAY_SUMMARY, language).format(
                    name=name,
                    when=fmt_month(last["date"], language),
                    median=fmt_value(last["q0.50"], "persons", step, language),
                    range=fmt_range(last["q0.10"], last["q0.90"], "persons", step, language),
                    observed=fmt_value(last["observed"], "persons", 1, language),
                )
            )
    oos = _out_of_sample(replay)
    if not oos.empty:
        name = _("places out of sample (80 %)", language)
        steps = [forecast_step(m) for m in oos["median"]]
        fig.add_trace(
            go.Scatter(
                x=oos["target"],
                y=oos["median"],
                mode="markers",
                marker={"color": "black", "size": 7},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": oos["hi80"] - oos["median"],
                    "arrayminus": oos["median"] - oos["lo80"],
                },
                name=name,
                text=[
                    _("{median} (80 % band {range})", language).format(
                        median=fmt_value(m, "persons", st, language), range=fmt_range(a, b, "persons", st, language)
                    )
                    for m, a, b, st in zip(oos["median"], oos["lo80"], oos["hi80"], steps, strict=True)
                ],
                hovertemplate=hover(name),
            )
        )
    fig.update_layout(
        title=t("replay_title", language), template="plotly_white", height=420, legend={"orientation": "h", "y": -0.15}
    )
    return described(fig, " ".join(said), language)


#: The caption of the replay chart: the simulation against the last published count of each line.
REPLAY_SUMMARY = N_("{name} in {when}: simulated median {median} (80 % band {range}), published {observed}.")


def replay_text(replay: pd.DataFrame, *, language: str | None = None) -> Text:
    """Say how many published counts lie inside the replay's 80 % band, and where it misses, with figures."""
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    obs = replay[replay["observed"].notna()]
    lines = []
    for var in ("in_shelter", "places"):
        rows = obs[obs["variable"] == var]
        inside = int(rows["inside_80"].astype(bool).sum())
        misses = rows[~rows["inside_80"].astype(bool)]
        detail = "; ".join(
            _("{month}: {observed} published, median {median}", language).format(
                month=month_label(d, language), observed=n(o), median=n(m)
            )
            for d, o, m in zip(misses["date"], misses["observed"], misses["q0.50"], strict=True)
        )
        label = t("in_shelter_line" if var == "in_shelter" else "places_sim", language)
        line = _("- **{label}**: {inside} of {counts} counts inside the 80 % band", language).format(
            label=label, inside=inside, counts=len(rows)
        )
        lines.append(line + (_("; outside: {misses}.", language).format(misses=detail) if detail else "."))
    return Text("\n".join(lines))


_OOS_RULE = {
    OUT_OF_SAMPLE: "follows_demand",
    OUT_OF_SAMPLE_AS_ANNOUNCED: "as_announced",
    OUT_OF_SAMPLE_RW_DRIFT: "rw_drift",
}


def _out_of_sample(table: pd.DataFrame, variable: str = OUT_OF_SAMPLE) -> pd.DataFrame:
    """Return one rule's out-of-sample rows in :func:`capacity.shelter.replay_out_of_sample`'s columns.

    Takes that function's table, :func:`capacity.shelter.replay.replay_as_announced`'s or the
    replay table (``tables["shelter_replay"]``); ``variable`` names the rule by its variable.
    """
    if "variable" not in table.columns:
        if "rule" in table.columns:
            return table[table["rule"] == _OOS_RULE[variable]]
        return table if variable == OUT_OF_SAMPLE else table.iloc[0:0]
    rows = table[table["variable"] == variable]
    return pd.DataFrame(
        {
            "origin": rows["origin"].to_numpy(),
            "target": rows["date"].to_numpy(),
            "horizon_months": [
                (t.year - o.year) * 12 + t.month - o.month
                for o, t in zip(pd.DatetimeIndex(rows["origin"]), pd.DatetimeIndex(rows["date"]), strict=True)
            ],
            "observed": rows["observed"].to_numpy(),
            "median": rows["q0.50"].to_numpy(),
            "lo80": rows["q0.10"].to_numpy(),
            "hi80": rows["q0.90"].to_numpy(),
            "inside": rows["inside_80"].astype(bool).to_numpy(),
            "crps": rows["crps"].to_numpy() if "crps" in rows.columns else np.nan,
        }
    )


def replay_out_of_sample_table(table: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the out-of-sample replay for display: months in words, places whole, inside as yes/no.

    Args:
        table: :func:`capacity.shelter.replay_out_of_sample`'s table or the replay table.
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    table = _out_of_sample(table)
    names = [
        pgettext("replay", "from", language),
        pgettext("replay", "count", language),
        _("months ahead", language),
        _("published", language),
        _("median", language),
        _("10 %", language),
        _("90 %", language),
        _("inside the band", language),
    ]
    yes, no = t("yes", language), t("no", language)
    return pd.DataFrame(
        {
            names[0]: [month_label(d, language) for d in table["origin"]],
            names[1]: [month_label(d, language) for d in table["target"]],
            names[2]: table["horizon_months"].astype(int).to_numpy(),
            names[3]: table["observed"].round().astype(int).to_numpy(),
            names[4]: table["median"].round().astype(int).to_numpy(),
            names[5]: table["lo80"].round().astype(int).to_numpy(),
            names[6]: table["hi80"].round().astype(int).to_numpy(),
            names[7]: [yes if v else no for v in table["inside"].astype(bool)],
        }
    )


def replay_out_of_sample_text(table: pd.DataFrame, *, language: str | None = None) -> Text:
    """Say in one sentence per rule how many counts of places the out-of-sample replay holds in its 80 % band.

    The rules: places follow demand, the baseline's places as announced and the random walk
    with drift as benchmark (each when its rows are in ``table``), with their mean CRPS (places).

    Args:
        table: :func:`capacity.shelter.replay_out_of_sample`'s table or the replay table.
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    rules = {v: _out_of_sample(table, v).reset_index(drop=True) for v in _OOS_RULE}
    if rules[OUT_OF_SAMPLE].empty and rules[OUT_OF_SAMPLE_AS_ANNOUNCED].empty:
        return Text(_("No counts of places to compare with.", language))
    sentences = []
    for variable, rows in rules.items():
        if rows.empty:
            continue
        worst = rows.loc[(rows["median"] - rows["observed"]).abs().idxmax()]
        crps = (
            _(" (mean CRPS {crps} places)", language).format(crps=n(rows["crps"].mean()))
            if "crps" in rows and rows["crps"].notna().any()
            else ""
        )
        sentences.append(
            _(_OOS_SENTENCE[variable], language).format(
                inside=int(rows["inside"].astype(bool).sum()),
                counts=len(rows),
                crps=crps,
                month=month_label(worst["target"], language),
                observed=n(worst["observed"]),
                median=n(worst["median"]),
                origin=month_label(worst["origin"], language),
            )
        )
    return Text(" ".join(sentences))


#: One sentence per out-of-sample rule ({crps}: the mean CRPS in brackets, or nothing).
_OOS_SENTENCE = {
    OUT_OF_SAMPLE: N_(
        "Out of sample (each origin fitted only on the data known then), {inside} of the {counts} "
        "published counts of places fall inside the 80 % band of the places-follow-demand "
        "rule{crps}; the largest miss is {month}: {observed} published, median {median} (from "
        "{origin})."
    ),
    OUT_OF_SAMPLE_AS_ANNOUNCED: N_(
        "The baseline's rule, places as announced (the count plus the changes "
        "announced by then, no trend; the spread of a random walk fitted on the "
        "counts published by then), holds {inside} of the {counts} counts inside its "
        "80 % band{crps}; the largest miss is {month}: {observed} published, median "
        "{median} (from {origin})."
    ),
    OUT_OF_SAMPLE_RW_DRIFT: N_(
        "The benchmark, a random walk with drift (fitted on the same counts), holds "
        "{inside} of the {counts}{crps}; the largest miss is {month}: {observed} "
        "published, median {median} (from {origin})."
    ),
}


def crossing_chart(result: ShelterResult, *, language: str | None = None) -> go.Figure:
    """Cumulative share of paths on which demand per place has passed 95 % and 100 %."""
    dist = shelter.crossing_distribution(result)
    fig = go.Figure()
    said = []
    for thr, colour in ((0.95, "orange"), (1.0, "firebrick")):
        rows = dist[(dist["threshold"] == thr) & dist["date"].notna()].sort_values("date")
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["cumulative_share"],
                mode="lines+markers",
                line={"color": colour},
                name=_pct(thr, language, 0),
                text=say(rows["cumulative_share"], "share", language, 0.01),
                hovertemplate=hover(_pct(thr, language, 0)),
            )
        )
        if not rows.empty:
            said.append(
                i18n_gettext(CROSSING_SUMMARY, language).format(
                    threshold=_pct(thr, language, 0),
                    when=fmt_month(rows["date"].iloc[-1], language),
                    share=fmt_value(rows["cumulative_share"].iloc[-1], "share", 0.01, language),
                )
            )
    described(fig, " ".join(said), language)
    fig.update_layout(
        title=t("cross_title", language),
        template="plotly_white",
        height=380,
        yaxis={"tickformat": ".0%", "range": [0, 1.02]},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


#: A crossing line that moves less than this (a share of the paths) over the horizon is flat.
FLAT = 0.1
#: What the page says instead of a crossing chart whose lines are flat.
CROSSING_FLAT = N_(
    "Demand per place has passed 95 % on {p95} of the paths and 100 % on {p100} already in "
    "{month}, and on {q95} and {q100} by {end}: the chart of it would be two flat lines, so it "
    "is left out. The table below has the crossing months."
)


#: The caption of the crossing chart: the share of paths past each threshold at the horizon.
CROSSING_SUMMARY = N_("Demand per place has passed {threshold} by {when} on {share} of the paths.")


def crossing_view(result: ShelterResult, *, language: str | None = None) -> Figure | Text:
    """Return the crossing chart, or where its lines are flat (every path has passed) the fact in a sentence.

    A chart of two lines at 100 % from the first month says nothing a sentence does not.
    """
    dist = shelter.crossing_distribution(result)
    dist = dist[dist["date"].notna()].sort_values("date")
    lines = {thr: dist[dist["threshold"] == thr]["cumulative_share"] for thr in (0.95, 1.0)}
    if dist.empty or any(v.empty for v in lines.values()):
        return figure(crossing_chart(result, language=language))
    if all(float(v.max() - v.min()) < FLAT for v in lines.values()):
        share = lambda v: _pct(float(v), language, 0)  # noqa: E731 - a local shorthand
        return Text(
            i18n_gettext(CROSSING_FLAT, language).format(
                p95=share(lines[0.95].iloc[0]),
                p100=share(lines[1.0].iloc[0]),
                q95=share(lines[0.95].iloc[-1]),
                q100=share(lines[1.0].iloc[-1]),
                month=fmt_month(dist["date"].iloc[0], language),
                end=fmt_month(dist["date"].iloc[-1], language),
            )
        )
    return figure(crossing_chart(result, language=language))


#: The columns of :func:`crossing_table`, in English (the catalogue has their Dutch).
CROSSING_COLUMNS = (N_("threshold"), N_("early (10 %)"), N_("median"), N_("late (90 %)"), N_("share never"))


def crossing_table(result: ShelterResult, *, language: str | None = None) -> pd.DataFrame:
    """Return, per threshold, the 10/50/90 % quantiles of the first crossing month.

    A quantile that falls beyond the horizon reads "not within horizon"; a threshold that
    demand per place already passed at the last count reads "already at the last count".
    """
    rows = []
    never = _("not within horizon", language)
    already = _("already at the last count ({month})", language).format(
        month=month_label(result.jump_off_date, language)
    )
    for thr in (0.95, 1.0):
        idx = shelter.first_crossing(result, thr).astype(float)
        idx[idx < 0] = np.inf
        srt = np.sort(idx)
        row = {"threshold": _pct(thr, language, 0)}
        for q in (0.1, 0.5, 0.9):
            k = srt[int(np.floor(q * (len(srt) - 1)))]
            if shelter.already_above(result, thr):
                row[f"p{int(q * 100)}"] = already
                continue
            row[f"p{int(q * 100)}"] = never if not np.isfinite(k) else month_label(result.dates[int(k)], language)
        row["share_never"] = float(np.mean(~np.isfinite(idx)))
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.columns = [_(name, language) for name in CROSSING_COLUMNS]
    return frame


#: The shelter figures of the scenario's headline table, in report order.
HEADLINE_KEYS = (
    "shelter_pressure_jump_off",
    "shelter_peak_pressure",
    "shelter_first_month_95",
    "shelter_first_month_100",
    "shelter_share_paths_100",
    "shelter_places_short",
    "shelter_places_short_before_tpd",
    "shelter_places_needed",
    "shelter_cost_optimal_places",
    "shelter_cohort_at_tpd_end",
    "shelter_asylum_reception_first_month",
    "shelter_housing_task_first_month",
    "shelter_housing_task_peak",
)


def jump_off_text(result: ShelterResult, *, language: str | None = None) -> Text:
    """Say what was last observed (people in shelter, places, demand per place) and what it means."""
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    p = result.jump_off_pressure
    text = _(
        "Last count ({month}): **{in_shelter}** people in shelter on **{places}** places: **{pressure}** "
        "demand per place. The forecast starts there.",
        language,
    ).format(
        month=month_label(result.jump_off_date, language),
        in_shelter=n(result.jump_off_in_shelter),
        places=n(result.jump_off_places),
        pressure=_pct(p, language, 1) if np.isfinite(p) else "–",
    )
    passed = [thr for thr in (0.95, 1.0) if shelter.already_above(result, thr)]
    if passed:
        both = (" " + _("and", language) + " ").join(_pct(thr, language, 0) for thr in passed)
        text += " " + _(
            "Demand per place had already passed {thresholds} at the last count: that is the "
            "starting point, not a forecast.",
            language,
        ).format(thresholds=both)
    return Text(text)


#: The curves of :func:`cost_chart` (columns of the cost curve) and their names.
COST_CURVES = {
    "cost_idle_eur": N_("idle places"),
    "cost_short_eur": N_("people without a place"),
    "cost_tradeoff_eur": N_("total"),
}


def cost_chart(result: ShelterResult, curve: pd.DataFrame, *, language: str | None = None) -> go.Figure:
    """Draw expected idle and shortage cost against the number of places, marking the optimum.

    Args:
        result: The shelter result (for the places at the jump-off).
        curve: The cost curve (``tables["shelter_cost_curve"]`` of the pipeline).
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    best_row = curve.loc[curve["cost_tradeoff_eur"].idxmin()]
    best = best_row["places"]
    fig = go.Figure()
    for col, name in COST_CURVES.items():
        fig.add_trace(
            go.Scatter(
                x=curve["places"],
                y=curve[col] / 1e6,
                mode="lines",
                name=_(name, language),
                text=say(curve[col], "EUR", language, 100_000),
                hovertemplate=hover(_(name, language)),
            )
        )
    fig.add_vline(
        x=best,
        line={"dash": "dot", "color": "black"},
        annotation_text=_("optimum {places}", language).format(places=fmt_value(best, "places", 100, language)),
    )
    fig.add_vline(
        x=result.jump_off_places,
        line={"dash": "dash", "color": "gray"},
        annotation_text=_("last count ({month})", language).format(month=month_label(result.jump_off_date, language)),
        annotation_position="bottom left",
    )
    fig.update_layout(
        title=t("cost_title", language),
        template="plotly_white",
        height=400,
        xaxis_title=t("places_unit", language),
        xaxis_hoverformat=COUNT_TICKS,  # the hover's header: whole numbers, the page's separators
        hovermode="x unified",
        yaxis_title=_("EUR million", language),
        legend={"orientation": "h", "y": -0.2},
    )
    euros = {col: fmt_value(best_row[col], "EUR", 100_000, language) for col in COST_CURVES}
    summary = i18n_gettext(COST_SUMMARY, language).format(
        places=fmt_value(best, "places", 100, language),  # as the headline table prints it
        total=euros["cost_tradeoff_eur"],
        idle=euros["cost_idle_eur"],
        short=euros["cost_short_eur"],
        month=month_label(result.jump_off_date, language),
        now=fmt_value(result.jump_off_places, "places", 1, language),
    )
    return described(fig, summary, language)


#: The caption of the cost chart: where the expected cost is lowest, and its parts there.
COST_SUMMARY = N_(
    "Expected cost is lowest at {places} places: {total}, of which {idle} for idle places and "
    "{short} for people without a place. Places at the last count ({month}): {now}."
)


def entitled_note(result: ShelterResult, *, language: str | None = None) -> Text:
    """Say where the post-TPD path of people entitled to shelter comes from."""
    cfg = result.cfg
    if result.entitled_from is None:
        text = _("Temporary protection runs past the forecast horizon.", language)
    elif result.entitled_source == shelter.ENTITLED_EXTERNAL:
        text = _(
            "The TPD ends; from {month} demand follows the people still entitled to shelter (asylum case "
            "pending) from the asylum-backlog model, of whom {share} use a place.",
            language,
        ).format(
            month=month_label(result.entitled_from, language),
            share=_pct(cfg.entitled_shelter_share.central, language, 0),
        )
    else:
        text = _(
            "**Assumption without the backlog model.** From {month} {share} of those needing shelter keep "
            "the right to it (as 27 % of third-country nationals continued their asylum application in "
            "2024); then {exit_rate} of those cases end each month (used when the asylum backlog is not "
            "computed).",
            language,
        ).format(
            month=month_label(result.entitled_from, language),
            share=_pct(cfg.post_tpd_entitled_share.central, language, 0),
            exit_rate=_pct(cfg.post_tpd_exit_rate, language),
        )
    after = result.after_tpd
    close = after.close_date if after is not None else None
    if cfg.places_closed_at_tpd_end_share > 0 and close is not None:
        text += " " + _(
            "{closed} of the Ukraine places close in {month} (the plan of 28 Nov 2025); asylum users then go to "
            "COA reception, document holders still waiting for a home to the national fallback option "
            "({fallback}) or are counted without accommodation. Moves to a home are a monthly hazard "
            "(households with and without work) capped at {cap} persons a month (an assumption).",
            language,
        ).format(
            closed=_pct(cfg.places_closed_at_tpd_end_share, language, 0),
            month=month_label(close, language),
            fallback=_pct(cfg.fallback_share, language, 0),
            cap=fmt_number(cfg.housing_supply_per_month, language),
        )
    return Text(text)


def places_needed_text(
    result: ShelterResult, planning: pd.DataFrame, headline: pd.DataFrame, *, language: str | None = None
) -> Text:
    """Say in one paragraph how many places to ask for, by when, given the lead time.

    Args:
        result: The shelter result (lead time, occupancy target).
        planning: The planning table (``tables["shelter_planning"]`` of the pipeline).
        headline: The scenario's headline table (places needed).
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    first_extra = planning[planning["extra_places"] > 0]
    if first_extra.empty:
        return Text(_("No extra places are needed within the horizon.", language))
    n = lambda v: fmt_number(v, language)  # noqa: E731
    when = lambda d: month_label(d, language)  # noqa: E731
    first = first_extra.iloc[0]
    reachable = first_extra[~first_extra["too_late"].astype(bool)]
    if not first["too_late"]:
        deadline = _("the request must go out by {month}", language).format(month=when(first["request_by"]))
    else:
        deadline = _("the request had to go out by {month}, not after today ({today}), so too late", language).format(
            month=when(first["request_by"]), today=when(result.reference_month)
        )
        deadline += (
            _(". The first month still reachable is {month} (request by {request_by})", language).format(
                month=when(reachable.iloc[0]["date"]), request_by=when(reachable.iloc[0]["request_by"])
            )
            if not reachable.empty
            else _(". No shortfall within the horizon can still be met in time", language)
        )
    return Text(
        _(
            "From **{month}** more places are needed than planned ({needed} against {planned}). With a lead time of "
            "{lead} months {deadline}. The most places needed before the TPD ends is {most} (occupancy at or under "
            "{target} with {chance} probability).",
            language,
        ).format(
            month=when(first["date"]),
            needed=n(first["places_needed"]),
            planned=n(first["places_planned"]),
            lead=result.cfg.lead_time_months,
            deadline=deadline,
            most=fmt_headline(lookup(headline)["shelter_places_needed"], language),
            target=_pct(result.cfg.target_occupancy, language, 0),
            chance=_pct(result.cfg.planning_probability, language, 0),
        )
    )


#: The words of the allocation's reliability codes (:data:`capacity.shelter.RELIABILITY`);
#: ``{}`` is the fewest people in shelter for a figure of its own.
RELIABILITY_WORDS: dict[str, str] = {
    "thin": N_("thin: fewer than {} people in shelter; allocated by key, treat as indicative"),
    "known_places": N_("own places known; rest allocated by key"),
    "by_key": N_("allocated by key"),
}


def allocation_table(allocation: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the municipal allocation with its reliability codes in words (for display and download).

    Args:
        allocation: :func:`capacity.shelter.allocate`'s table (``attrs["national"]`` names the
            fewest people in shelter for a figure of its own).
        language: ``en`` or ``nl`` (None: the kernel's).

    """
    least = fmt_number(allocation.attrs.get("national", {}).get("reliability_min_persons", 100), language)
    words = {code: _(text, language).format(least) for code, text in RELIABILITY_WORDS.items()}
    out = allocation.copy()
    out["reliability"] = out["reliability"].map(lambda code: words.get(code, code))
    return out


#: The cost table's levels that are headline figures (``level`` -> headline key): printed as the headline prints them.
COST_LEVEL_KEYS = {"places needed at target": "shelter_places_needed", "cost-optimal": "shelter_cost_optimal_places"}


def costs_table(costs: pd.DataFrame, headline: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return the cost table for display, its headline levels of places as the headline prints them.

    The cost-optimal level and the places needed at the target are headline figures: the table shows
    the headline's value and rounding (``97,000``), never a second rounding of it (``96,953``); the
    places at the last count are a published count, to the place. The download keeps the numbers.
    """
    rows = lookup(headline)
    out = costs.copy()
    out["places"] = [
        fmt_headline(rows[COST_LEVEL_KEYS[level]], language)
        if level in COST_LEVEL_KEYS and COST_LEVEL_KEYS[level] in rows
        else fmt_number(places, language)
        for level, places in zip(out["level"], out["places"], strict=True)
    ]
    return out


#: Units of the rate tables' rows that are not shelter parameters (the fit's error is in places).
RATE_UNITS = {"rmse_places": "places", "arrivals_per_month": "persons/month", "departures_per_month": "persons/month"}
#: The numeric columns of the rate tables (``shelter_rates``, ``shelter_places_response``).
RATE_COLUMNS = ("value", "low", "high", "used_median", "used_p05", "used_p95")


def rate_unit(parameter: str) -> str | None:
    """Return the declared unit of a rate-table row: the shelter parameter's (``param(unit=...)``)."""
    if parameter in RATE_UNITS:
        return RATE_UNITS[parameter]
    field = ShelterConfig.model_fields.get(parameter)
    extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
    return extra.get("unit")


def rates_table(rates: pd.DataFrame, *, language: str | None = None) -> pd.DataFrame:
    """Return a rate table (estimated and used rates, or the places response) for display.

    Each row prints in its parameter's unit: shares and monthly rates as percentages, counts with
    separators, a ratio with two decimals (the download keeps the numbers).
    """
    units = [
        u if isinstance(u, str) and u else rate_unit(p)
        for p, u in zip(rates["parameter"], rates.get("unit", pd.Series([None] * len(rates))), strict=True)
    ]
    return by_row_unit(rates, RATE_COLUMNS, units, language)


#: Captions of report 03's and the municipal report's tables, in English (the catalogue has their Dutch).
CAPTIONS: dict[str, str] = {
    "headline": N_("Shelter headline figures"),
    "crossing": N_("First month past the threshold (download: the whole distribution)"),
    "forecast": N_("Shelter forecast (quantiles)"),
    "places": N_("Places needed per month"),
    "cost": N_("Expected bed-days and cost (EUR) per level of places"),
    "destinations": N_("After the TPD: asylum reception, housing task, departures (quantiles)"),
    "rates": N_("Stock-flow rates"),
    "response": N_("Places against demand, fitted 2022–2025"),
    "replay": N_("History replay against published counts"),
    "out_of_sample": N_("Places out of sample against the published counts (download: the table above)"),
    "municipalities": N_("Shelter per municipality (largest first)"),
    "regions": N_("Demand per safety region and province, first forecast month (download: every month and variable)"),
    # the municipal report (notebook 05)
    "municipality_compare": N_("The municipality beside the Netherlands"),
    "municipality_forecast": N_(
        "Forecast for the municipality, every three months (median; the download has every month and all quantiles)"
    ),
    "municipality_exits": N_("Moves out of the municipality's shelter per month after the TPD ends (persons)"),
    "national_headline": N_("National headline figures"),
}


def caption(key: str, language: str | None = None) -> str:
    """Return the caption ``key`` of :data:`CAPTIONS` in ``language`` (None: the kernel's)."""
    return _(CAPTIONS[key], language)
