"""What a run says while it runs: a live bar on a terminal, one status line per job otherwise."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from capacity.runner.outcome import JobResult

logger = logging.getLogger(__name__)


class Progress:
    """A tqdm bar on stderr when it is a terminal; plain status lines for cron and log files.

    Args:
        total: Jobs in the run.
        desc: The bar's label (the run id).
        enabled: False: no bar and no status lines (the log file still gets every line).

    """

    def __init__(self, total: int, desc: str, *, enabled: bool) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self.enabled = enabled
        self.bar = tqdm(
            total=total, disable=not (enabled and sys.stderr.isatty()), unit="report", file=sys.stderr, desc=desc
        )

    @property
    def live(self) -> bool:
        """True when the bar is drawn (a terminal)."""
        return not self.bar.disable

    def say(self, line: str) -> None:
        """Print a status line above the bar (nothing when disabled)."""
        if self.enabled:
            self._tqdm.write(line, file=sys.stderr)

    def show_running(self, keys: Sequence[str], workers: int) -> None:
        """Show the jobs now executing next to the bar (one per worker)."""
        # The process pool marks one queued call as running too: show one job per worker.
        if keys:
            self.bar.set_postfix_str("running: " + ", ".join(keys[:workers]), refresh=True)

    def skipped(self, n: int, line: str) -> None:
        """Count ``n`` jobs as done without running them, and say why."""
        self.bar.update(n)
        self.say(line)

    def job_done(self, res: JobResult) -> None:
        """Advance the bar and print the job's status line (and log it)."""
        self.bar.update(1)
        word = "ok    " if res.status == "ok" else res.status.upper().ljust(6)
        line = (
            f"{word} {res.key}  {res.seconds:.1f} s (kernel {res.kernel_seconds:.1f}, cells {res.compute_seconds:.1f})"
        )
        if res.error:
            line += f"\n       {res.error}"
            logger.error("%s %s: %s", res.status, res.key, res.error)
        else:
            logger.info("ok %s in %.1f s", res.key, res.seconds)
        self.say(line)

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()
