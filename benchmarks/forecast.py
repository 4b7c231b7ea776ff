"""Benchmark of the arrivals/departures forecast: accuracy, calibration and speed, one run.

Usage: ``.venv/bin/python benchmarks/forecast.py [--quick]``

Prints, measured side by side on the shipped data:
- the ensemble's backtest MASE (horizons 1-6) relative to seasonal naive, naive, Prophet
  alone and the best single model, per series;
- the 80 % interval coverage of every model and the ensemble;
- fit + sample time per model relative to the naive model (full series, 36+ months ahead);
- the end-to-end time of backtest + forecast_population (1,000 paths);
- the registered stock's own backtest: coverage and 80 % interval score with the
  stock-calibrated bands against the paths' own spread, and MAE against naive.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd

from capacity import params
from capacity.data import load_history
from capacity.forecast import forecast_population, model_series, run_backtest, summary
from capacity.forecast.backtest import build_model
from capacity.forecast.population import SeriesForecast, sample_series

warnings.filterwarnings("ignore")
logging.getLogger("cmdstanpy").setLevel(logging.WARNING)


def timed(fn, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer timing repeats")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    pd.set_option("display.width", 160)

    scn = params.load()
    cfg = scn.forecast
    history = load_history()

    t0 = time.perf_counter()
    card = run_backtest(history, cfg, rng=np.random.default_rng(scn.meta.seed))
    t_backtest = time.perf_counter() - t0
    t0 = time.perf_counter()
    pop = forecast_population(history, cfg, rng=np.random.default_rng(scn.meta.seed), scorecard=card)
    t_forecast = time.perf_counter() - t0

    s = summary(card, horizons=(1, 6)).set_index(["series", "model"])
    print("== Backtest, horizons 1-6 (rolling origin, expanding window) ==")
    print(s[["n", "mase", "coverage_50", "coverage_80", "coverage_95", "winkler_80", "weight"]].round(3).to_string())
    print()
    print("== Ensemble relative MASE (h1-6; < 1 means the ensemble is better) ==")
    for series in s.index.get_level_values(0).unique():
        sub = s.loc[series]["mase"]
        ens = sub["ensemble"]
        singles = sub.drop("ensemble")
        best = singles.idxmin()
        line = {f"vs {m}": ens / sub[m] for m in ("seasonal_naive", "naive", "prophet") if m in sub}
        line[f"vs best single ({best})"] = ens / singles.min()
        print(f"{series:15s} ensemble MASE {ens:.3f}; " + "; ".join(f"{k} {v:.3f}" for k, v in line.items()))
        print(
            f"{'':15s} ensemble 80 % coverage {s.loc[(series, 'ensemble'), 'coverage_80']:.3f} "
            f"(target 0.70-0.90), 95 % coverage {s.loc[(series, 'ensemble'), 'coverage_95']:.3f}"
        )
        full = summary(card, horizons=(1, 12)).set_index(["series", "model"]).loc[(series, "ensemble")]
        print(
            f"{'':15s} horizons 1-12: ensemble 80 % coverage {full['coverage_80']:.3f}, "
            f"95 % coverage {full['coverage_95']:.3f}, n={int(full['n'])}"
        )
    print()
    print("== fit + sample time per model (full series, 43 months ahead, 1,000 paths) ==")
    rng = np.random.default_rng(0)
    rows = []
    for series in model_series(history, cfg).values():
        h = 43
        for name in cfg.models:
            model = build_model(name, series, cfg)
            if len(series.y) < model.min_obs:
                continue

            def run(model=model, series=series):
                model.fit(series.y)
                loc, sd = model.forecast(h)
                fc = SeriesForecast(
                    series,
                    pd.date_range("2030-01-01", periods=h, freq="MS"),
                    loc,
                    float(sd[0] ** 2),
                    np.zeros(h),
                    {name: 1.0},
                    False,
                )
                sample_series(fc, n_paths=1000, rng=rng)

            rows.append({"series": series.name, "model": name, "seconds": timed(run, repeat)})
    times = pd.DataFrame(rows)
    times["relative_to_naive"] = times["seconds"] / times["series"].map(
        times[times["model"] == "naive"].set_index("series")["seconds"]
    )
    print(times.round({"seconds": 4, "relative_to_naive": 1}).to_string(index=False))
    print()
    print(
        f"backtest (all models, both series): {t_backtest:.2f} s; forecast_population "
        f"(1,000 paths, {len(pop.dates)} months, reusing the scorecard): {t_forecast:.2f} s"
    )
    print(f"identity error over all paths: {pop.identity_error():.2e} persons")

    print()
    print("== Calibration: ensemble coverage h1-6 with the models' own spread vs calibrated ==")
    raw_cfg = params.load(forecast__calibrate=False).forecast
    raw = summary(run_backtest(history, raw_cfg, rng=None), horizons=(1, 6))
    for series in ("arrivals", "departure_rate"):
        r = raw[(raw["series"] == series) & (raw["model"] == "ensemble")].iloc[0]
        c = s.loc[(series, "ensemble")]
        print(
            f"{series:15s} own spread: 50/80/95 % coverage {r['coverage_50']:.3f}/{r['coverage_80']:.3f}/"
            f"{r['coverage_95']:.3f}; calibrated: {c['coverage_50']:.3f}/{c['coverage_80']:.3f}/"
            f"{c['coverage_95']:.3f}"
        )
    print()
    print("== Registered stock: rolling-origin backtest (data as they stood), horizons 1-6 ==")
    from capacity.forecast.stock import pooled, stock_table

    records = card.attrs.get("stock_records", pd.DataFrame())
    if records.empty:
        print("no stock backtest records (too few published counts)")
    else:
        for name, table in (
            ("calibrated on the stock (new)", stock_table(records)),
            ("paths' own spread (before)", stock_table(records, calibrated=False)),
        ):
            p = pooled(table, 1, 6)
            rows = table[(table["horizon"] <= 6) & (table["n"] > 0)]
            score = float(np.average(rows["interval_score"], weights=rows["n"]))
            print(
                f"{name:32s} 50/80/95 % coverage {p['coverage_50']:.3f}/{p['coverage_80']:.3f}/"
                f"{p['coverage_95']:.3f}; 80 % interval score {score:,.0f}; n={p['n']}, "
                f"distinct counts {int(rows['n_counts'].max())}"
            )
        near = records[records["h"] <= 6]
        model_mae = float(np.mean(np.abs(near["actual"] - near["median"])))
        naive_mae = float(np.mean(np.abs(near["actual"] - near["jump_value"])))
        print(
            f"MAE h1-6: model {model_mae:,.0f}; naive (last count, no change) {naive_mae:,.0f} persons "
            "(naive/drift have no bands here: their coverage is not measured)"
        )
        print(f"stock calibration (a, b) on the log scale: {card.attrs.get('stock_calibration')}")
    print()
    print("== Sensitivity: arrivals fit start (ensemble vs best single, h1-6) ==")
    for start in ("2022-09-01", "2023-01-01"):
        alt = params.load(forecast__fit_start=start).forecast
        c = summary(run_backtest(history, alt, rng=np.random.default_rng(0)), horizons=(1, 6))
        c = c[c["series"] == "arrivals"].set_index("model")
        singles = c.drop("ensemble")
        print(
            f"fit_start {start}: ensemble MASE {c.loc['ensemble', 'mase']:.3f}, best single "
            f"{singles['mase'].idxmin()} {singles['mase'].min():.3f}, ensemble 80 % coverage "
            f"{c.loc['ensemble', 'coverage_80']:.3f}, n={int(c.loc['ensemble', 'n'])}"
        )


if __name__ == "__main__":
    main()
