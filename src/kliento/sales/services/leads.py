"""Writes of leads: create, update, delete and convert into a contact/company and a deal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import audit, customfields, visibility
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, RecordType
from kliento.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    ValidationFailed,
)
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.choices import LeadChannel, LeadStatus
from kliento.sales.models import Lead
from kliento.sales.services.common import (
    check_strings,
    currency_or_error,
    date_or_error,
    json_object_or_error,
    model_check,
    money_or_error,
    owner_for,
    visible_or_error,
)
from kliento.sales.services.deals import deal_create

TEXT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "company_name",
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
)
AUDITED = (
    *TEXT_FIELDS,
    "status",
    "channel",
    "email",
    "phone",
    "answers",
    "budget_amount",
    "budget_currency",
    "timeline",
    "custom",
    "owner",
    "team",
    "contact",
    "company",
    "converted_at",
)
WRITABLE = frozenset(
    {
        *TEXT_FIELDS,
        "status",
        "channel",
        "email",
        "phone",
        "answers",
        "budget_amount",
        "budget_currency",
        "timeline",
        "custom",
        "owner_id",
    }
)
SETTABLE_STATUSES = frozenset(LeadStatus.values) - {LeadStatus.CONVERTED}


def _apply(lead: Lead, data: Mapping[str, Any], actor: Actor, errors: ErrorCollector) -> None:
    """Check `data` and set it on `lead` (not saved); problems go to `errors`."""
    from kliento.customers.normalize import normalize_email, normalize_phone

    user = actor.user
    assert user is not None
    for key in data:
        if key not in WRITABLE:
            errors.add(key, _("This field cannot be set."))
    check_strings(data, errors)
    for name in TEXT_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name != "title":
                value = ""
            if not isinstance(value, str):
                errors.add(name, _("Must be text."))
                continue
            setattr(lead, name, value)
    if "title" in data and isinstance(data["title"], str) and not data["title"].strip():
        errors.add("title", _("A title is required."))
    if "status" in data:
        if data["status"] not in SETTABLE_STATUSES:
            errors.add("status", _("Not a status you can set; convert the lead instead."))
        elif lead.status == LeadStatus.CONVERTED:
            errors.add("status", _("A converted lead keeps its status."))
        else:
            lead.status = data["status"]
    if "channel" in data:
        if data["channel"] not in LeadChannel.values:
            errors.add("channel", _("Not a known channel."))
        else:
            lead.channel = data["channel"]
    if "email" in data:
        raw = data["email"] or ""
        try:
            lead.email = normalize_email(raw) if raw else ""
        except (ValueError, TypeError) as exc:
            errors.add("email", str(exc) or _("Not a valid e-mail address."))
    if "phone" in data:
        raw = data["phone"] or ""
        try:
            lead.phone = normalize_phone(raw) if raw else ""
        except (ValueError, TypeError) as exc:
            errors.add("phone", str(exc) or _("Not a valid phone number."))
    if "answers" in data:
        lead.answers = json_object_or_error(data["answers"] or {}, "answers", errors)
    if "budget_amount" in data:
        raw = data["budget_amount"]
        lead.budget_amount = None if raw is None else money_or_error(raw, "budget_amount", errors)
    if "budget_currency" in data:
        raw = data["budget_currency"]
        lead.budget_currency = "" if not raw else currency_or_error(raw, "budget_currency", errors)
    if lead.budget_amount is not None and not lead.budget_currency:
        errors.add("budget_currency", _("A budget needs its currency."))
    if "timeline" in data:
        lead.timeline = date_or_error(data["timeline"], "timeline", errors)
    if "custom" in data:
        try:
            lead.custom = customfields.clean_custom(
                RecordType.LEAD, data["custom"], current=lead.custom
            )
        except ValidationFailed as exc:
            errors.errors.extend(exc.errors)
    if "owner_id" in data or lead.owner_id is None:
        current = lead.owner_id
        owner = owner_for(user, data.get("owner_id"), errors, current=current)
        if owner is not None:
            lead.owner = owner
            lead.team_id = owner.team_id
    lead.title_key = search_key(lead.title or "")[:200]
    model_check(lead, errors, exclude=["owner", "team", "contact", "company", "custom", "answers"])


@transaction.atomic
def lead_create(*, actor: Actor, data: Mapping[str, Any]) -> Lead:
    """A new lead; the owner is the acting user unless an assigning role names another."""
    assert actor.user is not None
    visibility.require(actor.user, RecordType.LEAD, "create")
    lead = Lead(custom={})
    errors = ErrorCollector()
    if not isinstance(data.get("title"), str):
        errors.add("title", _("A title is required."))
    _apply(lead, data, actor, errors)
    if lead.custom == {} and "custom" not in data:
        try:
            lead.custom = customfields.clean_custom(RecordType.LEAD, {})
        except ValidationFailed as exc:
            errors.errors.extend(exc.errors)
    errors.raise_if_any()
    lead.save()
    audit.record(actor, AuditAction.CREATE, lead, audit.snapshot(lead, AUDITED))
    return lead


def _editable_lead(actor: Actor, lead_id: int, action: str) -> Lead:
    assert actor.user is not None
    lead = visibility.get_visible(actor.user, Lead.objects.select_for_update(), lead_id)
    visibility.require(actor.user, RecordType.LEAD, action)
    return lead


@transaction.atomic
def lead_update(*, actor: Actor, lead_id: int, version: int, data: Mapping[str, Any]) -> Lead:
    """Change the given fields of a lead read at `version`; a stale version is a conflict."""
    lead = _editable_lead(actor, lead_id, "edit")
    before = audit.snapshot(lead, AUDITED)
    errors = ErrorCollector()
    _apply(lead, data, actor, errors)
    errors.raise_if_any()
    _save_versioned(lead, version, before)
    audit.record(actor, AuditAction.UPDATE, lead, audit.diff(before, audit.snapshot(lead, AUDITED)))
    return lead


def _save_versioned(lead: Lead, version: int, before: Mapping[str, Any]) -> None:
    values = {f.attname: getattr(lead, f.attname) for f in Lead._meta.concrete_fields}
    for skip in ("id", "created_at", "version"):
        values.pop(skip)
    values["updated_at"] = timezone.now()
    written = Lead.objects.filter(pk=lead.pk, version=version).update(
        **values, version=F("version") + 1
    )
    if written != 1:
        raise Conflict(_("Someone else changed this lead; reload it and try again."))
    lead.version = version + 1
    lead.updated_at = values["updated_at"]


@transaction.atomic
def lead_delete(*, actor: Actor, lead_id: int) -> None:
    lead = _editable_lead(actor, lead_id, "delete")
    audit.record(actor, AuditAction.DELETE, lead, audit.snapshot(lead, AUDITED))
    lead.delete()


def _prefixed(exc: ValidationFailed, prefix: str) -> list[FieldError]:
    return [FieldError(f"{prefix}.{e.field}", e.message) for e in exc.errors] or [
        FieldError(prefix, exc.message)
    ]


@transaction.atomic
def lead_convert(
    *,
    actor: Actor,
    lead_id: int,
    version: int | None = None,
    contact_id: int | None = None,
    create_contact: bool = False,
    company_id: int | None = None,
    create_company: bool = False,
    deal: Mapping[str, Any],
) -> tuple[Lead, Any]:
    """Turn a lead into a (new or linked) contact and company plus a deal, all or nothing."""
    from kliento.customers import services as customer_services

    user = actor.user
    assert user is not None
    lead = _editable_lead(actor, lead_id, "edit")
    errors = ErrorCollector()
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationFailed.on("lead", _("This lead has been converted already."))
    if version is not None and version != lead.version:
        raise Conflict(_("Someone else changed this lead; reload it and try again."))
    if contact_id is not None and create_contact:
        errors.add("contact_id", _("Either link a contact or create one, not both."))
    if company_id is not None and create_company:
        errors.add("company_id", _("Either link a company or create one, not both."))
    if create_company and not lead.company_name.strip():
        errors.add("create_company", _("The lead has no company name to create a company from."))
    contact = visible_or_error(user, Contact.objects.all(), contact_id, "contact_id", errors)
    company = visible_or_error(user, Company.objects.all(), company_id, "company_id", errors)
    errors.raise_if_any()
    # A new record goes to the lead's owner when the caller may assign, else to the caller.
    owner_id = lead.owner_id if visibility.may_assign(user) else user.pk
    if create_company:
        try:
            company = customer_services.company_create(
                actor=actor,
                data={
                    "name": lead.company_name,
                    "emails": [{"value": lead.email}] if lead.email else [],
                    "phones": [],
                    "source": lead.source,
                    "source_campaign": lead.utm_campaign,
                    "source_keyword": lead.keyword,
                    "owner_id": owner_id,
                },
            )
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, _prefixed(exc, "company")) from exc
    if create_contact:
        try:
            contact = customer_services.contact_create(
                actor=actor,
                data={
                    "first_name": lead.first_name,
                    "last_name": lead.last_name,
                    "company_id": company.pk if company is not None else None,
                    "emails": [{"value": lead.email}] if lead.email else [],
                    "phones": [{"value": lead.phone}] if lead.phone else [],
                    "source": lead.source,
                    "source_campaign": lead.utm_campaign,
                    "source_keyword": lead.keyword,
                    "owner_id": owner_id,
                },
            )
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, _prefixed(exc, "contact")) from exc
    if not isinstance(deal, Mapping):
        raise ValidationFailed.on("deal", _("Must be an object."))
    deal_data: dict[str, Any] = {
        "title": lead.title,
        "owner_id": owner_id,
        "company_id": company.pk if company is not None else None,
        "contact_id": contact.pk if contact is not None else None,
        "lead_id": lead.pk,
    }
    if lead.budget_amount is not None:
        deal_data["amount"] = lead.budget_amount
        deal_data["currency"] = lead.budget_currency
    deal_data.update({k: v for k, v in deal.items() if v is not None})
    try:
        new_deal = deal_create(actor=actor, data=deal_data)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, _prefixed(exc, "deal")) from exc
    before = audit.snapshot(lead, AUDITED)
    lead.status = LeadStatus.CONVERTED
    lead.converted_at = timezone.now()
    lead.contact = contact
    lead.company = company
    _save_versioned(lead, lead.version, before)
    audit.record(actor, AuditAction.UPDATE, lead, audit.diff(before, audit.snapshot(lead, AUDITED)))
    return lead, new_deal
