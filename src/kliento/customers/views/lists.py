"""The company and contact lists: search as you type, filters, sorting, cursor pages,
saved filters, bulk actions (assign, tag) and the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import customfields, visibility
from kliento.core.actors import Actor
from kliento.core.errors import PermissionDenied, ValidationFailed
from kliento.core.models import FieldType, User
from kliento.core.pagination import MAX_LIMIT, Page
from kliento.core.saved_filters import saved_filter_list
from kliento.core.selectors import teams_for, users_for
from kliento.core.web.pages import actor_of, field_errors, page, render_page, user_of
from kliento.customers.choices import Relationship
from kliento.customers.views._kinds import COMPANY, CONTACT, Kind
from kliento.customers.views.rows import company_rows, contact_rows

PAGE_SIZE = 50
MAX_SELECTED = 500
EXPORT_MAX_ROWS = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


def _sort_state(ordering: str | None) -> dict[str, str]:
    """aria-sort of each sortable column for the current ordering."""
    current = ordering or "name"
    column = current.lstrip("-")
    return {column: "descending" if current.startswith("-") else "ascending"}


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
            sort=_sort_state(args["ordering"]),
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


def _ids(values: list[str]) -> list[int]:
    if not values:
        raise ValidationFailed.on("ids", _("Select at least one row."))
    if len(values) > MAX_SELECTED:
        raise ValidationFailed.on("ids", _("At most %(max)d rows at once.") % {"max": MAX_SELECTED})
    try:
        ids = [int(v) for v in values]
    except ValueError:
        raise ValidationFailed.on("ids", _("Must be ids.")) from None
    if any(i < 1 for i in ids):
        raise ValidationFailed.on("ids", _("Must be ids."))
    return list(dict.fromkeys(ids))


def _back(request: HttpRequest, kind: Kind) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(kind.url("list"))


def _bulk_change(actor: Actor, kind: Kind, records: list[Any], change: dict[str, Any]) -> None:
    """One update per record through the service (rules, audit, versions); all or nothing."""
    with transaction.atomic():
        for record in records:
            data = {"version": record.version, **change}
            if "tags" in change:
                current = [t.name for t in record.tags.all()]
                data["tags"] = current + [t for t in change["tags"] if t not in current]
            kind.update(actor=actor, data=data, **{kind.id_arg: record.pk})


def _bulk(request: HttpRequest, kind: Kind) -> HttpResponse:
    user = user_of(request)
    action = request.POST.get("action", "")
    back = _back(request, kind)
    try:
        if action not in ("assign", "tag"):
            raise ValidationFailed.on("action", _("Unknown action."))
        ids = _ids(request.POST.getlist("ids"))
        if action == "assign" and not visibility.may_assign(user):
            kind.rows(user, ids)  # a record one may not see is a 404 before anything else
            raise PermissionDenied(_("Your role may not give a record to someone else."))
        if action == "assign":
            raw = request.POST.get("owner_id", "")
            owner: Any = int(raw) if raw.isdigit() else raw
            change: dict[str, Any] = {"owner_id": owner}
        else:
            tag = request.POST.get("tag", "")
            change = {"tags": [tag]}
        records = kind.rows(user, ids)
        if action == "tag":
            prefetch_related_objects(records, "tags")  # one query for all the rows
        _bulk_change(actor_of(request), kind, records, change)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in field_errors(exc).values() for m in ms))
        return redirect(back)
    done = len(records)
    messages.success(
        request,
        ngettext("%(count)d record changed.", "%(count)d records changed.", done) % {"count": done},
    )
    return redirect(back)


@require_POST
@page
def contact_bulk(request: HttpRequest) -> HttpResponse:
    return _bulk(request, CONTACT)


@require_POST
@page
def company_bulk(request: HttpRequest) -> HttpResponse:
    return _bulk(request, COMPANY)


# --- CSV export --------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


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


def _header(kind: Kind) -> list[str]:
    if kind is CONTACT:
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


def _pages(user: User, kind: Kind, args: dict[str, Any], first: Page[Any]) -> Iterator[list[Any]]:
    """The rows of the current filter, page after page through the selector, at most
    EXPORT_MAX_ROWS of them."""
    found, sent = first, 0
    while True:
        rows = found.items[: EXPORT_MAX_ROWS - sent]
        sent += len(rows)
        yield rows
        if not found.next_cursor or sent >= EXPORT_MAX_ROWS:
            return
        found = kind.list(user, **args, cursor=found.next_cursor, limit=MAX_LIMIT)


def _csv(kind: Kind, pages: Iterator[list[Any]], owners: dict[int, str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    row_of = _contact_row if kind is CONTACT else _company_row
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in _header(kind)])
    for rows in pages:
        for record in rows:
            yield writer.writerow([safe_cell(v) for v in row_of(record, owners)])


def _export(request: HttpRequest, kind: Kind) -> HttpResponseBase:
    user = user_of(request)
    source = request.POST if request.method == "POST" else request.GET
    try:
        selected = source.getlist("ids")
        if selected or request.method == "POST":
            records = kind.rows(user, _ids(selected))  # NotFound (404) for an invisible row
            visibility.require(user, kind.record_type, "export")
            pages: Iterator[list[Any]] = iter([records])
        else:
            visibility.require(user, kind.record_type, "export")
            args = list_args(request, kind)
            first = kind.list(user, **args, cursor=None, limit=MAX_LIMIT)
            pages = _pages(user, kind, args, first)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in field_errors(exc).values() for m in ms))
        return redirect(reverse(kind.url("list")) + "?" + request.GET.urlencode())
    owners = {u.pk: u.username for u in users_for(user)}
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        _csv(kind, pages, owners), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind.list_name}-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@page
def contact_export(request: HttpRequest) -> HttpResponse:
    # `page` types views as returning HttpResponse; a streamed CSV is one in all but name.
    return cast(HttpResponse, _export(request, CONTACT))


@require_http_methods(["GET", "POST"])
@page
def company_export(request: HttpRequest) -> HttpResponse:
    return cast(HttpResponse, _export(request, COMPANY))
