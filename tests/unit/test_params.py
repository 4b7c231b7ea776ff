from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from capacity import params
from capacity.errors import ParameterError
from capacity.params.base import Distribution

pytestmark = pytest.mark.unit


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", params.scenario_files(), ids=lambda p: p.name)
def test_every_shipped_parameter_file_loads(path: Path) -> None:
    scn = params.load(path)
    assert scn.meta.name
    assert params.describe(scn)["meaning"].str.len().gt(0).all(), "every parameter needs a meaning"


def test_baseline_is_the_default() -> None:
    assert params.load() == params.load(params.BASELINE_PATH)
    assert params.load().meta.name == "baseline"


def test_every_field_has_unit_and_meaning() -> None:
    table = params.describe(params.load())
    assert not table.empty
    assert table["unit"].astype(bool).all(), table.loc[~table["unit"].astype(bool), "parameter"].tolist()
    assert table["meaning"].astype(bool).all()


def test_unknown_key_names_file_key_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, "meta:\n  sede: 3\n")
    with pytest.raises(ParameterError) as err:
        params.load(path)
    text = str(err.value)
    assert str(path) in text and "meta.sede" in text and "3" in text and "unknown key" in text


def test_wrong_type_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "meta:\n  seed: lots\n")
    with pytest.raises(ParameterError, match=r"meta\.seed = 'lots'"):
        params.load(path)


def test_out_of_range_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "meta:\n  seed: -1\n")
    with pytest.raises(ParameterError, match=r"meta\.seed = -1: must be between 0 and 4,294,967,295$"):
        params.load(path)


def test_bad_date_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"scenario.yaml: backlog.tpd_end_date: line 2: '2025-13-01' "
                       r"could not be read: month must be in 1..12 \(dates are written YYYY-MM-DD\)"):
        params.load(write(tmp_path, "backlog:\n  tpd_end_date: 2025-13-01\n"))
    with pytest.raises(ParameterError, match="backlog.tpd_end_date = 'soon'"):
        params.load(write(tmp_path, "backlog:\n  tpd_end_date: soon\n"))


def test_one_tpd_end_date_serves_backlog_and_shelter(tmp_path: Path) -> None:
    scn = params.load(write(tmp_path, "backlog:\n  tpd_end_date: 2026-03-04\n"))
    assert scn.shelter.tpd_end == scn.backlog.tpd_end_date == dt.date(2026, 3, 4)
    with pytest.raises(ParameterError, match=r"shelter\.tpd_end = 2026-03-04: no longer a key: .*backlog\.tpd_end_date"):
        params.load(write(tmp_path, "shelter:\n  tpd_end: 2026-03-04\n"))


def test_bad_language_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="meta.language = 'de'"):
        params.load(write(tmp_path, "meta:\n  language: de\n"))


def test_scenario_overrides_only_what_it_changes(tmp_path: Path) -> None:
    base = params.load()
    scn = params.load(write(tmp_path, "meta:\n  title: Other\n", "other_case.yaml"))
    assert scn.meta.title == "Other"
    assert scn.meta.name == "other_case"  # named after the file when it gives no name
    assert scn.meta.seed == base.meta.seed
    assert scn.forecast == base.forecast and scn.backlog == base.backlog


def test_extends_chains_onto_another_scenario(tmp_path: Path) -> None:
    write(tmp_path, "meta:\n  title: Parent\n  seed: 7\n", "parent.yaml")
    child = params.load(write(tmp_path, "extends: parent.yaml\nmeta:\n  seed: 8\n", "child.yaml"))
    assert (child.meta.title, child.meta.seed, child.meta.name) == ("Parent", 8, "child")


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ParameterError, match="cycle"):
        params.load(tmp_path / "a.yaml")


def test_not_a_mapping_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="expected a mapping"):
        params.load(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ParameterError, match="not valid YAML"):
        params.load(write(tmp_path, "meta: [unclosed\n"))
    with pytest.raises(ParameterError, match="not found"):
        params.load(tmp_path / "absent.yaml")


def test_overrides_use_double_underscore() -> None:
    assert params.load(meta__seed=11).meta.seed == 11
    with pytest.raises(ParameterError, match="meta.nope"):
        params.load(meta__nope=1)


def test_scenario_is_frozen() -> None:
    scn = params.load()
    with pytest.raises(Exception, match="frozen"):
        scn.meta.seed = 1  # type: ignore[misc]


def test_validate_files_reports_each_file(tmp_path: Path) -> None:
    good = write(tmp_path, "meta:\n  title: ok\n", "good.yaml")
    bad = write(tmp_path, "meta:\n  titel: typo\n", "bad.yaml")
    result = params.validate_files([good, bad])
    assert result[str(good)] is None
    assert "meta.titel" in result[str(bad)]


@pytest.mark.parametrize(
    ("spec", "mean"),
    [
        (3.5, 3.5),
        ({"kind": "uniform", "low": 1, "high": 3}, 2.0),
        ({"kind": "triangular", "low": 0, "mode": 1, "high": 2}, 1.0),
        ({"kind": "beta", "a": 2, "b": 6}, 0.25),
        ({"kind": "lognormal", "median": 2.0, "sigma": 0.1}, 2.0 * np.exp(0.005)),
    ],
)
def test_distribution_samples_have_the_right_mean(spec: object, mean: float) -> None:
    dist = Distribution.model_validate(spec)
    draws = dist.sample(200_000, np.random.default_rng(1))
    assert draws.mean() == pytest.approx(mean, rel=0.01)


def test_distribution_needs_its_arguments() -> None:
    with pytest.raises(ValueError, match="needs low, mode, high"):
        Distribution.model_validate({"kind": "triangular", "low": 0, "high": 1})
    with pytest.raises(ValueError, match="mode"):
        Distribution.model_validate({"kind": "triangular", "low": 0, "mode": 2, "high": 1})
