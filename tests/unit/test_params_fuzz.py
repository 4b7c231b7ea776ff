"""Property-based tests: invalid parameter files, generated from the schema, are never accepted.

Every leaf of :class:`~capacity.params.Scenario` gets values it must refuse (out of range,
wrong type, ``.nan``, ``.inf``, huge), and whole files get structural faults (unknown keys,
sections of the wrong type, duplicate keys, deep nesting, aliases, empty files, random
text). For each the loader must raise the one error type, in one line per problem that
names the file (and the key where there is one), quickly, and never accept the file.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from capacity import params
from capacity.errors import ParameterError
from capacity.params import ParameterFileError, Scenario
from capacity.params.base import Distribution

pytestmark = pytest.mark.unit

FUZZ = settings(
    max_examples=40,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- the schema's leaves and the values each must refuse ------------------------------------


def _kind(annotation: Any) -> str:
    """Classify a field's annotation: dist, date, bool, number, literal, text, list, models, mapping."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if annotation is Distribution or Distribution in args:
        return "dist"
    if origin is typing.Literal:
        return "literal"
    if origin is dict:
        return "mapping"
    if origin is tuple:
        inner = args[0]
        return "models" if isinstance(inner, type) and issubclass(inner, BaseModel) else "list"
    if args and origin is not typing.Annotated:  # X | None
        return _kind(args[0])
    if origin is typing.Annotated:
        return _kind(args[0])
    return {bool: "bool", dt.date: "date", int: "number", float: "number", str: "text"}[annotation]


def _bounds(info: Any) -> dict[str, float]:
    """Return the tightest bounds of a field: its own, and those of its type (also inside X | None)."""
    metadata = list(info.metadata)
    for arg in typing.get_args(info.annotation):
        metadata += getattr(arg, "__metadata__", ())
    found: dict[str, float] = {}
    for meta in metadata:
        for name, pick in (("ge", max), ("gt", max), ("le", min), ("lt", min)):
            value = getattr(meta, name, None)
            if value is not None:
                found[name] = pick(found[name], value) if name in found else value
    return found


def _leaves(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, str, dict[str, float]]]:
    """Return (dotted key, kind, bounds) for every leaf field, through nested sections."""
    out = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        if key == "shelter.tpd_end":
            continue  # not a key of its own (set as backlog.tpd_end_date)
        inner = info.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not Distribution:
            out += _leaves(inner, key + ".")
        else:
            out.append((key, _kind(inner), _bounds(info)))
    return out


def _nested(key: str, value: Any) -> dict[str, Any]:
    """Return ``{"a": {"b": value}}`` for the key ``a.b``."""
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


LEAVES = _leaves()
NOT_NUMBERS = [math.nan, math.inf, -math.inf, 1e300, -1e300, "abc", True, [1], {"a": 1}]
BAD: dict[str, list[Any]] = {
    "number": NOT_NUMBERS,
    "dist": [
        *NOT_NUMBERS,
        {"kind": "fixed", "value": math.nan},
        {"kind": "fixed"},
        {"kind": "triangular", "low": 1, "mode": 0, "high": 2},
        {"kind": "nope", "value": 1},
        {"kind": "fixed", "value": 1e300},
        {"kind": "fixed", "value": 0.5, "low": 0.1},
        {"kind": "uniform", "low": 0, "high": 1e12},
    ],
    "date": ["soon", dt.date(1990, 1, 1), dt.date(2099, 1, 1), True, [1], {"a": 1}, math.nan],
    "bool": ["maybe", 3, [1], math.nan, {"a": 1}],
    "literal": ["zzz", 3, [1], None],
    "text": [[1], {"a": 1}, "x" * 20_000, True],
    "list": ["abc", [math.nan], [-1], [1e300], {"a": 1}, True],
    "models": ["abc", [1], [{"name": "x"}], True, [{"bogus": 1}]],
    "mapping": ["abc", [1], {"GM9999": 0.1}, {"GM0363": -1}, {"GM0363": math.nan}, {"bad code": 1}],
}


def _out_of_range(bounds: dict[str, float]) -> list[float]:
    values = []
    if "ge" in bounds:
        values.append(bounds["ge"] - 1)
    if "gt" in bounds:
        values.append(bounds["gt"])
    if "le" in bounds:
        values.append(bounds["le"] + 1)
    if "lt" in bounds:
        values.append(bounds["lt"])
    return values


#: Numbers without an upper bound in the schema (a huge value passes there); keep this empty.
UNBOUNDED = sorted(key for key, kind, bounds in LEAVES if kind == "number" and not {"le", "lt"} & set(bounds))


