"""``capacity data update`` on recorded Eurostat (SDMX-ML) and CBS (OData JSON) responses; never the network.

The recorded responses are in ``tests/data/recorded/`` (``index.json`` maps each request to
its file; see the README there). Every test replays them; a request without a recorded
response fails the test, and ``requests`` itself is disabled in this module.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from capacity import cli, data, project
from capacity.data import update as updating
from capacity.data.fetch import FetchError, Unreachable, request_url

pytestmark = pytest.mark.unit

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"
NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
SHIPPED = data.shipped_dir()
EUROSTAT = "eurostat_tp_nl_monthly"


class Replay:
    """A transport that answers from the recorded responses and remembers the requests."""

    def __init__(self, broken: Mapping[str, bytes] | None = None, unreachable: str | None = None) -> None:
        self.index = json.loads((RECORDED / "index.json").read_text(encoding="utf-8"))
        self.broken, self.unreachable, self.requests = dict(broken or {}), unreachable, []

    def __call__(self, url: str, params: Mapping[str, str] | None) -> bytes:
        full = request_url(url, params)
        self.requests.append(full)
        if self.unreachable and full.startswith(self.unreachable):
            raise Unreachable(f"{full}: ConnectionError")
        if full in self.broken:
            return self.broken[full]
        assert full in self.index, f"no recorded response for {full}"
        return (RECORDED / self.index[full]).read_bytes()


def offline(url: str, params: Mapping[str, str] | None) -> bytes:
    raise ConnectionError(f"{request_url(url, params)}: name resolution failed")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to go online")

    monkeypatch.setattr(requests.Session, "send", refuse)
    monkeypatch.setattr(requests, "get", refuse)


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A planner's project folder (``capacity init``), the current project."""
    root = tmp_path / "proj"
    project.init_project(root)
    monkeypatch.setenv(project.ENV_VAR, str(root))
    return root


