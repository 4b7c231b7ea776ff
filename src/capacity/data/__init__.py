"""Everything read from disk: the data files, the canonical history, and the tables a run writes.

- :mod:`~capacity.data.files`: what each data file must contain and which files a
  scenario reads (:func:`data_files`, :func:`scenario_files`: the one resolver);
- :mod:`~capacity.data.read`: validated readers whose errors name the file, row, column and value;
- :mod:`~capacity.data.formats`: the conventions of a file a planner drops in (cp1252, UTF-16,
  ``;``, Dutch numbers and dates), read when unambiguous, else a message how to fix it;
- :mod:`~capacity.data.check`: :func:`check_scenario_data`, the data check of ``validate`` and
  ``run --dry-run``;
- :mod:`~capacity.data.dropin`: the planner's new counts, ``<project>/data/counts.csv``;
- :mod:`~capacity.data.update`: ``capacity data update`` (Eurostat over SDMX in
  :mod:`~capacity.data.eurostat`, CBS over OData in :mod:`~capacity.data.cbs`, one injected
  transport in :mod:`~capacity.data.fetch`);
- :mod:`~capacity.data.history`: the canonical monthly history (long), its one pivot to
  wide (:func:`history_wide`) and its latest observed values (:func:`last_observed`);
- :mod:`~capacity.data.quality`: coverage, gaps, breaks, identity and anchor checks;
- :mod:`~capacity.data.dates`: :func:`months_between`;
- :mod:`~capacity.data.tables` and :mod:`~capacity.data.cache`: tables and result caches written.
"""

from capacity.data import formats, quality
from capacity.data.cache import load_pickle, save_pickle
from capacity.data.check import check_files, check_scenario_data
from capacity.data.dates import months_between, reference_date, reference_month
from capacity.data.files import SPECS, FileSpec, data_files, scenario_files, shipped_dir
from capacity.data.history import (
    EUROSTAT_CLEANUP_MONTHS,
    FLAGS,
    HISTORY_COLUMNS,
    VALUED_FLAGS,
    check_history,
    history_wide,
    last_observed,
    load_history,
    observed,
    registered_counts,
)
from capacity.data.read import MAX_COUNT, check_municipalities, load_municipalities, load_table, read_csv
from capacity.data.tables import save_table

__all__ = [
    "EUROSTAT_CLEANUP_MONTHS",
    "FLAGS",
    "HISTORY_COLUMNS",
    "MAX_COUNT",
    "SPECS",
    "VALUED_FLAGS",
    "FileSpec",
    "check_files",
    "check_history",
    "check_municipalities",
    "check_scenario_data",
    "formats",
    "data_files",
    "history_wide",
    "last_observed",
    "load_history",
    "load_municipalities",
    "load_pickle",
    "load_table",
    "months_between",
    "observed",
    "reference_date",
    "reference_month",
    "registered_counts",
    "quality",
    "read_csv",
    "save_pickle",
    "save_table",
    "scenario_files",
    "shipped_dir",
]
