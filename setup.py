"""Build hooks: ship the parameter files and notebooks, and the compiled word catalogue.

``params/`` and ``notebooks/`` stay at the top of the repository, where planners and the
monthly job use them; ``[tool.setuptools.package-data]`` can only take files under the
package, so this copies them into ``capacity/defaults/`` of the build (never into ``src/``).
An editable install copies nothing: :func:`capacity.project.defaults_root` then finds the
checkout itself.

The gettext catalogue (``capacity/locale/<lang>/LC_MESSAGES/capacity.po``) is compiled to
``capacity.mo`` with Babel: into the wheel, and beside the ``.po`` in ``src/`` for an
editable install (git ignores ``*.mo``). Everything else about the package is in
``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Top-level folders shipped as ``capacity/defaults/<folder>``, and the files taken from each.
SHIPPED = {"params": ("*.yaml", "*.json"), "notebooks": ("*.ipynb",)}


class BuildWithDefaults(build_py):
    """``build_py`` that also copies ``params/`` and ``notebooks/`` into ``capacity/defaults/``."""

    def run(self) -> None:
        """Build the package, compile the catalogue, then add the defaults (not in editable mode)."""
        super().run()
        editable = getattr(self, "editable_mode", False)
        compile_catalogues(ROOT / "src" if editable else Path(self.build_lib))
        if editable:
            return
        target = Path(self.build_lib) / "capacity" / "defaults"
        for folder, patterns in SHIPPED.items():
            for pattern in patterns:
                for source in sorted((ROOT / folder).rglob(pattern)):
                    if ".ipynb_checkpoints" in source.parts:
                        continue
                    dest = target / folder / source.relative_to(ROOT / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, dest)


def compile_catalogues(root: Path) -> None:
    """Compile every ``capacity.po`` of the source tree to ``capacity.mo`` under ``root``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = ROOT / "src"
    for po in sorted((source / "capacity" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        mo = root / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)  # fuzzy entries left out, as msgfmt does


setup(cmdclass={"build_py": BuildWithDefaults})
