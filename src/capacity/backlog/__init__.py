"""The post-TPD asylum backlog at the IND and DT&V: a monthly Monte Carlo cohort model.

When temporary protection (TPD) ends, every registered person chooses a route: the
``permit_uptake_share`` of cases take the transitiedocument (granted ex officio on a
public-order check and withdrawal of the asylum application) and are never in the IND's
asylum queue; only the others' suspended applications restart. This module follows that
cohort, in *cases* (persons / ``persons_per_case``: work per household), month by month
from the TPD end month:

1. **Leaving** (start-of-month stock, competing monthly probabilities, split in
   proportion): document takers withdraw (spread evenly over ``permit_uptake_months``; 1:
   all at the TPD end); takers and continuing cases withdraw into the voluntary return
   programme or depart.
2. **IND decisions** at a capacity that is a time series (level, ramp-up, realisation
   factor per path, month-to-month noise), shared with the regular asylum queue: the
   regular stock at the TPD end ("old") and regular applications lodged after it
   ("new"). The queue discipline orders the four groups (regular old, cohort simple,
   cohort standard, regular new); a reserved share of capacity can go to the cohort first.
3. **Outcomes**: grant; rejection, of which a share appeals (court duration geometric,
   success counted as a grant); a final rejection waits out the departure term and then
   joins DT&V's caseload, which DT&V closes at its capacity into independent departure,
   forced return, departure without supervision and other outcomes.
4. **Permits**: document takers who withdrew join the issuing queue at the
   IND with its own capacity.
5. **Legal term**: a cohort decision in month ``k`` (taken at mid-month, ``k + 0.5``
   months after the restart) is late when that exceeds the applicable term; a share of
   late applicants sends a notice of default and the penalty accrues per day on the
   Awb schedule, capped per case.

The model is a mean-field (fluid) model per path: randomness comes from the uncertain
parameters (one draw per path) and from month-to-month noise in capacity and inflow; the
flows themselves are expected values. With a cohort of tens of thousands of cases the
binomial noise of individual behaviour is negligible next to parameter uncertainty; the
SimPy discrete-event model in the tests checks that the means agree.


Modules: :mod:`~capacity.backlog.parameters` (random draws, per-path parameter values,
capacity plans, penalties), :mod:`~capacity.backlog.rules` (the stocks and the monthly
rules), :mod:`~capacity.backlog.model` (a run: setup, loop over months, the cohort from the
forecast), :mod:`~capacity.backlog.result` (paths, units, headline figures),
:mod:`~capacity.backlog.policies` (policy comparison), :mod:`~capacity.backlog.solver`
(capacity needed) and :mod:`~capacity.backlog.ledger` (every person in one state each month).
"""

from capacity.backlog.ledger import (
    COA_STATES,
    STATES,
    Ledger,
    build_ledger,
    expiry_asylum_applications,
    simulate_after_tpd,
)
from capacity.backlog.model import cohort_at_tpd_end, forecast_departure_rates, run, simulate
from capacity.backlog.parameters import (
    DAYS_PER_MONTH,
    UNCERTAIN,
    Draws,
    draw,
    penalty_per_case,
    planned_capacity,
)
from capacity.backlog.policies import compare_policies, default_policies
from capacity.backlog.replay import validation_table
from capacity.backlog.result import (
    CONTRACT_VARIABLES,
    UNITS,
    BacklogResult,
    headline,
    months_to_clear_table,
)
from capacity.backlog.sensitivity import sobol_table
from capacity.backlog.solver import solve_capacity

__all__ = [
    "COA_STATES",
    "CONTRACT_VARIABLES",
    "DAYS_PER_MONTH",
    "STATES",
    "UNCERTAIN",
    "UNITS",
    "BacklogResult",
    "Draws",
    "Ledger",
    "build_ledger",
    "expiry_asylum_applications",
    "simulate_after_tpd",
    "cohort_at_tpd_end",
    "compare_policies",
    "default_policies",
    "draw",
    "forecast_departure_rates",
    "headline",
    "months_to_clear_table",
    "penalty_per_case",
    "planned_capacity",
    "run",
    "simulate",
    "sobol_table",
    "solve_capacity",
    "validation_table",
]
