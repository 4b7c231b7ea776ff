"""National shelter figures shared out over the 342 municipalities.

The key is the population share by default (as the Spreidingswet and the housing task for
status holders use), or custom weights per municipality; a municipality's own current
places, where known, replace its key share of the places and the rest of the national
places goes by the key over the others. Integer tables use the largest-remainder rule, so
every column sums exactly to the national figure.

There are no published per-municipality shelter series (datasets/README.md: "no
per-municipality places or occupancy"): every municipal figure here is an allocation of the
national model, not an observation, and small municipalities' figures are flagged as thin
(CBS and PBL withhold municipal detail below their national totals as unreliable).
"""

from __future__ import annotations

import difflib
import logging
import re
from typing import TypedDict

import numpy as np
import pandas as pd

from capacity.errors import DataError, ParameterError
from capacity.params.shelter import ShelterConfig
from capacity.quantiles import QUANTILE_COLUMNS
from capacity.shelter.planning import planning_table
from capacity.shelter.result import ShelterResult

logger = logging.getLogger(__name__)

__all__ = [
    "resolve_municipality",
    "largest_remainder",
    "allocation_key",
    "national_figures",
    "allocate",
    "municipality_table",
    "municipality_row",
    "municipal_exits",
    "EXIT_COLUMNS",
    "RELIABILITY",
]

#: Monthly exits of the people in Ukraine shelter at the TPD end (persons per month).
EXIT_COLUMNS: tuple[str, ...] = ("to_home", "to_asylum_reception", "abroad", "to_fallback", "to_no_accommodation")

#: Codes of the ``reliability`` column of :func:`allocate` (the report words them): fewer
#: people in shelter now than ``reliability_min_persons``; own places known (the rest by the
#: key); all allocated by the key.
RELIABILITY: tuple[str, ...] = ("thin", "known_places", "by_key")

_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)


def resolve_municipality(query: str, municipalities: pd.DataFrame) -> pd.Series:
    """Find one municipality by CBS code (``GM0363``, ``0363``, ``363``) or by name.

    Names match case-insensitively and ignoring surrounding spaces.

    Args:
        query: Code or name.
        municipalities: Frame with columns code and name (``capacity.data.load_municipalities``).

    Returns:
        The municipality's row.

    Raises:
        ParameterError: If nothing matches; the message names the three nearest names.

    """
    if not isinstance(query, str) or not query.strip():
        raise ParameterError(f"municipality must be a code like 'GM0363' or a name, got {query!r}")
    text = query.strip()
    codes = municipalities["code"].astype(str).str.upper()
    match = _CODE.match(text)
    if match:
        code = f"GM{int(match.group(1)):04d}"
        hit = municipalities[codes == code]
        if len(hit) == 1:
            return hit.iloc[0]
        raise ParameterError(
            f"municipality code {code!r} is not in the list of {len(municipalities)} "
            "municipalities (CBS 2024 codes, e.g. GM0363 = Amsterdam)"
        )
    names = municipalities["name"].astype(str)
    folded = names.str.casefold().str.strip()
    hit = municipalities[folded == text.casefold()]
    if len(hit) == 1:
        return hit.iloc[0]
    if len(hit) > 1:  # not the case in the 2024 list, but say so rather than pick one
        raise ParameterError(f"municipality name {text!r} is ambiguous: use a code, one of {list(hit['code'])}")
    lookup = dict(zip(folded, names, strict=True))
    near = difflib.get_close_matches(text.casefold(), list(lookup), n=3, cutoff=0.0)
    suggestion = ", ".join(f"{lookup[n]} ({municipalities.loc[folded == n, 'code'].iloc[0]})" for n in near)
    raise ParameterError(
        f"unknown municipality {text!r}; nearest names: {suggestion}. "
        "Give a name from datasets/municipalities.csv or a code like GM0363."
    )


def largest_remainder(total: int, weights: np.ndarray | pd.Series) -> np.ndarray:
    """Share a whole number out in proportion to ``weights``, summing exactly to ``total``.

    Each part gets the floor of its quota; the units left over go to the largest
    remainders (ties to the earlier entry). A part with zero weight gets nothing.

    Args:
        total: Whole number to share (>= 0).
        weights: Non-negative weights, not all zero (unless ``total`` is 0).

    Returns:
        Integer array summing to ``total``.

    Raises:
        ParameterError: On a negative total or weight, or all-zero weights with total > 0.

    """
    w = np.asarray(weights, dtype=float)
    total = int(total)
    if total < 0 or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ParameterError(f"largest_remainder needs total >= 0 and finite weights >= 0, got {total}")
    if total == 0:
        return np.zeros(len(w), dtype=np.int64)
    if w.sum() <= 0:
        raise ParameterError("largest_remainder: all weights are zero but the total is positive")
    quota = total * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    left = total - int(base.sum())
    if left > 0:
        rem = quota - base
        order = np.lexsort((np.arange(len(w)), -rem))  # largest remainder first, stable
        base[order[:left]] += 1
    return base


