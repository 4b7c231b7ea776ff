"""Forecast models behind one interface: ``fit(y) -> self``, ``predict(h) -> quantile frame``.

Every model fits a monthly series (a ``pd.Series`` indexed by month starts) on a
transformed scale (``log`` for counts, ``none`` for rates) and forecasts a normal
distribution per horizon on that scale: a location ``loc[h]`` and a spread
``scale[h]``. :meth:`Model.predict` turns these into the contract's quantiles on the
original scale. The maths sits in small private pure functions (``_naive``, ``_drift``,
...); the classes only hold fitted state (``loc_``/``scale_`` style attributes).

Models are built by name in :mod:`capacity.forecast.registry`, which also holds the
adapters of outside libraries.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from capacity.errors import DataError
from capacity.quantiles import QUANTILE_COLUMNS, QUANTILES

logger = logging.getLogger(__name__)

Transform = Literal["log", "logit", "none"]
#: Floor before taking logs of a count (persons/month); a zero month stays finite.
LOG_FLOOR = 1.0
#: Bounds of a share before the logit; a rate of exactly 0 or 1 stays finite.
SHARE_EPS = 1e-6
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(24)


def to_scale(y: np.ndarray, transform: Transform) -> np.ndarray:
    """Map values to the fitting scale: log for counts, logit for shares, else unchanged."""
    y = np.asarray(y, dtype=float)
    if transform == "log":
        return np.log(np.maximum(y, LOG_FLOOR))
    if transform == "logit":
        p = np.clip(y, SHARE_EPS, 1 - SHARE_EPS)
        return np.log(p / (1 - p))
    return y


def from_scale(z: np.ndarray, transform: Transform) -> np.ndarray:
    """Map values on the fitting scale back to the original scale."""
    z = np.asarray(z, dtype=float)
    if transform == "log":
        return np.exp(z)
    if transform == "logit":
        return 1.0 / (1.0 + np.exp(-z))
    return z


def mean_of(loc: np.ndarray, scale: np.ndarray, transform: Transform) -> np.ndarray:
    """Mean on the original scale of N(loc, scale) on the fitting scale."""
    loc = np.asarray(loc, dtype=float)
    scale = np.asarray(scale, dtype=float)
    if transform == "log":
        return np.exp(loc + scale**2 / 2)
    if transform == "logit":  # no closed form: Gauss-Hermite quadrature
        nodes = loc[..., None] + scale[..., None] * _GH_X
        return (from_scale(nodes, transform) * _GH_W).sum(axis=-1) / _GH_W.sum()
    return loc


# --------------------------------------------------------------------------- pure maths


def _diff_sd(z: np.ndarray, lag: int = 1, *, center: bool = False) -> float:
    """Return the standard deviation of lag-``lag`` differences (0 when too few)."""
    d = z[lag:] - z[:-lag]
    if d.size < 2:
        return 0.0
    return float(np.std(d - d.mean(), ddof=1) if center else np.sqrt(np.mean(d**2) * d.size / (d.size - 1)))


def _naive(z: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Random walk: last value; spread grows with sqrt(h)."""
    steps = np.arange(1, h + 1)
    return np.full(h, z[-1]), _diff_sd(z) * np.sqrt(steps)


