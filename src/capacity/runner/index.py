"""The run's index page: what ran, status, timings, links, failures, scenario comparison."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from capacity import i18n
from capacity.i18n import N_
from capacity.runner.execute import MUNICIPAL_CSV, TEMPLATES_DIR, JobResult
from capacity.runner.plan import Job, Notebook, ScenarioSpec
from capacity.vintages import warnings as early_warnings
from capacity.vintages.banner import STATUS


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

    def rel(path: str | None) -> str | None:
        return Path(os.path.relpath(path, run_dir)).as_posix() if path else None

    rows: dict[str, dict[str, Any]] = {}
    for job in jobs:
        res = results.get(job.key) or JobResult(key=job.key, status="skipped", error="did not run")
        html = res.html or (str(job.output_html) if job.output_html.exists() else None)
        label = job.municipality or job.notebook.name
        if job.municipality:
            label = f"{job.extra.get('municipality_name', job.municipality)} ({job.municipality})"
        rows[job.key] = {**res.to_dict(), "html_rel": rel(html), "ipynb_rel": rel(res.ipynb), "label": label}
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
        matrix[scenario][nb_name] = {"kind": "many", "ok": ok, "total": len(group), "failed": len(group) - ok}
        n = len(group)
        timings.append(
            {
                "key": f"{scenario}/{nb_name} (mean of {n} municipal reports)",
                "status": "ok" if ok == n else "failed",
                **{
                    k: sum(r[k] for r in group) / n
                    for k in ("seconds", "kernel_seconds", "compute_seconds", "export_seconds")
                },
            }
        )
    failures = [r for r in rows.values() if r["status"] != "ok"]

    languages = {s.language for s in scenarios}
    main = "nl" if languages == {"nl"} else "en"
    editions = {main: "index.html"}
    if main == "en" and "nl" in languages:  # a Dutch edition in an English run: its own Dutch index
        editions["nl"] = INDEX_NL
    page = {
        "manifest": manifest,
        "scenarios": scenarios,
        "notebooks": notebooks,
        "matrix": matrix,
        "munis": munis,
        "failures": failures,
        "timings": timings,
        "headlines": headlines,
    }
    for lang, name in editions.items():
        other = next(((o, n) for o, n in editions.items() if o != lang), None)
        html = _render(run_dir, page, language=lang, other=other, write=lang == main)
        (run_dir / name).write_text(html, encoding="utf-8")
    if "nl" in editions and main == "en":  # a mixed run: the Dutch edition's pages link index.nl.html
        _link_dutch_pages(run_dir, [s.name for s in scenarios if s.language != main])
    return run_dir / "index.html"


def _link_dutch_pages(run_dir: Path, names: Sequence[str]) -> None:
    """Point the Dutch edition's pages at the Dutch index (their links to the run's index go to the English one)."""
    for name in names:
        for depth, pages in ((1, (run_dir / name).glob("*.html")), (2, (run_dir / name).glob("*/*.html"))):
            old, new = f'href="{"../" * depth}index.html', f'href="{"../" * depth}{INDEX_NL}'
            for path in pages:
                text = path.read_text(encoding="utf-8")
                if old in text:
                    tmp = path.with_suffix(".html.tmp")
                    tmp.write_text(text.replace(old, new), encoding="utf-8")
                    os.replace(tmp, path)


#: The Dutch index of a run whose index is English but that has a Dutch edition.
INDEX_NL = "index.nl.html"

#: Each report's title on the index (the heading each page opens with), by notebook name.
PAGE_TITLES = {
    "01_data": N_("Data: the published history"),
    "02_arrivals_departures": N_("Arrivals and departures"),
    "03_shelter": N_("Municipal shelter: occupancy and places needed"),
    "04_tpd_backlog": N_("The asylum backlog after temporary protection ends"),
    "05_municipality": N_("Your municipality"),
    "06_eu_context": N_("The EU around the Netherlands"),
}
#: A job's status in words.
JOB_STATUS = {
    "ok": N_("ok"),
    "failed": N_("failed"),
    "timeout": N_("timed out"),
    "died": N_("kernel died"),
    "skipped": N_("not run"),
    "interrupted": N_("interrupted"),
    "running": N_("running"),
    "finishing": N_("finishing"),
}
#: The run's status in words.
RUN_STATUS = {
    "ok": N_("all ready"),
    "failed": N_("some failed"),
    "interrupted": N_("interrupted"),
    "running": N_("running"),
    "finishing": N_("finishing"),
}


def _render(
    run_dir: Path, page: Mapping[str, Any], *, language: str, other: tuple[str, str] | None, write: bool = True
) -> str:
    """Render the index in ``language``: the analyst's first screen, the run's details folded away."""
    import jinja2

    from capacity.runner.export import dated_box

    def tr(text: str) -> str:
        return i18n.gettext(text, language)

    manifest, scenarios = page["manifest"], page["scenarios"]
    titled = [replace(s, title=s.title_in(language)) for s in scenarios]
    headline_rows = _headline_rows(titled, page["headlines"], language=language)
    comparison = _comparison_charts(run_dir, titled, language=language)
    weighted = weighted_view(run_dir, titled, language=language, write=write)
    descriptions = _descriptions(scenarios, language=language)
    likelihood = _weight_texts(scenarios, language=language)
    titles = {s.name: s.title for s in titled}
    scen_rows = [
        {
            **m,
            "title": titles.get(m.get("name"), m.get("title", m.get("name"))),
            "params_file": public_path(m.get("params_file")),
            "description": descriptions.get(m.get("name"), ("", language))[0],
            "description_lang": descriptions.get(m.get("name"), ("", language))[1],
            "weight_text": likelihood.get(m.get("name"), ("", "", language))[0],
            "weight_rationale": likelihood.get(m.get("name"), ("", "", language))[1],
            "weight_rationale_lang": likelihood.get(m.get("name"), ("", "", language))[2],
        }
        for m in manifest.get("scenarios", [])
    ]

    def worded(row: Mapping[str, Any]) -> dict[str, Any]:
        return {**row, "status_text": tr(JOB_STATUS.get(row.get("status"), row.get("status") or ""))}

    matrix = {
        name: {
            nb: ({**cell, "result": worded(cell["result"])} if cell and cell["kind"] == "one" else cell)
            for nb, cell in cells.items()
        }
        for name, cells in page["matrix"].items()
    }
    munis = {name: [worded(r) for r in rows] for name, rows in page["munis"].items()}
    notebooks = [
        {"name": nb.name, "title": tr(PAGE_TITLES[nb.name]) if nb.name in PAGE_TITLES else nb.name}
        for nb in page["notebooks"]
    ]
    dated = dated_box({"started": manifest.get("started"), "data_vintage": manifest.get("data_vintage")}, language)
    date = dated["run_date"] or manifest.get("run_id", "")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(tr, lambda s, p, n: i18n.ngettext(s, p, n, language), newstyle=False)
    return env.get_template("index.html.j2").render(
        lang=language,
        heading=tr(N_("Ukraine reception forecast — run of {date}")).format(date=date),
        dated=dated,
        status_text=tr(RUN_STATUS.get(manifest.get("status"), manifest.get("status") or "")),
        other_edition={
            "lang": other[0],
            "href": other[1],
            "label": i18n.gettext("This overview in English", other[0])
            if other[0] == "en"
            else i18n.gettext("This overview in Dutch", other[0]),
        }
        if other
        else None,
        m={**manifest, "log": Path(manifest["log"]).name if manifest.get("log") else None},
        scenarios=scen_rows,
        notebooks=notebooks,
        matrix=matrix,
        munis=munis,
        gathered={
            s.name: f"{s.name}/tables/{MUNICIPAL_CSV}"
            for s in scenarios
            if (run_dir / s.name / "tables" / MUNICIPAL_CSV).exists()
        },
        failures=page["failures"],
        headline_rows=headline_rows,
        comparison=comparison,
        timings=page["timings"],
        weighted=weighted,
        vintages=vintage_view(run_dir, titled, language=language),
    )


def _headline_rows(
    scenarios: Sequence[ScenarioSpec],
    headlines: Mapping[str, Sequence[Mapping[str, Any]] | None],
    *,
    language: str = "en",
) -> list[dict[str, Any]]:
    """One row per headline figure: label, unit and, per scenario, the figure as reports print it.

    ``headlines[scenario]`` holds the rows of the scenario's ``tables/headline.csv``. Each cell
    has the median, its 10–90 % range and the difference from the first scenario (the baseline).
    """
    from capacity.headline import MAIN
    from capacity.report import fmt_headline, fmt_value

    by_key: dict[str, dict[str, Any]] = {}
    for i, spec in enumerate(scenarios):
        for row in headlines.get(spec.name) or []:
            entry = by_key.setdefault(
                row["key"],
                {
                    "name": _label(row, language),
                    "key": row["key"],
                    "unit": _unit(row["unit"], language),
                    "cells": [None] * len(scenarios),
                    "rows": [None] * len(scenarios),
                },
            )
            entry["rows"][i] = row
            span = ""
            if row.get("p10") is not None and row.get("p90") is not None:
                span = f"{fmt_headline(row, language, 'p10')} – {fmt_headline(row, language, 'p90')}"
            entry["cells"][i] = {"value": fmt_headline(row, language), "range": span, "diff": ""}
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
                text = fmt_value(abs(delta), row["unit"], row["rounding"], language)
                if row["unit"] == "share":  # a difference of two percentages is in percentage points
                    text = i18n.gettext(N_("{value} percentage points"), language).format(
                        value=text.rstrip("%").strip()
                    )
                entry["cells"][i]["diff"] = ("+" if delta > 0 else "−" if delta < 0 else "±") + text
        entry["cells"] = [c or {"value": "—", "range": "", "diff": ""} for c in entry["cells"]]
        del entry["rows"]
    first = [by_key[k] for k in MAIN if k in by_key]
    rest = [v for k, v in by_key.items() if k not in MAIN]
    return [{**r, "main": True} for r in first] + [{**r, "main": False} for r in rest]


_UNITS = {
    "persons": N_("persons"),
    "cases": N_("cases"),
    "places": N_("places"),
    "EUR": "EUR",
    "share": "%",
    "months": N_("months"),
    "month": N_("month"),
}


def _unit(unit: str, language: str) -> str:
    """Return a headline unit's word in ``language``."""
    return i18n.gettext(_UNITS[unit], language) if unit in _UNITS else unit


