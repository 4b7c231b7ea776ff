"""The Dutch municipal report: the council's question first, then the municipality beside the country.

Every function takes a municipality row of :func:`capacity.shelter.allocate` (or tables made
from it) and returns Dutch text, a table or a chart. Its words are written in English and read
in Dutch from the catalogue (:mod:`capacity.i18n`): the page is Dutch whatever the kernel's
language.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from capacity import i18n, shelter
from capacity.data import months_between
from capacity.data.tables import MUNICIPAL_SIGNIFICANT_DIGITS, round_significant
from capacity.quantiles import QUANTILE_COLUMNS
from capacity.report import Text, fan_chart, fmt_number
from capacity.report.format import FEWER_THAN, SMALL_COUNT, fmt_range, fmt_value, percent
from capacity.report.shelter import _pct, month_label
from capacity.shelter import ShelterResult

__all__ = [
    "municipality_answer_nl",
    "municipality_chart_nl",
    "municipality_compare_nl",
    "municipality_exits_nl",
    "municipality_exits_text_nl",
    "municipality_table_nl",
    "municipality_text_nl",
    "reliability_nl",
]


def _(text: str) -> str:
    """Return a text of the municipal report (written in English) in Dutch, the report's language."""
    return i18n.gettext(text, "nl")


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural of a text of the municipal report, in Dutch."""
    return i18n.ngettext(singular, plural, n, "nl")


#: Column names of the monthly exits after the TPD (``tables/municipal_exits.csv``), in Dutch.
EXIT_LABELS_NL = {
    "to_home": _("to a home"),
    "to_asylum_reception": _("to asylum reception (COA)"),
    "abroad": _("abroad"),
    "to_fallback": _("to the national fallback option"),
    "to_no_accommodation": _("without accommodation"),
}


def _step(value: float) -> float:
    """Return the page's rounding step of a modelled count: 100 and more to the nearest 10, else 1."""
    return 10.0 if abs(float(value)) >= 100 else 1.0


def _count_nl(value: float) -> str:
    """Format a modelled count in Dutch one way on the whole page (:func:`fmt_value`, ``small``).

    100 and more to the nearest 10; below 10 "minder dan 10", never an exact-looking 5 (an
    allocated share of a national figure is not a count of people). An exact 0 (no path has
    anyone, e.g. after the shelter closes) stays 0.
    """
    value = float(value)
    if value == 0:
        return fmt_number(0, "nl")
    return fmt_value(value, "persons", _step(value), "nl", small=True)


def _range_nl(low: float, high: float) -> str:
    """Format a modelled range in Dutch: ``4.690 tot 5.000``; one figure when both ends print alike.

    Below 10 it is "minder dan 10" (never "5 tot 5"), and a range of exact zeros is 0 (never "0 tot 0").
    """
    low, high = float(low), float(high)
    if low == high == 0:
        return fmt_number(0, "nl")
    return fmt_range(low, high, "persons", _step(max(abs(low), abs(high))), "nl", small=True)


def _ends(low: float, high: float) -> tuple[str, str] | None:
    """Return a range's two ends as :func:`_range_nl` prints them, or ``None`` where it prints one figure."""
    step = _step(max(abs(float(low)), abs(float(high))))
    ends = (fmt_value(low, "persons", step, "nl"), fmt_value(high, "persons", step, "nl"))
    return None if float(high) < SMALL_COUNT - 0.5 or ends[0] == ends[1] else ends


def _between(low: float, high: float, bold: bool = False) -> str:
    """Say a thin figure's range in Dutch: "tussen 30 en 60", or the one figure it prints as ("minder dan 10")."""
    ends = _ends(low, high)
    if ends is None:
        return f"**{_range_nl(low, high)}**" if bold else _range_nl(low, high)
    text = _("between **{low}** and **{high}**") if bold else _("between {low} and {high}")
    return text.format(low=ends[0], high=ends[1])


