"""Early warning: evaluate the triggers of ``params.warnings`` on one run (pure, no I/O).

Each trigger returns ``{"trigger", "status", "title", "text"}`` with status ``green``,
``amber``, ``red`` or ``unknown`` (could not be evaluated: the text says why). The text
says what was compared with what, so the status never rests on colour alone.
:func:`overall` is the worst status of a list.

Data older than ``data_age.max_months`` give the status ``stale`` ("stale data"), above
red: the triggers that read the counts are then not evaluated, so that old counts do not
raise the same red warning month after month until the data are updated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from capacity import i18n
from capacity.i18n import N_, NC_
from capacity.params.warnings import (
    BacklogCapacity,
    DataAge,
    PenaltyBudget,
    RegistrationsAboveBand,
    ShelterPressure,
    WarningsConfig,
)
from capacity.report.format import fmt_month, fmt_value
from capacity.vintages.track import BANDS

# "unknown" (not evaluated) ranks above green: a run whose triggers could not all be read is
# never reported as "no trigger fired"; a trigger that fired still outranks it.
ORDER = {"green": 0, "unknown": 1, "amber": 2, "red": 3, "stale": 4}
TITLES = {  # English; a page shows them in its language through the catalogue (title_in)
    "registrations_above_band": N_("Observations against the previous forecast"),
    "shelter_pressure": N_("Shelter pressure and lead time"),
    "backlog_capacity": N_("IND/DT&V capacity needed against planned"),
    "penalty_budget": N_("Penalties for late decisions against the budget"),
    "data_age": N_("Age of the data"),
    "vintage_store": N_("Vintage store"),
}
#: Triggers that read the observed counts (not evaluated on stale data).
COUNT_TRIGGERS = ("registrations_above_band", "shelter_pressure")
#: The observed series a trigger compares, as the start of a sentence (context ``warning``).
SERIES = {
    "registered": NC_("warning", "The registered count"),
    "arrivals": NC_("warning", "Arrivals"),
    "departures": NC_("warning", "Departures"),
}
#: Services and variants of the capacity table (``tables/capacity_needed.csv``) in words.
SERVICE_WORDS = (
    N_("IND cohort priority"),
    N_("IND regular stream"),
    N_("monthly deficit"),
    N_("constant"),
    N_("ramp {} months"),
)
#: One observed month against the earlier forecast's upper bound.
_AGAINST = N_("{month}: {value} against at most {limit}")
_NUMBER = re.compile(r"\d+")

#: A trigger's text in a language (``en``, ``nl``): every text is written once per language.
Say = Callable[[str], str]


def result(trigger: str, status: str, say: Say) -> dict[str, Any]:
    """Return a trigger's result: its text in English (``text``) and in every language (``texts``).

    ``say(language)`` writes the text in ``language``; the terminal and ``warnings.json``'s
    readers read ``text``, a page reads :func:`text_in` in its own language.
    """
    return {
        "trigger": trigger,
        "status": status,
        "title": TITLES.get(trigger, trigger),
        "text": say(i18n.SOURCE),
        "texts": {lang: say(lang) for lang in i18n.LANGUAGES},
    }


def text_in(res: Mapping[str, Any], language: str | None = None) -> tuple[str, str]:
    """Return a result's text in ``language`` (default the kernel's) and the language it is in.

    A result without that language's text (an older ``warnings.json``) gives its English ``text``.
    """
    lang = i18n.language(language)
    text = (res.get("texts") or {}).get(lang)
    return (text, lang) if text else (res.get("text", ""), i18n.SOURCE)


def title_in(res: Mapping[str, Any], language: str | None = None) -> tuple[str, str]:
    """Return a result's trigger title in ``language`` (through the catalogue) and the language it is in."""
    title = res.get("title", "")
    return (i18n.gettext(title, language), i18n.language(language)) if i18n.known(title) else (title, i18n.SOURCE)


def _result(trigger: str, status: str, message: str, **values: Callable[[str], str] | str) -> dict[str, Any]:
    """Return a result whose text is the catalogue's ``message`` with ``values`` (text, or text by language)."""

    def say(lang: str) -> str:
        shown = {k: v(lang) if callable(v) else v for k, v in values.items()}
        return i18n.gettext(message, lang).format(**shown)

    return result(trigger, status, say)


