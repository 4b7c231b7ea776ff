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
    with pytest.raises(
        ParameterError,
        match=r"scenario.yaml: backlog.tpd_end_date: line 2: '2025-13-01' "
        r"could not be read: month must be in 1..12 \(dates are written YYYY-MM-DD\)",
    ):
        params.load(write(tmp_path, "backlog:\n  tpd_end_date: 2025-13-01\n"))
    with pytest.raises(ParameterError, match="backlog.tpd_end_date = 'soon'"):
        params.load(write(tmp_path, "backlog:\n  tpd_end_date: soon\n"))


def test_one_tpd_end_date_serves_backlog_and_shelter(tmp_path: Path) -> None:
    scn = params.load(write(tmp_path, "backlog:\n  tpd_end_date: 2026-03-04\n"))
    assert scn.shelter.tpd_end == scn.backlog.tpd_end_date == dt.date(2026, 3, 4)
    with pytest.raises(
        ParameterError, match=r"shelter\.tpd_end = 2026-03-04: no longer a key: .*backlog\.tpd_end_date"
    ):
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


# --- every field checked, one error type, one line per problem ----------------------------


def _one_line(tmp_path: Path, text: str, name: str = "scenario.yaml") -> str:
    path = write(tmp_path, text, name)
    with pytest.raises(params.ParameterFileError) as err:
        params.load(path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("backlog:\n  grant_share: 1.5\n", "backlog.grant_share = 1.5: a share must lie from 0 to 1, got 1.5"),
        ("backlog:\n  grant_share: -0.1\n", "backlog.grant_share = -0.1: a share must lie from 0 to 1"),
        ("backlog:\n  grant_share: .nan\n", "backlog.grant_share.value = .nan: expected a finite number"),
        ("backlog:\n  persons_per_case: 0\n", "backlog.persons_per_case = 0: persons per case must lie above 0"),
        ("backlog:\n  ind_tpd_reserved_share: 1.5\n", "backlog.ind_tpd_reserved_share = 1.5: must be between 0 and 1"),
        ("shelter:\n  cost_idle_bed_day_eur: .inf\n", "shelter.cost_idle_bed_day_eur = .inf: expected a finite number"),
        (
            "backlog:\n  dtv_cases_per_month: 1.0e+300\n",
            "backlog.dtv_cases_per_month = 1e+300: must be between 0 and 1,000,000",
        ),
        ("backlog:\n  n_paths: 0\n", "backlog.n_paths = 0: must be between 1 and 1,000,000"),
        ("backlog:\n  n_paths: true\n", "backlog.n_paths = true: expected a number or text, not true/false"),
        ("backlog:\n  cohort_persons: '120680'\n", "backlog.cohort_persons = '120680': expected a number"),
        (
            "backlog:\n  tpd_end_date: 1990-03-04\n",
            "backlog.tpd_end_date = 1990-03-04: must lie between 2022-01-01 and 2040-12-31",
        ),
        ("forecast:\n  fit_start: 2099-01-01\n", "forecast.fit_start = 2099-01-01: must lie between"),
        (
            "shelter:\n  places_changes: [{month: 2026-01-01, change: .inf}]\n",
            "shelter.places_changes[0].change = .inf",
        ),
        ("shelter:\n  known_places: {GM9999: 5}\n", "unknown municipality code(s) GM9999"),
        ("shelter:\n  custom_weights: {GM0363: 1.5}\n", "shelter.custom_weights.GM0363 = 1.5: must be between 0 and 1"),
        ("backlog:\n  grant_share: {kind: triangular, low: 0.5, mode: 0.2, high: 0.9}\n", "mode (0.2) must lie in"),
        (
            "backlog:\n  grant_share: {kind: fixed, value: 0.5, low: 0.1}\n",
            "a fixed distribution takes value; remove low",
        ),
        (
            "backlog:\n  grant_share: {kind: lognormal, median: 0.5, sigma: 0.1}\n",
            "a lognormal distribution is unbounded",
        ),
        ("backlog:\n  grant_share: {kind: uniform, low: 0.2, high: 0.5, mode: 0.3}\n", "remove mode"),
        (
            "forecast:\n  weight_horizons: 12\n  backtest_horizons: 6\n",
            "forecast: weight_horizons (12) must not exceed backtest_horizons (6)",
        ),
        (
            "backlog:\n  decision_term_months: 10\n  term_extension_months: 15\n",
            "backlog: decision_term_months + term_extension_months must be at most 21",
        ),
        ("meta:\n  title: " + "x" * 600 + "\n", "meta.title = 'xxxx"),
    ],
)
def test_every_rule_gives_one_line_naming_file_key_value_and_rule(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _one_line(tmp_path, text)


def test_every_shipped_file_stays_valid_under_the_rules() -> None:
    assert all(error is None for error in params.validate_files(params.scenario_files()).values())


def test_municipality_codes_are_checked_against_the_given_list(tmp_path: Path) -> None:
    path = write(tmp_path, "shelter:\n  known_places: {GM0363: 5}\n")
    assert params.load(path).shelter.known_places == {"GM0363": 5}
    assert "GM0363" in params.shipped_municipality_codes() and len(params.shipped_municipality_codes()) == 342
    with pytest.raises(params.ParameterFileError, match="unknown municipality code"):
        params.load(path, municipality_codes={"GM0014"})


def test_unknown_keys_get_a_did_you_mean(tmp_path: Path) -> None:
    assert "meta.sede = 3: unknown key (did you mean 'seed'?)" in _one_line(tmp_path, "meta:\n  sede: 3\n")
    assert "bakclog = {}: unknown key (did you mean 'backlog'?)" in _one_line(tmp_path, "bakclog: {}\n")
    assert "backlog.grant_shar = 0.5: unknown key (did you mean 'grant_share'?)" in _one_line(
        tmp_path, "backlog:\n  grant_shar: 0.5\n"
    )
    assert "check the spelling" in _one_line(tmp_path, "shelter:\n  zzzzzz: 1\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("{}\n", "empty mapping"),
        ("meta: null\n", "meta = null: expected a section"),
        ("meta: [1]\n", "meta = [1]: expected a section"),
        ("forecast: 3\n", "forecast = 3: expected a section"),
        ("- a\n- b\n", "expected a mapping of sections at the top"),
        ("meta:\n  seed: 1\n  seed: 2\n", "meta.seed: key given twice, at lines 2 and 3"),
        ("a: &x [1]\nmeta: {title: *x}\n", "a: line 1: YAML anchors and aliases (& and *) are not allowed"),
        ("meta:\n  title: " + "[" * 50 + "]" * 50 + "\n", "nested deeper than 20 levels"),
        ("meta:\n  title: !!binary aGVsbG8=\n", "meta.title: line 2: the YAML tag"),
        ("meta:\n  title: !!python/object:os.system x\n", "meta.title: line 2: the YAML tag"),
        ("backlog:\n  tpd_end_date: 2025-02-30\n", "backlog.tpd_end_date: line 2: '2025-02-30' could not be read"),
        ("meta: [unclosed\n", "not valid YAML"),
        ("meta: {title: x}\n---\nmeta: {title: y}\n", "not valid YAML"),
    ],
)
def test_bad_yaml_is_one_line_never_a_traceback(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _one_line(tmp_path, text)


def test_an_alias_bomb_fails_at_once_without_expanding(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    lines.append("meta: {title: *a11}")
    message = _one_line(tmp_path, "\n".join(lines) + "\n")
    assert "anchors and aliases" in message and len(message) < 300


def test_an_over_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("meta:\n  description: >-\n" + "    words\n" * 150_000)
    with pytest.raises(params.ParameterFileError, match="more than the 1,000,000 a parameter file may have"):
        params.load(path)


def test_values_in_messages_are_cut_short() -> None:
    from capacity.params.problems import show

    assert show(list(range(10_000))).endswith("…]") and len(show(list(range(10_000)))) <= 80
    assert show("x" * 10_000).endswith("…'") and len(show("x" * 10_000)) <= 80
    assert show(10**4000) == "a number with 4001 digits" or "digits" in show(10**4000)
    assert show({"kind": "fixed", "value": float("nan")}) == "{kind: 'fixed', value: .nan}"
    assert show(dt.date(2026, 3, 4)) == "2026-03-04"


def test_the_error_carries_file_key_value_and_rule(tmp_path: Path) -> None:
    import pickle

    path = write(tmp_path, "backlog:\n  grant_share: 1.5\n")
    with pytest.raises(params.ParameterFileError) as err:
        params.load(path)
    exc = err.value
    assert (exc.file, exc.key, exc.value) == (str(path), "backlog.grant_share", "1.5")
    assert "a share must lie from 0 to 1" in exc.rule
    assert isinstance(exc, ParameterError) and isinstance(exc, ValueError)
    again = pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes: workers send errors back so
    assert str(again) == str(exc) and again.problems == exc.problems


def test_extends_stays_inside_the_parameter_folders(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "parent.yaml").write_text("meta:\n  seed: 7\n")
    inside = tmp_path / "mine"
    inside.mkdir()
    assert "extends = '../outside/parent.yaml': points outside the parameter folders" in _one_line(
        inside, "extends: ../outside/parent.yaml\n"
    )
    absolute = str(outside / "parent.yaml")
    assert "not an absolute path" in _one_line(inside, f"extends: {absolute}\n")
    assert "must name a .yaml parameter file" in _one_line(inside, "extends: notes.txt\n")
    assert "expected a file name" in _one_line(inside, "extends: [a.yaml]\n")
    child = write(inside, "extends: ../outside/parent.yaml\n", "child.yaml")
    assert params.load(child, extends_roots=[outside]).meta.seed == 7  # an explicitly allowed folder
    shipped = write(inside, "extends: ceasefire.yaml\n", "c.yaml")
    with pytest.raises(params.ParameterFileError, match="not found"):
        params.load(shipped)  # relative to the file's own folder, not params/scenarios


def test_a_distribution_given_whole_replaces_the_baseline_one(tmp_path: Path) -> None:
    scn = params.load(write(tmp_path, "backlog:\n  grant_share: {kind: fixed, value: 0.4}\n"))
    assert scn.backlog.grant_share == Distribution(kind="fixed", value=0.4)  # baseline low/high dropped
    scn = params.load(write(tmp_path, "backlog:\n  grant_share: {high: 0.6}\n"))
    assert (scn.backlog.grant_share.low, scn.backlog.grant_share.high) == (0.36, 0.6)  # one argument tweaked


def test_encodings_other_than_utf8_are_refused_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfmeta:\n  title: ok\n")
    assert params.load(tmp_path / "bom.yaml").meta.title == "ok"  # a BOM is fine
    (tmp_path / "cp1252.yaml").write_bytes("meta:\n  title: café\n".encode("cp1252"))
    (tmp_path / "utf16.yaml").write_bytes("meta:\n  title: x\n".encode("utf-16"))
    for name in ("cp1252.yaml", "utf16.yaml"):
        with pytest.raises(params.ParameterFileError, match="not UTF-8 text .*save the file as UTF-8"):
            params.load(tmp_path / name)


def test_every_shipped_scenario_has_its_own_dutch_title() -> None:
    """A scenario that sets its own title sets its own title_nl too, or Dutch pages show another's."""
    base = params.load()
    assert base.meta.title_nl
    titles_nl = {}
    for path in params.scenario_files(include_baseline=False):
        scn = params.load(path)
        assert scn.meta.title_nl, path
        if scn.meta.title != base.meta.title:
            assert scn.meta.title_nl != base.meta.title_nl, f"{path.name} inherits the baseline's Dutch title"
        titles_nl[scn.meta.title_nl] = path.name
    assert len(titles_nl) == len(params.scenario_files(include_baseline=False))  # no two share one


def test_municipal_pages_carry_the_dutch_scenario_title(tmp_path: Path) -> None:
    from capacity.runner.plan import load_scenarios, plan_jobs
    from capacity.runner.registry import NOTEBOOKS

    specs = load_scenarios([params.PARAMS_DIR / "scenarios" / "ceasefire.yaml"])
    jobs = plan_jobs(
        specs, [nb for nb in NOTEBOOKS if nb.per == "municipality"], [("GM0363", "Amsterdam")], run_dir=tmp_path
    )
    assert jobs and jobs[0].title == "Amsterdam (GM0363) — Stabiel staakt-het-vuren vanaf de maand na de run"
