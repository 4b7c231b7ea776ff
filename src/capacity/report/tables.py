"""Tables and texts for the reports: one call saves a table and shows it; headline rows; main points.

The one write is :func:`table`'s download, through ``capacity.data.save_table``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from babel import numbers

from capacity import data, i18n
from capacity.data.tables import download_formats
from capacity.i18n import N_
from capacity.report.format import (
    UNITS,
    fmt_headline,
    fmt_number,
    fmt_parameter,
    fmt_significant,
    fmt_value,
    locale,
    percent,
)
from capacity.report.labels import has, t


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
    language: str | None = None,
    max_rows: int = 40,
    formats: Mapping[str, str] | None = None,
    downloads: str | Sequence[str] = "csv,xlsx",
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
        language: ``en`` or ``nl`` (number format and link text); default the kernel's.
        max_rows: Rows shown (0: only the caption and the links); the download has all rows.
        formats: Optional ``{column: "{:.1%}"}`` format strings, or ``{column: unit}``: the
            column printed by :func:`~capacity.report.format.fmt_value` (``share`` as a
            percentage, counts without decimals, ``EUR`` in euros, ``year`` without a
            separator). A numeric column not named here takes the unit its name says
            (:func:`column_unit`), if any.
        downloads: The files written and linked: ``csv`` (always) and ``xlsx`` (the
            notebooks' ``downloads`` parameter; a batch of municipal reports writes CSV only
            and one workbook per scenario).

    A text column that is empty in every row is not shown (the download keeps it). In a
    Dutch table a column with a Dutch name in the catalogue (context ``column``) shows it, and
    the codes in :data:`CODE_COLUMNS` show their labels.
    """
    language = i18n.language(language)
    downloads = download_formats(downloads)
    saved = (
        name is not None and data.save_table(df if download is None else download, name, save_to, downloads) is not None
    )
    total = len(df)
    empty = [
        c
        for c in df.columns
        if (df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))
        and len(df)
        and all(_is_blank(v) for v in df[c].tolist())
    ]
    shown = df.drop(columns=empty).head(max_rows).copy()  # a column with nothing in it says nothing
    for col in shown.columns:
        shown[col] = _shown_column(shown[col], col, formats, language)
    # codes as their labels and True/False as yes/no, in the page's language (the download keeps them)
    shown = _in_language(shown, language)
    if language == "en":  # "capacity per month": the CSV's name, read as words
        shown = shown.rename(columns=lambda c: c.replace("_", " ") if isinstance(c, str) else c)
    parts = []
    if caption:
        parts.append(f'<p class="capacity-caption"><strong>{html.escape(caption)}</strong></p>')
    if saved:
        label = t("download", language)
        stem = html.escape(f"tables/{name}", quote=True)
        parts.append(
            f'<p class="downloads">{label}: <a href="{stem}.csv" download>CSV</a>'
            + (f' · <a href="{stem}.xlsx" download>Excel</a>' if "xlsx" in downloads else "")
            + "</p>"
        )
    if max_rows > 0:
        parts.append(f'<div class="capacity-table-wrap">{html_table(shown, caption)}</div>')
    if 0 < max_rows < total:
        shown_text = t("rows_shown", language, n=fmt_number(max_rows, language), total=fmt_number(total, language))
        parts.append(f"<p><em>{html.escape(shown_text)}</em></p>")
    return Table("\n".join(parts), df)


def _shown_column(values: pd.Series, col: object, formats: Mapping[str, str] | None, language: str) -> pd.Series:
    """Return one column as the table prints it: by its format, unit or kind (see :func:`table`)."""
    if formats and col in formats and formats[col] not in UNITS:
        return values.map(lambda v, f=formats[col]: "–" if pd.isna(v) else _separators(f.format(v), language))
    if formats and formats.get(col) == "month":  # a month in words, as every text prints it
        return values.map(lambda v: "–" if _is_missing(v) else fmt_value(v, "month", None, language))
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_bool_dtype(values):
        return values
    if pd.api.types.is_numeric_dtype(values) and (unit := _unit_of(values, col, formats)):
        return values.map(lambda v, u=unit: fmt_value(v, u, None, language))
    if pd.api.types.is_numeric_dtype(values):
        present = values.dropna().abs()
        whole = bool(((present % 1) == 0).all() or present.ge(100).all())
        return values.map(lambda v, w=whole: fmt_number(v, language, 0) if w else fmt_significant(v, language))
    return values


#: Words in a column name that say its unit (``late_share``, ``penalty_eur``, ``pending_cases``).
UNIT_WORDS = {
    "share": "share",
    "aandeel": "share",  # a Dutch column name: a share (if its values are 0-1)
    "probability": "share",
    "coverage": "share",  # coverage_80: the share of outcomes inside the 80 % interval
    "weight": "share",  # an ensemble weight: its share of the forecast
    "miss": "share",  # miss_median: median / observed - 1
    "skill": "share",  # a CRPS skill score: 1 - the model's CRPS / the reference's
    "eur": "EUR",
    "persons": "persons",
    "places": "places",
    "cases": "cases",
    "decisions": "decisions",
}
#: Words that say a column is scaled or already a percentage (``penalty_eur_m``: millions): no unit.
SCALED_WORDS = frozenset({"m", "k", "pct", "percent", "index", "rate"})


