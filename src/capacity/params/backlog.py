"""Schema section `backlog`: Post-TPD IND/DT&V backlog model settings."""

from __future__ import annotations

from capacity.params.base import Frozen, param  # noqa: F401


class BacklogConfig(Frozen):
    """Post-TPD IND/DT&V backlog model settings."""
