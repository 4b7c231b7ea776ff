"""The Dutch municipal report: the council's question first, then the municipality beside the country.

Every function takes a municipality row of :func:`capacity.shelter.allocate` (or tables made
from it) and returns Dutch text, a table or a chart. Its labels (column names, chart titles)
are written in English and read in Dutch from the catalogue (:mod:`capacity.i18n`); the
sentences that carry the figures are still written in Dutch here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from capacity import i18n, shelter
from capacity.data import months_between
from capacity.data.tables import MUNICIPAL_SIGNIFICANT_DIGITS, round_significant
from capacity.quantiles import QUANTILE_COLUMNS
from capacity.report import Text, fan_chart, fmt_number
from capacity.report.shelter import _pct, month_label
from capacity.shelter import ShelterResult

__all__ = [
    "municipality_answer_nl", "municipality_chart_nl", "municipality_compare_nl", "municipality_exits_nl",
    "municipality_exits_text_nl", "municipality_table_nl", "municipality_text_nl", "reliability_nl",
]



def _(text: str) -> str:
    """Return a label of the municipal report (written in English) in Dutch, the report's language."""
    return i18n.gettext(text, "nl")


#: Column names of the monthly exits after the TPD (``tables/municipal_exits.csv``), in Dutch.
EXIT_LABELS_NL = {"to_home": _("to a home"), "to_asylum_reception": _("to asylum reception (COA)"),
                  "abroad": _("abroad"), "to_fallback": _("to the national fallback option"),
                  "to_no_accommodation": _("without accommodation")}


def _count_nl(value: float) -> str:
    """Format a modelled count in Dutch one way on the whole page: 100 and more to the nearest 10."""
    value = float(value)
    return fmt_number(round(value, -1) if abs(value) >= 100 else value, "nl", 0)


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
    n = _count_nl
    thin = bool(row["thin"])
    housing = shelter.municipality_housing_table(housing_national, row)
    end = result.entitled_from
    # one definition of "places needed": the national planning figure (demand at the planning
    # probability over the target occupancy), of which the municipality has its key share
    plan = shelter.planning_table(result).set_index("date")
    needed = plan["places_needed"] * float(row["share"])
    if end is not None:
        needed = needed[needed.index < end]
    chance = _pct(result.cfg.planning_probability, "nl", 0)
    lines = [f"### {row['name']}: de antwoorden eerst", ""]
    if not needed.empty:
        peak_month = needed.idxmax()
        demand = _var(local_table, "demand").loc[peak_month]
        lo, hi, mid = demand["q0.10"], demand["q0.90"], needed.loc[peak_month]
        point = (f"tussen **{n(lo / result.cfg.target_occupancy)}** en **{n(hi / result.cfg.target_occupancy)}**"
                 if thin else f"**{n(mid)}**")
        lines.append(f"- **Hoogste behoefte aan plekken** vóór het einde van de RTB: {point} plekken in "
                     f"**{month_label(peak_month, 'nl')}** (bezetting op of onder "
                     f"{_pct(result.cfg.target_occupancy, 'nl', 0)} met {chance} kans; het aandeel van de "
                     f"gemeente in het landelijke aantal); dan hebben {n(lo)} tot {n(hi)} mensen "
                     "een plek nodig (in 80% van de simulaties).")
    unmet = _var(local_table, "unmet_demand")
    short = unmet[unmet["q0.50"] >= 1]
    risky = unmet[unmet["q0.90"] >= 1]
    tail = (f" In de ongunstigste 10% van de simulaties is er wel een tekort, voor het eerst in "
            f"{month_label(risky.index[0], 'nl')}." if not risky.empty else "")
    lines.append("- **Eerste maand met een tekort** (mediaan): "
                 + (f"**{month_label(short.index[0], 'nl')}**." if not short.empty else
                    "**geen** binnen de horizon: de vraag blijft naar verwachting binnen de plekken.")
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
                     f"{first} mensen moeten in die eerste maand vanuit de opvang naar andere huisvesting; "
                     f"op het hoogste punt ({month_label(peak, 'nl')}) zijn het er "
                     f"{n(stock.loc[peak, 'q0.10'])} tot {n(stock.loc[peak, 'q0.90'])}.")
    if thin:
        least = fmt_number(result.cfg.reliability_min_persons, "nl")
        lines += ["", f"*Onzeker cijfer: naar schatting minder dan {least} "
                      "mensen in opvang; daarom alleen een bandbreedte.*"]
    return Text("\n".join(lines))