def _share_nl(value: float) -> str:
    """Format a municipality's share of the country in Dutch: to 0.1 %, "minder dan 0,1%" below that.

    An allocated share is not known to a hundredth of a percent; 0 stays 0 %.
    """
    if value is None or pd.isna(value):
        return "–"
    if 0 < abs(float(value)) < 0.0005:
        return i18n.gettext(FEWER_THAN, "nl").format(number=percent(fmt_number(0.1, "nl", 1), "nl"))
    return fmt_value(value, "share", 0.001, "nl")


def _var(table: pd.DataFrame, variable: str) -> pd.DataFrame:
    return table[table["variable"] == variable].set_index("date")


def municipality_answer_nl(
    local_table: pd.DataFrame, housing_national: pd.DataFrame, row: pd.Series, result: ShelterResult
) -> Text:
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
    lines = [_("### {name}: the answers first").format(name=row["name"]), ""]
    if not needed.empty:
        peak_month = needed.idxmax()
        demand = _var(local_table, "demand").loc[peak_month]
        lo, hi, mid = demand["q0.10"], demand["q0.90"], needed.loc[peak_month]
        low, high = lo / result.cfg.target_occupancy, hi / result.cfg.target_occupancy
        point = _between(low, high, bold=True) if thin else f"**{n(mid)}**"
        lines.append(
            _(
                "- **Highest need for places** before the TPD ends: {places} places in **{month}** "
                "(occupancy at or below {target} with {chance} probability; the municipality's share of "
                "the national figure); then {range} people need a place (in 80 % of the "
                "simulations)."
            ).format(
                places=point,
                month=month_label(peak_month, "nl"),
                chance=chance,
                target=_pct(result.cfg.target_occupancy, "nl", 0),
                range=_range_nl(lo, hi),
            )
        )
    unmet = _var(local_table, "unmet_demand")
    short = unmet[unmet["q0.50"] >= 1]
    risky = unmet[unmet["q0.90"] >= 1]
    tail = (
        _(" In the worst 10 % of the simulations there is a shortage, first in {month}.").format(
            month=month_label(risky.index[0], "nl")
        )
        if not risky.empty
        else ""
    )
    lines.append(
        _("- **First month with a shortage** (median): ")
        + (
            f"**{month_label(short.index[0], 'nl')}**."
            if not short.empty
            else _("**none** within the horizon: demand is expected to stay within the places.")
        )
        + tail
    )
    if housing.empty:
        lines.append(_("- **Housing task after the TPD**: the TPD ends after the horizon of this forecast."))
    else:
        new = _var(housing, "housing_task_new").iloc[0]
        stock = _var(housing, "housing_task")
        peak = stock["q0.50"].idxmax()
        first = (
            _between(new["q0.10"], new["q0.90"])
            if thin
            else _("**{median}** ({range})").format(median=n(new["q0.50"]), range=_range_nl(new["q0.10"], new["q0.90"]))
        )
        lines.append(
            _(
                "- **Housing task after the TPD** ({month}): {first} people must move from shelter to "
                "other housing in that first month; at the peak ({peak}) they are {range}."
            ).format(
                month=month_label(housing["date"].min(), "nl"),
                first=first,
                peak=month_label(peak, "nl"),
                range=_range_nl(stock.loc[peak, "q0.10"], stock.loc[peak, "q0.90"]),
            )
        )
    if thin:
        least = fmt_number(result.cfg.reliability_min_persons, "nl")
        lines += [
            "",
            _("*Uncertain figure: an estimated fewer than {least} people in shelter; hence only a range.*").format(
                least=least
            ),
        ]
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
    unmet = round(row["unmet_demand"])
    lines = [
        _(
            "**{name}** ({code}, province {province}) has {population} inhabitants: {share} of the Netherlands. "
            "By that allocation key (share of the population, as in the Dispersal Act and the housing target for "
            "status holders) the municipality gets that part of the national task."
        ).format(
            name=row["name"],
            code=row["code"],
            province=row["province"],
            population=fmt_number(row["population"], "nl"),
            share=_share_nl(row["share"]),
        ),
        "",
        _(
            "- **At the last national count** ({month}): an expected {in_shelter} people in shelter in {places} places "
        ).format(
            month=month_label(result.jump_off_date, "nl"),
            in_shelter=n(row["in_shelter_now"]),
            places=n(row["places_now"]),
        )
        + (
            _("(own reported number of places).")
            if row["places_source"] == "known"
            else _("(allocated; municipal numbers are not published).")
        ),
        _(
            "- **In {month}**, {months} months after that count (median): {demand} people need a place, against "
            "{places} places; "
        ).format(
            month=when,
            months=months_between(result.jump_off_date, national["date"]),
            demand=n(row["demand"]),
            places=n(row["places"]),
        )
        + (
            _("everyone is expected to find a place.")
            if unmet == 0
            else ngettext(
                "{n} of them is expected to find no place (turned away or on the waiting list).",
                "{n} of them are expected to find no place (turned away or on the waiting list).",
                max(unmet, SMALL_COUNT),
            ).format(n=n(row["unmet_demand"]))
        ),  # "minder dan 10 ... vinden"
        _("- **Places needed** to keep occupancy at or below {target} (probability {chance}): {needed}; ").format(
            target=_pct(result.cfg.target_occupancy, "nl", 0),
            chance=_pct(result.cfg.planning_probability, "nl", 0),
            needed=n(row["places_needed"]),
        )
        + (
            _("that is {gap} more than the places in {month}.").format(gap=n(row["places_gap"]), month=when)
            if row["places_gap"] > 0
            else _("the places in {month} suffice (room for {room} more).").format(
                month=when, room=n(-row["places_gap"])
            )
        ),
    ]
    if row["thin"]:
        lines += [
            "",
            _(
                "*Note: an estimated fewer than {least} people stay in shelter in this municipality. An "
                "allocated figure is then uncertain; CBS and PBL do not publish such small municipal "
                "numbers as reliable. Read it as an indication.*"
            ).format(least=n(national.get("reliability_min_persons", 100))),
        ]
    return Text("\n".join(lines))


