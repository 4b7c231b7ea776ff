"""Benchmark of the policy comparison: its own draws (before) against the headline run's (now).

Before, ``compare_policies`` drew its own random numbers and ran each policy once (no
asylum applications at document expiry), so its "as configured" row differed from the
headline by sampling noise. Now it takes the headline run (``configured=``): the policy
without changes is that run, and every other policy runs as it did (``run_after_tpd``: a
second run when documents expire into asylum applications) on its draws.

Prints, in one run and on the same pipeline result, both times and their ratio.

Run: PYTHONPATH=src .venv/bin/python benchmarks/policies.py [n_paths]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from capacity import backlog, params, pipeline
from capacity.forecast import regime


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n_paths = int(sys.argv[1]) if len(sys.argv) > 1 else None
    scn = params.load()
    res = pipeline.run_scenario(scn, n_paths=n_paths)
    cfg, bl, pop = scn.backlog, res.backlog, res.population
    post_tpd = res.regime.asylum_on(regime.tpd_end_month(cfg), cfg.n_months)

    def before() -> None:
        backlog.compare_policies(
            bl.cohort_persons, cfg, pop=pop, rng=np.random.default_rng(0), extra_regular_inflow=post_tpd
        )

    def now() -> None:
        backlog.compare_policies(bl.cohort_persons, cfg, pop=pop, configured=bl, extra_regular_inflow=post_tpd)

    t_before, t_now = best_of(before, 2), best_of(now, 2)
    print(
        f"policy comparison, {bl.n_paths} paths x {cfg.n_months} months: own draws {t_before:.2f} s; "
        f"headline's draws and runs {t_now:.2f} s; ratio {t_now / t_before:.2f}x "
        f"(the pipeline's step took {res.timings['policies']:.2f} s)"
    )


if __name__ == "__main__":
    main()
