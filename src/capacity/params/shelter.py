"""Schema section `shelter`: Municipal shelter stock-flow, places and capacity-planning settings."""

from __future__ import annotations

from capacity.params.base import Frozen, param  # noqa: F401


class ShelterConfig(Frozen):
    """Municipal shelter stock-flow, places and capacity-planning settings."""
