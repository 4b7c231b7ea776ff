"""The run's index page: what ran, status, timings, links, failures, scenario comparison."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from capacity.runner.execute import TEMPLATES_DIR, JobResult
from capacity.runner.plan import Job, Notebook, ScenarioSpec


def write_index(
    run_dir: Path,
    manifest: Mapping[str, Any],
    *,
    scenarios: Sequence[ScenarioSpec],
    notebooks: Sequence[Notebook],
    jobs: Sequence[Job],
    results: Mapping[str, JobResult],
    headlines: Mapping[str, Mapping[str, Any] | None],
) -> Path:
    """Render ``<run>/index.html`` from the manifest and the job results."""
    import jinja2

    def rel(path: str | None) -> str | None:
        return Path(os.path.relpath(path, run_dir)).as_posix() if path else None

    rows: dict[str, dict[str, Any]] = {}
    for job in jobs:
        res = results.get(job.key) or JobResult(key=job.key, status="skipped", error="did not run")
        html = res.html or (str(job.output_html) if job.output_html.exists() else None)
        label = job.municipality or job.notebook.name
        if job.municipality:
            label = f"{job.extra.get('municipality_name', job.municipality)} ({job.municipality})"
        rows[job.key] = {**res.to_dict(), "html_rel": rel(html), "ipynb_rel": rel(res.ipynb),
                         "label": label}
    steps = []
    for key, res in results.items():  # rows for steps that are not notebooks (e.g. prepare)
        if key not in rows:
            rows[key] = {**res.to_dict(), "html_rel": None, "ipynb_rel": None, "label": key}
            steps.append(rows[key])

    matrix: dict[str, dict[str, Any]] = {s.name: {nb.name: None for nb in notebooks} for s in scenarios}
    munis: dict[str, list[dict[str, Any]]] = defaultdict(list)
    timings: list[dict[str, Any]] = list(steps)
    muni_stats: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for job in jobs:
        row = rows[job.key]
        if job.notebook.per == "scenario":
            matrix[job.scenario][job.notebook.name] = {"kind": "one", "result": row}
            timings.append(row)
        else:
            munis[job.scenario].append(row)
            muni_stats[(job.scenario, job.notebook.name)].append(row)
    for (scenario, nb_name), group in muni_stats.items():
        ok = sum(r["status"] == "ok" for r in group)
        matrix[scenario][nb_name] = {"kind": "many", "ok": ok, "total": len(group),
                                     "failed": len(group) - ok}
        n = len(group)
        timings.append({
            "key": f"{scenario}/{nb_name} (mean of {n} municipal reports)",
            "status": "ok" if ok == n else "failed",
            **{k: sum(r[k] for r in group) / n
               for k in ("seconds", "kernel_seconds", "compute_seconds", "export_seconds")},
        })
    failures = [r for r in rows.values() if r["status"] != "ok"]

    names: list[str] = []
    for s in scenarios:
        for k in (headlines.get(s.name) or {}):
            if k not in names and k not in _NOT_HEADLINES:
                names.append(k)
    first = [k for k in HEADLINE_FIRST if k in names]
    headline_rows = [
        {"name": k, "main": k in first,
         "values": [_fmt((headlines.get(s.name) or {}).get(k), k) for s in scenarios]}
        for k in first + [k for k in names if k not in first]
    ]
    scen_rows = [{**m} for m in manifest.get("scenarios", [])]

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    html = env.get_template("index.html.j2").render(
        m=manifest, scenarios=scen_rows, notebooks=notebooks, matrix=matrix, munis=munis,
        failures=failures, headline_rows=headline_rows, timings=timings,
        timings_note="kernel s = kernel start-up and shutdown (papermill time minus cell time); "
                     "compute s = sum of the cells' execution time; export s = HTML rendering.",
    )
    path = run_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


#: Headline figures shown first in the scenario comparison (the rest are folded away).
HEADLINE_FIRST = (
    "registered_end_p50", "shelter_peak_occupancy", "shelter_first_month_100",
    "shelter_places_short_p50", "shelter_places_short_p90", "backlog_backlog_peak",
    "backlog_months_to_clear", "backlog_late_decisions_total", "backlog_penalty_eur_total",
    "backlog_dtv_caseload_peak",
)
_NOT_HEADLINES = {"scenario", "title"}


def _fmt(value: Any, key: str = "") -> str:
    """Format a headline figure: thousands separators, shares as %, months as YYYY-MM."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and value != value:  # NaN
        return "—"
    if isinstance(value, int | float) and ("occupancy" in key or "share" in key) and abs(value) <= 2:
        return f"{100 * value:.1f} %"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[10:].strip(" :0T") == "":
        return text[:7]  # a month start
    return text
