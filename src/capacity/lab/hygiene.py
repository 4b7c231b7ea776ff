"""Notebook hygiene: the committed notebooks hold no outputs, counts or machine metadata.

:func:`clean` is the one definition of a clean notebook: code cells without outputs and
execution counts, cell metadata reduced to ``tags``, notebook metadata reduced to the
kernelspec and the ``language_info`` the environment's kernel reports (Lab writes the
kernel's into the notebook and would otherwise mark it modified on opening), written as
nbformat writes it (sorted keys, one-space indent, sources as lists of lines). Three ways
use it, so that outputs never reach git:

- a **git filter** (``.gitattributes``: ``notebooks/*.ipynb filter=capacity-notebook``;
  ``make hooks`` defines it as ``python -m capacity.lab.hygiene``): what git stores is
  always clean, whatever is on disk;
- a **pre-commit hook** (``.pre-commit-config.yaml``: ``python -m capacity.lab.hygiene
  --check``) that names a notebook that is not clean;
- a **JupyterLab pre-save hook** (:func:`pre_save_hook`, set by ``make venv`` in the
  environment's ``etc/jupyter/jupyter_server_config.json``): Lab's autosave writes
  the project's notebooks clean, so the working tree stays clean while Lab shows the outputs.

Command line::

    python -m capacity.lab.hygiene                 # filter: clean stdin to stdout
    python -m capacity.lab.hygiene --check FILE…   # exit 1 naming every file not clean
    python -m capacity.lab.hygiene --write FILE…   # clean the files in place
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: Cell metadata kept (papermill's ``parameters`` tag, the runner's ``shared`` tag, ...).
CELL_METADATA = ("tags",)
#: Folder (relative to Lab's root, the project) whose notebooks Lab saves clean.
TRACKED = "notebooks/"


def clean(nb: Mapping[str, Any]) -> dict[str, Any]:
    """Return a clean copy of a notebook (a plain nbformat-4 dict); ``nb`` is not changed."""
    out = copy.deepcopy(dict(nb))
    for cell in out.get("cells", []):
        cell["metadata"] = {k: v for k, v in (cell.get("metadata") or {}).items() if k in CELL_METADATA}
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    meta = out.get("metadata") or {}
    kept: dict[str, Any] = {}
    if "kernelspec" in meta:
        kept["kernelspec"] = meta["kernelspec"]
    if (meta.get("language_info") or {}).get("name", "python") == "python":
        kept["language_info"] = language_info()
    out["metadata"] = kept
    return out


def language_info() -> dict[str, Any]:
    """Return the ``language_info`` this environment's Python kernel reports (ipykernel's).

    Lab writes the kernel's ``language_info`` into the notebook once the kernel starts and
    marks the notebook modified if it differs: a notebook that holds exactly this opens clean.
    """
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(dict(IPythonKernel.language_info))


def clean_text(text: str) -> str:
    """Return the notebook text ``text`` cleaned and written as nbformat writes it (ending in a newline)."""
    import nbformat

    node = nbformat.from_dict(clean(json.loads(text)))
    return nbformat.writes(node) + "\n"


def is_clean(text: str) -> bool:
    """Tell whether a notebook's text is exactly its clean form."""
    return clean_text(text) == text


def pre_save_hook(model: dict[str, Any], path: str, **_: Any) -> None:
    """JupyterLab's pre-save hook: save the project's notebooks (``notebooks/…``) without outputs.

    Lab keeps showing the outputs; only the file on disk is clean. Other notebooks (a
    planner's own, anywhere else) are saved as they are.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), Mapping):
        return
    if not str(path).lstrip("/").startswith(TRACKED):
        return
    model["content"] = clean(model["content"])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the filter (stdin to stdout), ``--check`` or ``--write``; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m capacity.lab.hygiene", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail naming every file that is not clean")
    mode.add_argument("--write", action="store_true", help="clean the files in place")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    if not args.files:
        sys.stdout.write(clean_text(sys.stdin.read()))
        return 0
    dirty = []
    for path in args.files:
        text = path.read_text(encoding="utf-8")
        if is_clean(text):
            continue
        dirty.append(path)
        if args.write:
            path.write_text(clean_text(text), encoding="utf-8")
    for path in dirty:
        verb = "cleaned" if args.write else "not clean (outputs, counts or metadata)"
        sys.stderr.write(
            f"{path}: {verb}; fix with: python -m capacity.lab.hygiene --write {path}\n"
            if not args.write
            else f"{path}: {verb}\n"
        )
    return 1 if dirty and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
