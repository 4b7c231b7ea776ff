"""The historical replay of the regular queue against the published 2023-2025 figures."""

from __future__ import annotations

import numpy as np
import pytest

from capacity import data, params
from capacity.backlog import replay

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def figures():
    return data.load_table("ind_asylum_figures")


@pytest.fixture(scope="module")
def table(figures):
    return replay.validation_table(figures, params.load().backlog, rng=np.random.default_rng(0))


def test_published_figures_and_derived_decisions(figures):
    pub = replay.published(figures)
    assert pub.stock_start == 35_790 and pub.stock_end == {2023: 50_000, 2024: 51_000, 2025: 51_000}
    assert pub.penalties == {2023: 11.3e6, 2024: 36.8e6, 2025: 79e6}
    assert pub.decisions == {2023: 23_790, 2024: 31_180, 2025: 24_070}  # start + inflow - end


def test_replay_without_noise_conserves_persons(figures):
    pub = replay.published(figures)
    out = replay.run_replay(
        pub, params.load().backlog, notice_share=np.array([0.5, 1.0]), lag_days=0.0, age_max=np.array([14.0, 14.0])
    )
    assert out["backlog_end"][0] == pytest.approx([50_000, 51_000, 51_000])
    assert out["decisions"][0] == pytest.approx([23_790, 31_180, 24_070])
    # penalties are proportional to the notice share
    assert out["penalty_eur"][0] == pytest.approx(0.5 * out["penalty_eur"][1])
    # the term falls from 15 to 6 months in 2025: penalties jump
    assert out["penalty_eur"][1, 2] > 1.3 * out["penalty_eur"][1, 1]


def test_validation_table_brackets_the_calibration_years(table):
    assert list(table.columns[:6]) == ["year", "quantity", "observed", "sim_p10", "sim_median", "sim_p90"]
    # notices of default: 2023 and 2024 published, 2025 not (no row rather than nan)
    assert set(table["year"]) == {2023, 2024, 2025} and len(table) == 11
    pen = table[table["quantity"] == "penalty_eur"].set_index("year")
    for year in (2023, 2024):
        assert pen.loc[year, "sim_p10"] <= pen.loc[year, "observed"] <= pen.loc[year, "sim_p90"]
    assert pen.loc[2025, "sample"] == "out of sample"
    assert np.isfinite(table.select_dtypes("number").to_numpy(dtype=float)).all()
    assert (table["sim_p10"] <= table["sim_median"]).all()
    assert (table["sim_median"] <= table["sim_p90"]).all()


def test_notices_fitted_on_2023_predict_2024_out_of_sample(table):
    notices = table[table["quantity"] == "notices_of_default"].set_index("year")
    assert notices.loc[2023, "sample"] == "calibration"
    assert notices.loc[2024, "sample"] == "out of sample"
    assert notices.loc[2024, "observed"] == 30_000
    # a genuine prediction: within 30 % of the published figure, inside the 80 % band
    assert abs(notices.loc[2024, "miss_median"]) < 0.3
    assert notices.loc[2024, "sim_p10"] <= 30_000 <= notices.loc[2024, "sim_p90"]
    assert table[table["quantity"] == "penalty_eur"].set_index("year").loc[2024, "sample"] == "out of sample"


def test_replay_notices_scale_with_the_notice_share(figures):
    pub = replay.published(figures)
    out = replay.run_replay(
        pub, params.load().backlog, notice_share=np.array([0.5, 1.0]), lag_days=0.0, age_max=np.array([14.0, 14.0])
    )
    assert out["notices"][0] == pytest.approx(0.5 * out["notices"][1])
    assert pub.notices == {2022: 19_830, 2023: 28_670, 2024: 30_000}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_validation_chart_and_text(table, language):
    from capacity.report import backlog_evidence as rb

    assert len(rb.validation_chart(table, language=language).data) == 4
    text = str(rb.validation_text(table, language=language))
    assert "2025" in text and "nan" not in text and "inf" not in text
    # the forecast uses the fit, at its bounds; the earlier values and their effect
    higher = "hoger" if language == "nl" else "higher"
    assert f"70{'' if language == 'nl' else ' '}%" in text and higher in text
    assert ("grenzen" if language == "nl" else "bounds") in text
    million = "miljoen" if language == "nl" else "million"
    assert text.count(million) >= 10


def test_notice_effect_runs_the_forecast_against_the_earlier_notice_values_on_the_same_paths():
    from capacity.params.base import Distribution

    cfg = params.load().backlog.model_copy(update={"n_months": 24})
    same = replay.with_changes(cfg, **replay.PREVIOUS_NOTICES)
    out = replay.notice_effect(same, rng=np.random.default_rng(3), n_paths=20)
    assert out["penalty_eur_previous_notices"] == pytest.approx(out["penalty_eur_forecast_notices"])
    # at the same lag penalties scale with the share: 1.0 fixed against 0.7 fixed
    earlier = {**replay.PREVIOUS_NOTICES, "notice_share": Distribution(value=0.7)}
    fixed = replay.with_changes(cfg, notice_share=Distribution(value=1.0), notice_lag_days=7.0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(replay, "PREVIOUS_NOTICES", earlier)
        ratio = replay.notice_effect(fixed, rng=np.random.default_rng(3), n_paths=20)
    assert ratio["penalty_eur_forecast_notices"] == pytest.approx(ratio["penalty_eur_previous_notices"] / 0.7)
    assert ratio["penalty_eur_previous_notices"] > 0


def test_the_forecast_takes_the_replays_fit(table):
    """params/baseline.yaml holds the replay's fitted notice share and lag (issue 28)."""
    row = table.iloc[0]
    cfg = params.load().backlog
    assert row["forecast_notice_share"] == pytest.approx(cfg.notice_share.central)
    fit = replay.calibrate(replay.published(data.load_table("ind_asylum_figures")), cfg).iloc[0]
    assert row["calibrated_notice_share"] == pytest.approx(fit["notice_share"])
    assert cfg.notice_share.central == pytest.approx(fit["notice_share"])
    assert cfg.notice_lag_days == pytest.approx(fit["lag_days"])
    assert (row["previous_notice_share"], row["previous_notice_lag_days"]) == (pytest.approx(0.7), 7.0)
    for col in (
        "penalty_eur_forecast_notices",
        "penalty_eur_previous_notices",
        "penalty_eur_3y_forecast_notices",
        "penalty_eur_3y_previous_notices",
    ):
        assert table[col].nunique() == 1 and table[col].iloc[0] > 0, col
    # the fit's higher share and shorter lag run up more than the earlier values
    assert row["penalty_eur_forecast_notices"] > row["penalty_eur_previous_notices"]