def _cases() -> list[tuple[str, Any]]:
    cases = []
    for key, kind, bounds in LEAVES:
        bad = list(BAD[kind]) + (_out_of_range(bounds) if kind == "number" else [])
        if key == "meta.name":
            bad.append("Not A Name!")
        if key == "forecast.models":
            bad = ["abc", ["arima"], [1], [], {"a": 1}]
        if key == "data.files":
            bad = ["abc", [1], {"a": [1]}, {"a": {"b": 1}}]
        if kind == "dist":  # a mapping merges onto the baseline's (a beta stays a beta): a < 0 is bad in any kind
            bad = [{"a": -1} if value == {"a": 1} else value for value in bad]
        cases += [(key, value) for value in bad]
    return cases


CASES = _cases()


def _several_missing(value: Any) -> bool:
    """Tell whether ``value`` is a list item missing several required keys (one line each)."""
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _write(tmp_path: Path, text: str, name: str = "fuzz.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path, key: str | None, *, one_line: bool = True, overrides: dict | None = None) -> str:
    """Load ``path``; assert it fails fast with the one error type, one line naming file and key."""
    start = time.monotonic()
    with pytest.raises(ParameterError) as err:
        params.load(path, **(overrides or {}))
    assert time.monotonic() - start < 5, "loading an invalid file must not take long"
    assert isinstance(err.value, ParameterFileError), type(err.value)
    text = str(err.value)
    assert "Traceback" not in text
    assert len(text) < 1000, f"message too long ({len(text)} characters): {text[:200]}"
    for line in text.splitlines():
        assert line.startswith(f"{path}: "), line
    if key is not None:
        assert not one_line or "\n" not in text, f"one problem, one line: {text}"
        assert all(key in line for line in text.splitlines()), text
    return text


def test_the_generated_cases_cover_every_kind_of_leaf() -> None:
    kinds = {kind for _, kind, _ in LEAVES}
    assert kinds == set(BAD), kinds
    assert len(LEAVES) > 80 and len(CASES) > 600


def test_every_number_has_an_upper_bound() -> None:
    # Every section, warnings too (warnings.penalty_budget.budget_eur once took 1e300).
    assert not UNBOUNDED, f"give these a type with a range (capacity.params.types): {UNBOUNDED}"


@FUZZ
@given(case=st.sampled_from(CASES))
def test_an_invalid_value_anywhere_is_refused_naming_file_and_key(tmp_path: Path, case: tuple) -> None:
    key, value = case
    _refused(_write(tmp_path, yaml.safe_dump(_nested(key, value))), key, one_line=not _several_missing(value))


def test_every_generated_case_is_refused() -> None:
    """All cases, as overrides onto the baseline (no file I/O: the sampled test above writes files)."""
    failures = []
    for key, value in CASES:
        try:
            _refused(
                params.BASELINE_PATH,
                key,
                one_line=not _several_missing(value),
                overrides={key.replace(".", "__"): value},
            )
        except AssertionError as exc:
            failures.append(f"{key} = {str(value)[:40]}: {str(exc).splitlines()[0][:160]}")
        except Exception as exc:  # any other exception is itself the failure
            failures.append(f"{key} = {str(value)[:40]}: {type(exc).__name__}: {str(exc)[:160]}")
    assert not failures, f"{len(failures)} of {len(CASES)} cases:\n" + "\n".join(failures[:30])


@pytest.mark.parametrize("value", [1.5, -0.1, math.nan, math.inf, {"kind": "uniform", "low": 0.5, "high": 1.4}])
def test_every_share_distribution_refuses_values_outside_0_to_1(tmp_path: Path, value: Any) -> None:
    shares = [k for k, kind, _ in LEAVES if kind == "dist" and k.endswith(("_share", "_rate", "rate_per_month"))]
    assert len(shares) >= 10
    for key in shares:
        _refused(_write(tmp_path, yaml.safe_dump(_nested(key, value))), key)


# --- structural faults -----------------------------------------------------------------------

SECTIONS = list(Scenario.model_fields)
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20)


@FUZZ
@given(section=st.sampled_from(SECTIONS), key=NAMES)
def test_unknown_keys_are_refused(tmp_path: Path, section: str, key: str) -> None:
    model = Scenario.model_fields[section].annotation
    if key in model.model_fields or key == "tpd_end":
        return
    text = _refused(_write(tmp_path, yaml.safe_dump({section: {key: 1}})), f"{section}.{key}")
    assert "unknown key" in text


