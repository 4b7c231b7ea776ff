"""Charts for the reports: fan charts, history lines, and the offline-safe, labelled wrapper.

Figures are shown with :func:`figure`, which emits a ``text/html`` output (a ``<figure>``
with a text alternative, a div and a script calling ``window.Plotly``) next to plotly's own
JSON mimetype. JupyterLab renders the JSON; the HTML report renders the div, loading
plotly.js once per run from ``assets/plotly.min.js`` (the runner puts that ``<script>`` in the
page head), so reports work offline without inlining 3.5 MB of JavaScript into every file.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from babel import numbers

from capacity import i18n
from capacity.i18n import N_
from capacity.params.clock import reference_date
from capacity.quantiles import BANDS
from capacity.report.format import COUNTS, fmt_month, fmt_range, fmt_value, locale
from capacity.report.labels import in_words, t

#: The look of every chart: plotly_white's layout only. Its per-trace-type defaults (bar,
#: contour, 3-D, ...) are 6 kB of JSON no chart here uses, written into every page otherwise.
LIGHT = go.layout.Template(
    layout={
        key: value
        for key, value in pio.templates["plotly_white"].layout.to_plotly_json().items()
        if key
        in (
            "autotypenumbers",
            "colorway",
            "font",
            "hovermode",
            "hoverlabel",
            "paper_bgcolor",
            "plot_bgcolor",
            "xaxis",
            "yaxis",
            "title",
        )
    }
)


#: Set (to ``1``) by the report runner for kernels whose notebooks are not kept: a figure is
#: then only its HTML, without the JSON twin JupyterLab renders (~20 kB a chart to encode,
#: send and decode for nothing).
HTML_ONLY_ENV = "CAPACITY_FIGURES_HTML_ONLY"


class Figure:
    """A plotly figure for display: interactive in JupyterLab and in offline HTML reports.

    In the report it is a ``<figure>`` whose chart carries a text alternative (``role="img"``
    with the title and summary as its label) and a caption with the summary under it, so a
    screen reader, a printout and a reader who cannot see the colours all get the point.
    """

    def __init__(self, fig: go.Figure, summary: str | None = None):
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        self.summary = summary if summary is not None else meta.get("summary", "")
        self.language = meta.get("language") or i18n.language()  # the builder's, else the kernel's
        self.fig = _month_ticks(mark_today(_drop_doubled_markers(_compact_dates(fig)), language=self.language))
        _numbers_in(self.fig, self.language)

    @property
    def raw_title(self) -> str:
        """The chart's title as plotly has it, with its markup (``<br>``, ``<b>``)."""
        return str(self.fig.layout.title.text or "")

    @property
    def title(self) -> str:
        """The chart's title as plain text: plotly's markup dropped, a line break a space."""
        return plain_title(self.raw_title)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        config = {"displaylogo": False, "responsive": True}
        if self.language != "en":  # English is plotly's own; e.g. assets/plotly-locale-nl.js for nl
            config["locale"] = self.language  # month names from the locale file
        div = _untitled(self.fig).to_html(full_html=False, include_plotlyjs=False, config=config)
        label = html.escape(". ".join(p for p in (self.title, self.summary) if p), quote=True)
        heading = (
            f'<p class="{TITLE_CLASS}" style="{TITLE_STYLE}">{title_html(self.raw_title)}</p>' if self.title else ""
        )
        caption = f"<figcaption>{html.escape(self.summary)}</figcaption>" if self.summary else ""
        chart = f'<div role="img" aria-label="{label}">{div}</div>'
        wrapped = f'<figure class="capacity-chart">{heading}{chart}{caption}</figure>'
        if os.environ.get(HTML_ONLY_ENV):  # a report run: the page shows the HTML, not the JSON
            return {"text/html": wrapped}
        return {"text/html": wrapped, "application/vnd.plotly.v1+json": json.loads(self.fig.to_json())}


#: The chart's title in the page: a line of HTML above the plot, which wraps at any width. Inside
#: the plot a title does not wrap: on a phone (390 px) it ran off the edge under plotly's mode bar.
TITLE_CLASS = "capacity-chart-title"
TITLE_STYLE = "font-weight:bold;font-size:1.05em;margin:0.6em 0 0"


