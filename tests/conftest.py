"""Shared test set-up: every test carries exactly one tier marker; shared results, computed once.

Which fixture (or constant) to use for what:

- ``baseline_results`` (session): the baseline scenario through ``pipeline.run_scenario`` with
  :data:`SMALL_PATHS` sample paths, computed once per test session (the backtest alone is about
  35 s of CPU). Use it in any test that needs a real pipeline result but not the full path count:
  shapes, identities, tables, headline keys. It is shared: read it, never change it in place.
  Its ``history`` and ``scorecard`` can be passed to ``run_scenario`` to compute another
  scenario without a second backtest (``scorecard=baseline_results.scorecard``).
- Tests that pin exact numbers (``test_golden.py``) keep their own settings and compute their own run.
- ``small_scenario`` (function fixture): ``small_scenario(name="small")`` writes a scenario file
  into the test's ``tmp_path`` with few paths and two quick forecast models (:data:`FAST_SCENARIO`)
  and returns its path. For runner and CLI tests about plumbing (files, names, data cuts), not
  about numbers: its backtest takes seconds instead of half a minute.
- ``suite_run`` (session): the real report suite once, every notebook, the baseline and its Dutch
  edition and three municipalities, at the baseline's own settings (notebook and browser tiers).

``make test`` runs ``pytest -n 2 --dist loadgroup`` (pytest-xdist): the tests of a session fixture
named in :data:`SHARED_SESSION` run on one worker, and so do a module's tests that use a
module-scoped fixture, so that each is built once. Add a new costly session fixture there.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

TIERS = ("unit", "integration", "notebook", "browser")

#: Sample paths of the shared baseline result: every shape and identity holds, ~5x fewer than 1000.
SMALL_PATHS = 200

#: A scenario for plumbing tests: few paths, two quick forecast models (backtest in seconds).
FAST_SCENARIO = (
    "forecast:\n  n_paths: 50\n  models: [naive, drift]\n  ensemble_top_k: 2\n"
    "backlog:\n  n_paths: 50\n  solver_n_paths: 20\n"
)


#: Session fixtures too costly to build twice: under pytest-xdist their tests share one worker.
SHARED_SESSION = ("suite_run", "baseline_results")
#: The file in which xdist workers leave each test's group for the scheduler (set by the controller).
GROUPS_ENV = "CAPACITY_TEST_GROUPS"


def _xdist_group(item: pytest.Item) -> str | None:
    """The worker group of a test: the costly session fixture it uses, else its module if it uses a
    module-scoped fixture of the suite (a JupyterLab server, a built wheel), else none."""
    names = getattr(item, "fixturenames", ())
    for name in SHARED_SESSION:
        if name in names:
            return name
    info = getattr(item, "_fixtureinfo", None)
    for name in names:
        defs = info.name2fixturedefs.get(name) if info else None
        if defs and defs[-1].scope in ("module", "package") and defs[-1].baseid:
            return item.nodeid.split("::")[0]
    return None


def pytest_configure(config: pytest.Config) -> None:
    """On the xdist controller: name the file where the workers leave the test groups."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if config.getoption("dist", "no") != "loadgroup":
        return
    fd, path = tempfile.mkstemp(prefix="capacity-test-groups-", suffix=".json")
    os.close(fd)
    os.environ[GROUPS_ENV] = path  # the workers start later and inherit it
    config.add_cleanup(lambda: Path(path).unlink(missing_ok=True))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fail collection when a test has no tier marker or more than one; leave the xdist groups."""
    wrong = []
    for item in items:
        tiers = {m.name for m in item.iter_markers() if m.name in TIERS}
        if len(tiers) != 1:
            wrong.append(f"{item.nodeid}: {sorted(tiers) or 'no tier marker'}")
    if wrong:
        raise pytest.UsageError("each test needs exactly one tier marker " + str(TIERS) + ":\n" + "\n".join(wrong))
    path = os.environ.get(GROUPS_ENV)
    if path and hasattr(config, "workerinput"):  # every worker collects the same tests: last write wins
        groups = {item.nodeid: group for item in items if (group := _xdist_group(item))}
        tmp = Path(f"{path}.{os.getpid()}")
        tmp.write_text(json.dumps(groups), encoding="utf-8")
        tmp.replace(path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup``, grouped by shared fixture: ``make test`` runs ``pytest -n 2 --dist loadgroup``.

    The tests of one costly shared fixture go to one worker, so it is built once, not once per
    worker. (pytest-xdist's own ``xdist_group`` marks do not reach its scheduler under pytest 9:
    it renames ``item._nodeid``, which pytest 9 no longer reads; the groups travel in a file.)
    """
    if config.getoption("dist", "no") != "loadgroup" or not os.environ.get(GROUPS_ENV):
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FixtureGroupScheduling(LoadGroupScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # first asked once every worker has collected
                text = Path(os.environ[GROUPS_ENV]).read_text(encoding="utf-8")
                self.groups = json.loads(text) if text else {}
            return self.groups.get(nodeid) or super()._split_scope(nodeid)

    return FixtureGroupScheduling(config, log)


@pytest.fixture(scope="session")
def baseline_results():
    """The baseline's pipeline result with :data:`SMALL_PATHS` paths, computed once per session (read-only)."""
    from capacity import params, pipeline

    return pipeline.run_scenario(params.load(), n_paths=SMALL_PATHS)


@pytest.fixture
def small_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Return a writer of ``tmp_path/<name>.yaml``: the baseline with few paths and quick models."""

    def write(name: str = "small", title: str = "Small") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"meta:\n  name: {name}\n  title: {title}\n{FAST_SCENARIO}", encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory: pytest.TempPathFactory):
    """Run the real report suite once: the baseline and its Dutch edition, every notebook, three
    municipalities (Amsterdam, Zwolle and Schiermonnikoog: the fewest people in shelter, 5)."""
    from capacity import params, runner

    files = [params.BASELINE_PATH, params.PARAMS_DIR / "scenarios" / "baseline_nl.yaml"]
    # keep_notebooks: the municipal report runs in a chunk (whatever --jobs), which keeps
    # its executed notebook only when asked; the end-to-end test reads it for error cells.
    return runner.run(
        files,
        municipalities=["GM0363", "GM0193", "GM0088"],  # large, mid-sized, the smallest shelter
        municipal_scenarios=["baseline"],
        jobs=2,
        progress=False,
        keep_notebooks=True,
        reports_dir=tmp_path_factory.mktemp("suite-reports"),
    )
