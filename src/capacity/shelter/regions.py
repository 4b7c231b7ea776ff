"""National shelter figures per safety region (25) and province (12), reconciling exactly.

**The key.** Each safety region gets a fixed share of the national shelter figures:

- *observed* where a published regional count exists from :data:`KEY_FROM` on
  (``datasets/shelter_regional_points.csv``): the region's count over the national count of
  the same quantity in the same month (people in shelter where the source gives them, else
  places); a national month without a published count is interpolated linearly between the
  published months around it, and the key table says so;
- *population* for every other region: the share left after the observed regions, by
  population (``datasets/municipalities.csv``).

Counts from before :data:`KEY_FROM` are not used: they are from the first weeks of the
build-up in March-April 2022, when every region filled the same flat target of 2,000 places
within days, so one day's regional count against the month's national count says little
about the later distribution. The observed shares are held fixed over the forecast (an
assumption: no later regional counts are in the project's data).

**Whole persons and quantiles.** The key carries no uncertainty, so a region's path is its
share times the national path and its quantiles are its share times the national quantiles.
Each national figure (mean and every quantile, rounded to whole persons) is therefore
allocated with the same key by the largest-remainder rule: every column of every region type
adds up *exactly* to the national figure, and the regional bands are the national band
scaled (regional uncertainty of the key itself is not modelled). Plain largest remainder
can give a region one person less at a larger total (the Alabama paradox), so the quantiles
are allocated in order: the lowest by largest remainder, each next one adds the increase to
the regions furthest below their share, which keeps every region's quantiles ordered.
Safety regions lie within one province each, so a province is the sum of its safety regions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from capacity.data.history import observed
from capacity.errors import DataError
from capacity.quantiles import QUANTILE_COLUMNS
from capacity.shelter.allocation import largest_remainder

__all__ = ["KEY_FROM", "REGION_VARIABLES", "municipal_chain_table", "regional_key", "region_table"]

#: First month of regional counts used for the key (after the 2022 build-up; see module doc).
KEY_FROM = pd.Timestamp("2023-01-01")
#: Shelter variables allocated to the regions (persons; places for ``places``/``places_needed``).
REGION_VARIABLES: tuple[str, ...] = ("demand", "in_shelter", "places", "unmet_demand", "places_needed")

_QUANTITY = {"occupied_or_in_shelter": "in_shelter", "places": "places"}


def _national_count(history: pd.DataFrame, variable: str, month: pd.Timestamp) -> tuple[float, str] | None:
    """National count of ``variable`` in ``month``: published, or interpolated between published months."""
    series = observed(history, variable)
    series.index = pd.DatetimeIndex(series.index).to_period("M").to_timestamp()
    if month in series.index:
        return float(series.loc[month]), "published"
    before, after = series[series.index < month], series[series.index > month]
    if before.empty or after.empty:
        return None
    (m0, v0), (m1, v1) = (before.index[-1], before.iloc[-1]), (after.index[0], after.iloc[0])
    span = (m1.year - m0.year) * 12 + m1.month - m0.month
    step = (month.year - m0.year) * 12 + month.month - m0.month
    return (float(v0 + (v1 - v0) * step / span), f"interpolated between the published {m0:%Y-%m} and {m1:%Y-%m}")


def _observations(points: pd.DataFrame, history: pd.DataFrame, names: set[str]) -> dict[str, dict[str, Any]]:
    """Latest usable regional count per safety region name, with its national share."""
    pts = points.copy()
    pts["month"] = pd.to_datetime(pts["date"].astype(str), format="mixed").dt.to_period("M").dt.to_timestamp()
    pts = pts[(pts["month"] >= KEY_FROM) & pts["region"].isin(names)].sort_values("month", kind="stable")
    found: dict[str, dict[str, Any]] = {}
    for _, row in pts.iterrows():
        column = next((c for c in _QUANTITY if pd.notna(row.get(c))), None)
        if column is None:
            continue
        national = _national_count(history, _QUANTITY[column], row["month"])
        if national is None or national[0] <= 0:
            continue
        found[row["region"]] = {  # later rows replace earlier ones: the latest count is kept
            "observed_month": row["month"],
            "observed_quantity": _QUANTITY[column],
            "observed_value": float(row[column]),
            "national_value": round(national[0]),
            "national_basis": national[1],
            "observed_share": float(row[column]) / national[0],
            "source": str(row["source"]),
        }
    return found


def regional_key(points: pd.DataFrame, municipalities: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Return each safety region's share of the national shelter figures and where it comes from.

    Args:
        points: ``datasets/shelter_regional_points.csv`` (date, region, places,
            occupied_or_in_shelter, source).
        municipalities: Frame with code, province, population, safety_region_code, safety_region.
        history: Long history (national counts of in_shelter and places).

    Returns:
        One row per safety region (sorted by code): safety_region_code, safety_region,
        province, population, population_share, share (sums to 1), key_source (observed |
        population), observed_month, observed_quantity, observed_value, national_value,
        national_basis, source (empty for population rows).

    Raises:
        DataError: If a safety region spans provinces or the observed shares reach 1.

    """
    needed = {"code", "province", "population", "safety_region_code", "safety_region"}
    if not needed <= set(municipalities.columns):
        raise DataError(f"municipalities needs columns {sorted(needed)}")
    if municipalities.groupby("safety_region_code")["province"].nunique().max() > 1:
        raise DataError("municipalities: a safety region lies in more than one province")
    key = (
        municipalities.groupby(["safety_region_code", "safety_region", "province"], as_index=False)["population"]
        .sum()
        .sort_values("safety_region_code", kind="stable")
        .reset_index(drop=True)
    )
    key["population_share"] = key["population"] / key["population"].sum()
    found = _observations(points, history, set(key["safety_region"]))
    is_obs = key["safety_region"].isin(found).to_numpy()
    observed_share = key["safety_region"].map(lambda r: found.get(r, {}).get("observed_share", 0.0))
    rest = 1.0 - float(observed_share.sum())
    if rest <= 0:
        raise DataError(
            f"shelter_regional_points: the observed regional shares add up to "
            f"{observed_share.sum():.3f}, leaving nothing for the other regions"
        )
    others = np.where(is_obs, 0.0, key["population"].to_numpy(dtype=float))
    key["share"] = np.where(is_obs, observed_share, rest * others / others.sum())
    key["key_source"] = np.where(is_obs, "observed", "population")
    for col in ("observed_month", "observed_quantity", "observed_value", "national_value", "national_basis", "source"):
        key[col] = key["safety_region"].map(lambda r, c=col: found.get(r, {}).get(c))
    key["source"] = key["source"].fillna("")
    return key


