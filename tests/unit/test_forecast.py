"""Forecast models, backtest, shocks and population paths on seeded synthetic series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import params
from capacity.errors import ParameterError
from capacity.forecast import (
    SCORECARD_COLUMNS,
    Drift,
    Mean,
    Naive,
    SeasonalNaive,
    apply_shocks,
    forecast_population,
    forecast_run,
    gap_check,
    profile,
    run_backtest,
    simulate_population,
    summary,
)
from capacity.forecast.models import from_scale, normal_quantiles, to_scale
from capacity.params.forecast import ForecastConfig, Shock
from capacity.quantiles import CONTRACT_COLUMNS, QUANTILE_COLUMNS, check_contract

pytestmark = pytest.mark.unit

FAST_MODELS = ("naive", "mean", "drift", "seasonal_naive")


def monthly(values, start="2022-09-01") -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range(start, periods=values.size, freq="MS"))


def make_history(
    arrivals, rate, *, start="2022-09-01", registered0=100_000.0, jump_off_months_after=7, jump_off_value=120_000.0
) -> pd.DataFrame:
    """A long history frame like capacity.data.load_history's, with known arrivals and rate.

    Registered follows the stock identity with ``departures = rate * registered[t-1]``;
    the last registered value is observed ``jump_off_months_after`` months after the data.
    """
    arrivals = np.asarray(arrivals, dtype=float)
    rate = np.broadcast_to(np.asarray(rate, dtype=float), arrivals.shape)
    dates = pd.date_range(start, periods=arrivals.size, freq="MS")
    reg = np.empty(arrivals.size)
    dep = np.empty(arrivals.size)
    prev = registered0
    for t in range(arrivals.size):
        dep[t] = rate[t] * prev
        prev = prev + arrivals[t] - dep[t]
        reg[t] = prev
    rows = []
    for d, a, de, r in zip(dates, arrivals, dep, reg, strict=True):
        rows += [
            (d, "arrivals", a, "observed"),
            (d, "departures", de, "interpolated"),
            (d, "registered", r, "interpolated"),
            (d, "tp_stock", r, "observed"),
        ]
    # the month before the data: registered count for the first rate
    rows.append((dates[0] - pd.DateOffset(months=1), "registered", registered0, "observed"))
    jump = dates[-1] + pd.DateOffset(months=jump_off_months_after)
    rows.append((jump, "registered", jump_off_value, "observed"))
    frame = pd.DataFrame(rows, columns=["date", "variable", "value", "flag"])
    frame["source"] = "synthetic"
    frame["note"] = ""
    return frame.sort_values(["variable", "date"]).reset_index(drop=True)


def cfg_for(**kw) -> ForecastConfig:
    # the flows-only stock model on synthetic flows, "today" at the synthetic last count (2025-03)
    base = {
        "models": FAST_MODELS,
        "fit_start": dt.date(2022, 9, 1),
        "departure_fit_start": dt.date(2022, 9, 1),
        "n_paths": 200,
        "stock_model": "flows",
        "as_of": dt.date(2025, 3, 31),
    }
    base.update(kw)
    return ForecastConfig(**base)


# ----------------------------------------------------------------------------- models


@pytest.mark.parametrize("model", [Naive(), Mean(), Drift(), SeasonalNaive(period=12)])
def test_constant_series_forecasts_the_constant_with_no_spread(model):
    loc, scale = model.fit(monthly(np.full(24, 2500.0))).forecast(18)
    np.testing.assert_allclose(loc, 2500.0)
    np.testing.assert_allclose(scale, 0.0, atol=1e-12)


def test_drift_recovers_a_linear_trend_exactly():
    y = monthly(100 + 7.5 * np.arange(20))
    loc, scale = Drift().fit(y).forecast(5)
    np.testing.assert_allclose(loc, 100 + 7.5 * np.arange(20, 25))
    np.testing.assert_allclose(scale, 0.0, atol=1e-9)


def test_naive_spread_grows_with_square_root_of_horizon():
    rng = np.random.default_rng(3)
    y = monthly(np.cumsum(rng.normal(0, 2, 40)) + 100)
    _, scale = Naive().fit(y).forecast(9)
    np.testing.assert_allclose(scale / scale[0], np.sqrt(np.arange(1, 10)))


def test_seasonal_naive_repeats_the_last_season():
    season = np.array([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], dtype=float)
    loc, _ = SeasonalNaive(period=12).fit(monthly(np.tile(season, 2))).forecast(15)
    np.testing.assert_allclose(loc, np.concatenate([season, season[:3]]))


def test_seasonal_naive_refuses_too_short_history():
    from capacity.errors import DataError

    with pytest.raises(DataError, match="at least 24"):
        SeasonalNaive(period=12, min_seasons=2).fit(monthly(np.ones(20)))


@pytest.mark.parametrize("transform", ["log", "logit", "none"])
def test_transforms_round_trip_and_quantiles_are_ordered(transform):
    y = np.array([0.01, 0.2, 0.5]) if transform == "logit" else np.array([3.0, 50.0, 2000.0])
    np.testing.assert_allclose(from_scale(to_scale(y, transform), transform), y)
    q = normal_quantiles(to_scale(y, transform), np.array([0.1, 0.3, 0.5]), transform)
    assert list(q.columns) == ["mean", *QUANTILE_COLUMNS]
    assert (np.diff(q[list(QUANTILE_COLUMNS)].to_numpy(), axis=1) >= 0).all()
    np.testing.assert_allclose(q["q0.50"], y)


def test_log_normal_mean_is_above_the_median():
    q = Naive(transform="log").fit(monthly([100, 120, 90, 110, 100])).predict(3)
    assert (q["mean"] > q["q0.50"]).all()


# ----------------------------------------------------------------------------- shocks


def shock(**kw) -> Shock:
    base = {"name": "s", "target": "arrivals", "start": dt.date(2025, 3, 1), "size": 2.0}
    base.update(kw)
    return Shock(**base)


DATES = pd.date_range("2025-01-01", periods=8, freq="MS")


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"shape": "step"}, [0, 0, 1, 1, 1, 1, 1, 1]),
        ({"shape": "step", "duration_months": 2}, [0, 0, 1, 1, 0, 0, 0, 0]),
        ({"shape": "pulse", "duration_months": 3}, [0, 0, 1, 1, 1, 0, 0, 0]),
        ({"shape": "ramp", "duration_months": 4}, [0, 0, 0.25, 0.5, 0.75, 1, 1, 1]),
        ({"shape": "decay", "half_life_months": 1}, [0, 0, 1, 0.5, 0.25, 0.125, 0.0625, 0.03125]),
    ],
)
def test_shock_profiles(kw, expected):
    np.testing.assert_allclose(profile(shock(**kw), DATES), expected)


def test_multiplier_and_absolute_shocks_compose():
    base = np.full((3, 8), 1000.0)
    shocks = (
        shock(name="m", shape="pulse", duration_months=2, size=1.5),
        shock(name="a", kind="absolute", shape="step", size=200.0),
    )
    out = apply_shocks(base, DATES, shocks, "arrivals", rng=np.random.default_rng(0))
    np.testing.assert_allclose(out[0], [1000, 1000, 1700, 1700, 1200, 1200, 1200, 1200])


def test_shock_with_other_target_leaves_series_alone_and_rate_stays_a_share():
    rate = np.full((2, 8), 0.01)
    out = apply_shocks(rate, DATES, (shock(size=3.0),), "departure_rate", rng=np.random.default_rng(0))
    np.testing.assert_array_equal(out, rate)
    big = (shock(target="departure_rate", kind="absolute", size=0.9),)
    out = apply_shocks(np.full((2, 8), 0.5), DATES, big, "departure_rate", rng=np.random.default_rng(0))
    assert out.max() <= 1.0


def test_uncertain_shock_size_varies_across_paths():
    s = shock(size={"kind": "triangular", "low": 1.0, "mode": 1.5, "high": 3.0})
    out = apply_shocks(np.ones((500, 8)), DATES, (s,), "arrivals", rng=np.random.default_rng(1))
    assert 1.0 <= out[:, 2].min() < 1.3 and 2.6 < out[:, 2].max() <= 3.0
    np.testing.assert_array_equal(out[:, :2], 1.0)


# ----------------------------------------------------------------------------- population


def test_stock_identity_and_proportional_departures():
    arr = np.full((4, 6), 1000.0)
    rate = np.full((4, 6), 0.02)
    dep1, reg1 = simulate_population(arr, rate, 50_000)
    dep2, _ = simulate_population(arr, rate, 100_000)
    assert dep2[0, 0] == pytest.approx(2 * dep1[0, 0])  # departures are a rate on the stock
    prev = np.concatenate([np.full((4, 1), 50_000.0), reg1[:, :-1]], axis=1)
    np.testing.assert_allclose(reg1, prev + arr - dep1)


def test_known_constant_rate_and_arrivals_give_the_analytic_population():
    a, r = 2000.0, 0.015
    history = make_history(np.full(24, a), r)
    cfg = cfg_for()
    pop = forecast_population(history, cfg, rng=np.random.default_rng(5), n_paths=50, horizon=24)
    t = np.arange(1, 25)
    r0 = 120_000.0
    expected = r0 * (1 - r) ** t + a * (1 - (1 - r) ** t) / r
    np.testing.assert_allclose(pop.registered[0], expected, rtol=1e-6)
    np.testing.assert_allclose(pop.departures[:, 0], r * r0, rtol=1e-6)
    assert pop.identity_error() < 1e-6
    assert pop.dates[0] == pd.Timestamp("2025-04-01") and len(pop.dates) == 24


def noisy_history(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = np.arange(24)
    arrivals = 3000 * np.exp(0.15 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 0.1, 24))
    rate = 0.015 * np.exp(rng.normal(0, 0.08, 24))
    return make_history(arrivals, rate)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), size=st.floats(0.2, 5.0), start_offset=st.integers(0, 30))
def test_identity_holds_on_every_path_under_any_shock(seed, size, start_offset):
    history = noisy_history()
    start = (pd.Timestamp("2025-04-01") + pd.DateOffset(months=start_offset)).date()
    cfg = cfg_for(
        shocks=(
            Shock(name="a", target="arrivals", start=start, shape="decay", size=size),
            Shock(name="r", target="departure_rate", start=start, shape="step", size=size),
        )
    )
    pop = forecast_population(
        history, cfg, rng=np.random.default_rng(seed), n_paths=30, horizon=36, scorecard=SCORECARD
    )
    assert pop.identity_error() < 1e-6 * pop.registered.max()
    assert (pop.registered >= 0).all() and (pop.departures >= 0).all() and (pop.arrivals >= 0).all()


SCORECARD = run_backtest(noisy_history(), cfg_for(), rng=np.random.default_rng(0))


def test_same_seed_same_numbers_and_contract_table():
    history = noisy_history()
    cfg = cfg_for()
    one = forecast_population(history, cfg, rng=np.random.default_rng(9), scorecard=SCORECARD)
    two = forecast_population(history, cfg, rng=np.random.default_rng(9), scorecard=SCORECARD)
    np.testing.assert_array_equal(one.registered, two.registered)
    table = check_contract(one.table())
    assert list(table.columns) == list(CONTRACT_COLUMNS)
    assert set(table["variable"]) == {"arrivals", "departures", "registered"}
    assert len(table) == 3 * cfg.horizon_months and one.n_paths == cfg.n_paths


def test_shock_raises_arrivals_only_where_it_acts():
    history = noisy_history()
    start = dt.date(2025, 10, 1)
    cfg = cfg_for(shocks=(Shock(name="x", target="arrivals", start=start, shape="pulse", duration_months=3, size=2.0),))
    base = forecast_population(history, cfg_for(), rng=np.random.default_rng(4), scorecard=SCORECARD)
    shocked = forecast_population(history, cfg, rng=np.random.default_rng(4), scorecard=SCORECARD)
    inside = (base.dates >= pd.Timestamp(start)) & (base.dates < pd.Timestamp(start) + pd.DateOffset(months=3))
    np.testing.assert_allclose(shocked.arrivals[:, inside], 2 * base.arrivals[:, inside])
    np.testing.assert_allclose(shocked.arrivals[:, ~inside], base.arrivals[:, ~inside])
    assert (shocked.registered[:, -1] > base.registered[:, -1]).all()


# ----------------------------------------------------------------------------- backtest


def test_scorecard_shape_and_ranges():
    card = SCORECARD
    assert list(card.columns) == list(SCORECARD_COLUMNS)
    assert {"arrivals", "departure_rate"} == set(card["series"])
    assert "ensemble" in set(card["model"]) and card["h"].max() == 12
    for col in ("coverage_50", "coverage_80", "coverage_95"):
        assert card[col].between(0, 1).all()
    assert (card["coverage_50"] <= card["coverage_80"] + 1e-12).all()
    assert (card["coverage_80"] <= card["coverage_95"] + 1e-12).all()
    w = (
        card[card["model"] != "ensemble"]
        .groupby("series")["weight"]
        .apply(lambda s: s.groupby(card["model"]).first().sum())
    )
    np.testing.assert_allclose(w.to_numpy(), 1.0)
    s = summary(card)
    assert set(s["model"]) >= {"naive", "ensemble"}


def test_constant_series_backtests_with_zero_error():
    history = make_history(np.full(24, 2000.0), 0.01)
    card = run_backtest(history, cfg_for(), rng=np.random.default_rng(0))
    naive = card[(card["model"] == "naive") & (card["series"] == "arrivals")]
    np.testing.assert_allclose(naive["mae"], 0.0, atol=1e-9)
    np.testing.assert_allclose(naive["coverage_95"], 1.0)


def test_too_short_series_gives_no_backtest_rows_but_still_forecasts():
    history = make_history(np.full(8, 2000.0), 0.01)
    cfg = cfg_for()
    card = run_backtest(history, cfg, rng=np.random.default_rng(0))
    assert card.empty
    pop = forecast_population(history, cfg, rng=np.random.default_rng(0), scorecard=card, horizon=6)
    assert pop.identity_error() < 1e-6


def test_gap_check_compares_forecast_with_later_counts():
    history = noisy_history()
    extra = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01"]),
            "variable": "registered",
            "value": [110_000.0],
            "flag": "observed",
            "source": "synthetic",
            "note": "",
        }
    )
    history = pd.concat([history, extra], ignore_index=True)
    table = gap_check(history, cfg_for(), rng=np.random.default_rng(0), scorecard=SCORECARD, n_paths=100)
    assert list(table["date"]) == [pd.Timestamp("2025-03-01")]
    assert table["q0.025"].iloc[0] <= table["median"].iloc[0] <= table["q0.975"].iloc[0]


def test_forecast_run_exposes_gap_month_forecasts():
    run = forecast_run(
        noisy_history(), cfg_for(), rng=np.random.default_rng(0), scorecard=SCORECARD, n_paths=20, horizon=3
    )
    assert run.arrivals.dates[0] == pd.Timestamp("2024-09-01")
    assert run.arrival_paths.shape == (20, len(run.arrivals.dates))


# ----------------------------------------------------------------------------- scenario files


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "forecast:\n  shocks:\n    - {name: x, target: arrivals, start: 2025-10-01, shape: pulse, size: 2}\n",
            "pulse needs duration_months",
        ),
        (
            "forecast:\n  shocks:\n    - {name: x, target: arrivals, start: 2025-10-01, size: -1}\n",
            "multiplier must be >= 0",
        ),
        ("forecast:\n  shocks:\n    - {name: x, target: people, start: 2025-10-01, size: 2}\n", "target"),
        (
            "forecast:\n  shocks:\n    - {name: x, target: arrivals, start: 2025-10-01, size: 2, colour: red}\n",
            "unknown key",
        ),
        (
            "forecast:\n  shocks:\n    - {name: x, target: departure_rate, start: 2025-10-01, kind: absolute, size: 5}\n",
            "share per month",
        ),
        ("forecast:\n  models: [naive, arima]\n", "unknown model"),
        (
            "forecast:\n  shocks:\n    - {name: x, target: arrivals, start: 2025-10-01, size: {kind: triangular, low: 2, mode: 1, high: 3}}\n",
            "mode",
        ),
    ],
)
def test_bad_scenario_files_fail_with_the_key(tmp_path, text, match):
    with pytest.raises(ParameterError, match=match):
        params.load(write(tmp_path, text))


FORECAST_SCENARIOS = (
    "ceasefire",
    "unfavourable_deal",
    "front_breakthrough",
    "grid_collapse_winter",
    "exit_rules_relaxed",
)


@pytest.mark.parametrize("name", FORECAST_SCENARIOS)
def test_shipped_forecast_scenarios_state_their_assumptions(name):
    scn = params.load(params.PARAMS_DIR / "scenarios" / f"{name}.yaml")
    assert scn.meta.description and scn.meta.assumptions
    assert scn.forecast.shocks
    for s in scn.forecast.shocks:
        assert s.source
        if s.source.startswith("assumption"):
            assert any("assumption" in a for a in scn.meta.assumptions)


# ----------------------------------------------------------------------------- calibration


def test_conformal_k_is_normal_for_normal_errors_and_wider_for_heavy_tails():
    from capacity.forecast.backtest import NORMAL_K, conformal_k

    rng = np.random.default_rng(1)
    k = conformal_k(rng.standard_normal(20_000))
    for level in (50, 80, 95):
        assert k[level] == pytest.approx(NORMAL_K[level], rel=0.03)
    heavy = conformal_k(rng.standard_t(2, 20_000))
    assert heavy[95] > 1.3 * NORMAL_K[95]
    assert conformal_k(np.ones(3)) == NORMAL_K  # too few errors: keep the normal


def test_sampled_paths_have_the_calibrated_band_widths():
    from capacity.forecast.population import SeriesForecast, sample_series
    from capacity.forecast.series import Series

    k = {50: 0.5, 80: 1.5, 95: 3.0}
    h = 6
    series = Series("arrivals", monthly(np.ones(12)), "none", "persons/month", "")
    fc = SeriesForecast(
        series,
        pd.date_range("2025-01-01", periods=h, freq="MS"),
        np.zeros(h),
        0.25,
        np.full(h, 0.01),
        {"naive": 1.0},
        True,
        k,
    )
    paths = sample_series(fc, n_paths=40_000, rng=np.random.default_rng(2))
    sd = np.sqrt(0.25 + 0.01 * np.arange(1, h + 1))
    for level, width in k.items():
        upper = np.quantile(paths, 0.5 + level / 200, axis=0)
        np.testing.assert_allclose(upper / sd, width, rtol=0.07)


def test_damp_trend_levels_off_after_the_backtested_horizon():
    from capacity.forecast.population import damp_trend

    line = np.arange(1.0, 41.0)
    damped = damp_trend(line, after=12, factor=0.5)
    np.testing.assert_allclose(damped[:12], line[:12])
    assert damped[-1] == pytest.approx(13.0, abs=1e-6)  # 12 + 0.5 + 0.25 + ... -> 13
    np.testing.assert_allclose(damp_trend(line, after=12, factor=1.0), line)
