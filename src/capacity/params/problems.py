"""The one error of a parameter file: each problem one line naming file, key, value and rule.

``params/x.yaml: backlog.grant_share = 1.5: must be from 0 to 1``. Values are shown as they
are written in YAML and cut short (:func:`show`), so that a huge or self-repeating value
never makes the message itself huge.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel, ValidationError

from capacity.errors import ParameterError

#: Longest text of a value in a message.
MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a parameter file."""

    file: str
    key: str  # dotted key path ("backlog.grant_share"), "" for the file as a whole
    value: str | None  # the value as shown (see :func:`show`), None when there is none
    rule: str  # what was expected

    def __str__(self) -> str:
        """Return the one-line message ``file: key = value: rule``."""
        head = f"{self.file}: {self.key}" if self.key else self.file
        if self.value is not None:
            head += f" = {self.value}"
        return f"{head}: {self.rule}"


class ParameterFileError(ParameterError):
    """Invalid parameters: one or more :class:`Problem`, each shown on one line.

    ``file``, ``key``, ``value`` and ``rule`` are those of the first problem.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Build the error from its problems (at least one)."""
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the problems (worker processes send errors back)."""
        return (type(self), (self.problems,))

    @property
    def file(self) -> str:
        """File of the first problem."""
        return self.problems[0].file

    @property
    def key(self) -> str:
        """Key path of the first problem."""
        return self.problems[0].key

    @property
    def value(self) -> str | None:
        """Shown value of the first problem."""
        return self.problems[0].value

    @property
    def rule(self) -> str:
        """Rule broken by the first problem."""
        return self.problems[0].rule


def fail(file: Any, key: str, rule: str, value: Any = None, *, show_value: bool = False) -> ParameterFileError:
    """Build a one-problem error to raise; the value is shown when ``show_value``."""
    return ParameterFileError([Problem(str(file), key, show(value) if show_value else None, rule)])


def _cut(text: str, budget: int) -> str:
    return text if len(text) <= budget else text[: max(budget - 1, 1)] + "…"


def show(value: Any, budget: int = MAX_VALUE_CHARS) -> str:
    """Return ``value`` as YAML would show it, in at most about ``budget`` characters."""
    return _cut(_show(value, budget, 3), budget)


def _show_scalar(value: Any, budget: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        if abs(value) < 10**20:
            return str(value)
        return f"{'-' if value < 0 else ''}a number with {value.bit_length() * 3 // 10 + 1} digits"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(_cut(value, max(budget - 2, 8)))
    return f"<{type(value).__name__}>"


def _show(value: Any, budget: int, depth: int) -> str:
    if isinstance(value, Mapping | list | tuple):
        if depth <= 0 or budget < 8:
            return "{…}" if isinstance(value, Mapping) else "[…]"
        items = list(value.items())[:6] if isinstance(value, Mapping) else list(value)[:6]
        parts: list[str] = []
        used = 2
        for item in items:
            text = (
                f"{_cut(str(item[0]), 30)}: {_show(item[1], budget - used, depth - 1)}"
                if isinstance(value, Mapping)
                else _show(item, budget - used, depth - 1)
            )
            if used + len(text) > budget:
                parts.append("…")
                break
            parts.append(text)
            used += len(text) + 2
        else:
            if len(value) > len(items):
                parts.append("…")
        inner = ", ".join(parts)
        return f"{{{inner}}}" if isinstance(value, Mapping) else f"[{inner}]"
    return _show_scalar(value, budget)


def key_path(loc: Sequence[Any]) -> str:
    """Return a pydantic location as ``forecast.shocks[0].size``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(model: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """Return the model class that holds the key at ``loc`` (the last part), or None."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """Return the model class inside ``Annotated``, ``X | None`` or ``tuple[X, ...]``, or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _inner_model(origin) if origin is not None and origin is not annotation else None


def _number(value: Any) -> str:
    if isinstance(value, int | float) and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(ctx: Mapping[str, Any]) -> str:
    if "ge" in ctx and "le" in ctx:
        return f"between {_number(ctx['ge'])} and {_number(ctx['le'])}"
    words = {"ge": "at least", "gt": "greater than", "le": "at most", "lt": "less than"}
    return " and ".join(f"{words[k]} {_number(v)}" for k, v in ctx.items() if k in words)


#: Plain rules for pydantic's error types (the rest keep pydantic's message).
_RULES = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number (not .nan or .inf)",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "date_type": "expected a date written YYYY-MM-DD",
    "missing": "required, but missing",
    "dict_type": "expected a mapping of keys and values",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "model_type": "expected a section (a mapping of keys and values)",
    "model_attributes_type": "expected a section (a mapping of keys and values)",
    "too_long": "too long",
}


