"""A short early-warning and "what changed" note at the top of a scenario's national reports.

The report template leaves the marker :data:`MARKER` below its top bar; once the run's
vintage is recorded, :func:`stamp_reports` replaces it in ``<run>/<scenario>/*.html`` with
:func:`note_html` (escaped text, status in words, a link to the index for the details).
Municipal reports keep the marker (an HTML comment) untouched.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from capacity import i18n
from capacity.i18n import N_

MARKER = "<!-- capacity:vintage-note -->"

#: Status words shown beside (not instead of) the colour, here and on the run's index page (English;
#: the catalogue has the Dutch, :mod:`capacity.i18n`).
STATUS = {
    "red": N_("RED — action needed"),
    "amber": N_("AMBER — watch closely"),
    "green": N_("GREEN — no trigger fired"),
    "unknown": N_("NOT EVALUATED"),
    "stale": N_("STALE DATA — update the data"),
}
#: The note's words.
_TEXT = {
    **STATUS,
    "title": N_("Early warning"),
    "fired": N_("fired"),
    "unchanged": N_("Inputs unchanged since run {run}."),
    "first": N_("First run of this scenario in the vintage store."),
    "since": N_("Since run {run}:"),
    "params": N_("parameters"),
    "data": N_("data files"),
    "months": N_("new observations"),
    "code": N_("code version"),
    "details": N_("Details, and every headline figure then and now, on the run overview"),
}
_COLOURS = {"red": "#b42318", "amber": "#b54708", "green": "#1a7f37", "unknown": "#888", "stale": "#6941c6"}


def _changes_text(changes: Mapping[str, Any], t: Mapping[str, str]) -> str:
    if changes.get("first"):
        return t["first"]
    run = changes.get("previous_run") or ""
    if changes.get("unchanged"):
        return t["unchanged"].format(run=run)
    parts = []
    if changes.get("params"):
        parts.append(f"{t['params']} " + ", ".join(p["key"] for p in changes["params"]))
    if changes.get("data"):
        parts.append(f"{t['data']} " + ", ".join(d["name"] for d in changes["data"]))
    if changes.get("new_months"):
        parts.append(f"{t['months']} " + ", ".join(changes["new_months"]))
    if changes.get("code"):
        parts.append(f"{t['code']} {changes['code']['then'][:12]} → {changes['code']['now'][:12]}")
    return t["since"].format(run=run) + " " + "; ".join(parts) + "."


def note_html(
    status: str,
    triggers: Sequence[Mapping[str, Any]],
    changes: Mapping[str, Any] | None,
    *,
    language: str | None = None,
    index_href: str = "../index.html",
) -> str:
    """Return the note: the status in words, the triggers that fired, what changed, a link.

    ``language``: the page's (``en``, ``nl``); default the kernel's (:func:`capacity.i18n.set_language`).
    """
    t = {key: i18n.gettext(text, language) for key, text in _TEXT.items()}
    fired = [i18n.gettext(tr["title"], language) for tr in triggers if tr.get("status") in ("amber", "red", "stale")]
    lines = [f"<strong>{html.escape(t['title'])}: {html.escape(t.get(status, status))}</strong>"]
    if fired:
        lines.append(html.escape(f"{', '.join(fired)} {t['fired']}."))
    if changes:
        lines.append(html.escape(_changes_text(changes, t)))
    link = f'<a href="{html.escape(index_href)}#early-warning">{html.escape(t["details"])}</a>.'
    colour = _COLOURS.get(status, "#888")
    return (
        f'<div class="capacity-vintage" role="note" id="capacity-vintage" style="border-left: 6px solid '
        f'{colour}; background: #f7f7f7; padding: 0.5em 1em; margin: 1em;">' + " ".join(lines) + f" {link}</div>"
    )


def stamp_reports(scenario_dir: Path, note: str, municipal_note: str | None = None) -> list[Path]:
    """Replace :data:`MARKER` with a note in the scenario's reports; return those changed.

    National pages (``<scenario>/*.html``) get ``note``; municipal pages
    (``<scenario>/municipalities/*.html``, always Dutch, one folder deeper) get
    ``municipal_note`` (the same status in Dutch, linking two folders up), when given.
    """
    changed = []
    pages = [(path, note) for path in sorted(scenario_dir.glob("*.html"))]
    if municipal_note is not None:
        pages += [(path, municipal_note) for path in sorted((scenario_dir / "municipalities").glob("*.html"))]
    for path, text_note in pages:
        text = path.read_text(encoding="utf-8")
        if MARKER not in text:
            continue
        tmp = path.with_suffix(".html.tmp")
        tmp.write_text(text.replace(MARKER, text_note, 1), encoding="utf-8")
        os.replace(tmp, path)
        changed.append(path)
    return changed
