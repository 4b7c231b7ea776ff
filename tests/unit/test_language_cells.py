"""A page keeps its language: the other language's twin of each prose cell is dropped at export."""

from __future__ import annotations

import nbformat
import pytest

from capacity.report.language_cells import LanguageCells

pytestmark = pytest.mark.unit


def _notebook() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    return v4.new_notebook(
        cells=[
            v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            v4.new_markdown_cell("# Data", metadata={"tags": ["en"]}),
            v4.new_markdown_cell("# Gegevens", metadata={"tags": ["nl"]}),
            v4.new_code_cell("report.table(x)"),
        ]
    )


@pytest.mark.parametrize(("language", "kept"), [("nl", "# Gegevens"), ("en", "# Data")])
def test_the_page_language_keeps_its_twin_and_every_untagged_cell(language: str, kept: str) -> None:
    nb, _ = LanguageCells().preprocess(_notebook(), {"capacity": {"language": language}})
    assert [c.source for c in nb.cells] == ["x = 1", kept, "report.table(x)"]


def test_without_a_page_language_the_configured_one_is_kept() -> None:
    assert [c.source for c in LanguageCells().preprocess(_notebook(), {})[0].cells][1] == "# Data"
    assert [c.source for c in LanguageCells(language="nl").preprocess(_notebook(), None)[0].cells][1] == "# Gegevens"


def test_a_page_language_without_twins_is_refused() -> None:
    with pytest.raises(ValueError, match="en, nl"):
        LanguageCells().preprocess(_notebook(), {"capacity": {"language": "de"}})


def test_the_report_exporter_runs_it() -> None:
    from capacity import project
    from capacity.runner.export import PREPROCESSORS, _exporter

    exporter = _exporter(str(project.templates_dir()), tuple(PREPROCESSORS))
    assert any(isinstance(p, LanguageCells) and p.enabled for p in exporter._preprocessors)


@pytest.mark.parametrize(
    "name", ["01_data", "02_arrivals_departures", "03_shelter", "04_tpd_backlog", "05_municipality", "06_eu_context"]
)
def test_every_prose_cell_of_the_notebook_has_its_twin(name: str) -> None:
    from pathlib import Path

    nb = nbformat.read(Path(__file__).resolve().parents[2] / "notebooks" / f"{name}.ipynb", as_version=4)
    tags = [
        next((t for t in c.metadata.get("tags", []) if t in ("en", "nl")), None)
        for c in nb.cells
        if c.cell_type == "markdown"
    ]
    assert tags and tags == ["en", "nl"] * (len(tags) // 2)  # each English cell followed by its Dutch twin
    assert all(c.metadata.get("tags") for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("name", ["01_data", "04_tpd_backlog", "06_eu_context"])
def test_the_notebook_sets_its_language_once_and_passes_it_nowhere(name: str) -> None:
    import re
    from pathlib import Path

    nb = nbformat.read(Path(__file__).resolve().parents[2] / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sum("report.set_language(scn.meta.language)" in s for s in code) == 1
    assert not [s for s in code if re.search(r"\blang\b|report\.Text\(report\.t\(", s)]  # no language passed


def test_a_prose_cell_becomes_english_and_dutch_markdown_twins(tmp_path) -> None:
    from capacity.lab import twins
    from capacity.report import labels

    v4 = nbformat.v4
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            v4.new_code_cell('report.Text(report.t("p00_parameters", lang))'),
            v4.new_code_cell('report.Text(report.t("no_such_key", lang))'),
            v4.new_code_cell('report.table(t, caption=report.t("parameters_used", lang))'),
        ]
    )
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert twins.main([str(path)]) == 0
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["code", "markdown", "markdown", "code", "code"]
    assert (cells[1].source, cells[1].metadata.tags) == (labels.t("p00_parameters", "en"), ["en"])
    assert (cells[2].source, cells[2].metadata.tags) == (labels.t("p00_parameters", "nl"), ["nl"])
    assert cells[1].id == "p00-parameters-en" and "no_such_key" in cells[3].source  # an unknown key stays code
    nb, _ = LanguageCells().preprocess(nbformat.read(path, as_version=4), {"capacity": {"language": "nl"}})
    assert [c.source for c in nb.cells if c.cell_type == "markdown"] == [labels.t("p00_parameters", "nl")]