def _rule(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind, ctx, loc = err["type"], err.get("ctx") or {}, err["loc"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        names = list(owner.model_fields) if owner is not None else []
        close = get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "check the spelling against params/baseline.yaml"
        return f"unknown key ({hint})"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"must be {_bounds(_field_bounds(model, loc, ctx))}"
    if kind == "string_too_long":
        return f"too long (at most {_number(ctx.get('max_length', '?'))} characters)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"too long (at most {_number(ctx.get('max_length', '?'))} items)"
    if kind.startswith("date") and kind != "date_window":
        return f"expected a date written YYYY-MM-DD ({err['msg'][0].lower() + err['msg'][1:]})"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind in _RULES:
        return _RULES[kind]
    msg = str(err["msg"])
    return msg[0].lower() + msg[1:] if msg else kind


def _field_bounds(model: type[BaseModel], loc: Sequence[Any], ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Return the tightest bounds (ge, gt, le, lt) of the field at ``loc`` and of the error.

    A field's type carries a sanity range (:class:`~capacity.params.types.Range`) and the
    field may narrow it, so that a message names both ends of what is allowed.
    """
    parts = [p for p in loc if not isinstance(p, int)]
    owner = _model_at(model, parts)
    field = owner.model_fields.get(str(parts[-1])) if owner is not None and parts else None
    metadata = [*(field.metadata if field is not None else []), ctx]
    if field is not None:  # X | None keeps its metadata inside the union
        for arg in getattr(field.annotation, "__args__", ()):
            for meta in getattr(arg, "__metadata__", ()):  # a Field(...) inside keeps its own
                metadata += [meta, *getattr(meta, "metadata", ())]
    found: dict[str, Any] = {}
    for meta in metadata:
        for name, pick in (("ge", max), ("gt", max), ("le", min), ("lt", min)):
            bound = meta.get(name) if isinstance(meta, Mapping) else getattr(meta, name, None)
            if isinstance(bound, int | float) and not isinstance(bound, bool):
                found[name] = pick(found[name], bound) if name in found else bound
    if "gt" in found and found.get("ge", -math.inf) <= found["gt"]:
        found.pop("ge", None)
    if "lt" in found and found.get("le", math.inf) >= found["lt"]:
        found.pop("le", None)
    return {k: found[k] for k in ("ge", "gt", "le", "lt") if k in found}


def _is_section(model: type[BaseModel], loc: Sequence[Any], value: Any) -> bool:
    """Tell whether ``loc`` names a whole section (its value would be a long mapping)."""
    if not isinstance(value, Mapping):
        return False
    if not loc:
        return True
    owner = _model_at(model, [*loc, "_"])
    # a Distribution is a value, not a section (checked by its marker: base imports this module)
    return owner is not None and not getattr(owner, "is_distribution", False)


def from_validation(exc: ValidationError, file: Any, model: type[BaseModel]) -> ParameterFileError:
    """Turn a pydantic error into one problem per line, naming file, key, value and rule."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        value = err.get("input")
        shown = None if err["type"] == "missing" or _is_section(model, loc, value) else show(value)
        problems.append(Problem(str(file), key_path(loc), shown, _rule(err, model)))
    return ParameterFileError(problems)
