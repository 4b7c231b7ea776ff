"""New counts a planner adds by hand: the drop-in ``<project>/data/counts.csv``, read beside the shipped table.

A new count from the ministry (a letter to parliament, the biweekly table) is one row in the
columns of ``ukraine_shelter_nl.csv``::

    date,date_precision,registered_brp,in_municipal_shelter,shelter_places,occupancy_pct_reported,source,note,series
    <YYYY-MM-DD>,day,<count>,,,,"<letter, its date and number, link>",<the sentence quoted>,rtb_letter

Every row needs a ``source``; a registered count needs its ``series`` (``rtb_letter`` or
``table_press``, :data:`~capacity.data.files.REGISTERED_SERIES`). The file is found by
:func:`~capacity.data.files.data_files` whether or not ``data.data_dir`` is set (so the run
manifest hashes it and the next run names it in "what changed"), validated by
:func:`~capacity.data.read.read_csv` like the table it extends, and its rows come after the
table's: on the same day the planner's row is the later report, so it is the month's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from capacity.data.files import DROP_IN_OF
from capacity.data.read import read_csv


def with_drop_ins(name: str, frame: pd.DataFrame, paths: Mapping[str, Path]) -> pd.DataFrame:
    """Return table ``name`` (as read) with the rows of its drop-ins in ``paths`` appended.

    Args:
        name: The table, e.g. ``ukraine_shelter_nl``.
        frame: The table as :func:`~capacity.data.read.read_csv` returned it.
        paths: ``{name: path}`` of :func:`~capacity.data.files.data_files` (a drop-in is there
            only when its file is).

    Returns:
        ``frame`` and then each drop-in's rows; a drop-in row's ``note`` starts with the file
        name, so the history says where the figure came from.

    Raises:
        DataError: If a drop-in is malformed (one line naming file, row, column and value).

    """
    for drop_in, table in DROP_IN_OF.items():
        if table != name or drop_in not in paths:
            continue
        path = Path(paths[drop_in])
        rows = read_csv(drop_in, path)
        note = rows.get("note", pd.Series("", index=rows.index)).fillna("").astype(str)
        rows["note"] = note.where(note == "", ": " + note).radd(path.name)
        frame = pd.concat([frame, rows], ignore_index=True)
    return frame
