"""The scenario recipe: every number a report shows, computed once, and its results store.

:func:`run_scenario` runs the steps in order — history → backtest → forecast → regime
(TP arrivals stop at the TPD end) → gap check → backlog → shelter → ledger → policy
comparison → capacity solver → municipal allocation → headline table — and returns one
:class:`ScenarioResults`. Notebooks only load and show it: the runner computes each
scenario once per run (:func:`scenario_results` with a ``cache_path``), and every report
of that scenario, the 342 municipal ones included, reads the same object. In JupyterLab
without a cache, the first cell computes it.

Random streams: one :class:`numpy.random.SeedSequence` per scenario seed, spawned into one
independent stream per step (:data:`STREAMS`). Two scenarios with the same seed therefore
share their random numbers step by step (common random numbers), so their differences are
not noise. The backtest is deterministic and does not depend on the scenario's shocks: a
run computes it once and passes it in (see :func:`backtest_key`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capacity import backlog, data, forecast, headline, shelter
from capacity.data import quality
from capacity.forecast import regime
from capacity.forecast.backtest import summary as backtest_summary
from capacity.forecast.paths import PopulationPaths
from capacity.params import Scenario
from capacity.quantiles import CONTRACT_COLUMNS
from capacity.shelter import regions as shelter_regions

log = logging.getLogger(__name__)

#: Bump when the layout of :class:`ScenarioResults` changes, so that old caches are ignored.
CACHE_VERSION = 5

#: The random stream of each step. Append only: a stream's numbers depend on its position.
STREAMS = (
    "backtest",
    "forecast",
    "backlog",
    "shelter",
    "gap_check",
    "policies",  # unused since the policies run on the backlog's draws; kept for the positions after it
    "solver",
    "replay",
    "sensitivity",
    "shelter_replay",
    "secondary_movement",
    "regime",
    "ledger",
)

#: Sample paths of the gap check (its forecast from the first count after the data end).
GAP_CHECK_PATHS = 500


@dataclass(frozen=True)
class ScenarioResults:
    """Everything the reports of one scenario show.

    Attributes:
        scenario: The validated scenario.
        history: Canonical monthly history (long).
        scorecard: Backtest scorecard of the forecast models.
        population: Sample paths of arrivals, departures and registered.
        gap_check: Registered counts published after the models' data end vs the forecast.
        backlog: Post-TPD IND/DT&V result (``capacity.backlog.BacklogResult``).
        shelter: Shelter stock-flow result (``capacity.shelter.ShelterResult``).
        policies: Backlog policies side by side (``backlog_policies``).
        capacity_needed: IND and DT&V capacity that meets the targets.
        municipalities: The municipality register used for the allocation.
        allocation: Shelter allocated to every municipality (one row each).
        headline: The headline table (``capacity.headline``): the one source of every
            headline figure.
        regime: The forecast split at the TPD end (``capacity.forecast.regime.RegimeSplit``):
            ``population`` is already its TP-only paths.
        ledger: Every person followed after the TPD end in one state each month
            (``capacity.backlog.ledger.Ledger``).
        tables: The other tables the reports show and offer for download, by file stem
            (:func:`report_tables`).
        timings: Seconds spent per step.

    """

    scenario: Scenario
    history: pd.DataFrame
    scorecard: pd.DataFrame
    population: PopulationPaths
    gap_check: pd.DataFrame
    backlog: Any
    shelter: Any
    policies: pd.DataFrame
    capacity_needed: pd.DataFrame
    municipalities: pd.DataFrame
    allocation: pd.DataFrame
    headline: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    version: int = CACHE_VERSION
    regime: Any = None
    ledger: Any = None


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Return the independent random streams of a scenario, keyed by step."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def scenario_history(scn: Scenario) -> pd.DataFrame:
    """Return the history a scenario sees: its data files as known on its "today" (``forecast.as_of``)."""
    return data.load_history(scn.data.data_dir, scn.data.files, as_of=data.reference_date(scn.forecast.as_of))


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
    for j, k in enumerate(data.months_between(start, dates)):
        if 0 <= k < paths.shape[1]:
            aligned[:, j] = paths[:, k]
        elif k >= paths.shape[1]:
            aligned[:, j] = paths[:, -1]
    return aligned, max(start, dates[0])


class _Clock:
    """Time each step of the recipe into ``timings`` (seconds)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        out = fn()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        return out


