"""Authenticated cache files of a scenario's computed results (used by :mod:`capacity.pipeline`).

The results (:class:`~capacity.pipeline.ScenarioResults`: DataFrames, numpy arrays and
the validated scenario) are pickled, and unpickling runs code: so a cache file is only
ever loaded after its HMAC-SHA256 checks out against a secret key that exists only in the
process that wrote it and its children (environment variable :data:`KEY_ENV`, a fresh
random key per run, see :func:`new_key`). A file written or changed by anyone else is
refused with :class:`CacheError`. The runner also keeps these files out of ``reports/``,
in a private folder (mode 0700, :func:`private_dir`) that it removes after the run.

File layout: ``MAGIC`` + 64 hex digits of the HMAC of the payload + newline + payload.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path
from typing import Any

from capacity.errors import DataError

#: Environment variable holding the hex key that signs and checks cache files.
KEY_ENV = "CAPACITY_CACHE_KEY"
MAGIC = b"capacity-cache-hmac-sha256 v1\n"
_DIGEST_LEN = 64


class CacheError(DataError):
    """A cache file is not authentic (wrong key, changed, truncated) or cannot be checked."""


def new_key() -> str:
    """Set a fresh random key in this process's environment (inherited by its workers and kernels)."""
    key = secrets.token_hex(32)
    os.environ[KEY_ENV] = key
    return key


def _key(*, create: bool) -> bytes:
    key = os.environ.get(KEY_ENV)
    if not key:
        if not create:
            raise CacheError(
                f"no cache key in ${KEY_ENV}: a cache file can only be read by the run (or the process) that wrote it"
            )
        key = new_key()
    return key.encode("ascii")


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).hexdigest().encode("ascii")


def save_pickle(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` to ``path``, signed, atomically: a unique temp file (mode 0600), then rename.

    The temp file is unique, so two processes writing the same cache (two scenarios of a
    run sharing one backtest) never interleave; the last rename wins with a whole file.
    Without a key in ``$CAPACITY_CACHE_KEY`` a new one is made for this process.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    signature = _mac(_key(create=True), payload)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + signature + b"\n")
            fh.write(payload)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_pickle(path: str | Path) -> Any:
    """Read an object written by :func:`save_pickle`, after checking its HMAC.

    Raises:
        CacheError: The file was not written with this run's key, or was changed since;
            nothing of it is unpickled.

    """
    path = Path(path)
    blob = path.read_bytes()
    head = len(MAGIC) + _DIGEST_LEN + 1
    if not blob.startswith(MAGIC) or len(blob) < head or blob[head - 1 : head] != b"\n":
        raise CacheError(
            f"{path}: not a signed capacity cache file; refused (delete it, or run again without --keep-cache)"
        )
    signature, payload = blob[len(MAGIC) : head - 1], blob[head:]
    if not hmac.compare_digest(signature, _mac(_key(create=False), payload)):
        raise CacheError(
            f"{path}: the cache file's signature does not match this run's key "
            "(changed, or written by another run); refused, nothing loaded"
        )
    return pickle.loads(payload)  # noqa: S301 - authenticated above: written by this run


def private_dir(name: str, *, root: str | Path | None = None) -> Path:
    """Return a private folder (mode 0700, this user only) for a run's cache, outside ``reports/``.

    Args:
        name: The folder's name, e.g. ``<run-id>-<hash of the run folder>``.
        root: Where to put it; default ``$XDG_CACHE_HOME/capacity/runs`` (``~/.cache``),
            or the system temp folder if that cannot be created.

    """
    base = Path(root) if root else cache_root()
    path = base / name
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid != os.getuid():
        raise CacheError(f"{path}: the cache folder belongs to another user; refused")
    path.chmod(0o700)
    return path


def cache_root() -> Path:
    """Return the folder holding the runs' private caches (created 0700 if needed)."""
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for base in (Path(xdg) / "capacity" / "runs", Path(tempfile.gettempdir()) / f"capacity-{os.getuid()}" / "runs"):
        try:
            base.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.access(base, os.W_OK):
                return base
        except OSError:
            continue
    raise CacheError(f"no writable cache folder: {xdg}/capacity/runs nor the temp folder")
