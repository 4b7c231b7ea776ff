"""Secondary movement: moves between member states when temporary protection ends everywhere at once.

A documented, simple share-and-gravity model; every parameter is an assumption
(:class:`~capacity.params.eu.SecondaryMovementConfig`). On each sample path:

1. draw the attractiveness ``a_j`` (0..1) of every member state's post-TP status (known
   statuses from ``status_attractiveness``, unknown ones from ``unknown_attractiveness``),
   the share moving ``m``, the window ``M`` months and the gravity exponent ``g``;
2. movers out of state ``i``: ``m x (1 - a_i) x S_i`` (``S_i``: people under TP there);
3. a mover from ``i`` goes to ``j != i`` with probability ``S_j**g a_j / sum_{l != i} S_l**g a_l``;
4. arrivals in the Netherlands ``sum_{i != NL} movers_i x P(NL | i)`` and departures from it
   ``movers_NL``, each spread evenly over the ``M`` months after the TPD end.

Not wired into the forecast: the pipeline decides whether the arrivals join the Dutch
arrivals after the TPD end (and the departures its departures). What is unknown is said in
the report (06_eu_context): the share who move, where to, and most states' statuses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from capacity.params.eu import SecondaryMovementConfig
from capacity.quantiles import summarise_many

#: The Netherlands in Eurostat's codes.
NL = "NL"


@dataclass(frozen=True)
class SecondaryMovement:
    """Sample paths of the moves to and from the Netherlands after the TPD end.

    Attributes:
        dates: Months from the TPD end month on.
        arrivals: Persons arriving in NL from other member states, shape (n_paths, n_months).
        departures: Persons leaving NL for other member states, same shape.
        stocks: The stock per member state used (persons; after scaling).
        attractiveness: Drawn attractiveness per path and state, shape (n_paths, n_states).

    """

    dates: pd.DatetimeIndex
    arrivals: np.ndarray
    departures: np.ndarray
    stocks: pd.Series
    attractiveness: np.ndarray

    def on(self, dates: pd.DatetimeIndex, variable: str = "arrivals") -> np.ndarray:
        """Return ``arrivals`` (or ``departures``) on the months ``dates`` (0 outside the layer's months).

        The shape the forecast's arrival paths have, (n_paths, len(dates)), so that the pipeline
        can add the moves to the Dutch arrivals after the TPD end in one line.
        """
        paths = getattr(self, variable)
        out = np.zeros((paths.shape[0], len(dates)))
        index = {d: i for i, d in enumerate(self.dates)}
        for j, d in enumerate(pd.DatetimeIndex(dates)):
            if d in index:
                out[:, j] = paths[:, index[d]]
        return out

    def table(self) -> pd.DataFrame:
        """Return the quantile-contract table: ``eu_arrivals``, ``eu_departures``, ``eu_net``."""
        return summarise_many(
            {"eu_arrivals": self.arrivals, "eu_departures": self.departures, "eu_net": self.arrivals - self.departures},
            self.dates,
        )


def latest_stocks(
    countries: pd.DataFrame, eu_totals: pd.DataFrame | None = None, *, scale_to_eu_total: bool = True
) -> pd.Series:
    """Return the latest TP stock per EU member state, optionally scaled to the latest EU-27 total.

    Args:
        countries: ``capacity.data.eu.load_eu().countries``.
        eu_totals: ``load_eu().eu_totals`` (rows with ``measure`` ``tp_beneficiaries``).
        scale_to_eu_total: Multiply every country's stock by (latest EU total / sum of the
            countries' latest stocks), keeping the shares of the latest country month.

    Returns:
        Persons per ``geo``; ``attrs["scale"]`` is the factor applied (1 without scaling),
        ``attrs["total_date"]`` the date of the EU total used.

    """
    members = countries[countries["eu_member"]].dropna(subset=["tp_stock"])
    latest = members.sort_values("date").groupby("geo")["tp_stock"].last().astype(float)
    scale, when = 1.0, None
    if scale_to_eu_total and eu_totals is not None:
        totals = eu_totals[eu_totals["measure"] == "tp_beneficiaries"].sort_values("date")
        if not totals.empty and latest.sum() > 0:
            scale = float(totals["value"].iloc[-1]) / float(latest.sum())
            when = pd.Timestamp(totals["date"].iloc[-1])
    out = latest * scale
    out.attrs.update(scale=scale, total_date=when)
    return out


def secondary_movement(
    stocks: pd.Series,
    cfg: SecondaryMovementConfig,
    *,
    tpd_end: object,
    n_paths: int,
    rng: np.random.Generator,
    home: str = NL,
) -> SecondaryMovement:
    """Simulate the moves between member states after the TPD end, as seen from ``home``.

    Args:
        stocks: Persons under TP per member state (:func:`latest_stocks`); must include ``home``.
        cfg: The layer's parameters (all assumptions).
        tpd_end: Day temporary protection ends; moves start in its month.
        n_paths: Sample paths.
        rng: Random generator.
        home: The member state whose arrivals and departures are returned.

    Returns:
        The :class:`SecondaryMovement` paths.

    Raises:
        ValueError: If ``home`` has no stock or there are fewer than two states.

    """
    if home not in stocks.index or len(stocks) < 2:
        raise ValueError(f"stocks must include {home!r} and at least one other member state")
    geos = list(stocks.index)
    s = stocks.to_numpy(dtype=float)
    a = np.column_stack(
        [(cfg.status_attractiveness.get(g) or cfg.unknown_attractiveness).sample(n_paths, rng) for g in geos]
    )
    m = cfg.share_moving.sample(n_paths, rng)
    g = cfg.gravity.sample(n_paths, rng)
    window = np.clip(np.rint(cfg.months.sample(n_paths, rng)), 1, cfg.n_months).astype(int)
    movers = m[:, None] * (1.0 - a) * s[None, :]  # (paths, states)
    pull = np.power(s[None, :], g[:, None]) * a  # (paths, states)
    h = geos.index(home)
    others = pull.sum(axis=1, keepdims=True) - pull  # sum over l != i
    to_home = np.where(others > 0, pull[:, [h]] / np.where(others > 0, others, 1.0), 0.0)
    to_home[:, h] = 0.0  # nobody moves home to home
    total_in = (movers * to_home).sum(axis=1)
    total_out = movers[:, h]
    months = np.arange(cfg.n_months)[None, :]
    spread = (months < window[:, None]) / window[:, None]
    start = pd.Timestamp(tpd_end).to_period("M").to_timestamp()
    dates = pd.date_range(start, periods=cfg.n_months, freq="MS")
    return SecondaryMovement(
        dates, total_in[:, None] * spread, total_out[:, None] * spread, pd.Series(s, index=geos, name="tp_stock"), a
    )
