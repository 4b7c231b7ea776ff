"""The monthly population ledger after the TPD end: every person in exactly one state.

Everyone registered at the TPD end (the cohort) and everyone arriving after it and applying
for asylum is, at every month end from the TPD-end month, in exactly one of
:data:`STATES`. The cohort's asylum states come from the backlog run (cases x
``persons_per_case``, a model that conserves cases); the document route after issue, the
expiry of the transitiedocument and the post-TPD asylum arrivals are run here, month by
month, with flows that sum to zero. So on every path and month

    sum over states == cohort + cumulative post-TPD asylum arrivals

(:meth:`Ledger.conservation_error`), and every stock changes only by its recorded flows.

The document expires ``document_months`` after the TPD end (March 2030 for 4 March
2027); then document holders split over the branches ``expiry_work_study_share``,
``expiry_asylum_share``, ``expiry_return_share`` and, for the rest, no residence status.
Documents issued after the expiry date expire at once (the document runs to one date).
Post-TPD asylum applicants, and document holders who apply for asylum at expiry, are
regular asylum applicants: they join the IND's regular inflow (:func:`simulate_after_tpd`
runs the backlog a second time on the same draws with the applications at expiry added),
are decided at the regular queue's pace (the share of the regular queue decided each
month) and granted at the path's ``grant_share``.
Persons throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from capacity import distributions
from capacity.backlog.model import run
from capacity.backlog.parameters import Draws, draw
from capacity.backlog.result import BacklogResult
from capacity.params.backlog import BacklogConfig
from capacity.quantiles import summarise_many

if TYPE_CHECKING:
    from capacity.shelter.destinations import HomeExits

__all__ = [
    "COA_STATES",
    "STATES",
    "Ledger",
    "build_ledger",
    "expiry_asylum_applications",
    "run_after_tpd",
    "simulate_after_tpd",
]

#: The states, in the order of the stacked chart, with their meaning (persons, month end).
STATES: dict[str, str] = {
    "document_waiting": "took the document route; withdrawal or document still pending",
    "document_in_shelter": "document holder in municipal or fallback shelter",
    "document_housed": "document holder in own housing",
    "asylum_pending_ind": "continuing asylum case, first instance at the IND (in COA)",
    "asylum_appeal": "continuing asylum case rejected, in appeal or departure term (in COA)",
    "asylum_granted": "continuing asylum case granted",
    "refused_dtv": "refused: DT&V caseload, or closed without a recorded departure",
    "post_tpd_asylum_pending": "arrived after the TPD, regular asylum pending (in COA)",
    "post_tpd_granted": "arrived after the TPD, asylum granted",
    "post_tpd_refused": "arrived after the TPD, asylum refused",
    "expired_work_study": "document expired: work or study permit",
    "expired_asylum": "document expired: new asylum application pending (in COA)",
    "expired_asylum_granted": "document expired: new asylum application granted",
    "expired_asylum_refused": "document expired: new asylum application refused",
    "expired_no_status": "document expired: no residence status",
    "left_nl": "left the Netherlands (cumulative)",
}
#: States whose people are in asylum reception (COA).
COA_STATES: tuple[str, ...] = ("asylum_pending_ind", "asylum_appeal", "post_tpd_asylum_pending", "expired_asylum")


@dataclass(frozen=True)
class Ledger:
    """Persons per state at each month end from the TPD-end month.

    Attributes:
        dates: Month starts from the TPD-end month (the backlog's months).
        stocks: ``{state: array (n_paths, n_months)}``, keys and order of :data:`STATES`.
        cohort: Registered persons at the TPD end, per path (n_paths,).
        arrivals: Post-TPD asylum arrivals per month, (n_paths, n_months).
        expiry_index: Index of the document's expiry month in ``dates`` (``len(dates)``:
            after the run).
        flows: Flows of the states run here, ``{name: array (n_paths, n_months)}``.

    """

    dates: pd.DatetimeIndex
    stocks: dict[str, np.ndarray]
    cohort: np.ndarray
    arrivals: np.ndarray
    expiry_index: int
    flows: dict[str, np.ndarray]

    @property
    def n_paths(self) -> int:
        """Number of sample paths."""
        return int(self.cohort.shape[0])

    def total(self) -> np.ndarray:
        """Persons in all states, per path and month (n_paths, n_months)."""
        return np.sum(list(self.stocks.values()), axis=0)

    def expected_total(self) -> np.ndarray:
        """Return the cohort plus everyone who arrived after the TPD so far (n_paths, n_months)."""
        return self.cohort[:, None] + np.cumsum(self.arrivals, axis=1)

    def conservation_error(self) -> float:
        """Largest absolute gap between the states' sum and the people followed (persons)."""
        return float(np.max(np.abs(self.total() - self.expected_total()))) if self.cohort.size else 0.0

    def in_coa(self) -> np.ndarray:
        """Persons in asylum reception (COA) per path and month (n_paths, n_months)."""
        return np.sum([self.stocks[s] for s in COA_STATES], axis=0)

    def table(self) -> pd.DataFrame:
        """Return ``tables/ledger.csv``: one row per state and month with the quantiles.

        Columns ``state``, ``date``, ``mean`` and the contract quantiles (persons, month end).
        """
        table = summarise_many(self.stocks, self.dates)
        return table.rename(columns={"variable": "state"})


