"""Build hook: ship the project's parameter files and notebooks inside the wheel.

``params/`` and ``notebooks/`` stay at the top of the repository, where planners and the
monthly job use them; ``[tool.setuptools.package-data]`` can only take files under the
package, so this copies them into ``capacity/defaults/`` of the build (never into ``src/``).
An editable install copies nothing: :func:`capacity.project.defaults_root` then finds the
checkout itself. Everything else about the package is in ``pyproject.toml``.
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
        """Build the package, then add the defaults (not in editable mode)."""
        super().run()
        if getattr(self, "editable_mode", False):
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


setup(cmdclass={"build_py": BuildWithDefaults})