#: Plotly's markup in a title (``<br>``, ``<b>…</b>``, ``<span style=…>``): a tag, or the text between.
_TAG = re.compile(r"<(/?)([a-zA-Z]+)(?:\s[^<>]*)?/?>")
#: The tags of plotly's markup the page's title line keeps (as bare tags, without attributes).
_KEPT_TAGS = frozenset({"b", "i", "sup", "sub"})


def title_html(title: str) -> str:
    """Return a plotly title as the HTML of the page's title line, its simple markup kept safely.

    ``<br>`` is a line break and ``<b>``, ``<i>``, ``<sup>``, ``<sub>`` stay (without attributes);
    any other tag (``<span style=…>``, ``<a href=…>``) is dropped, its text kept. Everything
    else is escaped: a municipality's name or a scenario title never becomes markup.
    """
    out, end = [], 0
    for match in _TAG.finditer(title):
        out.append(html.escape(title[end : match.start()], quote=False))
        closing, tag = match.group(1), match.group(2).lower()
        if tag == "br":
            out.append("<br>")
        elif tag in _KEPT_TAGS:
            out.append(f"<{closing}{tag}>")
        end = match.end()
    out.append(html.escape(title[end:], quote=False))
    return "".join(out)


def plain_title(title: str) -> str:
    """Return a plotly title as plain text (a text alternative): line breaks a space, tags dropped."""
    text = _TAG.sub(lambda m: " " if m.group(2).lower() == "br" else "", title)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _untitled(fig: go.Figure) -> go.Figure:
    """Return a copy of ``fig`` without its title (the page prints it above), its top margin narrowed."""
    if not fig.layout.title.text:
        return fig
    shown = go.Figure(fig)
    shown.layout.title.text = None
    top = shown.layout.margin.t
    shown.layout.margin.t = 40 if top is None else min(top, 40)  # room for the "today" label
    return shown


#: Plotly's own tick format for percentages, which prints close ticks alike ("1%, 1%, 2%").
_WHOLE_PERCENT = ".0%"


def _numbers_in(fig: go.Figure, language: str) -> go.Figure:
    """Write a chart's numbers as its language does; in place.

    The separators are the language's (``20.000`` and ``0,5`` on a Dutch page); numeric axes
    without a tick format of their own get whole-number ticks without plotly's SI suffixes
    (``20k``, ``5M``); percent axes get a decimal where close ticks need one.
    """
    if fig.layout.separators is None:
        separators = _separators(language)
        if separators != ".,":
            fig.layout.separators = separators
    dates = {"xaxis" + ref[1:] for ref in _date_axes(fig)}
    names = {"xaxis", "yaxis"} | {key for key in fig.layout.to_plotly_json() if re.fullmatch(r"[xy]axis\d*", key)}
    for name in sorted(names - dates):
        axis = fig.layout[name]
        if axis.type in ("date", "category", "log", "multicategory"):
            continue
        if axis.tickformat is None:
            axis.tickformat = COUNT_TICKS
        elif axis.tickformat == _WHOLE_PERCENT:
            axis.tickformat = PERCENT_TICKS
    return fig


def _separators(language: str | None) -> str:
    """Return plotly's ``separators`` (decimal sign, then group sign) of ``language``."""
    where = locale(i18n.language(language))
    return numbers.get_decimal_symbol(where) + numbers.get_group_symbol(where)


def _compact_dates(fig: go.Figure) -> go.Figure:
    """Write month dates on the x axis as ``2025-04-01``, not ``2025-04-01T00:00:00.000000``.

    Plotly reads both as the same date; the short form saves 16 characters a point, about
    4.5 kB a fan chart in every page. Changes ``fig`` in place; other x values stay as they are.
    """
    for trace in fig.data:
        x = getattr(trace, "x", None)
        values = np.asarray(x) if x is not None else np.array([])
        is_dates = values.dtype.kind == "M" or (
            values.dtype.kind == "O"
            and len(values) > 0
            and all(isinstance(v, (pd.Timestamp, datetime.datetime)) or v is None for v in values)
        )
        if not is_dates:  # numbers, categories and date strings stay as they are
            continue
        dates = pd.Series(pd.DatetimeIndex(values))
        short = _days(dates)
        if short is not None:
            trace.x = short
    return fig


#: The label of the dashed line at the run's "today" on every time chart (see :func:`mark_today`).
TODAY = N_("today")
#: The label of the dotted line where a fan chart's observations end.
LAST_COUNT = N_("last count")
#: Names of the marker lines (a shape and its label): stable, so tests and readers can find them.
TODAY_NAME = "today"
OBSERVED_END_NAME = "observed_end"
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T].*)?$")


