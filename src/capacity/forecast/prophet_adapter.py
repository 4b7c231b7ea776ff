"""Prophet behind the common model interface (the only module that imports prophet)."""

from __future__ import annotations

import logging
import warnings

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
                yearly_seasonality=False, weekly_seasonality=False, daily_seasonality=False,
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
