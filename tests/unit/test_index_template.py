"""The run index template: readable at phone width (every table scrolls in its own box)."""

from __future__ import annotations

import re

import pytest

from capacity.runner.index import TEMPLATES_DIR

pytestmark = pytest.mark.unit


def test_every_index_table_scrolls_in_its_own_box() -> None:
    text = (TEMPLATES_DIR / "index.html.j2").read_text(encoding="utf-8")
    tables = re.findall(r"<table\b", text)
    boxed = re.findall(r'<div class="wide">\s*<table\b', text)
    assert len(tables) >= 7 and len(boxed) == len(tables), (len(boxed), len(tables))
    assert re.search(r"\.wide[^{]*\{[^}]*overflow-x: auto", text)
