"""Report 06, the EU around the Netherlands: tables and charts from the EU files and the movement layer.

Shows; computes nothing a model would: shares and latest months are read off the data, the
movement paths come from :func:`capacity.pipeline.eu_context`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from babel import Locale

from capacity import i18n
from capacity.i18n import N_
from capacity.quantiles import BANDS
from capacity.report.charts import fan_chart, lines_chart
from capacity.report.format import fmt_distribution, locale
from capacity.report.labels import t

#: Column names of the tables (English; the catalogue has their Dutch).
_COLUMNS = {
    "country": N_("member state"),
    "month": N_("latest month"),
    "tp_stock": N_("under TP at month end"),
    "tp_grants": N_("new grants in the month"),
    "share": N_("share of the member states' total"),
    "source": N_("source"),
    "note": N_("note"),
    "status": N_("status after TP"),
    "duration_years": N_("years"),
    "conditions": N_("conditions"),
    "applications_from": N_("when"),
    "nl_share": N_("Dutch share (%)"),
    "reporting": N_("member states reporting"),
    "date": N_("date"),
    "measure": N_("measure"),
    "value": N_("value"),
    "quantity": N_("quantity"),
    "median": N_("median"),
    "p10": N_("10 %"),
    "p90": N_("90 %"),
    "parameter": N_("parameter"),
    "setting": N_("setting"),
}
#: Eurostat's country codes that are not ISO 3166 codes (CLDR names territories by ISO code).
_ISO = {"EL": "GR"}


def country_names(frame: pd.DataFrame, language: str | None = None) -> pd.Series:
    """Return the country names of ``frame`` (columns ``geo``, ``country``) in ``language``.

    The data's names are English, the source language; another language takes the CLDR name
    of the country (Babel), and the data's name where CLDR has none (``EU-27``).
    """
    language = i18n.language(language)
    if language == i18n.SOURCE:
        return frame["country"]
    names = Locale.parse(locale(language)).territories
    return frame["geo"].map(lambda g: names.get(_ISO.get(g, g)) if g != "EU" else None).fillna(frame["country"])


def country_name(geo: str, language: str | None = None) -> str:
    """Return the CLDR name of a member state's Eurostat code (``NL`` -> Netherlands / Nederland)."""
    names = Locale.parse(locale(language)).territories
    return names.get(_ISO.get(geo, geo), geo)


def _named(df: pd.DataFrame, language: str | None) -> pd.DataFrame:
    return df.rename(columns={k: i18n.gettext(v, language) for k, v in _COLUMNS.items() if k in df.columns})


