"""Benchmark the report suite: CPU of the whole process tree per report, old vs new municipal design.

The monthly job (``make report-full``: 16 scenarios x 342 municipal reports + 16 x 4 national
reports) is bounded by CPU on 2 cores, so this measures CPU time of every process the runner
starts (workers, kernel zygotes, forked or spawned kernels), not only wall time:

1. computes each scenario's shared results once, in this process (CPU measured), so that
   every variant below starts from the same cache;
2. starts one worker pool and warms it (its kernel zygotes), so that start-up is not
   charged to whichever variant runs first;
3. renders the municipal reports with each design, *interleaved* (``--repeat`` rounds,
   order alternating), so that a change of machine load hits both alike:
   ``per-report``: one papermill run (one fresh kernel, one saved .ipynb) per report, the
   former design (``--municipal-chunk 1``); ``chunked``: a scenario's municipalities on one
   kept kernel per chunk, shared cells once (the default);
4. renders the national notebooks of the first scenario once.

Prints CPU (s) and wall (s) per municipal and national report, the speed-up of the chunked
design over the per-report one, the ``report-full`` estimate on 2 cores (CPU / 2) and the
run folder size projected for ``report-full``.

CPU is sampled from ``psutil`` every 50 ms per process (user + system of each process of
the tree, keyed by pid and start time): a kernel's last few milliseconds before it exits
may be missed, which flatters the per-report design slightly.

Usage::

    .venv/bin/python benchmarks/suite.py [--scenarios 2] [--municipalities 20] [--jobs 2]
        [--repeat 1] [--no-national]
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from capacity import data, params
from capacity.runner.batch import Batch
from capacity.runner.execute import execute_job, prepare_scenario
from capacity.runner.options import MAX_CHUNK, RunOptions
from capacity.runner.plan import Job, load_scenarios, plan_jobs
from capacity.runner.pool import make_executor
from capacity.runner.progress import Progress
from capacity.runner.publish import copy_assets
from capacity.runner.registry import NOTEBOOKS

#: report-full: scenarios, municipalities, national notebooks per scenario.
FULL_SCENARIOS, FULL_MUNICIPALITIES = 16, 342
DESIGNS = {"per-report": 1, "chunked": 0}


class TreeCPU:
    """CPU seconds (user + system) used by this process's descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.seen: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.sample(me)
            time.sleep(self.interval)

    def sample(self, me: psutil.Process | None = None) -> None:
        """Record every descendant's CPU so far (a process seen once keeps its last value)."""
        for proc in (me or psutil.Process()).children(recursive=True):
            try:
                times = proc.cpu_times()
                key = (proc.pid, proc.create_time())
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            self.seen[key] = max(self.seen.get(key, 0.0), times.user + times.system)

    def total(self) -> float:
        """CPU seconds of every descendant seen so far."""
        self.sample()
        return sum(self.seen.values())

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def measure(tree: TreeCPU, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``fn``; return (CPU s of this process and its tree, wall s, result)."""
    cpu0, self0, wall0 = tree.total(), _self_cpu(), time.perf_counter()
    out = fn()
    time.sleep(2 * tree.interval)  # let the sampler see the last processes
    return tree.total() - cpu0 + _self_cpu() - self0, time.perf_counter() - wall0, out


def run_jobs(
    pool: Any,
    jobs: list[Job],
    caches: dict[str, str],
    *,
    workers: int,
    chunk: int,
    context: dict[str, Any],
    run_dir: Path,
) -> dict[str, Any]:
    """Run ``jobs`` through the runner's own :class:`Batch` on a warm pool; return the results."""
    results: dict[str, Any] = {}
    options = RunOptions(jobs=workers, municipal_chunk=chunk, kernel="fork")
    job_kwargs = {
        "timeout": 900,
        "start_timeout": 60,
        "kernel": "fork",
        "context": {**context, "run_dir": str(run_dir)},
        "kernel_log": str(run_dir / "kernels.log"),
    }
    batch = Batch(
        pool,
        jobs,
        results,
        {},
        Progress(len(jobs), "bench", enabled=False),
        job_kwargs=job_kwargs,
        workers=workers,
        options=options,
    )
    for scenario, cache in caches.items():
        batch.submit_jobs([j for j in jobs if j.scenario == scenario], cache)
    batch.run([])
    return results


def folder_bytes(paths: list[Path]) -> int:
    """Bytes of the given files (those that exist)."""
    return sum(p.stat().st_size for p in paths if p.is_file())


def municipal_files(run_dir: Path, jobs: list[Job]) -> list[Path]:
    """Every file the municipal reports leave: pages, notebooks, chart data, tables, the gathered CSV."""
    from capacity.runner.execute import MUNICIPAL_CSV

    files = []
    for scenario in sorted({job.scenario for job in jobs}):
        files += [p for p in (run_dir / scenario / "municipalities").rglob("*") if p.is_file()]
        files.append(run_dir / scenario / "tables" / MUNICIPAL_CSV)
    for job in jobs:
        files += list((run_dir / job.scenario / "tables").glob(f"municipality_{job.municipality}.*"))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios", type=int, default=2, help="scenarios (the baseline, then params/scenarios/*.yaml by name)"
    )
    parser.add_argument(
        "--municipalities", type=int, default=20, help="municipal reports per scenario (first N by code)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds of both designs")
    parser.add_argument("--no-national", action="store_true", help="skip the national notebooks")
    parser.add_argument(
        "--designs",
        nargs="+",
        choices=list(DESIGNS),
        default=list(DESIGNS),
        help="municipal designs to run (chunked only: 60 municipalities per "
        "scenario give report-full's chunk of 60 at a third of the CPU)",
    )
    args = parser.parse_args(argv)

    base = Path(params.BASELINE_PATH)
    files = [base, *sorted((base.parent / "scenarios").glob("*.yaml"))]
    specs = load_scenarios(files[: args.scenarios])
    table = data.load_municipalities()
    munis = list(zip(table["code"].astype(str), table["name"].astype(str), strict=True))
    munis = munis[: args.municipalities]
    n_muni = len(specs) * len(munis)
    print(
        f"capacity suite benchmark: {os.cpu_count()} cores, --jobs {args.jobs}, "
        f"{len(specs)} scenarios x {len(munis)} municipalities, {args.repeat} round(s); "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    tree = TreeCPU()
    with tempfile.TemporaryDirectory(prefix="capacity-bench-") as tmp:
        root = Path(tmp)
        caches: dict[str, str] = {}
        prep: list[tuple[float, float]] = []
        for spec in specs:
            cache = root / "cache" / spec.name / "results.pkl"
            cache.parent.mkdir(parents=True, exist_ok=True)
            cpu, wall, _ = measure(tree, lambda s=spec, c=cache: _prepare(s, c, root))
            caches[spec.name] = str(cache)
            prep.append((cpu, wall))
            print(f"   shared results {spec.name}: {cpu:.1f} s CPU, {wall:.1f} s wall", flush=True)
        context = {"scenarios": {}, "run": {}}
        pool = make_executor("process", args.jobs)
        try:
            warm = root / "warm"
            copy_assets(warm)
            warm_jobs = plan_jobs(specs[:1], [NOTEBOOKS[-1]], munis[: args.jobs], run_dir=warm)
            cpu, wall, _ = measure(
                tree,
                lambda: run_jobs(pool, warm_jobs, caches, workers=args.jobs, chunk=1, context=context, run_dir=warm),
            )
            print(f"   warm-up (pool, kernel zygotes): {cpu:.1f} s CPU, {wall:.1f} s wall", flush=True)
            cpu_s: dict[str, list[float]] = {d: [] for d in DESIGNS}
            wall_s: dict[str, list[float]] = {d: [] for d in DESIGNS}
            sizes: dict[str, int] = {}
            for rnd in range(args.repeat):
                order = args.designs if rnd % 2 == 0 else list(reversed(args.designs))
                for design in order:
                    run_dir = root / f"{design}-{rnd}"
                    copy_assets(run_dir)
                    jobs = plan_jobs(specs, [NOTEBOOKS[-1]], munis, run_dir=run_dir)
                    chunk = DESIGNS[design] or RunOptions().chunk_size(FULL_MUNICIPALITIES, args.jobs)
                    cpu, wall, res = measure(
                        tree,
                        lambda j=jobs, c=chunk, r=run_dir: run_jobs(
                            pool, j, caches, workers=args.jobs, chunk=c, context=context, run_dir=r
                        ),
                    )
                    ok = sum(res[j.key].status == "ok" for j in jobs if j.key in res)
                    cpu_s[design].append(cpu / n_muni)
                    wall_s[design].append(wall / n_muni)
                    sizes[design] = folder_bytes(municipal_files(run_dir, jobs)) // n_muni
                    gathered = [r for k, r in res.items() if k.endswith("/municipal-tables")]
                    if gathered:
                        print(
                            f"   gathering the CSVs: {sum(r.seconds for r in gathered) / n_muni * 1e3:.1f}"
                            " ms wall per municipal report (in the CPU below)",
                            flush=True,
                        )
                    print(
                        f"   round {rnd + 1} {design:<10}: {cpu / n_muni:.3f} s CPU and "
                        f"{wall / n_muni:.3f} s wall per municipal report ({ok}/{len(jobs)} ok, "
                        f"chunk {chunk}, {sizes[design] / 1e3:.0f} kB each)",
                        flush=True,
                    )
            national_cpu = national_bytes = None
            if not args.no_national:
                run_dir = root / "national"
                copy_assets(run_dir)
                jobs = [
                    dataclasses.replace(j, parameters={**j.parameters, "cache_path": caches[j.scenario]})
                    for j in plan_jobs(specs[:1], list(NOTEBOOKS[:-1]), [], run_dir=run_dir)
                ]
                cpu, wall, res = measure(
                    tree,
                    lambda j=jobs, r=run_dir: [
                        execute_job(x, kernel="fork", context={**context, "run_dir": str(r)}) for x in j
                    ],
                )
                national_cpu = cpu / len(jobs)
                national_bytes = sum(p.stat().st_size for p in (run_dir / specs[0].name).rglob("*") if p.is_file())
                print(
                    f"   national reports ({len(jobs)}, one by one in this process): "
                    f"{national_cpu:.2f} s CPU each, {wall / len(jobs):.2f} s wall each, "
                    f"{sum(r.status == 'ok' for r in res)}/{len(res)} ok",
                    flush=True,
                )
        finally:
            pool.close()
            tree.stop()
    _summary(cpu_s, wall_s, sizes, prep, national_cpu, national_bytes, n_muni)
    return 0


def _prepare(spec: Any, cache: Path, root: Path) -> dict[str, Any]:
    scenario_dir = root / "prepared" / spec.name
    scenario_dir.mkdir(parents=True, exist_ok=True)
    args = [str(spec.params_path), str(cache)]
    if "scenario_dir" in inspect.signature(prepare_scenario).parameters:
        args.append(str(scenario_dir))  # the private cache layout: tables go to the scenario
    return prepare_scenario(*args)


def _summary(
    cpu_s: dict[str, list[float]],
    wall_s: dict[str, list[float]],
    sizes: dict[str, int],
    prep: list[tuple[float, float]],
    national_cpu: float | None,
    national_bytes: int | None,
    n_muni: int,
) -> None:
    print("\n== summary (median of the rounds)")
    cpu = {d: statistics.median(v) for d, v in cpu_s.items() if v}
    wall = {d: statistics.median(v) for d, v in wall_s.items() if v}
    for design in cpu:
        print(
            f"   municipal report, {design:<10}: {cpu[design]:.3f} s CPU, {wall[design]:.3f} s wall "
            f"(throughput on the pool), {sizes.get(design, 0) / 1e3:.0f} kB on disk"
        )
    if "per-report" in cpu and "chunked" in cpu:
        print(
            f"   speed-up of chunked over per-report: x{cpu['per-report'] / cpu['chunked']:.1f} CPU, "
            f"x{wall['per-report'] / wall['chunked']:.1f} wall"
        )
    if national_cpu is not None:
        print(f"   national report: {national_cpu:.2f} s CPU each")
    # The first scenario's preparation includes the backtest (once per run); later ones do not.
    first = prep[0][0]
    later = statistics.median([c for c, _ in prep[1:]]) if len(prep) > 1 else first
    n_full = FULL_SCENARIOS * FULL_MUNICIPALITIES
    for design in cpu:
        total = first + (FULL_SCENARIOS - 1) * later + n_full * cpu[design]
        if national_cpu is not None:
            total += FULL_SCENARIOS * 4 * national_cpu
        print(
            f"   report-full estimate, {design:<10}: {total / 60:.0f} min CPU, "
            f"{total / 2 / 60:.1f} min on 2 cores (shared results {first:.0f} s + "
            f"{FULL_SCENARIOS - 1} x {later:.0f} s, {n_full} municipal reports"
            + (f", {FULL_SCENARIOS * 4} national" if national_cpu is not None else "")
            + ")"
        )
        size = n_full * sizes.get(design, 0) + FULL_SCENARIOS * (national_bytes or 0)
        print(
            f"   report-full run folder, {design:<10}: ~{size / 1e6:.0f} MB "
            f"({sizes.get(design, 0) / 1e3:.0f} kB per municipal report"
            + (f", {(national_bytes or 0) / 1e6:.1f} MB national per scenario" if national_bytes else "")
            + ")"
        )
    print(
        f"   measured on {n_muni} municipal reports per design and round; chunks as for "
        f"{FULL_MUNICIPALITIES} municipalities (at most {MAX_CHUNK}), so each chunk's kernel "
        "start is spread over fewer reports here than in report-full (pessimistic)"
    )


if __name__ == "__main__":
    sys.exit(main())
