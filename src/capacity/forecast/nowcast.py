"""State-space nowcast of the registered population: every published count, each its own measurement.

The target is the count of the ministry's letters to parliament: displaced people from
Ukraine registered in the BRP with protection under the RTB (``rtb_letter``). The other
published figures measure the same population with their own offset and noise:

- ``table_press``: the biweekly table as quoted by the monitor report and the press, to the
  person (an offset ``d`` of its own: about 3,000-4,000 below the letters in 2024-25);
- ``press_rounded``: the same table quoted rounded to a thousand ("ruim 121.000"), same
  offset, larger noise;
- ``eurostat``: Eurostat's TP stock at month end, whose gap to the level wanders (it is a
  stock of TP holders, not of registered people, and is not cleaned of departures between
  register clean-ups) and jumps freely in the clean-up months (Jan 2023, Apr 2024: the
  gap's variance is opened, an intervention). Tying the gap's growth to the departure
  share instead made the rolling-origin CRPS 2.1x worse (the gap shrank in 2024);
- ``flows``: the month's net flow ``log(1 + grants / registered - departure share)``
  (Eurostat grants, CBS departures), where both are published.

All on the log scale, one month per step (statsmodels' ``MLEModel``, exact diffuse start)::

    level[t]   = level[t-1] + flow[t] + drift + w[t]        w ~ N(0, s_level^2)
    flow[t]    = phi_flow flow[t-1] + f[t]                  f ~ N(0, s_flow^2)
    drift, d   constant (estimated by the filter; diffuse)
    gap_eu[t]  = gap_eu[t-1] + e[t]                         e ~ N(0, s_gap_eu^2), free at clean-ups
    y_source[t] = level[t] (+ d or gap_eu) + v_source[t];   y_flows[t] = flow[t] + v_flows[t]

The drift is what the counts move by beyond grants minus departures (the identity
residual: registration lags, unrecorded departures). Where flows are not published (after
Aug 2024 for grants, between CBS counts for departures) the flow carries on as an AR(1)
whose persistence ``phi_flow`` and step ``s_flow`` the published flows themselves estimate:
a miss in the flows persists for months, and the net flow fades towards zero over years
(a random-walk flow scored worse and put the 18-month band at +-30 %). ``s_level``,
``s_gap_eu``, ``s_flow`` and ``phi_flow`` are estimated by maximum likelihood with a boundary-avoiding
prior on the three sds (:func:`log_prior`): plain maximum likelihood put ``s_level`` at exactly zero
at every backtest origin from 2023 on, and the rolling-origin 80 % bands then held 48 % of the
counts at horizons 1-6 (65 % with the prior; 74 % -> 79 % on synthetic series). Each source's measurement
noise is fixed (:data:`OBS_SD`: what the publication says about its own error; estimating
four more variances from 13 counts ran them to zero). The nowcast at the run's "today" is
the filter's prediction from the last count, so its uncertainty grows with the months
since the last count; the forecast paths continue the same state equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.statespace.mlemodel import MLEModel

from capacity.data import EUROSTAT_CLEANUP_MONTHS
from capacity.errors import DataError
from capacity.i18n import N_

#: Sources of a registered count, in the order of the observation vector (then ``flows``).
SOURCES: tuple[str, ...] = ("rtb_letter", "table_press", "press_rounded", "eurostat")

#: States of the model, in order.
STATES: tuple[str, ...] = ("level", "drift", "offset_table", "gap_eurostat", "flow")

#: Fixed measurement noise of each source (sd of the log count). The letters give an exact
#: register count on a known day: 0.3 % is the growth of half a month (timing within the
#: month). The table to the person: 0.5 % (its day is often inferred). Rounded press
#: figures ("ruim", "bijna", to a thousand): 1.5 % (a thousand on ~100,000 plus the
#: direction of "ruim"/"bijna"). Eurostat's month-end stock, rounded to 5: 0.3 %.
#: The net flow: grants are rounded to 5 and departures spread linearly between CBS counts
#: (the months' real spread is lost): 0.2 % of the stock a month.
OBS_SD: dict[str, float] = {
    "rtb_letter": 0.003,
    "table_press": 0.005,
    "press_rounded": 0.015,
    "eurostat": 0.003,
    "flows": 0.002,
}

#: Positions in the parameter vector of the sds that carry the boundary-avoiding prior.
SD_PRIOR: tuple[int, ...] = (0, 1, 2)
#: Mode of that prior (log per month): a register count of ~100,000 moves by about 1 % a month
#: beyond its flows at most (the letters' counts: 0.5 % a month between Dec 2024 and Jun 2025).
SD_PRIOR_SCALE = 0.01

#: Variance opened on the Eurostat gap in a clean-up month (log scale): a free jump.
CLEANUP_VAR = 1.0

#: What the nowcast and forecast count, named on every page (in English; the catalogue has its Dutch).
TARGET = N_("registered in the BRP with protection under the RTB (ministry letters)")


def observation_frame(
    counts: pd.DataFrame, tp_stock: pd.Series, *, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Arrange the published counts as the model's monthly observations (log, NaN where none).

    Args:
        counts: Registered counts with columns ``date`` (day), ``value`` (persons) and
            ``series`` (``rtb_letter`` | ``table_press``); a ``table_press`` value that is a
            whole thousand counts as ``press_rounded``.
        tp_stock: Eurostat's TP stock by month (persons).
        start: First month of the grid (month start).
        end: Last month of the grid.

    Returns:
        One row per month, one column per :data:`SOURCES` entry; the latest count of a
        source in a month wins.

    """
    months = pd.date_range(start, end, freq="MS")
    frame = pd.DataFrame(np.nan, index=months, columns=list(SOURCES))
    c = counts.sort_values("date", kind="stable")
    for date, value, series in zip(c["date"], c["value"], c["series"], strict=True):
        month = pd.Timestamp(date).to_period("M").to_timestamp()
        if month < start or month > end or not value > 0:
            continue
        source = series
        if series == "table_press" and float(value) % 1000 == 0:
            source = "press_rounded"
        if source not in SOURCES:
            raise DataError(
                f"registered count of {pd.Timestamp(date):%Y-%m-%d}: unknown series {series!r}; "
                f"expected one of rtb_letter, table_press"
            )
        frame.loc[month, source] = np.log(float(value))
    if len(tp_stock):
        stock = tp_stock[(tp_stock.index >= start) & (tp_stock.index <= end)]
        frame.loc[stock.index, "eurostat"] = np.log(stock.to_numpy(dtype=float))
    return frame


