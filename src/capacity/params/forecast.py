"""Schema section `forecast`: Arrivals and departures forecast settings and scenario shocks."""

from __future__ import annotations

from capacity.params.base import Frozen, param  # noqa: F401


class ForecastConfig(Frozen):
    """Arrivals and departures forecast settings and scenario shocks."""
