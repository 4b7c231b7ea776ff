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


@pytest.mark.parametrize(
    ("key", "section"), [("fit_start", "forecast.fit_start"), ("departure_fit_start", "forecast.departure_fit_start")]
)
def test_a_fit_start_after_the_last_observation_fails_validate(tmp_path: Path, capsys, key: str, section: str) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(f"forecast:\n  {key}: 2026-01-01\n", encoding="utf-8")
    assert cli.main(["validate", str(path)]) == cli.EXIT_INPUT
    out = capsys.readouterr().out
    assert f"{path}: {section} = 2026-01: leaves fewer than two months" in out
    assert cli.main(["run", "--dry-run", str(path)]) == cli.EXIT_INPUT
    assert section in capsys.readouterr().err


@pytest.mark.parametrize(
    "size",
    [
        "{kind: lognormal, median: 0.01, sigma: 2}",
        "{kind: uniform, low: 0, high: 1.5}",
        "{kind: beta, a: 2, b: 2, low: -2, high: 0.5}",
    ],
)
def test_a_departure_shock_that_can_exceed_the_population_fails_validation(tmp_path: Path, size: str) -> None:
    path = tmp_path / "shock.yaml"
    path.write_text(
        "forecast:\n  shocks:\n    - name: exodus\n      target: departure_rate\n"
        f"      start: 2026-01-01\n      kind: absolute\n      size: {size}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match=r"forecast.shocks\[0\]: shock 'exodus': a.* departure-rate shock"):
        params.load(path)


def test_a_lognormal_departure_multiplier_fails_validation(tmp_path: Path) -> None:
    path = tmp_path / "shock.yaml"
    path.write_text(
        "forecast:\n  shocks:\n    - name: exodus\n      target: departure_rate\n"
        "      start: 2026-01-01\n      size: {kind: lognormal, median: 3, sigma: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="lognormal is unbounded"):
        params.load(path)


def test_a_closure_larger_than_the_places_then_fails_validate(tmp_path: Path, capsys) -> None:
    path = tmp_path / "close.yaml"
    path.write_text(
        "shelter:\n  places_changes:\n    - {month: 2026-01-01, change: -50000}\n"
        "    - {month: 2026-03-01, change: -60000}\n",
        encoding="utf-8",
    )
    assert cli.main(["validate", str(path)]) == cli.EXIT_INPUT
    out = capsys.readouterr().out
    assert f"{path}: shelter.places_changes[1].change = -60000: closes more places in 2026-03" in out


def test_a_run_killed_while_finishing_is_tidied_like_a_running_one(tmp_path: Path, monkeypatch) -> None:
    import json

    from capacity.runner import publish

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    run = tmp_path / "20260101T000000Z"
    run.mkdir()
    (run / "manifest.json").write_text(
        json.dumps(
            {"run_id": run.name, "status": "finishing", "pid": 2**22 + 7, "started": "2026-01-01T00:00:00+00:00"}
        )
    )
    cache = publish.run_cache_dir(run)
    cache.mkdir(parents=True)
    (cache / "results.pkl").write_bytes(b"x" * 1000)
    publish.tidy_reports(tmp_path)
    assert json.loads((run / "manifest.json").read_text())["status"] == "interrupted"
    assert not cache.exists()