@FUZZ
@given(key=NAMES)
def test_unknown_sections_are_refused(tmp_path: Path, key: str) -> None:
    if key in SECTIONS or key == "extends":
        return
    _refused(_write(tmp_path, yaml.safe_dump({key: {"x": 1}})), key)


@FUZZ
@given(
    section=st.sampled_from(SECTIONS),
    value=st.one_of(
        st.none(), st.integers(), st.floats(), st.text(max_size=30), st.lists(st.integers(), max_size=3), st.booleans()
    ),
)
def test_a_section_that_is_not_a_mapping_is_refused(tmp_path: Path, section: str, value: Any) -> None:
    _refused(_write(tmp_path, yaml.safe_dump({section: value})), section)


@FUZZ
@given(leaf=st.sampled_from(LEAVES), gap=st.integers(0, 5))
def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path, leaf: tuple, gap: int) -> None:
    *parents, name = leaf[0].split(".")
    head = "".join("  " * i + f"{p}:\n" for i, p in enumerate(parents))
    indent = "  " * len(parents)
    filler = "".join(f"{indent}# comment {i}\n" for i in range(gap))
    path = _write(tmp_path, f"{head}{indent}{name}: 1\n{filler}{indent}{name}: 2\n")
    text = _refused(path, leaf[0])
    assert f"lines {len(parents) + 1} and {len(parents) + 2 + gap}" in text


@FUZZ
@given(depth=st.integers(21, 200), style=st.sampled_from(["list", "mapping", "block"]))
def test_deep_nesting_is_refused(tmp_path: Path, depth: int, style: str) -> None:
    if style == "list":
        text = "meta:\n  title: " + "[" * depth + "]" * depth + "\n"
    elif style == "mapping":
        text = "meta:\n  title: " + "{a: " * depth + "1" + "}" * depth + "\n"
    else:
        text = "meta:\n  title:\n" + "".join("  " * (i + 2) + "-\n" for i in range(depth))
    _refused(_write(tmp_path, text), "meta.title")


def test_very_deep_nesting_is_refused_without_recursion_error(tmp_path: Path) -> None:
    _refused(_write(tmp_path, "meta:\n  title: " + "[" * 5000 + "]" * 5000 + "\n"), "meta.title")


@pytest.mark.parametrize("levels", [3, 9, 30])
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, levels: int) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    lines.append(f"meta: {{title: *l{levels - 1}}}")
    text = _refused(_write(tmp_path, "\n".join(lines) + "\n"), "l0")
    assert "anchors and aliases" in text and "lol" not in text


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n", "---\n", "~\n", "null\n", "{}\n", "--- # nothing\n...\n"]
)
def test_an_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    message = _refused(_write(tmp_path, text), None)
    assert "empty" in message or "mapping" in message


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("abm:-[]{}&*!|>'\"#%@`,?\n 0123456789.e")), max_size=120))
def test_random_text_never_escapes_as_another_exception(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    try:
        params.load(path)
    except ParameterError as exc:
        assert isinstance(exc, ParameterFileError)
        assert all(line.startswith(f"{path}: ") for line in str(exc).splitlines())
    else:  # accepted: then it must have been a real, valid scenario
        assert params.read_yaml(path)


@FUZZ
@given(size=st.integers(1_000_001, 3_000_000))
def test_an_over_large_file_is_refused_before_reading(tmp_path: Path, size: int) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.write(b"meta:\n  title: x\n")
        handle.truncate(size)
    assert "bytes" in _refused(path, None)


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "backlog:\n  grant_share: 1.5\n",
        "meta: null\n",
        "",
        "a: &a [1]\nmeta: {title: *a}\n",
        "meta:\n  seed: 1\n  seed: 2\n",
    ],
)
def test_capacity_validate_exits_2_with_one_line_per_problem(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from capacity.cli import EXIT_INPUT, main

    bad = _write(tmp_path, text, "bad.yaml")
    assert main(["validate", str(bad)]) == EXIT_INPUT == 2
    out, err = capsys.readouterr()
    errors = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR  {bad}: "), out
    assert "Traceback" not in out + err
    assert out.splitlines()[-1] == "0 of 1 files valid"


def test_capacity_validate_in_a_fresh_process_exits_2_without_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = _write(tmp_path, "backlog:\n  grant_share: 1.5\n", "bad.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "capacity", "validate", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"ERROR  {bad}: backlog.grant_share = 1.5: a share must lie from 0 to 1" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
