"""Which assumption or lever matters most: variance-based (Sobol) sensitivity of the backlog model.

The indices are SALib's (Saltelli 2002; Saltelli et al. 2010): a Sobol' sequence of
``N (k + 2)`` points in the unit cube (:func:`SALib.sample.sobol.sample`, no second-order
terms) and :func:`SALib.analyze.sobol.analyze`, whose first- and total-order estimators
and bootstrap confidence intervals are the literature's. The ``k`` inputs are

* the uncertain parameters (:data:`~capacity.backlog.parameters.UNCERTAIN`) that vary in
  the scenario, each through its own distribution (the unit coordinate is its uniform);
* the cohort size at the TPD end (uniform on ``cohort_range``, persons);
* the levers (:data:`LEVER_RANGES`): the share of IND capacity reserved for the cohort
  (a TPD team) and a multiplier of the planned IND capacity.

All runs share the monthly noise (common random numbers), so the indices measure the
inputs, not the noise. A parameter fixed in the scenario (a plain number) varies on no path:
it gets 0 without being sampled. Paths that never clear count ``n_months + 1`` months to
clear (censored).

Estimates carry sampling error: a small index can come out below 0. The table keeps the
estimate and its interval and says in ``finding`` whether the input matters at all (its
total-order interval lies above ``MIN_FINDING``); reports show only findings, and never a
negative index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from capacity.backlog.model import run
from capacity.backlog.parameters import UNCERTAIN, Draws
from capacity.backlog.result import BacklogResult
from capacity.distributions import quantile
from capacity.params.backlog import BacklogConfig

#: Outputs analysed, per path.
OUTPUTS: dict[str, Callable[[BacklogResult], np.ndarray]] = {
    "months_to_clear": lambda r: np.where(np.isfinite(r.months_to_clear), r.months_to_clear, r.dates.size + 1.0),
    "late_decisions": lambda r: r.late_or_overdue(),
    "penalty_eur": lambda r: r.penalty_total(),
    "dtv_caseload_peak": lambda r: r.paths["dtv_caseload"].max(axis=1),
}
#: Ranges of the levers explored (assumption: from no TPD team to half of the capacity;
#: from three quarters to one and a half times the planned capacity).
LEVER_RANGES: dict[str, tuple[float, float]] = {
    "ind_tpd_reserved_share": (0.0, 0.5),
    "ind_capacity_scale": (0.75, 1.5),
}
#: Cohort size range around the given cohort when no range is given (assumption: +-20 %).
COHORT_SPREAD = 0.2
#: A total-order index whose interval lies above this is a finding.
MIN_FINDING = 0.01
#: Confidence level of the intervals.
CONF_LEVEL = 0.9


def _varies(cfg: BacklogConfig, name: str) -> bool:
    """Whether an uncertain parameter varies in the scenario (not a plain number)."""
    lo, hi = quantile(getattr(cfg, name), np.array([0.001, 0.999]))
    return bool(hi - lo > 1e-12 * max(1.0, abs(hi)))


def sobol_table(
    cohort_persons: float,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator,
    n_base: int = 256,
    n_months: int | None = None,
    n_boot: int = 200,
    cohort_range: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Table ``backlog_sensitivity``: Sobol indices of the uncertain inputs, cohort size and levers.

    Args:
        cohort_persons: Central cohort size (persons); the cohort's range is
            ``cohort_range`` or +-:data:`COHORT_SPREAD` around it.
        cfg: Backlog settings.
        rng: Random generator (the Sobol' sequence's scrambling seed and the noise).
        n_base: Base sample size ``N`` (a power of 2 for the Sobol' sequence); the model
            runs ``N (k + 2)`` paths at once.
        n_months: Months simulated (default ``cfg.n_months``).
        n_boot: Bootstrap resamples for the intervals.
        cohort_range: Cohort size range (persons), e.g. the forecast's 5-95 % range.

    Returns:
        Columns ``output, parameter, first_order, total_order, ci_low, ci_high`` (the 90 %
        interval of the total-order index), ``first_order_ci_low, first_order_ci_high``,
        ``kind`` (``uncertain``, ``cohort`` or ``lever``) and ``finding`` (the total-order
        interval lies above :data:`MIN_FINDING`); one row per output and input (every
        uncertain parameter, the cohort and each lever), sorted by output and total order.
        No ``nan``: an input fixed in the scenario, or an output that does not vary, gets 0.
    """
    months = cfg.n_months if n_months is None else int(n_months)
    varying = [name for name in UNCERTAIN if _varies(cfg, name)]
    lo_c, hi_c = cohort_range or (cohort_persons * (1 - COHORT_SPREAD), cohort_persons * (1 + COHORT_SPREAD))
    inputs = [*varying, "cohort_persons", *LEVER_RANGES]
    problem = {"num_vars": len(inputs), "names": inputs, "bounds": [[0.0, 1.0]] * len(inputs)}
    seed = int(rng.integers(0, 2**31 - 1))
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    n_total = x.shape[0]
    uniforms = np.full((len(UNCERTAIN), n_total), 0.5)
    for j, name in enumerate(varying):
        uniforms[UNCERTAIN.index(name)] = x[:, j]
    normals = np.repeat(rng.standard_normal((months, 3, 1)), n_total, axis=2)
    col = {name: x[:, inputs.index(name)] for name in ("cohort_persons", *LEVER_RANGES)}
    cohort = lo_c + (hi_c - lo_c) * col["cohort_persons"]
    levers = {name: lo + (hi - lo) * col[name] for name, (lo, hi) in LEVER_RANGES.items()}
    res: BacklogResult = run(cohort, cfg, Draws(uniforms=uniforms, normals=normals), levers=levers)
    kinds = {
        **dict.fromkeys(UNCERTAIN, "uncertain"),
        "cohort_persons": "cohort",
        **dict.fromkeys(LEVER_RANGES, "lever"),
    }
    rows = []
    for output, fn in OUTPUTS.items():
        y = np.asarray(fn(res), dtype=float)
        si = _analyze(problem, y, n_boot=n_boot, seed=seed)
        for name in (*UNCERTAIN, "cohort_persons", *LEVER_RANGES):
            s1, st, s1c, stc = si.get(name, (0.0, 0.0, 0.0, 0.0))
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "first_order": s1,
                    "total_order": st,
                    "ci_low": st - stc,
                    "ci_high": st + stc,
                    "first_order_ci_low": s1 - s1c,
                    "first_order_ci_high": s1 + s1c,
                    "kind": kinds[name],
                    "finding": bool(st - stc > MIN_FINDING),
                }
            )
    table = pd.DataFrame(rows)
    order = {name: i for i, name in enumerate(OUTPUTS)}
    return (
        table.assign(_o=table["output"].map(order))
        .sort_values(["_o", "total_order"], ascending=[True, False], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _analyze(
    problem: dict[str, Any], y: np.ndarray, *, n_boot: int, seed: int
) -> dict[str, tuple[float, float, float, float]]:
    """SALib's first- and total-order indices and interval half-widths, by input name."""
    if np.var(y) <= 1e-12 * max(1.0, float(np.mean(y**2))):  # the output does not vary
        return {}
    si = sobol_analyze.analyze(
        problem, y, calc_second_order=False, num_resamples=n_boot, conf_level=CONF_LEVEL, seed=seed
    )
    out: dict[str, tuple[float, float, float, float]] = {}
    for i, name in enumerate(problem["names"]):
        s1, st, s1c, stc = (float(si[k][i]) for k in ("S1", "ST", "S1_conf", "ST_conf"))
        out[name] = (_finite(s1), _finite(st), _finite(s1c), _finite(stc))
    return out


def _finite(value: float) -> float:
    """``value``, or 0 where SALib returned nan/inf (an input without effect)."""
    return value if np.isfinite(value) else 0.0


def top_inputs(table: pd.DataFrame, output: str, n: int = 3) -> list[str]:
    """Return the ``n`` inputs with the largest total-order index for ``output`` (findings only)."""
    part = table[(table["output"] == output) & table.get("finding", True)]
    return part.sort_values("total_order", ascending=False)["parameter"].head(n).tolist()