def _truncated_eurostat(folder: Path, months: int = 3) -> Path:
    """Write a copy of the shipped Eurostat table without its last ``months`` months."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = (SHIPPED / f"{EUROSTAT}.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = folder / f"{EUROSTAT}.csv"
    path.write_text("".join(lines[: len(lines) - months]), encoding="utf-8")
    return path


def test_update_adds_the_new_months_in_the_shipped_format_and_says_what_is_new(proj: Path) -> None:
    dest = proj / "data"
    _truncated_eurostat(dest)
    replay = Replay()
    result = updating.update(dest, fetch=replay, now=NOW)
    assert not result.failed and not result.offline, result.lines
    assert result.lines[0] == ("eurostat_tp_nl_monthly.csv: 3 new rows (2024-06, 2024-07, 2024-08)")
    written = pd.read_csv(dest / f"{EUROSTAT}.csv", dtype=str, keep_default_na=False)
    shipped = pd.read_csv(SHIPPED / f"{EUROSTAT}.csv", dtype=str, keep_default_na=False)
    assert list(written.columns) == list(shipped.columns)  # the format of the shipped table
    assert written["date"].tolist() == shipped["date"].tolist()
    cols = ["date", "geo", "tp_beneficiaries_stock_end_month", "tp_grants_in_month"]
    pd.testing.assert_frame_equal(written[cols], shipped[cols])  # Eurostat's own values, rounded to 5
    new = written.tail(3)
    assert new["source"].str.contains("migr_asytpsm").all() and new["source"].str.contains("2026-06-01").all()
    assert (new["asylum_pending_excl_ukr"] == "").all()  # not fetched, so left empty
    assert data.read_csv(EUROSTAT, dest / f"{EUROSTAT}.csv", today="2026-06-01")["tp_grants_in_month"].iloc[-1] == 2670


def test_the_sources_file_names_origin_requests_time_and_sha256_of_every_file(proj: Path) -> None:
    dest = proj / "data"
    _truncated_eurostat(dest)
    result = updating.update(dest, fetch=Replay(), now=NOW)
    record = json.loads((dest / updating.SOURCES).read_text(encoding="utf-8"))
    assert set(record["files"]) == {f"{name}.csv" for name in data.SPECS}  # a complete data folder
    for name, entry in record["files"].items():
        assert entry["sha256"] == hashlib.sha256((dest / name).read_bytes()).hexdigest(), name
    euro = record["files"][f"{EUROSTAT}.csv"]
    assert euro["origin"] == "fetched" and euro["fetched"] == "2026-06-01T09:30:00+00:00"
    assert euro["requests"] == [
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/datastructure/ESTAT/MIGR_ASYTPSM",
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/MIGR_ASYTPSM/M.PER.TOTAL.T.TOTAL.NL"
        "?startPeriod=2022-03",
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/datastructure/ESTAT/MIGR_ASYTPFM",
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/MIGR_ASYTPFM/M.PER.TOTAL.T.TOTAL.NL"
        "?startPeriod=2022-03",
    ]
    assert record["files"]["municipalities.csv"]["origin"] == "package"
    assert record["checked"] == {"eurostat": "2026-06-01T09:30:00+00:00", "cbs": "2026-06-01T09:30:00+00:00"}
    assert any(
        line.startswith("copied 8 shipped file(s) into data/, so that it is a complete data folder: ")
        for line in result.lines
    )


def test_cbs_tables_found_in_the_catalogue_become_national_counts_in_the_cbs_facts(proj: Path) -> None:
    dest = proj / "data"
    replay = Replay()
    result = updating.update(dest, fetch=replay, now=NOW, sources=["cbs"])
    assert result.lines[0] == (
        "ukraine_registrations_cbs.csv: 3 new rows (cbs_99001NED_WoonachtigInNederland_3 2022-10, "
        "cbs_99001NED_IngeschrevenSinds24Februari2022_1 2022-12, cbs_99001NED_VertrokkenSinds24Februari2022_2 "
        "2022-12)"
    )
    facts = data.read_csv("ukraine_registrations_cbs", dest / "ukraine_registrations_cbs.csv", today="2026-06-01")
    cbs = facts[facts["metric"].str.startswith("cbs_")].set_index("metric")
    assert cbs["value"].to_dict() == {
        "cbs_99001NED_WoonachtigInNederland_3": "82000",
        "cbs_99001NED_IngeschrevenSinds24Februari2022_1": "105000",
        "cbs_99001NED_VertrokkenSinds24Februari2022_2": "16700",
    }
    assert (cbs["unit"] == "persons").all() and cbs["source"].str.contains("99001NED").all()
    assert "AandeelMetBaan_4" not in " ".join(facts["metric"])  # a percentage, not a count
    assert not any("99002NED" in r for r in replay.requests)  # trade with Ukraine: not about people
    assert any("$skip=1" in r for r in replay.requests)  # the second page of the data set was read
    shipped = pd.read_csv(SHIPPED / "ukraine_registrations_cbs.csv", dtype=str, keep_default_na=False)
    kept = pd.read_csv(dest / "ukraine_registrations_cbs.csv", dtype=str, keep_default_na=False).head(len(shipped))
    pd.testing.assert_frame_equal(kept, shipped)  # the published facts stay as they were


def test_a_pinned_cbs_table_is_read_without_asking_the_catalogue(proj: Path) -> None:
    replay = Replay()
    updating.update(proj / "data", fetch=replay, now=NOW, sources=["cbs"], cbs_tables=["99001NED"])
    assert not any("ODataCatalog" in r for r in replay.requests)
    assert any(r.endswith("99001NED/TableInfos?$format=json") for r in replay.requests)


def test_a_second_update_with_nothing_new_writes_nothing(proj: Path) -> None:
    dest = proj / "data"
    updating.update(dest, fetch=Replay(), now=NOW)
    before = {p.name: p.read_bytes() for p in dest.glob("*.csv")}
    result = updating.update(dest, fetch=Replay(), now=NOW)
    assert result.lines == ["eurostat_tp_nl_monthly.csv: nothing new", "ukraine_registrations_cbs.csv: nothing new"]
    assert result.written == [] and {p.name: p.read_bytes() for p in dest.glob("*.csv")} == before


def test_a_revised_value_replaces_the_old_one_and_the_row_says_what_it_was(proj: Path) -> None:
    dest = proj / "data"
    path = _truncated_eurostat(dest, months=0)
    text = path.read_text(encoding="utf-8")
    assert "2024-05,NL,113295," in text
    path.write_text(text.replace("2024-05,NL,113295,", "2024-05,NL,113000,"), encoding="utf-8")
    result = updating.update(dest, fetch=Replay(), now=NOW, sources=["eurostat"])
    assert result.lines[0] == (
        "eurostat_tp_nl_monthly.csv: 1 revised value (2024-05 tp_beneficiaries_stock_end_month 113,000 -> 113,295)"
    )
    table = data.read_csv(EUROSTAT, path, today="2026-06-01").set_index("date")
    assert table.loc["2024-05", "tp_beneficiaries_stock_end_month"] == 113_295
    assert "fetched 2026-06-01" in table.loc["2024-05", "source"]
    assert "113,000 -> 113,295" in table.loc["2024-05", "note"]
    # The rows that said "same as first row" still mean the first row's (unchanged) source.
    assert table.loc["2024-04", "source"] == "same as first row"


def test_revising_the_first_row_keeps_the_meaning_of_same_as_first_row() -> None:
    current = pd.DataFrame(
        {
            "date": ["2022-03", "2022-04"],
            "geo": ["NL", "NL"],
            "n": [1.0, 2.0],
            "source": ["Eurostat via a repository", "same as first row"],
            "note": ["", ""],
        }
    )
    fetched = pd.DataFrame({"date": ["2022-03"], "geo": ["NL"], "n": [5.0]})
    table, added, changed = updating.merge(current, fetched, ("date", "geo"), source="Eurostat API")
    assert added == [] and changed == ["2022-03 NL n 1 -> 5"]
    assert table["source"].tolist() == ["Eurostat API", "Eurostat via a repository"]


def test_offline_it_says_so_in_one_line_and_changes_nothing(proj: Path) -> None:
    dest = proj / "data"
    result = updating.update(dest, fetch=offline, now=NOW)
    assert result.offline and result.lines == [updating.OFFLINE] and not result.written
    assert not dest.exists()


def test_a_source_unreachable_after_the_first_answer_fails_alone(proj: Path) -> None:
    dest = proj / "data"
    _truncated_eurostat(dest)
    result = updating.update(dest, fetch=Replay(unreachable="https://opendata.cbs.nl"), now=NOW)
    assert result.failed == ["cbs"] and not result.offline
    assert any(line.startswith("cbs: failed: https://opendata.cbs.nl/ODataCatalog/Tables") for line in result.lines)
    assert "3 new rows" in result.lines[0]  # Eurostat's months are written all the same
    assert not (dest / "ukraine_registrations_cbs.csv").read_text(encoding="utf-8").count("cbs_")


def test_a_changed_eurostat_structure_fails_in_one_line_and_writes_nothing_of_it(proj: Path) -> None:
    structure = (RECORDED / "eurostat" / "migr_asytpsm-structure.xml").read_text(encoding="utf-8")
    renamed = structure.replace("citizen", "citizenship").encode("utf-8")
    url = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/datastructure/ESTAT/MIGR_ASYTPSM"
    dest = proj / "data"
    _truncated_eurostat(dest)
    before = (dest / f"{EUROSTAT}.csv").read_bytes()
    result = updating.update(dest, fetch=Replay(broken={url: renamed}), now=NOW, sources=["eurostat"])
    assert result.failed == ["eurostat"]
    (line,) = [x for x in result.lines if x.startswith("eurostat")]
    assert "no dimension citizen" in line and "\n" not in line
    assert (dest / f"{EUROSTAT}.csv").read_bytes() == before


def test_an_answer_that_is_not_sdmx_is_a_fetch_error() -> None:
    url = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/datastructure/ESTAT/MIGR_ASYTPSM"
    with pytest.raises(FetchError, match="not an SDMX structure message"):
        data.eurostat.monthly("MIGR_ASYTPSM", Replay(broken={url: b"<html>Service unavailable</html>"}), [])


def test_fetched_figures_that_fail_the_data_checks_are_not_written(proj: Path) -> None:
    url = (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/MIGR_ASYTPFM/M.PER.TOTAL.T.TOTAL.NL"
        "?startPeriod=2022-03"
    )
    body = (RECORDED / "eurostat" / "migr_asytpfm-NL.xml").read_text(encoding="utf-8")
    dest = proj / "data"
    _truncated_eurostat(dest)
    before = (dest / f"{EUROSTAT}.csv").read_bytes()
    bad = body.replace('TIME_PERIOD="2024-08" OBS_VALUE="2670"', 'TIME_PERIOD="2024-08" OBS_VALUE="267000"')
    result = updating.update(dest, fetch=Replay(broken={url: bad.encode("utf-8")}), now=NOW, sources=["eurostat"])
    assert result.failed == ["eurostat"]
    assert "fail the data checks" in result.lines[0] and "times off" in result.lines[0]
    assert (dest / f"{EUROSTAT}.csv").read_bytes() == before
    assert not list(dest.glob(".*.update"))


def test_the_cli_updates_the_projects_data_folder_and_says_what_is_new(
    proj: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _truncated_eurostat(proj / "data")
    monkeypatch.setattr(data.fetch, "http_fetch", Replay())
    assert cli.main(["data", "update", "--source", "eurostat"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "eurostat_tp_nl_monthly.csv: 3 new rows (2024-06, 2024-07, 2024-08)"
    assert out[-1] == (
        "a run reads these files when its scenario sets data.data_dir: data (params/baseline.yaml does not yet)"
    )


def test_the_cli_offline_prints_one_line_and_exits_0(
    proj: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(data.fetch, "http_fetch", offline)
    assert cli.main(["data", "update"]) == 0
    captured = capsys.readouterr()
    assert captured.out == updating.OFFLINE + "\n" and captured.err == ""
    assert not (proj / "data").exists()


def test_the_cli_exits_1_when_a_source_fails(
    proj: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(data.fetch, "http_fetch", Replay(unreachable="https://opendata.cbs.nl"))
    assert cli.main(["data", "update"]) == 1
    assert "cbs: failed:" in capsys.readouterr().out


def test_the_cli_refuses_to_write_into_the_packaged_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(data.fetch, "http_fetch", Replay())
    assert cli.main(["data", "update"]) == 2
    assert "capacity init DIR" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_the_recorded_responses_hold_the_shipped_eurostat_values() -> None:
    """The recordings are hand-made from the shipped figures: they must agree with them exactly."""
    shipped = data.read_csv(EUROSTAT, SHIPPED / f"{EUROSTAT}.csv").set_index("date")
    for column, dataset in data.eurostat.DATASETS.items():
        series = data.eurostat.monthly(dataset, Replay(), [])
        assert series.to_dict() == shipped[column].astype(float).to_dict(), column


def test_recorded_files_are_all_used() -> None:
    index = json.loads((RECORDED / "index.json").read_text(encoding="utf-8"))
    files = {p.relative_to(RECORDED).as_posix() for p in RECORDED.rglob("*") if p.is_file()}
    assert files - set(index.values()) == {"index.json", "README.md"}


@pytest.fixture(autouse=True)
def _keep_shipped_intact() -> None:
    """No update may write into the package's own data files."""
    before = {p.name: p.read_bytes() for p in SHIPPED.glob("*.csv")}
    yield
    assert {p.name: p.read_bytes() for p in SHIPPED.glob("*.csv")} == before


def test_unedited_copies_follow_a_newer_package_and_edited_ones_are_kept(proj: Path) -> None:
    dest = proj / "data"
    updating.update(dest, fetch=Replay(), now=NOW, sources=["eurostat"])
    record = json.loads((dest / updating.SOURCES).read_text(encoding="utf-8"))
    # municipalities.csv as an older package shipped it, never edited here; policy_timeline.csv edited here.
    (dest / "municipalities.csv").write_bytes(b"an older release\n")
    record["files"]["municipalities.csv"]["sha256"] = hashlib.sha256(b"an older release\n").hexdigest()
    (dest / updating.SOURCES).write_text(json.dumps(record), encoding="utf-8")
    (dest / "policy_timeline.csv").write_bytes(b"the planner's own timeline\n")
    result = updating.update(dest, fetch=Replay(), now=NOW, sources=["eurostat"])
    assert result.lines[-1] == (
        "refreshed 1 shipped file(s) that were never edited here: the package has newer ones: municipalities.csv"
    )
    assert (dest / "municipalities.csv").read_bytes() == (SHIPPED / "municipalities.csv").read_bytes()
    assert (dest / "policy_timeline.csv").read_bytes() == b"the planner's own timeline\n"
