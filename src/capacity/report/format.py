"""Number, month and headline formats: one rounding per unit, Dutch and English via Babel.

``language=None`` (the default) formats in the kernel's language (:func:`capacity.i18n.set_language`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from capacity import i18n
from capacity.i18n import N_
from capacity.report.labels import t

#: Babel locale of each report language (CLDR number and date conventions).
LOCALES = {"en": "en_GB", "nl": "nl_NL"}
#: The minus sign a reader sees (U+2212, as in print), not the hyphen-minus CLDR gives both
#: languages (``−11,400``, ``−1.2 pp``, ``€ −2.5 million``); downloads keep their numbers.
MINUS = "\u2212"
#: A percentage after its number: the English pages write ``97.0 %``, the Dutch ``97,0%``.
PERCENT = N_("{number} %")


def locale(language: str | None = None) -> str:
    """Return the Babel locale of ``language`` (default: the kernel's language)."""
    return LOCALES.get(i18n.language(language), "en_GB")


def percent(number: str, language: str | None = None) -> str:
    """Return a formatted number followed by the percent sign, as the language writes it."""
    return i18n.gettext(PERCENT, language).format(number=number)


def fmt_number(value: float, language: str | None = None, decimals: int = 0) -> str:
    """Format a number with the language's separators (``12,345.6`` / ``12.345,6``), via Babel."""
    if value is None or pd.isna(value):
        return "–"
    decimal, group, _ = _symbols(locale(language))
    text = f"{round(float(value), decimals) + 0.0:,.{decimals}f}"  # + 0.0: no "-0"
    return text.translate({ord(","): group, ord("."): decimal, ord("-"): MINUS})


@functools.lru_cache(maxsize=4)
def _symbols(name: str) -> tuple[str, str, str]:
    """Return the decimal, group and minus signs of a Babel locale (CLDR), read once.

    Babel's ``format_decimal`` with the pattern ``#,##0.00`` gives the same text; it parses
    the pattern and quantizes a Decimal on every call, and a chart prints hundreds of numbers.
    """
    where = Locale.parse(name)
    return get_decimal_symbol(where), get_group_symbol(where), get_minus_sign_symbol(where)


def fmt_significant(value: float, language: str | None = None, digits: int = 3) -> str:
    """Format a small non-whole number to ``digits`` significant digits (``0.0116``, ``1.55``)."""
    if value is None or pd.isna(value):
        return "–"
    if not math.isfinite(value):
        return t("not_in_run", language)
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return fmt_number(round(value, decimals), language, decimals)


def fmt_month(value: Any, language: str | None = None) -> str:
    """Format a month as words: ``April 2025`` / ``april 2025`` (Babel); ``–`` if missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    date = pd.Timestamp(value).date()
    return format_date(date, format="LLLL y", locale=locale(language))


#: Units that count whole things: printed without decimals, whatever the rounding step.
COUNTS = frozenset({"persons", "places", "cases", "decisions", "count"})
#: Units of money (euros): ``€ 2.4 million`` from a million, whole thousands from 10,000.
EUROS = frozenset({"EUR", "euros"})
#: Units of a difference of two shares (given as a difference of shares, ``0.012``).
POINTS = frozenset({"pp", "percentage_points"})
#: Every unit :func:`fmt_value` knows; any other is printed as a plain number to its step.
UNITS = COUNTS | EUROS | POINTS | {"share", "months", "month", "year"}

EURO = N_("€ {number}")
EURO_MILLION = N_("€ {number} million")
PERCENTAGE_POINTS = N_("{number} pp")
MORE_THAN = N_("more than {number}")
FEWER_THAN = N_("fewer than {number}")
RANGE = N_("{low} to {high}")
#: Below this a municipal page prints a count as a range, not as an exact-looking number.
SMALL_COUNT = 10


def _missing(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (not isinstance(value, str) and pd.isna(value))
    )


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def fmt_value(
    value: Any, unit: str, rounding: float | None = None, language: str | None = None, *, small: bool = False
) -> str:
    """Format a figure the one way every table, caption, hover text and text alternative prints it.

    Rounds to the step ``rounding`` (in ``unit``; default 1, or 0.001 for shares), then by unit:

    * ``persons``, ``places``, ``cases``, ``decisions``, ``count``: whole numbers with thousands
      separators (``93,100`` / ``93.100``), never decimals; with ``small`` a count below 10 is
      "fewer than 10" (``minder dan 10``), as municipal pages print it;
    * ``EUR`` (or ``euros``): ``€ 9.9 million`` / ``€ 9,9 miljoen`` from a million, whole
      thousands from 10,000 (``€ 94,000``), never to the euro above that;
    * ``share`` (0–1): a percentage, ``73.8 %`` / ``73,8%``;
    * ``pp`` (or ``percentage_points``; a difference of shares): signed, ``+1.2 pp`` / ``+1,2 procentpunt``;
    * ``months`` (a duration): the number; ``"> 60"`` (censored) as "more than 60", ``inf``
      as "not within the run";
    * ``month`` (a calendar month): words, ``April 2025`` / ``april 2025``; missing as "never";
    * ``year``: ``2027``, never with a thousands separator.

    A missing value is ``–``.
    """
    if unit == "month":
        return t("never", language) if _missing(value) else fmt_month(value, language)
    if _missing(value):
        return "–"
    if unit == "year":
        year = value.year if hasattr(value, "year") else round(float(value))
        return str(int(year))
    if isinstance(value, str) and value.startswith(">"):  # a censored duration: "> 60"
        bound = fmt_value(float(value.lstrip("> ")), unit, rounding, language)
        return i18n.gettext(MORE_THAN, language).format(number=bound)
    value = float(value)
    if math.isinf(value):
        return t("not_in_run", language)
    if unit in EUROS:
        return _euros(value, float(rounding) if rounding else 1.0, language)
    step = float(rounding) if rounding else (0.001 if unit in ("share", *POINTS) else 1.0)
    if unit in COUNTS:
        step = max(step, 1.0)
    rounded = round(value / step) * step
    decimals = _decimals(step)
    if unit in COUNTS and small and abs(rounded) < SMALL_COUNT:
        return i18n.gettext(FEWER_THAN, language).format(number=fmt_number(SMALL_COUNT, language))
    if unit == "share":
        return percent(fmt_number(100 * rounded, language, max(0, decimals - 2)), language)
    if unit in POINTS:
        text = fmt_number(100 * rounded, language, max(0, decimals - 2))
        sign = "+" if round(100 * rounded, max(0, decimals - 2)) > 0 else ""
        return i18n.gettext(PERCENTAGE_POINTS, language).format(number=sign + text)
    return fmt_number(rounded, language, decimals if rounded != 0 else 0)  # never "0.00"


def _euros(value: float, step: float, language: str | None) -> str:
    """Format euros: millions from a million, whole thousands from 10,000, else to ``step``.

    The step is made finer where it would swallow the figure (two significant digits kept).
    """
    size = abs(value)
    if size >= 999_500:  # in millions: one decimal below 100 million, none from there
        decimals = 0 if size >= 99_950_000 or step >= 1e6 else 1
        return i18n.gettext(EURO_MILLION, language).format(number=fmt_number(value / 1e6, language, decimals))
    if size >= 1:
        step = min(step, max(10.0 ** (math.floor(math.log10(size)) - 1), 1.0))
    if size >= 10_000:
        step = max(step, 1000.0)
    rounded = round(value / step) * step
    if rounded == 0:
        return i18n.gettext(EURO, language).format(number="0")
    return i18n.gettext(EURO, language).format(number=fmt_number(rounded, language, _decimals(step)))


def fmt_range(
    low: Any, high: Any, unit: str, rounding: float | None = None, language: str | None = None, *, small: bool = False
) -> str:
    """Format a range of one unit, ``5,400 to 5,600`` / ``5.400 tot 5.600``, the way :func:`fmt_value` prints each end.

    Equal ends print once (never "5 to 5"). With ``small`` (a municipal page) counts below 10
    are not printed exactly: a range that ends below 10 is "fewer than 10".
    """
    if small and unit in COUNTS and not _missing(high) and abs(float(high)) < SMALL_COUNT - 0.5:
        return fmt_value(high, unit, rounding, language, small=True)  # "fewer than 10"
    lo, hi = (fmt_value(v, unit, rounding, language) for v in (low, high))
    if lo == hi:
        return lo
    return i18n.gettext(RANGE, language).format(low=lo, high=hi)


#: A parameter's declared unit (``param(unit=...)``) -> the unit :func:`fmt_parameter` prints it in.
#: Shares and monthly rates are percentages, a ratio has two decimals, counts are whole.
PARAMETER_UNITS: dict[str, str] = {
    "share": "share",
    "probability": "share",
    "share/month": "share",
    "share/year": "share",
    "persons": "persons",
    "persons/month": "persons",
    "places": "places",
    "places/month": "places",
    "cases": "cases",
    "cases/month": "cases",
    "cases/year": "cases",
    "decisions/month": "decisions",
    "ratio": "ratio",
    "factor": "ratio",
    "months": "months",
}


def _short(value: float, language: str | None) -> str:
    """Three significant digits, no trailing zeros (``0.1``, ``1.2``, ``24,070``)."""
    short = f"{float(value):.3g}"
    if "e" in short:
        return fmt_number(float(value), language)
    return fmt_number(float(short), language, len(short.partition(".")[2]))


def fmt_parameter(value: Any, unit: str | None, language: str | None = None) -> str:
    """Format a value in a parameter's declared unit (``share/month``, ``persons/month``, ``ratio``).

    Shares and rates print as percentages (to 0.1 %, to 0.01 % below 1 %: ``77.9 %``, ``0.36 %``),
    counts with separators, ratios with two decimals, months whole (one decimal if not whole); an
    unknown unit as three significant digits without trailing zeros (``0.1``).
    """
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return t("yes" if value else "no", language)
    kind = PARAMETER_UNITS.get(str(unit))
    value = float(value)
    if kind == "share":
        return fmt_value(value, "share", 0.0001 if 0 < abs(value) < 0.01 else 0.001, language)
    if kind == "ratio":
        return fmt_number(round(value, 2), language, 2)
    if kind == "months":
        return fmt_number(value, language, 0 if value.is_integer() else 1)
    if kind is None:
        return _short(value, language)
    return fmt_value(value, kind, None, language)


UNIFORM = N_("uniform {low}-{high}")
TRIANGULAR = N_("triangular {low} / {mode} / {high}")
BETA = N_("beta distribution (a {a}, b {b})")
LOGNORMAL = N_("lognormal, median {median}, spread {sigma}")


def fmt_distribution(dist: Any, language: str | None = None, unit: str | None = None) -> str:
    """Format an uncertain parameter (:class:`capacity.params.base.Distribution`) in words.

    ``0.05`` (fixed), ``uniform 0-1``, ``triangular 0.6 / 0.8 / 0.95``: numbers with the
    language's separators, never ``kind=triangular, low=...``. With the parameter's ``unit``
    each number prints in it (:func:`fmt_parameter`: a share as a percentage); a beta's and a
    lognormal's shape numbers are not in the unit.
    """

    def n(x: float) -> str:
        return fmt_parameter(x, unit, language) if unit else _short(x, language)

    if dist.kind == "fixed":
        return n(dist.value)
    if dist.kind == "uniform":
        return i18n.gettext(UNIFORM, language).format(low=n(dist.low), high=n(dist.high))
    if dist.kind == "triangular":
        return i18n.gettext(TRIANGULAR, language).format(low=n(dist.low), mode=n(dist.mode), high=n(dist.high))
    if dist.kind == "beta":
        return i18n.gettext(BETA, language).format(a=_short(dist.a, language), b=_short(dist.b, language))
    if dist.kind == "lognormal":
        return i18n.gettext(LOGNORMAL, language).format(median=n(dist.median), sigma=_short(dist.sigma, language))
    return str(dist.kind)


def fmt_headline(
    row: Mapping[str, Any], language: str | None = None, field: str = "value", *, small: bool = False
) -> str:
    """Format one column (``value``, ``p10`` or ``p90``) of a headline-table row.

    A figure without a band (a scalar) shows ``–`` for ``p10``/``p90``, whatever its unit.
    With ``small`` (a municipal page) a count below 10 is "fewer than 10" (see :func:`fmt_value`).
    """
    value = row[field]
    if field != "value" and _missing(value):
        return "–"
    return fmt_value(value, row["unit"], row["rounding"], language, small=small)
