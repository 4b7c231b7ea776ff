"""The two engines behind one interface, and a run that loads each scenario once."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from fixture_notebooks import BROKEN, DIES, FAST, OK

from capacity import params, runner
from capacity.runner.execute import execute_jobs
from capacity.runner.plan import Job

pytestmark = pytest.mark.integration


def _job(notebook: runner.Notebook, folder: Path) -> Job:
    return Job(
        key=f"s/{notebook.name}",
        scenario="s",
        notebook=notebook,
        municipality=None,
        parameters={"params_path": None, "output_dir": str(folder / "s"), "cache_path": None},
        output_ipynb=folder / "s" / f"{notebook.name}.ipynb",
        output_html=folder / "s" / f"{notebook.name}.html",
        workdir=folder / ".work",
        language="en",
        title=notebook.name,
    )


@pytest.mark.parametrize("notebook", [BROKEN, DIES], ids=["raises", "kernel-dies"])
def test_both_engines_give_the_same_outcome_for_the_same_failure(notebook: runner.Notebook, tmp_path: Path) -> None:
    options = {"timeout": 60, "kernel": "spawn", "context": {"run_dir": str(tmp_path)}}
    (alone,) = execute_jobs("papermill", [_job(notebook, tmp_path / "papermill")], **options)
    (chunk,) = execute_jobs("chunk", [_job(notebook, tmp_path / "chunk")], **options)
    assert alone.status == chunk.status != "ok"
    if notebook is BROKEN:  # the same cell named the same way
        assert alone.error == chunk.error == "ValueError: deliberately broken fixture (cell 4)"
    else:  # a dead kernel's message names the kernel client's own words: same start, same status
        assert alone.error.split(":")[0] == chunk.error.split(":")[0]
    for result in (alone, chunk):  # the page is rendered and says what went wrong
        assert result.html and "capacity-error" in Path(result.html).read_text(encoding="utf-8")


def test_a_run_loads_each_scenario_once_in_the_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plan validates the file; manifest, inputs and fingerprint use the validated object.

    Loads by :mod:`capacity.runner.index` and :mod:`capacity.vintages.record` (by path, in
    modules this count leaves out) are counted apart.
    """
    import traceback

    calls: collections.Counter[str] = collections.Counter()
    load = params.load

    def counting(*args, **kwargs):
        caller = Path(traceback.extract_stack(limit=2)[0].filename)
        calls[f"{caller.parent.name}/{caller.name}"] += 1
        return load(*args, **kwargs)

    monkeypatch.setattr(params, "load", counting)
    result = runner.run(None, registry=[OK], reports_dir=tmp_path, **FAST)
    assert result.ok, result.failed
    own = {k: n for k, n in calls.items() if k not in ("runner/index.py", "vintages/record.py")}
    assert own == {"runner/plan.py": 1}, calls
