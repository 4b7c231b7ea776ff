"""Print a run's reports to A4 PDF with headless Chromium (``capacity run --pdf``).

The reports' print stylesheet sets A4 (``@page``), hides the chart toolbar and keeps
headings with what follows; Chromium prints each page after its scripts have drawn the
charts. A PDF is what a council gets forwarded: it needs no ``assets/`` folder.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from capacity.errors import RunError

logger = logging.getLogger(__name__)

#: Where Debian's chromium package puts the browser; ``CHROMIUM`` on PATH otherwise.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str:
    """Return the Chromium executable, or raise :class:`RunError` saying how to install it."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RunError("--pdf needs Chromium: apt-get install -y chromium")


def print_pdf(html: Path, *, chromium: str, timeout: float = 120) -> Path:
    """Print one report to ``<report>.pdf`` beside it; return the PDF's path."""
    pdf = html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="capacity-pdf-") as profile:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--allow-file-access-from-files",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=15000",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise RunError(f"{html}: Chromium could not print it (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return pdf


def print_pdfs(pages: Iterable[Path], *, jobs: int = 2) -> list[Path]:
    """Print every page to PDF, ``jobs`` at a time; return the PDFs written.

    A page that fails to print is logged and skipped, so one bad page costs one PDF.
    """
    chromium = find_chromium()
    pages = [Path(p) for p in pages]
    written: list[Path] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for page, future in [(p, pool.submit(print_pdf, p, chromium=chromium)) for p in pages]:
            try:
                written.append(future.result())
            except (RunError, subprocess.TimeoutExpired) as exc:
                logger.error("no PDF for %s: %s", page, exc)
    return written
