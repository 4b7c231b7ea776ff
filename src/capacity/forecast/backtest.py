"""Rolling-origin backtests, ensemble weights and interval calibration.

The backtest refits every model on an expanding window (at least
``cfg.backtest_min_train`` months) and forecasts horizons 1..``cfg.backtest_horizons``
from every origin. The ensemble is scored honestly: at each origin its weights and its
calibrated bands come only from the *other* origins' errors (leave-one-origin-out
cross-validation), never from the errors it is scored on.

Scorecard columns (one row per ``series`` x ``model`` x ``h``):

============  ==================================================================
series        ``arrivals`` or ``departure_rate``
model         model name, or ``ensemble``
h             horizon (months ahead of the origin)
n             number of forecasts scored
mae           mean absolute error of the median forecast (series unit)
rmse          root mean squared error of the median forecast (series unit)
mase          mean of |error| / (mean |one-step change| of the training window)
bias          mean of actual - median forecast (series unit)
coverage_50   share of outcomes inside the central 50 % interval (likewise 80, 95)
winkler_80    mean Winkler (interval) score of the 80 % interval (series unit; lower
              is better: width + 2/alpha x the miss); likewise ``winkler_95``
rmse_z        root mean squared error on the fitting (log/logit) scale; used to calibrate
weight        the model's weight in the full-sample ensemble of the series (0..1)
k50           half-width of the central 50 % interval in standard deviations on the
              fitting scale (likewise ``k80``, ``k95``): the normal's 0.674 / 1.282 /
              1.960 for single models; for the ensemble, the quantiles of the other
              origins' standardised errors (split-conformal, leave-one-origin-out)
============  ==================================================================

Calibration of the ensemble's bands: its spread is ``sqrt(a + b h)`` with ``a``, ``b``
fitted to the other origins' squared errors (:func:`fit_variance`), and each band's
half-width is that spread times the matching quantile of the other origins' absolute
standardised errors, so that the bands cover what the errors say rather than what a
normal assumes.

Over 400 lines on purpose: the backtest, its scoring and the functions that read its scorecard
share the scorecard's columns and ``LEVELS`` and change together.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy.stats import norm

from capacity.errors import DataError
from capacity.forecast.models import Model, Transform, combine, from_scale, to_scale
from capacity.forecast.registry import make_model
from capacity.forecast.series import Series, model_series, scale_mase
from capacity.params.forecast import ForecastConfig

logger = logging.getLogger(__name__)

SCORECARD_COLUMNS: tuple[str, ...] = (
    "series",
    "model",
    "h",
    "n",
    "mae",
    "rmse",
    "mase",
    "bias",
    "coverage_50",
    "coverage_80",
    "coverage_95",
    "winkler_80",
    "winkler_95",
    "rmse_z",
    "weight",
    "k50",
    "k80",
    "k95",
)
LEVELS = (50, 80, 95)
#: Half-widths of the normal's central 50/80/95 % intervals (standard deviations).
NORMAL_K: dict[int, float] = {level: float(norm.ppf(0.5 + level / 200)) for level in LEVELS}


def conformal_k(std_errors: np.ndarray) -> dict[int, float]:
    """Return the 50/80/95 % quantiles of absolute standardised errors (normal if too few).

    Args:
        std_errors: Errors divided by their modelled spread, pooled over forecasts.

    Returns:
        ``{50: k50, 80: k80, 95: k95}``, non-decreasing.

    """
    u = np.abs(np.asarray(std_errors, dtype=float))
    u = u[np.isfinite(u)]
    if u.size < 10:
        return dict(NORMAL_K)
    # the finite-sample split-conformal rank: ceil((n+1) p) / n
    ks = {level: float(np.quantile(u, min(1.0, np.ceil((u.size + 1) * level / 100) / u.size))) for level in LEVELS}
    ks[80] = max(ks[80], ks[50])
    ks[95] = max(ks[95], ks[80])
    return ks


def build_model(name: str, series: Series, cfg: ForecastConfig) -> Model:
    """Return an unfitted model ``name`` for ``series`` with the config's settings."""
    return make_model(
        name,
        transform=series.transform,
        period=cfg.seasonal_period,
        min_seasons=cfg.min_seasons,
        min_obs_statistical=cfg.min_obs_statistical,
    )


