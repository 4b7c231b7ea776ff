"""Building blocks of the scenario schema: a frozen base model and a field with unit and meaning.

Every field of the schema is declared with :func:`param`, which records its unit and a
one-line meaning; ``capacity.params.describe`` turns them into the
"Parameters used / Gebruikte parameters" table of every report.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

import numpy as np
from annotated_types import Gt
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticUndefined

from capacity import i18n, project
from capacity.i18n import N_
from capacity.params.problems import fail
from capacity.params.types import LongText, ShortText, ranged
from capacity.params.yamlfile import read_mapping

#: A seed of the random number generator: a whole number from 0 to 2**32 - 1.
Seed = ranged(int, 0, 2**32 - 1)

#: A distribution argument: a finite number of plausible size (a guard against typos).
_Arg = ranged(float, -1e9, 1e9)
#: The arguments each kind of distribution takes (beta may add low and high to scale).
_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "beta": ("a", "b"),
    "lognormal": ("median", "sigma"),
}


def packaged_baseline_path() -> Path:
    """Return the packaged ``params/baseline.yaml``: the one home of every default value."""
    return project.defaults_root() / "params" / "baseline.yaml"


@lru_cache(maxsize=1)
def packaged_baseline() -> dict[str, Any]:
    """Return the packaged baseline as read from its YAML (not validated; read once)."""
    return read_mapping(packaged_baseline_path())


def baseline_value(key: str) -> Any:
    """Return the packaged baseline's raw value at a dotted ``key`` such as ``backlog.n_paths``.

    Raises:
        ParameterFileError: If the baseline has no value there.

    """
    node: Any = packaged_baseline()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise fail(
                packaged_baseline_path(),
                key,
                "missing: the packaged baseline must give every value the schema declares without a default",
            )
        node = node[part]
    return node


class Frozen(BaseModel):
    """Immutable model that rejects unknown keys, ``.nan``/``.inf``, overlong text and ``true`` as a number.

    These guards hold for every section, also for fields declared with a plain ``float`` or
    ``str``; the types of :mod:`capacity.params.types` add ranges.

    A section of the scenario sets ``baseline_key`` (e.g. ``"backlog"``): each of its fields
    declared without a default (``param(unit=..., doc=...)``) takes its default from that section
    of the packaged ``params/baseline.yaml`` when the class is made, so that the baseline file is
    the one home of every value and the schema holds types, ranges, units and meanings.
    ``baseline_fields`` names the fields so filled.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False, str_max_length=10_000
    )

    #: Dotted key of this section in ``baseline.yaml`` (``None``: not a section of it).
    baseline_key: ClassVar[str | None] = None
    #: Fields whose default was read from ``baseline.yaml``.
    baseline_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Fill the defaults of fields declared without one from the packaged baseline."""
        super().__pydantic_init_subclass__(**kwargs)
        if cls.baseline_key is None:
            return
        section = baseline_value(cls.baseline_key)
        filled = set()
        for name, info in cls.model_fields.items():
            if (
                info.default is PydanticUndefined
                and info.default_factory is None
                and isinstance(section, dict)
                and name in section
            ):
                info.default = section[name]
                filled.add(name)
        cls.baseline_fields = frozenset(filled)
        if filled:
            cls.model_rebuild(force=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_as_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if annotation is not bool and bool not in get_args(annotation):
                raise PydanticCustomError("bool_not_number", "expected a number or text, not true/false")
        return value


#: The units of the schema's fields (``param(unit=...)``), marked for the catalogue: the
#: "Parameters used" table shows them in the page's language (``capacity.params.unit_text``).
UNITS = frozenset(
    (
        N_("%"),
        N_("-"),
        N_("EUR"),
        N_("EUR/bed-day"),
        N_("EUR/case"),
        N_("EUR/day"),
        N_("EUR/decision"),
        N_("EUR/person-day"),
        N_("capacity units/case"),
        N_("cases"),
        N_("cases/month"),
        N_("cases/year"),
        N_("date"),
        N_("days"),
        N_("decisions/month"),
        N_("factor | persons/month | share/month"),
        N_("factor"),
        N_("factor/month"),
        N_("index 0-1"),
        N_("log sd"),
        N_("models"),
        N_("month"),
        N_("months"),
        N_("origins"),
        N_("path"),
        N_("paths"),
        N_("persons"),
        N_("persons/case"),
        N_("persons/month"),
        N_("places"),
        N_("places/month"),
        N_("probability"),
        N_("ratio"),
        N_("seasons"),
        N_("share"),
        N_("share/month"),
        N_("weight"),
    )
)


def param(default: Any = PydanticUndefined, *, unit: str, doc: str, source: str = "", **constraints: Any) -> Any:
    """Declare a schema field with its unit, one-line meaning and the source of its default.

    Args:
        default: Default value. Leave it out in a section of the scenario: the value then comes
            from ``params/baseline.yaml`` (:class:`Frozen`), its one home. ``...`` (or left out
            outside a section) makes the field required.
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

    #: Marks a value (not a section) for the error messages (:mod:`capacity.params.problems`).
    is_distribution: ClassVar[bool] = True
    kind: Literal["fixed", "uniform", "triangular", "beta", "lognormal"] = "fixed"
    value: _Arg | None = None
    low: _Arg | None = None
    high: _Arg | None = None
    mode: _Arg | None = None
    a: ranged(float, 0, 10_000, Gt(0)) | None = None
    b: ranged(float, 0, 10_000, Gt(0)) | None = None
    median: ranged(float, 0, 1e9, Gt(0)) | None = None
    sigma: ranged(float, 0, 5) | None = None

    @model_validator(mode="before")
    @classmethod
    def _scalar_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"kind": "fixed", "value": float(data)}
        return data

    @model_validator(mode="after")
    def _check_arguments(self) -> Distribution:
        needed = _ARGUMENTS[self.kind]
        absent = [n for n in needed if getattr(self, n) is None]
        if absent:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(needed)}; missing {', '.join(absent)}")
        allowed = {*needed, *(("low", "high") if self.kind == "beta" else ())}
        unused = [
            n
            for n in ("value", "low", "mode", "high", "a", "b", "median", "sigma")
            if n not in allowed and getattr(self, n) is not None
        ]
        if unused:
            raise ValueError(
                f"a {self.kind} distribution takes {', '.join(sorted(allowed))}; remove {', '.join(unused)}"
            )
        if self.kind == "beta" and not self.support[0] < self.support[1]:
            raise ValueError(
                f"a beta distribution scaled to low..high needs low < high, got "
                f"{self.support[0]:g} and {self.support[1]:g}"
            )
        if self.kind in ("uniform", "triangular") and not self.low <= self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        if self.kind == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self

    @property
    def support(self) -> tuple[float, float]:
        """Return the lowest and highest value the distribution can take (lognormal: 0, inf)."""
        if self.kind == "fixed":
            return float(self.value), float(self.value)
        if self.kind == "beta":
            return (0.0 if self.low is None else self.low), (1.0 if self.high is None else self.high)
        if self.kind == "lognormal":
            return 0.0, math.inf
        return float(self.low), float(self.high)

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


