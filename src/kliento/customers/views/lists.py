"""The company and contact lists: search as you type, filters, sorting, cursor pages,
saved filters, bulk actions (assign, tag) and the CSV export."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import customfields, visibility
from kliento.core.actors import Actor
from kliento.core.column_sorts import ListTooLargeToSort
from kliento.core.errors import PermissionDenied, ValidationFailed
from kliento.core.models import FieldType
from kliento.core.pagination import MAX_LIMIT, Page
from kliento.core.saved_filters import saved_filter_list
from kliento.core.selectors import teams_for, users_for
from kliento.core.web import bulk
from kliento.core.web.pages import actor_of, field_errors, page, render_page, user_of
from kliento.core.web.params import safe_next
from kliento.customers.choices import Relationship
from kliento.customers.views._kinds import COMPANY, CONTACT, Kind
from kliento.customers.views.rows import company_rows, contact_rows

PAGE_SIZE = 50
NAME_SORTS = ("name", "-name")


# --- reading the list's parameters --------------------------------------------------


def list_args(request: HttpRequest, kind: Kind) -> dict[str, Any]:
    """q, filters and ordering as the list selector takes them."""
    params = request.GET
    q = params.get("q", "").strip()
    filters: dict[str, Any] = {k: params[k] for k in kind.filters if params.get(k)}
    filters.update(
        {k: v for k, v in params.items() if k.startswith(customfields.FILTER_PREFIX) and v != ""}
    )
    ordering = params.get("ordering") or None
    if q and ordering not in NAME_SORTS:
        ordering = None  # a name search is always sorted by name
    return {"q": q or None, "filters": filters, "ordering": ordering}


def _custom_filter_inputs(record_type: str, params: Any) -> list[dict[str, Any]]:
    fields = customfields.fields_for(record_type).values()
    out = []
    for field in fields:
        name = f"{customfields.FILTER_PREFIX}{field.key}"
        choices: list[tuple[str, str]] = []
        if field.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            choices = [(str(c), str(c)) for c in field.choices]
        elif field.field_type == FieldType.YES_NO:
            choices = [("true", _("Yes")), ("false", _("No"))]
        out.append(
            {
                "name": name,
                "label": field.label,
                "type": "date" if field.field_type == FieldType.DATE else "text",
                "choices": choices,
                "value": params.get(name, ""),
            }
        )
    return out


# --- the list page -----------------------------------------------------------------


def _list_page(request: HttpRequest, kind: Kind) -> HttpResponse:
    user = user_of(request)
    args = list_args(request, kind)
    errors: dict[str, list[str]] = {}
    status = 200
    try:
        found: Page[Any] = kind.list(
            user, **args, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except ListTooLargeToSort as exc:  # say so, and show the list in its own order
        errors, status, args["ordering"] = field_errors(exc), 422, None
        found = kind.list(user, **args, cursor=None, limit=PAGE_SIZE)
    except ValidationFailed as exc:
        errors = field_errors(exc)
        found = Page([], None)
        status = 422
    if kind is COMPANY:
        for row in found.items:  # the primary e-mail and phone the selector prefetched
            primary = {c.kind: c.value for c in row.primary_channels}
            row.list_email, row.list_phone = primary.get("email", ""), primary.get("phone", "")
    people = list(users_for(user))
    owner_names = {u.pk: u.display_name for u in people}
    rows = contact_rows if kind is CONTACT else company_rows
    context: dict[str, Any] = {
        "kind": kind,
        "page": found,
        "rows_html": rows(found.items, owner_names),
        "errors": errors,
        "error_messages": [m for messages_ in errors.values() for m in messages_],
        "q": args["q"] or "",
        "params": request.GET,
        "columns": 8 if kind is CONTACT else 7,
    }
    htmx = getattr(request, "htmx", None)
    # Going back to a searched URL asks htmx for the whole page, not the rows.
    partial = None if htmx and htmx.history_restore_request else "rows"
    if partial is None or not htmx:  # the whole page: filters, bulk actions, saved filters
        rights = visibility.rights(user, kind.record_type)
        context.update(
            ordering=args["ordering"] or "name",
            owners=people,
            teams=list(teams_for(user)),
            relationships=Relationship.choices,
            custom_filters=_custom_filter_inputs(kind.record_type, request.GET),
            can_create=rights.can_create,
            can_edit=rights.can_edit,
            can_export=rights.can_export,
            may_assign=visibility.may_assign(user),
            saved_filters=saved_filter_list(user, kind.list_name),
        )
    return render_page(request, "customers/list.html", context, partial=partial, status=status)


@require_GET
@page
def contact_list_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, CONTACT)


@require_GET
@page
def company_list_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, COMPANY)


# --- bulk actions ------------------------------------------------------------------


def _bulk(request: HttpRequest, kind: Kind) -> HttpResponse:
    user = user_of(request)
    action = request.POST.get("action", "")
    back = safe_next(request, reverse(kind.url("list")))
    actor = actor_of(request)
    try:
        if action not in ("assign", "tag"):
            raise ValidationFailed.on("action", _("Unknown action."))
        ids = bulk.selected_ids(request.POST.getlist("ids"))
        if action == "assign" and not visibility.may_assign(user):
            kind.rows(user, ids)  # a record one may not see is a 404 before anything else
            raise PermissionDenied(_("Your role may not give a record to someone else."))
        records = kind.rows(user, ids)
        if action == "assign":
            owner = bulk.bulk_owner(request)
            done = bulk.apply_all(records, lambda r: _update(actor, kind, r, owner_id=owner))
        else:
            tag = request.POST.get("tag", "")
            prefetch_related_objects(records, "tags")  # one query for all the rows
            done = bulk.apply_all(records, lambda r: _update(actor, kind, r, tags=_tagged(r, tag)))
    except ValidationFailed as exc:
        messages.error(request, bulk.error_text(exc))
        return redirect(back)
    bulk.say_changed(request, done)
    return redirect(back)


def _tagged(record: Any, tag: str) -> list[str]:
    current = [t.name for t in record.tags.all()]
    return current if tag in current else [*current, tag]


def _update(actor: Actor, kind: Kind, record: Any, **change: Any) -> None:
    kind.update(actor=actor, version=record.version, data=change, **{kind.id_arg: record.pk})


@require_POST
@page
def contact_bulk(request: HttpRequest) -> HttpResponse:
    return _bulk(request, CONTACT)


@require_POST
@page
def company_bulk(request: HttpRequest) -> HttpResponse:
    return _bulk(request, COMPANY)


# --- CSV export --------------------------------------------------------------------


def _contact_row(c: Any, owners: dict[int, str]) -> list[Any]:
    company = c.company.name if c.company_id and c.company_visible else ""
    return [
        c.pk,
        c.first_name,
        c.last_name,
        c.middle_name,
        company,
        c.job_title,
        c.email,
        c.phone,
        c.get_relationship_display(),
        c.source,
        c.region,
        c.industry,
        c.segment,
        owners.get(c.owner_id, ""),
        c.created_at.isoformat(),
        c.updated_at.isoformat(),
    ]


def _company_row(c: Any, owners: dict[int, str]) -> list[Any]:
    primary = {ch.kind: ch.value for ch in c.primary_channels}
    return [
        c.pk,
        c.name,
        c.website,
        primary.get("email", ""),
        primary.get("phone", ""),
        c.get_relationship_display(),
        c.source,
        c.region,
        c.industry,
        c.segment,
        owners.get(c.owner_id, ""),
        c.created_at.isoformat(),
        c.updated_at.isoformat(),
    ]


def _contact_header() -> list[str]:
    return [
        "id",
        _("First name"),
        _("Last name"),
        _("Middle name"),
        _("Company"),
        _("Job title"),
        _("E-mail"),
        _("Phone"),
        _("Relationship"),
        _("Source"),
        _("Region"),
        _("Industry"),
        _("Market segment"),
        _("Owner"),
        _("Created"),
        _("Updated"),
    ]


def _company_header() -> list[str]:
    return [
        "id",
        _("Name"),
        _("Web site"),
        _("E-mail"),
        _("Phone"),
        _("Relationship"),
        _("Source"),
        _("Region"),
        _("Industry"),
        _("Market segment"),
        _("Owner"),
        _("Created"),
        _("Updated"),
    ]


def _export(request: HttpRequest, kind: Kind) -> HttpResponse:
    args = list_args(request, kind)
    owners = {u.pk: u.username for u in users_for(user_of(request))}
    row_of = _contact_row if kind is CONTACT else _company_row
    export = bulk.Export(
        record_type=kind.record_type,
        file_stem=kind.list_name,
        header=_contact_header if kind is CONTACT else _company_header,
        rows=lambda user, records: (row_of(r, owners) for r in records),
        selected=kind.rows,
        page=lambda user, cursor: kind.list(user, **args, cursor=cursor, limit=MAX_LIMIT),
    )
    back = reverse(kind.url("list")) + "?" + request.GET.urlencode()
    # `page` types views as returning HttpResponse; a streamed CSV is one in all but name.
    return cast(HttpResponse, bulk.export_csv(request, export, back=back))


@require_http_methods(["GET", "POST"])
@page
def contact_export(request: HttpRequest) -> HttpResponse:
    return _export(request, CONTACT)


@require_http_methods(["GET", "POST"])
@page
def company_export(request: HttpRequest) -> HttpResponse:
    return _export(request, COMPANY)
