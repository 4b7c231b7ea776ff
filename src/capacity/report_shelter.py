"""Figures, tables and texts of the shelter reports (national and per municipality).

No model code: every function takes a :class:`~capacity.shelter.ShelterResult`, a
municipality row from :func:`capacity.shelter.allocate` or tables made from them, and returns
a plotly figure, a DataFrame or a Markdown text object for display.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity import shelter
from capacity.data import months_between
from capacity.headline import lookup
from capacity.quantiles import QUANTILE_COLUMNS
from capacity.report import Text, fan_chart, fmt_headline, fmt_month, fmt_number
from capacity.shelter import ShelterResult

__all__ = [
    "HEADLINE_KEYS", "Text", "cost_chart", "crossing_chart", "crossing_table", "demand_vs_places_chart",
    "entitled_note", "jump_off_text", "municipality_chart_nl", "municipality_compare_nl",
    "municipality_answer_nl", "municipality_table_nl", "municipality_text_nl", "observed_shelter", "occupancy_chart",
    "destinations_chart", "places_needed_text", "replay_chart", "replay_text", "pressure_chart", "reliability_nl",
]

_L = {
    "demand": {"en": "People needing a place", "nl": "Mensen die een opvangplek nodig hebben"},
    "places": {"en": "Places (median path)", "nl": "Opvangplekken (mediaan)"},
    "occ_title": {"en": "Occupancy of municipal shelter", "nl": "Bezettingsgraad gemeentelijke opvang"},
    "dvp_title": {"en": "People needing a place against places",
                  "nl": "Vraag naar opvangplekken tegenover het aantal plekken"},
    "in_shelter_obs": {"en": "in shelter (observed)", "nl": "in opvang (waargenomen)"},
    "target": {"en": "target {p}", "nl": "streefwaarde {p}"},
    "cross_title": {"en": "Share of futures in which demand per place has passed 95 % / 100 %",
                    "nl": "Aandeel toekomstpaden waarin de vraag per plek 95% / 100% is gepasseerd"},
    "pressure_title": {"en": "Pressure: people needing a place per place (above 100 %: people go without)",
                       "nl": "Druk: vraag per opvangplek (boven 100%: mensen zonder plek)"},
    "pressure_obs": {"en": "occupancy (observed; capped at 100 %)",
                     "nl": "bezetting (waargenomen; hoogstens 100%)"},
    "dest_title": {"en": "After the TPD: where the people in Ukraine shelter at its end are (median)",
                   "nl": "Na de RTB: waar de mensen uit de opvang voor Oekraïners zijn (mediaan)"},
    "asylum_reception": {"en": "asylum reception (pursuing asylum)", "nl": "asielopvang (asielprocedure)"},
    "housing_task": {"en": "housing task (must move to other housing)",
                     "nl": "huisvestingsopgave (moet naar andere huisvesting)"},
    "left_country": {"en": "left the Netherlands", "nl": "vertrokken uit Nederland"},
    "replay_title": {"en": "History replay from July 2023: simulated (80 % band) against published counts",
                     "nl": "Terugblik vanaf juli 2023: gesimuleerd (80%-band) tegenover gepubliceerde tellingen"},
    "in_shelter": {"en": "in shelter", "nl": "in de opvang"},
    "places_sim": {"en": "places", "nl": "plekken"},
    "cost_title": {"en": "Expected cost of idle places and of people without a place",
                   "nl": "Verwachte kosten van lege plekken en van mensen zonder plek"},
}


def _l(key: str, language: str, **fmt: object) -> str:
    text = _L[key].get(language, _L[key]["en"])
    return text.format(**fmt) if fmt else text


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
    fig = fan_chart(table, "demand", title=_l("dvp_title", language), history=hist,
                    reference=places, reference_name=_l("places", language), language=language)
    if hist is not None and not hist.empty:
        fig.data[-2].name = _l("in_shelter_obs", language)
    return fig


def occupancy_chart(result: ShelterResult, *, history: pd.DataFrame | None = None,
                    language: str = "en") -> go.Figure:
    """Fan chart of the occupancy rate with the target, 95 % and 100 % lines."""
    hist = observed_shelter(history, "occupancy_rate") if history is not None else None
    fig = fan_chart(result.table(), "occupancy_rate", title=_l("occ_title", language),
                    history=hist, language=language, percent=True, y_title="")
    target = result.cfg.target_occupancy
    for level, colour, label in ((target, "seagreen", _l("target", language, p=_pct(target, language, 0))),
                                 (0.95, "orange", "95%"), (1.0, "firebrick", "100%")):
        fig.add_hline(y=level, line={"color": colour, "dash": "dot", "width": 1},
                      annotation_text=label, annotation_position="bottom right")
    return fig


def pressure_chart(result: ShelterResult, *, history: pd.DataFrame | None = None,
                   language: str = "en") -> go.Figure:
    """Fan chart of demand per place (pressure) with the target, 95 % and 100 % lines.

    Unlike occupancy, pressure is not capped at 100 %: above it, people go without a place.
    A month without places has no pressure value (a gap), not 100 %.
    """
    hist = observed_shelter(history, "occupancy_rate") if history is not None else None
    fig = fan_chart(result.table(), "pressure", title=_l("pressure_title", language),
                    history=hist, language=language, percent=True, y_title="")
    if hist is not None and not hist.empty:
        fig.data[-2].name = _l("pressure_obs", language)
    target = result.cfg.target_occupancy
    for level, colour, label in ((target, "seagreen", _l("target", language, p=_pct(target, language, 0))),
                                 (0.95, "orange", "95%"), (1.0, "firebrick", "100%")):
        fig.add_hline(y=level, line={"color": colour, "dash": "dot", "width": 1},
                      annotation_text=label, annotation_position="bottom right")
    return fig


def destinations_chart(result: ShelterResult, *, language: str = "en") -> go.Figure:
    """Stacked median destinations of the people in Ukraine shelter at the TPD end, per month.

    Medians of the parts need not add up exactly to the median cohort; the table
    (``tables/housing_task.csv``) has every quantile.
    """
    fig = go.Figure()
    after = result.after_tpd
    if after is not None:
        for name, colour in (("asylum_reception", "steelblue"), ("housing_task", "darkorange"),
                             ("left_country", "grey")):
            fig.add_trace(go.Scatter(x=after.dates, y=np.median(getattr(after, name), axis=0), mode="lines",
                                     stackgroup="one", line={"color": colour}, name=_l(name, language)))
    fig.update_layout(title=_l("dest_title", language), template="plotly_white", height=400,
                      legend={"orientation": "h", "y": -0.15})
    return fig


def replay_chart(replay: pd.DataFrame, *, language: str = "en") -> go.Figure:
    """Draw simulated people in shelter and places (median, 80 % band) with the published counts as points.

    Args:
        replay: The replay table (``tables["shelter_replay"]``).
        language: ``en`` or ``nl``.

    """
    fig = go.Figure()
    for var, colour, key in (("in_shelter", "steelblue", "in_shelter"), ("places", "darkorange", "places_sim")):
        rows = replay[replay["variable"] == var]
        name = _l(key, language)
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
    fig.update_layout(title=_l("replay_title", language), template="plotly_white", height=420,
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
        label = _l("in_shelter" if var == "in_shelter" else "places_sim", language)
        if language == "nl":
            lines.append(f"- **{label}**: {inside} van {len(rows)} tellingen binnen de 80%-band"
                         + (f"; buiten: {detail}." if detail else "."))
        else:
            lines.append(f"- **{label}**: {inside} of {len(rows)} counts inside the 80 % band"
                         + (f"; outside: {detail}." if detail else "."))
    return Text("\n".join(lines))


def crossing_chart(result: ShelterResult, *, language: str = "en") -> go.Figure:
    """Cumulative share of paths on which demand per place has passed 95 % and 100 %."""
    dist = shelter.crossing_distribution(result)
    fig = go.Figure()
    for thr, colour in ((0.95, "orange"), (1.0, "firebrick")):
        rows = dist[(dist["threshold"] == thr) & dist["date"].notna()]
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["cumulative_share"], mode="lines+markers",
                                 line={"color": colour}, name=_pct(thr, language, 0)))
    fig.update_layout(title=_l("cross_title", language), template="plotly_white", height=380,
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
                  annotation_text=("nu" if language == "nl" else "now"),
                  annotation_position="bottom left")
    fig.update_layout(title=_l("cost_title", language), template="plotly_white", height=400,
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
    if cfg.places_closed_at_tpd_end_share > 0:
        text += (f" {_pct(cfg.places_closed_at_tpd_end_share, language, 0)} of the places close when "
                 "the TPD ends; people still entitled beyond the remaining places show as unmet demand."
                 if language == "en" else
                 f" {_pct(cfg.places_closed_at_tpd_end_share, 'nl', 0)} van de plekken sluit als de "
                 "tijdelijke bescherming eindigt; wie daarna nog recht heeft en geen plek vindt, telt "
                 "als onvervulde vraag.")
    return Text(text)


# --------------------------------------------------------------------------- municipality (Dutch)


def _var(table: pd.DataFrame, variable: str) -> pd.DataFrame:
    return table[table["variable"] == variable].set_index("date")


def municipality_answer_nl(local_table: pd.DataFrame, housing_national: pd.DataFrame, row: pd.Series,
                           result: ShelterResult) -> Text:
    """Answer the council's question first, in Dutch: peak need and its month, first month short, range, housing task.

    Reads the municipality's quantile tables (its share of the national paths): the peak of
    the places needed (median path) before the TPD ends and its month, with the 80 % range of
    the people needing a place that month; the first month in which the median path leaves
    people without a place; and the housing task after the TPD. A thin figure (few people in
    shelter) is given only as a range and marked.

    Args:
        local_table: The municipality's shelter table (``MunicipalityView.table``).
        housing_national: The national destinations after the TPD (``tables["housing_task"]``);
            the municipality's share is its places share (``shelter.municipality_housing_table``).
        row: The municipality's allocation row.
        result: The national shelter result (TPD-end month, occupancy target).

    """
    n = lambda v: fmt_number(round(float(v), -1) if abs(v) >= 100 else float(v), "nl", 0)  # noqa: E731
    thin = bool(row["thin"])
    housing = shelter.municipality_housing_table(housing_national, row)
    end = result.entitled_from
    needed = _var(local_table, "places_needed")
    if end is not None:
        needed = needed[needed.index < end]
    lines = [f"### {row['name']}: de antwoorden eerst", ""]
    if not needed.empty:
        peak_month = needed["q0.50"].idxmax()
        demand = _var(local_table, "demand").loc[peak_month]
        lo, hi, mid = demand["q0.10"], demand["q0.90"], needed.loc[peak_month, "q0.50"]
        point = (f"tussen **{n(lo / result.cfg.target_occupancy)}** en **{n(hi / result.cfg.target_occupancy)}**"
                 if thin else f"**{n(mid)}**")
        lines.append(f"- **Hoogste behoefte aan plekken** vóór het einde van de RTB: {point} plekken in "
                     f"**{month_label(peak_month, 'nl')}** (bij een bezetting van "
                     f"{_pct(result.cfg.target_occupancy, 'nl', 0)}); dan hebben {n(lo)} tot {n(hi)} mensen "
                     "een plek nodig (80% van de toekomstpaden).")
    unmet = _var(local_table, "unmet_demand")
    short = unmet[unmet["q0.50"] >= 1]
    risky = unmet[unmet["q0.90"] >= 1]
    tail = (f" In het ongunstigste tiende van de paden is er wel een tekort, het eerst in "
            f"{month_label(risky.index[0], 'nl')}." if not risky.empty else "")
    lines.append("- **Eerste maand met een tekort** (mediaan): "
                 + (f"**{month_label(short.index[0], 'nl')}**." if not short.empty else
                    "**geen** binnen de horizon: de plekken groeien naar verwachting mee met de vraag.")
                 + tail)
    if housing.empty:
        lines.append("- **Huisvestingsopgave na de RTB**: de RTB eindigt na de horizon van deze prognose.")
    else:
        new = _var(housing, "housing_task_new").iloc[0]
        stock = _var(housing, "housing_task")
        peak = stock["q0.50"].idxmax()
        first = (f"tussen {n(new['q0.10'])} en {n(new['q0.90'])}" if thin
                 else f"**{n(new['q0.50'])}** ({n(new['q0.10'])} tot {n(new['q0.90'])})")
        lines.append(f"- **Huisvestingsopgave na de RTB** ({month_label(housing['date'].min(), 'nl')}): "
                     f"{first} mensen moeten in de eerste maand van de opvang naar andere huisvesting; "
                     f"op het hoogste punt ({month_label(peak, 'nl')}) zijn het er "
                     f"{n(stock.loc[peak, 'q0.10'])} tot {n(stock.loc[peak, 'q0.90'])}.")
    if thin:
        lines += ["", f"*Dun cijfer: naar schatting minder dan {fmt_number(result.cfg.reliability_min_persons, 'nl')} "
                      "mensen in opvang; daarom alleen een bandbreedte.*"]
    return Text("\n".join(lines))


def municipality_text_nl(row: pd.Series, national: dict, result: ShelterResult) -> Text:
    """Return the Dutch summary of one municipality's expected shelter task.

    Args:
        row: The municipality's row of :func:`capacity.shelter.allocate`.
        national: ``allocation.attrs["national"]``.
        result: The national shelter result (jump-off month, occupancy target).

    """
    n = lambda v: fmt_number(v, "nl")  # noqa: E731
    when = month_label(national["date"], "nl")
    lines = [
        f"**{row['name']}** ({row['code']}, provincie {row['province']}) heeft "
        f"{n(row['population'])} inwoners: {_pct(row['share'], 'nl', 2)} van Nederland. "
        "Met die verdeelsleutel (aandeel in de bevolking, zoals bij de Spreidingswet en de "
        "taakstelling voor statushouders) krijgt de gemeente dat deel van de landelijke opgave.",
        "",
        f"- **Nu** ({month_label(result.jump_off_date, 'nl')}): naar verwachting "
        f"{n(row['in_shelter_now'])} mensen in opvang op {n(row['places_now'])} plekken "
        + ("(eigen opgegeven aantal plekken)." if row["places_source"] == "known"
           else "(toegerekend; gemeentelijke aantallen zijn niet gepubliceerd)."),
        f"- **Over {months_between(result.jump_off_date, national['date'])} maanden** "
        f"({when}, mediaan): {n(row['demand'])} mensen hebben een plek nodig, tegen "
        f"{n(row['places'])} plekken; {n(row['unmet_demand'])} van hen "
        f"{'vindt' if row['unmet_demand'] == 1 else 'vinden'} naar verwachting "
        "geen plek (geweigerd of wachtend).",
        f"- **Benodigde plekken** om de bezetting op of onder "
        f"{_pct(result.cfg.target_occupancy, 'nl', 0)} te houden (kans "
        f"{_pct(result.cfg.planning_probability, 'nl', 0)}): {n(row['places_needed'])}; "
        + (f"dat zijn er {n(row['places_gap'])} méér dan de plekken in {when}."
           if row["places_gap"] > 0 else
           f"de plekken in {when} volstaan (ruimte voor {n(-row['places_gap'])} meer)."),
    ]
    if row["thin"]:
        lines += ["", f"*Let op: in deze gemeente verblijven naar schatting minder dan "
                      f"{n(national.get('reliability_min_persons', 100))} mensen in opvang. Een toegerekend "
                      "cijfer is dan onzeker; CBS en PBL publiceren zulke kleine gemeentelijke "
                      "aantallen niet als betrouwbaar. Lees het als indicatie.*"]
    return Text("\n".join(lines))


def reliability_nl(row: pd.Series, national: dict) -> Text:
    """Say in Dutch how the municipality's figures were made and how far to trust them."""
    threshold = fmt_number(national.get("reliability_min_persons", 100), "nl")
    how = ("De plekken zijn de door de gemeente opgegeven eigen plekken; de rest is toegerekend."
           if row["places_source"] == "known" else
           "Alle cijfers zijn toegerekend met de verdeelsleutel; er zijn geen gemeentelijke "
           "opvangcijfers gepubliceerd.")
    if row["thin"]:
        return Text(f"**Dun cijfer.** Naar schatting minder dan {threshold} mensen in opvang. {how} "
                    "Lees de cijfers als indicatie.")
    return Text(f"**Toegerekend cijfer.** {how}")


