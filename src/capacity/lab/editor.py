"""The scenario editor in JupyterLab: an ipywidgets form generated from the schema.

A thin layer over :mod:`capacity.lab.form`: one widget per leaf of
:class:`~capacity.params.Scenario` (checkbox, number, dropdown, date, text, or YAML for
distributions, lists and mappings), each with its unit, range and meaning and the baseline
value beside it; live validation with ``capacity validate``'s messages, each shown under its
field and summarised at the top; the diff against the baseline; save as a *draft* under
``drafts/scenarios/`` (a name and a title of its own required), promote a draft to a scenario
under ``params/scenarios/`` as a separate step; run the selected notebooks for it in a
background process with a live progress bar and a cancel button (the kernel stays free).

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
    return (
        yaml.safe_dump(form.plain(value), sort_keys=False, allow_unicode=True, default_flow_style=None, width=80)
        .removesuffix("...\n")
        .strip()
    )


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
        return widget(
            value=_yaml_text(value) if leaf.kind != "text" else (value or ""),
            placeholder="empty: none",
            layout=layout,
            **extra,
        )
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
    """The form: widgets for every leaf, validation, diff, save as a draft, promote, run.

    Args:
        start: A scenario or draft file to start from (default the baseline).
        model: The scenario model (default :class:`~capacity.params.Scenario`).
        base: The baseline values (default read from the project's baseline).
        folder: Where to save drafts (default the project's ``drafts/scenarios/``).

    """

    #: Fields shown at the top of the form (the draft's name is the file's, its title is asked for).
    TOP = ("meta.name", "meta.title")

    def __init__(
        self,
        start: Path | str | None = None,
        *,
        model: Any = None,
        base: Mapping[str, Any] | None = None,
        folder: Path | str | None = None,
    ) -> None:
        import ipywidgets as w

        from capacity import params
        from capacity.runner.registry import NOTEBOOKS

        self.fields = form.leaves(model or params.Scenario)
        self.base = dict(base) if base is not None else form.baseline_values()
        start_values = form.values_of(params.load(start), self.fields) if start else dict(self.base)
        if not start:
            start_values["meta.title"] = ""  # a new draft needs a title of its own
        self.folder = folder
        self.widgets = {leaf.key: make_widget(leaf, start_values.get(leaf.key)) for leaf in self.fields}
        self.field_errors = {leaf.key: w.HTML() for leaf in self.fields}
        self.name = w.Text(
            value=Path(start).stem if start else "", description="name", placeholder="e.g. ceasefire_2026"
        )
        self.title = self.widgets.get("meta.title") or w.Text()
        self.title.description, self.title.placeholder = "title", "e.g. Ceasefire in spring 2026"
        self.status = w.HTML()
        self.diff_view = w.HTML()
        self.save_button = w.Button(description="Save draft", icon="save")
        self.overwrite = w.Checkbox(value=False, description="overwrite", indent=False)
        self.promote_button = w.Button(
            description="Promote to scenario",
            icon="check",
            tooltip="validate the saved draft and move it to params/scenarios/",
        )
        self.message = w.HTML()
        report_names = [nb.name for nb in NOTEBOOKS if nb.per == "scenario"]
        self.notebooks = w.SelectMultiple(
            options=report_names, value=tuple(report_names), description="notebooks", rows=len(report_names)
        )
        self.run_button = w.Button(description="Run notebooks", icon="play")
        self.cancel_button = w.Button(description="Cancel run", icon="stop", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=1, description="run")
        self.run_status = w.HTML()
        self.log = w.Output()
        self.saved: Path | None = None
        self.promoted: Path | None = None
        self.error: str | None = None
        self.background: form.BackgroundRun | None = None
        self._dom_classes()
        for widget in self.widgets.values():
            widget.observe(self._edited, names="value")
        self.name.observe(self._edited, names="value")
        self.save_button.on_click(lambda _: self.save())
        self.promote_button.on_click(lambda _: self.promote())
        self.run_button.on_click(lambda _: self.run())
        self.cancel_button.on_click(lambda _: self.cancel())
        self.refresh()

    def _dom_classes(self) -> None:
        """Name every part in the page (``capacity-field-forecast-n_paths`` ...): for a browser, or a test."""
        for key, widget in self.widgets.items():
            widget.add_class("capacity-field-" + key.replace(".", "-"))
            self.field_errors[key].add_class("capacity-error-" + key.replace(".", "-"))
        for part, widget in (
            ("draft-name", self.name),
            ("draft-title", self.title),
            ("summary", self.status),
            ("save", self.save_button),
            ("promote", self.promote_button),
            ("message", self.message),
            ("run", self.run_button),
            ("cancel", self.cancel_button),
            ("progress", self.progress),
            ("notebooks", self.notebooks),
            ("run-status", self.run_status),
        ):
            widget.add_class("capacity-" + part)

    def _edited(self, change: Any = None) -> None:
        """Forget the saved or promoted file after an edit (it no longer holds the form's scenario)."""
        self.saved = self.promoted = None
        self.refresh(change)

    def values(self) -> dict[str, Any]:
        """Return the form's values (raises ValueError on YAML that does not parse).

        An empty title stands for the baseline's while editing (saving asks for one).
        """
        values = {}
        for leaf in self.fields:
            try:
                values[leaf.key] = read_widget(leaf, self.widgets[leaf.key])
            except ValueError as exc:
                raise _FieldError(leaf.key, str(exc)) from None
        if not str(values.get("meta.title") or "").strip():
            values["meta.title"] = self.base.get("meta.title")
        return values

    def refresh(self, _change: Any = None) -> None:
        """Validate the form; show each error at its field, a summary on top, and the diff."""
        try:
            values = self.values()
        except _FieldError as exc:
            self.error = exc.message
            self._show_errors({exc.key: [exc.message]})
            return
        self.error = form.validate(values, self.base, name=self.name.value or "draft")
        rows = "".join(
            f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(_shown(old))}"
            f"</td><td><b>{html.escape(_shown(new))}</b></td></tr>"
            for k, (old, new) in form.diff(values, self.base).items()
        )
        self.diff_view.value = (
            f"<table><tr><th>parameter</th><th>baseline</th><th>this scenario</th></tr>{rows}</table>"
            if rows
            else "<i>No changes from the baseline yet.</i>"
        )
        self._show_errors(form.field_errors(self.error, self.widgets))

    def _show_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Write each field's errors under it; summarise them (with links to the keys) on top."""
        for key, box in self.field_errors.items():
            lines = errors.get(key, [])
            box.value = "".join(
                f"<div style='color:#b42318' class='capacity-field-error'>⚠ {html.escape(line)}</div>" for line in lines
            )
            if lines:
                self.widgets[key].add_class("capacity-invalid")
            else:
                self.widgets[key].remove_class("capacity-invalid")
        if not errors:
            self.status.value = "<span style='color:#1a7f37' class='capacity-valid'>✔ valid</span>"
            return
        n = sum(len(v) for v in errors.values())
        items = "".join(
            f"<li><code>{html.escape(k or 'scenario')}</code>: {html.escape(line)}</li>"
            for k, lines in errors.items()
            for line in lines
        )
        self.status.value = (
            f"<div style='color:#b42318' class='capacity-errors'><b>{n} problem"
            f"{'s' if n != 1 else ''}</b> (each is also shown at its field, in "
            f"the section named first):<ul>{items}</ul></div>"
        )

    def save(self) -> Path | None:
        """Save the draft (only its changes); return the file, or None (the error is shown)."""
        from capacity.errors import ParameterError

        try:
            values = self.values()
            self.saved = form.save(
                values,
                self.base,
                self.name.value,
                title=self.title.value,
                folder=self.folder,
                overwrite=self.overwrite.value,
            )
        except (ParameterError, ValueError) as exc:
            self.message.value = f"<pre style='color:#b42318'>{html.escape(str(exc))}</pre>"
            return None
        self.message.value = (
            f"saved draft <code>{html.escape(str(self.saved))}</code> (not a "
            "scenario yet: no scheduled run reads drafts; promote it when ready)"
        )
        return self.saved

    def promote(self) -> Path | None:
        """Promote the saved draft to a scenario (``params/scenarios/``); None when refused (shown)."""
        from capacity.errors import ParameterError

        if self.saved is None:
            self.message.value = "<pre style='color:#b42318'>save the draft first</pre>"
            return None
        try:
            self.promoted = form.promote(self.saved)
        except ParameterError as exc:
            self.message.value = f"<pre style='color:#b42318'>{html.escape(str(exc))}</pre>"
            return None
        self.message.value = (
            f"promoted to <code>{html.escape(str(self.promoted))}</code>: "
            "<code>capacity run --all-scenarios</code> now runs it"
        )
        self.saved = None  # moved: runs now use the scenario file
        return self.promoted

    def run(
        self, *, reports_dir: Path | str | None = None, jobs: int | None = None, argv: Sequence[str] | None = None
    ) -> form.BackgroundRun | None:
        """Save, then run the selected notebooks in a background process; return at once.

        The progress bar advances as each report ends; **Cancel run** stops it. ``argv``
        replaces the command (tests).
        """
        if self.background is not None and self.background.running:
            self.message.value = "<pre style='color:#b42318'>a run is under way: cancel it first</pre>"
            return None
        path = self.saved or self.promoted  # what the form holds, saved (a draft) or promoted
        if path is None or self.overwrite.value:
            path = self.save()
        if path is None:
            return None
        from capacity.errors import CapacityError

        chosen = list(self.notebooks.value)
        try:
            keys = form.job_keys(path, chosen)
        except CapacityError as exc:  # an unknown notebook, a bad data folder: say so, run nothing
            self.message.value = f"<pre style='color:#b42318'>{html.escape(str(exc))}</pre>"
            return None
        self.progress.value, self.progress.max = 0, max(len(keys), 1)
        self.progress.bar_style = ""
        self.run_status.value = f"running {len(keys)} report(s) for <code>{html.escape(path.stem)}</code> …"
        self.log.clear_output()
        command = list(argv) if argv is not None else form.run_command(path, chosen, reports_dir=reports_dir, jobs=jobs)
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.background = form.BackgroundRun(command, keys, on_line=self._line, on_end=self._ended)
        return self.background

    def _line(self, line: str) -> None:
        if self.background is not None:
            self.progress.value = min(self.background.done, self.progress.max)
        self.log.append_stdout(line + "\n")

    def _ended(self, run: form.BackgroundRun) -> None:
        self.run_button.disabled, self.cancel_button.disabled = False, True
        self.progress.value = min(run.done, self.progress.max)
        self.progress.bar_style = {"ok": "success", "cancelled": "warning"}.get(run.status, "danger")
        index = next((line.split("index: ", 1)[1] for line in run.lines if line.startswith("index: ")), "")
        where = f": <code>{html.escape(index)}</code>" if index else ""
        self.run_status.value = f"<b>{run.status}</b> ({run.done} of {run.total} reports){where}"

    def cancel(self) -> None:
        """Stop the background run (its kernels end; the run is marked interrupted)."""
        if self.background is not None:
            self.background.cancel()
            self.run_status.value = "cancelling …"

    def sections(self) -> Sequence[Any]:
        """Return one box per section, each row: key, input and its errors, unit and range, baseline, meaning."""
        import ipywidgets as w

        boxes: dict[str, list[Any]] = {}
        for leaf in self.fields:
            if leaf.key in self.TOP:
                continue
            unit = "" if leaf.unit in ("", "-") else leaf.unit
            note = " · ".join(x for x in (unit, leaf.range_text) if x)
            rows = boxes.setdefault(leaf.path[0], [])
            rows.append(
                w.HBox(
                    [
                        w.HTML(f"<code>{html.escape('.'.join(leaf.path[1:]))}</code>", layout=w.Layout(width="16em")),
                        w.VBox([self.widgets[leaf.key], self.field_errors[leaf.key]], layout=w.Layout(width="24em")),
                        w.HTML(
                            f"<small>{html.escape(note)}<br>baseline: "
                            f"{html.escape(_shown(self.base.get(leaf.key)))}<br>"
                            f"{html.escape(leaf.meaning)}</small>",
                            layout=w.Layout(width="34em"),
                        ),
                    ]
                )
            )
        return [w.VBox(rows) for rows in boxes.values()], list(boxes)

    def show(self) -> Any:
        """Return the whole form (display it in a notebook cell): summary on top, then the fields."""
        import ipywidgets as w

        boxes, titles = self.sections()
        tabs = w.Accordion(children=boxes, titles=tuple(titles))
        self.accordion = tabs

        def open_first_error(_change: Any = None) -> None:
            first = next((k for k in self.field_errors if self.field_errors[k].value), None)
            if first is not None and first.split(".")[0] in titles:
                tabs.selected_index = titles.index(first.split(".")[0])

        self.status.observe(open_first_error, names="value")
        title_error = self.field_errors.get("meta.title", w.HTML())
        return w.VBox(
            [
                w.HTML(
                    "<b>Draft</b> (saved to <code>drafts/scenarios/</code>; no scheduled run reads "
                    "drafts until you promote one)"
                ),
                w.HBox([self.name, w.VBox([self.title, title_error])]),
                self.status,
                w.HBox([self.overwrite, self.save_button, self.promote_button]),
                self.message,
                tabs,
                w.HTML("<b>Changes from the baseline</b>"),
                self.diff_view,
                w.HBox(
                    [
                        self.notebooks,
                        w.VBox([w.HBox([self.run_button, self.cancel_button]), self.progress, self.run_status]),
                    ]
                ),
                self.log,
            ]
        )


class _FieldError(ValueError):
    """A field whose text does not parse (YAML); carries its key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message
