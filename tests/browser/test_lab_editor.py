"""The scenario editor in a real JupyterLab, driven in headless Chromium as a planner would use it.

One test walks a planner's month: open ``scenario_editor.ipynb`` in Lab (it opens clean), run
the form, type an out-of-range value and see the error at the field and in the summary, fix
it, save a draft (``capacity list`` does not show it as a scenario), promote it, run one
notebook for it in the background while the kernel keeps answering, and save the notebook
(Lab writes it without outputs).

Lab runs as a subprocess on a free local port, in a project folder made by ``capacity init``;
Chromium is driven over the DevTools protocol (websocket-client). Clicks on Lab's own toolbar
are real mouse events; the form's inputs get the DOM events a keyboard would send.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import capacity
from capacity import project
from capacity.lab import hygiene

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
TOKEN = "capacity-browser-test"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {CHROMIUM} is not installed: .ci/run must install chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)", allow_module_level=True)
websocket = pytest.importorskip("websocket", reason="websocket-client is needed to drive Chromium")
pytest.importorskip("jupyterlab", reason="the lab extra (capacity[lab]) is needed")
pytest.importorskip("ipywidgets", reason="the lab extra (capacity[lab]) is needed")

#: Set an input's value as typing would, then fire the events ipywidgets listens to.
SET_VALUE = """((selector, value) => {
  const el = document.querySelector(selector);
  if (!el) return false;
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
  return true;
})"""


class Page:
    """One Chromium tab over the DevTools protocol: evaluate, wait, click."""

    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=120, suppress_origin=True)
        self.ids = itertools.count(1)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Runtime.enable", session=self.session)
        self.send("Page.enable", session=self.session)

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

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=self.session)
        return result.get("result", {}).get("value")

    def wait(self, expression: str, timeout: float = 120, what: str = "") -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.3)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or expression}")

    def text(self, selector: str) -> str:
        return self.js(f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText") or ""

    def set_value(self, selector: str, value: str) -> None:
        assert self.js(f"{SET_VALUE}({json.dumps(selector)}, {json.dumps(value)})"), f"no input {selector}"

    def click(self, selector: str) -> None:
        """Click the middle of the element with real mouse events (Lab's toolbar needs them)."""
        where = self.js(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
        assert where, f"nothing to click at {selector}"
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": where[0], "y": where[1], "button": "left", "clickCount": 1},
                session=self.session,
            )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    """A project folder, JupyterLab serving it, and a Chromium tab; yields their paths and the page."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "planning"
    project.init_project(root)
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port = _free_port()
    src = str(Path(capacity.__file__).resolve().parents[1])
    # The report notebooks' kernel, as `make kernel` installs it: "capacity (project)".
    spec = tmp / "jupyter" / "kernels" / "capacity"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "capacity (project)",
                "language": "python",
            }
        )
    )
    env = {
        **os.environ,
        "CAPACITY_PROJECT": str(root),
        "HOME": str(tmp / "home"),
        "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_PATH": str(tmp / "jupyter"),
    }
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # what `make venv` writes into the environment's jupyter_server_config.d
        "--ContentsManager.pre_save_hook=capacity.lab.hygiene.pre_save_hook",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(args, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (tmp / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-allow-origins=*",
            "--window-size=1400,1000",
            f"--user-data-dir={tmp / 'profile'}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ws_url = None
    deadline = time.monotonic() + 60
    while ws_url is None and time.monotonic() < deadline:
        match = re.search(r"DevTools listening on (ws://\S+)", browser.stderr.readline())
        ws_url = match.group(1) if match else None
    try:
        assert ws_url, "Chromium did not start its DevTools endpoint"
        page = Page(ws_url)
        yield {"root": root, "base": base, "page": page, "env": env, "runtime": tmp / "runtime", "log": tmp / "lab.log"}
    finally:
        for proc in (browser, server):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _kernel_client(runtime: Path):
    """A client of the notebook's kernel (its connection file in the runtime folder)."""
    from jupyter_client import BlockingKernelClient

    files = sorted(runtime.glob("kernel-*.json"), key=lambda p: p.stat().st_mtime)
    assert files, f"no kernel connection file in {runtime}"
    client = BlockingKernelClient(connection_file=str(files[-1]))
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=30)
    return client