def _descriptions(scenarios: Sequence[ScenarioSpec], *, language: str = "en") -> dict[str, tuple[str, str]]:
    """Return each scenario's one-paragraph description from its parameter file, in ``language``, and its language."""
    from capacity import params

    out = {}
    for spec in scenarios:
        try:
            out[spec.name] = params.load(spec.params_path).meta.text_and_language("description", language)
        except Exception:  # noqa: BLE001 - a description must not break the index
            out[spec.name] = ("", language)
    return out


def _weight_texts(scenarios: Sequence[ScenarioSpec], *, language: str = "en") -> dict[str, tuple[str, str, str]]:
    """Return each scenario's probability as its file states it ("probability 35 %" or "stress test").

    Also why (``meta.weight_rationale`` in ``language``), and the language that text is in.
    """
    from capacity import params

    out = {}
    for spec in scenarios:
        try:
            meta = params.load(spec.params_path).meta
        except Exception:  # noqa: BLE001 - a weight must not break the index
            continue
        text = (
            N_("stress test, not weighted")
            if meta.stress_test
            else N_("probability {percent} %")
            if meta.weight is not None
            else N_("no weight")
        )
        percent = f"{100 * meta.weight:.0f}" if meta.weight is not None else ""
        out[spec.name] = (
            i18n.gettext(text, language).format(percent=percent),
            *meta.text_and_language("weight_rationale", language),
        )
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


