"""The historical replay: the regular asylum queue from January 2023 against 2023-2025.

The regular-queue rules of the forecast (:mod:`capacity.backlog.regular`: a queue by start
of the decision term, oldest first, penalties on every case pending past its term) run
from the pending stock at the end of 2022 on the published inflow and a decision output
that reproduces the published year-end stocks, and the penalties they run up are compared
with the published payments of 2023, 2024 and 2025 (``ind_asylum_figures.csv``).

What is published, and what is derived here (every figure from ``ind_asylum_figures.csv``):

* pending at the start: 35,790 persons (2022-12-31); at year ends 50,000 / 51,000 / 51,000;
* first applications: 38,000 (2023), 32,180 (2024), 24,070 (2025), spread evenly over the
  months (assumption; the 2023 halves were about 15,000 and 23,000);
* decisions on first applications: DERIVED from the stocks, start + inflow - end of year
  (23,790 / 31,180 / 24,070). The published decision totals (about 35,000 in 2023, about
  40,500 in 2024) include other asylum decisions, so they are shown but not fed in;
* penalties: EUR 11.3 m (2023), 36.8 m (2024), 79 m (2025), paid out; the replay counts
  penalties run up in the year (payment follows the run-up with a delay the sources do
  not give);
* the term: 15 months for cases lodged while the categorical extension applied (2023-2024,
  share decided within 15 months 65 % / 57 %), 6 months once the Raad van State reversed
  it (2025 note). The month of the reversal is not in the data: January 2025 is an
  assumption (``REVERSAL``); a case whose 6-month term had already passed then counts as
  late from that month on.
* ages of the 2022 stock: spread evenly up to ``AGE_MAX`` months (10-18, around twice the
  31-week average wait of 2022; assumption).

Calibration (:func:`calibrate`): the notice share is fitted on the published notices of
default of 2023 (28,670), the notice lag on the 2023 penalties at that share (a grid of
lags); 2024 (notices ~30,000, penalties EUR 36.8 m) and 2025 (penalties) are then out of
sample. The 2022 notices (19,830) fall before the replay's start. All stocks and flows are
persons, as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capacity.backlog.model import run
from capacity.backlog.parameters import DAYS_PER_MONTH, draw, noise, with_changes
from capacity.backlog.regular import OLD_COLUMNS, RegularQueue, initial_queue, serve_and_accrue
from capacity.params.backlog import BacklogConfig
from capacity.params.base import Distribution

START = pd.Timestamp("2023-01-01")
YEARS = (2023, 2024, 2025)
#: Years the notice share and lag are fitted on (2024 and 2025 are out of sample).
CALIBRATION_YEARS = (2023,)
#: Month the categorical 15-month term ends (assumption: the 2025 reversal from January).
REVERSAL = pd.Timestamp("2025-01-01")
EXTENDED_TERM_MONTHS = 15.0
#: Range of the oldest age (months) of the stock pending at the end of 2022 (assumption).
AGE_MAX = (10.0, 18.0)
#: Notice lags (days) tried in the calibration.
LAGS = (0.0, 7.0, 14.0, 30.0, 60.0, 90.0)


@dataclass(frozen=True)
class Published:
    """The published figures the replay starts from and is compared with."""

    stock_start: float
    inflow: dict[int, float]
    stock_end: dict[int, float]
    penalties: dict[int, float]
    decisions_published: dict[int, float]
    #: notices of default (ingebrekestellingen) per year; years not published are absent
    notices: dict[int, float] = field(default_factory=dict)

    @property
    def decisions(self) -> dict[int, float]:
        """First-application decisions DERIVED from the stocks: start + inflow - end."""
        out, stock = {}, self.stock_start
        for year in YEARS:
            out[year] = stock + self.inflow[year] - self.stock_end[year]
            stock = self.stock_end[year]
        return out


def published(figures: pd.DataFrame) -> Published:
    """Read the replay's figures from the ``ind_asylum_figures`` table."""
    value = {(str(r.date_or_period), str(r.metric)): float(r.value) for r in figures.itertuples()}

    def get(period: str, metric: str) -> float:
        return value.get((period, metric), float("nan"))

    decided = {2023: get("2023", "asylum_decisions_total")}
    decided[2024] = decided[2023] + get("2024", "asylum_decisions_increase_vs_previous_year")
    decided[2025] = float("nan")
    return Published(
        stock_start=get("2022-12-31", "pending_asylum_applicants"),
        inflow={y: get(str(y), "first_asylum_applications") for y in YEARS},
        stock_end={y: get(f"{y}-12-31", "pending_asylum_applicants") for y in YEARS},
        penalties={y: get(str(y), "penalty_payments_dwangsommen") for y in YEARS},
        decisions_published=decided,
        notices={
            y: x for y in (2022, *YEARS) if np.isfinite(x := get(str(y), "notices_of_default_ingebrekestellingen"))
        },
    )


