"""Forecast vintages: the store of every run's forecasts, what changed, track record, early warning.

Modules: :mod:`~capacity.vintages.store` (the DuckDB store: schema, migration, append, list,
export, prune), :mod:`~.changes` (what changed between two vintages; pure),
:mod:`~.track` (earlier forecasts scored on later observations; pure), :mod:`~.warnings`
(the early-warning triggers of ``params.warnings``; pure) and :mod:`~.record` (the one
call after a run: append, compare, score, evaluate, write ``vintages.json`` and
``warnings.json``).
"""

from __future__ import annotations

from capacity.vintages.record import notify, record_run
from capacity.vintages.store import default_path

__all__ = ["default_path", "notify", "record_run"]