def _month(value: Any) -> Say:
    return lambda lang: fmt_month(pd.Timestamp(value), lang)


def _count(value: float) -> Say:
    return lambda lang: fmt_value(value, "persons", 1, lang)


def _share(value: float, step: float = 0.01) -> Say:
    return lambda lang: fmt_value(value, "share", step, lang)


def _euros(value: float) -> Say:
    return lambda lang: fmt_value(value, "EUR", 100_000, lang)


def _months(n: int) -> Say:
    """``1 month``, ``6 months``: a count of months in words."""
    return lambda lang: i18n.ngettext("{n} month", "{n} months", n, lang).format(n=n)


def _word(text: str) -> Say:
    """Write a service or variant of the capacity table in words (``ramp 12 months``: its number kept)."""

    def say(lang: str) -> str:
        if i18n.known(text):
            return i18n.gettext(text, lang)
        phrase = _NUMBER.sub("{}", text)
        return i18n.gettext(phrase, lang).format(*_NUMBER.findall(text)) if i18n.known(phrase) else text

    return say


def _series(variable: str, *, start: bool = True) -> Say:
    def say(lang: str) -> str:
        text = i18n.pgettext("warning", SERIES[variable], lang) if variable in SERIES else variable
        return text if start else text[:1].lower() + text[1:]

    return say


def _joined(parts: list[Say], separator: str) -> Say:
    return lambda lang: separator.join(part(lang) for part in parts)


def overall(results: list[Mapping[str, Any]]) -> str:
    """Return the worst status of ``results``: green only when every trigger was evaluated and none fired.

    ``unknown`` (not evaluated) when no trigger fired but one or more could not be evaluated,
    or when there are no results.
    """
    statuses = [r["status"] for r in results] or ["unknown"]
    return max(statuses, key=lambda s: ORDER.get(s, ORDER["unknown"]))


def registrations_above_band(
    cfg: RegistrationsAboveBand, observations: pd.DataFrame, earlier: pd.DataFrame | None
) -> dict[str, Any]:
    """Fire when the latest ``consecutive`` observed months lie above the earlier forecast's band.

    Args:
        cfg: The trigger's settings.
        observations: ``date, variable, value`` as observed now.
        earlier: The previous vintage's forecast in wide format (``variable, date`` and quantile
            columns), or None when there is no previous vintage.

    """
    name, var = "registrations_above_band", cfg.variable
    upper = BANDS[str(cfg.band)][1]
    if earlier is None or earlier.empty or upper not in earlier:
        return _result(name, "unknown", N_("Not evaluated: no earlier run's forecast in the vintage store yet."))
    fc = earlier[earlier["variable"] == var][["date", upper]].assign(date=lambda d: pd.to_datetime(d["date"]))
    obs = observations[observations["variable"] == var][["date", "value"]].dropna()
    both = fc.merge(obs.assign(date=pd.to_datetime(obs["date"])), on="date").sort_values("date")
    if len(both) < cfg.consecutive:
        return _result(
            name,
            "unknown",
            N_("Not evaluated: the earlier forecast of {series} covers {months} observed; {needed} are needed."),
            series=_series(var, start=False),
            months=_months(len(both)),
            needed=str(cfg.consecutive),
        )
    last = both.tail(cfg.consecutive)
    above = bool((last["value"] > last[upper]).all())
    months = _joined(
        [
            lambda lang, r=r: i18n.gettext(_AGAINST, lang).format(
                month=_month(r.date)(lang), value=_count(r.value)(lang), limit=_count(r[upper])(lang)
            )
            for _, r in last.iterrows()
        ],
        ", ",
    )
    message = (
        N_("{series} above the earlier forecast's {band} % band in the latest {n} months ({months}).")
        if above
        else N_("{series} not above the earlier forecast's {band} % band in all of the latest {n} months ({months}).")
    )
    return _result(
        name,
        cfg.level if above else "green",
        message,
        series=_series(var),
        band=str(cfg.band),
        n=str(cfg.consecutive),
        months=months,
    )


