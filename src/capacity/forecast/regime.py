"""The TPD end as a change of regime in the population paths: TP arrivals stop on that day.

The forecast carries arrivals under temporary protection (TP) past the TPD end; no one
can register under TP after it (policy_timeline.csv 2025-11-28: no new Ukraine-specific
intake). :func:`split_at_tpd_end` takes the forecast's paths and the scenario's one TPD
end (``backlog.tpd_end_date``) and returns

- the population paths with TP arrivals only: zero from the TPD-end month on (plus, as a
  scenario lever, arrivals pulled forward from the months after the cut-off into the
  months before it, and an optional departure pulse in the TPD-end month), the stock
  identity ``registered[t] = registered[t-1] + arrivals[t] - departures[t] + residual[t]``
  kept on every path with the forecast's own departure rates;
- the people who arrive after the TPD end and apply for asylum: the forecast's arrivals
  from the TPD-end month on times ``post_tpd_asylum_share`` (per path). They enter the
  regular asylum inflow of the IND and COA reception (:meth:`RegimeSplit.asylum_on`).

The TPD-end month is the first month without TP arrivals, and the cohort is the
registered population at the end of the month before it (``backlog.cohort_at_tpd_end``).
Persons throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity import distributions
from capacity.forecast.paths import PopulationPaths
from capacity.params.backlog import BacklogConfig
from capacity.quantiles import summarise_many

__all__ = ["RegimeSplit", "split_at_tpd_end", "tpd_end_month"]


def tpd_end_month(cfg: BacklogConfig) -> pd.Timestamp:
    """Return the first month without TP arrivals: the month of ``cfg.tpd_end_date``."""
    return pd.Timestamp(cfg.tpd_end_date).to_period("M").to_timestamp()


@dataclass(frozen=True)
class RegimeSplit:
    """The forecast split at the TPD end.

    Attributes:
        population: Paths with TP arrivals only (zero from ``switch_index`` on).
        tpd_end_month: The TPD-end month (first month without TP arrivals).
        switch_index: Index of that month in ``population.dates`` (``h``: after the horizon;
            0: at or before the first forecast month).
        asylum_arrivals: Persons per month arriving after the TPD end who apply for asylum,
            shape (n_paths, h) (zero before ``switch_index``).
        asylum_share: Per-path share of the post-TPD arrivals who apply for asylum, (n_paths,).
        pulse_share: Share of the people registered at the TPD end who leave in its month.

    """

    population: PopulationPaths
    tpd_end_month: pd.Timestamp
    switch_index: int
    asylum_arrivals: np.ndarray
    asylum_share: np.ndarray
    pulse_share: float = 0.0

    def asylum_on(self, start: pd.Timestamp, n_months: int) -> np.ndarray:
        """Return the post-TPD asylum arrivals on ``n_months`` months from ``start``.

        Months beyond the forecast horizon carry the path's last month on (an assumption
        stated in the report: the forecast says nothing further); months before the first
        forecast month are zero.

        Returns:
            Persons per month, shape (n_paths, n_months).

        """
        dates = pd.DatetimeIndex(self.population.dates)
        first = dates[0].to_period("M")
        begin = pd.Timestamp(start).to_period("M")
        offset = (begin.year - first.year) * 12 + (begin.month - first.month)
        idx = offset + np.arange(n_months)
        out = self.asylum_arrivals[:, np.clip(idx, 0, len(dates) - 1)]
        return np.where(idx[None, :] < 0, 0.0, out)

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract rows of ``arrivals_post_tpd_asylum`` (persons/month).

        Rows for ``population_forecast.csv``: the people arriving after the TPD end who
        apply for asylum (regular IND inflow and COA), beside the TP ``arrivals``.
        """
        return summarise_many(
            {"arrivals_post_tpd_asylum": self.asylum_arrivals}, pd.DatetimeIndex(self.population.dates)
        )


