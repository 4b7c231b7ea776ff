"""The regular asylum queue by the month each application started its decision term.

The IND's regular queue is kept as columns of cases that share a start time of the
decision term, per path: first the stock on hand when the run starts (the "old" block,
its ages spread evenly up to ``regular_backlog_age_months``, an assumption), then one
column per month of new applications (the "new" block). Decisions take cases from the
columns in the order of the queue discipline, so the age of every decided and every
pending case is known, and with it whether it is past the term and how much penalty it
has run up.

Penalties follow :func:`~capacity.backlog.parameters.penalty_per_case` on the time since
the term ended: a case pending over a month runs up the difference of the schedule
between the month's start and end; a case leaving the queue at mid-month runs up the
difference between the month's start and mid-month. Summed over a case's life this is
the schedule at the moment it leaves (or at the end of the run if it is still waiting),
whether or not it is ever decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from capacity.backlog.parameters import DAYS_PER_MONTH, penalty_per_case
from capacity.params.backlog import BacklogConfig

#: Columns used for the initial regular stock (its ages spread evenly over them).
OLD_COLUMNS = 24


@dataclass
class RegularQueue:
    """Cases in the regular queue per path and column, with each column's term start.

    Attributes:
        stock: Cases, shape (n_paths, OLD_COLUMNS + n_months), oldest column first.
        start: Month (from the run's first month start) each column's decision term
            started, shape (OLD_COLUMNS + n_months,); negative for the initial stock.
        term_end: Month each column's decision term ends (``start`` + the term, unless a
            replay of a change in the law says otherwise), same shape as ``start``.
    """

    stock: np.ndarray
    start: np.ndarray
    term_end: np.ndarray

    @property
    def old(self) -> np.ndarray:
        """Cases of the initial stock still waiting, per path."""
        return self.stock[:, :OLD_COLUMNS].sum(axis=1)

    @property
    def new(self) -> np.ndarray:
        """Cases lodged during the run still waiting, per path."""
        return self.stock[:, OLD_COLUMNS:].sum(axis=1)


def initial_queue(old_cases: np.ndarray, n_months: int, age_max_months: float, term_months: float) -> RegularQueue:
    """Return the initial stock spread evenly over ages up to ``age_max_months``, no new cases."""
    n = old_cases.shape[0]
    ages = age_max_months * (np.arange(OLD_COLUMNS, 0, -1) - 0.5) / OLD_COLUMNS  # oldest first
    stock = np.zeros((n, OLD_COLUMNS + n_months))
    stock[:, :OLD_COLUMNS] = old_cases[:, None] / OLD_COLUMNS
    start = np.concatenate([-ages, np.arange(n_months, dtype=float)])
    return RegularQueue(stock=stock, start=start, term_end=start + term_months)


def take_in_order(stock: np.ndarray, amount: np.ndarray, order: str) -> np.ndarray:
    """Cases taken from each column when ``amount`` (per path) is taken from ``stock``.

    ``order``: ``"oldest"`` (first column first), ``"newest"`` (last column first) or
    ``"proportional"`` (the same share of every column). Fully emptied columns are exact
    zeros afterwards (no leftover rounding dust).
    """
    if order == "proportional":
        total = stock.sum(axis=1)
        frac = np.divide(amount, total, out=np.zeros_like(total), where=total > 0)
        return stock * np.clip(frac, 0.0, 1.0)[:, None]
    cols = stock if order == "oldest" else stock[:, ::-1]
    ahead = np.cumsum(cols, axis=1)
    ahead -= cols  # cases ahead of each column
    taken = np.subtract(amount[:, None], ahead, out=ahead)
    np.minimum(taken, cols, out=taken)
    np.maximum(taken, 0.0, out=taken)
    full = taken >= cols * (1 - 1e-12)
    taken[full] = cols[full]  # emptied columns: exactly empty
    return taken if order == "oldest" else taken[:, ::-1]


def penalty_steps(
    start_age: np.ndarray, term_months: float, cfg: BacklogConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Penalty schedule (EUR per case) at a month's start, middle and end.

    Args:
        start_age: Months since the term started, at the month's start (any shape).
        term_months: The decision term (months).
        cfg: Penalty settings.
    """

    def at(age: np.ndarray) -> np.ndarray:
        return penalty_per_case((age - term_months) * DAYS_PER_MONTH, cfg)

    return at(start_age), at(start_age + 0.5), at(start_age + 1.0)


def serve_and_accrue(
    q: RegularQueue,
    month: int,
    taken_old: np.ndarray,
    taken_new: np.ndarray,
    order: str,
    notice_share: np.ndarray,
    cfg: BacklogConfig,
) -> dict[str, np.ndarray]:
    """Take the decided cases from the queue; return decisions, late ones and penalties.

    Returns per path: ``late_decisions_regular`` (decided past the term),
    ``overdue_regular`` (still waiting past the term at month end) and
    ``penalty_eur_regular`` (penalty run up this month by decided and waiting cases).
    """
    split, upto = OLD_COLUMNS, min(OLD_COLUMNS + month + 1, q.stock.shape[1])
    stock = q.stock[:, :upto]  # later columns hold no applications yet
    taken = np.concatenate(
        [take_in_order(stock[:, :split], taken_old, order), take_in_order(stock[:, split:], taken_new, order)], axis=1
    )
    stock -= taken  # in place: a view of q.stock
    since_term = month - q.term_end[:upto]  # months past the term at the month's start
    a_start, a_mid, a_end = penalty_steps(since_term, 0.0, cfg)
    run_up = stock @ (a_end - a_start) + taken @ (a_mid - a_start)
    return {
        "late_decisions_regular": taken @ (since_term + 0.5 > 0),
        "overdue_regular": stock @ (since_term + 1.0 > 0),
        "penalty_eur_regular": notice_share * run_up,
    }
