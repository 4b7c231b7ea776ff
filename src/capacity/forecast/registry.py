"""The model registry: forecast model names to constructors; the only module that names Prophet.

Prophet sits here behind the common :class:`~capacity.forecast.models.Model` interface
(``fit(y) -> self``, ``forecast(h) -> (loc, scale)``); the ``prophet`` package is imported
only when a Prophet model is fitted.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from capacity.errors import ParameterError
from capacity.forecast.models import (
    ETS,
    SARIMAX,
    UCM,
    Drift,
    Mean,
    Model,
    Naive,
    SeasonalNaive,
    Transform,
    _Statsmodels,
)
from capacity.params.forecast import MODEL_NAMES

logger = logging.getLogger(__name__)

#: Posterior draws used for Prophet's spread; modest because a backtest refits it often.
_UNCERTAINTY_SAMPLES = 200


class ProphetModel(Model):
    """Prophet with a piecewise-linear trend and no seasonality (too few seasons of data).

    The spread per horizon is the standard deviation of Prophet's predictive samples,
    which are drawn with a seed derived from the training data so that the same data give
    the same numbers.
    """

    name = "prophet"

    def __init__(self, *, transform: Transform = "none", min_obs: int = 10) -> None:
        super().__init__(transform=transform)
        self.min_obs = min_obs

    def _fit(self) -> None:
        # cmdstanpy adds its own INFO handler at the first fit unless its logger has one:
        # give it a NullHandler so that chain progress stays out of the reports.
        for noisy in ("cmdstanpy", "prophet", "prophet.plot"):
            quiet = logging.getLogger(noisy)
            quiet.setLevel(logging.WARNING)
            if not quiet.handlers:
                quiet.addHandler(logging.NullHandler())
        # Prophet() imports cmdstanpy, which imports tqdm.auto: in a kernel without ipywidgets
        # that warns on stderr, and a planner's report must not show it. Prophet's own pandas
        # deprecation warnings are not ours to show either.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from prophet import Prophet

            self.model_ = Prophet(
                yearly_seasonality=False,
                weekly_seasonality=False,
                daily_seasonality=False,
                n_changepoints=min(5, max(1, self.z_.size // 4)),
                uncertainty_samples=_UNCERTAINTY_SAMPLES,
            )
            self.model_.fit(pd.DataFrame({"ds": self.index_, "y": self.z_}))

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        future = pd.DataFrame({"ds": pd.date_range(self.last_date_, periods=h + 1, freq="MS")[1:]})
        # Prophet draws with numpy's global state; seed it from the data for reproducibility,
        # then restore the caller's global state.
        state = np.random.get_state()  # noqa: NPY002
        np.random.seed(int(abs(self.z_.sum() * 1e6)) % (2**32 - 1))  # noqa: NPY002
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # prophet's own pandas deprecations
                samples = self.model_.predictive_samples(future)["yhat"]
        finally:
            np.random.set_state(state)  # noqa: NPY002
        return samples.mean(axis=1), samples.std(axis=1, ddof=1)


#: Models built from the transform alone.
_SIMPLE: dict[str, type[Model]] = {"naive": Naive, "mean": Mean, "drift": Drift}
#: Models that need ``min_obs`` observations (statsmodels state-space models and Prophet).
_STATISTICAL: dict[str, type[_Statsmodels] | type[ProphetModel]] = {
    "ets": ETS,
    "ucm": UCM,
    "sarimax": SARIMAX,
    "prophet": ProphetModel,
}


def make_model(
    name: str, *, transform: Transform, period: int = 12, min_seasons: int = 1, min_obs_statistical: int = 10
) -> Model:
    """Return an unfitted model by name.

    Args:
        name: One of ``capacity.params.forecast.MODEL_NAMES``.
        transform: Fitting scale (``log``, ``logit`` or ``none``).
        period: Season length of ``seasonal_naive`` (months).
        min_seasons: Full seasons ``seasonal_naive`` needs.
        min_obs_statistical: Fewest months the statistical models accept.

    Raises:
        ParameterError: If the name is unknown.

    """
    if name in _SIMPLE:
        return _SIMPLE[name](transform=transform)
    if name == "seasonal_naive":
        return SeasonalNaive(transform=transform, period=period, min_seasons=min_seasons)
    if name in _STATISTICAL:
        return _STATISTICAL[name](transform=transform, min_obs=min_obs_statistical)
    raise ParameterError(f"forecast.models: unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
