"""Scenarios a cabinet would recognise: shocks placed after the run, weights, the weighted mixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from capacity import cli, params
from capacity.params.dated import past_dates
from capacity.quantiles import QUANTILE_COLUMNS, QUANTILES
from capacity.report import mixture

pytestmark = pytest.mark.unit

#: The run date of this release of the shipped scenarios (December 2026): every shipped date
#: must lie after it. A later run warns when a calendar-tied date (a winter, the TPD end)
#: has passed: that is the warning working, and the scenario file is then due for review.
RELEASE_AS_OF = "2026-12-06"


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


SHOCK = "forecast:\n  shocks:\n    - {name: wave, target: arrivals, %s, shape: pulse, duration_months: 3, size: 1.5}\n"


def test_a_shock_in_months_after_the_run_starts_after_the_as_of_month(tmp_path):
    path = write(tmp_path, SHOCK % "start_months_after_run: 2")
    scn = params.load(path, forecast__as_of="2027-05-20")
    assert scn.forecast.shocks[0].start == dt.date(2027, 7, 1)
    assert params.load(path, forecast__as_of="2026-12-06").forecast.shocks[0].start == dt.date(2027, 2, 1)
    later = past_dates(params.load(path, forecast__as_of="2030-01-01"), pd.Timestamp("2030-01-01"))
    assert [p.key for p in later if p.key.startswith("forecast")] == []  # never in the past


def test_a_shock_needs_a_start_or_months_after_the_run(tmp_path):
    with pytest.raises(params.ParameterFileError, match="start_months_after_run"):
        params.load(write(tmp_path, SHOCK % "kind: multiplier"))


def test_validate_with_as_of_warns_naming_the_key_of_a_past_shock(tmp_path, capsys):
    path = write(tmp_path, SHOCK % "start: 2025-10-01")
    assert cli.main(["validate", "--as-of", "2026-12-06", str(path)]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    assert f"WARN   {path}: forecast.shocks[0].start = 2025-10-01" in out
    assert "'wave'" in out and "before the run's month 2026-12" in out
    assert cli.main(["validate", "--as-of", "2025-09-15", str(path)]) == 0  # then still in the future
    assert "WARN" not in capsys.readouterr().out


def test_a_tpd_end_that_passed_is_the_regime_after_it_not_a_warning(tmp_path):
    in_force = params.load().backlog.tpd_end_date
    assert past_dates(params.load(), pd.Timestamp(in_force) + pd.DateOffset(months=3), in_force=in_force) == []


def test_a_tpd_end_and_places_in_the_past_are_named(tmp_path):
    path = write(
        tmp_path,
        "backlog:\n  tpd_end_date: 2026-03-04\nshelter:\n  places_changes:\n    - {month: 2026-01-01, change: 100}\n",
    )
    keys = [p.key for p in past_dates(params.load(path), pd.Timestamp("2026-12-06"))]
    assert keys == ["backlog.tpd_end_date", "shelter.places_changes[0].month"]


@pytest.mark.parametrize("path", params.scenario_files(), ids=lambda p: p.stem)
def test_no_shipped_scenario_has_a_date_before_the_run(path):
    assert params.date_warnings(path, as_of=RELEASE_AS_OF) == []


@pytest.mark.parametrize("path", params.scenario_files(), ids=lambda p: p.stem)
def test_every_shipped_scenario_has_a_weight_or_the_stress_test_mark(path):
    meta = params.load(path).meta
    assert (meta.weight is not None) != meta.stress_test, path.name
    assert meta.weight_rationale.strip(), f"{path.name}: say why (or why not weighted)"


def test_shipped_weights_sum_to_one_and_the_plan_futures_are_weighted():
    table = params.scenario_weights(params.scenario_files())
    assert table.attrs["weight_sum"] == pytest.approx(1.0)
    weighted = set(table.loc[table["weight"] > 0, "scenario"])
    assert {"baseline", "tpd_extended_2028", "plan_delayed", "ceasefire", "ceasefire_tpd_ends_early"} <= weighted
    assert "baseline_nl" not in weighted  # the Dutch edition must not count the baseline twice


def test_a_weight_is_not_inherited_through_extends(tmp_path):
    scn = params.load(write(tmp_path, "meta:\n  title: mine\n"))
    assert params.load().meta.weight is not None and scn.meta.weight is None and not scn.meta.stress_test


def test_a_stress_test_with_a_weight_fails(tmp_path):
    with pytest.raises(params.ParameterFileError, match="stress test is not weighted"):
        params.load(write(tmp_path, "meta:\n  stress_test: true\n  weight: 0.2\n  weight_rationale: x\n"))
    with pytest.raises(params.ParameterFileError, match="weight_rationale"):
        params.load(write(tmp_path, "meta:\n  weight: 0.2\n"))


# ----------------------------------------------------------------------------- the mixture


def quantile_table(dist, dates, variable="registered") -> pd.DataFrame:
    q = dist.ppf(QUANTILES)
    return pd.DataFrame(
        [
            {"date": d, "variable": variable, "mean": dist.mean(), **dict(zip(QUANTILE_COLUMNS, q, strict=True))}
            for d in dates
        ]
    )


DATES = pd.date_range("2027-01-01", periods=3, freq="MS")


@pytest.mark.parametrize("seed", range(20))
def test_mixture_quantiles_lie_between_the_scenarios_extremes(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    dists = [stats.lognorm(s=rng.uniform(0.05, 1.0), scale=rng.uniform(1e3, 2e5)) for _ in range(n)]
    tables = {f"s{i}": quantile_table(d, DATES) for i, d in enumerate(dists)}
    weights = dict(zip(tables, rng.dirichlet(np.ones(n)), strict=True))
    mixed = mixture.mixture_table(tables, weights)
    q = np.stack([t[list(QUANTILE_COLUMNS)].to_numpy() for t in tables.values()])
    got = mixed[list(QUANTILE_COLUMNS)].to_numpy()
    assert (got >= q.min(axis=0) - 1e-6).all() and (got <= q.max(axis=0) + 1e-6).all()
    assert (np.diff(got, axis=1) >= 0).all()


def test_mixture_of_two_scenarios_matches_a_pooled_sample():
    a, b = stats.norm(100_000, 5_000), stats.norm(150_000, 10_000)
    mixed = mixture.mixture_table(
        {"a": quantile_table(a, DATES[:1]), "b": quantile_table(b, DATES[:1])}, {"a": 0.7, "b": 0.3}
    )
    rng = np.random.default_rng(3)
    pooled = np.concatenate([a.rvs(700_000, random_state=rng), b.rvs(300_000, random_state=rng)])
    expected = np.quantile(pooled, QUANTILES)
    np.testing.assert_allclose(mixed[list(QUANTILE_COLUMNS)].to_numpy()[0], expected, rtol=0.01)
    assert mixed["mean"].iloc[0] == pytest.approx(0.7 * 100_000 + 0.3 * 150_000)


def test_mixture_leaves_out_stress_tests_and_months_a_scenario_lacks():
    a = quantile_table(stats.norm(10, 1), DATES)
    b = quantile_table(stats.norm(20, 1), DATES[1:])
    stress = quantile_table(stats.norm(1e6, 1), DATES)
    mixed = mixture.mixture_table({"a": a, "b": b, "stress": stress}, {"a": 1.0, "b": 3.0, "stress": None})
    assert list(mixed["date"]) == list(DATES[1:])
    assert mixed.attrs["weights"] == {"a": 0.25, "b": 0.75}
    assert mixed["q0.975"].max() < 100


def test_a_quantity_that_starts_later_counts_as_zero_before_its_start_when_asked():
    early = quantile_table(stats.norm(100, 10), DATES, "pending")
    late = quantile_table(stats.norm(100, 10), DATES[2:], "pending")
    mixed = mixture.mixture_table({"a": early, "b": late}, {"a": 0.5, "b": 0.5}, zero_before_start=True)
    assert list(mixed["date"]) == list(DATES)
    first = mixed.iloc[0]
    assert first["mean"] == pytest.approx(50) and first["q0.25"] == 0 and first["q0.75"] > 90
    assert mixed.iloc[2]["q0.50"] == pytest.approx(100, abs=0.01)


def test_capacity_over_the_mixture_is_the_highest_monthly_p90():
    tables = {"a": quantile_table(stats.norm(100, 10), DATES), "b": quantile_table(stats.norm(300, 10), DATES)}
    mixed = mixture.mixture_table(tables, {"a": 0.5, "b": 0.5})
    cap = mixture.capacity_over_mixture(mixed, "registered")
    assert 300 < cap["capacity"] < 300 + 10 * stats.norm.ppf(0.9)  # 90 % of the mixture: inside b's upper tail
    assert cap["capacity"] == pytest.approx(mixed["q0.90"].max())


def test_expected_penalties_weight_the_scenarios_means():
    t = {n: quantile_table(stats.norm(m, 1), DATES, "penalty_eur") for n, m in (("a", 10.0), ("b", 40.0))}
    got = mixture.expected_total(t, {"a": 0.5, "b": 0.5}, "penalty_eur")
    assert got == {"a": 30.0, "b": 120.0, "weighted": 75.0}


def test_index_shows_the_weighted_view_and_writes_its_tables(tmp_path):
    from capacity.runner.index import weighted_view
    from capacity.runner.plan import ScenarioSpec

    specs = []
    for name, mean, weight in (("a", 100_000, "0.6"), ("b", 140_000, "0.4"), ("c", 1e6, None)):
        meta = (
            f"meta:\n  weight: {weight}\n  weight_rationale: test\n"
            if weight
            else "meta:\n  stress_test: true\n  weight_rationale: test\n"
        )
        path = write(tmp_path, meta, f"{name}.yaml")
        (tmp_path / "run" / name / "tables").mkdir(parents=True)
        quantile_table(stats.norm(mean, 5_000), DATES).to_csv(
            tmp_path / "run" / name / "tables" / "population_forecast.csv", index=False
        )
        pd.DataFrame({"level": ["places at the last count"], "cost_total_eur": [mean * 10]}).to_csv(
            tmp_path / "run" / name / "tables" / "shelter_costs.csv", index=False
        )
        specs.append(ScenarioSpec(name, path, name.upper(), "en", 1))
    view = weighted_view(tmp_path / "run", specs)
    assert view is not None and len(view["charts"]) == 1 and view["left_out"] == ["C"]
    written = pd.read_csv(tmp_path / "run" / "tables" / "weighted_forecast.csv")
    assert written["q0.975"].max() < 200_000  # the stress test is not in the mixture
    summary = pd.read_csv(tmp_path / "run" / "tables" / "weighted_summary.csv").set_index("quantity")
    assert summary.loc["weight_a", "value"] == pytest.approx(0.6)
    assert 100_000 < summary.loc["capacity_p90_registered", "value"] < 160_000
    assert summary.loc["expected_shelter_cost_eur", "value"] == pytest.approx(10 * (0.6 * 100_000 + 0.4 * 140_000))