def _comparison_charts(run_dir: Path, scenarios: Sequence[ScenarioSpec], *, language: str = "en") -> list[str]:
    """Scenario comparison charts (registered, arrivals) from each scenario's stored table.

    Reads ``<scenario>/tables/population_forecast.csv`` as the run wrote it; recomputes
    nothing. Empty when fewer than two scenarios have one. Each scenario's median has its own
    dash: two scenarios with the same forecast (an edition in another language) stay both visible.
    """
    import pandas as pd

    from capacity import report
    from capacity.report import forecast as report_forecast
    from capacity.report.charts import _dates_in

    tables = {}
    for spec in scenarios:
        path = run_dir / spec.name / "tables" / "population_forecast.csv"
        if path.is_file():
            tables[spec.title] = pd.read_csv(path, parse_dates=["date"])
    if len(tables) < 2:
        return []
    charts = []
    for variable in ("registered", "arrivals"):
        fig = report_forecast.scenario_comparison(tables, variable=variable, language=language)
        _dash_medians(fig)
        _dates_in(fig, language)  # month names and separators of the page's language
        charts.append(report.figure(fig)._repr_mimebundle_()["text/html"])
    return charts


#: Dashes of the scenarios' medians, in turn: a line on top of an identical one still shows the other.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _dash_medians(fig: Any) -> None:
    """Give each named trace (a scenario's median) its own dash and a width that lets the one below show."""
    named = [trace for trace in fig.data if trace.name]
    for i, trace in enumerate(named):
        trace.line.dash = DASHES[i % len(DASHES)]
        trace.line.width = 4 if i == 0 else 2.5


