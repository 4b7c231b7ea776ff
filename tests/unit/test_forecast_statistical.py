"""The statistical models (statsmodels and the Prophet adapter) on small seeded series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from capacity.errors import ParameterError
from capacity.forecast import ETS, SARIMAX, UCM, make_model
from capacity.params.forecast import MODEL_NAMES
from capacity.quantiles import QUANTILE_COLUMNS

pytestmark = pytest.mark.unit


def series(seed: int = 2, n: int = 24) -> pd.Series:
    rng = np.random.default_rng(seed)
    y = 2500 * np.exp(np.cumsum(rng.normal(0, 0.05, n)))
    return pd.Series(y, index=pd.date_range("2022-09-01", periods=n, freq="MS"))


@pytest.mark.parametrize("cls", [ETS, UCM, SARIMAX])
def test_statsmodels_models_give_ordered_positive_quantiles(cls):
    q = cls(transform="log").fit(series()).predict(12)
    assert len(q) == 12 and list(q.columns) == ["mean", *QUANTILE_COLUMNS]
    values = q[list(QUANTILE_COLUMNS)].to_numpy()
    assert (values > 0).all() and (np.diff(values, axis=1) >= 0).all()
    # forecasts stay near the level of the series (no explosion on 24 months)
    assert 1000 < q["q0.50"].iloc[0] < 6000


def test_ucm_on_a_constant_log_series_forecasts_the_constant():
    y = pd.Series(np.full(20, 1500.0), index=pd.date_range("2023-01-01", periods=20, freq="MS"))
    q = UCM(transform="log").fit(y).predict(6)
    np.testing.assert_allclose(q["q0.50"], 1500.0, rtol=1e-3)


def test_prophet_adapter_is_reproducible_and_ordered():
    pytest.importorskip("prophet")
    y = series(5)
    one = make_model("prophet", transform="log").fit(y).predict(6)
    two = make_model("prophet", transform="log").fit(y).predict(6)
    pd.testing.assert_frame_equal(one, two)
    assert (np.diff(one[list(QUANTILE_COLUMNS)].to_numpy(), axis=1) >= 0).all()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_registry_builds_every_model_name_the_parameters_accept(name):
    model = make_model(name, transform="log")
    assert model.name == name and model.transform == "log"


def test_registry_rejects_an_unknown_name_listing_the_known_ones():
    with pytest.raises(ParameterError, match=r"unknown model 'arima'; choose from naive, mean, .*prophet"):
        make_model("arima", transform="log")
