"""Tiny fixture notebooks for the runner tests, one behaviour each (tests/data/notebooks/)."""

from __future__ import annotations

from pathlib import Path

from capacity.runner import Notebook

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "notebooks"
OK = Notebook("ok", path=FIXTURES / "ok.ipynb")
BROKEN = Notebook("broken", path=FIXTURES / "broken.ipynb")
SLOW = Notebook("slow", path=FIXTURES / "slow.ipynb")
DIES = Notebook("dies", path=FIXTURES / "dies.ipynb")
MUNI = Notebook("municipality", per="municipality", path=FIXTURES / "municipality.ipynb")
#: Runner options for fast tests: no shared results, plain kernels, no progress bar.
FAST = {"jobs": 2, "prepare": False, "progress": False, "kernel": "spawn"}