class RegisteredStateSpace(MLEModel):  # type: ignore[misc]  # statsmodels ships no types: MLEModel is Any
    """The model of the module docstring.

    Parameters ``s_level``, ``s_gap_eu``, ``s_flow`` (log per month) and ``phi_flow`` (factor).
    """

    def __init__(self, observations: pd.DataFrame, flows: pd.DataFrame):
        endog = np.column_stack(
            [
                observations[list(SOURCES)].to_numpy(dtype=float),
                flows.reindex(observations.index)["flow"].to_numpy(dtype=float),
            ]
        )
        super().__init__(endog, k_states=len(STATES), k_posdef=3, initialization="diffuse")
        self.months = pd.DatetimeIndex(observations.index)
        self["design"] = design_matrix()
        self["transition"] = transition_matrix()
        selection = np.zeros((len(STATES), 3))
        selection[0, 0] = selection[3, 1] = selection[4, 2] = 1.0
        self["selection"] = selection
        self["obs_cov"] = np.diag([OBS_SD[s] ** 2 for s in (*SOURCES, "flows")])
        # statsmodels: state[t+1] = T state[t] + R eta[t], eta[t] from column t: month t+1's clean-up sits in t
        self._cleanup = np.append(np.isin(self.months[1:], list(EUROSTAT_CLEANUP_MONTHS)), False)

    @property
    def param_names(self) -> list[str]:
        """Names of the estimated parameters."""
        return ["s_level", "s_gap_eu", "s_flow", "phi_flow"]

    @property
    def start_params(self) -> np.ndarray:
        """Where the likelihood search starts."""
        return np.array([0.004, 0.004, 0.002, 0.9])

    def transform_params(self, unconstrained: np.ndarray) -> np.ndarray:
        """Map the search space to sds >= 0 and 0 < phi < 1."""
        u = np.asarray(unconstrained, dtype=float)
        return np.concatenate([u[:3] ** 2, [1.0 / (1.0 + np.exp(-u[3]))], u[4:] ** 2])

    def untransform_params(self, constrained: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`transform_params`."""
        c = np.asarray(constrained, dtype=float)
        phi = np.clip(c[3], 1e-6, 1 - 1e-6)
        return np.concatenate([np.sqrt(c[:3]), [np.log(phi / (1 - phi))], np.sqrt(c[4:])])

    def update(self, params: np.ndarray, **kwargs: object) -> np.ndarray:
        """Put the parameters into the state noise and the flow's persistence."""
        params = super().update(params, **kwargs)
        cov = np.zeros((3, 3, self.nobs))
        cov[0, 0] = params[0] ** 2
        cov[1, 1] = np.where(self._cleanup, CLEANUP_VAR, params[1] ** 2)
        cov[2, 2] = params[2] ** 2
        self["state_cov"] = cov
        self["transition", 4, 4] = params[3]
        return params

    def loglike(self, params: np.ndarray, *args: object, **kwargs: object) -> float:
        """Log-likelihood plus the log of the boundary-avoiding prior on the sds (:data:`SD_PRIOR`)."""
        value = super().loglike(params, *args, **kwargs)
        # statsmodels passes its flags as a dict (fit) or as keywords; only ``transformed`` matters here
        flags = args[0] if args and isinstance(args[0], dict) else kwargs
        transformed = flags.get("transformed", args[0] if args and isinstance(args[0], bool) else True)
        return value + log_prior(params if transformed else self.transform_params(params))


def log_prior(params: np.ndarray) -> float:
    """Log density (up to a constant) of the boundary-avoiding prior on the three sds.

    ``log p = sum (log(sd) - sd / SD_PRIOR_SCALE)``: a gamma(2, scale ``SD_PRIOR_SCALE``)
    on each sd of :data:`SD_PRIOR`: zero density at sd = 0, so that a variance the data
    cannot pin down is not estimated as exactly zero (Chung et al. 2013, Psychometrika 78),
    and a mode at the scale, so that one the data do not see at all stays there.
    """
    sds = np.asarray(params, dtype=float)[list(SD_PRIOR)]
    return float(np.sum(np.log(np.maximum(sds, 1e-12)) - sds / SD_PRIOR_SCALE))


def design_matrix() -> np.ndarray:
    """Observation matrix: rows :data:`SOURCES` then ``flows``, columns :data:`STATES`."""
    z = np.zeros((len(SOURCES) + 1, len(STATES)))
    z[:4, 0] = 1.0
    z[1, 2] = z[2, 2] = 1.0
    z[3, 3] = 1.0
    z[4, 4] = 1.0
    return z


def transition_matrix(phi_flow: float = 1.0) -> np.ndarray:
    """State transition: level += drift + flow; the flow decays by ``phi_flow``; the rest carry on."""
    t = np.eye(len(STATES))
    t[0, 1] = t[0, 4] = 1.0
    t[4, 4] = phi_flow
    return t


@dataclass(frozen=True)
class Nowcast:
    """The filtered registered population and what it rests on.

    Attributes:
        months: The model's months (month starts), from the fit start to the last count.
        level: Smoothed log level per month.
        level_sd: Its standard deviation.
        state: Filtered state (:data:`STATES`) at the last month (log scale).
        state_cov: Its covariance.
        params: Estimated ``{s_level, s_gap_eu, s_flow, phi_flow}`` (log per month; phi a factor).
        observations: The observation frame (log) the model saw.
        last_count: Date (day) of the latest count of each source.

    """

    months: pd.DatetimeIndex
    level: np.ndarray
    level_sd: np.ndarray
    state: np.ndarray
    state_cov: np.ndarray
    params: dict[str, float]
    observations: pd.DataFrame
    last_count: dict[str, pd.Timestamp]

    @property
    def last_month(self) -> pd.Timestamp:
        """The last month of the model (the month of the latest count)."""
        return pd.Timestamp(self.months[-1])

    @property
    def drift(self) -> tuple[float, float]:
        """The drift (log/month) and its standard deviation: growth beyond grants minus departures."""
        return float(self.state[1]), float(np.sqrt(max(self.state_cov[1, 1], 0.0)))

    @property
    def offset_table_press(self) -> tuple[float, float]:
        """The table's offset to the letters (log) and its standard deviation."""
        return float(self.state[2]), float(np.sqrt(max(self.state_cov[2, 2], 0.0)))

    def _noise(self) -> np.ndarray:
        """State noise covariance of one month ahead (no clean-up ahead)."""
        q = np.zeros((len(STATES), len(STATES)))
        q[0, 0] = self.params["s_level"] ** 2
        q[3, 3] = self.params["s_gap_eu"] ** 2
        q[4, 4] = self.params["s_flow"] ** 2
        return q

    def predict(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the log level at months 1..``months`` after :attr:`last_month`."""
        t, q = transition_matrix(self.params["phi_flow"]), self._noise()
        x, p = self.state.copy(), self.state_cov.copy()
        means, variances = np.empty(months), np.empty(months)
        for k in range(months):
            x, p = t @ x, t @ p @ t.T + q
            means[k], variances[k] = x[0], p[0, 0]
        return means, variances

    def source_offset(self, source: str) -> tuple[float, float]:
        """Offset (log) and its variance of a source's count relative to the level, for the next months."""
        if source in ("table_press", "press_rounded"):
            mean, sd = self.offset_table_press
            return mean, sd**2
        if source == "rtb_letter":
            return 0.0, 0.0
        raise DataError(f"no forecast of the {source!r} count (its gap to the level is not projected)")

    def simulate(self, months: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        """Sample paths of the log level at months 1..``months`` after :attr:`last_month`, shape (n, months).

        The same state equations as :meth:`predict`: the start state drawn from the filter,
        then level, drift and flow stepped forward with their noise.
        """
        start = rng.multivariate_normal(self.state, self.state_cov, size=n_paths, method="eigh")
        phi, shocks = self.params["phi_flow"], rng.standard_normal((n_paths, months)) * self.params["s_flow"]
        flow = np.empty((n_paths, months))
        previous = start[:, 4]
        for k in range(months):
            previous = phi * previous + shocks[:, k]
            flow[:, k] = previous
        steps = flow + start[:, 1:2] + rng.standard_normal((n_paths, months)) * self.params["s_level"]
        return start[:, :1] + np.cumsum(steps, axis=1)


def flow_inputs(wide: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Return the published net flow per month (log scale; NaN where not published).

    Args:
        wide: :func:`capacity.data.history_wide` (columns ``arrivals``, ``departures``,
            ``registered``; NaN where unpublished).
        months: The months to give them for.

    Returns:
        ``flow`` = ``log(1 + grants / registered - departures / registered)`` (registered:
        the previous month's count, interpolated between counts) where grants and departures
        are both published, else NaN.

    """
    cols = {
        c: wide[c] if c in wide else pd.Series(np.nan, index=wide.index)
        for c in ("registered", "arrivals", "departures")
    }
    reg = cols["registered"].ffill().bfill()
    prev = reg.shift().fillna(reg)
    arr_share = (cols["arrivals"] / prev).reindex(months)
    dep_share = (cols["departures"] / prev).reindex(months)
    return pd.DataFrame({"flow": np.log1p(arr_share - dep_share)}, index=months)


def fit_nowcast(
    counts: pd.DataFrame,
    tp_stock: pd.Series,
    wide: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp | None = None,
) -> Nowcast:
    """Fit the state-space model on the counts from ``start`` to the last count (or ``end``).

    Args:
        counts: Registered counts (``date``, ``value``, ``series``), e.g. from
            :func:`capacity.data.registered_counts`.
        tp_stock: Eurostat's TP stock by month (persons).
        wide: The monthly history (:func:`capacity.data.history_wide`): the published flows
            (:func:`flow_inputs`).
        start: First month of the model.
        end: Last month (default: the month of the latest count).

    Raises:
        DataError: With no count of the target series (``rtb_letter``) in the window.

    """
    start = pd.Timestamp(start).to_period("M").to_timestamp()
    known = counts[counts["value"].notna() & (pd.to_datetime(counts["date"]) >= start)]
    if end is None:
        if known.empty:
            raise DataError(f"no registered count from {start:%Y-%m} on: nothing to nowcast from")
        end = pd.Timestamp(known["date"].max()).to_period("M").to_timestamp()
    obs = observation_frame(known, tp_stock, start=start, end=pd.Timestamp(end))
    if obs["rtb_letter"].notna().sum() < 1:
        raise DataError(
            f"no count of the ministry letters (series rtb_letter) from {start:%Y-%m} to "
            f"{pd.Timestamp(end):%Y-%m}: the target of the nowcast is not observed"
        )
    model = RegisteredStateSpace(obs, flow_inputs(wide, obs.index))
    # Nelder-Mead: the same optimum as L-BFGS on the real and synthetic series, in about half
    # the time (L-BFGS spends it on numerical gradients; a log-likelihood costs 0.4 ms)
    res = model.fit(disp=False, maxiter=2000, method="nm", cov_type="none")
    smooth, cov = res.smoothed_state, res.smoothed_state_cov
    last = {
        s: pd.Timestamp(d)
        for s, d in (
            ("rtb_letter", known.loc[known["series"] == "rtb_letter", "date"].max()),
            ("table_press", known.loc[known["series"] == "table_press", "date"].max()),
            ("eurostat", tp_stock.index.max() if len(tp_stock) else pd.NaT),
        )
        if pd.notna(d)
    }
    return Nowcast(
        months=obs.index,
        level=smooth[0],
        level_sd=np.sqrt(np.maximum(cov[0, 0], 0.0)),
        state=np.asarray(res.filtered_state[:, -1], dtype=float),
        state_cov=np.asarray(res.filtered_state_cov[:, :, -1], dtype=float),
        params=dict(zip(model.param_names, np.asarray(res.params, dtype=float), strict=True)),
        observations=obs,
        last_count=last,
    )
