"""Figures, tables, labels and number formats for the notebooks. No model code.

The one write is :func:`table`'s download, through ``capacity.data.save_table``.

Figures are shown with :func:`figure`, which emits a ``text/html`` output (a div and a
script calling ``window.Plotly``) next to plotly's own JSON mimetype. JupyterLab renders
the JSON; the HTML report renders the div, loading plotly.js once per run from
``assets/plotly.min.js`` (the runner puts that ``<script>`` in the page head), so reports
work offline without inlining 3.5 MB of JavaScript into every file.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date
from babel.numbers import format_decimal

from capacity import data
from capacity.quantiles import BANDS

LABELS: dict[str, dict[str, str]] = {
    "registered": {"en": "Registered with municipalities", "nl": "Ingeschreven bij gemeenten"},
    "in_shelter": {"en": "In municipal shelter", "nl": "In gemeentelijke opvang"},
    "places": {"en": "Shelter places", "nl": "Opvangplekken"},
    "occupancy_rate": {"en": "Occupancy rate", "nl": "Bezettingsgraad"},
    "arrivals": {"en": "Arrivals per month", "nl": "Instroom per maand"},
    "departures": {"en": "Departures per month", "nl": "Vertrek per maand"},
    "tp_stock": {"en": "TP holders (Eurostat)", "nl": "Houders tijdelijke bescherming (Eurostat)"},
    "register_cleanup": {"en": "Register clean-up", "nl": "Registeropschoning"},
    "persons": {"en": "persons", "nl": "personen"},
    "share": {"en": "share", "nl": "aandeel"},
    "persons_per_month": {"en": "persons per month", "nl": "personen per maand"},
    "median": {"en": "median", "nl": "mediaan"},
    "band": {"en": "{p} % band", "nl": "{p}%-band"},
    "observed": {"en": "observed", "nl": "waargenomen"},
    "derived": {"en": "derived", "nl": "afgeleid"},
    "interpolated": {"en": "interpolated", "nl": "geïnterpoleerd"},
    "missing": {"en": "missing", "nl": "ontbreekt"},
    "month": {"en": "month", "nl": "maand"},
    "download": {"en": "Download", "nl": "Downloaden"},
    "rows_shown": {"en": "first {n} of {total} rows shown; the download has all",
                   "nl": "eerste {n} van {total} rijen getoond; de download bevat alle"},
    "parameters_used": {"en": "Parameters used", "nl": "Gebruikte parameters"},
    "history": {"en": "History", "nl": "Historie"},
    "not_in_run": {"en": "not within the run", "nl": "niet binnen de looptijd"},
    "never": {"en": "not on most paths", "nl": "op de meeste paden niet"},
    "million": {"en": "million", "nl": "mln"},
    "indicator": {"en": "indicator", "nl": "indicator"},
    "p10": {"en": "10 %", "nl": "10%"},
    "p90": {"en": "90 %", "nl": "90%"},
    "unit": {"en": "unit", "nl": "eenheid"},
    "cases": {"en": "cases", "nl": "zaken"},
    "places_unit": {"en": "places", "nl": "plekken"},
    "months": {"en": "months", "nl": "maanden"},
    "month_unit": {"en": "month", "nl": "maand"},
    "EUR": {"en": "EUR", "nl": "EUR"},
}

def t(key: str, language: str = "en", **fmt: Any) -> str:
    """Return the label for ``key`` in ``language`` (``en`` or ``nl``); the key if unknown."""
    entry = LABELS.get(key)
    text = key if entry is None else entry.get(language, entry["en"])
    return text.format(**fmt) if fmt else text


#: Babel locale of each report language (CLDR number and date conventions).
LOCALES = {"en": "en_GB", "nl": "nl_NL"}


def fmt_number(value: float, language: str = "en", decimals: int = 0) -> str:
    """Format a number with the language's separators (``12,345.6`` / ``12.345,6``), via Babel."""
    if value is None or pd.isna(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(round(float(value), decimals) + 0.0, format=pattern,  # + 0.0: no "-0"
                          locale=LOCALES.get(language, "en_GB"))


def fmt_significant(value: float, language: str = "en", digits: int = 3) -> str:
    """Format a small non-whole number to ``digits`` significant digits (``0.0116``, ``1.55``)."""
    if value is None or pd.isna(value):
        return "–"
    if not math.isfinite(value):
        return t("not_in_run", language)
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return fmt_number(round(value, decimals), language, decimals)


def fmt_month(value: Any, language: str = "en") -> str:
    """Format a month as words: ``April 2025`` / ``april 2025`` (Babel); ``–`` if missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    date = pd.Timestamp(value).date()
    return format_date(date, format="LLLL y", locale=LOCALES.get(language, "en_GB"))


def fmt_value(value: Any, unit: str, rounding: float, language: str = "en") -> str:
    """Format a headline figure the one way every page prints it.

    Rounds to the step ``rounding`` (in ``unit``), then: shares as percentages
    (``73.8 %`` / ``73,8%``), EUR of a million and more in millions (``EUR 9.9 million``),
    months (unit ``month``) as words, counts with thousands separators; ``inf`` as "not
    within the run" and a missing value as ``–``.
    """
    if unit == "month":
        missing = value is None or value == "" or (isinstance(value, float) and math.isnan(value))
        return t("never", language) if missing else fmt_month(value, language)
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    if math.isinf(value):
        return t("not_in_run", language)
    step = float(rounding) if rounding else 1.0
    rounded = round(value / step) * step
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if unit == "share":
        text = fmt_number(100 * rounded, language, max(0, decimals - 2))
        return f"{text}%" if language == "nl" else f"{text} %"
    if unit == "EUR" and rounded == 0:
        return "EUR 0"
    if unit == "EUR" and step >= 100_000:
        millions = fmt_number(rounded / 1e6, language, max(0, 6 - round(math.log10(step))))
        return f"EUR {millions} {t('million', language)}"
    return fmt_number(rounded, language, decimals)


def fmt_headline(row: Mapping[str, Any], language: str = "en", field: str = "value") -> str:
    """Format one column (``value``, ``p10`` or ``p90``) of a headline-table row."""
    return fmt_value(row[field], row["unit"], row["rounding"], language)


def headline_rows(table: pd.DataFrame, keys: Sequence[str] | None = None, *,
                  language: str = "en") -> pd.DataFrame:
    """Return headline figures for display: label, median, 10 %, 90 %, unit (text columns).

    Args:
        table: The scenario's headline table (``capacity.headline``).
        keys: Rows to show, in this order; default all.
        language: ``en`` or ``nl``.

    """
    rows = table.set_index("key").loc[list(keys)] if keys is not None else table.set_index("key")
    out = []
    for key, row in rows.iterrows():
        row = {"key": key, **row.to_dict()}
        unit_key = {"places": "places_unit", "month": "month_unit"}.get(row["unit"], row["unit"])
        out.append({
            t("indicator", language): row[f"label_{language}"] if f"label_{language}" in row else row["label_en"],
            t("median", language): fmt_headline(row, language),
            t("p10", language): fmt_headline(row, language, "p10"),
            t("p90", language): fmt_headline(row, language, "p90"),
            t("unit", language): "%" if row["unit"] == "share" else t(unit_key, language),
        })
    return pd.DataFrame(out)


def main_points(table: pd.DataFrame, keys: Sequence[str], *, language: str = "en") -> Text:
    """Return the report's main points: one line per headline figure, with its range.

    Args:
        table: The scenario's headline table (``capacity.headline``).
        keys: The figures that matter most for this report, most important first (3–5).
        language: ``en`` or ``nl``.

    """
    rows = table.set_index("key")
    lines = ["**In het kort**" if language == "nl" else "**Main points**", ""]
    for key in keys:
        if key not in rows.index:
            continue
        row = {"key": key, **rows.loc[key].to_dict()}
        label = row.get(f"label_{language}") or row["label_en"]
        text = f"- {label}: **{fmt_headline(row, language)}**"
        if pd.notna(row.get("p10")) and pd.notna(row.get("p90")):
            between = "tussen" if language == "nl" else "between"
            and_ = "en" if language == "nl" else "and"
            likely = "waarschijnlijk" if language == "nl" else "likely"
            text += (f" ({likely} {between} {fmt_headline(row, language, 'p10')} {and_} "
                     f"{fmt_headline(row, language, 'p90')})")
        lines.append(text)
    return Text("\n".join(lines))


class Figure:
    """A plotly figure for display: interactive in JupyterLab and in offline HTML reports.

    In the report it is a ``<figure>`` whose chart carries a text alternative (``role="img"``
    with the title and summary as its label) and a caption with the summary under it, so a
    screen reader, a printout and a reader who cannot see the colours all get the point.
    """

    def __init__(self, fig: go.Figure, summary: str | None = None):
        self.fig = fig
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        self.summary = summary if summary is not None else meta.get("summary", "")
        self.language = meta.get("language", "en")

    @property
    def title(self) -> str:
        """The chart's title as plain text."""
        return str(self.fig.layout.title.text or "")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        config = {"displaylogo": False, "responsive": True}
        if self.language == "nl":
            config["locale"] = "nl"  # month names from assets/plotly-locale-nl.js
        div = self.fig.to_html(full_html=False, include_plotlyjs=False, config=config)
        label = html.escape(". ".join(p for p in (self.title, self.summary) if p), quote=True)
        caption = f"<figcaption>{html.escape(self.summary)}</figcaption>" if self.summary else ""
        wrapped = (f'<figure class="capacity-chart"><div role="img" aria-label="{label}">{div}</div>'
                   f"{caption}</figure>")
        return {"text/html": wrapped, "application/vnd.plotly.v1+json": json.loads(self.fig.to_json())}


def figure(fig: go.Figure, summary: str | None = None) -> Figure:
    """Wrap ``fig`` for offline reports with a text alternative (see :class:`Figure`).

    Args:
        fig: The chart.
        summary: One or two sentences on what it shows and its key numbers; default the
            summary the chart builder left in ``fig.layout.meta["summary"]``, if any.

    """
    return Figure(fig, summary)


def _dates_in(fig: go.Figure, language: str) -> go.Figure:
    """Mark the chart's language: Dutch separators here, Dutch month names from the locale."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "language": language})
    if language == "nl":
        fig.update_layout(separators=",.")
        fig.update_xaxes(hoverformat="%-d %b %Y")
    return fig


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title, template="plotly_white", hovermode="x unified",
        yaxis_title=y_title, margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15}, height=420,
    )
    return fig


def fan_chart(
    table: pd.DataFrame,
    variable: str,
    *,
    title: str | None = None,
    history: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
    reference_name: str = "",
    y_title: str | None = None,
    language: str = "en",
    percent: bool = False,
) -> go.Figure:
    """Draw the median and the 50/67/95 % bands of one variable of a quantile table.

    Args:
        table: Quantile-contract table (``date``, ``variable``, ``q0.025`` … ``q0.975``).
        variable: Which variable to draw.
        title: Chart title; defaults to the variable's label.
        history: Optional observed values: columns ``date``, ``value`` (and ``flag``).
        reference: Optional line to compare against (e.g. places): ``date``, ``value``.
        reference_name: Legend name of the reference line.
        y_title: Axis title; defaults to persons.
        language: ``en`` or ``nl``.
        percent: Show the axis as a percentage (values are shares).

    Returns:
        A plotly figure.

    """
    rows = table[table["variable"] == variable].sort_values("date")
    fig = go.Figure()
    shades = {95: 0.22, 67: 0.38, 50: 0.55}  # the 95 % band stays visible on white and in print
    for p in (95, 67, 50):
        lo, hi = BANDS[p]
        name = t("band", language, p=p)
        fig.add_trace(go.Scatter(x=rows["date"], y=rows[hi], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(
            x=rows["date"], y=rows[lo], mode="lines", line={"width": 0}, fill="tonexty",
            fillcolor=f"rgba(31,119,180,{shades[p]})", name=name, legendgroup=name,
            hovertemplate=f"{name}: %{{y:,.0f}}<extra></extra>" if not percent else None,
        ))
    fig.add_trace(go.Scatter(x=rows["date"], y=rows["q0.50"], mode="lines",
                             line={"color": "rgb(31,119,180)", "width": 2.5}, name=t("median", language)))
    if history is not None and not history.empty:
        fig.add_trace(go.Scatter(x=history["date"], y=history["value"], mode="markers+lines",
                                 marker={"size": 5, "color": "black"}, line={"color": "gray", "width": 1},
                                 name=t("observed", language)))
    if reference is not None and not reference.empty:
        fig.add_trace(go.Scatter(x=reference["date"], y=reference["value"], mode="lines",
                                 line={"color": "firebrick", "dash": "dash"}, name=reference_name))
    if y_title is None:
        y_title = t("share", language) if percent else t("persons", language)
    _layout(fig, title or t(variable, language), y_title)
    if percent:
        fig.update_yaxes(tickformat=".0%")
    fig.update_layout(meta={"summary": _fan_summary(rows, language, percent)})
    return _dates_in(fig, language)


def _fan_summary(rows: pd.DataFrame, language: str, percent: bool) -> str:
    """Say in words where the median ends and its 80 % band, e.g. for a screen reader."""
    if rows.empty:
        return ""
    last = rows.iloc[-1]

    def f(v: float) -> str:
        if percent:
            return fmt_value(v, "share", 0.001, language)
        return fmt_number(v, language, 0 if abs(v) >= 10 else 2)

    when = fmt_month(last["date"], language)
    if language == "nl":
        return (f"Mediaan in {when}: {f(last['q0.50'])} (80%-band {f(last['q0.10'])} tot "
                f"{f(last['q0.90'])}); banden 50, 67 en 95%.")
    return (f"Median in {when}: {f(last['q0.50'])} (80 % band {f(last['q0.10'])} to "
            f"{f(last['q0.90'])}); bands of 50, 67 and 95 %.")


#: Variables that are events, not series: drawn as points without a connecting line.
POINT_VARIABLES = frozenset({"register_cleanup"})


def history_chart(history: pd.DataFrame, variables: list[str], *, title: str, language: str = "en") -> go.Figure:
    """Draw history lines, observed points solid and interpolated/derived points hollow.

    Args:
        history: Long history (``date, variable, value, flag``).
        variables: Variables to draw on one axis (same unit).
        title: Chart title.
        language: ``en`` or ``nl``.

    """
    fig = go.Figure()
    symbols = {"observed": "circle", "derived": "diamond-open", "interpolated": "circle-open"}
    for var in variables:
        rows = history[(history["variable"] == var) & (history["flag"] != "missing")].sort_values("date")
        fig.add_trace(go.Scatter(
            x=rows["date"], y=rows["value"], name=t(var, language),
            mode="markers" if var in POINT_VARIABLES else "lines+markers",
            marker={"symbol": [symbols.get(f, "x") for f in rows["flag"]], "size": 7},
            customdata=rows[["flag", "source"]].to_numpy(),
            hovertemplate="%{y:,.0f} (%{customdata[0]})<br>%{customdata[1]}<extra>" + t(var, language) + "</extra>",
        ))
    return _dates_in(_layout(fig, title, t("persons", language)), language)


class Text:
    """Markdown text for display in a notebook (rendered in the HTML report)."""

    def __init__(self, markdown: str):
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        # Every text is built from parameters, data and numbers: none may carry markup.
        return html.escape(self.markdown, quote=False)

    def __str__(self) -> str:
        return self.markdown


class Table:
    """An HTML table with download links, for display in a notebook."""

    def __init__(self, html_text: str, frame: pd.DataFrame):
        self.html_text = html_text
        self.frame = frame

    def _repr_html_(self) -> str:
        return self.html_text


def table(
    df: pd.DataFrame,
    name: str | None = None,
    *,
    save_to: str | Path | None = None,
    download: pd.DataFrame | None = None,
    caption: str = "",
    language: str = "en",
    max_rows: int = 40,
    formats: Mapping[str, str] | None = None,
) -> Table:
    """Save a table as CSV and Excel and show it as HTML with its caption and download links.

    The links appear only when the files were written, so a report never links a file
    that is not there.

    Args:
        df: The table shown.
        name: File stem of the download (``<save_to>/tables/<name>.csv`` and ``.xlsx``).
        save_to: The report's folder (the notebook's ``output_dir``); ``None`` saves
            nothing and shows no links (interactive use).
        download: The frame written to the files, if not ``df`` (e.g. unformatted).
        caption: Text above the table.
        language: ``en`` or ``nl`` (number format and link text).
        max_rows: Rows shown (0: only the caption and the links); the download has all rows.
        formats: Optional ``{column: "{:.1%}"}`` format strings.

    """
    saved = name is not None and data.save_table(df if download is None else download, name,
                                                 save_to) is not None
    total = len(df)
    shown = df.head(max_rows).copy()
    for col in shown.columns:
        if formats and col in formats:
            shown[col] = shown[col].map(lambda v, f=formats[col]: "–" if pd.isna(v) else f.format(v))
        elif pd.api.types.is_datetime64_any_dtype(shown[col]):
            shown[col] = shown[col].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(shown[col]):
            continue
        elif pd.api.types.is_numeric_dtype(shown[col]):
            values = shown[col].dropna().abs()
            whole = bool(((values % 1) == 0).all() or values.ge(100).all())
            shown[col] = shown[col].map(lambda v, w=whole: fmt_number(v, language, 0) if w
                                        else fmt_significant(v, language))
    shown = shown.astype(object).where(shown.notna(), "–")  # a missing value reads as a dash
    parts = []
    if caption:
        parts.append(f'<p class="capacity-caption"><strong>{html.escape(caption)}</strong></p>')
    if saved:
        label = t("download", language)
        stem = html.escape(f"tables/{name}", quote=True)
        parts.append(
            f'<p class="downloads">{label}: <a href="{stem}.csv" download>CSV</a> · '
            f'<a href="{stem}.xlsx" download>Excel</a></p>'
        )
    if max_rows > 0:
        body = shown.to_html(index=False, escape=True, border=0, classes="dataframe capacity-table")
        if caption:  # the caption again, for screen readers, in the table itself
            head, rest = body.split(">", 1)
            body = f'{head}><caption class="sr-only">{html.escape(caption)}</caption>{rest}'
        parts.append(f'<div class="capacity-table-wrap">{body}</div>')
    if 0 < max_rows < total:
        parts.append(f"<p><em>{html.escape(t('rows_shown', language, n=max_rows, total=total))}</em></p>")
    return Table("\n".join(parts), df)