def allocation_key(municipalities: pd.DataFrame, cfg: ShelterConfig, regional: pd.DataFrame | None = None) -> pd.Series:
    """Return each municipality's share of national demand (sums to 1), indexed by code.

    ``population``: population share; with ``regional`` (the safety regions' key,
    :func:`capacity.shelter.regions.regional_key`), the one chain nation -> safety region ->
    municipality: a municipality gets its safety region's share times its share of the
    region's population, so the municipalities of a region add up to the region (and the
    regions to the provinces and the nation). ``custom``: ``cfg.custom_weights`` are the
    shares of the municipalities they name; the rest of the total goes by that key over the
    others.
    """
    pop = municipalities.set_index("code")["population"].astype(float)
    if pop.isna().any() or (pop < 0).any():
        raise DataError("municipalities: population must be present and >= 0 for every row")
    share = pop / pop.sum()
    if regional is not None:
        if "safety_region_code" not in municipalities.columns:
            raise DataError("municipalities needs safety_region_code for the regional key")
        region = municipalities.set_index("code")["safety_region_code"]
        region_pop = pop.groupby(region).transform("sum")
        region_share = region.map(regional.set_index("safety_region_code")["share"]).astype(float)
        if region_share.isna().any():
            raise DataError(
                "regional key lacks safety regions of the municipalities: "
                f"{sorted(region[region_share.isna()].unique())[:5]}"
            )
        share = region_share * np.where(region_pop > 0, pop / region_pop.where(region_pop > 0, 1.0), 0.0)
    if cfg.allocation_key == "custom":
        unknown = sorted(set(cfg.custom_weights) - set(pop.index))
        if unknown:
            raise ParameterError(f"shelter.custom_weights names unknown municipality codes {unknown}")
        custom = pd.Series(cfg.custom_weights, dtype=float)
        if custom.sum() > 1 + 1e-9:
            raise ParameterError(
                f"shelter.custom_weights are shares of the national total and add "
                f"up to {custom.sum():.4f} > 1; lower them"
            )
        others = share.drop(custom.index)
        rest = 1.0 - custom.sum()
        share = pd.concat([custom, others / others.sum() * rest if others.sum() > 0 else others])
        share = share.reindex(pop.index)
    return share.rename("share")


def _places_weights(
    municipalities: pd.DataFrame, key: pd.Series, cfg: ShelterConfig, national: int
) -> tuple[np.ndarray, pd.Series]:
    """Integer places per municipality: known places kept, the rest of national by key."""
    codes = municipalities["code"].to_numpy()
    unknown = sorted(set(cfg.known_places) - set(codes))
    if unknown:
        raise ParameterError(f"shelter.known_places names unknown municipality codes {unknown}")
    known = pd.Series(cfg.known_places, dtype=float).reindex(codes)
    fixed = known.fillna(0).to_numpy()
    is_known = known.notna().to_numpy()
    rest = national - int(fixed.sum())
    if rest < 0:
        raise ParameterError(
            f"shelter.known_places add up to {int(fixed.sum())}, more than the national {national} "
            "places; correct the known places or the national places"
        )
    others = np.where(is_known, 0.0, key.reindex(codes).to_numpy())
    alloc = fixed.astype(np.int64) + largest_remainder(rest, others) if others.sum() > 0 else fixed.astype(np.int64)
    source = pd.Series(np.where(is_known, "known", "key"), index=codes)
    return alloc, source


class NationalFigures(TypedDict):
    """The whole-number national figures of a month (:func:`national_figures`)."""

    date: pd.Timestamp
    demand: int  # persons
    places: int  # places
    in_shelter: int  # persons
    unmet_demand: int  # persons
    places_needed: int  # places, at the planning target and probability
    places_now: int  # places at the jump-off
    in_shelter_now: int  # persons at the jump-off
    occupancy_rate: float  # share; nan without places
    pressure: float  # demand per place; nan without places


