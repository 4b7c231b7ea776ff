"""What changed between two vintages of one scenario: headline figures, data, parameters, code.

Pure functions on plain records (what :mod:`capacity.vintages.store` reads back): no I/O.
A vintage record is a mapping with ``run_id``, ``code_version``, ``params`` (the merged
parameters as a nested mapping), ``data_files`` (``{name: sha256}``), ``observations``
(a frame with ``date, variable, value``) and ``headline`` (rows of ``headline.csv``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Return ``{"section.key.sub": value}`` for every leaf of a nested mapping (lists are leaves)."""
    if isinstance(tree, Mapping):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: tree}


def _text(value: Any) -> str:
    """Return a parameter value as plain text (no reprs): numbers with ``g``, lists joined."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value) or "–"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items()) or "–"
    return str(value)


def param_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, str]]:
    """Return ``[{"key", "then", "now"}]`` for every parameter whose value differs, by key."""
    old, new = flatten(before), flatten(after)
    keys = sorted(set(old) | set(new))
    return [
        {"key": k, "then": _text(old.get(k)), "now": _text(new.get(k))}
        for k in keys
        if json.dumps(old.get(k), sort_keys=True, default=str) != json.dumps(new.get(k), sort_keys=True, default=str)
    ]


def data_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[dict[str, str]]:
    """Return ``[{"name", "change"}]``: data files changed (by SHA-256), added or removed."""
    out = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            out.append({"name": name, "change": "added"})
        elif name not in after:
            out.append({"name": name, "change": "removed"})
        elif before[name] != after[name]:
            out.append({"name": name, "change": "changed"})
    return out


def new_observations(before: pd.DataFrame | None, after: pd.DataFrame | None) -> dict[str, list[str]]:
    """Return ``{variable: ["YYYY-MM", ...]}``: observed months in ``after`` that ``before`` lacks."""
    if after is None or after.empty:
        return {}
    cols = ["variable", "date"]
    new = after[cols].assign(date=lambda d: pd.to_datetime(d["date"])).drop_duplicates()
    if before is not None and not before.empty:
        old = before[cols].assign(date=lambda d: pd.to_datetime(d["date"])).drop_duplicates().assign(_old=True)
        new = new.merge(old, on=cols, how="left")
        new = new[new["_old"].isna()]
    out: dict[str, list[str]] = {}
    for variable, group in new.groupby("variable"):
        out[str(variable)] = sorted(pd.to_datetime(group["date"]).dt.strftime("%Y-%m"))
    return out


def headline_changes(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per headline figure with both rows (``then``/``now``), in ``after``'s order."""
    old = {r["key"]: r for r in before}
    keys = [r["key"] for r in after] + [k for k in old if k not in {r["key"] for r in after}]
    new = {r["key"]: r for r in after}
    return [{"key": k, "then": old.get(k), "now": new.get(k)} for k in keys]


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """Return what changed from vintage ``before`` to ``after`` (``before`` None: a first vintage).

    Returns:
        ``{"previous_run", "first", "unchanged", "params", "data", "new_months", "code",
        "headline"}``; ``unchanged`` is True when parameters, data files and code are the same.

    """
    if before is None:
        return {
            "previous_run": None,
            "first": True,
            "unchanged": False,
            "params": [],
            "data": [],
            "new_months": {},
            "code": None,
            "headline": headline_changes([], after.get("headline", [])),
        }
    code = None
    if before.get("code_version") != after.get("code_version"):
        code = {"then": before.get("code_version") or "unknown", "now": after.get("code_version") or "unknown"}
    params = param_changes(before.get("params") or {}, after.get("params") or {})
    data = data_changes(before.get("data_files") or {}, after.get("data_files") or {})
    months = new_observations(before.get("observations"), after.get("observations"))
    return {
        "previous_run": before.get("run_id"),
        "first": False,
        "unchanged": not (params or data or code or months),
        "params": params,
        "data": data,
        "new_months": months,
        "code": code,
        "headline": headline_changes(before.get("headline", []), after.get("headline", [])),
    }