def within(low: float, high: float, *, what: str, low_open: bool = False, unbounded_ok: bool = False) -> Any:
    """Return a :class:`Distribution` type whose every possible value lies in ``low``..``high``.

    Args:
        low: Lowest allowed value.
        high: Highest allowed value.
        what: What the value is, for the message (e.g. ``"a share"``).
        low_open: ``low`` itself is not allowed (e.g. persons per case > 0).
        unbounded_ok: A lognormal (unbounded above) is allowed when its median is in range;
            otherwise a lognormal is refused because it can exceed ``high``.

    """
    shown = f"{'above' if low_open else 'from'} {low:g} {'up ' if low_open else ''}to {high:g}"

    def check(dist: Distribution) -> Distribution:
        lo, hi = dist.support
        if dist.kind == "lognormal":
            if not unbounded_ok:
                raise PydanticCustomError(
                    "distribution_range",
                    "{what} must lie {range}: a lognormal distribution is "
                    "unbounded; use fixed, uniform, triangular or beta",
                    {"what": what, "range": shown},
                )
            lo = hi = float(dist.median)
        if lo < low or hi > high or (low_open and lo <= low):
            spans = f"got {lo:g}" if lo == hi else f"this distribution spans {lo:g} to {hi:g}"
            raise PydanticCustomError(
                "distribution_range", "{what} must lie {range}, {spans}", {"what": what, "range": shown, "spans": spans}
            )
        return dist

    return Annotated[Distribution, AfterValidator(check)]


