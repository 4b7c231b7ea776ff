"""Give a notebook its prose back: each ``report.Text(report.t(key, lang))`` cell becomes markdown twins.

A cell that only shows a known label key (:func:`capacity.report.labels.has`, e.g.
``p00_parameters``) is replaced by two markdown cells, the English and the Dutch text, tagged
``en`` and ``nl``; the report exporter keeps the page's twin
(:class:`capacity.report.language_cells.LanguageCells`). Every other cell stays as it is.
Prints the keys moved. Notebooks 01-06 were moved with it; it stays for a planner's own
notebook written the old way.

Run ``python -m capacity.lab.twins notebooks/02_arrivals_departures.ipynb ...``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from capacity.report import labels

#: A code cell that shows one prose key and nothing else.
_TEXT_CELL = re.compile(r'\s*report\.Text\(report\.t\("(?P<key>\w+)"(?:,\s*\w+)?\)\)\s*')


def to_twins(nb: nbformat.NotebookNode) -> list[str]:
    """Replace ``nb``'s prose cells by markdown twins, in place; return the keys moved, in order."""
    cells, moved = [], []
    for cell in nb.cells:
        match = _TEXT_CELL.fullmatch(cell.source) if cell.cell_type == "code" else None
        if match is None or not labels.has(match["key"]):
            cells.append(cell)
            continue
        key = match["key"]
        moved.append(key)
        for lang in ("en", "nl"):
            cells.append(
                nbformat.v4.new_markdown_cell(
                    labels.t(key, lang), metadata={"tags": [lang]}, id=f"{key}-{lang}".replace("_", "-")
                )
            )
    nb.cells = cells
    return moved


def main(argv: list[str] | None = None) -> int:
    """Rewrite each notebook named on the command line; print the keys moved per notebook."""
    parser = argparse.ArgumentParser(prog="python -m capacity.lab.twins", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        moved = to_twins(nb)
        nbformat.write(nb, path)
        sys.stdout.write(f"{path}: {len(moved)} prose cells as en/nl markdown: {', '.join(moved)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
