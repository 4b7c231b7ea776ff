"""The scenario editor in JupyterLab: an ipywidgets form generated from the schema.

A thin layer over :mod:`capacity.lab.form`: one widget per leaf of
:class:`~capacity.params.Scenario` (checkbox, number, dropdown, date, text, or YAML for
distributions, lists and mappings), each with its unit, range and meaning and the baseline
value beside it; live validation with ``capacity validate``'s messages; the diff against the
baseline; save as a scenario under ``params/scenarios/``; run the selected notebooks for it.

Numbers are not clamped to their range by the widget: an out-of-range value stays visible
and the validation says what is allowed, as ``capacity validate`` would.

Use ``ScenarioEditor().show()`` in ``notebooks/scenario_editor.ipynb``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from capacity.lab import form


def _yaml_text(value: Any) -> str:
    if value is None:
        return ""
    return yaml.safe_dump(form.plain(value), sort_keys=False, allow_unicode=True,
                          default_flow_style=None, width=80).removesuffix("...\n").strip()


def _shown(value: Any) -> str:
    """Return a value as a planner reads it (no reprs)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return _yaml_text(value).replace("\n", "; ")


def make_widget(leaf: form.Leaf, value: Any) -> Any:
    """Return the input widget for one leaf, holding ``value``."""
    import ipywidgets as w

    layout = w.Layout(width="22em")
    if leaf.kind == "bool":
        return w.Checkbox(value=bool(value), indent=False)
    if leaf.kind == "choice":
        options = [*([None] if leaf.optional else []), *leaf.choices]
        return w.Dropdown(options=[(_shown(o), o) for o in options], value=value, layout=layout)
    if leaf.optional or leaf.kind == "yaml":
        rows = max(1, min(8, _yaml_text(value).count("\n") + 1))
        widget = w.Textarea if leaf.kind == "yaml" else w.Text
        extra = {"rows": rows} if leaf.kind == "yaml" else {}
        return widget(value=_yaml_text(value) if leaf.kind != "text" else (value or ""),
                      placeholder="empty: none", layout=layout, **extra)
    if leaf.kind == "int":
        return w.IntText(value=int(value), layout=layout)
    if leaf.kind == "float":
        return w.FloatText(value=float(value), layout=layout)
    if leaf.kind == "date":
        return w.DatePicker(value=value, layout=layout)
    return w.Text(value=value or "", layout=layout)


def read_widget(leaf: form.Leaf, widget: Any) -> Any:
    """Return the widget's value as the parameter's plain value.

    Raises:
        ValueError: If YAML text does not parse (naming the key).

    """
    value = widget.value
    if leaf.kind == "text" and leaf.optional:
        return value or None
    if isinstance(value, str) and (leaf.kind == "yaml" or leaf.optional):
        from capacity.params.problems import ParameterFileError
        from capacity.params.yamlfile import parse_value

        try:  # a parameter file's rules: no aliases (an alias bomb), tags or control characters
            return parse_value(value, leaf.key, where="form") if value.strip() else None
        except ParameterFileError as exc:
            rule = exc.problems[0].rule
            text = f"not valid YAML ({rule.replace(': not valid YAML', '')})" if "not valid YAML" in rule else rule
            raise ValueError(f"{leaf.key}: {text}") from None
    return value