def _regular_pace(bl: BacklogResult) -> np.ndarray:
    """Share of the regular asylum queue decided each month, per path (n_paths, n_months)."""
    p = bl.paths
    # the stock decided from: last month's queue plus this month's inflow = end stock + decided
    work = p["pending_regular"] + p["decisions_regular"]
    return np.clip(np.divide(p["decisions_regular"], work, out=np.zeros_like(work), where=work > 0), 0.0, 1.0)


def _branches(cfg: BacklogConfig) -> np.ndarray:
    """Shares of the expiry branches: work or study, asylum, return, no status (sum 1)."""
    shares = np.array([cfg.expiry_work_study_share, cfg.expiry_asylum_share, cfg.expiry_return_share])
    return np.append(shares, max(1.0 - shares.sum(), 0.0))


def _expiry_index(dates: pd.DatetimeIndex, cfg: BacklogConfig) -> int:
    """Index in ``dates`` (from the TPD-end month) of the document's expiry month."""
    expiry = pd.Timestamp(dates[0]) + pd.DateOffset(months=cfg.document_months)
    return int(np.searchsorted(pd.DatetimeIndex(dates).values, expiry.to_datetime64()))


def expiry_asylum_applications(bl: BacklogResult, cfg: BacklogConfig, *, departure_rates: np.ndarray) -> np.ndarray:
    """Return the new asylum applications of document holders at expiry (persons/month).

    Document holders (issued documents, less those who left at the forecast's rates) all
    reach the expiry month; ``expiry_asylum_share`` of them apply for asylum then (and
    holders of documents issued later, at issue). Shape (n_paths, n_months).
    """
    issued = bl.paths["permits_issued"] * bl.parameters["persons_per_case"][:, None]
    rate = np.clip(np.asarray(departure_rates, dtype=float), 0.0, 1.0)
    n, m = issued.shape
    e_idx = _expiry_index(bl.dates, cfg)
    share = _branches(cfg)[1]
    holders = np.zeros(n)
    out = np.zeros((n, m))
    for t in range(m):
        holders = holders * (1 - rate[:, t]) + issued[:, t]
        if t >= e_idx:
            out[:, t], holders = share * holders, np.zeros(n)
    return out


def simulate_after_tpd(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    *,
    rng: np.random.Generator,
    departure_rates: np.ndarray,
    post_tpd_arrivals: np.ndarray,
) -> BacklogResult:
    """Run the backlog with every regular asylum application the TPD end brings.

    The arrivals after the TPD end join the regular inflow; so do the document holders who
    apply for asylum when the document expires. Those depend on the documents issued, which
    do not depend on the regular inflow, so a second run on the same draws (common random
    numbers) adds them; without expiry applications the first run is returned.

    Args:
        cohort_persons: Persons choosing a route at the TPD end, per path (n_paths,).
        cfg: Backlog settings.
        rng: Random generator (all draws are taken once, up front).
        departure_rates: The forecast's departure rates on the backlog months (n_paths, n_months).
        post_tpd_arrivals: Asylum arrivals after the TPD end on the backlog months (persons).

    Returns:
        The :class:`BacklogResult`.

    """
    cohort_persons = np.atleast_1d(np.asarray(cohort_persons, dtype=float))
    draws = draw(cohort_persons.shape[0], cfg.n_months, rng=rng)
    return run_after_tpd(
        cohort_persons, cfg, draws, departure_rates=departure_rates, post_tpd_arrivals=post_tpd_arrivals
    )


