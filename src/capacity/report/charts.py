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
from capacity.report.labels import t

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

    @property
    def title(self) -> str:
        """The chart's title as plain text."""
        return str(self.fig.layout.title.text or "")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        config = {"displaylogo": False, "responsive": True}
        if self.language != "en":  # English is plotly's own; e.g. assets/plotly-locale-nl.js for nl
            config["locale"] = self.language  # month names from the locale file
        div = self.fig.to_html(full_html=False, include_plotlyjs=False, config=config)
        label = html.escape(". ".join(p for p in (self.title, self.summary) if p), quote=True)
        caption = f"<figcaption>{html.escape(self.summary)}</figcaption>" if self.summary else ""
        wrapped = f'<figure class="capacity-chart"><div role="img" aria-label="{label}">{div}</div>{caption}</figure>'
        if os.environ.get(HTML_ONLY_ENV):  # a report run: the page shows the HTML, not the JSON
            return {"text/html": wrapped}
        return {"text/html": wrapped, "application/vnd.plotly.v1+json": json.loads(self.fig.to_json())}


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
    where = locale(language)
    separators = numbers.get_decimal_symbol(where) + numbers.get_group_symbol(where)
    if separators != ".,":
        layout.update(separators=separators, xaxis={"hoverformat": "%-d %b %Y"})
    return layout


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

    Returns:
        A plotly figure.

    """
    language = i18n.language(language)
    rows = table[table["variable"] == variable].sort_values("date")
    x = _x(rows["date"])
    unit = unit or ("share" if percent else "persons")
    percent = percent or unit == "share"
    steps = [_step(unit, m) for m in rows["q0.50"]]

    def say(values: pd.Series) -> list[str]:  # hover text: the formatter, the headline's rounding
        return [fmt_value(v, unit, step, language) for v, step in zip(values, steps, strict=True)]

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
        ranges = [fmt_range(a, b, unit, step, language) for a, b, step in zip(rows[lo], rows[hi], steps, strict=True)]
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
    if history is not None and not history.empty:
        observed = t("observed", language)
        traces.append(
            {
                "type": "scatter",
                "x": _x(history["date"]),
                "y": _y(history["value"]),
                "mode": "markers+lines",
                "marker": {"size": 5, "color": "black"},
                "line": {"color": "gray", "width": 1},
                "name": observed,
                "text": [fmt_value(v, unit, _step(unit, 0), language) for v in history["value"]],
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
                "text": [fmt_value(v, unit, _step(unit, v), language) for v in reference["value"]],
                "hovertemplate": f"{reference_name}: %{{text}}<extra></extra>",
            }
        )
    if y_title is None:
        y_title = t("share", language) if percent else t("persons", language)
    layout = _base_layout(title or t(variable, language), y_title)
    if percent:
        layout["yaxis"]["tickformat"] = PERCENT_TICKS
    layout.update(_language_layout(language, {"summary": _fan_summary(rows, language, unit)}))
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


def _fan_summary(rows: pd.DataFrame, language: str | None, unit: str) -> str:
    """Say in words where the median ends and its 80 % band, e.g. for a screen reader."""
    if rows.empty:
        return ""
    last = rows.iloc[-1]
    step = _step(unit, last["q0.50"])

    def f(v: float) -> str:
        return fmt_value(v, unit, step, language)

    return i18n.gettext(FAN_SUMMARY, language).format(
        when=fmt_month(last["date"], language), median=f(last["q0.50"]), low=f(last["q0.10"]), high=f(last["q0.90"])
    )


#: What a fan chart says in words (its caption and text alternative).
FAN_SUMMARY = N_("Median in {when}: {median} (80 % band {low} to {high}); bands of 50, 67 and 95 %.")


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
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows["value"],
                name=t(var, language),
                mode="markers" if var in POINT_VARIABLES else "lines+markers",
                marker={"symbol": [symbols.get(f, "x") for f in rows["flag"]], "size": 7},
                text=[
                    f"{fmt_value(v, 'persons', 1, language)} ({t(f, language)})"
                    for v, f in zip(rows["value"], rows["flag"], strict=True)
                ],
                customdata=rows["source"].to_numpy(),
                hovertemplate="%{text}<br>%{customdata}<extra>" + t(var, language) + "</extra>",
            )
        )
    return _dates_in(_layout(fig, title, t("persons", language)), language)


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
        rows = rows.sort_values("date")
        text = [fmt_value(v, unit, _step(unit, v), language) for v in rows["value"]]
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
    layout.update(_language_layout(language, {}))
    return go.Figure(data=traces, layout=layout)
