"""The project folder: the one place that says where parameters, notebooks and reports are.

A *project* is a folder with ``params/baseline.yaml`` (and, in the repository,
``notebooks/``). It is, in this order:

1. the folder given with ``capacity --project DIR`` (:func:`use_project`) or in the
   environment variable ``CAPACITY_PROJECT``;
2. the nearest folder, from the working directory upwards, with ``params/baseline.yaml``;
3. the *packaged defaults*: the parameter files and notebooks shipped inside the wheel
   (``capacity/defaults/``), or the source checkout when the package is installed editable.

Reports go to ``<project>/reports``; on the packaged defaults, which may sit read-only inside
a virtual environment, they go to ``./reports`` instead. The notebooks come from
``<project>/notebooks`` when the project has them, else from the packaged defaults (a
planner's folder made by ``capacity init`` holds parameters only). Templates and data
files always come from the package.

Nothing here imports another part of :mod:`capacity`: every layer may ask it.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from capacity.errors import CapacityError

__all__ = [
    "AS_OF_ENV",
    "ENV_VAR",
    "MARKER",
    "ProjectError",
    "baseline_path",
    "datasets_dir",
    "defaults_root",
    "drafts_dir",
    "find_project",
    "init_project",
    "is_defaults",
    "notebooks_dir",
    "params_dir",
    "project_root",
    "relative",
    "reports_dir",
    "resolve",
    "templates_dir",
    "use_project",
]

#: Environment variable naming the project folder (set by ``--project`` for kernels and workers too).
ENV_VAR = "CAPACITY_PROJECT"

#: Environment variable that fixes the run's "today" (ISO date), set by ``capacity run --as-of``
#: for the run's workers and kernels.
AS_OF_ENV = "CAPACITY_AS_OF"
#: The file that makes a folder a project.
MARKER = Path("params") / "baseline.yaml"

_PACKAGE = Path(__file__).resolve().parent


class ProjectError(CapacityError, ValueError):
    """A project folder that was asked for is not one, or ``capacity init`` would overwrite a file."""


def use_project(path: Path | str | None) -> Path | None:
    """Make ``path`` the project for this process and the processes it starts; None forgets it.

    Raises:
        ProjectError: If ``path`` has no ``params/baseline.yaml``.

    """
    if path is None:
        os.environ.pop(ENV_VAR, None)
        return None
    root = Path(path).expanduser().resolve()
    if not (root / MARKER).is_file():
        raise ProjectError(
            f"{path}: not a capacity project (no {MARKER.as_posix()}); create one with 'capacity init DIR'"
        )
    os.environ[ENV_VAR] = str(root)
    return root


def find_project(start: Path | str | None = None) -> Path | None:
    """Return the nearest folder from ``start`` (default: the working directory) up with the marker."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def defaults_root() -> Path:
    """Return the packaged defaults: ``capacity/defaults`` in a wheel, the checkout when editable."""
    packaged = Path(str(resources.files("capacity") / "defaults"))
    if (packaged / MARKER).is_file():
        return packaged
    return _PACKAGE.parents[1]  # src/capacity -> the repository (editable install)


def project_root() -> Path:
    """Return the project folder (explicit, else found from the working directory, else the defaults).

    Raises:
        ProjectError: If ``CAPACITY_PROJECT`` names a folder without ``params/baseline.yaml``.

    """
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not (root / MARKER).is_file():
            raise ProjectError(f"{ENV_VAR}={explicit}: not a capacity project (no {MARKER.as_posix()})")
        return root
    return find_project() or defaults_root()


def is_defaults(root: Path | None = None) -> bool:
    """Tell whether ``root`` (default: the project) is the packaged defaults, not a working folder."""
    root = project_root() if root is None else root
    return not os.environ.get(ENV_VAR) and find_project() is None and root == defaults_root()


def params_dir() -> Path:
    """Return ``<project>/params``."""
    return project_root() / "params"


def baseline_path() -> Path:
    """Return ``<project>/params/baseline.yaml``, the default scenario."""
    return project_root() / MARKER