def members(countries: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of EU member states (the TPD's states; EFTA states left out)."""
    return countries[countries["eu_member"]]


def latest_by_country(countries: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """Return one row per member state: its latest reported month, stock, grants and source.

    The share (a fraction; the table prints it as a percentage) is of the sum of these latest
    stocks (months differ by up to two), largest first.
    """
    rows = members(countries).dropna(subset=["tp_stock"]).sort_values("date").groupby("geo").tail(1)
    out = pd.DataFrame(
        {
            "country": country_names(rows, language),
            "month": rows["date"].dt.strftime("%Y-%m"),
            "tp_stock": rows["tp_stock"].astype(int),
            "tp_grants": rows["tp_grants"],
            "share": rows["tp_stock"] / rows["tp_stock"].sum(),  # printed as a percentage (fmt_value)
            "source": rows["source"],
        }
    ).sort_values("tp_stock", ascending=False, ignore_index=True)
    return _named(out, language)


def dutch_share(countries: pd.DataFrame, language: str | None = None, *, codes: bool = False) -> pd.DataFrame:
    """Return the Dutch share of the member states' TP stock, per month.

    A month counts only when every member state in the data reported its stock; otherwise
    the share is left empty (a partial total would overstate it). ``codes=True`` keeps the
    column names ``date``, ``nl_share``, ``reporting`` and the share as a fraction.
    """
    m = members(countries)
    n_states = m["geo"].nunique()
    by_month = m.groupby("date").agg(total=("tp_stock", "sum"), reporting=("tp_stock", "count"))
    nl = m[m["geo"] == "NL"].set_index("date")["tp_stock"]
    share = (nl / by_month["total"]).where(by_month["reporting"] == n_states)
    out = pd.DataFrame(
        {
            "date": by_month.index,
            "nl_share": share.reindex(by_month.index).to_numpy(),
            "reporting": by_month["reporting"].astype(str) + f" / {n_states}",
        }
    )
    out = out.reset_index(drop=True)
    if codes:
        return out
    return _named(
        out.assign(date=out["date"].dt.strftime("%Y-%m"), nl_share=(100 * out["nl_share"]).round(2)), language
    )


def eu_totals(totals: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """Return the EU-27 points of 2025 with their sources."""
    out = totals[["date", "measure", "value", "unit", "source"]].assign(date=totals["date"].dt.strftime("%Y-%m-%d"))
    # the file's measure codes in words (its unit and source stay as published)
    out["measure"] = out["measure"].map(
        lambda code: i18n.gettext(MEASURES[code], language) if code in MEASURES else code
    )
    return _named(out, language)


#: The measure codes of ``eurostat_tp_eu_totals.csv`` in words (English; the catalogue has the Dutch).
MEASURES: dict[str, str] = {
    "tp_beneficiaries": N_("people under temporary protection"),
    "tp_decisions_quarter": N_("new temporary protection decisions in the quarter"),
    "tp_decisions_month": N_("new temporary protection decisions in the month"),
}


def statuses(countries: pd.DataFrame, known: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """Return one row per member state with its post-TP status where a source was found, else unknown.

    The EU row (the Council's common frame) comes first.
    """
    first = members(countries).drop_duplicates("geo")
    names = pd.Series(country_names(first, language).to_numpy(), index=first["geo"])
    found = known.set_index("geo")
    rows = []
    for geo in ["EU", *sorted(names.index, key=lambda g: names[g])]:
        if geo in found.index:
            r = found.loc[geo]
            name = names.get(geo, r["country"])
            rows.append(
                {
                    "country": name,
                    "status": r["status"],
                    "duration_years": "" if pd.isna(r["duration_years"]) else f"{r['duration_years']:g}",
                    "conditions": r["conditions"],
                    "applications_from": r["applications_from"],
                    "source": r["source"],
                }
            )
        else:
            rows.append(
                {
                    "country": names[geo],
                    "status": t("unknown", language),
                    "duration_years": "",
                    "conditions": "",
                    "applications_from": "",
                    "source": "",
                }
            )
    return _named(pd.DataFrame(rows).astype(str).replace("nan", ""), language)


def stocks_chart(countries: pd.DataFrame, *, language: str | None = None, top: int = 8) -> go.Figure:
    """Draw the TP stock of the ``top`` largest member states and the Netherlands, per month."""
    m = members(countries)
    latest = m.dropna(subset=["tp_stock"]).sort_values("date").groupby("geo")["tp_stock"].last()
    keep = list(latest.sort_values(ascending=False).index[:top])
    keep += [] if "NL" in keep else ["NL"]
    rows = m[m["geo"].isin(keep)].assign(value=lambda d: d["tp_stock"])
    rows = rows.set_index("geo").loc[keep].reset_index()
    rows = rows.assign(country=country_names(rows, language))
    return lines_chart(
        rows, series="country", title=t("p06_stocks_chart", language), y_title=t("persons", language), language=language
    )


def grants_chart(countries: pd.DataFrame, *, language: str | None = None, top: int = 8) -> go.Figure:
    """Draw the new TP grants per month of the largest member states and the Netherlands."""
    m = members(countries)
    latest = m.dropna(subset=["tp_stock"]).sort_values("date").groupby("geo")["tp_stock"].last()
    keep = list(latest.sort_values(ascending=False).index[:top])
    keep += [] if "NL" in keep else ["NL"]
    rows = m[m["geo"].isin(keep)].assign(value=lambda d: d["tp_grants"])
    rows = rows.set_index("geo").loc[keep].reset_index()
    rows = rows.assign(country=country_names(rows, language))
    return lines_chart(
        rows, series="country", title=t("p06_grants_chart", language), y_title=t("persons", language), language=language
    )


def share_chart(countries: pd.DataFrame, *, language: str | None = None) -> go.Figure:
    """Draw the Dutch share of the member states' TP stock (complete months only)."""
    share = dutch_share(countries, codes=True)
    rows = pd.DataFrame({"date": share["date"], "value": share["nl_share"], "series": t("p06_share_chart", language)})
    return lines_chart(
        rows,
        series="series",
        title=t("p06_share_chart", language),
        y_title=t("share", language),
        language=language,
        percent=True,
        markers=True,
    )


def movement_chart(movement: object, *, language: str | None = None) -> go.Figure:
    """Draw the fan of monthly arrivals in the Netherlands from other member states."""
    return fan_chart(movement.table(), "eu_arrivals", title=t("p06_movement_chart", language), language=language)


def movement_summary(movement: object, language: str | None = None) -> pd.DataFrame:
    """Return the totals over the months after the TPD end: median and 10-90 % range per quantity."""
    import numpy as np

    rows = []
    for key, paths in (
        ("eu_arrivals", movement.arrivals),
        ("eu_departures", movement.departures),
        ("eu_net", movement.arrivals - movement.departures),
    ):
        total = paths.sum(axis=1)
        p10, p50, p90 = np.quantile(total, [0.10, 0.50, 0.90])
        rows.append(
            {"quantity": t(key, language), "median": round(p50, -1), "p10": round(p10, -1), "p90": round(p90, -1)}
        )
    return _named(pd.DataFrame(rows), language)


#: The movement layer's parameters in words (``eu.secondary_movement.<name>``; the catalogue has their Dutch).
MOVEMENT_PARAMETERS = {
    "share_moving": N_("share moving from a state with the least attractive status"),
    "months": N_("months over which the moves spread"),
    "gravity": N_("weight of the destination's size (gravity exponent)"),
    "unknown_attractiveness": N_("attractiveness of a status not known (0-1)"),
    "status_attractiveness": N_("attractiveness of the status in {state} (0-1)"),
    "scale_to_eu_total": N_("scaled to the EU-27 total"),
}


def movement_parameters(cfg: object, language: str | None = None) -> pd.DataFrame:
    """Return the movement layer's parameters as shown in the report (every one an assumption)."""

    def show(d: object) -> str:
        return fmt_distribution(d, language)

    def name(key: str, **fmt: str) -> str:
        return i18n.gettext(MOVEMENT_PARAMETERS[key], language).format(**fmt)

    rows = [
        (name("share_moving"), show(cfg.share_moving)),
        (name("months"), show(cfg.months)),
        (name("gravity"), show(cfg.gravity)),
        (name("unknown_attractiveness"), show(cfg.unknown_attractiveness)),
    ]
    rows += [
        (name("status_attractiveness", state=country_name(g, language)), show(d))
        for g, d in cfg.status_attractiveness.items()
    ]
    rows.append((name("scale_to_eu_total"), t("yes" if cfg.scale_to_eu_total else "no", language)))
    out = pd.DataFrame(rows, columns=["parameter", "setting"]).assign(source=i18n.gettext("assumption", language))
    return _named(out, language)


__all__ = [
    "BANDS",
    "dutch_share",
    "eu_totals",
    "grants_chart",
    "latest_by_country",
    "members",
    "movement_chart",
    "movement_parameters",
    "movement_summary",
    "share_chart",
    "statuses",
    "stocks_chart",
]