def run_scenario(
    scn: Scenario,
    *,
    history: pd.DataFrame | None = None,
    scorecard: pd.DataFrame | None = None,
    n_paths: int | None = None,
) -> ScenarioResults:
    """Compute every result of one scenario.

    Args:
        scn: Validated scenario.
        history: Canonical history; read from ``scn.data`` when ``None``.
        scorecard: A backtest scorecard to reuse (it does not depend on scenario shocks).
        n_paths: Number of sample paths (default: ``scn.forecast.n_paths``).

    Returns:
        The scenario's results.

    """
    clock = _Clock()
    rng = streams(scn.meta.seed)
    if history is None:
        history = clock.step("history", lambda: scenario_history(scn))
    if scorecard is None:
        scorecard = clock.step("backtest", lambda: forecast.run_backtest(history, scn.forecast, rng=rng["backtest"]))
    forecast_paths = clock.step(
        "forecast",
        lambda: forecast.forecast_population(
            history, scn.forecast, rng=rng["forecast"], n_paths=n_paths, scorecard=scorecard
        ),
    )
    # the TPD end is a change of regime: TP arrivals stop, later arrivals seek asylum
    split = clock.step("regime", lambda: regime.split_at_tpd_end(forecast_paths, scn.backlog, rng=rng["regime"]))
    pop = split.population
    gap = clock.step(
        "gap_check",
        lambda: forecast.gap_check(
            history, scn.forecast, rng=rng["gap_check"], scorecard=scorecard, n_paths=GAP_CHECK_PATHS
        ),
    )
    # one departure process: the backlog cohort leaves at the forecast paths' rates
    cohort = backlog.cohort_at_tpd_end(pop, scn.backlog)
    rates = backlog.forecast_departure_rates(pop, scn.backlog)
    post_tpd = split.asylum_on(regime.tpd_end_month(scn.backlog), scn.backlog.n_months)
    bl = clock.step(
        "backlog",
        lambda: backlog.simulate_after_tpd(
            cohort * (1 - split.pulse_share),
            scn.backlog,
            rng=rng["backlog"],
            departure_rates=rates,
            post_tpd_arrivals=post_tpd,
        ),
    )
    sh = clock.step("shelter", lambda: _shelter(scn, pop, bl, history, rng["shelter"]))
    book = clock.step(
        "ledger",
        lambda: backlog.build_ledger(
            bl,
            scn.backlog,
            cohort=cohort,
            arrivals=post_tpd,
            departure_rates=rates,
            in_shelter_share=shelter.share_in_shelter_at(
                sh.in_shelter, pop.registered, pop.dates, regime.tpd_end_month(scn.backlog)
            ),
            rng=rng["ledger"],
            homes=sh.home_exits(),
        ),
    )
    # every policy on the headline run's paths and random numbers: "as configured" is the headline
    policies = clock.step(
        "policies",
        lambda: backlog.compare_policies(
            bl.cohort_persons, scn.backlog, pop=pop, configured=bl, extra_regular_inflow=post_tpd
        ),
    )
    capacity = clock.step(
        "solver",
        lambda: backlog.solve_capacity(
            bl.cohort_persons[: scn.backlog.solver_n_paths],
            scn.backlog,
            rng=rng["solver"],
            departure_rates=backlog.forecast_departure_rates(pop, scn.backlog)[: scn.backlog.solver_n_paths],
            extra_regular_inflow=post_tpd,
        ),
    )
    munis = clock.step("allocation", lambda: data.load_municipalities(scn.data.data_dir, scn.data.files))
    # one chain nation -> safety region -> municipality: the municipalities share the regional key
    rkey = clock.step(
        "allocation",
        lambda: shelter_regions.regional_key(
            data.load_table("shelter_regional_points", scn.data.data_dir, scn.data.files), munis, history
        ),
    )
    allocation = clock.step("allocation", lambda: shelter.allocate(sh, munis, regional=rkey))
    partial = ScenarioResults(
        scn,
        history,
        scorecard,
        pop,
        gap,
        bl,
        sh,
        policies,
        capacity,
        munis,
        allocation,
        headline=pd.DataFrame(),
        regime=split,
        ledger=book,
    )
    table = clock.step("headline", lambda: headline.headline_table(partial))
    tables = clock.step("tables", lambda: report_tables(partial, table))
    log.info("scenario %s computed in %.1f s", scn.meta.name, sum(clock.timings.values()))
    return replace(partial, headline=table, tables=tables, timings=clock.timings)