def fit_forecast(
    name: str, y: pd.Series, h: int, series: Series, cfg: ForecastConfig
) -> tuple[np.ndarray, np.ndarray] | None:
    """Fit model ``name`` on ``y`` and return ``(loc, scale)`` for 1..h, or None if it cannot fit."""
    model = build_model(name, series, cfg)
    if len(y) < model.min_obs:
        return None
    try:
        model.fit(y)
        loc, scale = model.forecast(h)
    except (DataError, ValueError, np.linalg.LinAlgError, RuntimeError) as exc:
        logger.warning("%s on %s (%d months) failed: %s", name, series.name, len(y), exc)
        return None
    if not (np.all(np.isfinite(loc)) and np.all(np.isfinite(scale))):
        logger.warning("%s on %s gave non-finite forecasts; left out", name, series.name)
        return None
    return np.asarray(loc, dtype=float), np.asarray(scale, dtype=float)


def _member_records(series: Series, cfg: ForecastConfig) -> pd.DataFrame:
    """Forecast records of every model at every origin (long frame)."""
    y = series.y
    n_total = len(y)
    origins = list(range(cfg.backtest_min_train, n_total))
    if not origins:
        return pd.DataFrame()
    prophet_origins = set(origins[-cfg.backtest_max_prophet_origins :])
    rows = []
    for n0 in origins:
        train = y.iloc[:n0]
        h = min(cfg.backtest_horizons, n_total - n0)
        actual = y.iloc[n0 : n0 + h].to_numpy()
        scale = scale_mase(train.to_numpy())
        for name in cfg.models:
            if name == "prophet" and n0 not in prophet_origins:
                continue
            fc = fit_forecast(name, train, h, series, cfg)
            if fc is None:
                continue
            loc, sd = fc
            for k in range(h):
                rows.append((series.name, name, n0, k + 1, y.index[n0 + k], actual[k], loc[k], sd[k], scale))
    return pd.DataFrame(
        rows, columns=["series", "model", "origin", "h", "date", "actual", "loc", "scale", "mase_scale"]
    )


def member_weights(scores: pd.Series, *, top_k: int) -> pd.Series:
    """Inverse-error weights of the ``top_k`` best models (score = mean MASE; lower is better)."""
    scores = scores.dropna()
    if scores.empty:
        return scores
    best = scores.sort_values(kind="stable").iloc[:top_k]
    inv = 1.0 / np.maximum(best.to_numpy(), 1e-9)
    return pd.Series(inv / inv.sum(), index=best.index)


