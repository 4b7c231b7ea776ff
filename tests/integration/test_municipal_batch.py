"""Municipal reports rendered in chunks on one kept kernel: failure isolation, same page as papermill.

One small scenario (few paths, fast models) keeps the shared results cheap; the real
05_municipality notebook is used, once with one extra cell that fails for one municipality.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from capacity import runner
from capacity.runner.registry import Notebook

pytestmark = pytest.mark.integration

SOURCE = runner.NOTEBOOK_DIR / "05_municipality.ipynb"
CODES = ["GM0014", "GM0034", "GM0037", "GM0047", "GM0050"]
BROKEN = "GM0034"
#: Its kernel dies; the next municipality of its chunk (GM0047) runs on a new kernel.
KILLED = "GM0037"
#: Names bound by the per-municipality cells: a cell tagged ``shared`` must not use them.
MUNICIPAL_NAMES = ("municipality", "gemeente", "rij", "landelijk")


def _small_scenario(folder: Path) -> Path:
    path = folder / "small.yaml"
    path.write_text(
        "meta:\n  name: small\nforecast:\n  n_paths: 20\n  models: [naive, mean, drift]\n  ensemble_top_k: 2\n",
        encoding="utf-8",
    )
    return path


def _broken_notebook(folder: Path) -> Path:
    """The real notebook with one more municipal cell that raises for ``BROKEN``, kills ``KILLED``."""
    nb = json.loads(SOURCE.read_text(encoding="utf-8"))
    at = next(i for i, c in enumerate(nb["cells"]) if "municipality_view" in "".join(c["source"]))
    nb["cells"].insert(
        at + 1,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "injected-failure",
            "metadata": {},
            "outputs": [],
            "source": [
                f'if municipality == "{BROKEN}":\n',
                '    raise ValueError("injected failure")\n',
                f'if municipality == "{KILLED}":\n',
                "    import os; os._exit(1)\n",
            ],
        },
    )
    path = folder / "05_municipality.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def chunked(tmp_path_factory: pytest.TempPathFactory) -> runner.RunResult:
    """One run of five municipalities in chunks of two on two workers; one of them fails."""
    folder = tmp_path_factory.mktemp("municipal-batch")
    registry = (Notebook("05_municipality", per="municipality", path=_broken_notebook(folder)),)
    return runner.run(
        [_small_scenario(folder)],
        registry=registry,
        municipalities=CODES,
        jobs=2,
        municipal_chunk=2,
        reports_dir=folder / "reports",
        progress=False,
    )


def test_shared_cells_do_not_depend_on_the_municipality() -> None:
    nb = json.loads(SOURCE.read_text(encoding="utf-8"))
    shared = [c for c in nb["cells"] if "shared" in c["metadata"].get("tags", [])]
    assert len(shared) >= 4, "the national table and chart and the results are shared"
    for cell in shared:
        source = "\n".join(
            line for line in "".join(cell["source"]).splitlines() if not line.startswith(("from ", "import "))
        )
        used = [n for n in MUNICIPAL_NAMES if re.search(rf"\b{n}\b", source)]
        assert not used, f"shared cell {cell['id']} uses {used}"


def test_one_failing_municipality_fails_alone(chunked: runner.RunResult) -> None:
    results = chunked.results
    key = f"small/05_municipality/{BROKEN}"
    assert results[key].status == "failed" and "injected failure" in results[key].error
    assert results[f"small/05_municipality/{KILLED}"].status == "died"
    others = [c for c in CODES if c not in (BROKEN, KILLED)]
    folder = chunked.run_dir / "small" / "municipalities"
    for code in others:
        assert results[f"small/05_municipality/{code}"].status == "ok", results[f"small/05_municipality/{code}"]
        page = (folder / f"{code}.html").read_text(encoding="utf-8")
        assert "de antwoorden eerst" in page and "Landelijke kerncijfers" in page
    # the failing one is on the index, with its error, and its page says it is incomplete
    index = (chunked.run_dir / "index.html").read_text(encoding="utf-8")
    assert BROKEN in index and "injected failure" in index
    manifest = json.loads((chunked.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert "injected failure" in (folder / f"{BROKEN}.html").read_text(encoding="utf-8")
    # no executed notebook per municipality unless asked, and no link to one
    assert not list(folder.glob("*.ipynb"))
    assert not re.search(r"href=\"[^\"]*\.ipynb\"", (folder / f"{others[0]}.html").read_text(encoding="utf-8"))


def _key_content(page: str) -> dict[str, object]:
    """Title, headings, the answers' figures and the national table of a municipal page."""
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", page, flags=re.S))
    text = re.sub(r"\s+", " ", text)
    answers = text[text.find("de antwoorden eerst") : text.find("De details")]
    national = text[text.find("Landelijke kerncijfers") : text.find("Hoe betrouwbaar")]
    return {
        "title": re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip(),
        "headings": re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page),
        "answers": answers,
        "national": national,
        "figures": re.findall(r"\d[\d.]*", answers),
    }


def test_chunked_page_equals_the_papermill_page(chunked: runner.RunResult, tmp_path: Path) -> None:
    code = CODES[0]
    single = runner.run(
        [_small_scenario(tmp_path)],
        notebooks=["05_municipality"],
        municipalities=[code],
        jobs=1,
        municipal_chunk=1,
        reports_dir=tmp_path / "reports",
        progress=False,
    )
    assert single.ok, [r.error for r in single.failed]
    one = (single.run_dir / "small" / "municipalities" / f"{code}.html").read_text(encoding="utf-8")
    many = (chunked.run_dir / "small" / "municipalities" / f"{code}.html").read_text(encoding="utf-8")
    assert _key_content(one) == _key_content(many)
    # one municipality on its own (papermill) keeps both downloads, as a national report does
    tables = single.run_dir / "small" / "tables"
    assert (tables / f"municipality_{code}.csv").is_file() and (tables / f"municipality_{code}.xlsx").is_file()
    assert _key_content(many)["figures"], "the answers carry numbers"


