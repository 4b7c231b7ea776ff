"""Reports: labels, formats, charts and tables (no model code), and one module per report.

- :mod:`~capacity.report.labels`: every label by key, :func:`t` (its Dutch in the gettext catalogue,
  :mod:`capacity.i18n`); :func:`set_language` sets a kernel's page language once;
- :mod:`~capacity.report.format`: numbers, months and headline figures, one rounding per unit;
- :mod:`~capacity.report.charts`: fan and history charts, :func:`figure` (offline, labelled);
- :mod:`~capacity.report.tables`: :func:`table` (save and show in one call), texts, headline rows;
- :mod:`~capacity.report.forecast`, :mod:`~capacity.report.shelter`,
  :mod:`~capacity.report.municipality`, :mod:`~capacity.report.backlog`: one per report
  (imported by name: ``from capacity.report import backlog as rb``).
"""

from capacity.i18n import set_language
from capacity.report.charts import POINT_VARIABLES, Figure, fan_chart, figure, history_chart
from capacity.report.format import (
    LOCALES,
    fmt_headline,
    fmt_month,
    fmt_number,
    fmt_significant,
    fmt_value,
)
from capacity.report.labels import LABELS, t
from capacity.report.tables import Table, Text, by_row_unit, headline_rows, main_points, table, variable_unit

__all__ = [
    "LABELS",
    "LOCALES",
    "POINT_VARIABLES",
    "Figure",
    "Table",
    "Text",
    "by_row_unit",
    "fan_chart",
    "figure",
    "fmt_headline",
    "fmt_month",
    "fmt_number",
    "fmt_significant",
    "fmt_value",
    "headline_rows",
    "history_chart",
    "main_points",
    "set_language",
    "t",
    "table",
    "variable_unit",
]
