"""Bulk assign and the CSV export of the lead and deal lists.

The flow is the one every list shares (kliento.core.web.bulk); this module names the
selectors, the service and the columns of each list. Leads and deals have no tags, so
assigning to another owner is the only bulk action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kliento.core import visibility
from kliento.core.actors import Actor
from kliento.core.errors import Conflict, PermissionDenied, ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import MAX_LIMIT, Page
from kliento.core.selectors import users_for
from kliento.core.web import bulk
from kliento.core.web.pages import actor_of, page, user_of
from kliento.core.web.params import safe_next
from kliento.sales import selectors, services
from kliento.sales.models import Deal, Lead
from kliento.sales.records import DEAL, LEAD
from kliento.sales.views import deals as deal_pages
from kliento.sales.views import leads as lead_pages


@dataclass(frozen=True)
class _List:
    """What the lead and deal lists differ in for a bulk assign."""

    list_url: str
    rows: Callable[[User, list[int]], list[Any]]  # NotFound for a row one may not see
    update: Callable[..., Any]
    id_arg: str  # the service's keyword for the record id


LEADS = _List("sales:lead-list", selectors.lead_rows, services.lead_update, "lead_id")
DEALS = _List("sales:deal-list", selectors.deal_rows, services.deal_update, "deal_id")


# --- bulk assign -------------------------------------------------------------------------


def _bulk(request: HttpRequest, kind: _List) -> HttpResponse:
    user = user_of(request)
    back = safe_next(request, reverse(kind.list_url))
    try:
        if request.POST.get("action", "") != "assign":
            raise ValidationFailed.on("action", _("Unknown action."))
        records = kind.rows(user, bulk.selected_ids(request.POST.getlist("ids")))
        # Only after the rows: a record one may not see is a 404 before anything else.
        if not visibility.may_assign(user):
            raise PermissionDenied(_("Your role may not give a record to someone else."))
        owner = bulk.bulk_owner(request)
        actor = actor_of(request)
        done = bulk.apply_all(records, lambda record: _assign(actor, kind, record, owner))
    except ValidationFailed as exc:
        messages.error(request, bulk.error_text(exc))
        return redirect(back)
    bulk.say_changed(request, done)
    return redirect(back)


def _assign(actor: Actor, kind: _List, record: Lead | Deal, owner: int | str | None) -> None:
    """Give one record to `owner` at the version just read; a refusal names the record."""
    try:
        kind.update(
            actor=actor,
            version=record.version,
            data={"owner_id": owner},
            **{kind.id_arg: record.pk},
        )
    except (ValidationFailed, Conflict) as exc:
        reason = bulk.error_text(exc) if isinstance(exc, ValidationFailed) else exc.message
        # Raised inside apply_all's transaction: every record changed so far is rolled back.
        raise ValidationFailed.on(
            "ids", _("%(record)s: %(reason)s") % {"record": record.title, "reason": reason}
        ) from exc


@require_POST
@page
def lead_bulk(request: HttpRequest) -> HttpResponse:
    return _bulk(request, LEADS)


@require_POST
@page
def deal_bulk(request: HttpRequest) -> HttpResponse:
    return _bulk(request, DEALS)


# --- CSV export --------------------------------------------------------------------------

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _owner_names(user: User) -> dict[int, str]:
    return {u.pk: u.username for u in users_for(user)}


def _lead_header() -> list[str]:
    return [
        "id",
        _("Title"),
        _("First name"),
        _("Last name"),
        _("Company"),
        _("E-mail"),
        _("Phone"),
        _("Status"),
        _("Source"),
        _("Channel"),
        *UTM_FIELDS,
        _("Owner"),
        _("Created"),
    ]


def _lead_rows(owners: dict[int, str]) -> Callable[[User, list[Lead]], Iterator[list[Any]]]:
    def rows(user: User, leads: list[Lead]) -> Iterator[list[Any]]:
        for lead in leads:
            yield [
                lead.pk,
                lead.title,
                lead.first_name,
                lead.last_name,
                lead.company_name,
                lead.email,
                lead.phone,
                lead.get_status_display(),
                lead.source,
                lead.get_channel_display(),
                *(getattr(lead, name) for name in UTM_FIELDS),
                owners.get(lead.owner_id, ""),
                lead.created_at.isoformat(),
            ]

    return rows


def _deal_header() -> list[str]:
    return [
        "id",
        _("Title"),
        _("Company"),
        _("Contact"),
        _("Pipeline"),
        _("Stage"),
        _("Status"),
        _("Amount"),
        _("Currency"),
        _("Expected close"),
        _("Owner"),
        _("Created"),
    ]


def _deal_rows(
    owners: dict[int, str], pipelines: dict[int, str]
) -> Callable[[User, list[Deal]], Iterator[list[Any]]]:
    def rows(user: User, deals: list[Deal]) -> Iterator[list[Any]]:
        # One query per linked table for the whole page; names only of what the user sees.
        names = deal_pages.link_names(user, deals, owners=False)
        for deal in deals:
            close = deal.expected_close_date
            yield [
                deal.pk,
                deal.title,
                names.companies.get(deal.company_id or 0, ""),
                names.contacts.get(deal.contact_id or 0, ""),
                pipelines.get(deal.pipeline_id, ""),
                deal.stage.name,
                deal.get_status_display(),
                deal.amount,
                deal.currency,
                close.isoformat() if close else "",
                owners.get(deal.owner_id, ""),
                deal.created_at.isoformat(),
            ]

    return rows


def _lead_page(request: HttpRequest) -> Callable[[User, str | None], Page[Lead]]:
    params = request.GET
    ordering = params.get("ordering") or None

    def read(user: User, cursor: str | None) -> Page[Lead]:
        filters = lead_pages.list_filters(params)
        return selectors.leads_list(
            user, filters=filters, params=params, ordering=ordering, cursor=cursor, limit=MAX_LIMIT
        )

    return read


def _deal_page(request: HttpRequest) -> Callable[[User, str | None], Page[Deal]]:
    params = request.GET
    ordering = params.get("ordering") or None

    def read(user: User, cursor: str | None) -> Page[Deal]:
        filters = deal_pages.list_filters(params, user)  # a bad filter: back to the list
        return selectors.deals_list(
            user, filters=filters, params=params, ordering=ordering, cursor=cursor, limit=MAX_LIMIT
        )

    return read


def _export(request: HttpRequest, export: bulk.Export, list_url: str) -> HttpResponse:
    query = request.GET.urlencode()
    back = safe_next(request, reverse(list_url) + (f"?{query}" if query else ""))
    # `page` types views as returning HttpResponse; a streamed CSV is one in all but name.
    return cast(HttpResponse, bulk.export_csv(request, export, back=back))


@require_http_methods(["GET", "POST"])
@page
def lead_export(request: HttpRequest) -> HttpResponse:
    owners = _owner_names(user_of(request))
    export = bulk.Export(
        record_type=LEAD,
        file_stem="leads",
        header=_lead_header,
        rows=_lead_rows(owners),
        selected=selectors.lead_rows,
        page=_lead_page(request),
    )
    return _export(request, export, LEADS.list_url)


@require_http_methods(["GET", "POST"])
@page
def deal_export(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    pipelines = {p.pk: p.name for p in selectors.pipelines_list(user)}
    export = bulk.Export(
        record_type=DEAL,
        file_stem="deals",
        header=_deal_header,
        rows=_deal_rows(_owner_names(user), pipelines),
        selected=selectors.deal_rows,
        page=_deal_page(request),
    )
    return _export(request, export, DEALS.list_url)
