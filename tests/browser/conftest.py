"""Browser tier: report which Chromium the tests drove, so a new package shows in the log."""

from __future__ import annotations

import subprocess

import pytest

CHROMIUM = "/usr/bin/chromium"
_seen: list[str] = []


@pytest.fixture(scope="session")
def chromium_version() -> str:
    """The browser's own version line, e.g. 'Chromium 150.0.7871.100 built on Debian ...'."""
    out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=60)
    lines = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    version = lines[-1] if lines else f"unknown version of {CHROMIUM}"
    _seen.append(version)
    return version


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the Chromium version after the results whenever a browser test started it."""
    for version in _seen:
        terminalreporter.write_line(f"browser tests ran on {version}")
