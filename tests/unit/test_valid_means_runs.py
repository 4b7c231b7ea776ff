"""What passes ``validate`` runs, and what does not is one line: control characters, data without NL, bounds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from capacity import cli, data, params
from capacity.errors import DataError, ParameterError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\ufffe", "\x7f"])
def test_a_raw_control_character_in_a_parameter_file_is_a_named_error(tmp_path: Path, char: str) -> None:
    path = tmp_path / "cc.yaml"
    path.write_text(f"meta:\n  name: x{char}y\n", encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        params.load(path)
    message = str(err.value)
    assert str(path) in message and "line 2, column 10" in message and f"U+{ord(char):04X}" in message
    assert len(message.splitlines()) == 1


def test_a_eurostat_file_without_nl_rows_is_one_line(tmp_path: Path) -> None:
    shipped = data.shipped_dir() / "eurostat_tp_nl_monthly.csv"
    frame = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    path = tmp_path / "eurostat_tp_nl_monthly.csv"
    frame.assign(geo="BE").to_csv(path, index=False)
    with pytest.raises(DataError, match=r"no rows with geo = NL \(found BE\)") as err:
        data.load_history(files={"eurostat_tp_nl_monthly": str(path)})
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_appeal_months_mean_zero_fails_validation_not_the_run(tmp_path: Path) -> None:
    path = tmp_path / "appeal.yaml"
    path.write_text("backlog:\n  appeal_months_mean: 0\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"backlog.appeal_months_mean = 0: .* above 0"):
        params.load(path)


@pytest.mark.parametrize(("key", "section"), [("fit_start", "forecast.fit_start"),
                                              ("departure_fit_start", "forecast.departure_fit_start")])
def test_a_fit_start_after_the_last_observation_fails_validate(tmp_path: Path, capsys, key: str,
                                                                 section: str) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(f"forecast:\n  {key}: 2026-01-01\n", encoding="utf-8")
    assert cli.main(["validate", str(path)]) == cli.EXIT_INPUT
    out = capsys.readouterr().out
    assert f"{path}: {section} = 2026-01: leaves fewer than two months" in out
    assert cli.main(["run", "--dry-run", str(path)]) == cli.EXIT_INPUT
    assert section in capsys.readouterr().err
