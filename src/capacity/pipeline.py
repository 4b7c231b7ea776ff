"""One scenario end to end: history -> forecast -> backlog -> shelter, computed once.

The runner calls :func:`scenario_results` once per scenario with a ``cache_path``; every
notebook of that scenario (and each of the 342 municipal reports) then loads the same
results instead of recomputing them. In JupyterLab, without a cache, a notebook simply
computes them.

Random streams: one :class:`numpy.random.SeedSequence` per scenario seed, spawned into
independent streams for the backtest, the forecast, the backlog and the shelter model. Two scenarios with the
same seed therefore share their random numbers stream by stream (common random numbers),
so that their differences are not noise.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capacity import backlog, data, forecast, occupancy
from capacity.params import Scenario
from capacity.paths import PopulationPaths

log = logging.getLogger(__name__)

#: Bump when the layout of :class:`ScenarioResults` changes, so that old caches are ignored.
CACHE_VERSION = 1


@dataclass(frozen=True)
class ScenarioResults:
    """Everything the notebooks of one scenario show.

    Attributes:
        scenario: The validated scenario.
        history: Canonical monthly history (long).
        scorecard: Backtest scorecard of the forecast models.
        population: Sample paths of arrivals, departures and registered.
        backlog: Post-TPD IND/DT&V result (``capacity.backlog.BacklogResult``).
        shelter: Shelter stock-flow result (``capacity.occupancy.ShelterResult``).
        timings: Seconds spent per step.

    """

    scenario: Scenario
    history: pd.DataFrame
    scorecard: pd.DataFrame
    population: PopulationPaths
    backlog: Any
    shelter: Any
    timings: dict[str, float] = field(default_factory=dict)
    version: int = CACHE_VERSION


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Return the independent random streams of a scenario, keyed by step."""
    names = ("backtest", "forecast", "backlog", "shelter")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}


def entitled_on_forecast_months(result: Any, dates: pd.DatetimeIndex) -> tuple[np.ndarray | None, pd.Timestamp | None]:
    """Align the backlog's ``shelter_entitled`` paths to the forecast months.

    Returns:
        ``(entitled, entitled_from)``: an array (n_paths, len(dates)) that holds the
        backlog's persons entitled to shelter from the TPD-end month on (zeros before it),
        and that month; ``(None, None)`` if the TPD ends after the forecast horizon.

    """
    paths = result.paths["shelter_entitled"]
    start = pd.Timestamp(result.dates[0])
    if start > dates[-1]:
        return None, None
    aligned = np.zeros((paths.shape[0], len(dates)))
    for j, d in enumerate(dates):
        k = (d.year - start.year) * 12 + d.month - start.month
        if 0 <= k < paths.shape[1]:
            aligned[:, j] = paths[:, k]
        elif k >= paths.shape[1]:
            aligned[:, j] = paths[:, -1]
    return aligned, max(start, dates[0])


def run_scenario(
    scn: Scenario,
    *,
    history: pd.DataFrame | None = None,
    scorecard: pd.DataFrame | None = None,
    n_paths: int | None = None,
) -> ScenarioResults:
    """Compute forecast, backlog and shelter results for one scenario.

    Args:
        scn: Validated scenario.
        history: Canonical history; read from ``scn.data`` when ``None``.
        scorecard: A backtest scorecard to reuse (it does not depend on scenario shocks).
        n_paths: Number of sample paths (default: ``scn.forecast.n_paths``).

    Returns:
        The scenario's results.

    """
    timings: dict[str, float] = {}
    rng = streams(scn.meta.seed)
    clock = time.perf_counter()
    if history is None:
        history = data.load_history(scn.data.data_dir, scn.data.files)
    timings["history"] = time.perf_counter() - clock

    clock = time.perf_counter()
    if scorecard is None:
        scorecard = forecast.run_backtest(history, scn.forecast, rng=rng["backtest"])
    timings["backtest"] = time.perf_counter() - clock

    clock = time.perf_counter()
    pop = forecast.forecast_population(history, scn.forecast, rng=rng["forecast"], n_paths=n_paths,
                                       scorecard=scorecard)
    timings["forecast"] = time.perf_counter() - clock

    clock = time.perf_counter()
    cohort = backlog.cohort_at_tpd_end(pop, scn.backlog)
    bl = backlog.simulate(cohort, scn.backlog, rng=rng["backlog"])
    timings["backlog"] = time.perf_counter() - clock

    clock = time.perf_counter()
    entitled, entitled_from = entitled_on_forecast_months(bl, pop.dates)
    shelter = occupancy.simulate_shelter(pop, scn.shelter, history=history, entitled=entitled,
                                         entitled_from=entitled_from, rng=rng["shelter"])
    timings["shelter"] = time.perf_counter() - clock
    log.info("scenario %s computed in %.1f s", scn.meta.name, sum(timings.values()))
    return ScenarioResults(scn, history, scorecard, pop, bl, shelter, timings)


def scenario_results(
    scn: Scenario,
    *,
    cache_path: str | Path | None = None,
    n_paths: int | None = None,
    scorecard: pd.DataFrame | None = None,
) -> ScenarioResults:
    """Return the scenario's results: from ``cache_path`` if it holds them, else computed.

    A cache written for another scenario (its parameters differ) or by another version of
    this layout is ignored and rewritten.

    Args:
        scn: Validated scenario.
        cache_path: Pickle file shared by the notebooks of one scenario in one run;
            ``None`` computes without caching.
        n_paths: Number of sample paths (default: ``scn.forecast.n_paths``).
        scorecard: A backtest scorecard to reuse.

    """
    if cache_path is not None and Path(cache_path).is_file():
        cached = data.load_pickle(cache_path)
        if (getattr(cached, "version", None) == CACHE_VERSION and cached.scenario == scn
                and (n_paths is None or cached.population.n_paths == n_paths)):
            return cached
        log.warning("cache %s is for other parameters; recomputing", cache_path)
    results = run_scenario(scn, n_paths=n_paths, scorecard=scorecard)
    if cache_path is not None:
        data.save_pickle(results, cache_path)
    return results


def headline(results: ScenarioResults) -> dict[str, Any]:
    """Return the scenario's headline numbers for the index page's comparison.

    Keys: ``registered_end_p50`` (persons at the horizon), shelter figures from
    ``capacity.occupancy.headline`` and backlog figures from ``capacity.backlog.headline``.
    """
    reg_end = float(np.median(results.population.registered[:, -1]))
    return {
        "scenario": results.scenario.meta.name,
        "title": results.scenario.meta.title,
        "registered_end_p50": reg_end,
        **{f"shelter_{k}": v for k, v in occupancy.headline(results.shelter).items()},
        **{f"backlog_{k}": v for k, v in backlog.headline(results.backlog).items()},
    }
