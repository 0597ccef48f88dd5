"""Lead pages: the list, the card with qualification (BANT) and conversion, the forms.

Every view reads the request, calls the same selector or service as the API
(kliento.sales.api.leads) and renders; the rules live in the services.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import visibility
from kliento.core.choices import Scope
from kliento.core.column_sorts import ListTooLargeToSort
from kliento.core.customfields import custom_fields_for
from kliento.core.errors import Conflict, ValidationFailed
from kliento.core.models import CustomField, FieldType, User
from kliento.core.pagination import Page
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
    form_id,
    gather,
    id_param,
    parse_id,
)
from kliento.customers.records import COMPANY, CONTACT
from kliento.sales import selectors, services
from kliento.sales.choices import LeadChannel, LeadStatus
from kliento.sales.models import Lead
from kliento.sales.records import DEAL, LEAD
from kliento.sales.views.deals import picked_names
from kliento.sales.views.rows import lead_rows

PAGE_SIZE = 50
MAX_QUERY = 200
MAX_FILTER = 100
LIST_TEMPLATE = "sales/lead_list.html"
DETAIL_TEMPLATE = "sales/lead_detail.html"
FORM_TEMPLATE = "sales/lead_form.html"

# The texts of the lead form, as the service names them.
FORM_TEXTS = (
    "title",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer",
    "keyword",
    "authority",
    "need",
    "budget_currency",
)
BANT_TEXTS = ("authority", "need", "budget_currency")
BANT_FIELDS = (*BANT_TEXTS, "budget_amount", "timeline", "status")
# The convert form names its inputs as the service names their errors.
CONVERT_FIELDS = (
    "contact_id",
    "company_id",
    "create_company",
    "deal.pipeline_id",
    "deal.title",
    "deal.amount",
    "deal.currency",
    "deal.expected_close_date",
)
FORM_FIELDS = (*FORM_TEXTS, "status", "channel", "budget_amount", "timeline", "owner_id", "custom")
SETTABLE_STATUSES = [(s.value, s.label) for s in LeadStatus if s != LeadStatus.CONVERTED]


# --- reading the form ------------------------------------------------------------------


def _optional(post: QueryDict, name: str) -> str | None:
    """A value that may be absent: an empty input is None (a budget, a date)."""
    value = post.get(name, "").strip()
    return value or None


def _version(post: QueryDict) -> int:
    version = parse_id(post.get("version", "").strip())
    if version is None:
        raise ValidationFailed.on("version", _("Reload the page: the form lacks its version."))
    return version


def _lead_data(
    post: QueryDict, *, fields: list[CustomField], user: User, lead: Lead | None
) -> dict[str, Any]:
    """The `data` the lead services take: the fields the form sent (an empty one clears)."""
    data = {**_sent(post, (*FORM_TEXTS, "channel")), **_sent_optional(post)}
    if lead is None or lead.status != LeadStatus.CONVERTED:
        data.update(_sent(post, ("status",)))
    if visibility.may_assign(user) and post.get("owner_id"):
        data["owner_id"] = form_id(post.get("owner_id"))
    custom = custom_inputs.read(post, fields)
    if custom or lead is None:
        data["custom"] = custom
    return data


def _sent(post: QueryDict, names: tuple[str, ...]) -> dict[str, Any]:
    """The values among `names` that were posted, as posted."""
    return {name: post[name] for name in names if name in post}


def _sent_optional(post: QueryDict) -> dict[str, Any]:
    """The budget and the timing if they were posted; an empty one is None (cleared)."""
    return {name: _optional(post, name) for name in ("budget_amount", "timeline") if name in post}


def _bant_data(post: QueryDict, lead: Lead) -> dict[str, Any]:
    data = {**_sent(post, BANT_TEXTS), **_sent_optional(post)}
    if lead.status != LeadStatus.CONVERTED:
        data.update(_sent(post, ("status",)))
    return data


# --- what the templates show -----------------------------------------------------------


def _lead_fields(user: User) -> list[CustomField]:
    return list(custom_fields_for(user, LEAD).filter(active=True))


def _custom_shown(fields: list[CustomField], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each custom field with its value as the card shows it."""
    return [{"field": f, "value": custom_inputs.shown(f, values.get(f.key))} for f in fields]


def _rights(user: User) -> dict[str, bool]:
    lead = visibility.rights(user, LEAD)
    contact = visibility.rights(user, CONTACT)
    company = visibility.rights(user, COMPANY)
    deal = visibility.rights(user, DEAL)
    return {
        "edit": lead.can_edit,
        "delete": lead.can_delete,
        "create": lead.can_create,
        "convert": lead.can_edit and deal.can_create,
        "create_contact": contact.can_create,
        "create_company": company.can_create,
        "link_contact": contact.scope != Scope.NONE,
        "link_company": company.scope != Scope.NONE,
    }


