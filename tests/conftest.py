"""Shared test set-up: every test carries exactly one tier marker."""

from __future__ import annotations

import pytest

TIERS = ("unit", "integration", "notebook", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Fail collection when a test has no tier marker or more than one."""
    wrong = []
    for item in items:
        tiers = {m.name for m in item.iter_markers() if m.name in TIERS}
        if len(tiers) != 1:
            wrong.append(f"{item.nodeid}: {sorted(tiers) or 'no tier marker'}")
    if wrong:
        raise pytest.UsageError("each test needs exactly one tier marker " + str(TIERS) + ":\n" + "\n".join(wrong))


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory: pytest.TempPathFactory):
    """Run the real report suite once: the baseline and its Dutch edition, every notebook, one municipality."""
    from capacity import params, runner

    files = [params.BASELINE_PATH, params.PARAMS_DIR / "scenarios" / "baseline_nl.yaml"]
    # keep_notebooks: the municipal report runs in a chunk (whatever --jobs), which keeps
    # its executed notebook only when asked; the end-to-end test reads it for error cells.
    return runner.run(files, municipalities=["GM0363"], municipal_scenarios=["baseline"], jobs=2,
                      progress=False, keep_notebooks=True, reports_dir=tmp_path_factory.mktemp("suite-reports"))
