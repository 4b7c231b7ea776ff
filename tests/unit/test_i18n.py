"""One home per word: the gettext catalogue is complete, matches the code, and a kernel sets its language once."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po

from capacity import i18n, report
from capacity.report import labels

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "src" / "capacity" / "locale" / "nl" / "LC_MESSAGES" / "capacity.po"


@pytest.fixture
def kernel_language():
    """Restore the kernel's language after a test that sets it."""
    before = i18n.language()
    yield
    i18n.set_language(before)


def _entries(path: Path) -> dict[tuple[str | None, str], object]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def test_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    entries = _entries(PO)
    assert len(entries) > 400
    untranslated = sorted(
        k for k, m in entries.items() if not (m.string if isinstance(m.string, str) else all(m.string))
    )
    fuzzy = sorted(k for k, m in entries.items() if m.fuzzy)
    assert not untranslated, f"translate in {PO.name}: {untranslated}"
    assert not fuzzy, f"check and unmark the fuzzy entries in {PO.name}: {fuzzy}"


def test_every_text_the_code_marks_is_in_the_catalogue_and_no_other(tmp_path: Path) -> None:
    """What `make messages` extracts (pybabel extract, babel.cfg) is exactly what the .po holds."""
    pot = tmp_path / "capacity.pot"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from babel.messages.frontend import main; sys.exit(main())",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "NC_:1c,2",
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            ".",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    code, catalogue = set(_entries(pot)), set(_entries(PO))
    assert not code - catalogue, f"run `make messages` and translate: {sorted(code - catalogue)}"
    assert not catalogue - code, f"no longer in the code (run `make messages`): {sorted(catalogue - code)}"


def test_a_translation_keeps_the_placeholders_of_its_english() -> None:
    entries = _entries(PO)
    assert any(isinstance(m.string, tuple) for m in entries.values())  # a plural, with a form per number
    for (context, msgid), message in entries.items():
        slots = sorted(re.findall(r"\{[^{}]*\}", msgid))
        for form in message.string if isinstance(message.string, tuple) else (message.string,):
            assert sorted(re.findall(r"\{[^{}]*\}", form)) == slots, (context, msgid)


def test_compiling_leaves_a_fuzzy_entry_out(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Download"\nmsgstr "Downloaden"\n\n#, fuzzy\nmsgid "Main points"\nmsgstr "Hoofdzaken"\n',
        encoding="utf-8",
    )
    compiled = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(po)))
    assert compiled.gettext("Download") == "Downloaden"
    assert compiled.gettext("Main points") == "Main points"  # a guess is not shown


def test_the_language_set_once_is_what_report_functions_read(kernel_language) -> None:
    assert report.t("download") == "Download"
    assert report.set_language("nl") is None  # the notebook cell that sets it shows nothing
    assert report.t("download") == "Downloaden" and report.t("download", "en") == "Download"
    assert report.fmt_value(0.738, "share", 0.001) == "73,8%"
    html = report.table(pd.DataFrame({"date": pd.to_datetime(["2025-04-01"]), "flag": ["observed"]}))._repr_html_()
    assert "<th>datum</th>" in html and "<td>waargenomen</td>" in html


def test_a_language_without_a_catalogue_is_refused(kernel_language) -> None:
    with pytest.raises(ValueError, match="en, nl"):
        i18n.set_language("de")


def test_old_keys_of_columns_and_phrases_still_read_the_catalogue() -> None:
    assert labels.t("col_date", "nl") == "datum" and labels.t("cell_persons/month", "nl") == "personen per maand"
    assert labels.has("col_date") and not labels.has("col_no_such_column") and labels.has("p00_parameters")


def test_a_dutch_table_of_a_scenario_with_known_places_is_dutch(tmp_path: Path) -> None:
    from tests.unit.test_shelter import make_history, make_pop

    from capacity import shelter
    from capacity.data import load_municipalities
    from capacity.params.shelter import ShelterConfig
    from capacity.report import shelter as rs

    cfg = ShelterConfig(known_places={"GM0363": 500})
    result = shelter.simulate_shelter(make_pop(n=20, h=6), cfg, history=make_history())
    alloc = shelter.allocate(result, load_municipalities(), cfg, month=0)
    rows = alloc[alloc["code"].isin(["GM0363", "GM0014"])][["code", "places_source", "reliability"]]
    assert set(rows["reliability"]) == {"known_places", "by_key"}  # the model writes codes, not sentences
    html = report.table(
        rs.allocation_table(rows, language="nl"),
        "m",
        save_to=tmp_path,
        download=rs.allocation_table(rows, language="en"),
        language="nl",
    )._repr_html_()
    assert "eigen plekken bekend; de rest toegerekend met de verdeelsleutel" in html and "<td>bekend</td>" in html
    assert "known" not in html and "allocated" not in html and "by_key" not in html
    assert "own places known" in (tmp_path / "tables" / "m.csv").read_text(encoding="utf-8")  # the download
    english = report.table(rs.allocation_table(rows, language="en"), language="en")._repr_html_()
    assert "own places known; rest allocated by key" in english and "known_places" not in english


def test_a_thin_municipality_reads_as_indicative_with_its_threshold_in_the_page_language() -> None:
    from capacity.report import shelter as rs

    alloc = pd.DataFrame({"code": ["GM0001"], "reliability": ["thin"]})
    alloc.attrs["national"] = {"reliability_min_persons": 1000}
    assert rs.allocation_table(alloc, language="nl")["reliability"].tolist() == [
        "onzeker: minder dan 1.000 mensen in opvang; toegerekend met de verdeelsleutel, lees als indicatie"
    ]
    assert rs.allocation_table(alloc, language="en")["reliability"].tolist() == [
        "thin: fewer than 1,000 people in shelter; allocated by key, treat as indicative"
    ]
    assert alloc["reliability"].tolist() == ["thin"]  # the model's table is left as it is