def _url_or_none(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # that page is not installed
        return None


# --- the list --------------------------------------------------------------------------


def list_filters(get: QueryDict) -> selectors.LeadFilters:
    """The filters of the query string (BadParameter naming each one the list cannot read)."""
    errors: dict[str, list[str]] = {}
    filters = selectors.LeadFilters(
        q=(get.get("q") or "").strip()[:MAX_QUERY] or None,
        status=gather(errors, lambda: choice_param(get, "status", LeadStatus.values)),
        channel=gather(errors, lambda: choice_param(get, "channel", LeadChannel.values)),
        source=(get.get("source") or "").strip()[:MAX_FILTER] or None,
        owner=gather(errors, lambda: id_param(get, "owner")),
        team=gather(errors, lambda: id_param(get, "team")),
    )
    if errors:
        raise BadParameter.of(errors)
    return filters


FILTERABLE = (FieldType.CHOICE, FieldType.MULTI_CHOICE, FieldType.YES_NO)


def _custom_filters(user: User, get: QueryDict) -> list[dict[str, Any]]:
    """The custom fields the list offers as selects (those with a fixed set of values)."""
    found = []
    for field in _lead_fields(user):
        if field.field_type in FILTERABLE:
            name = f"custom.{field.key}"
            found.append({"field": field, "name": name, "value": get.get(name, "")})
    return found


@require_GET
@page
def lead_list_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    ordering = (request.GET.get("ordering") or "").strip()[:40] or None
    cursor = (request.GET.get("cursor") or "").strip()[:500] or None
    errors: dict[str, list[str]] = {}
    status = 200
    filters = selectors.LeadFilters()
    try:
        filters = list_filters(request.GET)
        found: Page[Lead] = selectors.leads_list(
            user,
            filters=filters,
            params=request.GET,
            ordering=ordering,
            cursor=cursor,
            limit=PAGE_SIZE,
        )
    except ListTooLargeToSort as exc:  # say so, and show the filtered list in its own order
        errors, status, ordering = _errors_of(exc, ()), error_status(exc), None
        found = selectors.leads_list(
            user, filters=filters, params=request.GET, ordering=None, cursor=None, limit=PAGE_SIZE
        )
    except ValidationFailed as exc:  # a bad filter or sort, a tampered cursor: from the top
        errors, status, ordering = _errors_of(exc, ()), error_status(exc), None
        filters = selectors.LeadFilters()
        found = selectors.leads_list(
            user, filters=filters, params={}, ordering=None, cursor=None, limit=PAGE_SIZE
        )
    users = list(users_for(user))
    htmx = getattr(request, "htmx", None)
    can_export = visibility.rights(user, LEAD).can_export
    may_assign = visibility.may_assign(user)
    owner_names = {u.pk: u.display_name for u in users}
    context = {
        "custom_filters": _custom_filters(user, request.GET),
        "page": found,
        "rows_html": lead_rows(found.items, owner_names, bulk=may_assign or can_export),
        "filters": filters,
        "ordering": ordering or "-created_at",
        "errors": errors,
        "users": users,
        "owner_names": owner_names,
        "teams": list(teams_for(user)),
        "statuses": LeadStatus.choices,
        "channels": LeadChannel.choices,
        "can": _rights(user),
        "can_export": can_export,
        "may_assign": may_assign,
        "bulk": may_assign or can_export,  # rows have checkboxes
        "columns": 9 if may_assign or can_export else 8,
        "saved_filters": saved_filter_list(user, "leads"),  # read only if the page shows them
    }
    partial = "rows" if htmx and not htmx.history_restore_request else None
    return render_page(request, LIST_TEMPLATE, context, partial=partial, status=status)


# --- the card --------------------------------------------------------------------------


def _detail_context(request: HttpRequest, lead: Lead, **extra: Any) -> dict[str, Any]:
    user = user_of(request)
    fields = _lead_fields(user)
    can = _rights(user)
    converted = lead.status == LeadStatus.CONVERTED
    outcome = selectors.lead_outcome(user, lead)
    context: dict[str, Any] = {
        "lead": lead,
        "owner": lead.owner,
        "custom": _custom_shown(fields, lead.custom or {}),
        "can": can,
        "converted": converted,
        "outcome": outcome,
        "deal_links": [(d, _url_or_none("sales:deal-detail", d.pk)) for d in outcome.deals],
        "contact_url": outcome.contact
        and _url_or_none("customers:contact-detail", outcome.contact.pk),
        "company_url": outcome.company
        and _url_or_none("customers:company-detail", outcome.company.pk),
        "statuses": SETTABLE_STATUSES,
        "bant": _bant_values(lead),
        "bant_errors": {},
        "convert_errors": {},
        "convert": _convert_defaults(lead),
        "pipelines": list(selectors.pipelines_list(user, active=True))
        if can["convert"] and not converted
        else [],
    }
    context.update(extra)
    return context


def _bant_values(lead: Lead) -> dict[str, Any]:
    return {
        "status": lead.status,
        "budget_amount": "" if lead.budget_amount is None else str(lead.budget_amount),
        "budget_currency": lead.budget_currency,
        "authority": lead.authority,
        "need": lead.need,
        "timeline": lead.timeline.isoformat() if lead.timeline else "",
        "version": lead.version,
    }


def _convert_defaults(lead: Lead) -> dict[str, Any]:
    return {
        "create_contact": bool(lead.first_name or lead.last_name or lead.email or lead.phone),
        "create_company": bool(lead.company_name.strip()),
        "contact_id": "",
        "company_id": "",
        "deal.pipeline_id": "",
        "deal.title": lead.title,
        "deal.amount": "" if lead.budget_amount is None else str(lead.budget_amount),
        "deal.currency": lead.budget_currency,
        "deal.expected_close_date": "",
        "version": lead.version,
    }


@require_GET
@page
def lead_detail_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get(user_of(request), lead_id)
    return render_page(request, DETAIL_TEMPLATE, _detail_context(request, lead))


@require_POST
@page
def lead_qualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Save the BANT panel; htmx gets the panel back, a plain post goes back to the card."""
    user = user_of(request)
    lead = selectors.lead_get(user, lead_id)
    data = _bant_data(request.POST, lead)
    try:
        version = _version(request.POST)
        lead = services.lead_update(
            actor=actor_of(request), lead_id=lead.pk, version=version, data=data
        )
    except (ValidationFailed, Conflict) as exc:
        posted = {**_bant_values(lead), **_sent(request.POST, (*BANT_FIELDS, "version"))}
        context = _detail_context(
            request,
            lead,
            bant=posted,
            bant_errors=_errors_of(exc, BANT_FIELDS),
            bant_conflict=isinstance(exc, Conflict),
        )
        status = 409 if isinstance(exc, Conflict) else 422
        return render_page(request, DETAIL_TEMPLATE, context, partial="bant", status=status)
    if getattr(request, "htmx", False):
        context = _detail_context(request, lead, bant_saved=True)
        return render_page(request, DETAIL_TEMPLATE, context, partial="bant")
    messages.success(request, _("Qualification saved."))
    return redirect("sales:lead-detail", lead_id=lead.pk)


def _errors_of(
    exc: ValidationFailed | Conflict, shown: frozenset[str] | tuple[str, ...]
) -> dict[str, list[str]]:
    """Errors by field; those of a field the form does not show go to the top ("")."""
    if isinstance(exc, Conflict):
        return {"": [exc.message]}
    errors: dict[str, list[str]] = {}
    sections = {"contact": _("Contact"), "company": _("Company"), "deal": _("Deal")}
    for name, found in field_errors(exc).items():
        if name in shown or (name.startswith("custom.") and "custom" in shown):
            errors.setdefault(name, []).extend(found)
            continue
        section = sections.get(name.split(".", 1)[0]) if "." in name else None
        prefix = f"{section}: " if section else ""
        errors.setdefault("", []).extend(f"{prefix}{message}" for message in found)
    return errors


def _checked(post: QueryDict, name: str) -> bool:
    return post.get(name) in ("on", "true", "1")


@require_POST
@page
def lead_convert_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Convert the lead; then go to the new deal (or the contact, or back to the lead)."""
    user = user_of(request)
    lead = selectors.lead_get(user, lead_id)
    post = request.POST
    deal: dict[str, Any] = {
        "pipeline_id": form_id(post.get("deal.pipeline_id")),
        "title": post.get("deal.title", "").strip() or None,
        "amount": _optional(post, "deal.amount"),
        "currency": _optional(post, "deal.currency"),
        "expected_close_date": _optional(post, "deal.expected_close_date"),
    }
    create_contact = _checked(post, "create_contact")
    create_company = _checked(post, "create_company")
    # The pickers' ids; a bad one goes on to the service, which names the field.
    contact_id: Any = form_id(post.get("contact_id"))
    company_id: Any = form_id(post.get("company_id"))
    try:
        if deal["pipeline_id"] is None:
            raise ValidationFailed.on("deal.pipeline_id", _("Choose the pipeline of the deal."))
        lead, new_deal = services.lead_convert(
            actor=actor_of(request),
            lead_id=lead.pk,
            version=_version(post),
            contact_id=contact_id,
            create_contact=create_contact,
            company_id=company_id,
            create_company=create_company,
            deal=deal,
        )
    except (ValidationFailed, Conflict) as exc:
        shown: dict[str, Any] = {name: post.get(name, "") for name in CONVERT_FIELDS}
        company_label, contact_label = picked_names(user, company_id, contact_id)
        shown.update(
            create_contact=create_contact,
            create_company=create_company,
            contact_label=contact_label,
            company_label=company_label,
            version=post.get("version", ""),
        )
        context = _detail_context(
            request,
            lead,
            convert=shown,
            convert_errors=_errors_of(exc, CONVERT_FIELDS),
            convert_conflict=isinstance(exc, Conflict),
        )
        status = 409 if isinstance(exc, Conflict) else 422
        return render_page(request, DETAIL_TEMPLATE, context, status=status)
    messages.success(request, _("The lead has been converted."))
    target = (
        _url_or_none("sales:deal-detail", new_deal.pk)
        or (lead.contact_id and _url_or_none("customers:contact-detail", lead.contact_id))
        or reverse("sales:lead-detail", args=[lead.pk])
    )
    return redirect(target)


# --- create, edit, delete ----------------------------------------------------------------


def _form_context(
    request: HttpRequest,
    *,
    lead: Lead | None,
    values: Mapping[str, Any],
    custom: Mapping[str, Any],
    fields: list[CustomField],
    **extra: Any,
) -> dict[str, Any]:
    user = user_of(request)
    context: dict[str, Any] = {
        "lead": lead,
        "v": values,
        "custom_inputs": custom_inputs.inputs(fields, custom),
        "errors": {},
        "statuses": SETTABLE_STATUSES,
        "channels": LeadChannel.choices,
        "may_assign": visibility.may_assign(user),
        "users": list(users_for(user)) if visibility.may_assign(user) else [],
        "converted": lead is not None and lead.status == LeadStatus.CONVERTED,
    }
    context.update(extra)
    return context


def _lead_values(lead: Lead) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(lead, name) for name in FORM_TEXTS}
    values.update(
        status=lead.status,
        channel=lead.channel,
        budget_amount="" if lead.budget_amount is None else str(lead.budget_amount),
        timeline=lead.timeline.isoformat() if lead.timeline else "",
        owner_id=lead.owner_id,
        version=lead.version,
    )
    return values


