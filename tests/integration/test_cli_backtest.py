"""``capacity backtest`` prints and saves the forecast scorecard, from the files a run reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from capacity import data

pytestmark = pytest.mark.integration


def _backtest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "capacity", "backtest", *args], capture_output=True, text=True, timeout=600
    )  # a full backtest: minutes on a busy machine


def _naive_mae(scorecard: pd.DataFrame) -> float:
    row = scorecard[(scorecard["series"] == "arrivals") & (scorecard["model"] == "naive") & (scorecard["h"] == 1)]
    return float(row["mae"].iloc[0])


def test_backtest_prints_and_saves_the_scorecard(tmp_path: Path, small_scenario) -> None:
    out = tmp_path / "scorecard.csv"
    done = _backtest("--params", str(small_scenario()), "--output", str(out))  # quick models: the plumbing
    assert done.returncode == 0, done.stderr
    scorecard = pd.read_csv(out)
    assert len(scorecard) > 0 and {"series", "model", "h"} <= set(scorecard.columns)
    assert f"saved {out}" in done.stdout


def test_backtest_reads_the_scenarios_data_files_override(tmp_path: Path, small_scenario) -> None:
    shipped = data.data_files()["eurostat_tp_nl_monthly"]
    euro = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    euro["tp_grants_in_month"] = (euro["tp_grants_in_month"].astype(int) * 2).astype(str)
    doubled = tmp_path / "eurostat_doubled.csv"
    euro.to_csv(doubled, index=False)
    # both on the quick models (naive among them): the test is about which file is read
    quick = small_scenario()
    scenario = tmp_path / "doubled.yaml"
    scenario.write_text(quick.read_text() + f"data:\n  files:\n    eurostat_tp_nl_monthly: {doubled}\n")

    base, over = tmp_path / "base.csv", tmp_path / "over.csv"
    assert _backtest("--params", str(quick), "--output", str(base)).returncode == 0
    done = _backtest("--params", str(scenario), "--output", str(over))

    assert done.returncode == 0, done.stderr
    # Twice the arrivals, twice the naive model's one-month error: the override was read.
    assert _naive_mae(pd.read_csv(over)) == pytest.approx(2 * _naive_mae(pd.read_csv(base)), rel=1e-9)


def test_backtest_stops_on_a_broken_override_naming_file_and_row(tmp_path: Path) -> None:
    shipped = data.data_files()["ukraine_shelter_nl"]
    lines = shipped.read_text().splitlines()
    broken = tmp_path / "shelter_broken.csv"
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("date")] = "not-a-date"
    broken.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(f"data:\n  files:\n    ukraine_shelter_nl: {broken}\n")

    done = _backtest("--params", str(scenario))

    assert done.returncode == 2
    assert f"{broken}, row 2" in done.stderr and "not a date" in done.stderr
