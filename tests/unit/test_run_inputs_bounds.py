"""Every way into a run goes through the bounded schema before anything runs: ``-p`` values and options."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import cli
from capacity.errors import CapacityError, ParameterError
from capacity.runner.plan import check_scenario_bounds, load_scenarios

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value", ["1000000000", "100000000", "-5", "0", "9"])
def test_dry_run_refuses_n_paths_outside_the_scenario_bounds_naming_the_bound(capsys, value: str) -> None:
    assert cli.main(["run", "--dry-run", "-p", f"n_paths={value}"]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert "forecast.n_paths" in err and "100,000" in err and value in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_n_paths_inside_the_bounds_is_accepted() -> None:
    check_scenario_bounds(load_scenarios(None), {"n_paths": 200})


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object:os.system ls",
        "!!python/object/apply:os.system [ls]",
        "[1, ",
        "{a: [",
        "&a [*a]",
        "\x1b[31m",
        "a\x00b",
        "\x07",
        "\ufffe",
    ],
)
def test_a_bad_yaml_or_control_character_in_p_is_one_line(capsys, value: str) -> None:
    assert cli.main(["run", "--dry-run", "-p", f"n_paths={value}"]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: -p") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text(max_size=20) | st.integers().map(str) | st.floats().map(str))
def test_any_p_value_is_accepted_within_bounds_or_refused_in_one_line(value: str) -> None:
    spec = load_scenarios(None)
    try:
        parsed = cli._parse_parameters([f"n_paths={value}"])
        check_scenario_bounds(spec, parsed)
    except ParameterError as exc:
        assert str(exc).startswith("-p ")
        return
    got = parsed["n_paths"]
    if isinstance(got, int) and not isinstance(got, bool):
        assert 10 <= got <= 100_000


def test_bounds_are_those_of_the_schema_for_every_scenario(tmp_path) -> None:
    loose = tmp_path / "loose.yaml"
    loose.write_text("meta:\n  name: loose\n")
    with pytest.raises(CapacityError, match="forecast.n_paths"):
        check_scenario_bounds(load_scenarios([loose]), {"n_paths": 10**9})
