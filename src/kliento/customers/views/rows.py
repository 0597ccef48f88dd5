"""The rows of the company and contact lists, built in Python (see core.web.cells)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from kliento.core.web.cells import Dates, check_cell, esc, mailto, tel, url_maker


def _name(url: str, name: str, subtitle: str) -> str:
    below = f'<br><span class="muted small">{esc(subtitle)}</span>' if subtitle else ""
    return f'<td><a href="{url}"><strong>{esc(name)}</strong></a>{below}</td>'


def contact_rows(items: Iterable[Any], owner_names: Mapping[int, str]) -> SafeString:
    detail, company = url_maker("customers:contact-detail"), url_maker("customers:company-detail")
    dates = Dates()
    rows = []
    for r in items:
        name = r.full_name
        firm = ""
        if r.company_id and r.company_visible:
            firm = f'<a href="{company(r.company_id)}">{esc(r.company.name)}</a>'
        rows.append(
            f'<tr data-record="contact-{r.pk}">{check_cell(r.pk, name)}'
            f"{_name(detail(r.pk), name, r.job_title)}<td>{firm}</td><td>{mailto(r.email)}</td>"
            f'<td class="nowrap">{tel(r.phone)}</td><td>{esc(owner_names.get(r.owner_id, "—"))}'
            f'</td><td class="nowrap">{dates(r.created_at)}</td>'
            f'<td class="nowrap">{dates(r.updated_at)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above passed through esc()


def company_rows(items: Iterable[Any], owner_names: Mapping[int, str]) -> SafeString:
    detail = url_maker("customers:company-detail")
    dates = Dates()
    rows = [
        f'<tr data-record="company-{r.pk}">{check_cell(r.pk, r.name)}'
        f"{_name(detail(r.pk), r.name, r.industry)}<td>{mailto(r.list_email)}</td>"
        f'<td class="nowrap">{tel(r.list_phone)}</td><td>{esc(owner_names.get(r.owner_id, "—"))}'
        f'</td><td class="nowrap">{dates(r.created_at)}</td>'
        f'<td class="nowrap">{dates(r.updated_at)}</td></tr>'
        for r in items
    ]
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above passed through esc()