def reliability_nl(row: pd.Series, national: dict) -> Text:
    """Say in Dutch how the municipality's figures were made and how far to trust them."""
    threshold = fmt_number(national.get("reliability_min_persons", 100), "nl")
    how = (
        _("The places are the municipality's own reported places; the rest is allocated.")
        if row["places_source"] == "known"
        else _("All figures are allocated by the allocation key; no municipal shelter figures are published.")
    )
    if row["thin"]:
        return Text(
            _(
                "**Uncertain figure.** An estimated fewer than {threshold} people in shelter. {how} "
                "Read the figures as an indication."
            ).format(threshold=threshold, how=how)
        )
    return Text(_("**Allocated figure.** {how}").format(how=how))


def municipality_compare_nl(row: pd.Series, national: dict) -> pd.DataFrame:
    """Return the municipality's figures beside the national ones, in Dutch."""
    when = month_label(national["date"], "nl")
    # the jump-off figures are the last national count's, not today's: "now" would name a past month
    items = [
        (_("Shelter places at the last count"), "places_now"),
        (_("In shelter at the last count"), "in_shelter_now"),
        (_("Places ({month})").format(month=when), "places"),
        (_("People needing a place"), "demand"),
        (_("In shelter"), "in_shelter"),
        (_("Without a place (unmet demand)"), "unmet_demand"),
        (_("Places needed ({month})").format(month=when), "places_needed"),
    ]
    return pd.DataFrame(
        {
            _("figure"): [label for label, _c in items],
            str(row["name"]): [_count_nl(row[c]) for _l, c in items],
            _("the Netherlands"): [_count_nl(national[c]) for _l, c in items],
            _("municipality's share"): [_share_nl(row[c] / national[c]) if national[c] else "–" for _l, c in items],
        }
    )


