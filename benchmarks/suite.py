"""Benchmark the notebook suite: kernel start-up vs compute per notebook, batch speed-up.

Runs the same jobs three ways, into a temporary folder (``latest`` is never touched):

1. one by one, each notebook on a newly spawned kernel (what a loop over
   ``papermill.execute_notebook`` does);
2. as a batch on ``--jobs`` worker processes, kernels spawned;
3. as a batch on ``--jobs`` worker processes, kernels forked from a preloaded zygote
   (the runner's default).

Prints wall time per notebook split into kernel (start-up and shutdown: papermill time
minus cell time), compute (sum of cell times) and export (HTML), the wall time of each
way and the speed-ups, and an estimate for all 342 municipal reports of one scenario.

Usage::

    .venv/bin/python benchmarks/suite.py [--params FILE] [--municipalities 8] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from capacity import data, runner

WAYS = (("one by one, spawned kernels", 1, "spawn"),
        ("batch, spawned kernels", None, "spawn"),
        ("batch, forked kernels", None, "fork"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=None, help="scenario file (baseline)")
    parser.add_argument("--notebooks", nargs="+", default=None, help="notebooks (all)")
    parser.add_argument("--municipalities", type=int, default=8,
                        help="how many municipal reports to include (first N by code)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ways", nargs="+", type=int, default=[1, 2, 3],
                        help="which of the three ways to run (1 2 3)")
    args = parser.parse_args(argv)

    codes = list(data.load_municipalities()["code"].astype(str))[: args.municipalities]
    print(f"capacity suite benchmark: {os.cpu_count()} cores, --jobs {args.jobs}, "
          f"{len(codes)} municipal reports", flush=True)
    walls: dict[str, float] = {}
    per_report: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="capacity-bench-") as tmp:
        for n, (label, jobs, kernel) in enumerate(WAYS, start=1):
            if n not in args.ways:
                continue
            start = time.perf_counter()
            result = runner.run([args.params] if args.params else None, notebooks=args.notebooks,
                                municipalities=codes or None, jobs=jobs or args.jobs,
                                kernel=kernel, reports_dir=Path(tmp) / f"way{n}", publish=False,
                                progress=False, keep=0)
            walls[label] = time.perf_counter() - start
            print(f"\n== {n}. {label}: {walls[label]:.1f} s wall, status {result.status}")
            _table(result)
            muni = [r for k, r in result.results.items() if k.count("/") == 2]
            prep = sum(r.seconds for k, r in result.results.items() if k.endswith("/prepare"))
            if muni:
                # Throughput of municipal reports: the run's wall time after the scenario
                # notebooks and the shared results, per municipal report.
                scen = [r for k, r in result.results.items() if k.count("/") == 1
                        and not k.endswith("/prepare")]
                workers = 1 if jobs == 1 else args.jobs
                busy = sum(r.seconds for r in muni) / workers
                per_report[label] = busy / len(muni)
                print(f"   municipal report: {statistics.mean(r.seconds for r in muni):.2f} s each "
                      f"on one worker; {per_report[label]:.2f} s per report with {workers} "
                      f"worker(s); shared results {prep:.1f} s; "
                      f"scenario notebooks {sum(r.seconds for r in scen):.1f} s of work")
    base = walls.get(WAYS[0][0])
    print("\n== summary")
    for label, wall in walls.items():
        speed = f"  speed-up x{base / wall:.2f}" if base else ""
        print(f"   {label:<32} {wall:7.1f} s{speed}")
    for label, seconds in per_report.items():
        print(f"   342 municipal reports, {label:<28}: ~{342 * seconds / 60:.1f} min per scenario")
    return 0


def _table(result: runner.RunResult) -> None:
    rows: dict[str, list] = {}
    for key, res in result.results.items():
        parts = key.split("/")
        name = parts[1] + (" (per municipality, mean)" if len(parts) == 3 else "")
        rows.setdefault(name, []).append(res)
    print(f"   {'notebook':<40} {'n':>3} {'wall s':>8} {'kernel s':>9} {'compute s':>10} "
          f"{'export s':>9} status")
    for name, group in rows.items():
        mean = {k: statistics.mean(getattr(r, k) for r in group)
                for k in ("seconds", "kernel_seconds", "compute_seconds", "export_seconds")}
        ok = sum(r.status == "ok" for r in group)
        print(f"   {name:<40} {len(group):>3} {mean['seconds']:8.2f} {mean['kernel_seconds']:9.2f} "
              f"{mean['compute_seconds']:10.2f} {mean['export_seconds']:9.2f} {ok}/{len(group)} ok")


if __name__ == "__main__":
    sys.exit(main())
