"""The population ledger after the TPD end as one stacked chart (English and Dutch).

No model code: :func:`ledger_chart` shows :class:`capacity.backlog.Ledger` as it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from capacity.backlog import Ledger
from capacity.i18n import N_
from capacity.i18n import gettext as i18n_gettext
from capacity.report import fmt_month, fmt_value, t
from capacity.report.charts import LIGHT, described, forecast_step, hover, say

__all__ = ["LEDGER_KEYS", "ledger_chart"]

#: The ledger's figures of the headline table, in report order.
LEDGER_KEYS = (
    "backlog_cohort_persons",
    "backlog_continuing_persons",
    "ledger_coa_intake_tpd_month",
    "ledger_in_coa_peak",
    "backlog_permits_issued_total",
    "ledger_document_holders_in_shelter_12m",
    "ledger_post_tpd_asylum_12m",
    "ledger_document_expiry_holders",
    "ledger_expired_work_study",
    "ledger_expired_asylum",
    "ledger_expired_no_status",
)


def ledger_chart(ledger: Ledger | None, *, language: str | None = None) -> go.Figure:
    """Return a stacked area of the persons in every state, month by month (means over paths).

    Means stack exactly: their sum is the mean number of people followed (the cohort plus
    the arrivals after the TPD so far). A dotted line marks the document's expiry.
    ``language``: the page's; default the kernel's.
    """
    fig = go.Figure()
    if ledger is None:
        fig.update_layout(title=t("ledger_none", language), template=LIGHT, height=200)
        return described(fig, t("ledger_none", language), language)
    items = []
    for state, values in ledger.stocks.items():
        mean = np.mean(values, axis=0)
        name = t(f"ledger_{state}", language)
        fig.add_trace(
            go.Scatter(
                x=ledger.dates,
                y=mean,
                stackgroup="one",
                mode="lines",
                line={"width": 0.5},
                name=name,
                text=say(mean, "persons", language),
                hovertemplate=hover(name),
            )
        )
        if len(mean):
            items.append(f"{name}: {fmt_value(mean[-1], 'persons', forecast_step(mean[-1]), language)}")
    if ledger.expiry_index < len(ledger.dates):
        when = pd.Timestamp(ledger.dates[ledger.expiry_index])
        fig.add_vline(x=when, line={"dash": "dot", "color": "#444"})
        fig.add_annotation(
            x=when,
            y=1.0,
            yref="paper",
            text=t("ledger_document_expires", language),
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
        )
    fig.update_layout(
        title=t("ledger_title", language),
        template=LIGHT,
        yaxis_title=t("persons", language),
        height=520,
        legend={"orientation": "h", "y": -0.2},
    )
    summary = ""
    if items:
        summary = i18n_gettext(LEDGER_SUMMARY, language).format(
            when=fmt_month(ledger.dates[-1], language), parts="; ".join(items)
        )
    return described(fig, summary, language)


#: The caption of the ledger chart: the persons in every state in its last month.
LEDGER_SUMMARY = N_("Persons in every state in {when} (means over paths): {parts}.")
