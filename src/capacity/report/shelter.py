"""Figures, tables and texts of the national shelter report (the municipal one: ``municipality``).

No model code: every function takes a :class:`~capacity.shelter.ShelterResult`, a
municipality row from :func:`capacity.shelter.allocate` or tables made from them, and returns
a plotly figure, a DataFrame or a Markdown text object for display.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity import shelter
from capacity.headline import lookup
from capacity.report import Text, fan_chart, fmt_headline, fmt_month, fmt_number, t
from capacity.shelter import ShelterResult
from capacity.shelter.replay import OUT_OF_SAMPLE

__all__ = [
    "HEADLINE_KEYS", "Text", "cost_chart", "crossing_chart", "crossing_table", "demand_vs_places_chart",
    "destinations_chart", "entitled_note", "housing_cap_text", "jump_off_text", "observed_shelter", "occupancy_chart",
    "places_needed_text", "pressure_chart", "replay_chart", "replay_out_of_sample_table",
    "replay_out_of_sample_text", "replay_text",
]

def month_label(date: pd.Timestamp | None, language: str = "en") -> str:
    """Return 'March 2026' / 'maart 2026', or a dash for None."""
    return fmt_month(date, language)


def _pct(x: float, language: str = "en", decimals: int = 1) -> str:
    text = f"{100 * x:.{decimals}f}"
    return (text.replace(".", ",") + "%") if language == "nl" else text + " %"


# --------------------------------------------------------------------------- national


def observed_shelter(history: pd.DataFrame, variable: str = "in_shelter",
                     since: str = "2023-01-01") -> pd.DataFrame:
    """Return observed points of a shelter series (date, value) for a chart."""
    rows = history[(history["variable"] == variable) & history["flag"].isin(["observed", "derived"])
                   & (history["date"] >= pd.Timestamp(since))]
    return rows[["date", "value"]].dropna().sort_values("date")


def demand_vs_places_chart(result: ShelterResult, *, history: pd.DataFrame | None = None,
                           language: str = "en") -> go.Figure:
    """Fan chart of the people needing a place, with the planned places as a line."""
    table = result.table()
    places = table[table["variable"] == "places"][["date", "q0.50"]].rename(columns={"q0.50": "value"})
    hist = observed_shelter(history) if history is not None else None
    fig = fan_chart(table, "demand", title=t("dvp_title", language), history=hist,
                    reference=places, reference_name=t("places_median", language), language=language)
    if hist is not None and not hist.empty:
        fig.data[-2].name = t("in_shelter_obs", language)
    return fig


def occupancy_chart(result: ShelterResult, *, history: pd.DataFrame | None = None,
                    language: str = "en") -> go.Figure:
    """Fan chart of the occupancy rate with the target, 95 % and 100 % lines."""
    hist = observed_shelter(history, "occupancy_rate") if history is not None else None
    fig = fan_chart(result.table(), "occupancy_rate", title=t("occ_title", language),
                    history=hist, language=language, percent=True, y_title="")
    target = result.cfg.target_occupancy
    _threshold_lines(fig, target, language)
    return fig


#: Threshold lines told apart by line style as well as colour (readable in grey print).
THRESHOLDS = (("seagreen", "dot"), ("darkorange", "dash"), ("firebrick", "solid"))


def _threshold_lines(fig: go.Figure, target: float, language: str) -> None:
    """Draw the occupancy target, 95 % and 100 % as labelled lines of three styles."""
    labels = (t("target_p", language, p=_pct(target, language, 0)), _pct(0.95, language, 0),
              _pct(1.0, language, 0))
    for level, (colour, dash), label in zip((target, 0.95, 1.0), THRESHOLDS, labels, strict=True):
        fig.add_hline(y=level, line={"color": colour, "dash": dash, "width": 1.5},
                      annotation_text=label, annotation_position="bottom right")


def pressure_chart(result: ShelterResult, *, history: pd.DataFrame | None = None,
                   language: str = "en") -> go.Figure:
    """Fan chart of demand per place (pressure) with the target, 95 % and 100 % lines.

    Unlike occupancy, pressure is not capped at 100 %: above it, people go without a place.
    A month without places has no pressure value (a gap), not 100 %.
    """
    hist = observed_shelter(history, "occupancy_rate") if history is not None else None
    fig = fan_chart(result.table(), "pressure", title=t("pressure_title", language),
                    history=hist, language=language, percent=True, y_title="")
    if hist is not None and not hist.empty:
        fig.data[-2].name = t("pressure_obs", language)
    target = result.cfg.target_occupancy
    _threshold_lines(fig, target, language)
    return fig


def destinations_chart(result: ShelterResult, *, language: str = "en") -> go.Figure:
    """Stacked median destinations of the people in Ukraine shelter at the TPD end, per month.

    Medians of the parts need not add up exactly to the median cohort; the table
    (``tables/housing_task.csv``) has every quantile.
    """
    fig = go.Figure()
    after = result.after_tpd
    if after is not None:
        parts = (("asylum_reception", "steelblue"), ("housing_task", "darkorange"), ("left_country", "grey"))
        if after.waiting is not None:  # the housing task split: housed, waiting in shelter or the fallback
            parts = (("asylum_reception", "steelblue"), ("moved_home", "seagreen"),
                     ("waiting_in_shelter", "darkorange"), ("fallback", "firebrick"),
                     ("without_accommodation", "black"), ("left_country", "grey"))
        for name, colour in parts:
            fig.add_trace(go.Scatter(x=after.dates, y=np.median(getattr(after, name), axis=0), mode="lines",
                                     stackgroup="one", line={"color": colour}, name=t(name, language)))
    fig.update_layout(title=t("dest_title", language), template="plotly_white", height=400,
                      legend={"orientation": "h", "y": -0.15})
    return fig


def housing_cap_text(result: ShelterResult, exits: pd.DataFrame | None = None, row: pd.Series | None = None, *,
                     language: str = "en") -> Text:
    """Say what the housing cap is, in which months it binds and, for a municipality, its moves home then.

    The cap binds in a month when the median over paths of the national moves to a home
    reaches it (within one person).

    Args:
        result: National shelter simulation (``after_tpd`` set when the TPD ends in the horizon).
        exits: ``tables["municipal_exits"]`` (:func:`capacity.shelter.municipal_exits`), for a municipality.
        row: The municipality's allocation row (code, name), or None for the national text.
        language: ``en`` or ``nl``.

    """
    nl = language == "nl"
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    cap = result.cfg.housing_supply_per_month
    head = (f"Verhuizen uit de opvang naar een woning is na de RTB begrensd door het landelijke woningaanbod: "
            f"**{n(cap)} mensen per maand** (een aanname; er is geen gepubliceerd cijfer)." if nl else
            f"After the TPD, moves from shelter to a home are limited by the national housing supply: "
            f"**{n(cap)} people a month** (an assumption; no published figure).")
    after = result.after_tpd
    if after is None or after.moved_home_new is None:
        return Text(head + (" De RTB eindigt na de horizon van deze prognose." if nl
                            else " The TPD ends after this forecast's horizon."))
    moves = np.median(after.moved_home_new, axis=0)
    binding = after.dates[moves >= cap - 1.0]
    if binding.empty:
        return Text(head + (" Die grens bindt in deze prognose in geen enkele maand." if nl
                            else " The cap binds in no month of this forecast."))
    first, last = month_label(binding[0], language), month_label(binding[-1], language)
    text = head + (f" Die grens bindt van {first} tot en met {last} ({len(binding)} maanden): dan wachten meer "
                   "mensen op een woning dan er vrijkomen." if nl else
                   f" The cap binds from {first} to {last} ({len(binding)} months): more people wait for a home "
                   "than homes come free.")
    if row is not None and exits is not None and not exits.empty:
        own = exits[(exits["code"] == row["code"]) & exits["date"].isin(binding)]
        if not own.empty:
            low, high = int(own["to_home"].min()), int(own["to_home"].max())
            span = n(low) if low == high else f"{n(low)}–{n(high)}"
            text += (f" In {row['name']} verhuizen er in die maanden {span} per maand naar een woning "
                     "(haar deel van de landelijke grens)." if nl else
                     f" In {row['name']}, {span} a month move to a home in those months (its part of the "
                     "national cap).")
    return Text(text)


def replay_chart(replay: pd.DataFrame, *, language: str = "en") -> go.Figure:
    """Draw simulated people in shelter and places (median, 80 % band) with the published counts as points.

    Args:
        replay: The replay table (``tables["shelter_replay"]``).
        language: ``en`` or ``nl``.

    """
    fig = go.Figure()
    for var, colour, key in (("in_shelter", "steelblue", "in_shelter"), ("places", "darkorange", "places_sim")):
        rows = replay[replay["variable"] == var]
        name = t(key, language)
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.90"], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.10"], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=colour, opacity=0.25, name=f"{name} 80%"))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.50"], mode="lines", line={"color": colour},
                                 name=f"{name} (median)" if language == "en" else f"{name} (mediaan)"))
        obs = rows[rows["observed"].notna()]
        fig.add_trace(go.Scatter(x=obs["date"], y=obs["observed"], mode="markers",
                                 marker={"color": colour, "symbol": "x", "size": 9},
                                 name=f"{name} (published)" if language == "en" else f"{name} (gepubliceerd)"))
    oos = _out_of_sample(replay)
    if not oos.empty:
        fig.add_trace(go.Scatter(
            x=oos["target"], y=oos["median"], mode="markers", marker={"color": "black", "size": 7},
            error_y={"type": "data", "symmetric": False, "array": oos["hi80"] - oos["median"],
                     "arrayminus": oos["median"] - oos["lo80"]},
            name="plekken buiten de steekproef (80%)" if language == "nl" else "places out of sample (80 %)"))
    fig.update_layout(title=t("replay_title", language), template="plotly_white", height=420,
                      legend={"orientation": "h", "y": -0.15})
    return fig


def replay_text(replay: pd.DataFrame, *, language: str = "en") -> Text:
    """Say how many published counts lie inside the replay's 80 % band, and where it misses, with figures."""
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    obs = replay[replay["observed"].notna()]
    lines = []
    for var in ("in_shelter", "places"):
        rows = obs[obs["variable"] == var]
        inside = int(rows["inside_80"].astype(bool).sum())
        misses = rows[~rows["inside_80"].astype(bool)]
        detail = "; ".join(
            f"{month_label(d, language)}: {n(o)} "
            + ("gepubliceerd, mediaan " if language == "nl" else "published, median ") + n(m)
            for d, o, m in zip(misses["date"], misses["observed"], misses["q0.50"], strict=True))
        label = t("in_shelter_line" if var == "in_shelter" else "places_sim", language)
        if language == "nl":
            lines.append(f"- **{label}**: {inside} van {len(rows)} tellingen binnen de 80%-band"
                         + (f"; buiten: {detail}." if detail else "."))
        else:
            lines.append(f"- **{label}**: {inside} of {len(rows)} counts inside the 80 % band"
                         + (f"; outside: {detail}." if detail else "."))
    return Text("\n".join(lines))


