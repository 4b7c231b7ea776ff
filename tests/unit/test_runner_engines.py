"""The runner's pieces without a kernel: one classifier, pages rendered right the first time,
the validated scenario handed down instead of loaded again."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from capacity.runner.gather import MUNICIPAL_CSV
from capacity.runner.outcome import classify
from capacity.runner.plan import Job
from capacity.runner.registry import Notebook

pytestmark = pytest.mark.unit


def _exceptions() -> list[tuple[BaseException, dict, str, str, bool]]:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    return [
        (
            PapermillExecutionError(3, 4, "raise", "ValueError", "bad", []),
            {},
            "failed",
            "ValueError: bad (cell 4)",
            False,
        ),
        (CellExecutionError("trace", "ValueError", "bad"), {"cell": 4}, "failed", "ValueError: bad (cell 4)", False),
        (
            CellTimeoutError("Cell execution timed out\nmore"),
            {},
            "timeout",
            "a cell ran longer than the per-cell timeout of 30 s and was stopped (raise it with "
            "--timeout): Cell execution timed out",
            True,
        ),
        (
            DeadKernelError("Kernel died"),
            {},
            "died",
            "the kernel died while running a cell (out of memory or a crash?): Kernel died",
            True,
        ),
        (OSError("no such file"), {}, "failed", "OSError: no such file", False),
    ]


@pytest.mark.parametrize("case", range(5))
def test_one_classifier_names_status_message_and_a_lost_kernel(case: int) -> None:
    exc, where, status, error, lost = _exceptions()[case]
    outcome = classify(exc, timeout=30, **where)
    assert (outcome.status, outcome.error, outcome.kernel_lost) == (status, error, lost)


def test_a_raising_cell_reads_the_same_from_papermill_and_from_a_chunk() -> None:
    """papermill's error carries the execution count; the chunk engine passes the same count."""
    papermill_error, chunk_error = _exceptions()[:2]
    assert classify(papermill_error[0], timeout=None) == classify(chunk_error[0], timeout=None, cell=4)


def _municipal_job(tmp_path: Path, code: str = "GM0014") -> Job:
    scenario_dir = tmp_path / "run" / "s"
    return Job(
        key=f"s/05/{code}",
        scenario="s",
        notebook=Notebook("05"),
        municipality=code,
        parameters={},
        output_ipynb=scenario_dir / "municipalities" / f"{code}.ipynb",
        output_html=scenario_dir / "municipalities" / f"{code}.html",
        workdir=tmp_path / "w",
        language="nl",
        title="Gemeente",
    )


def _context(tmp_path: Path) -> dict[str, str]:
    return {"run_dir": str(tmp_path / "run")}


def _page_notebook(code: str) -> nbformat.NotebookNode:
    both = (
        f'<p class="downloads">Download: <a href="tables/municipality_{code}.csv" download>CSV</a>'
        f' · <a href="tables/municipality_{code}.xlsx" download>Excel</a></p>'
    )
    csv_only = '<p class="downloads">Download: <a href="tables/national.csv" download>CSV</a></p>'
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("Zie [de tabel](tables/national.csv)."),
            nbformat.v4.new_code_cell(
                "a", outputs=[nbformat.v4.new_output("display_data", data={"text/html": both, "text/plain": "t"})]
            ),
            nbformat.v4.new_code_cell(
                "b", outputs=[nbformat.v4.new_output("display_data", data={"text/html": csv_only, "text/plain": "t"})]
            ),
        ]
    )


