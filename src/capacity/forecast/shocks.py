"""Scenario shocks: time profiles and their effect on arrivals and the departure rate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from capacity.data import months_between
from capacity.params.forecast import Shock


def profile(shock: Shock, dates: pd.DatetimeIndex) -> np.ndarray:
    """Return the shock's strength (0..1) in each month of ``dates``.

    See :class:`~capacity.params.forecast.Shock` for the shapes.
    """
    dates = pd.DatetimeIndex(dates)
    start = pd.Timestamp(shock.start)
    k = np.asarray(months_between(start, dates), dtype=float)
    active = k >= 0
    if shock.duration_months is not None:
        active &= k < shock.duration_months
    if shock.shape in ("step", "pulse"):
        p = np.ones_like(k)
    elif shock.shape == "ramp":
        if shock.duration_months is None:  # refused on load (params.forecast.Shock): never reached
            raise ValueError(f"shock {shock.name!r}: a ramp needs duration_months")
        p = np.minimum((k + 1) / shock.duration_months, 1.0)
        # A ramp stays at full size after it has built up (until the horizon ends).
        active = k >= 0
    else:  # decay
        p = 0.5 ** (np.maximum(k, 0) / shock.half_life_months)
    return np.where(active, p, 0.0)


def apply_shocks(
    values: np.ndarray,
    dates: pd.DatetimeIndex,
    shocks: tuple[Shock, ...] | list[Shock],
    target: str,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Apply the shocks aimed at ``target`` to sample paths.

    Multipliers act first (they compose by multiplication), then absolute additions.
    Each shock's size is drawn once per path.

    Args:
        values: Paths of the target, shape (n_paths, h), original scale.
        dates: Months of the columns.
        shocks: All scenario shocks; those with another target are ignored.
        target: ``arrivals`` or ``departure_rate``.
        rng: Random generator for the uncertain sizes.

    Returns:
        The shocked paths (a new array), never negative; a rate never above 1.

    """
    out = np.array(values, dtype=float, copy=True)
    mine = [s for s in shocks if s.target == target]
    n = out.shape[0]
    for s in (s for s in mine if s.kind == "multiplier"):
        size = s.size.sample(n, rng)[:, None]
        out *= 1.0 + (size - 1.0) * profile(s, dates)[None, :]
    for s in (s for s in mine if s.kind == "absolute"):
        size = s.size.sample(n, rng)[:, None]
        out += size * profile(s, dates)[None, :]
    out = np.maximum(out, 0.0)
    return np.minimum(out, 1.0) if target == "departure_rate" else out