def national_figures(
    result: ShelterResult,
    month: pd.Timestamp | int | None = None,
) -> NationalFigures:
    """Return the whole-number national figures the municipality table reconciles to.

    At the chosen month: demand and places are the medians over paths (rounded), in
    shelter ``= min(demand, places)``, unmet demand the rest (medians of a monotone function
    of demand when places are the same on every path), places_needed the planning figure
    at the target and probability of ``result.cfg``. Also the jump-off in_shelter and places.

    Args:
        result: National shelter simulation.
        month: A forecast month or an index; default ``cfg.report_month_offset`` months
            after the jump-off (capped at the horizon).

    """
    if month is None:
        k = min(result.cfg.report_month_offset, len(result.dates)) - 1
    elif isinstance(month, int | np.integer):
        k = int(month)
    else:
        hits = np.flatnonzero(result.dates == pd.Timestamp(month))
        if not hits.size:
            raise ParameterError(
                f"month {month} is not a forecast month ({result.dates[0]:%Y-%m}..{result.dates[-1]:%Y-%m})"
            )
        k = int(hits[0])
    plan = planning_table(result)
    demand = int(round(float(np.median(result.demand[:, k]))))
    places = int(round(float(np.median(result.places[:, k]))))
    in_shelter = min(demand, places)
    return {
        "date": result.dates[k],
        "demand": demand,
        "places": places,
        "in_shelter": in_shelter,
        "unmet_demand": demand - in_shelter,
        "places_needed": int(plan["places_needed"].iloc[k]),
        "places_now": int(round(result.jump_off_places)),
        "in_shelter_now": int(round(result.jump_off_in_shelter)),
        "occupancy_rate": in_shelter / places if places > 0 else float("nan"),
        "pressure": demand / places if places > 0 else float("nan"),
    }


def allocate(
    result: ShelterResult,
    municipalities: pd.DataFrame,
    cfg: ShelterConfig | None = None,
    *,
    month: pd.Timestamp | int | None = None,
    regional: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share the national figures out over all municipalities, in whole persons and places.

    Places (now and at the month) go by the places key (known places kept, the rest by the
    demand key); people in shelter go by each municipality's places (so nobody is in a place
    that does not exist: ``in_shelter <= places`` per municipality); unmet demand and places
    needed go by the demand key; ``demand = in_shelter + unmet_demand``. Every count column
    sums exactly to the national figure (``attrs["national"]``).

    Args:
        result: National shelter simulation.
        municipalities: Frame with code, name, province, population.
        cfg: Parameters of the key (default ``result.cfg``).
        month: Month shown (see :func:`national_figures`).
        regional: The safety regions' key; given, the municipalities share it (one chain,
            see :func:`allocation_key`).

    Returns:
        One row per municipality: code, name, province, population, share (demand key),
        places_share, places_source (known | key), places_now, in_shelter_now, date, places,
        demand, in_shelter, unmet_demand, places_needed, places_gap (places_needed - places;
        negative = more places than its share of the need), occupancy_rate, thin,
        reliability (a code of :data:`RELIABILITY`). ``attrs["national"]`` holds the national figures.

    """
    cfg = result.cfg if cfg is None else cfg
    needed_cols = {"code", "name", "province", "population"}
    if not needed_cols <= set(municipalities.columns):
        raise DataError(f"municipalities needs columns {sorted(needed_cols)}")
    nat = national_figures(result, month)
    key = allocation_key(municipalities, cfg, regional)
    codes = municipalities["code"].to_numpy()
    share = key.reindex(codes).to_numpy()
    places_now, source = _places_weights(municipalities, key, cfg, nat["places_now"])
    # places at the month: today's municipal places scaled by the national change
    if nat["places"] == nat["places_now"]:
        places = places_now.copy()
    else:
        places = largest_remainder(nat["places"], places_now if places_now.sum() > 0 else share)
    in_shelter_now = (
        largest_remainder(nat["in_shelter_now"], places_now)
        if nat["in_shelter_now"] <= nat["places_now"]
        else places_now + largest_remainder(nat["in_shelter_now"] - nat["places_now"], share)
    )
    in_shelter = largest_remainder(nat["in_shelter"], places)
    unmet = largest_remainder(nat["unmet_demand"], share)
    needed = largest_remainder(nat["places_needed"], share)
    frame = municipalities[["code", "name", "province", "population"]].copy().reset_index(drop=True)
    frame["share"] = share
    frame["places_share"] = places_now / max(places_now.sum(), 1)
    frame["places_source"] = source.to_numpy()
    frame["places_now"] = places_now
    frame["in_shelter_now"] = in_shelter_now
    frame["date"] = nat["date"]
    frame["places"] = places
    frame["demand"] = in_shelter + unmet
    frame["in_shelter"] = in_shelter
    frame["unmet_demand"] = unmet
    frame["places_needed"] = needed
    frame["places_gap"] = needed - places
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["occupancy_rate"] = np.where(places > 0, in_shelter / np.maximum(places, 1), np.nan)
    frame["thin"] = frame["in_shelter_now"] < cfg.reliability_min_persons
    thin, known, by_key = RELIABILITY
    frame["reliability"] = np.where(frame["thin"], thin, np.where(frame["places_source"] == "known", known, by_key))
    frame.attrs["national"] = {**nat, "reliability_min_persons": cfg.reliability_min_persons}
    return frame


def municipality_row(allocation: pd.DataFrame, query: str, municipalities: pd.DataFrame) -> pd.Series:
    """Return one municipality's row of :func:`allocate`, found by code or name."""
    code = resolve_municipality(query, municipalities)["code"]
    return allocation.loc[allocation["code"] == code].iloc[0]