def shelter_pressure(
    cfg: ShelterPressure,
    shelter_forecast: pd.DataFrame | None,
    lead_time_months: int,
    jump_off_pressure: float | None = None,
) -> dict[str, Any]:
    """Fire when median demand per place reaches the threshold sooner than new places can open.

    ``jump_off_pressure`` is the demand per place at the last count (headline
    ``shelter_pressure_jump_off``): at or above the threshold, no lead time is left.
    """
    name = "shelter_pressure"
    lead = cfg.lead_time_months if cfg.lead_time_months is not None else lead_time_months
    if shelter_forecast is None or "pressure" not in set(shelter_forecast.get("variable", [])):
        return _result(
            name, "unknown", N_("Not evaluated: this run wrote no shelter forecast (tables/shelter_forecast.csv).")
        )
    pressure = shelter_forecast[shelter_forecast["variable"] == "pressure"].copy()
    pressure["date"] = pd.to_datetime(pressure["date"])
    pressure = pressure.sort_values("date")
    jump_off = pressure["date"].iloc[0] - pd.DateOffset(months=1)
    over = pressure[pressure["q0.50"] >= cfg.threshold]
    limit = _share(cfg.threshold)
    if over.empty and not (jump_off_pressure is not None and jump_off_pressure >= cfg.threshold):
        return _result(
            name, "green", N_("Median demand per place stays below {limit} over the whole forecast."), limit=limit
        )
    first = over["date"].iloc[0] if not over.empty else jump_off
    left = (first.year - jump_off.year) * 12 + first.month - jump_off.month
    message = N_(
        "Median demand per place reaches {limit} in {month}, {left} after the last count; new places need "
        "{lead} to open."
    )
    values = {"limit": limit, "month": _month(first), "left": _months(left), "lead": _months(lead)}
    if jump_off_pressure is not None and jump_off_pressure >= cfg.threshold:
        left = 0
        message = N_(
            "Demand per place is already {value} at the last count ({month}), at or above {limit}; new places "
            "need {lead} to open."
        )
        values = {
            "value": _share(jump_off_pressure, 0.001),
            "month": _month(jump_off),
            "limit": limit,
            "lead": _months(lead),
        }
    if left < lead:
        status, verdict = cfg.level, N_("Less lead time is left than new places need.")
    else:
        status, verdict = "green", N_("Enough lead time is left if places are requested in time.")

    def say(lang: str) -> str:
        shown = {k: v(lang) for k, v in values.items()}
        return i18n.gettext(message, lang).format(**shown) + " " + i18n.gettext(verdict, lang)

    return result(name, status, say)


def backlog_capacity(cfg: BacklogCapacity, capacity_needed: pd.DataFrame | None) -> dict[str, Any]:
    """Fire when any service needs more capacity than planned by more than the margin."""
    name = "backlog_capacity"
    if capacity_needed is None or capacity_needed.empty or "ratio_to_planned" not in capacity_needed:
        return _result(
            name, "unknown", N_("Not evaluated: this run wrote no capacity table (tables/capacity_needed.csv).")
        )
    rows = capacity_needed.dropna(subset=["ratio_to_planned"])
    over = rows[rows["ratio_to_planned"] > 1 + cfg.margin]
    margin = _share(cfg.margin)
    part = N_("{service} ({variant}): needs {needed} a month, planned {planned} ({more} more)")
    parts = [
        lambda lang, r=r: i18n.gettext(part, lang).format(
            service=_word(str(r["service"]))(lang),
            variant=_word(str(r["variant"]))(lang),
            needed=_count(r["capacity_per_month"])(lang),
            planned=_count(r["planned_per_month"])(lang),
            more=_share(r["ratio_to_planned"] - 1)(lang),
        )
        for _, r in over.iterrows()
    ]
    if parts:
        return _result(
            name,
            cfg.level,
            N_("Capacity needed above planned by more than {margin}: {parts}."),
            margin=margin,
            parts=_joined(parts, "; "),
        )
    return _result(name, "green", N_("No service needs more than {margin} above its planned capacity."), margin=margin)