def _is_dates(x: Any) -> bool:
    """Say whether a trace's x values are dates (datetimes, or text written ``2025-04-01``)."""
    if x is None:
        return False
    values = np.asarray(x)
    if values.dtype.kind == "M":
        return True
    found = [v for v in values.ravel() if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return bool(found) and all(
        isinstance(v, (pd.Timestamp, datetime.datetime, datetime.date, np.datetime64))
        or (isinstance(v, str) and _DATE_TEXT.match(v) is not None)
        for v in found
    )


def _date_axes(fig: go.Figure) -> dict[str, str]:
    """Return the x axes that hold dates, each with the y axis of its first trace (``{"x": "y"}``)."""
    axes: dict[str, str] = {}
    for trace in fig.data:
        ref = getattr(trace, "xaxis", None) or "x"
        if ref not in axes and getattr(trace, "orientation", None) != "h" and _is_dates(getattr(trace, "x", None)):
            axes[ref] = getattr(trace, "yaxis", None) or "y"
    for ref in list(axes):  # a category or numeric axis set by the caller is not a time axis
        layout_axis = fig.layout["xaxis" + ref[1:]]
        if layout_axis is not None and layout_axis.type not in (None, "date", "-"):
            axes.pop(ref)
    return axes


def _is_vertical_line(shape: Any) -> bool:
    return shape.type == "line" and shape.x0 is not None and str(shape.x0) == str(shape.x1)


def _same_day(a: Any, b: Any) -> bool:
    try:
        return pd.Timestamp(a).normalize() == pd.Timestamp(b).normalize()
    except (TypeError, ValueError):
        return False


def _marks_today(fig: go.Figure) -> bool:
    """Say whether the chart marks today already (our line, or a line labelled "today" by its builder)."""
    labels = {i18n.gettext(TODAY, language) for language in i18n.LANGUAGES}
    return any(shape.name == TODAY_NAME for shape in fig.layout.shapes) or any(
        note.name == TODAY_NAME or note.text in labels for note in fig.layout.annotations
    )


#: Date ticks as month and year ("jan 2027"): the month's name comes from the page's plotly
#: locale (Dutch pages load plotly's ``nl``), so a Dutch axis never reads "Jul 2025" or "2027".
MONTH_TICKS = "%b %Y"


def _month_ticks(fig: go.Figure) -> go.Figure:
    """Write every date x axis of ``fig`` without its own tick format as month and year; in place."""
    for xref in _date_axes(fig):
        axis = fig.layout["xaxis" + xref[1:]]
        if axis.tickformat is None:
            axis.tickformat = MONTH_TICKS
    return fig


def mark_today(fig: go.Figure, *, today: Any = None, language: str | None = None) -> go.Figure:
    """Draw the run's "today" on every x axis of ``fig`` that holds dates; changes ``fig`` in place.

    A dashed vertical line named ``today`` with a small label ("today" / "nu") at the top.
    Today is the run's reference date: ``capacity run --as-of`` when given, else the run date
    (:func:`capacity.params.clock.reference_date`). A chart without dates, or one that marks
    today already (its builder drew a line labelled "today"), is left as it is.

    Args:
        fig: The chart.
        today: The day to mark; default the run's reference date.
        language: The label's language; default the chart's, else the kernel's.

    Returns:
        ``fig``.

    """
    axes = _date_axes(fig)
    if not axes or _marks_today(fig):
        return fig
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    language = language or meta.get("language") or i18n.language()
    day = reference_date(today).strftime("%Y-%m-%d")
    label = i18n.gettext(TODAY, language)
    for xref, yref in axes.items():
        fig.add_shape(
            type="line",
            name=TODAY_NAME,
            xref=xref,
            x0=day,
            x1=day,
            yref=f"{yref} domain",
            y0=0,
            y1=1,
            line={"color": "black", "width": 1, "dash": "dash"},
            layer="above",
        )
        fig.add_annotation(
            name=TODAY_NAME,
            xref=xref,
            x=day,
            yref=f"{yref} domain",
            y=1,
            text=label,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 10},
        )
    return fig