def run_after_tpd(
    cohort_persons: np.ndarray,
    cfg: BacklogConfig,
    draws: Draws,
    *,
    departure_rates: np.ndarray,
    post_tpd_arrivals: np.ndarray,
) -> BacklogResult:
    """:func:`simulate_after_tpd` on given random numbers (``draws``, e.g. another run's).

    Args:
        cohort_persons: Persons choosing a route at the TPD end, per path (n_paths,).
        cfg: Backlog settings.
        draws: Random numbers (:func:`~capacity.backlog.parameters.draw`) for ``n_paths``
            paths and ``cfg.n_months`` months.
        departure_rates: The forecast's departure rates on the backlog months (n_paths, n_months).
        post_tpd_arrivals: Asylum arrivals after the TPD end on the backlog months (persons).

    Returns:
        The :class:`BacklogResult` (its ``draws`` are ``draws``).

    """
    first = run(cohort_persons, cfg, draws, departure_rates=departure_rates, extra_regular_inflow=post_tpd_arrivals)
    applications = expiry_asylum_applications(first, cfg, departure_rates=departure_rates)
    if not applications.any():
        return first
    return run(
        cohort_persons,
        cfg,
        draws,
        departure_rates=departure_rates,
        extra_regular_inflow=post_tpd_arrivals + applications,
    )


def _home_hazards(
    cfg: BacklogConfig, n: int, rng: np.random.Generator | None, *, housing_cap: float | None, homes: HomeExits | None
) -> tuple[np.ndarray, np.ndarray, float, float | None]:
    """Return the monthly hazards home (with work, without; share/month, (n,)), the work share and the cap."""
    if homes is None:
        housing = distributions.sample(cfg.document_housing_rate_per_month, n, rng)
        return housing, housing, 1.0, housing_cap
    return (
        np.asarray(homes.rate_employed, dtype=float),
        np.asarray(homes.rate_other, dtype=float),
        homes.employed_share,
        homes.cap,
    )