class ScenarioEditor:
    """The form: widgets for every leaf, validation, diff, save and run.

    Args:
        start: A scenario file to start from (default the baseline).
        model: The scenario model (default :class:`~capacity.params.Scenario`).
        base: The baseline values (default read from the project's baseline).
        folder: Where to save (default the project's ``params/scenarios/``).

    """

    def __init__(self, start: Path | str | None = None, *, model: Any = None,
                 base: Mapping[str, Any] | None = None, folder: Path | str | None = None) -> None:
        import ipywidgets as w

        from capacity import params
        from capacity.runner.registry import NOTEBOOKS

        self.fields = form.leaves(model or params.Scenario)
        self.base = dict(base) if base is not None else form.baseline_values()
        start_values = form.values_of(params.load(start), self.fields) if start else self.base
        self.folder = folder
        self.widgets = {leaf.key: make_widget(leaf, start_values.get(leaf.key)) for leaf in self.fields}
        self.name = w.Text(value=Path(start).stem if start else "", description="name",
                           placeholder="e.g. ceasefire_2026")
        self.status = w.HTML()
        self.diff_view = w.HTML()
        self.save_button = w.Button(description="Save scenario", icon="save")
        self.overwrite = w.Checkbox(value=False, description="overwrite", indent=False)
        report_names = [nb.name for nb in NOTEBOOKS if nb.per == "scenario"]
        self.notebooks = w.SelectMultiple(options=report_names, value=tuple(report_names),
                                          description="notebooks", rows=len(report_names))
        self.run_button = w.Button(description="Run notebooks", icon="play")
        self.progress = w.IntProgress(value=0, min=0, max=1, description="run")
        self.log = w.Output()
        self.saved: Path | None = None
        self.error: str | None = None
        for widget in self.widgets.values():
            widget.observe(self.refresh, names="value")
        self.name.observe(self.refresh, names="value")
        self.save_button.on_click(lambda _: self.save())
        self.run_button.on_click(lambda _: self.run())
        self.refresh()

    def values(self) -> dict[str, Any]:
        """Return the form's values (raises ValueError on YAML that does not parse)."""
        return {leaf.key: read_widget(leaf, self.widgets[leaf.key]) for leaf in self.fields}

    def refresh(self, _change: Any = None) -> None:
        """Validate the form and show the result and the diff against the baseline."""
        try:
            values = self.values()
        except ValueError as exc:
            self.error = str(exc)
        else:
            self.error = form.validate(values, self.base, name=self.name.value or "draft")
            rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(_shown(old))}"
                           f"</td><td><b>{html.escape(_shown(new))}</b></td></tr>"
                           for k, (old, new) in form.diff(values, self.base).items())
            self.diff_view.value = (
                f"<table><tr><th>parameter</th><th>baseline</th><th>this scenario</th></tr>{rows}"
                "</table>" if rows else "<i>No changes from the baseline yet.</i>")
        self.status.value = ("<span style='color:#1a7f37'>valid</span>" if self.error is None else
                             "<pre style='color:#b42318;white-space:pre-wrap'>"
                             f"{html.escape(self.error)}</pre>")

    def save(self) -> Path | None:
        """Save the scenario (only its changes); return the file, or None (the error is shown)."""
        from capacity.errors import ParameterError

        try:
            self.saved = form.save(self.values(), self.base, self.name.value, folder=self.folder,
                                   overwrite=self.overwrite.value)
        except (ParameterError, ValueError) as exc:
            self.error = str(exc)
            self.status.value = f"<pre style='color:#b42318'>{html.escape(self.error)}</pre>"
            return None
        self.status.value = f"saved <code>{html.escape(str(self.saved))}</code>"
        return self.saved

    def run(self, **settings: Any) -> Any:
        """Save, then run the selected notebooks for the scenario with progress shown."""
        path = self.save() if self.saved is None or self.overwrite.value else self.saved
        if path is None:
            return None
        self.progress.value = 0

        def started(total: int) -> None:
            self.progress.max = max(total, 1)

        def job_done(line: str) -> None:
            self.progress.value += 1
            self.log.append_stdout(line + "\n")

        result = form.run_notebooks(path, list(self.notebooks.value), on_start=started,
                                    on_job=job_done, **settings)
        self.log.append_stdout(f"{result.status}: {result.run_dir / 'index.html'}\n")
        return result

    def sections(self) -> Sequence[Any]:
        """Return one box per section, each row: key, input, unit and range, baseline, meaning."""
        import ipywidgets as w

        boxes: dict[str, list[Any]] = {}
        for leaf in self.fields:
            unit = "" if leaf.unit in ("", "-") else leaf.unit
            note = " · ".join(x for x in (unit, leaf.range_text) if x)
            rows = boxes.setdefault(leaf.path[0], [])
            rows.append(w.HBox([
                w.HTML(f"<code>{html.escape('.'.join(leaf.path[1:]))}</code>",
                       layout=w.Layout(width="16em")),
                self.widgets[leaf.key],
                w.HTML(f"<small>{html.escape(note)}<br>baseline: "
                       f"{html.escape(_shown(self.base.get(leaf.key)))}<br>"
                       f"{html.escape(leaf.meaning)}</small>", layout=w.Layout(width="34em")),
            ]))
        return [w.VBox(rows) for rows in boxes.values()], list(boxes)

    def show(self) -> Any:
        """Return the whole form (display it in a notebook cell)."""
        import ipywidgets as w

        boxes, titles = self.sections()
        tabs = w.Accordion(children=boxes, titles=tuple(titles))
        return w.VBox([tabs, w.HTML("<b>Validation</b>"), self.status,
                       w.HTML("<b>Changes from the baseline</b>"), self.diff_view,
                       w.HBox([self.name, self.overwrite, self.save_button]),
                       w.HBox([self.notebooks, self.run_button, self.progress]), self.log])