#: Tables of the weighted view, written under ``<run>/tables/`` (add, don't rename).
WEIGHTED_FORECAST_CSV = "weighted_forecast.csv"
WEIGHTED_SUMMARY_CSV = "weighted_summary.csv"


def _weights(scenarios: Sequence[ScenarioSpec]) -> tuple[dict[str, float], dict[str, str]]:
    """Return the positive ``meta.weight`` and the title of each weighted scenario of the run."""
    from capacity import params

    weights: dict[str, float] = {}
    titles: dict[str, str] = {}
    for spec in scenarios:
        try:
            meta = params.load(spec.params_path).meta
        except Exception:  # noqa: BLE001 - a weight must not break the index
            continue
        if meta.weight is not None and meta.weight > 0:
            weights[spec.name], titles[spec.name] = meta.weight, spec.title
    return weights, titles


def _read_tables(run_dir: Path, names: Sequence[str], table: str) -> dict[str, Any]:
    """Return ``{scenario: frame}`` of the scenarios whose ``tables/<table>.csv`` exists."""
    import pandas as pd

    paths = {n: run_dir / n / "tables" / f"{table}.csv" for n in names}
    return {
        n: pd.read_csv(p, parse_dates=["date"] if table != "shelter_costs" else None)
        for n, p in paths.items()
        if p.is_file()
    }


def _expected_shelter_cost(costs: Mapping[str, Any], weights: Mapping[str, float]) -> dict[str, Any] | None:
    """Return the summary row of the expected shelter cost at today's places (None if a scenario lacks it)."""
    from capacity.report import mixture

    values = {}
    for name, table in costs.items():
        row = table[table["level"] == "places at the last count"]
        if not row.empty:
            values[name] = float(row["cost_total_eur"].iloc[0])
    if set(values) != set(weights):
        return None
    share = mixture.normalised_weights(weights)
    return {
        "quantity": "expected_shelter_cost_eur",
        "label": _WEIGHTED_WORDS["cost"],
        "value": sum(share[n] * values[n] for n in share),
        "unit": "EUR",
        "scenarios": len(values),
    }


#: The weighted view's words (English in its tables, the page's language on the index).
_WEIGHTED_WORDS = {
    "chart": N_("{variable}: all scenarios, weighted"),
    "capacity": N_("{variable}: level not exceeded with 90 % probability in any month (highest month {month})"),
    "penalty": N_("Expected penalties for late decisions on TPD cohort cases (sum over each scenario's months)"),
    "cost": N_("Expected shelter cost at the places of the last count (each scenario's window until its TPD end)"),
    "share": N_("share of {scenario}"),
}