def _moves_home(
    pool_e: np.ndarray, pool_o: np.ndarray, rate_e: np.ndarray, rate_o: np.ndarray, cap: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the moves home of the two pools (persons), scaled down together to at most ``cap``."""
    want_e, want_o = rate_e * pool_e, rate_o * pool_o
    want = want_e + want_o
    if cap is None:
        return want_e, want_o
    scale = np.minimum(1.0, np.divide(cap, want, out=np.ones_like(want), where=want > 0))
    return scale * want_e, scale * want_o


def build_ledger(
    bl: BacklogResult,
    cfg: BacklogConfig,
    *,
    cohort: np.ndarray,
    arrivals: np.ndarray,
    in_shelter_share: np.ndarray,
    departure_rates: np.ndarray,
    rng: np.random.Generator | None,
    housing_cap: float | None = None,
    homes: HomeExits | None = None,
) -> Ledger:
    """Put every person followed after the TPD end in one state, month by month.

    Args:
        bl: The backlog run (its cohort is ``cohort`` less the departure pulse).
        cfg: Backlog settings (document validity, expiry branches, housing rate, pulse).
        cohort: Registered persons at the TPD end, per path (n_paths,).
        arrivals: Post-TPD asylum arrivals on the backlog's months (n_paths, n_months).
        in_shelter_share: Share of the cohort in municipal shelter at the TPD end (n_paths,);
            document holders leave from shelter in that share.
        departure_rates: The forecast's departure rates on the backlog's months
            (n_paths, n_months): document holders leave the Netherlands at them.
        rng: Generator for the per-path housing rate (``None``: its central value).
        housing_cap: Homes available a month to document holders leaving shelter (persons per
            month; ``shelter.housing_supply_per_month``, the shelter model's cap, so that both
            house people from shelter at the same pace); None: no cap. Only without ``homes``.
        homes: The shelter model's exit to a home (:meth:`capacity.shelter.ShelterResult.home_exits`:
            the hazards by household type, their work share and the housing cap), the one
            source of the shelter-to-home rate: document holders in shelter then wait in the
            same two pools and move at the same hazards under the same cap as in the shelter
            model. None (a stand-alone backlog run): one hazard,
            ``cfg.document_housing_rate_per_month``, capped by ``housing_cap``.

    Returns:
        The :class:`Ledger`.

    """
    p, ppc = bl.paths, bl.parameters["persons_per_case"][:, None]
    n, m = p["pending"].shape
    cohort = np.asarray(cohort, dtype=float)
    arrivals = np.asarray(arrivals, dtype=float)
    rate_e, rate_o, work, cap = _home_hazards(cfg, n, rng, housing_cap=housing_cap, homes=homes)
    sigma = np.clip(np.asarray(in_shelter_share, dtype=float), 0.0, 1.0)
    rate = np.clip(np.asarray(departure_rates, dtype=float), 0.0, 1.0)
    e_idx = _expiry_index(bl.dates, cfg)

    def cum(*names: str) -> np.ndarray:
        return np.cumsum(sum(p[k] for k in names), axis=1) * ppc

    issued = p["permits_issued"] * ppc
    pace = _regular_pace(bl)
    grant = bl.parameters["grant_share"]
    branches = _branches(cfg)
    names = (
        "document_in_shelter",
        "document_housed",
        "post_tpd_asylum_pending",
        "post_tpd_granted",
        "post_tpd_refused",
        "expired_work_study",
        "expired_asylum",
        "expired_asylum_granted",
        "expired_asylum_refused",
        "expired_no_status",
    )
    run = {k: np.zeros((n, m)) for k in names}
    flow_names = (
        "issued",
        "holders_left",
        "moved_to_housing",
        "expired",
        "expired_return",
        "expired_asylum_applications",
        "post_tpd_decided",
        "expired_asylum_decided",
    )
    flows = {k: np.zeros((n, m)) for k in flow_names}
    shelter_e, shelter_o, housed = np.zeros(n), np.zeros(n), np.zeros(n)
    pending, expired_pending = np.zeros(n), np.zeros(n)

    def add(state: str, t: int, x: np.ndarray) -> None:
        run[state][:, t] = (run[state][:, t - 1] if t else 0.0) + x

    for t in range(m):
        # in shelter: two pools (household with work or not), each moving home at its hazard,
        # all moves scaled down together to the housing cap (one pool at one rate without homes)
        stay = 1.0 - rate[:, t]
        left_s, left_h = rate[:, t] * (shelter_e + shelter_o), rate[:, t] * housed
        moved_e, moved_o = _moves_home(stay * shelter_e, stay * shelter_o, rate_e, rate_o, cap)
        moved = moved_e + moved_o
        shelter_e = stay * shelter_e - moved_e + work * sigma * issued[:, t]
        shelter_o = stay * shelter_o - moved_o + (1 - work) * sigma * issued[:, t]
        shelter = shelter_e + shelter_o
        housed = housed - left_h + moved + (1 - sigma) * issued[:, t]
        flows["issued"][:, t], flows["holders_left"][:, t] = issued[:, t], left_s + left_h
        flows["moved_to_housing"][:, t] = moved
        out = np.zeros(n)
        if t >= e_idx:  # the document has expired: every holder takes a branch
            out = shelter + housed
            shelter, shelter_e, shelter_o, housed = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        flows["expired"][:, t] = out
        flows["expired_return"][:, t] = branches[2] * out
        flows["expired_asylum_applications"][:, t] = branches[1] * out
        add("expired_work_study", t, branches[0] * out)
        add("expired_no_status", t, branches[3] * out)
        run["document_in_shelter"][:, t], run["document_housed"][:, t] = shelter, housed
        # regular asylum applicants: arrivals after the TPD and applications at expiry
        decided = pace[:, t] * (pending + arrivals[:, t])
        pending = pending + arrivals[:, t] - decided
        flows["post_tpd_decided"][:, t] = decided
        run["post_tpd_asylum_pending"][:, t] = pending
        add("post_tpd_granted", t, grant * decided)
        add("post_tpd_refused", t, (1 - grant) * decided)
        decided = pace[:, t] * (expired_pending + branches[1] * out)
        expired_pending = expired_pending + branches[1] * out - decided
        flows["expired_asylum_decided"][:, t] = decided
        run["expired_asylum"][:, t] = expired_pending
        add("expired_asylum_granted", t, grant * decided)
        add("expired_asylum_refused", t, (1 - grant) * decided)
    pulse = cohort - bl.cohort_persons
    stocks = {
        "document_waiting": (p["permit_takers_waiting"] + p["permits_pending"]) * ppc,
        "document_in_shelter": run["document_in_shelter"],
        "document_housed": run["document_housed"],
        "asylum_pending_ind": p["pending"] * ppc,
        "asylum_appeal": (p["appeals_pending"] + p["departure_term"]) * ppc,
        "asylum_granted": cum("granted"),
        "refused_dtv": p["dtv_caseload"] * ppc + cum("dtv_other"),
        "post_tpd_asylum_pending": run["post_tpd_asylum_pending"],
        "post_tpd_granted": run["post_tpd_granted"],
        "post_tpd_refused": run["post_tpd_refused"],
        "expired_work_study": run["expired_work_study"],
        "expired_asylum": run["expired_asylum"],
        "expired_asylum_granted": run["expired_asylum_granted"],
        "expired_asylum_refused": run["expired_asylum_refused"],
        "expired_no_status": run["expired_no_status"],
        "left_nl": (
            cum("withdrawn_return", "departed", "dtv_independent", "dtv_forced", "dtv_unsupervised")
            + pulse[:, None]
            + np.cumsum(flows["holders_left"] + flows["expired_return"], axis=1)
        ),
    }
    return Ledger(dates=bl.dates, stocks=stocks, cohort=cohort, arrivals=arrivals, expiry_index=e_idx, flows=flows)