def test_report_exporter_gives_nbconvert_s_page(tmp_path: Path) -> None:
    """The faster exporter (no schema checks, no BeautifulSoup pass) renders the same DOM."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from capacity.runner import export
    from capacity.runner.plan import Job

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Titel\n\nUitleg met *nadruk*."),
            nbformat.v4.new_code_cell(
                "x",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data", data={"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "t"}
                    )
                ],
            ),
            nbformat.v4.new_code_cell(
                "y",
                outputs=[
                    nbformat.v4.new_output(
                        "execute_result", data={"text/markdown": "**vet**", "text/plain": "v"}, execution_count=2
                    )
                ],
            ),
            nbformat.v4.new_code_cell(
                "print(1)", outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")]
            ),
            nbformat.v4.new_code_cell(
                "z", outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=4)]
            ),
        ]
    )
    job = Job(
        key="s/n",
        scenario="s",
        notebook=Notebook("n"),
        municipality=None,
        parameters={},
        output_ipynb=tmp_path / "s" / "n.ipynb",
        output_html=tmp_path / "s" / "n.html",
        workdir=tmp_path / "w",
        language="nl",
        title="Titel",
    )
    job.output_html.parent.mkdir(parents=True)
    fast = export.export_html(nb, job).read_text(encoding="utf-8")
    from traitlets.config import Config

    plain = HTMLExporter(
        config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
        template_name="capacity_report",
        language_code="nl",
        extra_template_basedirs=[str(export.TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    original = export._exporter
    try:
        export._exporter = lambda *_: plain
        slow = export.export_html(nb, job).read_text(encoding="utf-8")
    finally:
        export._exporter = original

    def dom(page: str) -> list:
        return [
            (t.name, sorted(t.attrs.items(), key=str), t.string)
            for t in BeautifulSoup(page, "html.parser").find_all(True)
        ]

    assert dom(fast) == dom(slow)
    assert fast.count('tabindex="0"') >= 5
    assert '<html lang="nl">' in fast and "jp-Collapser" not in fast
    assert "td.linenos" not in fast and ".highlight" not in fast  # reports show no code: no pygments CSS


def test_batch_writes_excel_per_municipality_and_one_csv(chunked: runner.RunResult) -> None:
    """Each published municipality: its own .xlsx; the scenario: one gzipped CSV of them all."""
    import openpyxl
    import pandas as pd

    from capacity.runner.gather import MUNICIPAL_CSV

    tables = chunked.run_dir / "small" / "tables"
    ok = sorted(c for c in CODES if c not in (BROKEN, KILLED))
    assert chunked.results["small/municipal-tables"].status == "ok"
    gathered = pd.read_csv(tables / MUNICIPAL_CSV, dtype={"code": str})
    assert sorted(gathered["code"].unique()) == ok  # no failed one
    assert gathered["date"].astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert not list(tables.glob("municipality_*.csv")), "the gathered CSVs are not kept twice"
    sheet = list(
        openpyxl.load_workbook(tables / f"municipality_{ok[0]}.xlsx", read_only=True).active.iter_rows(values_only=True)
    )
    own = gathered[gathered["code"] == ok[0]].reset_index(drop=True)
    assert list(sheet[0]) == list(gathered.columns) and len(sheet) == len(own) + 1
    assert sheet[1][3] == pytest.approx(own.iloc[0, 3], rel=1e-12)
    page = (chunked.run_dir / "small" / "municipalities" / f"{ok[0]}.html").read_text(encoding="utf-8")
    assert f'href="../tables/municipality_{ok[0]}.xlsx"' in page, "a page links its own Excel file"
    assert f'href="../tables/{MUNICIPAL_CSV}" download>CSV, alle gemeenten</a>' in page
    assert f"municipality_{ok[0]}.csv" not in page
    failed = (chunked.run_dir / "small" / "municipalities" / f"{BROKEN}.html").read_text(encoding="utf-8")
    assert MUNICIPAL_CSV not in failed
    # The scenario's 120 parameters are not repeated in each of 342 pages: a link to them.
    assert "Gebruikte parameters" in page and 'href="../inputs/scenario.yaml"' in page
    assert "<th>waarde</th>" not in page and (chunked.run_dir / "small" / "inputs" / "scenario.yaml").exists()
    index = (chunked.run_dir / "index.html").read_text(encoding="utf-8")
    assert f'href="small/tables/{MUNICIPAL_CSV}"' in index, "the index links the gathered CSV"


def test_keep_notebooks_keeps_each_municipal_notebook(tmp_path: Path) -> None:
    codes = CODES[:2]
    res = runner.run(
        [_small_scenario(tmp_path)],
        notebooks=["05_municipality"],
        municipalities=codes,
        jobs=1,
        municipal_chunk=2,
        keep_notebooks=True,
        reports_dir=tmp_path / "reports",
        progress=False,
    )
    assert res.ok, [r.error for r in res.failed]
    folder = res.run_dir / "small" / "municipalities"
    assert sorted(p.stem for p in folder.glob("*.ipynb")) == codes
    assert f'href="{codes[0]}.ipynb"' in (folder / f"{codes[0]}.html").read_text(encoding="utf-8")
