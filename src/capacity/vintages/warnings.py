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

from collections.abc import Mapping
from typing import Any

import pandas as pd

from capacity.i18n import N_
from capacity.params.warnings import (
    BacklogCapacity,
    DataAge,
    PenaltyBudget,
    RegistrationsAboveBand,
    ShelterPressure,
    WarningsConfig,
)
from capacity.report.format import fmt_value
from capacity.vintages.track import BANDS

# "unknown" (not evaluated) ranks above green: a run whose triggers could not all be read is
# never reported as "no trigger fired"; a trigger that fired still outranks it.
ORDER = {"green": 0, "unknown": 1, "amber": 2, "red": 3, "stale": 4}
TITLES = {  # English; a page shows them in its language through the catalogue (banner.note_html)
    "registrations_above_band": N_("Observations against the previous forecast"),
    "shelter_pressure": N_("Shelter pressure and lead time"),
    "backlog_capacity": N_("IND/DT&V capacity needed against planned"),
    "penalty_budget": N_("Penalties for late decisions against the budget"),
    "data_age": N_("Age of the data"),
    "vintage_store": N_("Vintage store"),
}
#: Triggers that read the observed counts (not evaluated on stale data).
COUNT_TRIGGERS = ("registrations_above_band", "shelter_pressure")


def _result(trigger: str, status: str, text: str) -> dict[str, str]:
    return {"trigger": trigger, "status": status, "title": TITLES[trigger], "text": text}


def _month(value: Any) -> str:
    return pd.Timestamp(value).strftime("%B %Y")


def _count(value: float) -> str:
    return fmt_value(value, "persons", 1)


def overall(results: list[Mapping[str, Any]]) -> str:
    """Return the worst status of ``results``: green only when every trigger was evaluated and none fired.

    ``unknown`` (not evaluated) when no trigger fired but one or more could not be evaluated,
    or when there are no results.
    """
    statuses = [r["status"] for r in results] or ["unknown"]
    return max(statuses, key=lambda s: ORDER.get(s, ORDER["unknown"]))


def registrations_above_band(
    cfg: RegistrationsAboveBand, observations: pd.DataFrame, earlier: pd.DataFrame | None
) -> dict[str, str]:
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
        return _result(name, "unknown", "Not evaluated: no earlier run's forecast in the vintage store yet.")
    fc = earlier[earlier["variable"] == var][["date", upper]].assign(date=lambda d: pd.to_datetime(d["date"]))
    obs = observations[observations["variable"] == var][["date", "value"]].dropna()
    both = fc.merge(obs.assign(date=pd.to_datetime(obs["date"])), on="date").sort_values("date")
    if len(both) < cfg.consecutive:
        return _result(
            name,
            "unknown",
            f"Not evaluated: the earlier forecast of {var} covers "
            f"{_months(len(both))} observed; {cfg.consecutive} are needed.",
        )
    last = both.tail(cfg.consecutive)
    above = bool((last["value"] > last[upper]).all())
    months = ", ".join(
        f"{_month(r.date)}: {_count(r.value)} against at most {_count(r[upper])}" for _, r in last.iterrows()
    )
    if above:
        return _result(
            name,
            cfg.level,
            f"{var.capitalize()} above the earlier forecast's {cfg.band} % "
            f"band in the latest {cfg.consecutive} months ({months}).",
        )
    return _result(
        name,
        "green",
        f"{var.capitalize()} not above the earlier forecast's {cfg.band} % "
        f"band in all of the latest {cfg.consecutive} months ({months}).",
    )


def _months(n: int) -> str:
    """``1 month``, ``6 months``: a count of months in words."""
    return f"{n} month" if n == 1 else f"{n} months"


