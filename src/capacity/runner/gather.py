"""Gather a batch's municipal CSVs into one gzipped file per scenario."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path

from capacity.runner.outcome import JobResult

logger = logging.getLogger(__name__)


#: All municipalities' forecast tables of a scenario in one file (``<scenario>/tables/<name>``).
MUNICIPAL_CSV = "municipalities_forecast.csv.gz"


def gather_municipal_tables(key: str, scenario_dir: str, codes: list[str]) -> JobResult:
    """Gather the batch's municipal CSVs into one gzipped CSV and remove them.

    A batch of municipal reports writes each published municipality's table
    (``tables/municipality_<code>.csv``, rows tagged by ``code``) and its ``.xlsx``; this joins
    the CSVs, line for line, into ``<scenario_dir>/tables/`` :data:`MUNICIPAL_CSV` (one file
    for tools: ``pandas.read_csv`` reads it as it is) and deletes them: 342 CSVs of 30 kB
    become one file of about a third of their size. Each page links it instead (see
    :mod:`capacity.runner.export`); the municipality's own Excel file stays.

    Returns:
        A :class:`JobResult` (``failed`` with the reason if a CSV is missing, unreadable or
        has other columns; the CSVs are then left as they are).

    """
    import gzip

    from capacity.data.tables import replacing_file

    started = time.perf_counter()
    tables = Path(scenario_dir) / "tables"
    target = tables / MUNICIPAL_CSV
    parts = [tables / f"municipality_{code}.csv" for code in codes]
    if not any(part.is_file() for part in parts):  # the notebook writes no municipal table
        return JobResult(key=key, status="ok", seconds=time.perf_counter() - started)
    try:
        header = None
        # No file name and no time in the gzip header: the same tables give the same bytes.
        with (
            replacing_file(target) as tmp,
            tmp.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as packed,
            io.TextIOWrapper(packed, encoding="utf-8", newline="") as out,
        ):
            for part in parts:
                first, _, rows = part.read_text(encoding="utf-8").partition("\n")
                if header is None:
                    header = first
                    out.write(first + "\n")
                elif first != header:
                    raise ValueError(f"{part.name} has the columns {first!r}, expected {header!r}")
                out.write(rows if rows.endswith("\n") or not rows else rows + "\n")
    except Exception as exc:  # noqa: BLE001 - reported on the index page
        return JobResult(
            key=key,
            status="failed",
            seconds=time.perf_counter() - started,
            error=f"{target} could not be written: {type(exc).__name__}: {exc}",
        )
    for part in parts:
        part.unlink()
    seconds = time.perf_counter() - started
    logger.info("wrote %s (%d municipalities)", target, len(codes))
    return JobResult(key=key, status="ok", seconds=seconds, compute_seconds=seconds)
