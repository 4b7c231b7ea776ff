"""Pickle files of a scenario's computed results (used by :mod:`capacity.pipeline` only)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any


def save_pickle(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` to ``path`` atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def load_pickle(path: str | Path) -> Any:
    """Read an object written by :func:`save_pickle`."""
    with Path(path).open("rb") as fh:
        return pickle.load(fh)  # noqa: S301 - our own cache files only