def _term_end(start: np.ndarray, n_months: int) -> np.ndarray:
    """Term end per column: 15 months, cut to 6 (not before the reversal) from the reversal."""
    reversal = (REVERSAL.year - START.year) * 12 + REVERSAL.month - START.month
    extended = start + EXTENDED_TERM_MONTHS
    return np.minimum(extended, np.maximum(start + 6.0, float(reversal)))


def run_replay(
    pub: Published,
    cfg: BacklogConfig,
    *,
    notice_share: np.ndarray,
    lag_days: float,
    age_max: np.ndarray,
    normals: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Replay 2023-2025 on ``len(notice_share)`` paths (one lag for all); yearly totals.

    Args:
        pub: Published figures.
        cfg: Penalty schedule and noise settings (``notice_lag_days`` is replaced).
        notice_share: Per path.
        lag_days: Notice lag (days).
        age_max: Per path, the oldest age of the 2022 stock (months).
        normals: Monthly standard normals, shape (36, 2, n_paths), for capacity and inflow
            noise; ``None`` runs without noise.

    Returns:
        ``{"decisions", "backlog_end", "penalty_eur", "notices"}``: arrays (n_paths, 3), one
        column per year of :data:`YEARS`. ``notices``: notices of default sent in the year,
        ``notice_share`` x the cases still pending when their term plus the notice lag
        runs out (one notice per case; a case decided at mid-month sends none if its
        notice falls after mid-month).
    """
    n, n_months = notice_share.shape[0], 12 * len(YEARS)
    pcfg = with_changes(cfg, notice_lag_days=lag_days)
    q = initial_queue(np.full(n, pub.stock_start), n_months, 1.0, 6.0)
    # ages per path: scale the evenly spread ages to each path's oldest age
    old_ages = -q.start[:OLD_COLUMNS]
    starts = np.concatenate(
        [-np.outer(age_max, old_ages), np.broadcast_to(q.start[OLD_COLUMNS:], (n, n_months))], axis=1
    )
    out = {k: np.zeros((n, len(YEARS))) for k in ("decisions", "backlog_end", "penalty_eur", "notices")}
    lag_months = lag_days / DAYS_PER_MONTH
    decisions = pub.decisions
    for month in range(n_months):
        year = month // 12
        inflow = np.full(n, pub.inflow[YEARS[year]] / 12)
        capacity = np.full(n, decisions[YEARS[year]] / 12)
        if normals is not None:
            capacity = capacity * noise(normals[month, 0], cfg.ind_capacity_noise_sd)
            inflow = inflow * noise(normals[month, 1], cfg.regular_inflow_noise_sd)
        q.stock[:, OLD_COLUMNS + month] += inflow
        old, new = q.old, q.new
        take_old = np.minimum(old, capacity)
        take_new = np.minimum(new, capacity - take_old)
        flows = _serve_per_path(q, month, take_old, take_new, starts, notice_share, pcfg, lag_months=lag_months)
        out["decisions"][:, year] += take_old + take_new
        out["notices"][:, year] += flows["notices"]
        out["penalty_eur"][:, year] += flows["penalty_eur_regular"]
        if month % 12 == 11:
            out["backlog_end"][:, year] = q.stock.sum(axis=1)
    return out


def _serve_per_path(
    q: RegularQueue,
    month: int,
    take_old: np.ndarray,
    take_new: np.ndarray,
    starts: np.ndarray,
    notice_share: np.ndarray,
    cfg: BacklogConfig,
    *,
    lag_months: float = 0.0,
) -> dict[str, np.ndarray]:
    """``serve_and_accrue`` with term ends that differ per path (ages of the 2022 stock).

    Also counts the notices of default sent this month (see :func:`run_replay`).
    """
    flows = {"penalty_eur_regular": np.zeros(take_old.shape[0]), "notices": np.zeros(take_old.shape[0])}
    # the 2022 stock's ages differ per path, so each path is served on its own (36 months
    # x a few hundred paths: about two seconds)
    for i in range(take_old.shape[0]):
        term_end = _term_end(starts[i], q.stock.shape[1])
        sub = RegularQueue(stock=q.stock[i : i + 1], start=starts[i], term_end=term_end)
        before = sub.stock[0].copy()
        f = serve_and_accrue(
            sub, month, take_old[i : i + 1], take_new[i : i + 1], "oldest", notice_share[i : i + 1], cfg
        )
        q.stock[i] = sub.stock[0]
        flows["penalty_eur_regular"][i] = f["penalty_eur_regular"][0]
        due = term_end + lag_months - month  # notice time within this month
        this_month = (due >= 0.0) & (due < 1.0)
        sent = np.where(due < 0.5, before, sub.stock[0])  # decided at mid-month: sent if due before
        flows["notices"][i] = notice_share[i] * float(sent @ this_month)
    return flows


def calibrate(pub: Published, cfg: BacklogConfig) -> pd.DataFrame:
    """Fit the notice share on the published notices and the lag on the penalties, 2023 only.

    Per lag: the notice share is the published notices of default over the notices the
    replay sends at share 1 (:data:`CALIBRATION_YEARS`, geometric mean, at most 1: the
    "amount" of notices); the lag is then the one whose penalties at that share are
    closest to the published penalties on the log scale (the "amount" per notice). Notices
    and penalties of 2024 and 2025 stay out of the fit. The 2022 notices (19,830) fall
    before the replay's start (the stock at the end of 2022), so they enter only through
    the forecast's prior (``notice_share``), not through this fit. Columns: ``lag_days,
    notice_share, share_capped`` (the fit wanted more than 1), ``rms_log_error`` (notices
    and penalties of the calibration years), ``penalty_<year>``, ``notices_<year>``
    (simulated at the fitted share, central ages, no noise).
    """
    age_mid = np.array([0.5 * (AGE_MAX[0] + AGE_MAX[1])])
    rows = []
    cal = [YEARS.index(y) for y in CALIBRATION_YEARS]
    obs_pen = np.log([pub.penalties[y] for y in CALIBRATION_YEARS])
    obs_not = np.log([pub.notices[y] for y in CALIBRATION_YEARS])
    for lag in LAGS:
        base = run_replay(pub, cfg, notice_share=np.ones(1), lag_days=lag, age_max=age_mid)
        pen, notices = base["penalty_eur"][0], base["notices"][0]
        wanted = float(np.exp(np.mean(obs_not - np.log(np.maximum(notices[cal], 1.0)))))
        share = min(1.0, wanted)
        err = np.concatenate(
            [
                np.log(np.maximum(share * pen[cal], 1.0)) - obs_pen,
                np.log(np.maximum(share * notices[cal], 1.0)) - obs_not,
            ]
        )
        rows.append(
            {
                "lag_days": lag,
                "notice_share": share,
                "share_capped": wanted > 1.0,
                "rms_log_error": float(np.sqrt(np.mean(err**2))),
                **{f"penalty_{y}": share * pen[i] for i, y in enumerate(YEARS)},
                **{f"notices_{y}": share * notices[i] for i, y in enumerate(YEARS)},
            }
        )
    return pd.DataFrame(rows).sort_values("rms_log_error", kind="stable").reset_index(drop=True)


#: The notice parameters the forecast used before it took the replay's fit (for the comparison).
#: The notice share the forecast drew before it took the replay's fit (triangular 0.3/0.7/0.97).
PREVIOUS_NOTICE_SHARE = Distribution(kind="triangular", low=0.3, mode=0.7, high=0.97)
#: The notice lag (days) the forecast took before it took the replay's fit.
PREVIOUS_NOTICE_LAG_DAYS = 7.0
PREVIOUS_NOTICES: dict[str, Distribution | float] = {
    "notice_share": PREVIOUS_NOTICE_SHARE,
    "notice_lag_days": PREVIOUS_NOTICE_LAG_DAYS,
}


def notice_effect(cfg: BacklogConfig, *, rng: np.random.Generator, n_paths: int = 200) -> dict[str, float]:
    """Return the forecast's penalties with its notice parameters and with the earlier ones.

    Two runs of the backlog model on the same draws (common random numbers): one as
    configured, one with :data:`PREVIOUS_NOTICES` (share triangular 0.3/0.7/0.97, lag 7
    days). The cohort is the parameters' fallback (``cfg.cohort_persons``) and there are no
    arrivals after the TPD end, so the levels differ from the scenario's headline; the
    difference between the two is the effect of the notice parameters.

    Returns:
        ``penalty_eur_forecast_notices`` and ``penalty_eur_previous_notices``: median over
        paths of the penalties run up in the run (cohort and regular, EUR);
        ``penalty_eur_3y_forecast_notices`` and ``penalty_eur_3y_previous_notices``: the
        same for the first 36 months.
    """
    cohort = np.full(n_paths, float(cfg.cohort_persons))
    draws = draw(n_paths, cfg.n_months, rng=rng)
    previous = with_changes(cfg, **PREVIOUS_NOTICES)
    out = {}
    for name, c in (("forecast", cfg), ("previous", previous)):
        res = run(cohort, c, draws)
        out[f"penalty_eur_{name}_notices"] = float(np.median(res.penalty_total()))
        out[f"penalty_eur_3y_{name}_notices"] = float(np.median(res.penalty_first_months(36)))
    return out


def validation_table(
    figures: pd.DataFrame, cfg: BacklogConfig, *, rng: np.random.Generator, n_paths: int = 200
) -> pd.DataFrame:
    """Table ``backlog_validation``: the replay against the published 2023-2025 figures.

    Paths draw the oldest age of the 2022 stock (uniform on :data:`AGE_MAX`), monthly noise
    in capacity and inflow (the forecast's settings), the notice lag uniformly among the
    calibrated lags within 1.5 times the best error, and the notice share around that
    lag's fit (lognormal with the calibration's log error as spread, at most 1).

    Columns: ``year, quantity, observed, sim_p10, sim_median, sim_p90, sample``
    (``calibration`` or ``out of sample``), ``miss_median`` (median / observed - 1),
    ``note`` and the best fit (``calibrated_notice_share``, ``calibrated_lag_days``).
    Quantities: ``first_decisions`` (observed: DERIVED from the stocks; the published
    totals are in the note), ``backlog_end``, ``penalty_eur`` and ``notices_of_default``
    (2023 fitted, 2024 out of sample; 2025 not published, no row). The forecast's
    ``notice_share`` and ``notice_lag_days`` (params/baseline.yaml: the fit) are in
    ``forecast_notice_share`` and ``forecast_notice_lag_days``, the earlier assumption
    (:data:`PREVIOUS_NOTICES`) in ``previous_notice_share`` (central) and
    ``previous_notice_lag_days``, and the effect of the difference in
    ``penalty_eur_forecast_notices`` and ``penalty_eur_previous_notices`` (and their ``_3y``
    versions; :func:`notice_effect`, drawn after the replay's paths from the same ``rng``).
    """
    pub = published(figures)
    fits = calibrate(pub, cfg)
    good = fits[fits["rms_log_error"] <= 1.5 * fits["rms_log_error"].iloc[0] + 1e-9]
    u = rng.random((2, n_paths))
    z = rng.standard_normal(n_paths)
    normals = rng.standard_normal((12 * len(YEARS), 2, n_paths))
    pick = good.iloc[np.minimum((u[0] * len(good)).astype(int), len(good) - 1)]
    spread = max(float(fits["rms_log_error"].iloc[0]), 0.1)
    share = np.minimum(1.0, pick["notice_share"].to_numpy() * np.exp(spread * z))
    age_max = AGE_MAX[0] + (AGE_MAX[1] - AGE_MAX[0]) * u[1]
    sims = {k: np.zeros((n_paths, len(YEARS))) for k in ("decisions", "backlog_end", "penalty_eur", "notices")}
    lags = pick["lag_days"].to_numpy()
    for lag in np.unique(lags):
        idx = np.flatnonzero(lags == lag)
        part = run_replay(
            pub, cfg, notice_share=share[idx], lag_days=float(lag), age_max=age_max[idx], normals=normals[:, :, idx]
        )
        for k in sims:
            sims[k][idx] = part[k]
    observed: Mapping[str, dict[int, float]] = {
        "first_decisions": pub.decisions,
        "backlog_end": pub.stock_end,
        "penalty_eur": pub.penalties,
        "notices_of_default": pub.notices,
    }
    notes = {
        "first_decisions": "derived from the stocks: pending at the start + first applications - "
        "pending at the end (persons); published decision totals {pub}",
        "backlog_end": "pending asylum applicants at 31 December (persons)",
        "penalty_eur": "published: paid out in the year; simulated: run up in the year",
        "notices_of_default": "ingebrekestellingen sent in the year (one per late case)",
    }
    rows = []
    for quantity, obs in observed.items():
        sim = sims[{"first_decisions": "decisions", "notices_of_default": "notices"}.get(quantity, quantity)]
        for j, year in enumerate(YEARS):
            if year not in obs:  # not published (e.g. notices of 2025): no row, no nan
                continue
            med = float(np.median(sim[:, j]))
            pub_total = pub.decisions_published.get(year, float("nan"))
            note = notes[quantity].format(pub=f"{pub_total:,.0f}" if np.isfinite(pub_total) else "not published")
            rows.append(
                {
                    "year": year,
                    "quantity": quantity,
                    "observed": obs[year],
                    "sim_p10": float(np.quantile(sim[:, j], 0.1)),
                    "sim_median": med,
                    "sim_p90": float(np.quantile(sim[:, j], 0.9)),
                    "sample": "calibration" if year in CALIBRATION_YEARS else "out of sample",
                    "miss_median": med / obs[year] - 1 if obs[year] else float("nan"),
                    "note": note,
                }
            )
    table = pd.DataFrame(rows)
    table["calibrated_notice_share"] = float(fits["notice_share"].iloc[0])
    table["calibrated_share_capped"] = bool(fits["share_capped"].iloc[0])
    table["calibrated_lag_days"] = float(fits["lag_days"].iloc[0])
    # the forecast's notice share and lag (params: the fit) beside the fit and the earlier values
    table["forecast_notice_share"] = float(cfg.notice_share.central)
    table["forecast_notice_lag_days"] = float(cfg.notice_lag_days)
    table["previous_notice_share"] = float(PREVIOUS_NOTICE_SHARE.central)
    table["previous_notice_lag_days"] = PREVIOUS_NOTICE_LAG_DAYS
    effect = notice_effect(cfg, rng=rng, n_paths=n_paths)
    for name, value in effect.items():
        table[name] = value
    return table
