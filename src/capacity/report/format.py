"""Number, month and headline formats: one rounding per unit, Dutch and English via Babel."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

from capacity.report.labels import t

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
    months (unit ``month``) as words, counts with thousands separators; a censored
    duration (``"> 60"``) as "more than 60", ``inf`` as "not within the run" and a missing
    value as ``–``.
    """
    if unit == "month":
        missing = value is None or value == "" or (isinstance(value, float) and math.isnan(value))
        return t("never", language) if missing else fmt_month(value, language)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, str) and value.startswith(">"):  # a censored duration: "> 60"
        bound = fmt_number(float(value.lstrip("> ")), language)
        return f"meer dan {bound}" if language == "nl" else f"more than {bound}"
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
    """Format one column (``value``, ``p10`` or ``p90``) of a headline-table row.

    A figure without a band (a scalar) shows ``–`` for ``p10``/``p90``, whatever its unit.
    """
    value = row[field]
    if field != "value" and (value is None or value == "" or (isinstance(value, float) and math.isnan(value))):
        return "–"
    return fmt_value(value, row["unit"], row["rounding"], language)
