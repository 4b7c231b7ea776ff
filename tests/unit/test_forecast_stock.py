"""The stock identity with its residual, correlated error paths, vintages and the stock calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from capacity.forecast import simulate_stock, stock_calibration, vintage
from capacity.forecast.backtest import error_process
from capacity.forecast.population import ar1, joint_normals
from capacity.forecast.stock import STOCK_COLUMNS, pooled, stock_table, thin_horizons

pytestmark = pytest.mark.unit


def test_identity_holds_on_every_path_with_the_residual() -> None:
    rng = np.random.default_rng(1)
    arrivals = rng.uniform(1000, 3000, (200, 24))
    rate = rng.uniform(0.005, 0.02, (200, 24))
    var = 0.001 + 0.0002 * np.arange(1, 25)
    dep, reg, res = simulate_stock(arrivals, rate, 100_000.0, stock_var=var, rng=rng)
    prev = np.concatenate([np.full((200, 1), 100_000.0), reg[:, :-1]], axis=1)
    assert np.max(np.abs(prev + arrivals - dep + res - reg)) < 1e-6
    assert np.allclose(dep, rate * prev)
    assert np.abs(res).max() > 0


def test_residual_tops_the_spread_up_to_the_calibrated_variance() -> None:
    # deterministic inputs: all spread of log(registered) comes from the residual
    rng = np.random.default_rng(2)
    n, h = 4000, 12
    target = 0.002 + 0.0005 * np.arange(1, h + 1)
    _, reg, _ = simulate_stock(np.full((n, h), 2000.0), np.full((n, h), 0.01), 120_000.0,
                               stock_var=target, rng=rng)
    got = np.var(np.log(reg), axis=0)
    assert np.allclose(got, target, rtol=0.1)
    # without a calibration there is no residual
    _, _, res = simulate_stock(np.full((n, h), 2000.0), np.full((n, h), 0.01), 120_000.0)
    assert (res == 0).all()


def test_residual_adds_nothing_where_paths_already_spread_enough() -> None:
    rng = np.random.default_rng(3)
    arrivals = rng.lognormal(np.log(2000), 0.5, (2000, 6))
    _, base = simulate_stock(arrivals, np.full((2000, 6), 0.01), 100_000.0)[:2]
    own = np.var(np.log(base), axis=0)
    _, _, res = simulate_stock(arrivals, np.full((2000, 6), 0.01), 100_000.0, stock_var=own * 0.5, rng=rng)
    assert np.abs(res).max() < 1e-6


def test_error_paths_are_correlated_over_months_and_across_series() -> None:
    rng = np.random.default_rng(4)
    x = ar1(rng.standard_normal((20_000, 6)), 0.8)
    assert np.corrcoef(x[:, 2], x[:, 3])[0, 1] == pytest.approx(0.8, abs=0.02)
    assert x.var(axis=0) == pytest.approx(np.ones(6), rel=0.05)
    za, zr = joint_normals(20_000, 4, -0.3, rng)
    assert np.corrcoef(za[1, :, 0], zr[1, :, 0])[0, 1] == pytest.approx(-0.3, abs=0.03)


def test_error_process_recovers_a_known_lag_one_correlation() -> None:
    rng = np.random.default_rng(5)
    u = ar1(rng.standard_normal((300, 8)), 0.6)
    rows = [{"origin": o, "h": h + 1, "date": pd.Timestamp("2020-01-01") + pd.DateOffset(months=o + h + 1),
             "actual_z": u[o, h], "loc": 0.0, "scale": 1.0} for o in range(300) for h in range(8)]
    est = error_process({"arrivals": pd.DataFrame(rows)})
    assert est["phi_arrivals"] == pytest.approx(0.6, abs=0.05)


def test_vintage_drops_what_was_not_known_at_the_origin() -> None:
    dates = pd.date_range("2024-01-01", periods=6, freq="MS")
    hist = pd.DataFrame({
        "date": list(dates) * 2,
        "variable": ["departures"] * 6 + ["registered"] * 6,
        "value": [1.0] * 12,
        "flag": ["interpolated"] * 6 + ["observed", "interpolated", "interpolated", "observed",
                                        "interpolated", "observed"],
        "note": ["cumulative departures interpolated linearly between 2023-12-01 (0) and 2024-03-01 (9)"] * 3
        + ["cumulative departures interpolated linearly between 2024-03-01 (9) and 2024-06-01 (18)"] * 3
        + [""] * 6,
    })
    v = vintage(hist, pd.Timestamp("2024-05-01"))
    assert v["date"].max() <= pd.Timestamp("2024-05-01")
    dep = v[v["variable"] == "departures"]["date"]
    assert dep.max() == pd.Timestamp("2024-03-01")  # later months lean on the June 2024 count
    reg = v[v["variable"] == "registered"]
    assert set(reg["date"]) == set(dates[:4])  # the May value leans on the June count


def test_simulation_based_calibration_of_the_stock_bands() -> None:
    """Few hundred synthetic stocks: random-walk level, AR(1) measurement error of known size.

    A naive forecast from the last count, calibrated on the stock errors (leave-one-count-out)
    by ``var(k) = a + b k``, must cover 75-85 % of the outcomes with its 80 % bands.
    """
    rng = np.random.default_rng(6)
    n_series, horizons, q, s = 300, 4, 0.0004, 0.02
    rows = []
    for i in range(n_series):
        level = np.log(100_000) + np.cumsum(rng.normal(0, np.sqrt(q), horizons + 1))
        noise = ar1(rng.standard_normal((1, horizons + 1)), 0.5)[0] * s
        y = np.exp(level + noise)
        for k in range(1, horizons + 1):
            rows.append({"origin": pd.Timestamp("2000-01-01"), "date": pd.Timestamp("1900-01-01") + pd.DateOffset(days=i * 10 + k),
                         "h": k, "k": k, "actual": y[k], "median": y[0], "log_median": np.log(y[0]),
                         "log_var": 0.0, "scale": 1000.0})
    records = pd.DataFrame(rows)
    a, b = stock_calibration(records)
    assert a > 0 and b > 0
    table = stock_table(records, horizons=horizons)
    assert list(table.columns) == list(STOCK_COLUMNS)
    cov = pooled(table, 1, horizons)
    assert 0.75 <= cov["coverage_80"] <= 0.85
    assert cov["coverage_95"] >= 0.90
    # the uncalibrated bands (no spread at all) cover nothing
    raw = records.assign(**{c: records["median"] for c in ("q0.025", "q0.1", "q0.25", "q0.75", "q0.9", "q0.975")})
    assert pooled(stock_table(raw, horizons=horizons, calibrated=False), 1, horizons)["coverage_80"] < 0.05


def test_thin_horizons_are_named_with_their_counts() -> None:
    table = stock_table(pd.DataFrame(), horizons=3)
    assert thin_horizons(table) == [1, 2, 3]
    assert (table["n"] == 0).all()


def test_population_paths_expose_the_departure_rate_of_each_path() -> None:
    from capacity.forecast import PopulationPaths

    rng = np.random.default_rng(7)
    arrivals = rng.uniform(1000, 3000, (50, 12))
    rate = rng.uniform(0.005, 0.02, (50, 12))
    dep, reg, res = simulate_stock(arrivals, rate, 100_000.0, stock_var=np.full(12, 0.001), rng=rng)
    pop = PopulationPaths(pd.date_range("2025-04-01", periods=12, freq="MS"), arrivals, dep, reg,
                          pd.Timestamp("2025-03-01"), 100_000.0, res)
    assert np.allclose(pop.departure_rates, rate)
    assert pop.identity_error() < 1e-6


def test_nowcast_recovers_a_known_level() -> None:
    from capacity.forecast.stock import nowcast

    rng = np.random.default_rng(8)
    months = pd.date_range("2023-01-01", periods=25, freq="MS")
    u = pd.Series(0.01, index=months[1:])
    truth = np.log(100_000) + np.concatenate([[0.0], np.cumsum(u.to_numpy())])
    r = 0.03**2
    errors = []
    for _ in range(300):
        seen = months[::4]  # a count every four months, with a 3 % error
        counts = pd.Series(np.exp(truth[::4] + rng.normal(0, np.sqrt(r), len(seen))), index=seen)
        month, level, var = nowcast(counts, u, q=1e-8, r=r)
        errors.append(np.log(level) - truth[-1])
    assert month == months[-1]
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.003  # unbiased
    assert errors.std() < 0.6 * np.sqrt(r)  # pooling seven counts beats the last count alone
    assert np.sqrt(var) == pytest.approx(errors.std(), rel=0.25)


def test_correlated_noise_widens_cumulative_error_as_in_the_backtest() -> None:
    from capacity.forecast.population import SeriesForecast, sample_series
    from capacity.forecast.series import Series

    y = pd.Series(np.full(24, 2000.0), index=pd.date_range("2022-09-01", periods=24, freq="MS"))
    s = Series("arrivals", y, "log", "persons/month", "synthetic")
    fc = SeriesForecast(s, pd.date_range("2024-09-01", periods=8, freq="MS"), np.full(8, np.log(2000.0)),
                        0.04, np.zeros(8), {"naive": 1.0}, True)
    iid = sample_series(fc, n_paths=20_000, rng=np.random.default_rng(9), phi=0.0).sum(axis=1)
    ar = sample_series(fc, n_paths=20_000, rng=np.random.default_rng(9), phi=0.8).sum(axis=1)
    assert ar.std() > 1.7 * iid.std()
    # the marginal of each month is unchanged
    one = sample_series(fc, n_paths=20_000, rng=np.random.default_rng(9), phi=0.8)[:, 3]
    assert np.log(one).std() == pytest.approx(0.2, rel=0.05)


def test_newer_arrivals_than_counts_are_used_as_data_from_the_last_count() -> None:
    """A user drops in arrivals newer than the last count: the paths start at the count and use the data."""
    import datetime as dt

    from capacity.forecast import forecast_run
    from capacity.params.forecast import ForecastConfig

    dates = pd.date_range("2022-09-01", periods=24, freq="MS")
    arrivals = 2000.0 + 100 * np.arange(24)
    rows = [(d, "arrivals", a, "observed") for d, a in zip(dates, arrivals, strict=True)]
    rows += [(d, "departures", 1000.0, "interpolated") for d in dates]
    rows += [(d, "registered", 100_000.0 + 1000 * k, "interpolated") for k, d in enumerate(dates) if k != 17]
    rows += [(dates[17], "registered", 117_000.0, "observed"),
             (dates[0] - pd.DateOffset(months=1), "registered", 99_000.0, "observed")]
    history = pd.DataFrame(rows, columns=["date", "variable", "value", "flag"]).assign(source="s", note="")
    cfg = ForecastConfig(models=("naive", "mean", "drift"), fit_start=dt.date(2022, 9, 1),
                         departure_fit_start=dt.date(2022, 9, 1), n_paths=50)
    run = forecast_run(history, cfg, rng=np.random.default_rng(1), horizon=12)
    pop = run.population
    assert pop.jump_off_date == dates[17] and pop.dates[0] == dates[18]
    np.testing.assert_allclose(pop.arrivals[:, :6], np.broadcast_to(arrivals[18:], (50, 6)))
    assert pop.arrivals[:, 6:].std(axis=0).min() > 0  # forecasts after the data
    assert pop.identity_error() < 1e-6
