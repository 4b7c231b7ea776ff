"""The built wheel works outside the checkout: `capacity init` and `capacity run` from an empty folder.

CI's wheel smoke step (``make test`` runs it; ``.ci/run`` calls ``make test``). The wheel is
built from a copy of the sources (the checkout gets no build/ folder), installed without
dependencies into a fresh virtual environment outside the repository, and run from an
empty folder with no ``CAPACITY_PROJECT`` and no ``PYTHONPATH``.

Installing every dependency again would take minutes, so the fresh venv reuses the
project venv's third-party packages through a ``.pth`` line. The packages of the extras
(``capacity[lab]``: JupyterLab and ipywidgets; ``capacity[dask]``; openpyxl, which only the
tests need) are made unimportable there, so the run below is the headless install that
``pip install capacity`` without extras gives. A directory added by a
``.pth`` file is not itself scanned for ``.pth`` files, so the project's editable install
(``__editable__.capacity*.pth``) stays out: ``capacity`` comes from the wheel only (asserted).
The packages' data files (nbconvert's templates) are found through ``JUPYTER_PATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
#: Top-level packages that only the extras (or the tests) install: a headless install lacks them.
EXTRAS_ONLY = ("jupyterlab", "jupyter_server", "ipywidgets", "dask", "distributed", "openpyxl")
#: Loaded by a .pth line in the fresh venv: imports of EXTRAS_ONLY fail as if not installed.
BLOCKER = f"""
import sys
from importlib.abc import MetaPathFinder

class _NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (an extra; not installed)", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
"""
#: What the build needs from the checkout (the working copies, as a developer would build them).
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "src", "params", "notebooks")


def _sh(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the wheel and install it into a fresh venv; return its paths and a clean environment."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "source"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints", "drafts")
    for name in SOURCES:
        path = REPO / name
        (shutil.copytree(path, src / name, ignore=ignore) if path.is_dir() else shutil.copy2(path, src / name))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CAPACITY_PROJECT", "VIRTUAL_ENV")}
    _sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", src, cwd=tmp, env=env, timeout=300)
    wheel = next((tmp / "dist").glob("capacity-*.whl"))
    venv = tmp / "venv"
    _sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp, env=env, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        _sh(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp, env=env, timeout=60
        ).stdout.strip()
    )
    (site / "_project_venv_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (site / "_capacity_no_extras.py").write_text(BLOCKER)
    (site / "_capacity_no_extras.pth").write_text("import _capacity_no_extras\n")
    _sh(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "-q",
        wheel,
        cwd=tmp,
        env=env,
        timeout=300,
    )
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # ... and their data files: nbconvert's templates live in <prefix>/share/jupyter
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    work = tmp / "empty"
    work.mkdir()
    return {"wheel": wheel, "venv": venv, "python": python, "env": env, "work": work}


def test_the_wheel_ships_parameters_notebooks_templates_and_licence(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    expected = {
        "capacity/defaults/params/baseline.yaml",
        "capacity/defaults/params/scenarios/ceasefire.yaml",
        "capacity/defaults/notebooks/01_data.ipynb",
        "capacity/templates/index.html.j2",
        "capacity/templates/capacity_report/index.html.j2",
        "capacity/templates/capacity_report/conf.json",
        "capacity/datasets/municipalities.csv",
        "capacity/assets/plotly-locale-nl.js",
        "capacity/locale/nl/LC_MESSAGES/capacity.mo",
    }  # the word catalogue, compiled at build
    assert expected <= names, sorted(expected - names)
    for notebook in (REPO / "notebooks").glob("*.ipynb"):
        assert f"capacity/defaults/notebooks/{notebook.name}" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)


def test_the_headless_install_requires_no_extra(installed):
    """`pip install capacity` installs no JupyterLab, ipywidgets, Dask or openpyxl; the extras do."""
    import email

    with zipfile.ZipFile(installed["wheel"]) as wheel:
        meta = email.message_from_bytes(wheel.read(next(n for n in wheel.namelist() if n.endswith("/METADATA"))))
    base = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    names = {r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower() for r in base}
    assert not names & {"jupyterlab", "ipywidgets", "dask", "distributed", "openpyxl"}, names
    assert {"lab", "dask", "test"} <= set(meta.get_all("Provides-Extra"))
    blocked = subprocess.run(
        [installed["python"], "-c", "import ipywidgets"],
        cwd=installed["work"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert blocked.returncode == 1 and "an extra; not installed" in blocked.stderr  # the run below is headless


def test_capacity_comes_from_the_wheel_and_knows_its_version(installed):
    where = _sh(
        installed["python"],
        "-c",
        "import capacity; print(capacity.__file__)",
        cwd=installed["work"],
        env=installed["env"],
        timeout=60,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed["venv"]), where
    version = _sh("capacity", "--version", cwd=installed["work"], env=installed["env"], timeout=60).stdout
    from capacity import __version__

    assert version.strip() == f"capacity {__version__}"


def test_init_then_run_the_baseline_from_an_empty_folder(installed):
    env, work = installed["env"], installed["work"]
    listing = _sh("capacity", "list", cwd=work, env=env, timeout=120).stdout
    assert "(missing)" not in listing and "INVALID" not in listing, listing
    _sh("capacity", "init", "planning", cwd=work, env=env, timeout=60)
    folder = work / "planning"
    assert (folder / "params" / "baseline.yaml").is_file() and (folder / "README.md").is_file()
    refused = subprocess.run(
        ["capacity", "init", "planning"], cwd=work, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and "would overwrite" in refused.stderr
    _sh("capacity", "validate", cwd=folder, env=env, timeout=120)
    run = _sh(
        "capacity", "run", "--notebooks", "01_data", "--jobs", "1", "--no-progress", cwd=folder, env=env, timeout=600
    )
    reports = sorted((folder / "reports").glob("2*/baseline/01_data.html"))
    assert reports, run.stdout + run.stderr
    run_dir = reports[0].parents[1]
    # the run keeps its inputs, and publishes no machine path
    inputs = run_dir / "baseline" / "inputs"
    assert (inputs / "params" / "baseline.yaml").read_bytes() == (folder / "params" / "baseline.yaml").read_bytes()
    assert (inputs / "scenario.yaml").is_file()
    manifest = (run_dir / "manifest.json").read_text()
    assert str(installed["venv"].parent) not in manifest and str(REPO) not in manifest
    assert '"params_file": "params/baseline.yaml"' in manifest
    assert not (installed["venv"] / "reports").exists()
    assert not any(installed["venv"].rglob("reports/*/index.html"))