def _refused(
    request: HttpRequest,
    exc: ValidationFailed | Conflict,
    *,
    lead: Lead | None,
    fields: list[CustomField],
) -> HttpResponse:
    """The form again, as the user filled it in, with the errors or the conflict."""
    post = request.POST
    values = {**(_lead_values(lead) if lead else {}), **_sent(post, (*FORM_FIELDS, "version"))}
    custom = {**(lead.custom if lead else {}), **custom_inputs.posted(post, fields)}
    context = _form_context(
        request,
        lead=lead,
        values=values,
        custom=custom,
        fields=fields,
        errors=_errors_of(exc, FORM_FIELDS),
        conflict=isinstance(exc, Conflict),
    )
    status = 409 if isinstance(exc, Conflict) else 422
    return render_page(request, FORM_TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@page
def lead_create_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    visibility.require(user, LEAD, "create")
    fields = _lead_fields(user)
    if request.method == "POST":
        data = _lead_data(request.POST, fields=fields, user=user, lead=None)
        try:
            lead = services.lead_create(actor=actor_of(request), data=data)
        except ValidationFailed as exc:
            return _refused(request, exc, lead=None, fields=fields)
        messages.success(request, _("Lead created."))
        return redirect("sales:lead-detail", lead_id=lead.pk)
    values = {"status": LeadStatus.NEW, "channel": LeadChannel.OTHER, "owner_id": user.pk}
    context = _form_context(request, lead=None, values=values, custom={}, fields=fields)
    return render_page(request, FORM_TEMPLATE, context)


@require_http_methods(["GET", "POST"])
@page
def lead_edit_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = user_of(request)
    lead = selectors.lead_get(user, lead_id)
    visibility.require(user, LEAD, "edit")
    fields = _lead_fields(user)
    if request.method == "POST":
        data = _lead_data(request.POST, fields=fields, user=user, lead=lead)
        try:
            version = _version(request.POST)
            lead = services.lead_update(
                actor=actor_of(request), lead_id=lead.pk, version=version, data=data
            )
        except (ValidationFailed, Conflict) as exc:
            return _refused(request, exc, lead=lead, fields=fields)
        messages.success(request, _("Lead saved."))
        return redirect("sales:lead-detail", lead_id=lead.pk)
    context = _form_context(
        request, lead=lead, values=_lead_values(lead), custom=lead.custom or {}, fields=fields
    )
    return render_page(request, FORM_TEMPLATE, context)


@require_POST
@page
def lead_delete_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    services.lead_delete(actor=actor_of(request), lead_id=lead_id)
    messages.success(request, _("Lead archived. Its card can restore it."))
    return redirect("sales:lead-list")