def _ask(client, expression: str, timeout: float = 15) -> tuple[str, float]:
    """Evaluate ``expression`` in the kernel; return its repr and the seconds the answer took."""
    started = time.monotonic()
    reply = client.execute_interactive("", user_expressions={"x": expression}, timeout=timeout, store_history=False)
    value = reply["content"]["user_expressions"]["x"]
    assert value["status"] == "ok", value
    return value["data"]["text/plain"], time.monotonic() - started


def _capacity_list(env: dict, root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "capacity", "list"], env=env, cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_planner_edits_saves_promotes_and_runs_in_lab(lab) -> None:  # noqa: PLR0915 - one planner's walk
    page, root = lab["page"], lab["root"]
    page.send(
        "Page.navigate",
        {"url": f"{lab['base']}/lab/tree/notebooks/scenario_editor.ipynb?token={TOKEN}"},
        session=page.session,
    )
    page.wait("document.querySelectorAll('.jp-CodeCell').length > 0", what="the notebook to open")
    time.sleep(2)
    # It opens clean: no unsaved-changes mark on its tab.
    assert page.js("document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty').length") == 0

    run_button = 'jp-button[data-command="notebook:run-cell-and-select-next"]'
    deadline = time.monotonic() + 60
    while "*" not in page.text(".jp-CodeCell .jp-InputPrompt") and not page.js(
        "document.querySelector('.capacity-save') !== null"
    ):
        assert time.monotonic() < deadline, "the editor's code cell did not start"
        page.click(run_button)  # the first click runs the title cell and selects the code cell
        time.sleep(1.5)
    page.wait("document.querySelector('.capacity-save') !== null", timeout=300, what="the form")

    # An out-of-range value: the error shows at the field and in the summary on top.
    field = ".capacity-field-forecast-trend_damping input"
    baseline_damping = page.js(f"document.querySelector('{field}').value")
    page.set_value(field, "5")
    page.wait(
        "(document.querySelector('.capacity-error-forecast-trend_damping') || {}).innerText"
        " && document.querySelector('.capacity-error-forecast-trend_damping').innerText.includes('between')",
        timeout=60,
        what="the error at the field",
    )
    assert "forecast.trend_damping" in page.text(".capacity-error-forecast-trend_damping")
    assert "1 problem" in page.text(".capacity-summary")

    # Fixed: the error goes; a smaller ensemble keeps the run below short.
    page.set_value(field, baseline_damping)
    page.wait(
        "document.querySelector('.capacity-summary').innerText.includes('valid')",
        timeout=60,
        what="the form to be valid again",
    )
    assert page.text(".capacity-error-forecast-trend_damping") == ""
    page.set_value(".capacity-field-forecast-n_paths input", "100")
    page.set_value(".capacity-draft-name input", "lab_draft")
    page.set_value(".capacity-draft-title input", "Drafted in Lab")
    page.wait("document.querySelector('.capacity-summary').innerText.includes('valid')", timeout=60)

    # Save a draft: a file under drafts/, and not a scenario.
    page.js("document.querySelector('button.capacity-save').click()")
    draft = root / "drafts" / "scenarios" / "lab_draft.yaml"
    page.wait(
        "document.querySelector('.capacity-message').innerText.includes('saved draft')",
        timeout=60,
        what="the draft to be saved",
    )
    assert draft.is_file() and "n_paths: 100" in draft.read_text()
    scenarios, _, rest = _capacity_list(lab["env"], root).partition("Drafts")
    assert "Drafted in Lab" not in scenarios and "Drafted in Lab" in rest.split("Notebooks:")[0]

    # Promote it: now a scenario.
    page.js("document.querySelector('button.capacity-promote').click()")
    page.wait(
        "document.querySelector('.capacity-message').innerText.includes('promoted')", timeout=60, what="the promotion"
    )
    promoted = root / "params" / "scenarios" / "lab_draft.yaml"
    assert promoted.is_file() and not draft.exists()
    assert "Drafted in Lab" in _capacity_list(lab["env"], root).partition("Drafts")[0].partition("Notebooks:")[0]

    # Run one notebook in the background; the kernel answers while it runs.
    page.js("""(() => { const s = document.querySelector('.capacity-notebooks select');
                for (const o of s.options) o.selected = o.value === '01_data' || o.text === '01_data';
                s.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    client = _kernel_client(lab["runtime"])
    try:
        page.wait("document.querySelector('.capacity-notebooks select').selectedOptions.length === 1", timeout=30)
        assert _ask(client, "editor.notebooks.value")[0] == "('01_data',)"
        page.js("document.querySelector('button.capacity-run').click()")
        page.wait(
            "document.querySelector('.capacity-run-status').innerText.includes('running')",
            timeout=120,
            what="the run to start",
        )
        answers, started = [], time.monotonic()
        while True:
            status, seconds = _ask(client, "editor.background.status")
            if status != "'running'":
                break
            answers.append(seconds)
            time.sleep(1)
        print(
            f"editor run of 01_data: {time.monotonic() - started:.0f} s; the kernel answered "
            f"{len(answers)} times, slowest {max(answers, default=0):.2f} s"
        )
        assert answers, "the run ended before the kernel was asked"
        assert max(answers) < 5, answers  # the kernel answered within seconds all through the run
        assert status == "'ok'", _ask(client, "'\\n'.join(editor.background.lines[-30:])")[0]
        assert _ask(client, "(editor.progress.value, editor.progress.max)")[0] == "(2, 2)"  # shared results, 01
    finally:
        client.stop_channels()
    page.wait("document.querySelector('.capacity-run-status').innerText.includes('ok')", timeout=30)
    assert list((root / "drafts" / "reports").glob("2*/lab_draft/01_data.html"))

    # Saving in Lab writes the notebook without outputs.
    page.click('jp-button[data-command="docmanager:save"]')
    notebook = root / "notebooks" / "scenario_editor.ipynb"
    deadline = time.monotonic() + 30
    while notebook.stat().st_mtime < time.time() - 60 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert hygiene.is_clean(notebook.read_text()), "Lab saved outputs into the tracked notebook"


@pytest.mark.parametrize("name", ["04_tpd_backlog", "01_data"])
def test_a_report_notebook_opens_clean_once_its_kernel_runs(lab, name: str) -> None:
    """Lab writes the kernel's kernelspec and language_info into a notebook: the committed ones match."""
    page = lab["page"]
    page.send(
        "Page.navigate", {"url": f"{lab['base']}/lab/tree/notebooks/{name}.ipynb?token={TOKEN}"}, session=page.session
    )
    page.wait(
        f"Array.from(document.querySelectorAll('.lm-TabBar-tab')).some(t => t.innerText.includes('{name}'))"
        " && document.querySelectorAll('.jp-CodeCell').length > 0",
        what=f"{name} to open",
    )
    page.wait(
        "(document.querySelector('.jp-Notebook-ExecutionIndicator, [data-status]') || {}).getAttribute"
        " && /idle/i.test(document.querySelector('.jp-Notebook-ExecutionIndicator, [data-status]')"
        ".getAttribute('data-status') || '')",
        timeout=120,
        what="its kernel to be idle",
    )
    time.sleep(2)
    dirty = page.js("Array.from(document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')).map(t => t.innerText)")
    assert not [t for t in dirty if name in t], f"{name} opened modified"
