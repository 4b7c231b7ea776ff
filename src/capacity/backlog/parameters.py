"""Inputs of a backlog run: random draws, per-path parameter values, capacity plans, penalties.

Common random numbers: :func:`draw` takes all uniforms for the uncertain parameters (in
the fixed order of :data:`UNCERTAIN`, whether a scenario fixes them or not) and all
monthly normals up front, and parameters are obtained by inverse CDF. Two policies run on
the same :class:`Draws` therefore differ only by the policy, not by noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from capacity.distributions import quantile
from capacity.errors import ParameterError
from capacity.params.backlog import BacklogConfig

DAYS_PER_MONTH = 365.25 / 12

#: Uncertain parameters, in the fixed order in which their uniforms are drawn.
UNCERTAIN: tuple[str, ...] = (
    "persons_per_case",
    "simple_case_share",
    "return_rate_per_month",
    "permit_uptake_share",
    "permit_uptake_months",
    "departure_rate_per_month",
    "ind_capacity_realisation",
    "regular_backlog_cases",
    "regular_inflow_per_year",
    "grant_share",
    "appeal_share",
    "appeal_months_mean",
    "appeal_success_share",
    "dtv_capacity_realisation",
    "permit_capacity_realisation",
    "notice_share",
)
#: Monthly noise series, in the order of ``Draws.normals[:, i]``.
NOISE_SERIES: tuple[str, ...] = ("ind_capacity", "regular_inflow", "dtv_capacity")

#: Range of every uncertain parameter (a distribution outside it is an error).
_BOUNDS: dict[str, tuple[float, float]] = {
    "persons_per_case": (1e-9, np.inf),
    "simple_case_share": (0, 1),
    "return_rate_per_month": (0, 1),
    "permit_uptake_share": (0, 1),
    "permit_uptake_months": (0, np.inf),
    "departure_rate_per_month": (0, 1),
    "ind_capacity_realisation": (0, np.inf),
    "regular_backlog_cases": (0, np.inf),
    "regular_inflow_per_year": (0, np.inf),
    "grant_share": (0, 1),
    "appeal_share": (0, 1),
    "appeal_months_mean": (1e-9, np.inf),
    "appeal_success_share": (0, 1),
    "dtv_capacity_realisation": (0, np.inf),
    "permit_capacity_realisation": (0, np.inf),
    "notice_share": (0, 1),
}


@dataclass(frozen=True)
class Draws:
    """All random numbers of a run, drawn up front for common random numbers.

    Attributes:
        uniforms: Shape (len(UNCERTAIN), n_paths); row ``i`` feeds ``UNCERTAIN[i]``.
        normals: Shape (n_months, 3, n_paths): IND capacity, regular inflow, DT&V capacity.
    """

    uniforms: np.ndarray
    normals: np.ndarray

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return int(self.uniforms.shape[1])

    @property
    def n_months(self) -> int:
        """Number of months."""
        return int(self.normals.shape[0])


def draw(n_paths: int, n_months: int, *, rng: np.random.Generator) -> Draws:
    """Draw every random number a run needs, in a fixed order independent of the policy."""
    uniforms = rng.random((len(UNCERTAIN), n_paths))
    normals = rng.standard_normal((n_months, len(NOISE_SERIES), n_paths))
    return Draws(uniforms=uniforms, normals=normals)


def parameter_values(cfg: BacklogConfig, uniforms: np.ndarray) -> dict[str, np.ndarray]:
    """Per-path values of the uncertain parameters, ``{name: array (n_paths,)}``.

    Raises:
        ParameterError: If a distribution puts values outside the parameter's range.
    """
    values: dict[str, np.ndarray] = {}
    for i, name in enumerate(UNCERTAIN):
        x = quantile(getattr(cfg, name), uniforms[i])
        lo, hi = _BOUNDS[name]
        if np.any(x < lo - 1e-12) or np.any(x > hi + 1e-12):
            raise ParameterError(
                f"backlog.{name} must lie in [{lo}, {hi}]; its distribution "
                f"{getattr(cfg, name).model_dump(exclude_none=True)} gives values from "
                f"{x.min():.4g} to {x.max():.4g}"
            )
        values[name] = x
    return values


def with_changes(cfg: BacklogConfig, **update: Any) -> BacklogConfig:
    """Return a validated copy of ``cfg`` with ``update`` applied (a policy or a trial)."""
    data = cfg.model_dump()
    data.update(update)
    return BacklogConfig.model_validate(data)


def trial(cfg: BacklogConfig, **update: Any) -> BacklogConfig:
    """Return ``cfg`` with a solver's trial capacity, unvalidated.

    The plausible ranges of planner input (e.g. at most a million decisions a month) must
    not bound a search bracket: for a large cohort the solver's first trial is above them.
    """
    return cfg.model_copy(update=update)


def penalty_per_case(days_late: np.ndarray | float, cfg: BacklogConfig) -> np.ndarray:
    """Penalty owed for one case decided ``days_late`` days after its term ended (EUR).

    The penalty runs from ``notice_lag_days + penalty_grace_days`` after the end of the
    term, at the per-day steps of ``penalty_eur_per_day`` (each ``penalty_step_days``
    long, the last step continuing), and is capped at ``penalty_cap_eur`` (Awb art.
    4:17: 14 x 23 + 14 x 35 + 14 x 45 = EUR 1,442).
    """
    days = np.maximum(np.asarray(days_late, dtype=float) - cfg.notice_lag_days - cfg.penalty_grace_days, 0.0)
    total = np.zeros_like(days)
    start = 0.0
    rates = cfg.penalty_eur_per_day
    for i, rate in enumerate(rates):
        length = np.inf if i == len(rates) - 1 else cfg.penalty_step_days
        total += rate * np.clip(days - start, 0.0, length)
        start += length
    return np.minimum(total, cfg.penalty_cap_eur)


def carried_series(values: Sequence[float], n_months: int) -> np.ndarray:
    """Return ``n_months`` values from ``values``, the last carried on."""
    arr = np.asarray(values, dtype=float)
    idx = np.minimum(np.arange(n_months), len(arr) - 1)
    return arr[idx]


def planned_capacity(cfg: BacklogConfig, n_months: int) -> np.ndarray:
    """Planned IND first-instance capacity per month from the TPD end (decisions/month)."""
    if cfg.ind_capacity_series:
        return carried_series(cfg.ind_capacity_series, n_months)
    base = cfg.ind_decisions_per_month
    if cfg.ind_ramp_target_per_month is None:
        return np.full(n_months, base)
    target = cfg.ind_ramp_target_per_month
    if cfg.ind_ramp_months == 0:
        return np.full(n_months, target)
    frac = np.minimum(1.0, (np.arange(n_months) + 1) / cfg.ind_ramp_months)
    return base + (target - base) * frac


def noise(z: np.ndarray, sd: float) -> np.ndarray:
    """Mean-one lognormal multiplier of standard normals ``z`` with log-sd ``sd``."""
    if sd == 0:
        return np.ones_like(z)
    return np.exp(sd * z - 0.5 * sd * sd)
