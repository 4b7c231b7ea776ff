"""Building blocks of the scenario schema: a frozen base model and a field with unit and meaning.

Every field of the schema is declared with :func:`param`, which records its unit and a
one-line meaning; ``capacity.params.describe`` turns them into the
"Parameters used / Gebruikte parameters" table of every report.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Frozen(BaseModel):
    """Immutable model that rejects unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def param(default: Any = ..., *, unit: str, doc: str, source: str = "", **constraints: Any) -> Any:
    """Declare a schema field with its unit, one-line meaning and the source of its default.

    Args:
        default: Default value (``...`` for required).
        unit: Unit of the value, e.g. ``"persons"``, ``"persons/month"``, ``"share"``.
        doc: One-line meaning shown in reports and error messages.
        source: Where the default comes from (data file and row, law, or "assumption"): the
            one place it is written; reports show it from here.
        **constraints: pydantic constraints such as ``ge``, ``le``, ``gt``, ``lt``.

    Returns:
        A pydantic ``FieldInfo``.

    """
    extra = {"unit": unit, **({"source": source} if source else {})}
    return Field(default, description=doc, json_schema_extra=extra, **constraints)


class Distribution(Frozen):
    """An uncertain parameter: a fixed value or a distribution to sample per path.

    ``kind`` and its arguments:
      - ``fixed``: ``value``;
      - ``uniform``: ``low``, ``high``;
      - ``triangular``: ``low``, ``mode``, ``high``;
      - ``beta``: ``a``, ``b`` (optionally scaled to ``low``..``high``, default 0..1);
      - ``lognormal``: ``median``, ``sigma`` (of the log).
    """

    kind: Literal["fixed", "uniform", "triangular", "beta", "lognormal"] = "fixed"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    a: float | None = Field(None, gt=0)
    b: float | None = Field(None, gt=0)
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _scalar_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"kind": "fixed", "value": float(data)}
        return data

    @model_validator(mode="after")
    def _check_arguments(self) -> Distribution:
        needed = {
            "fixed": ("value",),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "beta": ("a", "b"),
            "lognormal": ("median", "sigma"),
        }[self.kind]
        absent = [n for n in needed if getattr(self, n) is None]
        if absent:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(needed)}; missing {absent}")
        if self.kind in ("uniform", "triangular") and not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        if self.kind == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` values (a constant array for ``fixed``)."""
        if self.kind == "fixed":
            return np.full(n, float(self.value))
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.kind == "triangular":
            if self.low == self.high:
                return np.full(n, float(self.low))
            return rng.triangular(self.low, self.mode, self.high, n)
        if self.kind == "beta":
            lo = 0.0 if self.low is None else self.low
            hi = 1.0 if self.high is None else self.high
            return lo + (hi - lo) * rng.beta(self.a, self.b, n)
        return self.median * np.exp(self.sigma * rng.standard_normal(n))

    @property
    def central(self) -> float:
        """A central value (the value, mode, mean or median) for deterministic runs."""
        if self.kind == "fixed":
            return float(self.value)
        if self.kind == "uniform":
            return (self.low + self.high) / 2
        if self.kind == "triangular":
            return float(self.mode)
        if self.kind == "beta":
            lo = 0.0 if self.low is None else self.low
            hi = 1.0 if self.high is None else self.high
            return lo + (hi - lo) * self.a / (self.a + self.b)
        return float(self.median)


class Meta(Frozen):
    """What the scenario is and how its report is written."""

    name: str = param("baseline", unit="-", doc="short identifier, used in folder names",
                      pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = param("War continues (baseline)", unit="-", doc="title shown in reports")
    description: str = param("", unit="-", doc="what the scenario assumes, in a few sentences")
    assumptions: tuple[str, ...] = param((), unit="-",
                                         doc="assumptions with their sources, one per line")
    language: Literal["nl", "en"] = param("en", unit="-", doc="report language (nl for municipalities)")
    seed: int = param(20250228, unit="-", doc="seed of the random number generator", ge=0)


class DataConfig(Frozen):
    """Where the historical series come from."""

    data_dir: str | None = param(
        None, unit="path",
        doc="folder with the CSV files (empty: the copies shipped in the package)",
    )
    files: dict[str, str] = param(
        {}, unit="path",
        doc="per-file overrides {name: path}, e.g. a newer ukraine_shelter_nl.csv in the same format",
    )