def _observed_end(x: str, language: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the shape and label of the dotted line where a chart's observations end."""
    shape = {
        "type": "line",
        "name": OBSERVED_END_NAME,
        "xref": "x",
        "x0": x,
        "x1": x,
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "line": {"color": "gray", "width": 1, "dash": "dot"},
    }
    note = {
        "name": OBSERVED_END_NAME,
        "xref": "x",
        "x": x,
        "yref": "y domain",
        "y": 1,
        "showarrow": False,
        "xanchor": "right",
        "yanchor": "bottom",
        "font": {"size": 10, "color": "gray"},
        "text": i18n.gettext(LAST_COUNT, language),
    }
    return shape, note


def _drop_doubled_markers(fig: go.Figure) -> go.Figure:
    """Drop a fan chart's own "last count" line where its caller drew one on the same day."""
    ours = [s for s in fig.layout.shapes if s.name == OBSERVED_END_NAME]
    theirs = [s for s in fig.layout.shapes if s.name != OBSERVED_END_NAME and _is_vertical_line(s)]
    if ours and any(_same_day(s.x0, o.x0) for s in theirs for o in ours):
        fig.layout.shapes = [s for s in fig.layout.shapes if s.name != OBSERVED_END_NAME]
        fig.layout.annotations = [a for a in fig.layout.annotations if a.name != OBSERVED_END_NAME]
    return fig


def figure(fig: go.Figure, summary: str | None = None) -> Figure:
    """Wrap ``fig`` for offline reports with a text alternative (see :class:`Figure`).

    A chart whose x axis holds dates gets the run's "today" line here (:func:`mark_today`),
    so every time chart shows it without its builder asking.

    Args:
        fig: The chart.
        summary: One or two sentences on what it shows and its key numbers; default the
            summary the chart builder left in ``fig.layout.meta["summary"]``, if any.

    """
    return Figure(fig, summary)


def _dates_in(fig: go.Figure, language: str | None) -> go.Figure:
    """Mark the chart's language: its separators here, its month names from the locale."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(_language_layout(language, meta))
    return fig


def _language_layout(language: str | None, meta: dict[str, Any]) -> dict[str, Any]:
    """Return the layout that marks a chart's language (see :func:`_dates_in`).

    The separators are the language's (Babel's locale); English keeps plotly's own, which are
    the same, and its hover dates.
    """
    language = i18n.language(language)
    layout: dict[str, Any] = {"meta": {**meta, "language": language}}
    separators = _separators(language)
    if separators != ".,":
        layout.update(separators=separators, xaxis={"hoverformat": "%-d %b %Y"})
    return layout


def described(fig: go.Figure, summary: str, language: str | None = None) -> go.Figure:
    """Leave a chart's caption and text alternative and mark its language; changes ``fig`` in place.

    The one way every chart builder says what its chart shows: the summary goes into
    ``layout.meta["summary"]``, which :class:`Figure` prints as the ``<figcaption>`` and in the
    chart's ``aria-label``. Its figures are printed by the formatter (:func:`fmt_value`).
    """
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    layout = _language_layout(language, {**meta, "summary": summary})
    if not _date_axes(fig):  # the Dutch hover date is for a time axis only
        layout.pop("xaxis", None)
    fig.update_layout(layout)
    return fig


def say(
    values: Any, unit: str, language: str | None = None, rounding: float | None = None, *, small: bool = False
) -> list[str]:
    """Return a trace's hover texts: each value through :func:`fmt_value`, ``""`` where it is missing.

    The step is ``rounding``, else a chart's display step of the value (:func:`_step`).
    """
    return [
        ""
        if pd.isna(v)
        else fmt_value(v, unit, rounding if rounding is not None else _step(unit, v), language, small=small)
        for v in np.asarray(values, dtype=float)
    ]


def hover(name: str) -> str:
    """Return the hover template of a trace whose ``text`` holds its preformatted figures."""
    return f"{name}: %{{text}}<extra></extra>"


#: The items of a summary that lists figures ("Germany: 1,200,000 (June 2025)").
ITEM = N_("{name}: {value} ({when})")
#: A chart's caption that gives the last value of each line.
LAST_VALUES = N_("Last values: {values}.")


def last_values(frame: pd.DataFrame, names: str, unit: str, language: str | None, limit: int = 10) -> str:
    """Say the last value of each line of a long frame (``date``, ``value``, ``names``), at most ``limit``."""
    items = []
    for name, rows in frame.dropna(subset=["value"]).sort_values("date").groupby(names, sort=False):
        last = rows.iloc[-1]
        items.append(
            i18n.gettext(ITEM, language).format(
                name=name,
                value=fmt_value(last["value"], unit, _step(unit, last["value"]), language),
                when=fmt_month(last["date"], language),
            )
        )
    return i18n.gettext(LAST_VALUES, language).format(values="; ".join(items[:limit])) if items else ""


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(_base_layout(title, y_title))
    return fig


#: Tick labels of a count axis: whole numbers with the language's separators (``20.000``), never
#: plotly's SI suffixes (``20k``, ``5M``, English to a Dutch reader) nor e-notation.
COUNT_TICKS = ",~r"
#: Tick labels of a percentage axis: one decimal where the ticks need it (``1%, 1.5%, 2%``),
#: so close ticks never print the same label twice (``1%, 1%, 2%``).
PERCENT_TICKS = ".1~%"


def _base_layout(title: str, y_title: str) -> dict[str, Any]:
    """Return the layout every time chart shares: title, look, hover, margins, legend below."""
    return {
        "title": {"text": title},
        "template": LIGHT,
        "hovermode": "x unified",
        "yaxis": {"title": {"text": y_title}, "tickformat": COUNT_TICKS},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        "height": 420,
    }


def _days(dates: pd.Series) -> list[Any] | None:
    """Return dates at midnight as ``2025-04-01`` (see :func:`_compact_dates`); else None."""
    if pd.api.types.is_datetime64_any_dtype(dates) and dates.dt.tz is None:
        valid = dates.dropna()
        if (valid == valid.dt.normalize()).all():
            return [d.strftime("%Y-%m-%d") if pd.notna(d) else None for d in dates]
    return None


def _x(values: pd.Series) -> list[Any]:
    """Return a trace's x values: dates at midnight written short, anything else as it is."""
    short = _days(values)
    return list(values) if short is None else short


