"""Deal pages: the list, the card, the create and edit forms, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import visibility
from kliento.core.choices import Scope
from kliento.core.column_sorts import ListTooLargeToSort
from kliento.core.customfields import custom_fields_for
from kliento.core.errors import Conflict, ErrorCollector, ValidationFailed
from kliento.core.models import CustomField, User
from kliento.core.saved_filters import saved_filter_list
from kliento.core.selectors import teams_for, users_for
from kliento.core.web import custom_inputs
from kliento.core.web.pages import (
    actor_of,
    error_status,
    field_errors,
    page,
    render_page,
    user_of,
)
from kliento.core.web.params import (
    BadParameter,
    choice_param,
    gather,
    id_field,
    id_param,
    parse_id,
)
from kliento.customers.models import Company, Contact
from kliento.sales import selectors, services
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import Deal, DealReason
from kliento.sales.records import DEAL
from kliento.sales.views.rows import deal_rows

PAGE_SIZE = 50
MAX_QUERY = 200


# --- what the board and the deal pages share -------------------------------------------


@dataclass
class LinkNames:
    """Names of the records deals link to, for those the user may see (others: none)."""

    companies: dict[int, str] = field(default_factory=dict)
    contacts: dict[int, str] = field(default_factory=dict)
    owners: dict[int, str] = field(default_factory=dict)


def link_names(user: User, deals: Iterable[Deal], *, owners: bool = True) -> LinkNames:
    """One query per linked table for a whole page of deals, through the visibility rule.

    The ids are the selective path, so the rule checks those rows (`row_filter`) rather
    than offering its own (owner, team) indexes, which SQLite took instead (60 ms).
    """
    rows = list(deals)
    names = LinkNames()
    company_ids = {d.company_id for d in rows if d.company_id}
    contact_ids = {d.contact_id for d in rows if d.contact_id}
    owner_ids = {d.owner_id for d in rows} if owners else set()
    if company_ids:
        companies = Company.objects.filter(pk__in=company_ids)
        visible = visibility.visible(user, companies, row_filter=True)
        names.companies = dict(visible.values_list("pk", "name"))
    if contact_ids:
        found = Contact.objects.filter(pk__in=contact_ids)
        contacts = visibility.visible(user, found, row_filter=True)
        names.contacts = {
            pk: " ".join(p for p in (first, last) if p)
            for pk, first, last in contacts.values_list("pk", "first_name", "last_name")
        }
    if owner_ids:
        names.owners = {u.pk: u.display_name for u in users_for(user).filter(pk__in=owner_ids)}
    return names


def reasons_by_kind(user: User) -> dict[str, list[DealReason]]:
    """The active won and lost reasons, for the reason dialog and the move form."""
    found: dict[str, list[DealReason]] = {ReasonKind.WON: [], ReasonKind.LOST: []}
    for reason in selectors.deal_reasons_list(user):
        if reason.active:
            found[reason.kind].append(reason)
    return found


# --- the list ---------------------------------------------------------------------------


def list_filters(params: QueryDict, user: User) -> selectors.DealFilters:
    """The filters of the query string (BadParameter naming each one the list cannot read)."""
    errors: dict[str, list[str]] = {}
    statuses = _("Must be open, won or lost.")
    filters = selectors.DealFilters(
        q=(params.get("q") or "").strip()[:MAX_QUERY] or None,
        pipeline=gather(errors, lambda: id_param(params, "pipeline")),
        stage=gather(errors, lambda: id_param(params, "stage")),
        owner=gather(errors, lambda: id_param(params, "owner")),
        team=gather(errors, lambda: id_param(params, "team")),
        status=gather(
            errors, lambda: choice_param(params, "status", StageKind.values, message=statuses)
        ),
    )
    if errors:
        raise BadParameter.of(errors)
    return filters


@require_GET
@page
def deal_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    params = request.GET
    ordering = params.get("ordering") or None
    errors: dict[str, list[str]] = {}
    status = 200
    try:
        filters = list_filters(params, user)
        found = selectors.deals_list(
            user,
            filters=filters,
            params=params,
            ordering=ordering,
            cursor=params.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ListTooLargeToSort as exc:  # say so, and show the filtered list in its own order
        errors, status, ordering = field_errors(exc), error_status(exc), None
        found = selectors.deals_list(
            user, filters=filters, params=params, ordering=None, cursor=None, limit=PAGE_SIZE
        )
    except ValidationFailed as exc:  # a bad filter, sort or cursor: the whole list, and why
        errors, status = field_errors(exc), error_status(exc)
        filters, ordering = selectors.DealFilters(), None
        found = selectors.deals_list(
            user, filters=filters, params={}, ordering=None, cursor=None, limit=PAGE_SIZE
        )
    rights = visibility.rights(user, DEAL)
    wide = rights.scope in (Scope.TEAM, Scope.ALL)
    may_assign = visibility.may_assign(user)
    people = list(users_for(user)) if wide or may_assign else []
    names, today = link_names(user, found.items), timezone.localdate()
    bulk = may_assign or rights.can_export  # rows have checkboxes
    context = {
        "page": found,
        "rows_html": deal_rows(found.items, names, today=today, bulk=bulk),
        "names": names,
        "filters": filters,
        "ordering": ordering or "-created_at",
        "pipelines": list(selectors.pipelines_list(user)),
        "statuses": StageKind.choices,
        "owners": people if wide else [],
        "teams": list(teams_for(user)) if wide else [],
        "errors": errors,
        "error_list": [m for messages in errors.values() for m in messages],
        "today": today,
        "may_create": rights.can_create,
        "can_export": rights.can_export,
        "may_assign": may_assign,
        "assignees": people if may_assign else [],
        "saved_filters": saved_filter_list(user, "deals"),  # read only if the page shows them
        "bulk": bulk,
        "columns": 8 if bulk else 7,
    }
    # "Load more" appends rows; the search box and the filters replace the whole table
    partial: str | None = "rows" if params.get("cursor") and not errors else "table"
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.history_restore_request:  # going back to a filtered URL: the whole page
        partial = None
    return render_page(request, "sales/deal_list.html", context, partial=partial, status=status)


# --- the card ---------------------------------------------------------------------------


@require_GET
@page
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    user = user_of(request)
    deal = selectors.deal_get(user, deal_id)
    pipeline = selectors.pipeline_get(user, deal.pipeline_id)
    rights = visibility.rights(user, DEAL)
    reason = deal.won_reason if deal.won_reason_id else deal.lost_reason
    context = {
        "deal": deal,
        "pipeline": pipeline,
        "stages": list(pipeline.stages.all()),
        "history": selectors.deal_stage_history(user, deal.pk),
        "names": link_names(user, [deal]),
        "custom": _custom_rows(user, deal.custom),
        "reason": reason,
        "today": timezone.localdate(),
        "may_edit": rights.can_edit,
        "may_delete": rights.can_delete,
    }
    return render_page(request, "sales/deal_detail.html", context)


def _custom_rows(user: User, values: Mapping[str, Any]) -> list[tuple[CustomField, Any]]:
    """The deal's custom values in the order of their (active) definitions."""
    return [
        (f, values.get(f.key))
        for f in custom_fields_for(user, DEAL)
        if f.active and values.get(f.key) not in (None, "", [])
    ]


