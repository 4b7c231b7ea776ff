"""Keep the page's language: drop the other language's twin of every prose cell at export.

A notebook holds its prose as markdown cells, an English and a Dutch twin, tagged ``en`` and
``nl`` (cell metadata ``tags``). JupyterLab shows both; the exported report shows only the
cells of its own language, and every cell without a language tag.
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

from capacity.i18n import LANGUAGES


class LanguageCells(Preprocessor):
    """Drop the cells tagged with a language other than the page's.

    The page's language is ``resources["capacity"]["language"]`` (what the runner's exporter
    passes), else :attr:`language`.
    """

    language = Unicode("en", help="The page's language when the resources name none.").tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Return ``nb`` without the other languages' cells, and ``resources`` unchanged."""
        page = ((resources or {}).get("capacity") or {}).get("language") or self.language
        if page not in LANGUAGES:
            raise ValueError(f"page language must be one of {', '.join(LANGUAGES)}, got {page!r}")
        others = set(LANGUAGES) - {page}
        nb.cells = [cell for cell in nb.cells if not others & set(cell.get("metadata", {}).get("tags", []))]
        return nb, resources