def _y(values: pd.Series) -> np.ndarray:
    """Return a chart's y values as 32-bit floats: 7 digits, more than a chart shows, in half the bytes."""
    return values.to_numpy(dtype=np.float32)


def fan_chart(  # noqa: PLR0913 - ``percent`` stays for its callers until they pass ``unit="share"``
    table: pd.DataFrame,
    variable: str,
    *,
    title: str | None = None,
    history: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
    reference_name: str = "",
    y_title: str | None = None,
    language: str | None = None,
    percent: bool = False,
    unit: str | None = None,
    small: bool = False,
    rounding: Callable[[float], float] | None = None,
) -> go.Figure:
    """Draw the median and the 50/67/95 % bands of one variable of a quantile table.

    The figure is built in one call from plain traces and layout (validated by plotly once):
    a municipal page draws one, and building it trace by trace took five times as long.

    Args:
        table: Quantile-contract table (``date``, ``variable``, ``q0.025`` … ``q0.975``).
        variable: Which variable to draw.
        title: Chart title; defaults to the variable's label.
        history: Optional observed values: columns ``date``, ``value`` (and ``flag``); a
            dotted "last count" line marks the last month with a value.
        reference: Optional line to compare against (e.g. places): ``date``, ``value``.
        reference_name: Legend name of the reference line.
        y_title: Axis title; defaults to persons.
        language: ``en`` or ``nl``; default the kernel's.
        percent: Show the axis as a percentage (values are shares).
        unit: Unit of the values for hover text and summary, as :func:`fmt_value` prints it
            (``persons``, ``cases``, ``EUR``, ...); default ``share`` with ``percent``, else ``persons``.
        small: A municipal page: counts below 10 are printed as "fewer than 10" in the hover
            text, caption and text alternative, never as an exact-looking 4 (an exact 0 stays 0).
        rounding: The display step of a figure (from its size); default the headline table's.

    Returns:
        A plotly figure.

    """
    language = i18n.language(language)
    rows = table[table["variable"] == variable].sort_values("date")
    x = _x(rows["date"])
    unit = unit or ("share" if percent else "persons")
    percent = percent or unit == "share"
    words = _Words(unit, language, small, rounding)
    steps = [words.step(m) for m in rows["q0.50"]]

    def say(values: pd.Series) -> list[str]:  # hover text: the formatter, the headline's rounding
        return [words.value(v, step) for v, step in zip(values, steps, strict=True)]

    traces: list[dict[str, Any]] = []
    shades = {95: 0.22, 67: 0.38, 50: 0.55}  # the 95 % band stays visible on white and in print
    for p in (95, 67, 50):
        lo, hi = BANDS[p]
        name = t("band", language, p=p)
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": _y(rows[hi]),
                "mode": "lines",
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
                "legendgroup": name,
            }
        )
        ranges = [words.range(a, b, step) for a, b, step in zip(rows[lo], rows[hi], steps, strict=True)]
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": _y(rows[lo]),
                "mode": "lines",
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": f"rgba(31,119,180,{shades[p]})",
                "name": name,
                "legendgroup": name,
                "text": ranges,
                "hovertemplate": f"{name}: %{{text}}<extra></extra>",
            }
        )
    median = t("median", language)
    traces.append(
        {
            "type": "scatter",
            "x": x,
            "y": _y(rows["q0.50"]),
            "mode": "lines",
            "line": {"color": "rgb(31,119,180)", "width": 2.5},
            "name": median,
            "text": say(rows["q0.50"]),
            "hovertemplate": f"{median}: %{{text}}<extra></extra>",
        }
    )
    markers: list[tuple[dict[str, Any], dict[str, Any]]] = []
    gaps: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    if history is not None and not history.empty:
        observed = t("observed", language)
        history = history.sort_values("date")
        gaps = missing_stretches(history, rows["date"].min() if len(rows) else None)
        history = break_gaps(history)
        traces.append(
            {
                "type": "scatter",
                "x": _x(history["date"]),
                "y": _y(history["value"]),
                "connectgaps": False,
                "mode": "markers+lines",
                "marker": {"size": 5, "color": "black"},
                "line": {"color": "gray", "width": 1},
                "name": observed,
                "text": ["" if pd.isna(v) else words.value(v, words.step(0)) for v in history["value"]],
                "hovertemplate": f"{observed}: %{{text}}<extra></extra>",
            }
        )
        seen = pd.to_datetime(history.loc[history["value"].notna(), "date"])
        if len(seen):
            markers.append(_observed_end(seen.max().strftime("%Y-%m-%d"), language))
    if reference is not None and not reference.empty:
        traces.append(
            {
                "type": "scatter",
                "x": _x(reference["date"]),
                "y": _y(reference["value"]),
                "mode": "lines",
                "line": {"color": "firebrick", "dash": "dash"},
                "name": reference_name,
                "text": [words.value(v, words.step(v)) for v in reference["value"]],
                "hovertemplate": f"{reference_name}: %{{text}}<extra></extra>",
            }
        )
    if y_title is None:
        y_title = t("share", language) if percent else t("persons", language)
    layout = _base_layout(title or t(variable, language), y_title)
    if percent:
        layout["yaxis"]["tickformat"] = PERCENT_TICKS
    layout.update(_language_layout(language, {"summary": _fan_summary(rows, words, gaps)}))
    if markers:
        layout.update(shapes=[shape for shape, _ in markers], annotations=[note for _, note in markers])
    return go.Figure(data=[{k: v for k, v in trace.items() if v is not None} for trace in traces], layout=layout)