def municipality_compare_nl(row: pd.Series, national: dict) -> pd.DataFrame:
    """Return the municipality's figures beside the national ones, in Dutch."""
    items = [("Opvangplekken nu", "places_now"), ("In opvang nu", "in_shelter_now"),
             ("Plekken (" + month_label(national["date"], "nl") + ")", "places"),
             ("Mensen die een plek nodig hebben", "demand"), ("In opvang", "in_shelter"),
             ("Zonder plek (onvervulde vraag)", "unmet_demand"),
             ("Benodigde plekken (" + month_label(national["date"], "nl") + ")", "places_needed")]
    return pd.DataFrame({
        "kengetal": [label for label, _ in items],
        str(row["name"]): [fmt_number(int(row[c]), "nl") for _, c in items],
        "Nederland": [fmt_number(int(national[c]), "nl") for _, c in items],
        "aandeel gemeente": [_pct(row[c] / national[c], "nl", 2) if national[c] else "–"
                             for _, c in items],
    })


def municipality_chart_nl(local_table: pd.DataFrame, row: pd.Series) -> go.Figure:
    """Dutch fan chart of the municipality's share of the people needing a place, with places."""
    places = local_table[local_table["variable"] == "places"][["date", "q0.50"]].rename(
        columns={"q0.50": "value"})
    return fan_chart(local_table, "demand",
                     title=f"{row['name']}: mensen die een opvangplek nodig hebben (toegerekend)",
                     reference=places, reference_name="opvangplekken (toegerekend)", language="nl")