def test_a_batch_page_links_its_tables_right_without_patching_the_rendered_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from capacity.runner import export

    code = "GM0014"
    job = _municipal_job(tmp_path, code)
    job.output_html.parent.mkdir(parents=True)
    rendered: list[str] = []
    exporter = export._exporter(str(export.TEMPLATES_DIR), tuple(export.PREPROCESSORS))
    original = type(exporter).from_notebook_node

    def spy(self, nb, resources=None, **kw):
        body, out = original(self, nb, resources, **kw)
        rendered.append(body)
        return body, out

    monkeypatch.setattr(type(exporter), "from_notebook_node", spy)
    nb = _page_notebook(code)
    page = export.export_html(nb, job, gathered=True, context=_context(tmp_path)).read_text(encoding="utf-8")
    assert rendered == [page], "the page is the exporter's output as it is: nothing patched after"
    # links from where the page lives, the batch's gathered CSV instead of its own
    assert f'href="../tables/{MUNICIPAL_CSV}" download>CSV, alle gemeenten</a>' in page
    assert f'href="../tables/municipality_{code}.xlsx"' in page
    assert f"municipality_{code}.csv" not in page
    assert 'href="../tables/national.csv"' in page and 'href="tables/' not in page
    # an Excel link only for a table that has an Excel file
    assert "national.xlsx" not in page
    # no collapse handles, outputs and text focusable, the page's language
    assert "jp-Collapser" not in page and page.count('tabindex="0"') >= 3
    assert '<html lang="nl">' in page
    # the executed notebook itself is left as it was
    assert "tables/municipality_GM0014.csv" in nb.cells[1].outputs[0].data["text/html"]


def test_a_failed_batch_page_keeps_its_own_csv_link(tmp_path: Path) -> None:
    from capacity.runner import export

    job = _municipal_job(tmp_path)
    job.output_html.parent.mkdir(parents=True)
    page = export.export_html(
        _page_notebook("GM0014"), job, status="failed", error="x", gathered=True, context=_context(tmp_path)
    ).read_text(encoding="utf-8")
    assert MUNICIPAL_CSV not in page and 'href="../tables/municipality_GM0014.csv"' in page


def test_the_exporter_takes_more_preprocessors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another preprocessor slots in with one line in PREPROCESSORS."""
    from nbconvert.preprocessors import Preprocessor

    from capacity.runner import export

    class Shout(Preprocessor):
        def preprocess(self, nb, resources):
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    cell.source = cell.source.upper()
            return nb, resources

    monkeypatch.setattr(export, "PREPROCESSORS", [*export.PREPROCESSORS, Shout])
    job = _municipal_job(tmp_path)
    job.output_html.parent.mkdir(parents=True)
    page = export.export_html(_page_notebook("GM0014"), job, context=_context(tmp_path)).read_text(encoding="utf-8")
    assert "ZIE" in page and 'href="../tables/national.csv"' in page


def test_the_prepare_task_gets_the_validated_scenario_not_its_file(tmp_path: Path) -> None:
    from capacity.params import BASELINE_PATH
    from capacity.runner.batch import prepare_tasks
    from capacity.runner.plan import load_scenarios

    (spec,) = load_scenarios([BASELINE_PATH])
    (task,) = prepare_tasks([spec], tmp_path, prepare=True)
    assert task.args[0] is spec.scenario and spec.scenario is not None


@pytest.mark.parametrize("engine_name", ["papermill", "chunk"])
def test_an_engine_leaves_the_callers_environment_as_it_found_it(engine_name: str, monkeypatch) -> None:
    # the chunk engine's kernels send charts as HTML only; run in the caller's process (jobs=1,
    # a test) that setting must not outlive the call, or later charts lose their JSON
    from capacity.report.charts import HTML_ONLY_ENV
    from capacity.runner import engines

    engine = {"papermill": engines.PapermillEngine, "chunk": engines.ChunkEngine}[engine_name]
    seen = []
    monkeypatch.setattr(
        engine,
        "execute_managed_jobs",
        classmethod(lambda cls, jobs, options: seen.append(os.environ.get(HTML_ONLY_ENV)) or []),
    )
    monkeypatch.delenv(HTML_ONLY_ENV, raising=False)
    assert engine.execute_jobs([], engines.EngineOptions()) == []
    assert seen == [None if engine.keeps_notebooks else "1"]
    assert HTML_ONLY_ENV not in os.environ
    monkeypatch.setenv(HTML_ONLY_ENV, "x")
    engine.execute_jobs([], engines.EngineOptions())
    assert os.environ[HTML_ONLY_ENV] == "x"