def forecast_step(median: float) -> float:
    """Display step of a forecast count, as in the headline table: 100 from 10,000, 10 from 1,000, else 1."""
    size = abs(float(median)) if pd.notna(median) else 0.0
    return 100.0 if size >= 10_000 else 10.0 if size >= 1_000 else 1.0


def _step(unit: str, median: float) -> float:
    """Display step of a fan chart's figure: a tenth of a percent, a headline count's step, else 1."""
    if unit in ("share", "pp", "percentage_points"):
        return 0.001
    return forecast_step(median) if unit in COUNTS else 1.0


class _Words:
    """How a fan chart prints its figures: the formatter, by unit, to the chart's display step."""

    def __init__(self, unit: str, language: str | None, small: bool, rounding: Callable[[float], float] | None) -> None:
        self.unit, self.language, self.rounding = unit, language, rounding
        self.small = small and unit in COUNTS

    def step(self, median: float) -> float:
        if self.rounding is not None and self.unit in COUNTS:
            return self.rounding(0.0 if pd.isna(median) else float(median))
        return _step(self.unit, median)

    def value(self, value: float, step: float) -> str:
        exact_zero = not pd.isna(value) and float(value) == 0  # nobody: 0, not "fewer than 10"
        return fmt_value(value, self.unit, step, self.language, small=self.small and not exact_zero)

    def range(self, low: float, high: float, step: float) -> str:
        if self.small and not pd.isna(high) and float(high) == 0:
            return self.value(high, step)
        return fmt_range(low, high, self.unit, step, self.language, small=self.small)


