"""Open a run's reports in headless Chromium, offline: no console errors, charts drawn.

Drives Chromium over the DevTools protocol (websocket-client, a Jupyter dependency).
Network access is cut off (every host name resolves to nothing), so a report that still
pulls a script from a CDN fails here.

Chromium 111 and later refuse DevTools websockets that send an ``Origin`` header unless
started with ``--remote-allow-origins``; the client sends none (``suppress_origin``) and
Chromium is started with the flag too, so old and new versions both accept it. Under CI
(``CI`` set) a missing Chromium fails the run instead of skipping the browser check.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from capacity import runner
from capacity.runner import Notebook

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "notebooks"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(
            f"CI is set but {CHROMIUM} is not installed: .ci/run must install the "
            "Debian package chromium, the browser check may not be skipped in CI",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)", allow_module_level=True)
websocket = pytest.importorskip("websocket", reason="websocket-client is needed to drive Chromium")

CHARTS_JS = """(() => {
  const divs = Array.from(document.querySelectorAll('.plotly-graph-div'));
  return JSON.stringify({
    plotly: typeof window.Plotly,
    charts: divs.length,
    drawn: divs.filter(d => d.data && d.data.length > 0 && d.querySelector('svg.main-svg')
                      && d.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length > 0).length,
    labelled: divs.filter(d => { const f = d.closest('[role=img]');
                                 return f && (f.getAttribute('aria-label') || '').length > 10; }).length,
    xticks: divs.length ? Array.from(divs[0].querySelectorAll('.xtick text')).map(t => t.textContent) : [],
    pwned: typeof window.__pwned !== 'undefined',
    warning: (() => {  // the early-warning note as a reader sees it (null when the page has none)
      const v = document.getElementById('capacity-vintage');
      if (!v) return null;
      const r = v.getBoundingClientRect();
      return {text: v.innerText, visible: r.width > 0 && r.height > 0 && getComputedStyle(v).visibility !== 'hidden',
              top: Math.round(r.top + window.scrollY)};
    })(),
    title: document.title,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: (() => {  // the outermost elements past the right edge that no scroll box holds
      const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
      const over = Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e));
      const set = new Set(over);
      return over.filter(e => !set.has(e.parentElement)).slice(0, 5)
        .map(e => `${e.tagName}.${e.getAttribute('class') || ''} in ${e.parentElement.tagName}.`
                  + `${e.parentElement.getAttribute('class') || ''}: ${Math.round(e.getBoundingClientRect().right)} px`);
    })(),
  });
})()"""


class DevTools:
    """A minimal DevTools-protocol client over one browser websocket (flat sessions)."""

    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        msg_id = next(self.ids)
        message = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e.get("method") == method for e in self.events):
                return
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(method)

    def open(self, url: str, width: int | None = None) -> tuple[dict, list[str]]:
        """Load ``url`` in a fresh tab (``width`` CSS pixels wide, as a phone, if given);
        return the chart and layout summary and every problem seen."""
        self.events.clear()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable", session=session)
        if width is not None:
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired")
        time.sleep(1.0)  # let Plotly finish drawing
        value = self.send("Runtime.evaluate", {"expression": CHARTS_JS, "returnByValue": True}, session=session)[
            "result"
        ]["value"]
        problems = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                problems.append(
                    f"exception: {params['exceptionDetails'].get('text')} "
                    f"{params['exceptionDetails'].get('exception', {}).get('description', '')}"
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                problems.append(f"console.error: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                problems.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                req_url = params["request"]["url"]
                if not req_url.startswith(("file:", "data:", "about:")):
                    problems.append(f"network request: {req_url}")
            elif method == "Network.loadingFailed":
                problems.append(f"failed to load: {params.get('errorText')}")
        self.send("Target.closeTarget", {"targetId": target})
        return json.loads(value), problems

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    registry = [
        Notebook("ok", path=FIXTURES / "ok.ipynb"),
        Notebook("figure", path=FIXTURES / "figure.ipynb"),
        Notebook("municipality", per="municipality", path=FIXTURES / "municipality.ipynb"),
    ]
    result = runner.run(
        None,
        registry=registry,
        municipalities=["GM0363"],
        jobs=2,
        prepare=False,
        progress=False,
        reports_dir=tmp_path_factory.mktemp("reports"),
    )
    assert result.ok, result.failed
    return result.run_dir


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, chromium_version: str):
    version = chromium_version
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--allow-file-access-from-files",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--remote-allow-origins=*",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ws_url = None
    deadline = time.monotonic() + 30
    while ws_url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            ws_url = match.group(1)
        elif not line and proc.poll() is not None:
            break
    if ws_url is None:
        proc.kill()
        pytest.fail(f"{version} did not start its DevTools endpoint")
    client = DevTools(ws_url)
    yield client
    client.close()
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize(
    "page, charts",
    [
        ("baseline/ok.html", 1),
        ("baseline/figure.html", 1),
        ("baseline/municipalities/GM0363.html", 1),
    ],
)
def test_report_renders_offline_with_charts(browser: DevTools, run_dir: Path, page: str, charts: int) -> None:
    summary, problems = browser.open((run_dir / page).as_uri())
    assert problems == []
    assert summary["plotly"] == "object"
    assert summary["charts"] >= charts and summary["drawn"] == summary["charts"], summary


def test_index_renders_offline(browser: DevTools, run_dir: Path) -> None:
    summary, problems = browser.open((run_dir / "index.html").as_uri())
    assert problems == []
    assert "ok" in summary["title"]


@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "baseline/01_data.html",
        "baseline/02_arrivals_departures.html",
        "baseline/03_shelter.html",
        "baseline/04_tpd_backlog.html",
        "baseline/municipalities/GM0363.html",
    ],
)
def test_real_reports_render_offline(browser: DevTools, suite_run, page: str) -> None:
    assert suite_run.status == "ok"
    summary, problems = browser.open((suite_run.run_dir / page).as_uri())
    assert problems == []
    if page != "index.html":
        assert summary["plotly"] == "object"
        assert summary["charts"] >= 1 and summary["drawn"] == summary["charts"], summary
        assert summary["labelled"] == summary["charts"], "a chart without a text alternative"


PHONE_PAGES = [
    f"{scenario}/{name}.html"
    for scenario in ("baseline", "baseline_nl")
    for name in ("01_data", "02_arrivals_departures", "03_shelter", "04_tpd_backlog")
]


@pytest.mark.parametrize("page", [*PHONE_PAGES, "baseline/municipalities/GM0363.html", "index.html"])
def test_reports_do_not_scroll_sideways_at_phone_width(browser: DevTools, suite_run, page: str) -> None:
    """At 390 px the page itself never scrolls sideways; a wide table scrolls in its own box.

    The run index too: its report matrix, scenario, comparison and timing tables each scroll
    in their own box.
    """
    summary, problems = browser.open((suite_run.run_dir / page).as_uri(), width=390)
    assert problems == []
    assert summary["innerWidth"] == 390, summary["innerWidth"]
    assert summary["scrollWidth"] <= summary["innerWidth"] + 1, summary["wide"]


#: The early-warning statuses in Dutch, as a municipal page prints them (vintages.banner).
DUTCH_STATUSES = ("ROOD", "ORANJE", "GROEN", "NIET BEOORDEELD", "VEROUDERDE GEGEVENS")


@pytest.mark.parametrize("code", ["GM0363", "GM0088"])
def test_a_municipal_page_shows_the_early_warning_in_dutch(browser: DevTools, suite_run, code: str) -> None:
    """A municipal officer sees the run's early-warning status, in Dutch words, near the top."""
    summary, problems = browser.open((suite_run.run_dir / f"baseline/municipalities/{code}.html").as_uri())
    assert problems == []
    warning = summary["warning"]
    assert warning is not None, "no early-warning note on the municipal page"
    assert warning["visible"], warning
    assert warning["text"].startswith("Vroegsignalering: "), warning["text"]
    assert any(status in warning["text"] for status in DUTCH_STATUSES), warning["text"]
    assert "Early warning" not in warning["text"] and "GREEN" not in warning["text"], warning["text"]
    assert warning["top"] < 600, "the warning is not on the first screen"


