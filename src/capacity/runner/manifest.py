"""The run's provenance, ``<run>/manifest.json``: what ran, on which inputs, how it ended.

Data provenance is per scenario: the data files a scenario reads are the ones the one
resolver, :func:`capacity.data.data_files` of the scenario's ``data`` section, names (the
same call the loaders make), each with its SHA-256, and the data vintage is worked out from
those files. The run-level ``data_files`` lists every file any scenario read (with the
scenarios that read it) and ``data_vintage`` is the scenarios' vintage (one per scenario
when they differ).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import capacity
from capacity import params, project
from capacity.runner.outcome import JobResult
from capacity.runner.plan import Job, Plan
from capacity.runner.publish import now_iso

logger = logging.getLogger(__name__)


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def git_commit(root: Path | None = None) -> str:
    """Return the git commit of the project (with ``+dirty`` if files changed), or ``unknown``."""
    root = root or project.project_root()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        # The notebooks' clean filter (capacity.lab.hygiene: one Python start a notebook) would run
        # on every notebook git cannot trust by its stat data, e.g. in a fresh clone: 39 s for a
        # `git status` in a new worktree under load, past the timeout, so every run paid it again.
        # Compared as stored (``cat``), a notebook saved with outputs counts as a change: "+dirty"
        # errs on the safe side.
        dirty = subprocess.run(
            ["git", "-c", "filter.capacity-notebook.clean=cat", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


#: Manifest keys whose values are file paths: written relative to the run, the project or the package.
_PATH_KEYS = frozenset({"path", "log", "html", "ipynb", "pdf", "params_file", "store"})


def public_paths(value: Any, run_dir: Path) -> Any:
    """Return ``value`` (a manifest) with every path relative: no absolute machine path is published.

    Inside the reports folder: relative to the run (``baseline/01_data.html``,
    ``../logs/<run-id>.log``); else relative to the project (``params/baseline.yaml``), else
    to the installed package (``capacity/datasets/...``), else the file name.
    """
    if isinstance(value, Mapping):
        return {
            k: (_public_path(v, run_dir) if k in _PATH_KEYS and isinstance(v, str) else public_paths(v, run_dir))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [public_paths(v, run_dir) for v in value]
    return value


def _public_path(text: str, run_dir: Path) -> str:
    path = Path(text)
    if not path.is_absolute():
        return text
    run = Path(run_dir).resolve()
    if path.resolve().is_relative_to(run.parent):
        return Path(os.path.relpath(path.resolve(), run)).as_posix()
    return project.relative(path, project.project_root(), project.templates_dir().parents[1])


def write_manifest(run_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``<run>/manifest.json`` atomically, with paths relative (:func:`public_paths`)."""
    path = run_dir / "manifest.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(public_paths(manifest, run_dir), indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def data_vintage(paths: Mapping[str, Path]) -> str:
    """Return the last month with data per variable (:func:`capacity.data.quality.data_end`), as text.

    Args:
        paths: ``{name: path}`` of the data files, as :func:`capacity.data.data_files` resolves them.

    """
    from capacity import data

    names = {name: str(path) for name, path in paths.items()}
    try:
        history = data.load_history(None, names)
    except Exception as exc:  # noqa: BLE001 - provenance must not break a run
        logger.info("data vintage unavailable: %s", exc)
        return f"unknown ({type(exc).__name__}: {exc})"
    from capacity.data.quality import data_end

    return "; ".join(f"{var} to {date:%Y-%m}" for var, date in data_end(history).items())


class DataProvenance:
    """The data files each scenario reads, hashed once each, and their vintage."""

    def __init__(self) -> None:
        self._hashes: dict[Path, str] = {}
        self._vintages: dict[tuple[tuple[str, str], ...], str] = {}

    def of_scenario(self, scn: Any) -> dict[str, Any]:
        """Return ``{"data_files", "data_missing", "data_vintage"}`` of a loaded scenario.

        ``data_files``: ``[{"name", "path", "sha256"}]`` of the files that exist;
        ``data_missing``: names whose resolved file does not exist.
        """
        from capacity import data

        paths = data.data_files(scn.data.data_dir, scn.data.files)
        files = [
            {"name": name, "path": str(path), "sha256": self._sha256(path)}
            for name, path in paths.items()
            if path.is_file()
        ]
        key = tuple(sorted((name, str(path)) for name, path in paths.items()))
        if key not in self._vintages:
            self._vintages[key] = data_vintage(paths)
        return {
            "data_files": files,
            "data_missing": [name for name, path in paths.items() if not path.is_file()],
            "data_vintage": self._vintages[key],
        }

    def _sha256(self, path: Path) -> str:
        path = Path(path).resolve()
        if path not in self._hashes:
            self._hashes[path] = sha256(path)
        return self._hashes[path]


