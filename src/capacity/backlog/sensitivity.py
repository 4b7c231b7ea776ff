"""Which assumption matters most: variance-based (Sobol) sensitivity of the backlog model.

Estimators (numpy only): two independent matrices ``A`` and ``B`` of uniforms for the
uncertain parameters (:data:`~capacity.backlog.parameters.UNCERTAIN`) and, for every
parameter ``i``, ``AB_i`` = ``A`` with row ``i`` taken from ``B``. Both indices use
Jansen's (1999) estimators, which stay stable for outputs with jumps such as months to
clear (Saltelli et al. 2010, table 2): first order ``S_i = 1 - mean((f(B) - f(AB_i))^2)
/ (2 V)``, total order ``ST_i = mean((f(A) - f(AB_i))^2) / (2 V)``, with ``V`` the
variance of ``f`` over ``A`` and ``B``. All ``N (k + 2)`` runs share the monthly noise (common random
numbers), so the indices measure the parameters, not the noise; the noise itself is not an
input here. Confidence intervals are bootstrap percentiles (resampling the ``N`` base rows)
of the total-order index.

A parameter fixed in the scenario (a plain number) varies on no path and gets 0. Paths that
never clear count ``n_months + 1`` months to clear (censored).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from capacity.backlog.model import run
from capacity.backlog.parameters import UNCERTAIN, Draws
from capacity.backlog.result import BacklogResult
from capacity.params.backlog import BacklogConfig

#: Outputs analysed, per path.
OUTPUTS = {
    "months_to_clear": lambda r: np.where(np.isfinite(r.months_to_clear), r.months_to_clear,
                                          r.dates.size + 1.0),
    "late_decisions": lambda r: r.late_or_overdue(),
    "penalty_eur": lambda r: r.penalty_total(),
    "dtv_caseload_peak": lambda r: r.paths["dtv_caseload"].max(axis=1),
}


def _indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First- and total-order indices from f(A), f(B) (n,) and f(AB_i) (k, n)."""
    var = np.var(np.concatenate([f_a, f_b]), ddof=1)
    if var <= 0:
        return np.zeros(f_ab.shape[0]), np.zeros(f_ab.shape[0])
    first = 1.0 - 0.5 * np.mean((f_b - f_ab) ** 2, axis=1) / var
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / var
    return first, total


def sobol_table(cohort_persons: float, cfg: BacklogConfig, *, rng: np.random.Generator,
                n_base: int = 256, n_months: int | None = None, n_boot: int = 200
                ) -> pd.DataFrame:
    """Table ``backlog_sensitivity``: Sobol indices of every uncertain backlog input.

    Args:
        cohort_persons: Cohort size used on every path (persons; the cohort's own
            uncertainty comes from the forecast and is not an input here).
        cfg: Backlog settings.
        rng: Random generator.
        n_base: Base sample size ``N``; the model runs ``N (k + 2)`` paths at once.
        n_months: Months simulated (default ``cfg.n_months``).
        n_boot: Bootstrap resamples for the intervals.

    Returns:
        Columns ``output, parameter, first_order, total_order, ci_low, ci_high`` (the 90 %
        bootstrap interval of the total-order index), sorted by output and total order.
    """
    k, n = len(UNCERTAIN), n_base
    months = cfg.n_months if n_months is None else int(n_months)
    a, b = rng.random((k, n)), rng.random((k, n))
    normals = rng.standard_normal((months, 3, n))
    blocks = [a, b]
    for i in range(k):
        ab = a.copy()
        ab[i] = b[i]
        blocks.append(ab)
    draws = Draws(uniforms=np.concatenate(blocks, axis=1),
                  normals=np.tile(normals, (1, 1, k + 2)))
    res: BacklogResult = run(np.full(n * (k + 2), float(cohort_persons)), cfg, draws)
    boot = rng.integers(0, n, size=(n_boot, n))
    rows = []
    for output, fn in OUTPUTS.items():
        y = np.asarray(fn(res), dtype=float).reshape(k + 2, n)
        f_a, f_b, f_ab = y[0], y[1], y[2:]
        first, total = _indices(f_a, f_b, f_ab)
        totals = np.array([_indices(f_a[j], f_b[j], f_ab[:, j])[1] for j in boot])
        lo, hi = np.quantile(totals, [0.05, 0.95], axis=0)
        rows += [{"output": output, "parameter": name, "first_order": float(first[i]),
                  "total_order": float(total[i]), "ci_low": float(lo[i]), "ci_high": float(hi[i])}
                 for i, name in enumerate(UNCERTAIN)]
    table = pd.DataFrame(rows)
    order = {name: i for i, name in enumerate(OUTPUTS)}
    return (table.assign(_o=table["output"].map(order))
            .sort_values(["_o", "total_order"], ascending=[True, False], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


def top_inputs(table: pd.DataFrame, output: str, n: int = 3) -> list[str]:
    """Return the ``n`` inputs with the largest total-order index for ``output``."""
    part = table[table["output"] == output].sort_values("total_order", ascending=False)
    return part["parameter"].head(n).tolist()
