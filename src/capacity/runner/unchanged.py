"""Skip a run whose inputs equal those of the run ``latest`` points at: "nothing changed".

A run's *inputs* are what its reports are computed from: per scenario the merged, validated
parameters and the SHA-256 of every data file it reads; the code (the package version and a
hash of the installed package's files: modules, templates, shipped data); the notebooks
(their SHA-256); the jobs (scenarios x notebooks x municipalities) and the extra notebook
parameters. :func:`fingerprint` collects them in a second or less, :func:`write` keeps them in
``<run>/inputs.json``, and :func:`unchanged_since` compares them with ``latest``'s. The
runner then ends at once with status ``unchanged`` instead of recomputing identical
figures (``capacity run --force`` runs anyway).

Only a complete whole-suite run moves ``latest``, so the comparison is always with the last
run whose reports were all published; a failed run never counts as "the last run".
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import capacity
from capacity import params

logger = logging.getLogger(__name__)

#: The file in a run folder that holds its inputs.
INPUTS_FILE = "inputs.json"
#: Files of the package that make the "code" of a run (everything a kernel may read from it).
_CODE_SUFFIXES = frozenset({".py", ".j2", ".html", ".css", ".js", ".csv", ".json", ".yaml", ".tpl"})


def _sha256_file(path: Path, digest: Any | None = None) -> str:
    digest = digest or hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_sha256(root: Path | None = None) -> str:
    """Return one SHA-256 over the package's files (path and bytes of each, in sorted order)."""
    root = Path(root or Path(capacity.__file__).parent)
    digest = hashlib.sha256()
    for path in sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _scenario_inputs(scn: params.Scenario) -> dict[str, Any]:
    from capacity import data
    from capacity.errors import CapacityError

    text = json.dumps(params.dump(scn), sort_keys=True, default=str)
    try:
        files = data.data_files(scn.data.data_dir, scn.data.files)
        hashes = {name: (_sha256_file(p) if p.is_file() else "missing") for name, p in sorted(files.items())}
    except (CapacityError, OSError) as exc:  # the run reports it; never "unchanged" on unreadable data
        hashes = {"unreadable": f"{type(exc).__name__}: {exc} ({id(exc)})"}
    return {"params_sha256": hashlib.sha256(text.encode()).hexdigest(), "data": hashes}


def fingerprint(the_plan: Any) -> dict[str, Any]:
    """Return the inputs of a planned run (see the module text), with one ``sha256`` over them all."""
    content = {
        "package_version": capacity.__version__,
        "code_sha256": code_sha256(),
        "notebooks": {nb.name: _sha256_file(nb.source) for nb in the_plan.notebooks},
        "scenarios": {s.name: _scenario_inputs(s.load()) for s in the_plan.scenarios},
        "jobs": sorted(job.key for job in the_plan.jobs(Path("run"))),
        "extra_parameters": json.loads(json.dumps(the_plan.extra_parameters, sort_keys=True, default=str)),
    }
    text = json.dumps(content, sort_keys=True)
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), **content}


def write(run_dir: Path, inputs: Mapping[str, Any]) -> Path:
    """Write ``<run>/inputs.json``."""
    path = Path(run_dir) / INPUTS_FILE
    path.write_text(json.dumps(inputs, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read(run_dir: Path) -> dict[str, Any] | None:
    """Return a run's inputs, or None when it has none (older runs) or they do not read."""
    try:
        return json.loads((Path(run_dir) / INPUTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def unchanged_since(reports_dir: Path, inputs: Mapping[str, Any]) -> Path | None:
    """Return ``latest``'s run folder when its inputs equal ``inputs``, else None.

    A run whose vintage is still kept beside it (the store was busy) is never "unchanged":
    the next run must store it.
    """
    from capacity.vintages.store import PENDING

    latest = Path(reports_dir) / "latest"
    if not latest.is_dir() or any(Path(reports_dir).glob(f"*/{PENDING}")):
        return None
    run_dir = latest.resolve()
    before = read(run_dir)
    if before is None or before.get("sha256") != inputs.get("sha256"):
        return None
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return run_dir if manifest.get("status") == "ok" else None


def what_changed(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """Name what differs between two runs' inputs, in words (for the log)."""
    if before is None:
        return ["no earlier run with recorded inputs"]
    out = [
        key
        for key in ("package_version", "code_sha256", "jobs", "extra_parameters")
        if before.get(key) != after.get(key)
    ]
    out += [
        f"notebook {name}"
        for name in sorted(set(before.get("notebooks", {})) | set(after.get("notebooks", {})))
        if before.get("notebooks", {}).get(name) != after.get("notebooks", {}).get(name)
    ]
    for name, now in after.get("scenarios", {}).items():
        then = before.get("scenarios", {}).get(name, {})
        if then.get("params_sha256") != now["params_sha256"]:
            out.append(f"{name}: parameters")
        out += [f"{name}: data file {f}" for f, sha in now["data"].items() if then.get("data", {}).get(f) != sha]
    return out
