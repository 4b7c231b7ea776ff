"""Schema section `forecast`: Arrivals and departures forecast settings and scenario shocks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field, field_validator, model_validator

from capacity.i18n import N_
from capacity.params.base import Distribution, Frozen, param
from capacity.params.clock import reference_month
from capacity.params.types import MAX_MONTHS, Date, Month, Months, Setting, Share, ShortText, ranged

#: A short name (of a shock): one line of text, not empty.
Name = Annotated[str, Field(min_length=1, max_length=64)]

#: Models known to :mod:`capacity.forecast` (the ensemble is always added on top).
MODEL_NAMES: tuple[str, ...] = (
    "naive",
    "mean",
    "drift",
    "seasonal_naive",
    "ets",
    "ucm",
    "sarimax",
    "prophet",
)


def months_after(month: dt.date, n: int) -> dt.date:
    """Return the month start ``n`` months after ``month``'s month."""
    return (pd.Timestamp(month).to_period("M") + int(n)).to_timestamp().date()


class Shock(Frozen):
    """A scenario shock on arrivals or on the departure rate.

    The shock's profile ``p[t]`` (0..1) has a ``shape``:

    - ``step``: 0 before ``start``, 1 from ``start`` on (for ``duration_months`` if given);
    - ``pulse``: 1 for ``duration_months`` months from ``start``, then 0 again;
    - ``ramp``: rises linearly from 1/``duration_months`` to 1 over ``duration_months``
      months, then stays at 1;
    - ``decay``: 1 in the ``start`` month, then halves every ``half_life_months``
      (cut off after ``duration_months`` if given).

    The first month is either ``start_months_after_run`` (counted from the run's month,
    :func:`capacity.params.clock.reference_month`: ``forecast.as_of``, ``$CAPACITY_AS_OF`` or the
    run date), which keeps a scenario current as time passes, or ``start``, a calendar month
    for shocks tied to a dated event; ``capacity validate`` warns when ``start`` lies before
    the run's month. When the scenario loads, ``start`` is filled in from
    ``start_months_after_run``.

    A ``multiplier`` shock multiplies the target by ``1 + (size - 1) * p[t]``; an
    ``absolute`` shock adds ``size * p[t]`` (persons/month on arrivals, share/month on the
    departure rate). ``size`` is drawn once per sample path.
    """

    name: Name = param(..., unit="-", doc=N_("short name of the shock, shown in reports"))
    target: Literal["arrivals", "departure_rate"] = param(
        ..., unit="-", doc=N_("what the shock changes: arrivals (count) or departure rate (share)")
    )
    start: Month | None = param(
        None,
        unit="month",
        doc=N_("first month the shock acts (month start); filled in from start_months_after_run when that is set"),
    )
    start_months_after_run: ranged(int, 0, MAX_MONTHS) | None = param(
        None,
        unit="months",
        doc=N_("first month the shock acts, in months after the run's month (0: the run's month; empty: use start)"),
    )
    duration_months: ranged(int, 1, MAX_MONTHS) | None = param(
        None, unit="months", doc=N_("how long it acts (empty: until the end of the horizon)")
    )
    shape: Literal["step", "pulse", "ramp", "decay"] = param(
        "step", unit="-", doc=N_("time profile: step, pulse, ramp or decay")
    )
    kind: Literal["multiplier", "absolute"] = param(
        "multiplier", unit="-", doc=N_("multiplier on the target, or an absolute addition")
    )
    size: Distribution = param(
        ...,
        unit="factor | persons/month | share/month",
        doc=N_("size of the shock at full strength (uncertain: a distribution sampled per path)"),
    )
    half_life_months: Months = param(3.0, unit="months", doc=N_("half-life of a decay shock"), gt=0)
    source: ShortText = param("assumption", unit="-", doc=N_("where the size and timing come from"))

    @field_validator("start")
    @classmethod
    def _month_start(cls, value: dt.date | None) -> dt.date | None:
        return None if value is None else value.replace(day=1)

    def placed(self, run_month: dt.date) -> Shock:
        """Return the shock with ``start`` set from ``start_months_after_run`` (unchanged without it)."""
        if self.start_months_after_run is None:
            return self
        return self.model_copy(update={"start": months_after(run_month, self.start_months_after_run)})

    @model_validator(mode="after")
    def _check(self) -> Shock:
        if self.start is None and self.start_months_after_run is None:
            raise ValueError(
                f"shock {self.name!r}: give start_months_after_run (e.g. 1: the month "
                "after the run) or start (a month, e.g. 2027-03-01)"
            )
        if self.shape == "pulse" and self.duration_months is None:
            raise ValueError(f"shock {self.name!r}: a pulse needs duration_months (e.g. 6)")
        if self.shape == "ramp" and self.duration_months is None:
            raise ValueError(f"shock {self.name!r}: a ramp needs duration_months (months to full size)")
        if self.kind == "multiplier":
            lowest = {
                "fixed": self.size.value,
                "uniform": self.size.low,
                "triangular": self.size.low,
                "beta": self.size.low or 0.0,
                "lognormal": 0.0,
            }[self.size.kind]
            if lowest is not None and lowest < 0:
                raise ValueError(f"shock {self.name!r}: a multiplier must be >= 0, got {lowest}")
        if self.target == "departure_rate" and self.size.kind == "lognormal":
            # Unbounded: on some paths more would leave in a month than are registered.
            raise ValueError(
                f"shock {self.name!r}: a departure-rate shock needs a bounded size, and a lognormal is "
                "unbounded (some paths would see more people leave than are there); use fixed, "
                "uniform, triangular or beta"
            )
        if self.kind == "absolute" and self.target == "departure_rate":
            lowest, highest = self.size.support
            extreme = max(abs(lowest), abs(highest))
            if extreme > 1:
                raise ValueError(
                    f"shock {self.name!r}: an absolute departure-rate shock is a share per month "
                    f"(e.g. 0.005), got {highest if abs(highest) >= abs(lowest) else lowest}"
                )
        return self