def _is_nil(row: pd.Series) -> bool:
    """Say whether a month's 80 % band is nothing at all (0 to 0)."""
    return bool(row["q0.10"] == 0 and row["q0.90"] == 0)


def _fan_summary(rows: pd.DataFrame, words: _Words, gaps: list[tuple[pd.Timestamp, pd.Timestamp]] = ()) -> str:
    """Say in words where the median ends and its 80 % band, e.g. for a screen reader.

    The month said is the last with a value. Where the fan ends in nothing (arrivals after
    the TPD ends: 0 to 0) it says the last month with something and from when it is 0; where
    the values stop before the chart does, it says so; and the stretches without counts (``gaps``).
    """
    valid = rows[rows["q0.50"].notna()]
    if valid.empty:
        return ""
    language = words.language
    last = valid.iloc[-1]
    nil_from = None
    if _is_nil(last):
        busy = valid[(valid["q0.10"] != 0) | (valid["q0.90"] != 0)]
        if not busy.empty:
            nil_from = valid[valid["date"] > busy.iloc[-1]["date"]].iloc[0]["date"]
            last = busy.iloc[-1]
    step = words.step(last["q0.50"])
    text = i18n.gettext(FAN_SUMMARY, language).format(
        when=fmt_month(last["date"], language),
        median=words.value(last["q0.50"], step),
        range=words.range(last["q0.10"], last["q0.90"], step),
    )
    if nil_from is not None:
        text += " " + i18n.gettext(FAN_NIL_FROM, language).format(when=fmt_month(nil_from, language))
    if len(valid) < len(rows) and valid.index[-1] != rows.index[-1]:
        text += " " + i18n.gettext(FAN_NO_VALUE_AFTER, language).format(
            when=fmt_month(valid.iloc[-1]["date"], language)
        )
    for start, end in gaps:  # where the chart is blank, and why
        text += " " + i18n.gettext(NO_COUNTS, language).format(
            start=fmt_month(start, language), end=fmt_month(end, language)
        )
    return text + " " + i18n.gettext(FAN_BANDS, language)


#: What a fan chart says in words (its caption and text alternative).
FAN_SUMMARY = N_("Median in {when}: {median} (80 % band {range}).")
#: ... where its band ends in nothing (0 to 0): arrivals after the TPD ends.
FAN_NIL_FROM = N_("From {when} on: 0.")
#: ... where its values stop before the chart does.
FAN_NO_VALUE_AFTER = N_("No values after {when}.")
FAN_BANDS = N_("Bands of 50, 67 and 95 %.")


#: Variables that are events, not series: drawn as points without a connecting line.
POINT_VARIABLES = frozenset({"register_cleanup"})


def history_chart(history: pd.DataFrame, variables: list[str], *, title: str, language: str | None = None) -> go.Figure:
    """Draw history lines, observed points solid and interpolated/derived points hollow.

    Args:
        history: Long history (``date, variable, value, flag``).
        variables: Variables to draw on one axis (same unit).
        title: Chart title.
        language: ``en`` or ``nl``; default the kernel's.

    """
    language = i18n.language(language)
    fig = go.Figure()
    symbols = {"observed": "circle", "derived": "diamond-open", "interpolated": "circle-open"}
    for var in variables:
        rows = history[(history["variable"] == var) & (history["flag"] != "missing")].sort_values("date")
        if var not in POINT_VARIABLES:
            rows = break_gaps(rows)
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["value"],
                name=t(var, language),
                mode="markers" if var in POINT_VARIABLES else "lines+markers",
                connectgaps=False,
                marker={"symbol": [symbols.get(f, "x") for f in rows["flag"]], "size": 7},
                text=[
                    "" if pd.isna(v) else f"{fmt_value(v, 'persons', 1, language)} ({t(f, language)})"
                    for v, f in zip(rows["value"], rows["flag"], strict=True)
                ],
                customdata=[in_words(src) for src in rows["source"].fillna("")],
                hovertemplate="%{text}<br>%{customdata}<extra>" + t(var, language) + "</extra>",
            )
        )
    shown = history[history["variable"].isin(variables) & (history["flag"] != "missing")]
    shown = shown.assign(name=[t(v, language) for v in shown["variable"]])
    return described(
        _layout(fig, title, t("persons", language)), last_values(shown, "name", "persons", language), language
    )


#: A gap in a series is a step longer than this many times its usual (median) step, and longer
#: than two months: there the line breaks instead of drawing a straight line over months unseen.
GAP_FACTOR = 1.5
_MIN_GAP_DAYS = 62