def _out_of_sample(table: pd.DataFrame) -> pd.DataFrame:
    """Return the out-of-sample rows in :func:`capacity.shelter.replay_out_of_sample`'s columns.

    Takes that function's table or the replay table (``tables["shelter_replay"]``).
    """
    if "variable" not in table.columns:
        return table
    rows = table[table["variable"] == OUT_OF_SAMPLE]
    return pd.DataFrame({
        "origin": rows["origin"].to_numpy(), "target": rows["date"].to_numpy(),
        "horizon_months": [(t.year - o.year) * 12 + t.month - o.month
                           for o, t in zip(pd.DatetimeIndex(rows["origin"]), pd.DatetimeIndex(rows["date"]),
                                           strict=True)],
        "observed": rows["observed"].to_numpy(), "median": rows["q0.50"].to_numpy(),
        "lo80": rows["q0.10"].to_numpy(), "hi80": rows["q0.90"].to_numpy(),
        "inside": rows["inside_80"].astype(bool).to_numpy()})


def replay_out_of_sample_table(table: pd.DataFrame, *, language: str = "en") -> pd.DataFrame:
    """Return the out-of-sample replay for display: months in words, places whole, inside as yes/no.

    Args:
        table: :func:`capacity.shelter.replay_out_of_sample`'s table or the replay table.
        language: ``en`` or ``nl``.

    """
    table = _out_of_sample(table)
    nl = language == "nl"
    names = (["vanaf", "telling", "maanden vooruit", "gepubliceerd", "mediaan", "10%", "90%", "binnen de band"]
             if nl else ["from", "count", "months ahead", "published", "median", "10 %", "90 %", "inside the band"])
    yes, no = ("ja", "nee") if nl else ("yes", "no")
    return pd.DataFrame({
        names[0]: [month_label(d, language) for d in table["origin"]],
        names[1]: [month_label(d, language) for d in table["target"]],
        names[2]: table["horizon_months"].astype(int).to_numpy(),
        names[3]: table["observed"].round().astype(int).to_numpy(),
        names[4]: table["median"].round().astype(int).to_numpy(),
        names[5]: table["lo80"].round().astype(int).to_numpy(),
        names[6]: table["hi80"].round().astype(int).to_numpy(),
        names[7]: [yes if v else no for v in table["inside"].astype(bool)],
    })