def municipality_table_nl(local_table: pd.DataFrame) -> pd.DataFrame:
    """Return the municipality's quantile table with Dutch variable names, every 3 months."""
    names = {"demand": "vraag naar plekken", "in_shelter": "in opvang", "places": "plekken",
             "occupancy_rate": "bezettingsgraad", "unmet_demand": "onvervulde vraag",
             "places_needed": "benodigde plekken"}
    dates = sorted(local_table["date"].unique())[::3]
    out = local_table[local_table["date"].isin(dates)
                      & (local_table["variable"] != "occupancy_rate")].copy()
    numbers = ["mean", *QUANTILE_COLUMNS]
    # whole persons in Dutch notation; the download keeps the unrounded values
    out[numbers] = out[numbers].map(lambda v: fmt_number(round(float(v)), "nl"))
    out["date"] = out["date"].map(lambda d: month_label(d, "nl"))
    out["variable"] = out["variable"].map(names).fillna(out["variable"])
    out = out.rename(columns={"date": "maand", "variable": "grootheid", "mean": "gemiddelde"})
    return out.drop(columns=["code"], errors="ignore")


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
    if language == "nl":
        return Text(
            f"Vanaf **{month_label(first['date'], 'nl')}** zijn meer plekken nodig dan gepland "
            f"({n(first['places_needed'])} tegen {n(first['places_planned'])}). Met een doorlooptijd "
            f"van {lead} maanden moest de aanvraag uiterlijk in {month_label(first['request_by'], 'nl')} "
            f"de deur uit{' (dat is al voorbij)' if first['too_late'] else ''}. Het hoogste aantal "
            f"benodigde plekken vóór het einde van de tijdelijke bescherming is {needed} "
            f"(bezetting op of onder {target} met {chance} kans).")
    return Text(
        f"From **{month_label(first['date'])}** more places are needed than planned "
        f"({n(first['places_needed'])} against {n(first['places_planned'])}). With a lead time of "
        f"{lead} months the request had to go out by {month_label(first['request_by'])}"
        f"{' (already past at the jump-off)' if first['too_late'] else ''}. The most places needed "
        f"before the TPD ends is {needed} (occupancy at or under {target} with {chance} probability).")