def run_data_files(scenarios: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return every data file any scenario read, once, with the names of those scenarios."""
    files: dict[str, dict[str, Any]] = {}
    for entry in scenarios:
        for f in entry["data_files"]:
            files.setdefault(f["path"], {**f, "scenarios": []})["scenarios"].append(entry["name"])
    return list(files.values())


def run_data_vintage(scenarios: Sequence[Mapping[str, Any]]) -> str:
    """Return the scenarios' data vintage; one per scenario (``name: vintage``) when they differ."""
    vintages = {entry["name"]: entry["data_vintage"] for entry in scenarios}
    if len(set(vintages.values())) <= 1:
        return next(iter(vintages.values()), "")
    return " | ".join(f"{name}: {vintage}" for name, vintage in vintages.items())


def start_manifest(
    run_dir: Path,
    the_plan: Plan,
    job_list: Sequence[Job],
    *,
    log_path: Path | None = None,
    executor: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the provenance record of a starting run (status ``running``)."""
    scenarios = _scenario_entries(the_plan)
    return {
        "run_id": run_dir.name,
        "status": "running",
        "pid": os.getpid(),  # a later run marks this run interrupted once this pid is gone
        "host": socket.gethostname(),
        "started": now_iso(),
        "ended": None,
        "seconds": None,
        "package_version": capacity.__version__,
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "log": str(log_path) if log_path else None,
        "params_files": _params_files(the_plan),
        "data_files": run_data_files(scenarios),
        "data_vintage": run_data_vintage(scenarios),
        "scenarios": scenarios,
        "notebooks": [
            {"name": nb.name, "per": nb.per, "path": str(nb.source), "sha256": sha256(nb.source)}
            for nb in the_plan.notebooks
        ],
        "municipalities": [code for code, _ in the_plan.municipalities],
        "jobs": [{"key": j.key, "status": "pending"} for j in job_list],
        "counts": {"total": len(job_list), "ok": 0, "failed": 0},
        "executor": dict(executor or {}),
    }


def _scenario_entries(the_plan: Plan) -> list[dict[str, Any]]:
    """Return one manifest entry per scenario: its parameter file, seed and data."""
    provenance = DataProvenance()
    entries = []
    for s in the_plan.scenarios:
        entries.append(
            {
                "name": s.name,
                "title": s.title,
                "title_nl": s.title_in("nl"),
                "params_file": str(s.params_path),
                "params_sha256": sha256(s.params_path),
                "seed": s.seed,
                "language": s.language,
                **provenance.of_scenario(s.load()),
            }
        )
    return entries


def _params_files(the_plan: Plan) -> list[dict[str, str]]:
    """Return the baseline and every scenario file with the files it extends, with SHA-256."""
    chain = [params.BASELINE_PATH]
    for spec in the_plan.scenarios:
        chain += _extends_chain(spec.params_path)
    return [{"path": str(path), "sha256": sha256(path)} for path in dict.fromkeys(Path(p).resolve() for p in chain)]


def _extends_chain(path: Path) -> list[Path]:
    """Return ``path`` and every file it ``extends`` (each merged onto the next), nearest first."""
    chain: list[Path] = []
    while path is not None and path not in chain:
        chain.append(path)
        parent = params.read_yaml(path).get("extends")
        path = (path.parent / parent).resolve() if isinstance(parent, str) else None
    return chain


def finish_manifest(
    manifest: dict[str, Any],
    status: str,
    results: Mapping[str, JobResult],
    headlines: Mapping[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """Return the manifest with the outcome of every job filled in."""
    jobs = []
    for entry in manifest["jobs"]:
        res = results.get(entry["key"])
        jobs.append(res.to_dict() if res else {"key": entry["key"], "status": "not run"})
    extra = [r.to_dict() for k, r in results.items() if k not in {j["key"] for j in manifest["jobs"]}]
    ok = sum(j["status"] == "ok" for j in jobs)
    return {
        **manifest,
        "status": status,
        "ended": now_iso(),
        "seconds": round(seconds, 3),
        "jobs": jobs + extra,
        "headline": dict(headlines),
        "counts": {"total": len(jobs), "ok": ok, "failed": len(jobs) - ok},
    }


def report_context(manifest: Mapping[str, Any], the_plan: Plan) -> dict[str, Any]:
    """Return what every report's provenance section shows (run facts, parameters, data used).

    Each scenario's ``run`` entry carries that scenario's own data files and vintage.
    """
    run = {k: manifest[k] for k in ("run_id", "started", "package_version", "git_commit")}
    scenarios = {}
    for entry in manifest["scenarios"]:
        spec = next(s for s in the_plan.scenarios if s.name == entry["name"])
        table = params.describe(spec.load(), spec.language)  # units and meanings in the pages' language
        scenarios[entry["name"]] = {
            **entry,
            "parameters_html": table.to_html(index=False, border=0),
            "run": {**run, "data_vintage": entry["data_vintage"], "data_files": entry["data_files"]},
        }
    return {
        "run_dir": None,
        "run": {**run, "data_vintage": manifest["data_vintage"], "data_files": manifest["data_files"]},
        "scenarios": scenarios,
    }