def replay_out_of_sample_text(table: pd.DataFrame, *, language: str = "en") -> Text:
    """Say in one sentence how many counts of places the out-of-sample replay holds in its 80 % band.

    Args:
        table: :func:`capacity.shelter.replay_out_of_sample`'s table or the replay table.
        language: ``en`` or ``nl``.

    """
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    table = _out_of_sample(table).reset_index(drop=True)
    if table.empty:
        return Text("Geen tellingen van plekken om mee te vergelijken." if language == "nl"
                    else "No counts of places to compare with.")
    inside = int(table["inside"].astype(bool).sum())
    miss = (table["median"] - table["observed"]).abs().idxmax()
    worst = table.loc[miss]
    when, origin = month_label(worst["target"], language), month_label(worst["origin"], language)
    if language == "nl":
        return Text(f"Buiten de steekproef (elk startpunt geschat op alleen de gegevens van dat moment) liggen "
                    f"{inside} van de {len(table)} gepubliceerde tellingen van plekken binnen de 80%-band van de "
                    f"regel 'plekken volgen de vraag'; de grootste misser is {when}: {n(worst['observed'])} "
                    f"gepubliceerd, mediaan {n(worst['median'])} (vanaf {origin}).")
    return Text(f"Out of sample (each origin fitted only on the data known then), {inside} of the {len(table)} "
                f"published counts of places fall inside the 80 % band of the places-follow-demand rule; the "
                f"largest miss is {when}: {n(worst['observed'])} published, median {n(worst['median'])} "
                f"(from {origin}).")


