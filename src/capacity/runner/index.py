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

    headline_rows = _headline_rows(scenarios, headlines)
    comparison = _comparison_charts(run_dir, scenarios)
    descriptions = _descriptions(scenarios)
    scen_rows = [{**m, "params_file": public_path(m.get("params_file")),
                  "description": descriptions.get(m.get("name"), "")}
                 for m in manifest.get("scenarios", [])]

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    html = env.get_template("index.html.j2").render(
        m={**manifest, "log": Path(manifest["log"]).name if manifest.get("log") else None},
        scenarios=scen_rows, notebooks=notebooks, matrix=matrix, munis=munis,
        failures=failures, headline_rows=headline_rows, comparison=comparison, timings=timings,
        timings_note="kernel s = kernel start-up and shutdown (papermill time minus cell time); "
                     "compute s = sum of the cells' execution time; export s = HTML rendering.",
    )
    path = run_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def _headline_rows(scenarios: Sequence[ScenarioSpec],
                   headlines: Mapping[str, Sequence[Mapping[str, Any]] | None]) -> list[dict[str, Any]]:
    """One row per headline figure: label, unit and, per scenario, the figure as reports print it.

    ``headlines[scenario]`` holds the rows of the scenario's ``tables/headline.csv``. Each cell
    has the median, its 10–90 % range and the difference from the first scenario (the baseline).
    """
    from capacity.headline import MAIN
    from capacity.report import fmt_headline, fmt_value

    by_key: dict[str, dict[str, Any]] = {}
    for i, spec in enumerate(scenarios):
        for row in headlines.get(spec.name) or []:
            entry = by_key.setdefault(row["key"], {
                "name": row["label_en"], "key": row["key"], "unit": _UNITS.get(row["unit"], row["unit"]),
                "cells": [None] * len(scenarios), "rows": [None] * len(scenarios)})
            entry["rows"][i] = row
            span = ""
            if row.get("p10") is not None and row.get("p90") is not None:
                span = f"{fmt_headline(row, field='p10')} – {fmt_headline(row, field='p90')}"
            entry["cells"][i] = {"value": fmt_headline(row), "range": span, "diff": ""}
    for entry in by_key.values():
        base = entry["rows"][0]
        for i, row in enumerate(entry["rows"][1:], start=1):
            if base is None or row is None or row["unit"] == "month" or entry["cells"][i] is None:
                continue
            try:
                delta = float(row["value"]) - float(base["value"])
            except (TypeError, ValueError):
                continue
            if delta == delta and abs(delta) != float("inf"):
                text = fmt_value(abs(delta), row["unit"], row["rounding"])
                entry["cells"][i]["diff"] = ("+" if delta > 0 else "−" if delta < 0 else "±") + text
        entry["cells"] = [c or {"value": "—", "range": "", "diff": ""} for c in entry["cells"]]
        del entry["rows"]
    first = [by_key[k] for k in MAIN if k in by_key]
    rest = [v for k, v in by_key.items() if k not in MAIN]
    return [{**r, "main": True} for r in first] + [{**r, "main": False} for r in rest]


_UNITS = {"persons": "persons", "cases": "cases", "places": "places", "EUR": "EUR",
          "share": "%", "months": "months", "month": "month"}


def _descriptions(scenarios: Sequence[ScenarioSpec]) -> dict[str, str]:
    """Return each scenario's one-paragraph description from its parameter file."""
    from capacity import params

    out = {}
    for spec in scenarios:
        try:
            out[spec.name] = params.load(spec.params_path).meta.description
        except Exception:  # noqa: BLE001 - a description must not break the index
            out[spec.name] = ""
    return out


def public_path(path: str | Path | None) -> str:
    """Return a path fit to publish: relative to the project (``params/...``), else its name."""
    if not path:
        return ""
    from capacity.params import PARAMS_DIR

    path = Path(path)
    try:
        return path.resolve().relative_to(PARAMS_DIR.resolve().parent).as_posix()
    except ValueError:
        return path.name


def _comparison_charts(run_dir: Path, scenarios: Sequence[ScenarioSpec]) -> list[str]:
    """Scenario comparison charts (registered, arrivals) from each scenario's stored table.

    Reads ``<scenario>/tables/population_forecast.csv`` as the run wrote it; recomputes
    nothing. Empty when fewer than two scenarios have one.
    """
    import pandas as pd

    from capacity import report
    from capacity.report import forecast as report_forecast

    tables = {}
    for spec in scenarios:
        path = run_dir / spec.name / "tables" / "population_forecast.csv"
        if path.is_file():
            tables[spec.title] = pd.read_csv(path, parse_dates=["date"])
    if len(tables) < 2:
        return []
    charts = []
    for variable in ("registered", "arrivals"):
        fig = report_forecast.scenario_comparison(tables, variable=variable)
        charts.append(report.figure(fig)._repr_mimebundle_()["text/html"])
    return charts
