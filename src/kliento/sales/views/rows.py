"""The rows of the deal and lead lists, built in Python (see core.web.cells): the
template engine spent two thirds of the deal list's time on fifty rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from kliento.core.templatetags.kliento import icon, money
from kliento.core.web.cells import Dates, check_cell, esc, mailto, tel, url_maker
from kliento.sales.choices import LeadChannel, LeadStatus

STATUS_CHIPS = {
    LeadStatus.QUALIFIED: "chip-ok",
    LeadStatus.CONVERTED: "chip-ok",
    LeadStatus.DISQUALIFIED: "chip-danger",
    LeadStatus.WORKING: "chip-warn",
}


def deal_rows(items: Iterable[Any], names: Any, *, today: dt.date, bulk: bool) -> SafeString:
    """`names`: the visible companies' and the owners' names (deals.LinkNames)."""
    detail = url_maker("sales:deal-detail")
    days = Dates()
    rows = []
    for d in items:
        stage = esc(d.stage.name)
        if d.status == "won":
            stage = f'<span class="chip chip-ok">{stage}</span>'
        elif d.status == "lost":
            stage = f'<span class="chip chip-danger">{stage}</span>'
        close = ""
        if d.expected_close_date:
            close = days(d.expected_close_date)
            if d.status == "open" and d.expected_close_date < today:
                close = close.replace("<time ", '<time class="overdue" ', 1)
        company = names.companies.get(d.company_id or 0)
        rows.append(
            f'<tr data-record="deal-{d.pk}">{check_cell(d.pk, d.title) if bulk else ""}'
            f'<td><a href="{detail(d.pk)}">{esc(d.title)}</a></td>'
            f"<td>{esc(company) if company is not None else ''}</td><td>{stage}</td>"
            f'<td class="num">{esc(money(d.amount, d.currency))}</td>'
            f'<td class="hide-sm">{esc(names.owners.get(d.owner_id, ""))}</td>'
            f'<td>{close}</td><td class="hide-sm">{days(d.created_at)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above passed through esc()


def lead_rows(items: Iterable[Any], owner_names: Mapping[int, str], *, bulk: bool) -> SafeString:
    detail = url_maker("sales:lead-detail")
    days = Dates()
    # The labels once per table: get_FOO_display() hashes the whole choice list each call.
    statuses = {value: esc(label) for value, label in LeadStatus.choices}
    channels = {value: esc(label) for value, label in LeadChannel.choices}
    mail, phone = icon("mail"), icon("phone")
    rows = []
    for lead in items:
        below = (
            f'<div class="muted small">{esc(lead.company_name)}</div>' if lead.company_name else ""
        )
        reach = ""
        if lead.email:
            reach += mailto(lead.email).replace(">", f">{mail} ", 1)
        if lead.phone:
            reach += tel(lead.phone).replace(">", f">{phone} ", 1)
        chip = STATUS_CHIPS.get(lead.status, "chip-brand")
        rows.append(
            f'<tr data-record="lead-{lead.pk}">{check_cell(lead.pk, lead.title) if bulk else ""}'
            f'<td><a href="{detail(lead.pk)}"><strong>{esc(lead.title)}</strong></a>{below}</td>'
            f"<td>{esc(lead.first_name)} {esc(lead.last_name)}</td>"
            f'<td class="lead-channels">{reach}</td>'
            f'<td><span class="chip {chip}">{statuses.get(lead.status, "")}</span></td>'
            f"<td>{esc(lead.source)}</td><td>{channels.get(lead.channel, '')}</td>"
            f"<td>{esc(owner_names.get(lead.owner_id, '—'))}</td>"
            f"<td>{days(lead.created_at)}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above passed through esc()
