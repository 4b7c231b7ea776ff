"""The run's git commit and "+dirty" flag, read without running the notebooks' clean filter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from capacity.runner.manifest import git_commit

pytestmark = pytest.mark.integration


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def test_the_dirty_check_never_runs_the_notebook_filter(tmp_path: Path) -> None:
    """A fresh clone's notebooks are "racy": git would run the clean filter on each (seconds each)."""
    repo, marker = tmp_path / "repo", tmp_path / "filter-ran"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "t")
    _git(repo, "config", "filter.capacity-notebook.clean", f"sh -c 'touch {marker}; cat'")
    (repo / ".gitattributes").write_text("*.ipynb filter=capacity-notebook\n", encoding="utf-8")
    (repo / "a.ipynb").write_text("{}\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "x")
    marker.unlink()
    (repo / "a.ipynb").touch()  # new stat data: git must look at the content again
    head = _git(repo, "rev-parse", "HEAD")
    assert git_commit(repo) == head
    assert not marker.exists(), "git_commit ran the notebook filter"
    (repo / "a.ipynb").write_text('{"changed": 1}\n', encoding="utf-8")
    assert git_commit(repo) == head + "+dirty"
