"""Check the data files a scenario will read, with the readers the run uses, before anything runs.

``capacity validate`` and ``capacity run --dry-run`` call :func:`check_scenario_data`: it
resolves ``data.data_dir`` / ``data.files`` as the run does (relative paths from the project
folder), opens every file with :func:`~capacity.data.read.read_csv` and builds the history
with :func:`~capacity.data.history.load_history`, so what passes here also loads in the
notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from capacity.data.files import data_files, project_root, scenario_files
from capacity.data.history import load_history
from capacity.data.read import check_municipalities, read_csv
from capacity.errors import DataError
from capacity.params.base import DataConfig


def check_files(paths: Mapping[str, Path | str], *, today: pd.Timestamp | str | None = None) -> list[str]:
    """Read and validate every file in ``paths`` (``{name: path}``) as a run would.

    Args:
        paths: Data files by name, e.g. :func:`~capacity.data.files.data_files` (missing
            names: the shipped copies).
        today: The run date, for the check on dates in the future.

    Returns:
        One line per problem (file, row, column, value, what was expected); empty when
        every file reads.

    """
    problems = []
    for name, path in paths.items():
        try:
            frame = read_csv(name, path, today=today)
            if name == "municipalities":
                check_municipalities(frame, path)
        except DataError as exc:
            problems.append(str(exc))
    if not problems:
        try:
            load_history(files={name: str(path) for name, path in paths.items()})
        except DataError as exc:
            problems.append(str(exc))
    return problems


def check_scenario_data(data_cfg: DataConfig, *, today: pd.Timestamp | str | None = None) -> list[str]:
    """Check the data files of a scenario's ``data`` section; return one line per problem."""
    try:
        paths = scenario_files(data_cfg)
    except DataError as exc:
        return [str(exc)]
    if data_cfg.data_dir:
        folder = data_files(data_cfg.data_dir)["municipalities"].parent
        if not folder.is_dir():
            relative = "" if Path(data_cfg.data_dir).expanduser().is_absolute() else (
                f" (a relative path counts from the project folder {project_root()})")
            return [f"data.data_dir = {data_cfg.data_dir!r}: folder {folder} not found{relative}; "
                    f"expected a folder with the CSV files"]
    return check_files(paths, today=today)