def report_tables(res: ScenarioResults, head: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the model tables behind the reports' charts and downloads, by file stem.

    Everything here is computed from the results once, so that a report only shows it.
    """
    figures = headline.lookup(head)
    sh, bl = res.shelter, res.backlog
    levels = {
        "places at the last count": figures["shelter_places_jump_off"]["value"],
        "places needed at target": figures["shelter_places_needed"]["value"],
        "cost-optimal": figures["shelter_cost_optimal_places"]["value"],
    }
    costs = shelter.cost_curve(sh, places=np.array(list(levels.values()), dtype=float))
    costs.insert(0, "level", list(levels))
    regions = shelter_regions.region_table(
        sh.table(),
        shelter_regions.regional_key(
            data.load_table("shelter_regional_points", res.scenario.data.data_dir, res.scenario.data.files),
            res.municipalities,
            res.history,
        ),
    )
    rates = pd.DataFrame(
        {
            "parameter": list(sh.rates),
            "used_median": [float(np.median(v)) for v in sh.rates.values()],
            "used_p05": [float(np.quantile(v, 0.05)) for v in sh.rates.values()],
            "used_p95": [float(np.quantile(v, 0.95)) for v in sh.rates.values()],
        }
    )
    return {
        "headline": head,
        "data_coverage": quality.coverage(res.history),
        "data_gaps": quality.gaps(res.history),
        "data_breaks": quality.breaks(res.history),
        "data_identity": quality.identity_residuals(res.history),
        "anchor_checks": quality.anchor_checks(res.history),
        "population_forecast": _population_table(res),
        "ledger": res.ledger.table()
        if res.ledger is not None
        else pd.DataFrame(columns=["date", "state", *CONTRACT_COLUMNS[2:]]),
        "backtest": res.scorecard,
        "backtest_summary": backtest_summary(res.scorecard, horizons=(1, 6)),
        "forecast_gap_check": res.gap_check,
        "stock_backtest": forecast.stock_backtest_table(res.scorecard),
        "shelter_forecast": sh.table(),
        "shelter_crossings": shelter.crossing_distribution(sh),
        "shelter_planning": shelter.planning_table(sh),
        "shelter_cost_curve": shelter.cost_curve(sh),
        "shelter_costs": costs,
        "shelter_rates": shelter.estimate_rates(res.history).merge(rates, on="parameter", how="outer"),
        "shelter_places_response": shelter.estimate_places_response(res.history),
        "housing_task": sh.after_tpd.table()
        if sh.after_tpd is not None
        else pd.DataFrame(columns=list(CONTRACT_COLUMNS)),
        "shelter_replay": shelter.replay(
            res.history, res.scenario.shelter, rng=streams(res.scenario.meta.seed)["shelter_replay"]
        ),
        "regions": regions,
        "municipal_forecast": shelter_regions.municipal_chain_table(regions, res.municipalities),
        "municipalities": res.allocation,
        "municipal_exits": shelter.municipal_exits(sh, res.allocation),
        "backlog_forecast": bl.table(),
        "backlog_months_to_clear": backlog.months_to_clear_table(bl),
        "backlog_decisions": bl.bursty_table("decisions"),
        "backlog_policies": res.policies,
        "backlog_penalties": bl.penalties_by_year(),
        "backlog_validation": backlog.validation_table(
            data.load_table("ind_asylum_figures", res.scenario.data.data_dir, res.scenario.data.files),
            res.scenario.backlog,
            rng=streams(res.scenario.meta.seed)["replay"],
        ),
        "backlog_sensitivity": backlog.sobol_table(
            float(np.median(bl.cohort_persons)),
            res.scenario.backlog,
            rng=streams(res.scenario.meta.seed)["sensitivity"],
            n_base=512,
            cohort_range=(float(np.quantile(bl.cohort_persons, 0.05)), float(np.quantile(bl.cohort_persons, 0.95))),
        ),
        "capacity_needed": res.capacity_needed,
    }


def _population_table(res: ScenarioResults) -> pd.DataFrame:
    """Return the forecast's table plus the arrivals after the TPD end who seek asylum (persons/month)."""
    table = res.population.table()
    if res.regime is None:
        return table
    return pd.concat([table, res.regime.table()], ignore_index=True)


def _shelter(scn: Scenario, pop: PopulationPaths, bl: Any, history: pd.DataFrame, rng: np.random.Generator) -> Any:
    entitled, entitled_from = entitled_on_forecast_months(bl, pop.dates)
    return shelter.simulate_shelter(
        pop, scn.shelter, history=history, entitled=entitled, entitled_from=entitled_from, rng=rng
    )


def backtest_key(history: pd.DataFrame, scn: Scenario) -> str:
    """Return a key that is equal for scenarios whose backtest is the same.

    The backtest depends on the history and the forecast settings, not on the shocks, the
    number of paths or the horizon (it scores horizons ``1..backtest_horizons``).
    """
    settings = scn.forecast.model_dump(mode="json", exclude={"shocks", "n_paths", "horizon_months"})
    digest = hashlib.sha256(pd.util.hash_pandas_object(history, index=False).to_numpy().tobytes())
    digest.update(repr(sorted(settings.items())).encode())
    return digest.hexdigest()[:16]


def shared_backtest(scn: Scenario, history: pd.DataFrame, cache_dir: str | Path) -> pd.DataFrame:
    """Return the backtest for ``scn``, computed once per run and shared through ``cache_dir``.

    Scenarios prepared at the same time in several workers wait for the one that computes it
    (a lock file beside it) instead of each computing it again (about 35 s of CPU each).
    """
    import fcntl

    path = Path(cache_dir) / f"backtest-{backtest_key(history, scn)}.pkl"
    if path.is_file():
        return data.load_pickle(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        if path.is_file():
            return data.load_pickle(path)
        scorecard = forecast.run_backtest(history, scn.forecast, rng=streams(scn.meta.seed)["backtest"])
        data.save_pickle(scorecard, path)
    return scorecard


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
        if (
            getattr(cached, "version", None) == CACHE_VERSION
            and cached.scenario == scn
            and (n_paths is None or cached.population.n_paths == n_paths)
        ):
            return cached
        log.warning("cache %s is for other parameters; recomputing", cache_path)
    results = run_scenario(scn, n_paths=n_paths, scorecard=scorecard)
    if cache_path is not None:
        data.save_pickle(results, cache_path)
    return results


@dataclass(frozen=True)
class MunicipalityView:
    """One municipality's share of a scenario's results, for its report.

    Attributes:
        row: The municipality's allocation row (code, name, shares, persons, places).
        national: The national figures the allocation was made from.
        table: The municipality's quantile table (national shelter table times its shares).

    """

    row: pd.Series
    national: Any
    table: pd.DataFrame


def municipality_view(results: ScenarioResults, query: str) -> MunicipalityView:
    """Return the municipality named by ``query`` (CBS code such as GM0363, or name).

    The national shelter table is summarised once per results object (a kernel rendering
    many municipalities of one scenario reuses it; the municipal table is a scaled copy).
    """
    row = shelter.municipality_row(results.allocation, query, results.municipalities)
    if _NATIONAL_TABLE.get("results") is not results:
        _NATIONAL_TABLE.update(results=results, table=results.shelter.table())
    table = shelter.municipality_table(_NATIONAL_TABLE["table"], row)
    return MunicipalityView(row, results.allocation.attrs["national"], table)


#: The last results object's national shelter table (see :func:`municipality_view`).
_NATIONAL_TABLE: dict[str, Any] = {}


@dataclass(frozen=True)
class EuContext:
    """The EU around the Netherlands for one scenario (report 06_eu_context).

    Attributes:
        data: The EU files (:func:`capacity.data.eu.load_eu`).
        stocks: Latest TP stock per member state used by the movement layer (scaled).
        movement: Secondary-movement paths after the scenario's TPD end, or None when
            ``eu.secondary_movement.enabled`` is false.

    """

    data: Any
    stocks: pd.Series
    movement: Any


def eu_context(scn: Scenario, *, n_paths: int | None = None) -> EuContext:
    """Read the EU files and run the secondary-movement layer on its own random stream.

    The layer is not fed into the Dutch forecast here: its arrivals after the TPD end are a
    scenario input the forecast can take up (:mod:`capacity.forecast.secondary`).
    """
    from capacity.data.eu import load_eu
    from capacity.forecast.secondary import latest_stocks, secondary_movement

    data = load_eu(scn.data.data_dir)
    cfg = scn.eu.secondary_movement
    stocks = latest_stocks(data.countries, data.eu_totals, scale_to_eu_total=cfg.scale_to_eu_total)
    movement = None
    if cfg.enabled:
        movement = secondary_movement(
            stocks,
            cfg,
            tpd_end=scn.backlog.tpd_end_date,
            n_paths=n_paths or scn.forecast.n_paths,
            rng=streams(scn.meta.seed)["secondary_movement"],
        )
    return EuContext(data, stocks, movement)
