"""Each run keeps its inputs: the parameter files as they were, and the merged scenario.

The manifest records the SHA-256 of every parameter file; this keeps the files themselves,
so a report can be reproduced (or questioned) after ``params/`` has moved on::

    <run>/<scenario>/inputs/params/baseline.yaml             the files, byte for byte:
    <run>/<scenario>/inputs/params/scenarios/ceasefire.yaml  the scenario and all it extends
    <run>/<scenario>/inputs/scenario.yaml                    the merged, validated scenario

Files inside the project keep their path relative to it; a file from elsewhere keeps its
name under ``inputs/other/``. ``scenario.yaml`` is the validated model with every default
filled in (:func:`capacity.params.to_yaml`): the record of what was computed, and itself a
parameter file that ``capacity run`` or :func:`capacity.params.load` accepts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from capacity import params, project
from capacity.runner.plan import ScenarioSpec

__all__ = ["INPUTS", "copy_inputs", "extends_chain"]

#: Folder of a scenario's inputs inside the run.
INPUTS = "inputs"
_HEADER = (
    "# The merged, validated scenario this run computed (every default filled in).\n"
    "# Written by the runner; it loads as a parameter file (or use the files beside it under params/).\n"
)


def extends_chain(path: Path | str) -> list[Path]:
    """Return the baseline, then every file ``path`` extends, then ``path`` itself (each once)."""
    chain: list[Path] = []
    current: Path | None = Path(path).resolve()
    while current is not None and current not in chain:
        chain.append(current)
        parent = params.read_yaml(current).get("extends")
        current = (current.parent / parent).resolve() if isinstance(parent, str) else None
    baseline = project.baseline_path().resolve()
    return list(dict.fromkeys([baseline, *reversed(chain)]))


def _target(inputs: Path, source: Path, root: Path) -> Path:
    try:
        return inputs / source.relative_to(root)
    except ValueError:
        return inputs / "other" / source.name


def copy_inputs(run_dir: Path, scenarios: Iterable[ScenarioSpec]) -> dict[str, list[Path]]:
    """Copy every scenario's parameter files (raw) and its merged scenario into ``<run>/<name>/inputs/``.

    Returns:
        ``{scenario name: [files written]}``.

    """
    root = project.project_root().resolve()
    written: dict[str, list[Path]] = {}
    for spec in scenarios:
        inputs = Path(run_dir) / spec.name / INPUTS
        files = []
        for source in extends_chain(spec.params_path):
            target = _target(inputs, source, root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            files.append(target)
        target = inputs / "scenario.yaml"
        target.write_text(params.to_yaml(spec.load(), header=_HEADER), encoding="utf-8")
        written[spec.name] = [*files, target]
    return written