def _mean(z: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Historic average; spread of a new observation around an estimated mean."""
    n = z.size
    s = float(np.std(z, ddof=1)) if n > 1 else 0.0
    return np.full(h, z.mean()), np.full(h, s * np.sqrt(1 + 1 / n))


def _drift(z: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Random walk with drift: the line from the first to the last value, extended."""
    n = z.size
    steps = np.arange(1, h + 1)
    if n < 2:
        return np.full(h, z[-1]), np.zeros(h)
    slope = (z[-1] - z[0]) / (n - 1)
    sd = _diff_sd(z, center=True)
    return z[-1] + slope * steps, sd * np.sqrt(steps * (1 + steps / (n - 1)))


def _seasonal_naive(z: np.ndarray, h: int, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Repeat the same month of the last season; spread from seasonal differences."""
    steps = np.arange(1, h + 1)
    idx = z.size - period + (steps - 1) % period
    sd = _diff_sd(z, period) if z.size > period + 1 else _diff_sd(z)
    return z[idx], sd * np.sqrt((steps - 1) // period + 1)


def normal_quantiles(loc: np.ndarray, scale: np.ndarray, transform: Transform) -> pd.DataFrame:
    """Contract quantiles (original scale) of normals on the fitting scale.

    Args:
        loc: Location per horizon, on the fitting scale.
        scale: Standard deviation per horizon, on the fitting scale (>= 0).
        transform: ``log`` (log-normal on the original scale) or ``none``.

    Returns:
        Frame indexed by horizon 1..h with columns ``mean`` and the quantile columns.

    """
    loc = np.asarray(loc, dtype=float)
    scale = np.maximum(np.asarray(scale, dtype=float), 0.0)
    z = norm.ppf(np.asarray(QUANTILES))
    q = from_scale(loc[:, None] + scale[:, None] * z[None, :], transform)
    mean = mean_of(loc, scale, transform)
    frame = pd.DataFrame(q, columns=list(QUANTILE_COLUMNS), index=pd.RangeIndex(1, loc.size + 1, name="h"))
    frame.insert(0, "mean", mean)
    return frame


# --------------------------------------------------------------------------- classes


class Model:
    """Base class: fit on a monthly series, forecast a normal per horizon on the fitting scale.

    Attributes after :meth:`fit`:
        z_: The training values on the fitting scale.
        last_date_: The last training month.
    """

    name: str = "model"
    #: Fewest observations the model accepts.
    min_obs: int = 2

    def __init__(self, *, transform: Transform = "none") -> None:
        self.transform = transform

    def fit(self, y: pd.Series) -> Model:
        """Fit on ``y`` (monthly values indexed by month starts, no missing values).

        Raises:
            DataError: If ``y`` is shorter than :attr:`min_obs` or has missing values.

        """
        y = pd.Series(y, dtype=float)
        if y.isna().any():
            raise DataError(
                f"{self.name}: the series has missing values at "
                f"{list(y.index[y.isna()])}; fill or drop them before fitting"
            )
        if len(y) < self.min_obs:
            raise DataError(f"{self.name} needs at least {self.min_obs} months, got {len(y)}")
        self.index_ = pd.DatetimeIndex(y.index)
        self.last_date_ = self.index_[-1]
        self.z_ = to_scale(y.to_numpy(), self.transform)
        self._fit()
        return self

    def _fit(self) -> None:
        """Model-specific fitting on ``self.z_``."""

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(loc, scale)`` on the fitting scale for horizons 1..h."""
        raise NotImplementedError

    def predict(self, h: int) -> pd.DataFrame:
        """Return the contract's quantiles (original scale) for horizons 1..h."""
        loc, scale = self.forecast(h)
        return normal_quantiles(loc, scale, self.transform)


class Naive(Model):
    """Last value (random walk)."""

    name = "naive"

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        return _naive(self.z_, h)


class Mean(Model):
    """Historic average of the training window."""

    name = "mean"

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        return _mean(self.z_, h)


class Drift(Model):
    """Random walk with drift."""

    name = "drift"
    min_obs = 3

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        return _drift(self.z_, h)


class SeasonalNaive(Model):
    """Same month one season earlier; needs ``min_seasons`` full seasons."""

    name = "seasonal_naive"

    def __init__(self, *, transform: Transform = "none", period: int = 12, min_seasons: int = 1) -> None:
        super().__init__(transform=transform)
        self.period = period
        self.min_obs = period * min_seasons

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        return _seasonal_naive(self.z_, h, self.period)


class _Statsmodels(Model):
    """Shared code of the statsmodels state-space models."""

    min_obs = 10

    def __init__(self, *, transform: Transform = "none", min_obs: int = 10) -> None:
        super().__init__(transform=transform)
        self.min_obs = min_obs

    def _series(self) -> pd.Series:
        return pd.Series(self.z_, index=pd.date_range(self.index_[0], periods=self.z_.size, freq="MS"))

    def _fit(self) -> None:
        with warnings.catch_warnings():
            # Short series: optimiser convergence warnings are expected and not actionable here.
            warnings.simplefilter("ignore")
            self.result_ = self._build().fit(disp=False)

    def _build(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = self.result_.get_forecast(h)
        loc = np.asarray(fc.predicted_mean, dtype=float)
        var = np.asarray(fc.var_pred_mean, dtype=float)
        return loc, np.sqrt(np.maximum(var, 0.0))


class ETS(_Statsmodels):
    """Exponential smoothing with additive errors and a damped additive trend."""

    name = "ets"

    def _build(self) -> Any:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        return ETSModel(self._series(), error="add", trend="add", damped_trend=True)

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        n = self.z_.size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = self.result_.get_prediction(start=n, end=n + h - 1)
        loc = np.asarray(pred.predicted_mean, dtype=float)
        var = np.asarray(pred.forecast_variance, dtype=float)
        return loc, np.sqrt(np.maximum(var, 0.0))


class UCM(_Statsmodels):
    """Unobserved components: a local level plus noise."""

    name = "ucm"

    def _build(self) -> Any:
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        return UnobservedComponents(self.z_, level="llevel")


class SARIMAX(_Statsmodels):
    """ARIMA(0,1,1) (simple exponential smoothing as a state-space model)."""

    name = "sarimax"

    def _build(self) -> Any:
        from statsmodels.tsa.statespace.sarimax import SARIMAX as _SARIMAX

        return _SARIMAX(self.z_, order=(0, 1, 1))


def combine(locs: np.ndarray, scales: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Combine member forecasts into an ensemble normal on the fitting scale.

    Args:
        locs: Member locations, shape (n_models, h).
        scales: Member spreads, shape (n_models, h).
        weights: Member weights summing to 1, or ``None`` for the median of the members.

    Returns:
        ``(loc, scale)``: the weighted mean (or median) and the spread of the equal- or
        weight-mixture of the members (within plus between-member variance).

    """
    locs = np.asarray(locs, dtype=float)
    scales = np.asarray(scales, dtype=float)
    k = locs.shape[0]
    w = np.full(k, 1 / k) if weights is None else np.asarray(weights, dtype=float)
    loc = np.median(locs, axis=0) if weights is None else w @ locs
    mix_mean = w @ locs
    var = w @ (scales**2 + (locs - mix_mean) ** 2)
    return loc, np.sqrt(var)