def municipality_table(national_table: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    """Return one municipality's quantile table: its shares times the national paths' quantiles.

    Multiplying every path by a positive constant multiplies each quantile by it, so this
    equals the table of ``share x national paths``. Demand, unmet demand and places needed
    scale with the demand key (``share``); places and in_shelter with ``places_share``;
    occupancy_rate is the national one (the key keeps it equal).

    Args:
        national_table: ``ShelterResult.table()``.
        row: The municipality's row of :func:`allocate`.

    Returns:
        Quantile-contract table with a leading ``code`` column.

    """
    scale = {
        "demand": row["share"],
        "unmet_demand": row["share"],
        "places_needed": row["share"],
        "places": row["places_share"],
        "in_shelter": row["places_share"],
        "occupancy_rate": 1.0,
    }
    table = national_table[national_table["variable"].isin(scale)].copy()
    factor = table["variable"].map(scale).astype(float).to_numpy()
    cols = ["mean", *QUANTILE_COLUMNS]
    table[cols] = table[cols].to_numpy(dtype=float) * factor[:, None]
    table.insert(0, "code", row["code"])
    return table.reset_index(drop=True)


def municipality_housing_table(housing_table: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    """Return one municipality's share of the destinations after the TPD (``tables/housing_task.csv``).

    The people in shelter at the TPD end live in the municipality's places, so every variable
    scales with its ``places_share`` (a positive constant, so quantiles scale with it).

    Returns:
        Quantile-contract table with a leading ``code`` column (empty if the TPD ends after the horizon).

    """
    table = housing_table.copy()
    cols = ["mean", *QUANTILE_COLUMNS]
    if not table.empty:
        table[cols] = table[cols].to_numpy(dtype=float) * float(row["places_share"])
    table.insert(0, "code", row["code"])
    return table.reset_index(drop=True)


def municipal_exits(result: ShelterResult, allocation: pd.DataFrame) -> pd.DataFrame:
    """Return the monthly exits after the TPD end per municipality, in whole persons.

    The national figure of each exit (median over paths of the month's flow, rounded) is
    shared over the municipalities by their share of the places (the people in shelter at
    the TPD end live in them) with the largest-remainder rule, so the municipalities add up
    exactly to the national figure each month. Exits: see :meth:`Destinations.exits`.

    Args:
        result: National shelter simulation (``after_tpd`` set when the TPD ends in the horizon).
        allocation: :func:`allocate` (code, name, province, places_now).

    Returns:
        One row per municipality and month from the TPD end: code, name, province, date,
        closure_month (the month Ukraine shelter closes; empty if after the horizon) and the
        :data:`EXIT_COLUMNS`. Empty (with those columns) when the TPD ends after the horizon.

    """
    columns = ["code", "name", "province", "date", "closure_month", *EXIT_COLUMNS]
    after = result.after_tpd
    if after is None:
        return pd.DataFrame(columns=columns)
    flows = after.exits()
    weights = allocation["places_now"].to_numpy(dtype=float)
    if weights.sum() <= 0:
        weights = allocation["share"].to_numpy(dtype=float)
    frames = []
    for j, date in enumerate(after.dates):
        frame = allocation[["code", "name", "province"]].copy()
        frame["date"] = date
        frame["closure_month"] = after.close_date
        for name in EXIT_COLUMNS:
            total = int(round(float(np.median(flows[name][:, j]))))
            frame[name] = largest_remainder(total, weights)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[columns]
