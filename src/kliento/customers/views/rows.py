"""The rows of the company and contact lists, built in Python (see core.web.cells)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kliento.core.web.cells import Dates, mailto, tel, url_maker

_CHECK = (
    '<td class="check"><input type="checkbox" name="ids" value="{}" form="bulk-form" '
    'aria-label="{}"></td>'
)


def _subtitle(text: str) -> SafeString:
    return format_html('<br><span class="muted small">{}</span>', text) if text else SafeString("")


def contact_rows(items: Iterable[Any], owner_names: Mapping[int, str]) -> SafeString:
    detail, company = url_maker("customers:contact-detail"), url_maker("customers:company-detail")
    dates = Dates()
    return format_html_join(
        "\n",
        '<tr data-record="contact-{}">' + _CHECK + '<td><a href="{}"><strong>{}</strong></a>{}</td>'
        '<td>{}</td><td>{}</td><td class="nowrap">{}</td><td>{}</td>'
        '<td class="nowrap">{}</td><td class="nowrap">{}</td></tr>',
        (
            (
                r.pk, r.pk, _("Select %(name)s") % {"name": r.full_name},
                detail(r.pk), r.full_name, _subtitle(r.job_title),
                format_html('<a href="{}">{}</a>', company(r.company_id), r.company.name)
                if r.company_id and r.company_visible else "",
                mailto(r.email), tel(r.phone), owner_names.get(r.owner_id, "—"),
                dates(r.created_at), dates(r.updated_at),
            )
            for r in items
        ),
    )  # fmt: skip


def company_rows(items: Iterable[Any], owner_names: Mapping[int, str]) -> SafeString:
    detail = url_maker("customers:company-detail")
    dates = Dates()
    return format_html_join(
        "\n",
        '<tr data-record="company-{}">' + _CHECK + '<td><a href="{}"><strong>{}</strong></a>{}</td>'
        '<td>{}</td><td class="nowrap">{}</td><td>{}</td>'
        '<td class="nowrap">{}</td><td class="nowrap">{}</td></tr>',
        (
            (
                r.pk, r.pk, _("Select %(name)s") % {"name": r.name},
                detail(r.pk), r.name, _subtitle(r.industry),
                mailto(r.list_email), tel(r.list_phone), owner_names.get(r.owner_id, "—"),
                dates(r.created_at), dates(r.updated_at),
            )
            for r in items
        ),
    )  # fmt: skip