class ForecastConfig(Frozen):
    """Arrivals and departures forecast settings and scenario shocks."""

    baseline_key = "forecast"

    as_of: Date | None = param(
        unit="date",
        doc=N_(
            "the run's 'today': only data dated on or before it are used and horizons count from it "
            "(empty: the run date; capacity run --as-of sets it)"
        ),
    )
    n_paths: Setting = param(unit="paths", doc=N_("number of sample paths"), ge=10, le=100_000)
    horizon_months: Setting = param(unit="months", doc=N_("months forecast after the jump-off month"), ge=1, le=120)
    fit_start: Month = param(
        unit="month", doc=N_("first month of arrivals used to fit the models (skips the 2022 initial wave)")
    )
    departure_fit_start: Month = param(
        unit="month", doc=N_("first month of the departure rate used to fit (skips the 2022 wave)")
    )
    models: tuple[str, ...] = param(unit="-", doc=N_("models fitted and backtested; the ensemble combines them"))
    ensemble: Literal["median", "weighted"] = param(
        unit="-", doc=N_("median of the models, or weights from backtest error (inverse MASE)")
    )
    ensemble_top_k: Setting = param(
        unit="models", doc=N_("models kept in the weighted ensemble (best backtest MASE)"), ge=1
    )
    weight_horizons: Setting = param(
        unit="months", doc=N_("horizons 1..k whose MASE sets the ensemble weights"), ge=1, le=36
    )
    seasonal_period: Setting = param(unit="months", doc=N_("season length"), ge=2)
    min_seasons: Setting = param(unit="seasons", doc=N_("full seasons of history a seasonal naive model needs"), ge=1)
    min_obs_statistical: Setting = param(
        unit="months", doc=N_("fewest observations for ETS, UCM, SARIMAX and Prophet"), ge=4
    )
    backtest_min_train: Setting = param(
        unit="months", doc=N_("shortest training window of the rolling-origin backtest"), ge=2
    )
    backtest_horizons: Setting = param(unit="months", doc=N_("horizons 1..k scored"), ge=1, le=36)
    backtest_max_prophet_origins: Setting = param(
        unit="origins", doc=N_("most origins at which Prophet is refitted (the latest ones)"), ge=1
    )
    trend_damping: Share = param(
        unit="factor/month",
        doc=N_(
            "beyond the backtested horizons the ensemble's monthly change shrinks by this factor "
            "each month (1: trends run on undamped)"
        ),
        ge=0,
        le=1,
    )
    calibrate: bool = param(
        unit="-", doc=N_("widen or narrow bands to the backtest errors (else the ensemble's own spread)")
    )
    stock_model: Literal["nowcast", "flows"] = param(
        unit="-",
        doc=N_(
            "registered count: 'nowcast' (state-space model of every published count, its drift "
            "estimated) or 'flows' (grants minus departures from the last count only: the benchmark)"
        ),
    )
    rate_denominator: Literal["registered", "tp_stock"] = param(
        unit="-",
        doc=N_(
            "population the departure rate is taken on: previous month's BRP registered "
            "count (matches the CBS departures) or Eurostat TP stock"
        ),
    )
    shocks: tuple[Shock, ...] = param(
        unit="-", doc=N_("scenario shocks on arrivals and the departure rate (none: baseline)")
    )

    @model_validator(mode="before")
    @classmethod
    def _place_shocks(cls, data: Any) -> Any:
        """Put shocks written as months after the run on the calendar of this run."""
        if not isinstance(data, dict) or not isinstance(data.get("shocks"), list | tuple):
            return data
        try:
            run_month = reference_month(data.get("as_of")).date()
        except Exception:  # noqa: BLE001 - a bad as_of (text, NaN) is reported by its own field
            return data
        placed = []
        for shock in data["shocks"]:
            if (
                isinstance(shock, dict)
                and isinstance(shock.get("start_months_after_run"), int)
                and not isinstance(shock.get("start_months_after_run"), bool)
                and shock["start_months_after_run"] >= 0
            ):
                shock = {**shock, "start": months_after(run_month, shock["start_months_after_run"])}
            elif isinstance(shock, Shock):
                shock = shock.placed(run_month)
            placed.append(shock)
        return {**data, "shocks": placed}

    @field_validator("models")
    @classmethod
    def _known_models(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [m for m in value if m not in MODEL_NAMES]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; choose from {list(MODEL_NAMES)}")
        if not value:
            raise ValueError("models must name at least one model, e.g. [naive]")
        if len(set(value)) != len(value):
            raise ValueError(f"model names must be unique, got {list(value)}")
        return value

    @field_validator("fit_start", "departure_fit_start")
    @classmethod
    def _month(cls, value: dt.date) -> dt.date:
        return value.replace(day=1)

    @model_validator(mode="after")
    def _unique_shocks(self) -> ForecastConfig:
        names = [s.name for s in self.shocks]
        if len(set(names)) != len(names):
            raise ValueError(f"shock names must be unique, got {', '.join(names)}")
        if self.weight_horizons > self.backtest_horizons:
            raise ValueError(
                f"weight_horizons ({self.weight_horizons}) must not exceed "
                f"backtest_horizons ({self.backtest_horizons}): weights come from "
                "backtested horizons"
            )
        return self
