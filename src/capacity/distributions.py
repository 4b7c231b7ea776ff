"""Values of uncertain parameters: the one place that turns a ``Distribution`` into numbers.

Two ways in:

- :func:`quantile` maps uniforms to values by inverse CDF, so a model can draw all its
  uniforms up front (common random numbers: a fixed parameter still consumes its uniform);
- :func:`sample` draws ``n`` values of a share from a generator, or takes the central
  value on every path when no generator is given.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy import special, stats

from capacity.params.base import Distribution

log = logging.getLogger(__name__)

__all__ = ["quantile", "sample"]


def quantile(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of ``dist`` at uniforms ``u`` in [0, 1] (same shape as ``u``)."""
    if dist.kind == "fixed":
        return np.full(u.shape, float(dist.value))
    if dist.kind == "uniform":
        return dist.low + (dist.high - dist.low) * u
    if dist.kind == "triangular":
        lo, mode, hi = dist.low, dist.mode, dist.high
        if hi == lo:
            return np.full(u.shape, float(lo))
        cut = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
        return np.where(u < cut, left, right)
    if dist.kind == "beta":
        lo = 0.0 if dist.low is None else dist.low
        hi = 1.0 if dist.high is None else dist.high
        return lo + (hi - lo) * stats.beta.ppf(u, dist.a, dist.b)
    return dist.median * np.exp(dist.sigma * special.ndtri(np.clip(u, 1e-12, 1 - 1e-12)))


def sample(dist: Distribution, n: int, rng: np.random.Generator | None) -> np.ndarray:
    """Draw ``n`` values of a share, clipped to [0, 1].

    Without ``rng`` every value is the distribution's central value (a deterministic
    run); an uncertain distribution then logs that its spread is not used.
    """
    if rng is None:
        if dist.kind != "fixed":
            log.info("no rng given: the uncertain rate uses its central value %s on every path", dist.central)
        return np.full(n, dist.central)
    return np.clip(dist.sample(n, rng), 0.0, 1.0)