def weighted_view(
    run_dir: Path, scenarios: Sequence[ScenarioSpec], *, language: str = "en", write: bool = True
) -> dict[str, Any] | None:
    """All scenarios, weighted: the mixture of the run's weighted scenarios, with its tables written.

    Reads each scenario's stored ``population_forecast``, ``shelter_forecast`` and
    ``backlog_forecast`` tables (and ``shelter_costs``) and its ``meta.weight``; stress tests (no
    weight) are left out and the weights of the rest are normalised to sum to 1. Writes
    ``<run>/tables/weighted_forecast.csv`` (the mixture, quantile contract) and
    ``<run>/tables/weighted_summary.csv`` (the weights used, the 90 % capacities, the expected
    penalties and shelter cost; English labels). Returns None when fewer than two scenarios of the
    run carry a weight. ``language``: the page's words; ``write``: False leaves the tables as they are.
    """
    import pandas as pd

    from capacity import report
    from capacity.report import fmt_month, fmt_value, mixture

    weights, titles = _weights(scenarios)
    if len(weights) < 2:
        return None
    parts, charts, summary = [], [], []
    for table_name, variable in mixture.WEIGHTED_VARIABLES:
        found = _read_tables(run_dir, list(weights), table_name)
        mixed = (
            mixture.mixture_table(
                found, weights, variables=(variable,), zero_before_start=table_name in mixture.STARTS_AT_TPD_END
            )
            if len(found) >= 2
            else pd.DataFrame()
        )
        if mixed.empty:
            continue
        parts.append(mixed.assign(source=table_name))
        fig = report.fan_chart(
            mixed,
            variable,
            language=language,
            title=i18n.gettext(_WEIGHTED_WORDS["chart"], language).format(variable=report.t(variable, language)),
        )
        charts.append(report.figure(fig)._repr_mimebundle_()["text/html"])
        cap = mixture.capacity_over_mixture(mixed, variable)
        summary.append(
            {
                "quantity": f"capacity_p90_{variable}",
                "label": _WEIGHTED_WORDS["capacity"],
                "args": {"variable": variable, "month": cap["month"]},
                "value": cap["capacity"],
                "unit": "persons" if variable != "pending" else "cases",
                "scenarios": len(found),
            }
        )
    backlogs = _read_tables(run_dir, list(weights), "backlog_forecast")
    if backlogs:
        pen = mixture.expected_total(backlogs, weights, "penalty_eur")
        summary.append(
            {
                "quantity": "expected_penalty_eur",
                "label": _WEIGHTED_WORDS["penalty"],
                "value": pen["weighted"],
                "unit": "EUR",
                "scenarios": len(backlogs),
            }
        )
    cost = _expected_shelter_cost(_read_tables(run_dir, list(weights), "shelter_costs"), weights)
    summary += [cost] if cost else []
    used = mixture.normalised_weights(weights)
    summary += [
        {
            "quantity": f"weight_{n}",
            "label": _WEIGHTED_WORDS["share"],
            "args": {"scenario": titles[n]},
            "value": used[n],
            "unit": "share",
            "scenarios": 1,
        }
        for n in used
    ]

    def label(row: Mapping[str, Any], lang: str) -> str:
        args = dict(row.get("args", {}))
        if "variable" in args:
            args["variable"] = report.t(args["variable"], lang)
        if "month" in args:
            args["month"] = fmt_month(args["month"], lang)
        return i18n.gettext(row["label"], lang).format(**args)

    if write:
        out_dir = run_dir / "tables"
        out_dir.mkdir(parents=True, exist_ok=True)
        if parts:
            pd.concat(parts, ignore_index=True).to_csv(out_dir / WEIGHTED_FORECAST_CSV, index=False)
        pd.DataFrame([{k: v for k, v in r.items() if k != "args"} | {"label": label(r, "en")} for r in summary]).to_csv(
            out_dir / WEIGHTED_SUMMARY_CSV, index=False
        )
    steps = {"persons": 100, "cases": 100, "EUR": 100_000, "share": 0.01}  # as the headline table rounds
    rows = [
        {"label": label(r, language), "value": fmt_value(r["value"], r["unit"], steps[r["unit"]], language)}
        for r in summary
    ]
    return {
        "charts": charts,
        "rows": rows,
        "forecast_csv": f"tables/{WEIGHTED_FORECAST_CSV}" if parts else None,
        "summary_csv": f"tables/{WEIGHTED_SUMMARY_CSV}",
        "left_out": [s.title for s in scenarios if s.name not in weights],
    }


