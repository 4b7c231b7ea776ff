"""Pickle files of a scenario's computed results (used by :mod:`capacity.pipeline` only)."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def save_pickle(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` to ``path`` atomically: a unique temp file, then rename.

    The temp file is unique, so two processes writing the same cache (two scenarios of a
    run sharing one backtest) never interleave; the last rename wins with a whole file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_pickle(path: str | Path) -> Any:
    """Read an object written by :func:`save_pickle` (the run's own cache files only)."""
    with Path(path).open("rb") as fh:
        return pickle.load(fh)  # noqa: S301 - our own cache files only