#: An uncertain share or probability (0..1 for every value it can take).
ShareDist = within(0, 1, what="a share")
#: An uncertain rate per month (0..1).
RateDist = within(0, 1, what="a rate per month")
#: An uncertain factor such as realised / planned capacity (0..10).
FactorDist = within(0, 10, what="a factor", unbounded_ok=True)
#: An uncertain duration in months (0..600).
MonthsDist = within(0, 600, what="a number of months", unbounded_ok=True)


#: Texts of ``meta`` a planner writes in English and, beside it, in Dutch (``<key>_nl``):
#: :meth:`Meta.text` picks the page's language.
TWO_LANGUAGE_TEXTS = ("title", "description", "weight_rationale")


class Meta(Frozen):
    """What the scenario is and how its report is written."""

    baseline_key = "meta"

    name: str = param(
        unit="-", doc=N_("short identifier, used in folder names"), pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64
    )
    title: ShortText = param(unit="-", doc=N_("title shown in reports"))
    title_nl: ShortText | None = param(unit="-", doc=N_("Dutch title, shown on Dutch pages (empty: the title)"))
    description: LongText = param(unit="-", doc=N_("what the scenario assumes, in a few sentences"))
    description_nl: LongText | None = param(
        unit="-", doc=N_("Dutch description, shown on Dutch pages (empty: the description)")
    )
    assumptions: tuple[LongText, ...] = param(
        unit="-", doc=N_("assumptions with their sources, one per line"), max_length=100
    )
    language: Literal["nl", "en"] = param(unit="-", doc=N_("report language (nl for municipalities)"))
    seed: Seed = param(unit="-", doc=N_("seed of the random number generator"))
    weight: ranged(float, 0, 1) | None = param(
        None,
        unit="probability",
        doc=N_(
            "probability that this scenario is the future that happens, as elicited (the "
            "weighted view normalises the weights of the scenarios in a run; empty: not weighted); "
            "never inherited through extends"
        ),
    )
    stress_test: bool = param(
        False,
        unit="-",
        doc=N_("a stress test or policy variant: shown beside the others, never weighted (weight empty)"),
    )
    weight_rationale: LongText = param("", unit="-", doc=N_("why this weight (or why not weighted), with its source"))
    weight_rationale_nl: LongText | None = param(
        None, unit="-", doc=N_("Dutch weight rationale, shown on Dutch pages (empty: the weight rationale)")
    )

    def text(self, key: str, language: str | None = None) -> str:
        """Return a text a planner writes in two languages (title, description, weight_rationale) in ``language``.

        ``<key>_nl`` on Dutch pages, ``<key>`` on English ones; the other language's text when
        the page's is empty. ``language``: ``en`` or ``nl`` (default the kernel's,
        :func:`capacity.i18n.language`).
        """
        return self.text_and_language(key, language)[0]

    def text_and_language(self, key: str, language: str | None = None) -> tuple[str, str]:
        """Return :meth:`text` and the language it is written in (the other one when it fell back)."""
        if key not in TWO_LANGUAGE_TEXTS:
            raise KeyError(f"meta.{key} is not written in two languages; one of {', '.join(TWO_LANGUAGE_TEXTS)}")
        lang = i18n.language(language)
        order = dict.fromkeys([lang, *i18n.LANGUAGES])  # the page's language first, then the others
        for other in order:
            text = getattr(self, key if other == i18n.SOURCE else f"{key}_{other}", None) or ""
            if text.strip():
                return text, other
        return "", lang

    @model_validator(mode="after")
    def _weight_or_stress_test(self) -> Meta:
        if self.stress_test and self.weight is not None:
            raise ValueError(
                f"meta.weight = {self.weight}: a stress test is not weighted; set weight: null or stress_test: false"
            )
        if self.weight is not None and not self.weight_rationale.strip():
            raise ValueError(
                "meta.weight needs meta.weight_rationale: why this probability, with its "
                "source (an elicitation, a precedent)"
            )
        return self


class DataConfig(Frozen):
    """Where the historical series come from."""

    baseline_key = "data"

    data_dir: ShortText | None = param(
        unit="path",
        doc=N_("folder with the CSV files (empty: the copies shipped in the package)"),
    )
    files: dict[ShortText, ShortText] = param(
        unit="path",
        doc=N_("per-file overrides {name: path}, e.g. a newer ukraine_shelter_nl.csv in the same format"),
    )