def _pull_forward(arrivals: np.ndarray, switch: int, share: float, months: int) -> np.ndarray:
    """Move ``share`` of the arrivals of ``months`` months from ``switch`` into the months before."""
    out = arrivals.copy()
    h = arrivals.shape[1]
    before = np.arange(max(switch - months, 0), switch)
    after = np.arange(switch, min(switch + months, h))
    if share <= 0 or before.size == 0 or after.size == 0:
        return out
    moved = share * arrivals[:, after].sum(axis=1)
    out[:, after] *= 1.0 - share
    out[:, before] += (moved / before.size)[:, None]
    return out


def split_at_tpd_end(pop: PopulationPaths, cfg: BacklogConfig, *, rng: np.random.Generator | None) -> RegimeSplit:
    """Stop TP arrivals at the TPD end and route the later arrivals to regular asylum.

    Args:
        pop: The forecast's population paths.
        cfg: Backlog settings: ``tpd_end_date`` (the one TPD end), ``post_tpd_asylum_share``,
            ``pull_forward_share`` and ``pull_forward_months``, ``tpd_end_departure_pulse``.
        rng: Generator for the per-path asylum share (``None``: its central value).

    Returns:
        A :class:`RegimeSplit`. Before the pull-forward window nothing changes; from it on
        the registered paths are run forward again with the forecast's departure rates and
        its residual scaled to the new stock, so the stock identity holds on every path.

    """
    dates = pd.DatetimeIndex(pop.dates)
    n, h = pop.arrivals.shape
    month = tpd_end_month(cfg)
    switch = int(np.searchsorted(dates.values, month.to_datetime64()))
    share = distributions.sample(cfg.post_tpd_asylum_share, n, rng)
    arrivals = np.maximum(np.asarray(pop.arrivals, dtype=float), 0.0)
    if switch >= h:  # the TPD ends after the horizon: nothing changes
        return RegimeSplit(pop, month, h, np.zeros((n, h)), share, cfg.tpd_end_departure_pulse)
    arrivals = _pull_forward(arrivals, switch, cfg.pull_forward_share, cfg.pull_forward_months)
    asylum = np.zeros((n, h))
    asylum[:, switch:] = share[:, None] * arrivals[:, switch:]
    arrivals[:, switch:] = 0.0

    rates = np.clip(pop.departure_rates, 0.0, 1.0)
    residual = np.zeros((n, h)) if pop.residual is None else np.asarray(pop.residual, dtype=float)
    old_prev = np.concatenate([np.full((n, 1), pop.jump_off_registered), pop.registered[:, :-1]], axis=1)
    start = max(switch - cfg.pull_forward_months, 0) if cfg.pull_forward_share > 0 else switch
    departures = np.array(pop.departures, dtype=float)
    registered = np.array(pop.registered, dtype=float)
    prev = old_prev[:, start].copy()
    for t in range(start, h):
        departures[:, t] = rates[:, t] * prev
        if t == switch:
            departures[:, t] += cfg.tpd_end_departure_pulse * prev
        # the forecast's residual, scaled to the smaller stock
        scale = np.divide(prev, old_prev[:, t], out=np.ones(n), where=old_prev[:, t] > 0)
        prev = np.maximum(prev + arrivals[:, t] - departures[:, t] + residual[:, t] * scale, 0.0)
        registered[:, t] = prev
    # the residual closes the identity exactly (it absorbs the floor at zero)
    previous = np.concatenate([np.full((n, 1), pop.jump_off_registered), registered[:, :-1]], axis=1)
    new_residual = registered - previous - arrivals + departures
    population = PopulationPaths(
        dates=dates,
        arrivals=arrivals,
        departures=departures,
        registered=registered,
        jump_off_date=pop.jump_off_date,
        jump_off_registered=pop.jump_off_registered,
        residual=new_residual if (pop.residual is not None or np.any(np.abs(new_residual) > 1e-9)) else None,
        today=pop.today,
    )
    return RegimeSplit(population, month, switch, asylum, share, cfg.tpd_end_departure_pulse)
