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
    if version not in _seen:
        _seen.append(version)
    return version


@pytest.fixture(autouse=True)
def _chromium_version_in_report(request: pytest.FixtureRequest):
    """Carry the version on the test's report: under pytest-xdist the summary is printed by another process."""
    yield
    if _seen:
        request.node.user_properties.append(("chromium", _seen[-1]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the versions the tests' reports carry (from this process or an xdist worker)."""
    for name, value in getattr(report, "user_properties", ()):
        if name == "chromium" and value not in _seen:
            _seen.append(value)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the Chromium version after the results whenever a browser test started it."""
    for version in _seen:
        terminalreporter.write_line(f"browser tests ran on {version}")
