"""The two modelled series, cut from the canonical history: arrivals and the departure rate.

- ``arrivals``: persons granted temporary protection per month (Eurostat), a count,
  modelled on the log scale.
- ``departure_rate``: departures in a month divided by the population of the previous
  month (share/month), modelled on the logit scale so that it stays in (0, 1). Departures
  are then ``rate x people present``: a larger population gives proportionally more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity.data import history_wide
from capacity.errors import DataError
from capacity.forecast.models import Transform
from capacity.params.forecast import ForecastConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Series:
    """A modelled series.

    Attributes:
        name: ``arrivals`` or ``departure_rate``.
        y: Monthly values from the fit start to the last month with data (no gaps).
        transform: Fitting scale (``log`` for counts, ``logit`` for rates).
        unit: Unit of ``y``.
        note: How the series was built (shown in reports).

    """

    name: str
    y: pd.Series
    transform: Transform
    unit: str
    note: str


def _cut(values: pd.Series, start: pd.Timestamp, name: str) -> pd.Series:
    values = values[values.index >= start]
    valid = values.dropna()
    if valid.empty:
        raise DataError(f"{name}: no values from {start:%Y-%m} on; set forecast fit start earlier")
    values = values.loc[valid.index[0] : valid.index[-1]]
    if values.isna().any():
        gaps = [f"{d:%Y-%m}" for d in values.index[values.isna()]]
        logger.warning("%s: filling %d interior gap month(s) %s by linear interpolation", name, len(gaps), gaps)
        values = values.interpolate()
    return values.astype(float).rename(name)


def arrivals_series(history: pd.DataFrame, cfg: ForecastConfig) -> Series:
    """Return monthly arrivals (persons/month) from ``cfg.fit_start`` to the last data month.

    Raises:
        DataError: If the history has no arrivals in the fit window.

    """
    wide = history_wide(history)
    if "arrivals" not in wide:
        raise DataError("history has no 'arrivals' variable")
    y = _cut(wide["arrivals"], pd.Timestamp(cfg.fit_start), "arrivals")
    return Series(
        "arrivals", y, "log", "persons/month", f"Eurostat TP grants per month, {y.index[0]:%Y-%m}..{y.index[-1]:%Y-%m}"
    )


def departure_rate_series(history: pd.DataFrame, cfg: ForecastConfig) -> Series:
    """Return the monthly departure rate (share/month) from ``cfg.departure_fit_start``.

    ``rate[t] = departures[t] / population[t-1]`` with the population the BRP registered
    count or the Eurostat TP stock (``cfg.rate_denominator``).

    Raises:
        DataError: If departures or the denominator are absent in the fit window.

    """
    rate = departure_rate(history, denominator=cfg.rate_denominator)
    y = _cut(rate, pd.Timestamp(cfg.departure_fit_start), "departure_rate")
    flags = history[(history["variable"] == "departures") & history["date"].isin(y.index)]["flag"]
    how = "interpolated between published cumulative counts" if (flags == "interpolated").any() else "observed"
    return Series(
        "departure_rate",
        y,
        "logit",
        "share/month",
        f"departures ({how}) / previous month's {cfg.rate_denominator}, {y.index[0]:%Y-%m}..{y.index[-1]:%Y-%m}",
    )


def departure_rate(history: pd.DataFrame, *, denominator: str = "registered") -> pd.Series:
    """Return the historical departure rate per month (share/month) over the whole history.

    ``rate[t] = departures[t] / population[t-1]`` with the population ``registered`` (BRP)
    or ``tp_stock`` (Eurostat); NaN where a term is missing or the rate is not positive.

    Raises:
        DataError: If the history lacks departures or the denominator.

    """
    wide = history_wide(history)
    for var in ("departures", denominator):
        if var not in wide:
            raise DataError(f"history has no {var!r} variable, needed for the departure rate")
    rate = wide["departures"] / wide[denominator].shift(1)
    return rate.where(rate > 0).rename("departure_rate")


def model_series(history: pd.DataFrame, cfg: ForecastConfig) -> dict[str, Series]:
    """Return both modelled series keyed by name."""
    return {"arrivals": arrivals_series(history, cfg), "departure_rate": departure_rate_series(history, cfg)}


def scale_mase(y: np.ndarray) -> float:
    """Mean absolute one-step change of ``y`` (the MASE denominator; 1 if the series is flat)."""
    d = np.abs(np.diff(np.asarray(y, dtype=float)))
    s = float(d.mean()) if d.size else 0.0
    return s if s > 0 else 1.0