def municipality_chart_nl(local_table: pd.DataFrame, row: pd.Series) -> go.Figure:
    """Dutch fan chart of the municipality's share of the people needing a place, with places.

    Its text alternative prints the figures as the page does: below 10 "minder dan 10", a
    band whose ends print alike as one figure (never "0 tot 0").
    """
    places = local_table[local_table["variable"] == "places"][["date", "q0.50"]].rename(columns={"q0.50": "value"})
    return fan_chart(
        local_table,
        "demand",
        title=_("{name}: people needing a shelter place (allocated)").format(name=row["name"]),
        reference=places,
        reference_name=_("shelter places (allocated)"),
        language="nl",
        small=True,
        rounding=_step,
    )


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

    return pd.DataFrame(
        {
            _("month"): [month_label(d, "nl") for d in dates],
            _("demand for places (median)"): counts(median["demand"]),
            _("80 % band of the demand"): [
                _range_nl(lo, hi) for lo, hi in zip(demand["q0.10"], demand["q0.90"], strict=True)
            ],
            _("places"): counts(median["places"]),
            _("in shelter (median)"): counts(median["in_shelter"]),
            _("without a place (median)"): counts(median["unmet_demand"]),
            _("places needed (probability {percent})").format(percent=_pct(probability, "nl", 0)): counts(
                local_table.pivot(index="date", columns="variable", values=_quantile_column(probability)).loc[
                    dates, "places_needed"
                ]
            ),
        }
    )


def _own_exits(exits: pd.DataFrame | None, row: pd.Series) -> pd.DataFrame:
    if exits is None or exits.empty:  # a cached result from before the table existed, or no TPD end
        return pd.DataFrame(columns=["code", "date", "closure_month", *EXIT_LABELS_NL])  # the codes
    return exits[exits["code"] == row["code"]].sort_values("date")


def municipality_exits_nl(exits: pd.DataFrame | None, row: pd.Series, *, numbers: bool = False) -> pd.DataFrame:
    """Return the municipality's monthly exits after the TPD end, in Dutch (persons per month).

    Printed as every count on the page: below 10 "minder dan 10", never an exact-looking 3.
    With ``numbers`` the download: the month as a date and the medians as numbers (a spreadsheet
    reads ``1.450`` as 1.45), under the same Dutch names.

    Args:
        exits: ``tables["municipal_exits"]`` (:func:`capacity.shelter.municipal_exits`).
        row: The municipality's allocation row.
        numbers: Return numbers, not the page's text.

    """
    own = _own_exits(exits, row)
    if numbers:
        frame = pd.DataFrame({_("month"): pd.to_datetime(own["date"]).dt.strftime("%Y-%m")})
        for name, label in EXIT_LABELS_NL.items():
            frame[label] = own[name].to_numpy(dtype=float)
        return frame.reset_index(drop=True)
    frame = pd.DataFrame({_("month"): [month_label(d, "nl") for d in own["date"]]})
    for name, label in EXIT_LABELS_NL.items():  # as every count on the page: "minder dan 10", 1.450
        frame[label] = [_count_nl(v) for v in own[name]]
    return frame


def municipality_exits_text_nl(exits: pd.DataFrame | None, row: pd.Series) -> Text:
    """Say in Dutch when Ukraine shelter closes and how many leave the municipality's shelter, and where."""
    own = _own_exits(exits, row)
    if own.empty:
        return Text(
            _(
                "The TPD ends after the horizon of this forecast: there are no departures from shelter "
                "after the TPD to show yet."
            )
        )
    close = own["closure_month"].dropna()
    closing = (
        _("Shelter for Ukrainians closes in **{month}** (plan of 28 November 2025).").format(
            month=month_label(pd.Timestamp(close.iloc[0]), "nl")
        )
        if not close.empty
        else _("In this scenario shelter for Ukrainians does not close within the horizon.")
    )
    totals = {label: int(own[name].sum()) for name, label in EXIT_LABELS_NL.items()}
    parts = "; ".join(f"{label}: {_count_nl(v)}" for label, v in totals.items())
    return Text(
        _(
            "{closing} From the end of the TPD ({first}) to {last}, people leave shelter in {name} (median "
            "per month, summed): {parts}. Whoever has no home at the closure goes to the national fallback "
            "option or counts as 'without accommodation'; no one drops out. Moves to a home are limited by "
            "the national housing supply (an assumption)."
        ).format(
            closing=closing,
            first=month_label(own["date"].min(), "nl"),
            last=month_label(own["date"].max(), "nl"),
            name=row["name"],
            parts=parts,
        )
    )