def _ordered_allocation(totals: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Allocate non-decreasing whole totals by ``share``: rows sum exactly, columns stay ordered."""
    out = np.zeros((len(totals), len(share)), dtype=np.int64)
    out[0] = largest_remainder(int(totals[0]), share)
    for j in range(1, len(totals)):
        increase = int(totals[j] - totals[j - 1])
        deficit = np.clip(totals[j] * share - out[j - 1], 0.0, None)
        out[j] = out[j - 1] + (largest_remainder(increase, deficit) if increase > 0 else 0)
    return out


def region_table(
    national_table: pd.DataFrame, key: pd.DataFrame, variables: tuple[str, ...] = REGION_VARIABLES
) -> pd.DataFrame:
    """Return the national quantile table per safety region and province, in whole persons.

    Args:
        national_table: ``ShelterResult.table()`` (quantile contract).
        key: :func:`regional_key`.
        variables: Variables allocated.

    Returns:
        Columns region_type (safety_region | province), region, date, variable, mean, the
        quantile columns, share, key_source (observed | population | observed + population
        for a province with both). For every region type, date, variable and column the
        regions add up to the national figure rounded to whole persons.

    """
    share = key["share"].to_numpy(dtype=float)
    cols = ["mean", *QUANTILE_COLUMNS]
    frames = []
    rows = national_table[national_table["variable"].isin(variables)]
    for _, nat in rows.iterrows():
        values = np.rint(nat[cols].to_numpy(dtype=float)).astype(np.int64)
        alloc = np.column_stack([largest_remainder(int(values[0]), share), _ordered_allocation(values[1:], share).T])
        frame = pd.DataFrame(alloc, columns=cols)
        frame.insert(0, "variable", nat["variable"])
        frame.insert(0, "date", nat["date"])
        frame.insert(0, "region", key["safety_region"].to_numpy())
        frame.insert(0, "region_type", "safety_region")
        frame["share"] = share
        frame["key_source"] = key["key_source"].to_numpy()
        frame["province"] = key["province"].to_numpy()
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["region_type", "region", "date", "variable", *cols, "share", "key_source"])
    regions = pd.concat(frames, ignore_index=True)
    provinces = regions.groupby(["province", "date", "variable"], as_index=False, sort=False)[[*cols, "share"]].sum()
    sources = regions.groupby("province")["key_source"].agg(
        lambda s: s.iloc[0] if (s == s.iloc[0]).all() else "observed + population"
    )
    provinces["key_source"] = provinces["province"].map(sources)
    provinces = provinces.rename(columns={"province": "region"})
    provinces.insert(0, "region_type", "province")
    regions = regions.drop(columns="province")
    order = {v: i for i, v in enumerate(variables)}
    out = pd.concat([regions, provinces], ignore_index=True)
    out["_v"] = out["variable"].map(order)
    out["_t"] = (out["region_type"] == "province").astype(int)
    out = out.sort_values(["_v", "date", "_t", "region"], kind="stable").drop(columns=["_v", "_t"])
    return out.reset_index(drop=True)


def municipal_chain_table(regions: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Return every municipality's whole-person quantile table, split from its safety region's.

    The last link of the one chain nation -> safety region -> municipality: each safety
    region's row of :func:`region_table` (mean and every quantile, whole persons) is shared
    over its municipalities by population with the largest-remainder rule (quantiles in
    order, as for the regions), so for every date, variable and column the municipalities
    add up exactly to their safety region, the regions to their province and to the nation.

    Args:
        regions: :func:`region_table`.
        municipalities: Frame with code, name, province, population, safety_region.

    Returns:
        Columns code, name, safety_region, province, date, variable, mean and the quantile columns.

    """
    cols = ["mean", *QUANTILE_COLUMNS]
    out_cols = ["code", "name", "safety_region", "province", "date", "variable", *cols]
    # Plain arrays, not frames, in the loop: pandas copies a frame's attrs (the allocation's
    # national figures) on every column lookup, which made this 111 of 153 s of a run's tables.
    rows = regions[regions["region_type"] == "safety_region"]
    region_of, values = rows["region"].to_numpy(), rows[cols].to_numpy(dtype=np.int64)
    dates, variables = rows["date"].to_numpy(), rows["variable"].to_numpy()
    muni = {c: municipalities[c].to_numpy() for c in ("code", "name", "province", "safety_region", "population")}
    frames = []
    for name in pd.unique(muni["safety_region"]):
        inside = muni["safety_region"] == name
        weights = muni["population"][inside].astype(float)
        if weights.sum() <= 0:
            weights = np.ones(len(weights))
        share = weights / weights.sum()
        picked = np.flatnonzero(region_of == name)
        if picked.size == 0:
            continue
        alloc = np.stack(
            [
                np.column_stack(
                    [largest_remainder(int(values[i, 0]), weights), _ordered_allocation(values[i, 1:], share).T]
                )
                for i in picked
            ]
        )
        n = int(inside.sum())
        frame = pd.DataFrame(alloc.reshape(-1, len(cols)), columns=cols)
        frame.insert(0, "variable", np.repeat(variables[picked], n))
        frame.insert(0, "date", np.repeat(dates[picked], n))
        frame.insert(0, "province", np.tile(muni["province"][inside], picked.size))
        frame.insert(0, "safety_region", name)
        frame.insert(0, "name", np.tile(muni["name"][inside], picked.size))
        frame.insert(0, "code", np.tile(muni["code"][inside], picked.size))
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=out_cols)
    return pd.concat(frames, ignore_index=True)