def crossing_chart(result: ShelterResult, *, language: str = "en") -> go.Figure:
    """Cumulative share of paths on which demand per place has passed 95 % and 100 %."""
    dist = shelter.crossing_distribution(result)
    fig = go.Figure()
    for thr, colour in ((0.95, "orange"), (1.0, "firebrick")):
        rows = dist[(dist["threshold"] == thr) & dist["date"].notna()]
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["cumulative_share"], mode="lines+markers",
                                 line={"color": colour}, name=_pct(thr, language, 0)))
    fig.update_layout(title=t("cross_title", language), template="plotly_white", height=380,
                      yaxis={"tickformat": ".0%", "range": [0, 1.02]},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def crossing_table(result: ShelterResult, *, language: str = "en") -> pd.DataFrame:
    """Return, per threshold, the 10/50/90 % quantiles of the first crossing month.

    A quantile that falls beyond the horizon reads "not within horizon"; a threshold that
    demand per place already passed at the last count reads "already at the last count".
    """
    rows = []
    never = "niet binnen de horizon" if language == "nl" else "not within horizon"
    when = month_label(result.jump_off_date, language)
    already = (f"al bij de laatste telling ({when})" if language == "nl"
               else f"already at the last count ({when})")
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
            row[f"p{int(q * 100)}"] = never if not np.isfinite(k) else month_label(
                result.dates[int(k)], language)
        row["share_never"] = float(np.mean(~np.isfinite(idx)))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if language == "nl":
        frame.columns = ["drempel", "vroeg (10%)", "mediaan", "laat (90%)", "aandeel nooit"]
    else:
        frame.columns = ["threshold", "early (10 %)", "median", "late (90 %)", "share never"]
    return frame


#: The shelter figures of the scenario's headline table, in report order.
HEADLINE_KEYS = ("shelter_pressure_jump_off", "shelter_peak_pressure", "shelter_first_month_95",
                 "shelter_first_month_100",
                 "shelter_share_paths_100", "shelter_places_short", "shelter_places_short_before_tpd",
                 "shelter_places_needed",
                 "shelter_cost_optimal_places", "shelter_cohort_at_tpd_end", "shelter_asylum_reception_first_month",
                 "shelter_housing_task_first_month", "shelter_housing_task_peak")


def jump_off_text(result: ShelterResult, *, language: str = "en") -> Text:
    """Say what was last observed (people in shelter, places, demand per place) and what it means."""
    n = lambda v: fmt_number(v, language, 0)  # noqa: E731
    when = month_label(result.jump_off_date, language)
    p = result.jump_off_pressure
    pct = _pct(p, language, 1) if np.isfinite(p) else "–"
    passed = [thr for thr in (0.95, 1.0) if shelter.already_above(result, thr)]
    if language == "nl":
        text = (f"Laatste telling ({when}): **{n(result.jump_off_in_shelter)}** mensen in de "
                f"opvang op **{n(result.jump_off_places)}** plekken: **{pct}** vraag per plek. "
                "De prognose begint daar.")
        if passed:
            text += (" De drempel van " + " en ".join(_pct(t, "nl", 0) for t in passed)
                     + " was bij de laatste telling al gepasseerd: dat is geen voorspelling maar de "
                       "uitgangssituatie.")
        return Text(text)
    text = (f"Last count ({when}): **{n(result.jump_off_in_shelter)}** people in shelter on "
            f"**{n(result.jump_off_places)}** places: **{pct}** demand per place. The forecast "
            "starts there.")
    if passed:
        text += (" Demand per place had already passed " + " and ".join(_pct(t, "en", 0) for t in passed)
                 + " at the last count: that is the starting point, not a forecast.")
    return Text(text)


def cost_chart(result: ShelterResult, curve: pd.DataFrame, *, language: str = "en") -> go.Figure:
    """Draw expected idle and shortage cost against the number of places, marking the optimum.

    Args:
        result: The shelter result (for the places at the jump-off).
        curve: The cost curve (``tables["shelter_cost_curve"]`` of the pipeline).
        language: ``en`` or ``nl``.

    """
    best = curve.loc[curve["cost_tradeoff_eur"].idxmin(), "places"]
    fig = go.Figure()
    names = {"cost_idle_eur": ("idle places", "lege plekken"),
             "cost_short_eur": ("people without a place", "mensen zonder plek"),
             "cost_tradeoff_eur": ("total", "totaal")}
    for col, (en, nl) in names.items():
        fig.add_trace(go.Scatter(x=curve["places"], y=curve[col] / 1e6, mode="lines",
                                 name=nl if language == "nl" else en))
    fig.add_vline(x=best, line={"dash": "dot", "color": "black"},
                  annotation_text=("optimum " + fmt_number(best, language)))
    fig.add_vline(x=result.jump_off_places, line={"dash": "dash", "color": "gray"},
                  annotation_text=(f"laatste telling ({month_label(result.jump_off_date, 'nl')})"
                                   if language == "nl" else
                                   f"last count ({month_label(result.jump_off_date)})"),
                  annotation_position="bottom left")
    fig.update_layout(title=t("cost_title", language), template="plotly_white", height=400,
                      xaxis_title="plekken" if language == "nl" else "places",
                      yaxis_title="mln euro" if language == "nl" else "EUR million",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def entitled_note(result: ShelterResult, *, language: str = "en") -> Text:
    """Say where the post-TPD path of people entitled to shelter comes from."""
    cfg = result.cfg
    if result.entitled_from is None:
        text = ("De tijdelijke bescherming loopt tot na de horizon van deze prognose." if language == "nl"
                else "Temporary protection runs past the forecast horizon.")
    elif result.entitled_source == shelter.ENTITLED_EXTERNAL:
        use = cfg.entitled_shelter_share.central
        text = (f"De tijdelijke bescherming eindigt; vanaf {month_label(result.entitled_from, 'nl')} "
                "volgt de vraag het aantal mensen dat nog recht op opvang heeft (hun asielaanvraag "
                f"loopt nog) volgens het model van de asielachterstand, waarvan {_pct(use, 'nl', 0)} "
                "een opvangplek gebruikt."
                if language == "nl" else
                f"The TPD ends; from {month_label(result.entitled_from)} demand follows the people "
                "still entitled to shelter (asylum case pending) from the asylum-backlog model, "
                f"of whom {_pct(use, decimals=0)} use a place.")
    else:
        share = cfg.post_tpd_entitled_share.central
        text = (f"**Aanname zonder het achterstandsmodel.** Vanaf {month_label(result.entitled_from, 'nl')} "
                f"houdt {_pct(share, 'nl', 0)} recht op opvang (zoals 27% van de derdelanders in 2024 "
                f"hun asielaanvraag voortzette); daarna eindigt {_pct(cfg.post_tpd_exit_rate, 'nl')} "
                "van die zaken per maand (gebruikt als de asielachterstand niet is doorgerekend)."
                if language == "nl" else
                f"**Assumption without the backlog model.** From {month_label(result.entitled_from)} "
                f"{_pct(share, decimals=0)} of those needing shelter keep the right to it (as 27 % of "
                "third-country nationals continued their asylum application in 2024); then "
                f"{_pct(cfg.post_tpd_exit_rate)} of those cases end each month (used when the asylum "
                "backlog is not computed).")
    after = result.after_tpd
    close = after.close_date if after is not None else None
    if cfg.places_closed_at_tpd_end_share > 0 and close is not None:
        text += (f" {_pct(cfg.places_closed_at_tpd_end_share, language, 0)} of the Ukraine places close in "
                 f"{month_label(close)} (the plan of 28 Nov 2025); asylum users then go to COA reception, "
                 "document holders still waiting for a home to the national fallback option "
                 f"({_pct(cfg.fallback_share, language, 0)}) or are counted without accommodation. "
                 "Moves to a home are a monthly hazard (households with and without work) capped at "
                 f"{fmt_number(cfg.housing_supply_per_month, language)} persons a month (an assumption)."
                 if language == "en" else
                 f" {_pct(cfg.places_closed_at_tpd_end_share, 'nl', 0)} van de plekken voor Oekraïners sluit "
                 f"in {month_label(close, 'nl')} (plan van 28 november 2025); asielzoekers gaan dan naar de "
                 "COA-opvang, documenthouders die nog geen woning hebben naar de landelijke terugvaloptie "
                 f"({_pct(cfg.fallback_share, 'nl', 0)}) of tellen als zonder opvang. Verhuizen naar een "
                 "woning is een maandelijkse kans (huishoudens met en zonder werk), begrensd op "
                 f"{fmt_number(cfg.housing_supply_per_month, 'nl')} personen per maand (een aanname).")
    return Text(text)


def places_needed_text(result: ShelterResult, planning: pd.DataFrame, headline: pd.DataFrame, *,
                       language: str = "en") -> Text:
    """Say in one paragraph how many places to ask for, by when, given the lead time.

    Args:
        result: The shelter result (lead time, occupancy target).
        planning: The planning table (``tables["shelter_planning"]`` of the pipeline).
        headline: The scenario's headline table (places needed).
        language: ``en`` or ``nl``.

    """
    needed = fmt_headline(lookup(headline)["shelter_places_needed"], language)
    lead = result.cfg.lead_time_months
    first_extra = planning[planning["extra_places"] > 0]
    n = lambda v: fmt_number(v, language)  # noqa: E731
    if first_extra.empty:
        return Text("Geen extra plekken nodig binnen de horizon." if language == "nl"
                    else "No extra places are needed within the horizon.")
    first = first_extra.iloc[0]
    target = _pct(result.cfg.target_occupancy, language, 0)
    chance = _pct(result.cfg.planning_probability, language, 0)
    today = result.reference_month
    reachable = first_extra[~first_extra["too_late"].astype(bool)]
    if language == "nl":
        deadline = (f"moest de aanvraag uiterlijk in {month_label(first['request_by'], 'nl')} de deur uit; "
                    f"dat is niet later dan nu ({month_label(today, 'nl')}), dus te laat"
                    + (f". De eerste maand die nog te halen is: {month_label(reachable.iloc[0]['date'], 'nl')} "
                       f"(aanvragen in {month_label(reachable.iloc[0]['request_by'], 'nl')})"
                       if not reachable.empty else ". Geen tekort binnen de horizon is nog op tijd te halen")
                    if first["too_late"] else
                    f"moet de aanvraag uiterlijk in {month_label(first['request_by'], 'nl')} de deur uit")
        return Text(
            f"Vanaf **{month_label(first['date'], 'nl')}** zijn meer plekken nodig dan gepland "
            f"({n(first['places_needed'])} tegen {n(first['places_planned'])}). Met een doorlooptijd "
            f"van {lead} maanden {deadline}. Het hoogste aantal "
            f"benodigde plekken vóór het einde van de tijdelijke bescherming is {needed} "
            f"(bezetting op of onder {target} met {chance} kans).")
    deadline = (f"the request had to go out by {month_label(first['request_by'])}, not after today "
                f"({month_label(today)}), so too late"
                + (f". The first month still reachable is {month_label(reachable.iloc[0]['date'])} "
                   f"(request by {month_label(reachable.iloc[0]['request_by'])})"
                   if not reachable.empty else ". No shortfall within the horizon can still be met in time")
                if first["too_late"] else
                f"the request must go out by {month_label(first['request_by'])}")
    return Text(
        f"From **{month_label(first['date'])}** more places are needed than planned "
        f"({n(first['places_needed'])} against {n(first['places_planned'])}). With a lead time of "
        f"{lead} months {deadline}. The most places needed "
        f"before the TPD ends is {needed} (occupancy at or under {target} with {chance} probability).")