def shelter_pressure(
    cfg: ShelterPressure,
    shelter_forecast: pd.DataFrame | None,
    lead_time_months: int,
    jump_off_pressure: float | None = None,
) -> dict[str, str]:
    """Fire when median demand per place reaches the threshold sooner than new places can open.

    ``jump_off_pressure`` is the demand per place at the last count (headline
    ``shelter_pressure_jump_off``): at or above the threshold, no lead time is left.
    """
    name = "shelter_pressure"
    lead = cfg.lead_time_months if cfg.lead_time_months is not None else lead_time_months
    if shelter_forecast is None or "pressure" not in set(shelter_forecast.get("variable", [])):
        return _result(
            name, "unknown", "Not evaluated: this run wrote no shelter forecast (tables/shelter_forecast.csv)."
        )
    pressure = shelter_forecast[shelter_forecast["variable"] == "pressure"].copy()
    pressure["date"] = pd.to_datetime(pressure["date"])
    pressure = pressure.sort_values("date")
    jump_off = pressure["date"].iloc[0] - pd.DateOffset(months=1)
    over = pressure[pressure["q0.50"] >= cfg.threshold]
    limit = fmt_value(cfg.threshold, "share", 0.01)
    if over.empty and not (jump_off_pressure is not None and jump_off_pressure >= cfg.threshold):
        return _result(name, "green", f"Median demand per place stays below {limit} over the whole forecast.")
    first = over["date"].iloc[0] if not over.empty else jump_off
    left = (first.year - jump_off.year) * 12 + first.month - jump_off.month
    text = (
        f"Median demand per place reaches {limit} in {_month(first)}, {_months(left)} after "
        f"the last count; new places need {_months(lead)} to open."
    )
    if jump_off_pressure is not None and jump_off_pressure >= cfg.threshold:
        left = 0
        text = (
            f"Demand per place is already {fmt_value(jump_off_pressure, 'share', 0.001)} at the "
            f"last count ({_month(jump_off)}), at or above {limit}; new places need "
            f"{_months(lead)} to open."
        )
    if left < lead:
        return _result(name, cfg.level, text + " Less lead time is left than new places need.")
    return _result(name, "green", text + " Enough lead time is left if places are requested in time.")


def backlog_capacity(cfg: BacklogCapacity, capacity_needed: pd.DataFrame | None) -> dict[str, str]:
    """Fire when any service needs more capacity than planned by more than the margin."""
    name = "backlog_capacity"
    if capacity_needed is None or capacity_needed.empty or "ratio_to_planned" not in capacity_needed:
        return _result(name, "unknown", "Not evaluated: this run wrote no capacity table (tables/capacity_needed.csv).")
    rows = capacity_needed.dropna(subset=["ratio_to_planned"])
    over = rows[rows["ratio_to_planned"] > 1 + cfg.margin]
    margin = fmt_value(cfg.margin, "share", 0.01)
    parts = [
        f"{r['service']} ({r['variant']}): needs {_count(r['capacity_per_month'])} a month, "
        f"planned {_count(r['planned_per_month'])} "
        f"({fmt_value(r['ratio_to_planned'] - 1, 'share', 0.01)} more)"
        for _, r in over.iterrows()
    ]
    if parts:
        return _result(
            name, cfg.level, f"Capacity needed above planned by more than {margin}: " + "; ".join(parts) + "."
        )
    return _result(name, "green", f"No service needs more than {margin} above its planned capacity.")


def penalty_budget(cfg: PenaltyBudget, headline: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Fire when the median penalty exposure exceeds the budget; amber when only its p90 does."""
    name = "penalty_budget"
    row = headline.get(cfg.key)
    if row is None or row.get("value") is None:
        return _result(name, "unknown", f"Not evaluated: no headline figure {cfg.key} in this run.")
    budget = fmt_value(cfg.budget_eur, "EUR", 100_000)
    value = float(row["value"])
    p90 = float(row["p90"]) if row.get("p90") is not None else value
    shown = f"median {fmt_value(value, 'EUR', 100_000)}, 90th percentile {fmt_value(p90, 'EUR', 100_000)}"
    if value > cfg.budget_eur:
        return _result(name, cfg.level, f"Penalty exposure above the budget of {budget} ({shown}).")
    if p90 > cfg.budget_eur:
        return _result(name, "amber", f"Penalty exposure may exceed the budget of {budget} ({shown}).")
    return _result(name, "green", f"Penalty exposure within the budget of {budget} ({shown}).")


def data_age(cfg: DataAge, data_date: Any, run_date: Any) -> dict[str, str]:
    """Say ``stale`` when the last observed count is more than ``max_months`` before the run.

    Args:
        cfg: The trigger's settings.
        data_date: The last month with an observed registered count (None: unknown).
        run_date: When the run started (its "today").

    """
    name = "data_age"
    if data_date is None or pd.isna(data_date) or run_date is None:
        return _result(name, "unknown", "Not evaluated: the run read no observed registered count.")
    last, today = pd.Timestamp(data_date), pd.Timestamp(run_date).tz_localize(None)
    age = (today.year - last.year) * 12 + today.month - last.month
    if age > cfg.max_months:
        return _result(
            name,
            "stale",
            f"Stale data: the last registered count is of {_month(last)}, "
            f"{_months(age)} before this run ({_month(today)}; more than {cfg.max_months} is "
            "stale). The triggers on the counts are not evaluated until the data are updated.",
        )
    return _result(
        name,
        "green",
        f"The last registered count is of {_month(last)}, {_months(age)} "
        f"before this run (at most {cfg.max_months} allowed).",
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
) -> list[dict[str, str]]:
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
            _result(r["trigger"], "unknown", "Not evaluated on stale data (see the age of the data).")
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
) -> list[dict[str, str]]:
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