#: Status words shown beside (not instead of) the colour: the reports' note's (the catalogue has the Dutch).
STATUS_TEXT = STATUS


def _read_json(path: Path) -> Any:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _status_text(status: str, language: str) -> str:
    """Return a status in words (``RED — action needed``) in ``language``."""
    return i18n.gettext(STATUS_TEXT[status], language) if status in STATUS_TEXT else status


def _warning_view(run_dir: Path, titles: Mapping[str, str], *, language: str = "en") -> dict[str, Any] | None:
    """Return the early-warning block from ``<run>/warnings.json`` (None when absent).

    ``status_word`` is the status's first word (``RED``), for the one line atop the index.
    """
    content = _read_json(run_dir / "warnings.json")
    if not content:
        return None
    scenarios = [
        {
            "name": name,
            "title": titles.get(name, name),
            "status": s["status"],
            "status_text": _status_text(s["status"], language),
            "status_word": _status_text(s["status"], language).split(" — ")[0],
            "triggers": [
                {
                    **t,
                    **dict(zip(("title", "title_lang"), early_warnings.title_in(t, language), strict=True)),
                    **dict(zip(("text", "text_lang"), early_warnings.text_in(t, language), strict=True)),
                    "status_text": _status_text(t["status"], language),
                }
                for t in s["triggers"]
            ],
        }
        for name, s in content.get("scenarios", {}).items()
    ]
    return {
        "status": content["status"],
        "status_text": _status_text(content["status"], language),
        "scenarios": scenarios,
    }


def _months_text(months: Mapping[str, Sequence[str]], *, language: str = "en") -> list[str]:
    """Return ``Registered with municipalities: April 2025 – June 2025 (3 months)`` per series with new observations."""
    from capacity.report import fmt_value, t

    out = []
    for variable, items in sorted(months.items()):
        first, last = fmt_value(items[0], "month", 1, language), fmt_value(items[-1], "month", 1, language)
        span = first if len(items) == 1 else f"{first} – {last}"
        count = i18n.ngettext("{n} month", "{n} months", len(items), language).format(n=len(items))
        out.append(f"{t(variable, language)}: {span} ({count})")
    return out


def _headline_change_rows(rows: Sequence[Mapping[str, Any]], *, language: str = "en") -> list[dict[str, Any]]:
    """Return the headline figures then and now, as every report prints them."""
    from capacity.headline import MAIN
    from capacity.report import fmt_headline

    out = []
    for row in rows:
        then, now = row.get("then"), row.get("now")
        ref = now or then
        shown = {
            "then": fmt_headline(then, language) if then else "—",
            "now": fmt_headline(now, language) if now else "—",
        }
        name = _label(ref, language)
        out.append(
            {
                "key": row["key"],
                "name": name,
                "unit": _unit(ref["unit"], language),
                "main": row["key"] in MAIN,
                **shown,
                "changed": shown["then"] != shown["now"],
            }
        )
    return sorted(out, key=lambda r: not r["main"])