def column_unit(name: object) -> str | None:
    """Return the unit a column's name says, for :func:`fmt_value`; ``None`` if it says none.

    ``year`` is a year; a name with the word ``share`` or ``probability`` holds shares, ``eur``
    euros, ``persons``/``places``/``cases``/``decisions`` counts (words between underscores or
    spaces). A scaled column (``penalty_eur_m``, in millions) has none.
    """
    if not isinstance(name, str):
        return None
    words = re.split(r"[_\s]+", name.lower())
    if words == ["year"]:
        return "year"
    if SCALED_WORDS & set(words):
        return None
    return next((UNIT_WORDS[w] for w in words if w in UNIT_WORDS), None)


def _unit_of(values: pd.Series, name: object, formats: Mapping[str, str] | None) -> str | None:
    """Return the unit a numeric column prints in: the caller's, else its name's (shares only if 0–1)."""
    unit = (formats or {}).get(name) if isinstance(name, str) else None
    if unit in UNITS:
        return unit
    unit = column_unit(name)
    if unit == "share" and values.dropna().abs().gt(1).any():  # not a share after all (a count of paths?)
        return None
    return unit


def by_row_unit(
    frame: pd.DataFrame, columns: Sequence[str], units: Sequence[str | None], language: str | None = None
) -> pd.DataFrame:
    """Return ``frame`` with ``columns`` printed in each row's unit (a table whose rows differ in unit).

    ``units`` holds one declared parameter unit per row (``share``, ``share/month``, ``persons/month``,
    ``ratio``, ``months``; see :data:`capacity.report.format.PARAMETER_UNITS`): a share prints as a
    percentage, a count with separators, never as a bare decimal or a four-digit number.
    The download keeps the numbers (pass the unformatted frame as ``download``).
    """
    language = i18n.language(language)
    out = frame.copy()
    units = list(units)
    for col in columns:
        if col in out.columns:
            out[col] = [fmt_parameter(v, u, language) for v, u in zip(out[col].tolist(), units, strict=True)]
    return out


#: The unit of each history variable (``capacity.data.history``); a variable not named is a count of persons.
VARIABLE_UNITS = {"occupancy_rate": "share"}


def variable_unit(variable: object) -> str:
    """Return the declared unit of a history variable: ``share`` for rates, else ``persons``."""
    return VARIABLE_UNITS.get(str(variable), "persons")