def break_gaps(rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``rows`` (sorted by ``date``) with an empty row (value NaN) inside each gap.

    A gap is a step between two dates longer than :data:`GAP_FACTOR` times the series' usual
    (median) step and than two months. Plotly breaks a line at a missing value
    (``connectgaps=False``), so a chart shows the gap as a gap instead of a straight line.
    """
    if len(rows) < 3:
        return rows
    dates = pd.to_datetime(rows["date"]).reset_index(drop=True)
    steps = dates.diff().dt.days
    usual = float(steps.iloc[1:].median())
    limit = max(GAP_FACTOR * usual, _MIN_GAP_DAYS)
    gaps = [i for i in range(1, len(dates)) if steps.iloc[i] > limit]
    if not gaps:
        return rows
    fills = []
    for i in gaps:
        middle = dates.iloc[i - 1] + (dates.iloc[i] - dates.iloc[i - 1]) / 2
        fills.append({"date": middle.normalize(), "value": np.nan})
    filled = pd.concat([rows, pd.DataFrame(fills)], ignore_index=True)
    filled["date"] = pd.to_datetime(filled["date"])
    return filled.sort_values("date", kind="stable").reset_index(drop=True)


#: Where a chart has no counts (its line breaks there, or ends before the forecast starts).
NO_COUNTS = N_("No counts from {start} to {end}.")


def missing_stretches(history: pd.DataFrame, forecast_start: Any = None) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the first and last month of each stretch without counts (see :func:`break_gaps`).

    With ``forecast_start``, the months from the last count to the forecast's first month are
    one too, where they are more than one: a chart is blank there, and its caption says why.
    """
    seen = pd.to_datetime(history.loc[history["value"].notna(), "date"]).sort_values().reset_index(drop=True)
    if seen.empty:
        return []
    month = pd.DateOffset(months=1)
    stretches = []
    if len(seen) >= 3:
        steps = seen.diff().dt.days
        limit = max(GAP_FACTOR * float(steps.iloc[1:].median()), _MIN_GAP_DAYS)
        stretches = [
            (seen.iloc[i - 1] + month, seen.iloc[i] - month) for i in range(1, len(seen)) if steps.iloc[i] > limit
        ]
    if forecast_start is not None and not pd.isna(forecast_start):
        start = pd.Timestamp(forecast_start)
        if start - seen.iloc[-1] > pd.Timedelta(days=_MIN_GAP_DAYS):
            stretches.append((seen.iloc[-1] + month, start - month))
    return stretches


def lines_chart(
    frame: pd.DataFrame,
    *,
    series: str,
    title: str,
    y_title: str,
    language: str | None = None,
    percent: bool = False,
    markers: bool = False,
    unit: str | None = None,
) -> go.Figure:
    """Draw one line per ``series`` value of a long frame (``date``, ``value``, ``series``).

    Gaps (NaN values) stay gaps. Used for series without quantiles, e.g. the TP stock of each
    member state.

    Args:
        frame: Long frame with ``date``, ``value`` and the ``series`` column (the line's name).
        series: Column that names the lines (in their order of first appearance).
        title: Chart title.
        y_title: Axis title.
        language: ``en`` or ``nl``; default the kernel's.
        percent: Show the axis as a percentage (values are shares).
        markers: Draw the points too (for sparse series).
        unit: Unit of the values for the hover text (see :func:`fmt_value`); default ``share``
            with ``percent``, else ``persons``.

    """
    unit = unit or ("share" if percent else "persons")
    traces = []
    for name, rows in frame.groupby(series, sort=False):
        rows = break_gaps(rows.sort_values("date"))
        text = ["" if pd.isna(v) else fmt_value(v, unit, _step(unit, v), language) for v in rows["value"]]
        traces.append(
            {
                "type": "scatter",
                "x": _x(rows["date"]),
                "y": _y(rows["value"]),
                "name": str(name),
                "mode": "lines+markers" if markers else "lines",
                "connectgaps": False,
                "text": text,
                "hovertemplate": f"{name}: %{{text}}<extra></extra>",
            }
        )
    layout = _base_layout(title, y_title)
    if percent:
        layout["yaxis"]["tickformat"] = PERCENT_TICKS
    layout.update(_language_layout(language, {"summary": last_values(frame, series, unit, language)}))
    return go.Figure(data=traces, layout=layout)
