"""Benchmark of the vectorised backlog model.

Prints, in one run:
1. the time for 10,000 paths x 60 months relative to 1,000 paths (should be about linear);
2. the vectorised model's speed relative to the SimPy discrete-event model of the same model
   (tests/integration/backlog_des.py) on the same small case, per sample path.

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
        t[n] = best_of(lambda c=cohort: bl.simulate(c, cfg, rng=np.random.default_rng(1),
                                                    n_months=months), repeat=3)
    tab = best_of(lambda: bl.simulate(np.full(10_000, cfg.cohort_persons), cfg,
                                      rng=np.random.default_rng(1), n_months=months).table(),
                  repeat=1)
    print(f"baseline, {months} months: 1,000 paths {t[1_000]:.3f} s; 10,000 paths "
          f"{t[10_000]:.3f} s; ratio {t[10_000] / t[1_000]:.1f}x for 10x the paths")
    print(f"10,000 paths incl. the quantile table: {tab:.3f} s")

    shared = BacklogConfig(**SHARED)
    reps, n_vec = 20, 1_000
    t_des = best_of(lambda: simulate_des(COHORT, shared, n_months=months, n_reps=reps), 1)
    t_vec = best_of(lambda: bl.simulate(np.full(n_vec, float(COHORT)), shared,
                                        rng=np.random.default_rng(0), n_months=months), 3)
    per_des, per_vec = t_des / reps, t_vec / n_vec
    print(f"shared case ({COHORT:,} cases, {months} months): DES {per_des * 1e3:.1f} ms per "
          f"replication ({reps} reps); vectorised {per_vec * 1e6:.1f} us per path "
          f"({n_vec:,} paths); vectorised is {per_des / per_vec:,.0f}x faster per path")


if __name__ == "__main__":
    main()