# --- create, edit, delete ---------------------------------------------------------------

TEXT_FIELDS = ("title", "amount", "currency", "start_date", "expected_close_date")
ID_FIELDS = ("company_id", "contact_id", "owner_id")


def _form_data(
    post: QueryDict, user: User, fields: list[CustomField], errors: ErrorCollector
) -> dict[str, Any]:
    """The service's `data` from the posted form (every field; blanks as None)."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        raw = post.get(name, "")
        data[name] = raw if name == "title" else (raw.strip() or None)
    if data["amount"] is None:
        data["amount"] = 0
    for name in ID_FIELDS:
        data[name] = id_field(post.get(name), name, errors)
    if data["owner_id"] is None or not visibility.may_assign(user):
        del data["owner_id"]  # the owner stays (a new deal is the author's)
    data["custom"] = custom_inputs.read(post, fields)
    return data


def picked_names(user: User, company_id: Any, contact_id: Any) -> tuple[str, str]:
    """The visible names of a form's linked company and contact, for their pickers ("" for
    a blank or bad id, or a record the user may not see); one query per id given."""
    company = parse_id(str(company_id or "").strip())
    contact = parse_id(str(contact_id or "").strip())
    if not (company or contact):
        return "", ""
    probe = Deal(company_id=company, contact_id=contact)
    linked = link_names(user, [probe], owners=False)
    return linked.companies.get(company or 0, ""), linked.contacts.get(contact or 0, "")


def _form_context(
    request: HttpRequest,
    *,
    deal: Deal | None,
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    conflict: bool = False,
) -> dict[str, Any]:
    user = user_of(request)
    fields = _deal_fields(user)
    custom = {**(deal.custom if deal else {}), **values.get("custom", {})}
    company_name, contact_name = picked_names(
        user, values.get("company_id"), values.get("contact_id")
    )
    return {
        "deal": deal,
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "pipelines": list(selectors.pipelines_list(user, active=True)) if deal is None else [],
        "owners": list(users_for(user)) if visibility.may_assign(user) else [],
        "custom_inputs": custom_inputs.inputs(fields, custom),
        "company_name": company_name,
        "contact_name": contact_name,
    }


def _values_of(deal: Deal) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": deal.title,
        "amount": deal.amount,
        "currency": deal.currency,
        "start_date": deal.start_date.isoformat() if deal.start_date else "",
        "expected_close_date": (
            deal.expected_close_date.isoformat() if deal.expected_close_date else ""
        ),
        "company_id": deal.company_id or "",
        "contact_id": deal.contact_id or "",
        "owner_id": deal.owner_id,
        "version": deal.version,
    }
    return values


def _posted_values(post: QueryDict, fields: list[CustomField]) -> dict[str, Any]:
    """The form as the user filled it in; its custom values over the stored ones."""
    values: dict[str, Any] = {
        k: post.get(k, "") for k in post if not k.startswith(custom_inputs.PREFIX)
    }
    values.pop("csrfmiddlewaretoken", None)
    values["custom"] = custom_inputs.posted(post, fields)
    return values


def _deal_fields(user: User) -> list[CustomField]:
    return [f for f in custom_fields_for(user, DEAL) if f.active]


@require_http_methods(["GET", "POST"])
@page
def deal_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    visibility.require(user, DEAL, "create")
    if request.method == "GET":
        values: dict[str, Any] = {
            "company_id": request.GET.get("company", "")[:20],
            "contact_id": request.GET.get("contact", "")[:20],
            "pipeline_id": request.GET.get("pipeline", "")[:20],
            "owner_id": user.pk,
        }
        context = _form_context(request, deal=None, values=values, errors={})
        return render_page(request, "sales/deal_form.html", context)
    errors = ErrorCollector()
    fields = _deal_fields(user)
    data = _form_data(request.POST, user, fields, errors)
    data["pipeline_id"] = id_field(request.POST.get("pipeline_id"), "pipeline_id", errors)
    data["stage_id"] = id_field(request.POST.get("stage_id"), "stage_id", errors)
    try:
        errors.raise_if_any()
        deal = services.deal_create(actor=actor_of(request), data=data)
    except ValidationFailed as exc:
        context = _form_context(
            request,
            deal=None,
            values=_posted_values(request.POST, fields),
            errors=field_errors(exc),
        )
        return render_page(request, "sales/deal_form.html", context, status=422)
    return redirect("sales:deal-detail", deal.pk)


@require_http_methods(["GET", "POST"])
@page
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    user = user_of(request)
    deal = selectors.deal_get(user, deal_id)
    visibility.require(user, DEAL, "edit")
    if request.method == "GET":
        context = _form_context(request, deal=deal, values=_values_of(deal), errors={})
        return render_page(request, "sales/deal_form.html", context)
    errors = ErrorCollector()
    fields = _deal_fields(user)
    data = _form_data(request.POST, user, fields, errors)
    version = id_field(request.POST.get("version"), "version", errors, required=True)
    try:
        errors.raise_if_any()
        assert version is not None
        services.deal_update(actor=actor_of(request), deal_id=deal.pk, version=version, data=data)
    except (ValidationFailed, Conflict) as exc:
        conflict = isinstance(exc, Conflict)
        found = field_errors(exc) if isinstance(exc, ValidationFailed) else {"": [exc.message]}
        context = _form_context(
            request,
            deal=deal,
            values=_posted_values(request.POST, fields),
            errors=found,
            conflict=conflict,
        )
        status = 409 if conflict else 422
        return render_page(request, "sales/deal_form.html", context, status=status)
    return redirect("sales:deal-detail", deal.pk)


@require_POST
@page
def deal_delete(request: HttpRequest, deal_id: int) -> HttpResponse:
    services.deal_delete(actor=actor_of(request), deal_id=deal_id)
    messages.success(request, _("Deal archived. Its card can restore it."))
    return redirect("sales:deal-list")