def penalty_budget(cfg: PenaltyBudget, headline: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Fire when the median penalty exposure exceeds the budget; amber when only its p90 does."""
    name = "penalty_budget"
    row = headline.get(cfg.key)
    if row is None or row.get("value") is None:
        return _result(name, "unknown", N_("Not evaluated: no headline figure {key} in this run."), key=cfg.key)
    value = float(row["value"])
    p90 = float(row["p90"]) if row.get("p90") is not None else value
    values = {"budget": _euros(cfg.budget_eur), "median": _euros(value), "p90": _euros(p90)}
    if value > cfg.budget_eur:
        return _result(
            name,
            cfg.level,
            N_("Penalty exposure above the budget of {budget} (median {median}, 90th percentile {p90})."),
            **values,
        )
    if p90 > cfg.budget_eur:
        return _result(
            name,
            "amber",
            N_("Penalty exposure may exceed the budget of {budget} (median {median}, 90th percentile {p90})."),
            **values,
        )
    return _result(
        name,
        "green",
        N_("Penalty exposure within the budget of {budget} (median {median}, 90th percentile {p90})."),
        **values,
    )


def data_age(cfg: DataAge, data_date: Any, run_date: Any) -> dict[str, Any]:
    """Say ``stale`` when the last observed count is more than ``max_months`` before the run.

    Args:
        cfg: The trigger's settings.
        data_date: The last month with an observed registered count (None: unknown).
        run_date: When the run started (its "today").

    """
    name = "data_age"
    if data_date is None or pd.isna(data_date) or run_date is None:
        return _result(name, "unknown", N_("Not evaluated: the run read no observed registered count."))
    last, today = pd.Timestamp(data_date), pd.Timestamp(run_date).tz_localize(None)
    age = (today.year - last.year) * 12 + today.month - last.month
    values = {"month": _month(last), "age": _months(age), "limit": str(cfg.max_months)}
    if age > cfg.max_months:
        return _result(
            name,
            "stale",
            N_(
                "Stale data: the last registered count is of {month}, {age} before this run ({today}; more than "
                "{limit} is stale). The triggers on the counts are not evaluated until the data are updated."
            ),
            today=_month(today),
            **values,
        )
    return _result(
        name,
        "green",
        N_("The last registered count is of {month}, {age} before this run (at most {limit} allowed)."),
        **values,
    )


def evaluate(
    cfg: WarningsConfig,
    *,
    observations: pd.DataFrame,
    earlier: pd.DataFrame | None,
    tables: Mapping[str, pd.DataFrame],
    headline: Mapping[str, Mapping[str, Any]],
    lead_time_months: int,
    data_date: Any = None,
    run_date: Any = None,
) -> list[dict[str, Any]]:
    """Evaluate every enabled trigger of ``cfg``; return their results in the schema's order.

    With ``run_date`` given and the ``data_age`` trigger on, stale data replace the results of
    the count-based triggers (:data:`COUNT_TRIGGERS`) by "not evaluated".
    """
    out = _evaluate(
        cfg,
        observations=observations,
        earlier=earlier,
        tables=tables,
        headline=headline,
        lead_time_months=lead_time_months,
    )
    if not cfg.data_age.enabled or run_date is None:
        return out
    age = data_age(cfg.data_age, data_date, run_date)
    if age["status"] == "stale":
        out = [
            _result(r["trigger"], "unknown", N_("Not evaluated on stale data (see the age of the data)."))
            if r["trigger"] in COUNT_TRIGGERS
            else r
            for r in out
        ]
    return [*out, age]


def _evaluate(
    cfg: WarningsConfig,
    *,
    observations: pd.DataFrame,
    earlier: pd.DataFrame | None,
    tables: Mapping[str, pd.DataFrame],
    headline: Mapping[str, Mapping[str, Any]],
    lead_time_months: int,
) -> list[dict[str, Any]]:
    out = []
    if cfg.registrations_above_band.enabled:
        out.append(registrations_above_band(cfg.registrations_above_band, observations, earlier))
    if cfg.shelter_pressure.enabled:
        jump = (headline.get("shelter_pressure_jump_off") or {}).get("value")
        out.append(
            shelter_pressure(
                cfg.shelter_pressure,
                tables.get("shelter_forecast"),
                lead_time_months,
                None if jump is None else float(jump),
            )
        )
    if cfg.backlog_capacity.enabled:
        out.append(backlog_capacity(cfg.backlog_capacity, tables.get("capacity_needed")))
    if cfg.penalty_budget.enabled:
        out.append(penalty_budget(cfg.penalty_budget, headline))
    return out