def _change_view(name: str, title: str, entry: Mapping[str, Any], *, language: str = "en") -> dict[str, Any]:
    """Return one scenario's "what changed since the last run" block."""
    ch = entry["changes"]
    code = ch.get("code")
    return {
        "name": name,
        "title": title,
        "previous_run": ch.get("previous_run"),
        "first": ch.get("first"),
        "unchanged": ch.get("unchanged"),
        "params": ch.get("params", []),
        "data": ch.get("data", []),
        "new_months": _months_text(ch.get("new_months", {}), language=language),
        "code": {"then": code["then"][:12], "now": code["now"][:12]} if code else None,
        "headline": _headline_change_rows(ch.get("headline", []), language=language),
    }


def _track_rows(name: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return the track record, one row per series and horizon, formatted."""
    from capacity.report import fmt_value

    unit = {"occupancy_rate": "share"}
    out = []
    for r in rows:
        share = unit.get(r["variable"]) == "share"
        error = r["mean_error"]
        sign = "" if error is None or error == 0 else ("+" if error > 0 else "−")
        shown = fmt_value(None if error is None else abs(error), "share" if share else "persons", 0.001 if share else 1)
        out.append(
            {
                "scenario": name,
                "variable": r["variable"],
                "horizon": r["horizon"],
                "n": r["n"],
                "vintages": r["vintages"],
                "mean_error": sign + shown,
                "mape": fmt_value(r["mape"], "share", 0.001),
                **{k: fmt_value(r[k], "share", 0.01) for k in ("coverage_50", "coverage_80", "coverage_95")},
            }
        )
    return out


def _fan_chart(title: str, fan: Sequence[Mapping[str, Any]], *, language: str = "en") -> str | None:
    """Return the registered forecast of recent runs (median and 80 % band each) as HTML."""
    if len(fan) < 2:
        return None
    import pandas as pd

    from capacity import report
    from capacity.report import forecast as report_forecast
    from capacity.report.charts import _dates_in

    tables = {
        i18n.gettext(N_("run {run}"), language).format(run=f["run_id"]): pd.DataFrame(
            {
                "date": pd.to_datetime(f["date"]),
                "variable": "registered",
                "q0.10": f["p10"],
                "q0.50": f["p50"],
                "q0.90": f["p90"],
            }
        )
        for f in fan
    }
    fig = _dates_in(report_forecast.scenario_comparison(tables, variable="registered", language=language), language)
    words = {"title": title, "n": len(fan), "run": fan[-1]["run_id"]}
    fig.update_layout(
        title=i18n.gettext(
            N_("{title}: registered forecast of the last {n} runs (median, 80 % band)"), language
        ).format(**words)
    )
    summary = i18n.gettext(
        N_(
            "Median and 80 % band of the registered count as forecast by each of the last {n} "
            "runs of {title}; the newest run is {run}."
        ),
        language,
    ).format(**words)
    return report.figure(fig, summary)._repr_mimebundle_()["text/html"]


def vintage_view(run_dir: Path, scenarios: Sequence[ScenarioSpec], *, language: str = "en") -> dict[str, Any]:
    """Return the index's blocks from the run's ``warnings.json`` and ``vintages.json``.

    ``{"warnings", "changes", "track", "fans"}``; each empty (or None) when the run recorded
    no vintage (e.g. it was interrupted, or the store could not be written).
    """
    titles = {s.name: s.title for s in scenarios}
    content = _read_json(run_dir / "vintages.json") or {}
    changes, track, fans = [], [], []
    for name, entry in content.get("scenarios", {}).items():
        changes.append(_change_view(name, titles.get(name, name), entry, language=language))
        track += _track_rows(name, entry.get("track", []))
        chart = _fan_chart(titles.get(name, name), entry.get("fan", []), language=language)
        if chart:
            fans.append(chart)
    return {
        "warnings": _warning_view(run_dir, titles, language=language),
        "changes": changes,
        "track": track,
        "fans": fans,
        "store": Path(content["store"]).name if content.get("store") else None,
        "error": content.get("error"),
    }


def _label(row: Mapping[str, Any], language: str) -> str:
    """Return a headline row's label in ``language`` (its ``label_<language>`` column), else its English."""
    return row.get(f"label_{language}") or row["label_en"]
