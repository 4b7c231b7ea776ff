"""Benchmark of the vectorised backlog model.

Prints, in one run:
1. the time for 10,000 paths x 60 months relative to 1,000 paths (should be about linear);
2. the vectorised model's speed relative to the SimPy discrete-event model of the same model
   (tests/integration/backlog_des.py) on the same small case, per sample path;
3. the cost per model evaluation (one sample path) of the Sobol sensitivity analysis
   (``backlog.sobol_table``, N (k + 2) paths in one vectorised run) and of the replay.
   (Not yet: the Dask executor and its speed-up on 2 workers.)

Run: .venv/bin/python benchmarks/backlog.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from capacity import backlog as bl
from capacity import params
from capacity.params.backlog import BacklogConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
from backlog_des import simulate_des
from test_backlog_des import COHORT, SHARED


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    cfg = params.load().backlog
    months = 60
    bl.simulate(np.full(100, cfg.cohort_persons), cfg, rng=np.random.default_rng(0))  # warm up
    t = {}
    for n in (1_000, 10_000):
        cohort = np.full(n, cfg.cohort_persons)
        t[n] = best_of(lambda c=cohort: bl.simulate(c, cfg, rng=np.random.default_rng(1), n_months=months), repeat=3)
    tab = best_of(
        lambda: bl.simulate(
            np.full(10_000, cfg.cohort_persons), cfg, rng=np.random.default_rng(1), n_months=months
        ).table(),
        repeat=1,
    )
    print(
        f"baseline, {months} months: 1,000 paths {t[1_000]:.3f} s; 10,000 paths "
        f"{t[10_000]:.3f} s; ratio {t[10_000] / t[1_000]:.1f}x for 10x the paths"
    )
    print(f"10,000 paths incl. the quantile table: {tab:.3f} s")

    shared = BacklogConfig(**SHARED)
    reps, n_vec = 20, 1_000
    t_des = best_of(lambda: simulate_des(COHORT, shared, n_months=months, n_reps=reps), 1)
    t_vec = best_of(
        lambda: bl.simulate(np.full(n_vec, float(COHORT)), shared, rng=np.random.default_rng(0), n_months=months), 3
    )
    per_des, per_vec = t_des / reps, t_vec / n_vec
    print(
        f"shared case ({COHORT:,} cases, {months} months): DES {per_des * 1e3:.1f} ms per "
        f"replication ({reps} reps); vectorised {per_vec * 1e6:.1f} us per path "
        f"({n_vec:,} paths); vectorised is {per_des / per_vec:,.0f}x faster per path"
    )

    from capacity import data
    from capacity.backlog import UNCERTAIN, replay, sobol_table

    n_base = 512
    t_sobol = best_of(lambda: sobol_table(cfg.cohort_persons, cfg, rng=np.random.default_rng(2), n_base=n_base), 1)
    evals = n_base * (len(UNCERTAIN) + 2)
    print(
        f"Sobol, N = {n_base}, {len(UNCERTAIN)} inputs: {evals:,} evaluations in {t_sobol:.2f} s "
        f"= {t_sobol / evals * 1e6:.0f} us per evaluation (incl. 200 bootstrap resamples)"
    )
    figures = data.load_table("ind_asylum_figures")
    t_rep = best_of(lambda: replay.validation_table(figures, cfg, rng=np.random.default_rng(3)), 1)
    print(f"replay 2023-2025 with calibration, 200 paths: {t_rep:.2f} s")


if __name__ == "__main__":
    main()