def municipality_text_nl(row: pd.Series, national: dict, result: ShelterResult) -> Text:
    """Return the Dutch summary of one municipality's expected shelter task.

    Args:
        row: The municipality's row of :func:`capacity.shelter.allocate`.
        national: ``allocation.attrs["national"]``.
        result: The national shelter result (jump-off month, occupancy target).

    """
    n = _count_nl
    when = month_label(national["date"], "nl")
    lines = [
        f"**{row['name']}** ({row['code']}, provincie {row['province']}) heeft "
        f"{fmt_number(row['population'], 'nl')} inwoners: {_pct(row['share'], 'nl', 2)} van Nederland. "
        "Met die verdeelsleutel (aandeel in de bevolking, zoals bij de Spreidingswet en de "
        "taakstelling voor statushouders) krijgt de gemeente dat deel van de landelijke opgave.",
        "",
        f"- **Bij de laatste landelijke telling** ({month_label(result.jump_off_date, 'nl')}): naar verwachting "
        f"{n(row['in_shelter_now'])} mensen in opvang op {n(row['places_now'])} plekken "
        + ("(eigen opgegeven aantal plekken)." if row["places_source"] == "known"
           else "(toegerekend; gemeentelijke aantallen zijn niet gepubliceerd)."),
        f"- **In {when}**, {months_between(result.jump_off_date, national['date'])} maanden na die telling "
        f"(mediaan): {n(row['demand'])} mensen hebben een plek nodig, tegen "
        f"{n(row['places'])} plekken; "
        + ("naar verwachting vindt iedereen een plek." if round(row["unmet_demand"]) == 0 else
           f"{n(row['unmet_demand'])} van hen {'vindt' if round(row['unmet_demand']) == 1 else 'vinden'} "
           "naar verwachting geen plek (afgewezen of op de wachtlijst)."),
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
        return Text(f"**Onzeker cijfer.** Naar schatting minder dan {threshold} mensen in opvang. {how} "
                    "Lees de cijfers als indicatie.")
    return Text(f"**Toegerekend cijfer.** {how}")


def municipality_compare_nl(row: pd.Series, national: dict) -> pd.DataFrame:
    """Return the municipality's figures beside the national ones, in Dutch."""
    when = month_label(national["date"], "nl")
    items = [(_("Shelter places now"), "places_now"), (_("In shelter now"), "in_shelter_now"),
             (_("Places ({month})").format(month=when), "places"),
             (_("People needing a place"), "demand"), (_("In shelter"), "in_shelter"),
             (_("Without a place (unmet demand)"), "unmet_demand"),
             (_("Places needed ({month})").format(month=when), "places_needed")]
    return pd.DataFrame({
        _("figure"): [label for label, _c in items],
        str(row["name"]): [_count_nl(row[c]) for _l, c in items],
        _("the Netherlands"): [_count_nl(national[c]) for _l, c in items],
        _("municipality's share"): [_pct(row[c] / national[c], "nl", 2) if national[c] else "–"
                                    for _l, c in items],
    })


def municipality_chart_nl(local_table: pd.DataFrame, row: pd.Series) -> go.Figure:
    """Dutch fan chart of the municipality's share of the people needing a place, with places."""
    places = local_table[local_table["variable"] == "places"][["date", "q0.50"]].rename(
        columns={"q0.50": "value"})
    return fan_chart(local_table, "demand",
                     title=_("{name}: people needing a shelter place (allocated)").format(name=row["name"]),
                     reference=places, reference_name=_("shelter places (allocated)"), language="nl")


def municipality_download(local_table: pd.DataFrame) -> pd.DataFrame:
    """Return the municipality's quantile table as downloaded: figures to 6 significant digits.

    See :data:`capacity.data.tables.MUNICIPAL_SIGNIFICANT_DIGITS`.
    """
    out = local_table.copy()
    numbers = [c for c in ("mean", *QUANTILE_COLUMNS) if c in out.columns]
    for col in numbers:
        out[col] = round_significant(out[col].to_numpy(dtype=float), MUNICIPAL_SIGNIFICANT_DIGITS)
    return out


def _quantile_column(probability: float) -> str:
    """Return the quantile column nearest to ``probability`` (``q0.90`` for 0.9)."""
    return min(QUANTILE_COLUMNS, key=lambda c: abs(float(c[1:]) - probability))


def municipality_table_nl(local_table: pd.DataFrame, probability: float = 0.9) -> pd.DataFrame:
    """Return the municipality's forecast every three months, in Dutch, as a planner reads it.

    One row per quarter: the median of each count (rounded as everywhere on the page) and
    the 80 % band of the demand; places needed at the planning ``probability`` (the one
    definition, as nationally: the municipality's share of the national figure). The
    download has every month and every quantile.
    """
    dates = sorted(local_table["date"].unique())[::3]
    median = local_table.pivot(index="date", columns="variable", values="q0.50").loc[dates]
    demand = _var(local_table, "demand").loc[dates]

    def counts(values: pd.Series) -> list[str]:
        return [_count_nl(v) for v in values]

    return pd.DataFrame({
        _("month"): [month_label(d, "nl") for d in dates],
        _("demand for places (median)"): counts(median["demand"]),
        _("80 % band of the demand"): [_("{low} to {high}").format(low=lo, high=hi) for lo, hi in zip(
            counts(demand["q0.10"]), counts(demand["q0.90"]), strict=True)],
        _("places"): counts(median["places"]),
        _("in shelter (median)"): counts(median["in_shelter"]),
        _("without a place (median)"): counts(median["unmet_demand"]),
        _("places needed (probability {percent})").format(percent=_pct(probability, "nl", 0)): counts(
            local_table.pivot(index="date", columns="variable", values=_quantile_column(probability))
            .loc[dates, "places_needed"]),
    })




def _own_exits(exits: pd.DataFrame | None, row: pd.Series) -> pd.DataFrame:
    if exits is None or exits.empty:  # a cached result from before the table existed, or no TPD end
        return pd.DataFrame(columns=["code", "date", "closure_month", *EXIT_LABELS_NL])  # the codes
    return exits[exits["code"] == row["code"]].sort_values("date")


def municipality_exits_nl(exits: pd.DataFrame | None, row: pd.Series) -> pd.DataFrame:
    """Return the municipality's monthly exits after the TPD end, in Dutch (whole persons per month).

    Args:
        exits: ``tables["municipal_exits"]`` (:func:`capacity.shelter.municipal_exits`).
        row: The municipality's allocation row.

    """
    own = _own_exits(exits, row)
    frame = pd.DataFrame({_("month"): [month_label(d, "nl") for d in own["date"]]})
    for name, label in EXIT_LABELS_NL.items():
        frame[label] = own[name].to_numpy()
    return frame


def municipality_exits_text_nl(exits: pd.DataFrame | None, row: pd.Series) -> Text:
    """Say in Dutch when Ukraine shelter closes and how many leave the municipality's shelter, and where."""
    own = _own_exits(exits, row)
    if own.empty:
        return Text("De RTB eindigt na de horizon van deze prognose: er zijn nog geen vertrekken uit de "
                    "opvang na de RTB te tonen.")
    close = own["closure_month"].dropna()
    closing = (f"De opvang voor Oekraïners sluit in **{month_label(pd.Timestamp(close.iloc[0]), 'nl')}** "
               "(plan van 28 november 2025)." if not close.empty else
               "De opvang voor Oekraïners sluit in dit scenario niet binnen de horizon.")
    totals = {label: int(own[name].sum()) for name, label in EXIT_LABELS_NL.items()}
    parts = "; ".join(f"{label}: {fmt_number(v, 'nl')}" for label, v in totals.items())
    return Text(f"{closing} Vanaf het einde van de RTB ({month_label(own['date'].min(), 'nl')}) tot "
                f"{month_label(own['date'].max(), 'nl')} vertrekken uit de opvang in {row['name']} "
                f"(mediaan per maand, opgeteld): {parts}. Wie bij de sluiting nog geen woning heeft, gaat "
                "naar de landelijke terugvaloptie of telt als 'zonder opvang'; niemand valt weg. Verhuizingen "
                "naar een woning zijn beperkt door het landelijke woningaanbod (een aanname).")