DUTCH_MONTHS = {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}


def test_dutch_charts_use_the_dutch_locale(browser: DevTools, suite_run) -> None:
    summary, problems = browser.open((suite_run.run_dir / "baseline/municipalities/GM0363.html").as_uri())
    assert problems == []
    words = {w for tick in summary["xticks"] for w in tick.split()}
    assert words & DUTCH_MONTHS, summary["xticks"]
    assert not words & {"Jan", "Mar", "May", "Oct", "Dec"}, summary["xticks"]


SCRIPT = "<script>window.__pwned = 1</script>"


def test_text_from_parameters_and_data_never_executes(browser: DevTools, tmp_path: Path) -> None:
    data_copy = tmp_path / f"shelter{SCRIPT.replace('/', '')}.csv"
    shutil.copyfile(Path(runner.__file__).resolve().parents[1] / "datasets" / "ukraine_shelter_nl.csv", data_copy)
    scenario = tmp_path / "evil.yaml"
    scenario.write_text(
        "meta:\n"
        f"  name: evil\n  title: 'Evil {SCRIPT}'\n"
        f"  description: 'Described <img src=x onerror=\"window.__pwned=1\">'\n"
        "data:\n"
        f"  files:\n    ukraine_shelter_nl: '{data_copy}'\n",
        encoding="utf-8",
    )
    registry = [Notebook("ok", path=FIXTURES / "ok.ipynb")]
    result = runner.run(
        [scenario], registry=registry, jobs=1, prepare=False, progress=False, reports_dir=tmp_path / "reports"
    )
    for page in sorted(result.run_dir.glob("**/*.html")):
        text = page.read_text(encoding="utf-8")
        assert SCRIPT not in text and "<img src=x" not in text, page
        summary, _ = browser.open(page.as_uri())
        assert not summary["pwned"], page


