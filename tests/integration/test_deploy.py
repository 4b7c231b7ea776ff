"""The monthly job is observable: journal and file, failure and warning hooks, its own writable home."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _project(tmp_path: Path, fake_capacity: str) -> Path:
    project = tmp_path / "project"
    (project / "deploy").mkdir(parents=True)
    for name in ("run-scheduled.sh", "on-warning.sh"):
        (project / "deploy" / name).write_bytes((DEPLOY / name).read_bytes())
    fake = project / ".venv" / "bin" / "capacity"
    fake.parent.mkdir(parents=True)
    fake.write_text(fake_capacity)
    fake.chmod(0o755)
    (project / ".venv" / "bin" / "python").symlink_to(Path(os.sys.executable))
    return project


def test_the_job_writes_every_line_to_stdout_and_to_its_log_file(tmp_path: Path) -> None:
    project = _project(tmp_path, "#!/bin/sh\necho \"runner says $*\"\necho 'an error line' >&2\nexit 1\n")
    out = subprocess.run(
        ["sh", str(project / "deploy" / "run-scheduled.sh"), "--force"], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 1
    log = (project / "reports" / "logs" / "scheduled.log").read_text()
    for text in (
        "scheduled run starting",
        "runner says run --all-scenarios",
        "--force",
        "an error line",
        "scheduled run ended with exit code 1",
    ):
        assert text in out.stdout and text in log, text
    assert out.stdout == log  # the journal gets exactly what the file gets


def test_on_warning_prints_the_triggers_that_fired(tmp_path: Path) -> None:
    project = _project(tmp_path, "#!/bin/sh\nexit 0\n")
    warnings = tmp_path / "warnings.json"
    warnings.write_text(
        json.dumps(
            {
                "run_id": "20261202T020000Z",
                "status": "stale",
                "scenarios": {
                    "baseline": {
                        "status": "stale",
                        "triggers": [
                            {
                                "trigger": "shelter_pressure",
                                "status": "unknown",
                                "title": "Shelter pressure",
                                "text": "Not evaluated",
                            },
                            {
                                "trigger": "data_age",
                                "status": "stale",
                                "title": "Age of the data",
                                "text": "Stale data: June 2025",
                            },
                        ],
                    }
                },
            }
        )
    )
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # whether `mail` exists or not, the text is printed
    out = subprocess.run(
        ["sh", str(project / "deploy" / "on-warning.sh"), str(warnings)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("capacity early warning: STALE (run 20261202T020000Z)")
    assert "- baseline: Age of the data: stale: Stale data: June 2025" in out.stdout
    assert "Shelter pressure" not in out.stdout


def test_the_unit_has_failure_warning_and_home_settings_and_true_times() -> None:
    unit = (DEPLOY / "capacity-report.service").read_text()
    assert "OnFailure=capacity-report-failed@%n.service" in unit
    assert "StateDirectory=capacity" in unit and "CacheDirectory=capacity" in unit
    assert "HOME=/var/lib/capacity" in unit and "XDG_CACHE_HOME=/var/cache/capacity" in unit
    assert "CAPACITY_ON_WARNING=/opt/capacity/deploy/on-warning.sh" in unit
    assert (DEPLOY / "capacity-report-failed@.service").is_file()
    cron = (DEPLOY / "crontab").read_text()
    assert "MAILTO=" in cron and "CAPACITY_ON_WARNING=" in cron
    for path in DEPLOY.iterdir():
        assert "an hour" not in path.read_text(), f"{path.name}: the monthly run takes 7 to 11 minutes"