def notebooks_dir() -> Path:
    """Return ``<project>/notebooks`` when it exists, else the packaged notebooks."""
    own = project_root() / "notebooks"
    return own if own.is_dir() else defaults_root() / "notebooks"


def templates_dir() -> Path:
    """Return the report templates shipped in the package (``capacity/templates``)."""
    return _PACKAGE / "templates"


def datasets_dir() -> Path:
    """Return the data files shipped in the package (``capacity/datasets``)."""
    return _PACKAGE / "datasets"


def reports_dir() -> Path:
    """Return ``<project>/reports``, or ``./reports`` when running on the packaged defaults."""
    if is_defaults():
        return Path.cwd().resolve() / "reports"
    return project_root() / "reports"


def drafts_dir() -> Path:
    """Return ``<project>/drafts``: where interactive runs write; git ignores it, no job reads it."""
    if is_defaults():
        return Path.cwd().resolve() / "drafts"
    return project_root() / "drafts"


def resolve(path: Path | str) -> Path:
    """Return ``path`` as given when it exists from the working directory, else from the project.

    So ``params/scenarios/ceasefire.yaml`` works in a notebook that runs in ``notebooks/``.
    A path found in neither place is returned as given (the caller reports it missing).
    """
    path = Path(path).expanduser()
    if path.is_absolute() or path.exists():
        return path
    candidate = project_root() / path
    return candidate if candidate.exists() else path


def relative(path: Path | str, *bases: Path | str) -> str:
    """Return ``path`` relative to the first base that contains it (default: the project), else its name.

    Used for everything a run publishes (manifest, index): no absolute machine paths.
    """
    path = Path(path).resolve()
    for base in bases or (project_root(),):
        try:
            return path.relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
    return path.name


#: The README of a folder made by ``capacity init``.
INIT_README = """\
# Capacity planning: working folder

Made by `capacity init`. This folder is a *project*: run the commands from here
(or from any folder inside it, or anywhere with `capacity --project DIR ...`).

- `params/baseline.yaml` is the default scenario; `params/scenarios/*.yaml` hold the
  named scenarios, each with only what it changes. Copy one to make your own.
- `capacity validate` checks every parameter file and names the file, key, value and
  rule of each error.
- `capacity run` runs the report notebooks on the baseline and writes the HTML reports
  to `reports/<run-id>/` (`reports/latest` points at the last complete run);
  `capacity run params/scenarios/ceasefire.yaml` runs a scenario,
  `capacity run --all-scenarios` all of them.
- A new count from the ministry is one row in `data/counts.csv` (the columns of the
  package's `ukraine_shelter_nl.csv`, with its source and series); runs read it at once.
  `capacity data update` fetches Eurostat's and CBS's newest figures into `data/` and says
  what is new; runs read them once `params/baseline.yaml` says `data_dir: data` (under `data:`).

The notebooks, templates and data files come with the installed package
(`capacity --version` says which).
"""


def init_project(dest: Path | str) -> list[Path]:
    """Create a working folder at ``dest``: ``params/`` (baseline and scenarios), ``reports/`` and a README.

    The parameter files are copies of the packaged defaults. Nothing that exists is
    overwritten: if any file to be written is already there, nothing is written.

    Returns:
        The files written.

    Raises:
        ProjectError: Naming the files that exist already.

    """
    dest = Path(dest).expanduser().resolve()
    source = defaults_root() / "params"
    copies = {
        dest / "params" / f.relative_to(source): f
        for f in sorted(source.rglob("*"))
        if f.is_file() and f.suffix in (".yaml", ".json")
    }
    targets = [*copies, dest / "README.md"]
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing:
        raise ProjectError(
            f"{dest}: would overwrite {len(existing)} file(s), first "
            f"{existing[0].relative_to(dest).as_posix()}; nothing written "
            "(choose an empty or new folder)"
        )
    for target, src in copies.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    (dest / "reports").mkdir(parents=True, exist_ok=True)
    (dest / "README.md").write_text(INIT_README, encoding="utf-8")
    return targets