def fit_variance(h: np.ndarray, mse: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """Fit ``var(h) = a + b h`` (a, b >= 0) to mean squared errors per horizon, weighted by ``n``.

    ``a`` is month-to-month noise and ``b`` the variance a random-walk level adds per month.

    Returns:
        ``(a, b)`` on the fitting scale.

    """
    h = np.asarray(h, dtype=float)
    mse = np.asarray(mse, dtype=float)
    w = np.sqrt(np.asarray(n, dtype=float))
    ok = np.isfinite(mse) & (w > 0)
    h, mse, w = h[ok], mse[ok], w[ok]
    if h.size == 0:
        return 0.0, 0.0
    if h.size == 1 or np.ptp(h) == 0:
        return float(np.average(mse, weights=w)), 0.0
    from scipy.optimize import nnls

    design = np.column_stack([np.ones_like(h), h]) * w[:, None]
    (a, b), _ = nnls(design, mse * w)
    return float(a), float(b)


def _ensemble_records(members: pd.DataFrame, cfg: ForecastConfig) -> pd.DataFrame:  # noqa: C901 - one loop
    """Leave-one-origin-out ensemble forecasts with calibrated spreads."""
    if members.empty:
        return members
    rows = []
    origins = sorted(members["origin"].unique())
    short = members[members["h"] <= cfg.weight_horizons]
    for o in origins:
        here = members[members["origin"] == o]
        names = list(dict.fromkeys(here["model"]))
        if cfg.ensemble == "weighted":
            others = short[(short["origin"] != o) & short["model"].isin(names)]
            scores = others.groupby("model")["se_scaled"].mean()
            w = member_weights(scores, top_k=cfg.ensemble_top_k)
            if w.empty:
                w = pd.Series(1 / len(names), index=names)
        else:
            w = None
        use = list(w.index) if w is not None else names
        block = here[here["model"].isin(use)]
        locs = block.pivot(index="model", columns="h", values="loc").loc[use]
        scales = block.pivot(index="model", columns="h", values="scale").loc[use]
        loc, sd = combine(locs.to_numpy(), scales.to_numpy(), None if w is None else w.loc[use].to_numpy())
        first = here[here["model"] == names[0]].sort_values("h")
        for k, hh in enumerate(locs.columns):
            r = first[first["h"] == hh].iloc[0]
            rows.append(
                (r["series"], "ensemble", o, hh, r["date"], r["actual"], loc[k], sd[k], r["mase_scale"], r["actual_z"])
            )
    ens = pd.DataFrame(
        rows, columns=["series", "model", "origin", "h", "date", "actual", "loc", "scale", "mase_scale", "actual_z"]
    )
    for level in LEVELS:
        ens[f"k{level}"] = NORMAL_K[level]
    if cfg.calibrate:
        ens["err2"] = (ens["actual_z"] - ens["loc"]) ** 2
        calibrated = ens["scale"].to_numpy().copy()
        ks = {level: ens[f"k{level}"].to_numpy().copy() for level in LEVELS}
        for o in origins:
            other = ens[ens["origin"] != o]
            if len(other) < 3:
                continue
            g = other.groupby("h")["err2"].agg(["mean", "size"])
            a, b = fit_variance(g.index.to_numpy(), g["mean"].to_numpy(), g["size"].to_numpy())
            if a + b <= 0:
                continue
            mask = (ens["origin"] == o).to_numpy()
            calibrated[mask] = np.sqrt(a + b * ens.loc[mask, "h"].to_numpy())
            std = (other["actual_z"] - other["loc"]) / np.sqrt(a + b * other["h"])
            for level, k_level in conformal_k(std.to_numpy()).items():
                ks[level][mask] = k_level
        ens["scale"] = calibrated
        for level in LEVELS:
            ens[f"k{level}"] = ks[level]
        ens = ens.drop(columns="err2")
    return ens


def _score(records: pd.DataFrame, transform: Transform) -> pd.DataFrame:
    """Aggregate forecast records into scorecard rows per model and horizon."""
    r = records
    point = from_scale(r["loc"].to_numpy(), transform)
    actual = r["actual"].to_numpy()
    err = actual - point
    out = pd.DataFrame(
        {
            "series": r["series"],
            "model": r["model"],
            "h": r["h"],
            "ae": np.abs(err),
            "se": err**2,
            "err": err,
            "ase": np.abs(err) / r["mase_scale"].to_numpy(),
            "ez2": (r["actual_z"] - r["loc"]) ** 2,
        }
    )
    for level in LEVELS:
        out[f"k{level}"] = r[f"k{level}"].to_numpy() if f"k{level}" in r else NORMAL_K[level]
    z_actual = r["actual_z"].to_numpy()
    for level in LEVELS:
        zq = r[f"k{level}"].to_numpy() if f"k{level}" in r else NORMAL_K[level]
        lo_z = r["loc"].to_numpy() - zq * r["scale"].to_numpy()
        hi_z = r["loc"].to_numpy() + zq * r["scale"].to_numpy()
        out[f"coverage_{level}"] = ((z_actual >= lo_z - 1e-12) & (z_actual <= hi_z + 1e-12)).astype(float)
        if level in (80, 95):
            lo, hi = from_scale(lo_z, transform), from_scale(hi_z, transform)
            alpha = 1 - level / 100
            out[f"winkler_{level}"] = (
                (hi - lo) + (2 / alpha) * np.maximum(lo - actual, 0) + (2 / alpha) * np.maximum(actual - hi, 0)
            )
    g = out.groupby(["series", "model", "h"], sort=False)
    table = g.agg(
        n=("ae", "size"),
        mae=("ae", "mean"),
        rmse=("se", "mean"),
        mase=("ase", "mean"),
        bias=("err", "mean"),
        coverage_50=("coverage_50", "mean"),
        coverage_80=("coverage_80", "mean"),
        coverage_95=("coverage_95", "mean"),
        winkler_80=("winkler_80", "mean"),
        winkler_95=("winkler_95", "mean"),
        rmse_z=("ez2", "mean"),
        k50=("k50", "mean"),
        k80=("k80", "mean"),
        k95=("k95", "mean"),
    ).reset_index()
    table["rmse"] = np.sqrt(table["rmse"])
    table["rmse_z"] = np.sqrt(table["rmse_z"])
    return table


def backtest_series(series: Series, cfg: ForecastConfig) -> pd.DataFrame:
    """Return the scorecard rows of one series (empty if the series is too short)."""
    return _backtest_series(series, cfg)[0]


def _backtest_series(series: Series, cfg: ForecastConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the scorecard rows of one series and the ensemble's forecast records."""
    members = _member_records(series, cfg)
    if members.empty:
        logger.warning(
            "%s: %d months < backtest_min_train + 1 = %d; no backtest",
            series.name,
            len(series.y),
            cfg.backtest_min_train + 1,
        )
        return pd.DataFrame(columns=list(SCORECARD_COLUMNS)), pd.DataFrame()
    members["actual_z"] = to_scale(members["actual"].to_numpy(), series.transform)
    members["se_scaled"] = (
        np.abs(members["actual"] - from_scale(members["loc"].to_numpy(), series.transform)) / members["mase_scale"]
    )
    for level in LEVELS:
        members[f"k{level}"] = NORMAL_K[level]
    ens = _ensemble_records(members, cfg)
    table = _score(pd.concat([members, ens], ignore_index=True), series.transform)
    weights = ensemble_weights(table, series.name, cfg)
    table["weight"] = table["model"].map(weights).astype(float)
    table.loc[table["model"] == "ensemble", "weight"] = np.nan
    table["weight"] = table["weight"].where(table["model"] == "ensemble", table["weight"].fillna(0.0))
    return table[list(SCORECARD_COLUMNS)], ens


def error_process(records: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Estimate how the ensemble's backtest errors move together, for sampling whole paths.

    From the standardised errors ``u = (actual - loc) / scale`` (fitting scale) of the
    ensemble's backtest records:

    - ``phi_<series>``: lag-1 correlation of ``u`` within one origin (months ahead ``h`` and
      ``h + 1``), pooled over origins; clipped to [0, 0.98];
    - ``rho``: correlation of the arrivals' and the departure rate's ``u`` for the same
      target month and horizon (both series forecast from the same origin month); clipped
      to [-0.9, 0.9].

    Each is 0 with fewer than 10 pairs (too few to estimate).
    """
    out: dict[str, float] = {}
    std = {}
    for name, ens in records.items():
        if ens.empty:
            out[f"phi_{name}"] = 0.0
            continue
        e = ens.assign(u=(ens["actual_z"] - ens["loc"]) / ens["scale"].where(ens["scale"] > 0))
        std[name] = e.set_index(["date", "h"])["u"]
        nxt = e.assign(h=e["h"] - 1)[["origin", "h", "u"]]
        pairs = e[["origin", "h", "u"]].merge(nxt, on=["origin", "h"], suffixes=("", "_next")).dropna()
        phi = float(np.corrcoef(pairs["u"], pairs["u_next"])[0, 1]) if len(pairs) >= 10 else 0.0
        out[f"phi_{name}"] = float(np.clip(np.nan_to_num(phi), 0.0, 0.98))
    rho = 0.0
    if len(std) == 2:
        both = pd.concat(list(std.values()), axis=1, join="inner").dropna()
        if len(both) >= 10:
            rho = float(np.nan_to_num(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1]))
    out["rho"] = float(np.clip(rho, -0.9, 0.9))
    return out


def run_backtest(history: pd.DataFrame, cfg: ForecastConfig, *, rng: np.random.Generator) -> pd.DataFrame:
    """Rolling-origin backtest of every model and the ensemble on both series.

    Scenario-independent: shocks act only on the future, so a run computes this once and
    passes it to :func:`capacity.forecast.forecast_population` as ``scorecard``.

    Args:
        history: Long history frame (``capacity.data.load_history``).
        cfg: Forecast settings.
        rng: Random generator (unused: the series backtest is analytic).

    Returns:
        The scorecard: columns :data:`SCORECARD_COLUMNS` (see the module docstring);
        ``attrs["error_process"]`` holds :func:`error_process`'s estimates. The run's
        backtest (``capacity.forecast.run_backtest``, :func:`capacity.forecast.stock.run_backtest`)
        adds the stock backtest to this.

    """
    del rng  # deterministic: all spreads are analytic normals on the fitting scale
    results = {name: _backtest_series(s, cfg) for name, s in model_series(history, cfg).items()}
    tables = [t for t, _ in results.values() if not t.empty]
    if not tables:
        card = pd.DataFrame(columns=list(SCORECARD_COLUMNS))
    else:
        card = pd.concat(tables, ignore_index=True)
    card.attrs["error_process"] = error_process({name: ens for name, (_, ens) in results.items()})
    return card


def ensemble_weights(scorecard: pd.DataFrame, series: str, cfg: ForecastConfig) -> pd.Series:
    """Full-sample ensemble weights of ``series`` from the scorecard (inverse MASE, h <= k).

    Only models in ``cfg.models`` count (a scorecard computed with more models can be
    reused). With ``cfg.ensemble == "median"`` or no backtest rows, every model gets an
    equal share.
    """
    rows = scorecard[
        (scorecard["series"] == series) & scorecard["model"].isin(cfg.models) & (scorecard["h"] <= cfg.weight_horizons)
    ]
    if rows.empty or cfg.ensemble == "median":
        names = list(cfg.models)
        return pd.Series(1 / len(names), index=names)
    scores = rows.groupby("model").apply(lambda d: np.average(d["mase"], weights=d["n"]), include_groups=False)
    return member_weights(scores, top_k=cfg.ensemble_top_k)


def calibration(scorecard: pd.DataFrame, series: str) -> tuple[float, float, dict[int, float]] | None:
    """Return the ensemble's calibration from its backtest, or None without one.

    Returns:
        ``(a, b, k)``: ``var(h) = a + b h`` fitted to the ensemble's squared errors on the
        fitting scale, and the band half-widths ``k`` (``{50: k50, 80: k80, 95: k95}``, in
        standard deviations; the n-weighted mean of the leave-one-origin-out values).

    """
    rows = scorecard[(scorecard["series"] == series) & (scorecard["model"] == "ensemble")]
    if len(rows) < 2:
        return None
    a, b = fit_variance(rows["h"].to_numpy(), rows["rmse_z"].to_numpy() ** 2, rows["n"].to_numpy())
    if a + b <= 0:
        return None
    ks = {}
    for level in LEVELS:
        col = f"k{level}"
        ks[level] = float(np.average(rows[col], weights=rows["n"])) if col in rows else NORMAL_K[level]
    return a, b, ks


def summary(scorecard: pd.DataFrame, *, horizons: tuple[int, int] = (1, 6)) -> pd.DataFrame:
    """Return one row per series x model: n-weighted means over ``horizons`` (inclusive).

    Columns: ``series, model, n, mae, mase, coverage_50, coverage_80, coverage_95,
    winkler_80, weight, mase_rel_naive`` (MASE relative to the naive model's).
    """
    lo, hi = horizons
    rows = scorecard[(scorecard["h"] >= lo) & (scorecard["h"] <= hi)]
    if rows.empty:
        return pd.DataFrame(
            columns=[
                "series",
                "model",
                "n",
                "mae",
                "mase",
                "coverage_50",
                "coverage_80",
                "coverage_95",
                "winkler_80",
                "weight",
                "mase_rel_naive",
            ]
        )
    cols = ["mae", "mase", "coverage_50", "coverage_80", "coverage_95", "winkler_80"]

    def agg(d: pd.DataFrame) -> pd.Series:
        w = d["n"].to_numpy(dtype=float)
        out = {c: float(np.average(d[c], weights=w)) for c in cols}
        out["n"] = int(w.sum())
        out["weight"] = float(d["weight"].iloc[0]) if "weight" in d else np.nan
        return pd.Series(out)

    table = rows.groupby(["series", "model"], sort=False).apply(agg, include_groups=False).reset_index()
    naive = table[table["model"] == "naive"].set_index("series")["mase"]
    table["mase_rel_naive"] = table["mase"] / table["series"].map(naive)
    return table[
        [
            "series",
            "model",
            "n",
            "mae",
            "mase",
            "coverage_50",
            "coverage_80",
            "coverage_95",
            "winkler_80",
            "weight",
            "mase_rel_naive",
        ]
    ]
