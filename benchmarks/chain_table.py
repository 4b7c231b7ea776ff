"""Benchmark: the municipal chain table with and without a heavy ``attrs`` on the municipalities.

pandas copies a frame's ``attrs`` on every operation; the allocation table carries the national
figures there. The chain table used to pay that on every column lookup (111 of 153 s of a run's
tables step). Prints CPU seconds of both, measured side by side in one run, and their ratio
(about 1 now: the loop reads plain arrays).

Run: ``python benchmarks/chain_table.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from capacity.quantiles import QUANTILE_COLUMNS
from capacity.shelter.regions import municipal_chain_table


def _inputs(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = [f"SR{i:02d}" for i in range(25)]
    munis = pd.DataFrame(
        {
            "code": [f"GM{i:04d}" for i in range(342)],
            "name": [f"M{i}" for i in range(342)],
            "province": [f"P{i % 12}" for i in range(342)],
            "population": rng.integers(1_000, 900_000, 342),
            "safety_region": [names[i % 25] for i in range(342)],
        }
    )
    rows = []
    for name in names:
        for variable in ("demand", "in_shelter", "places", "unmet_demand"):
            for date in pd.date_range("2025-07-01", periods=42, freq="MS"):
                q = np.sort(rng.integers(0, 9_000, len(QUANTILE_COLUMNS)))
                rows.append(
                    {
                        "region_type": "safety_region",
                        "region": name,
                        "date": date,
                        "variable": variable,
                        "mean": int(q.mean()),
                        **dict(zip(QUANTILE_COLUMNS, q, strict=True)),
                    }
                )
    return pd.DataFrame(rows), munis


def main() -> None:
    regions, plain = _inputs(np.random.default_rng(1))
    heavy = plain.copy()
    heavy.attrs["national"] = {"paths": np.arange(200_000.0)}
    times = {}
    for label, munis in (("plain", plain), ("heavy attrs", heavy), ("plain again", plain)):
        start = time.process_time()
        municipal_chain_table(regions, munis)
        times[label] = time.process_time() - start
        print(f"{label:12s} {times[label]:6.2f} s CPU")
    print(f"ratio heavy/plain: {times['heavy attrs'] / min(times['plain'], times['plain again']):.2f}")


if __name__ == "__main__":
    main()
