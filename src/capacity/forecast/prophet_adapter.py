"""Prophet behind the common model interface (the only module that imports prophet)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from capacity.forecast.models import Model, Transform

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
        for noisy in ("cmdstanpy", "prophet", "prophet.plot"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        from prophet import Prophet

        self.model_ = Prophet(
            yearly_seasonality=False, weekly_seasonality=False, daily_seasonality=False,
            n_changepoints=min(5, max(1, self.z_.size // 4)),
            uncertainty_samples=_UNCERTAINTY_SAMPLES,
        )
        frame = pd.DataFrame({"ds": self.index_, "y": self.z_})
        self.model_.fit(frame)

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        future = pd.DataFrame({"ds": pd.date_range(self.last_date_, periods=h + 1, freq="MS")[1:]})
        # Prophet draws with numpy's global state; seed it from the data for reproducibility,
        # then restore the caller's global state.
        state = np.random.get_state()  # noqa: NPY002
        np.random.seed(int(abs(self.z_.sum() * 1e6)) % (2**32 - 1))  # noqa: NPY002
        try:
            samples = self.model_.predictive_samples(future)["yhat"]
        finally:
            np.random.set_state(state)  # noqa: NPY002
        return samples.mean(axis=1), samples.std(axis=1, ddof=1)