def test_reports_print_to_a4_pdf(run_dir: Path) -> None:
    from capacity.runner.pdf import print_pdfs

    pages = [run_dir / "baseline" / "figure.html", run_dir / "baseline" / "municipalities" / "GM0363.html"]
    pdfs = print_pdfs(pages, jobs=2)
    assert [p.name for p in pdfs] == ["figure.pdf", "GM0363.pdf"]
    for pdf in pdfs:
        head = pdf.read_bytes()
        assert head.startswith(b"%PDF") and re.search(rb"/MediaBox \[0 0 594\.9\d* 841\.9\d*\]", head), pdf  # A4


def test_a_municipality_name_with_markup_never_executes(browser: DevTools, tmp_path: Path) -> None:
    """The real municipal report, with a municipalities file whose GM0363 name carries script."""
    evil = f'Amsterdam{SCRIPT}<img src=x onerror="window.__pwned=1">'
    shipped = Path(runner.__file__).resolve().parents[1] / "datasets" / "municipalities.csv"
    lines = shipped.read_text(encoding="utf-8").splitlines()
    lines = [line.replace("GM0363,Amsterdam,", f'GM0363,"{evil.replace(chr(34), chr(34) * 2)}",') for line in lines]
    assert sum("__pwned" in line for line in lines) == 1
    (tmp_path / "municipalities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = tmp_path / "evil_name.yaml"
    scenario.write_text(  # few paths and two models: the names matter here, not the numbers
        "meta:\n  name: evil_name\n  title: Evil municipality name\n"
        f"data:\n  files:\n    municipalities: '{tmp_path / 'municipalities.csv'}'\n"
        "forecast:\n  n_paths: 50\n  models: [naive, drift]\n  ensemble_top_k: 2\n"
        "backlog:\n  n_paths: 50\n  solver_n_paths: 20\n",
        encoding="utf-8",
    )
    result = runner.run(
        [scenario],
        registry=[Notebook("05_municipality", per="municipality")],
        municipalities=["GM0363"],
        jobs=1,
        progress=False,
        reports_dir=tmp_path / "reports",
    )
    assert result.ok, result.failed
    page = result.run_dir / "evil_name" / "municipalities" / "GM0363.html"
    text = page.read_text(encoding="utf-8")
    assert "Amsterdam&lt;script&gt;" in text  # the name reached the page, as text
    assert SCRIPT not in text and "<img src=x" not in text
    summary, problems = browser.open(page.as_uri())
    assert not summary["pwned"] and problems == [], problems