def html_table(frame: pd.DataFrame, caption: str = "") -> str:
    """Return ``frame`` as an HTML table: pandas' ``to_html(index=False)`` markup, unindented.

    Cells are escaped text (``str`` of the value); a missing value reads as a dash. The
    caption, if any, is in the table for screen readers (the page shows it above). Written
    here because pandas' writer took 3 ms of the 0.1 s of CPU a municipal page costs.
    """

    def cell(value: object) -> str:
        return "–" if _is_missing(value) else html.escape(str(value), quote=False)

    head = "".join(f"<th>{cell(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    title = f'<caption class="sr-only">{html.escape(caption)}</caption>' if caption else ""
    return (
        f'<table class="dataframe dataframe capacity-table">{title}<thead>'
        f'<tr style="text-align: right;">{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def _is_missing(value: object) -> bool:
    """Return whether a cell is None, NaN or NaT (what pandas calls missing); ``""`` is not."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float | np.floating) and value != value)
    )


def _is_blank(value: object) -> bool:
    """Return whether a cell is missing or an empty text."""
    return _is_missing(value) or (isinstance(value, str) and value == "")


#: Columns whose values are codes (``arrivals``, ``observed``): shown by their label, in both languages.
CODE_COLUMNS = frozenset({"variable", "flag", "series", "region_type", "stream", "model", "state", "quantity"})


def _separators(text: str, language: str) -> str:
    """Return a number formatted by a Python format string in the language's way.

    The separators are the locale's (Dutch swaps them: ``97,0%``); the percent sign follows
    the catalogue (English ``97.0 %``), as :func:`capacity.report.format.fmt_value` writes
    every share.
    """
    where = locale(language)
    group, decimal = numbers.get_group_symbol(where), numbers.get_decimal_symbol(where)
    text = text.translate(str.maketrans(",.", group + decimal))
    return re.sub(r"(\d)%", lambda m: percent(m.group(1), language), text)


#: Text columns of model tables whose fixed phrases and units have a Dutch text
#: (:data:`capacity.report.phrases.PHRASES` in the catalogue; a number in the phrase is ``{}``).
TEXT_COLUMNS = frozenset(
    {
        "unit",
        "method",
        "note",
        "rule",
        "fact",
        "level",
        "variant",
        "criterion",
        "quantity",
        "key_source",
        "arrivals_source",
        "places_source",
        "reliability",
        "item",
        "source",
        "sample",
        "kind",
        "eenheid",
    }
)  # eenheid: a table named in Dutch already
#: Columns of codes labelled with a prefix: the backlog sensitivity's inputs and outputs.
PREFIXED_COLUMNS = {"parameter": "input_", "output": "output_"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _in_language(shown: pd.DataFrame, language: str) -> pd.DataFrame:
    """Return ``shown`` with its column names, codes and fixed phrases in ``language``."""
    for col in CODE_COLUMNS & set(shown.columns):
        shown[col] = shown[col].map(lambda v: _code_label(v, language))
    for col in TEXT_COLUMNS & set(shown.columns):
        shown[col] = shown[col].map(lambda v: _cell_label(v, language))
    for col, prefix in PREFIXED_COLUMNS.items():
        if col in shown.columns:
            shown[col] = shown[col].map(
                lambda v, p=prefix: t(f"{p}{v}", language) if has(f"{p}{v}") else _code_label(v, language)
            )
    if "flags" in shown.columns:  # "interpolated, observed"
        shown["flags"] = shown["flags"].map(
            lambda v: ", ".join(str(_code_label(f, language)) for f in v.split(", ")) if isinstance(v, str) else v
        )
    for col in shown.columns:  # True/False as words
        if any(isinstance(v, bool | np.bool_) for v in shown[col].tolist()):
            shown[col] = shown[col].map(
                lambda v: t("yes" if v else "no", language) if isinstance(v, bool | np.bool_) else v
            )
    if language == "en":
        return shown
    return shown.rename(columns=lambda c: i18n.pgettext("column", c, language) if isinstance(c, str) else c)


def _cell_label(value: object, language: str) -> object:
    """Return a fixed phrase or unit in ``language`` (numbers with its separators); else as it is."""
    if not isinstance(value, str) or not value:
        return value
    if i18n.known(value):
        return i18n.gettext(value, language)
    found = _NUMBER.findall(value)
    phrase = _NUMBER.sub("{}", value)
    if not found or not i18n.known(phrase):
        return value
    return i18n.gettext(phrase, language).format(*(_separators(n, language) for n in found))


def _code_label(value: object, language: str) -> object:
    """Return the label of a code (``in_shelter`` -> ``in opvang`` / ``in shelter``); other text as it is.

    A code the catalogue does not know is read as words (``seasonal_naive`` -> ``seasonal naive``):
    a reader never sees a name from the code.
    """
    if not isinstance(value, str):
        return value
    if i18n.known(value, "column") and language != "en":
        return i18n.pgettext("column", value, language)
    if has(value):
        text = t(value, language)
        return text[0].lower() + text[1:] if text[1:2].islower() else text
    return value.replace("_", " ") if CODE.fullmatch(value) else value


#: A name from the code: lower-case words joined by underscores (``cohort_in_shelter``).
CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


def headline_rows(
    table: pd.DataFrame, keys: Sequence[str] | None = None, *, language: str | None = None
) -> pd.DataFrame:
    """Return headline figures for display: label, median, 10 %, 90 %, unit (text columns).

    Args:
        table: The scenario's headline table (``capacity.headline``).
        keys: Rows to show, in this order; default all.
        language: ``en`` or ``nl``; default the kernel's.

    """
    language = i18n.language(language)
    rows = table.set_index("key").loc[list(keys)] if keys is not None else table.set_index("key")
    out = []
    for key, row in rows.iterrows():
        row = {"key": key, **row.to_dict()}
        unit_key = {"places": "places_unit", "month": "month_unit"}.get(row["unit"], row["unit"])
        out.append(
            {
                t("indicator", language): row[f"label_{language}"] if f"label_{language}" in row else row["label_en"],
                t("median", language): fmt_headline(row, language),
                t("p10", language): fmt_headline(row, language, "p10"),
                t("p90", language): fmt_headline(row, language, "p90"),
                t("unit", language): "%" if row["unit"] == "share" else t(unit_key, language),
            }
        )
    return pd.DataFrame(out)


#: The heading of a report's main points, and the range after each of them.
MAIN_POINTS = N_("Main points")
LIKELY_RANGE = N_("likely between {low} and {high}")


def main_points(table: pd.DataFrame, keys: Sequence[str], *, language: str | None = None) -> Text:
    """Return the report's main points: one line per headline figure, with its range.

    Args:
        table: The scenario's headline table (``capacity.headline``).
        keys: The figures that matter most for this report, most important first (3–5).
        language: ``en`` or ``nl``; default the kernel's.

    """
    language = i18n.language(language)
    rows = table.set_index("key")
    lines = [f"**{i18n.gettext(MAIN_POINTS, language)}**", ""]
    for key in keys:
        if key not in rows.index:
            continue
        row = {"key": key, **rows.loc[key].to_dict()}
        label = row.get(f"label_{language}") or row["label_en"]
        text = f"- {label}: **{fmt_headline(row, language)}**"
        low, high = fmt_headline(row, language, "p10"), fmt_headline(row, language, "p90")
        if pd.notna(row.get("p10")) and pd.notna(row.get("p90")) and low != high:
            text += f" ({i18n.gettext(LIKELY_RANGE, language).format(low=low, high=high)})"
        lines.append(text)
    return Text("\n".join(lines))
