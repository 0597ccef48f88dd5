"""Writes of leads: create, update, delete and convert into a contact/company and a deal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import audit, inputs, visibility
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
from kliento.sales.services.common import audit_update, delete_audited, locked, save_versioned
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
# Fields besides the texts that a caller sets, in the order the audit lists them.
VALUE_FIELDS = (
    "status",
    "channel",
    "email",
    "phone",
    "answers",
    "budget_amount",
    "budget_currency",
    "timeline",
    "custom",
)
AUDITED = (
    *TEXT_FIELDS,
    *VALUE_FIELDS,
    "owner",
    "team",
    "contact",
    "company",
    "converted_at",
)
WRITABLE = frozenset({*TEXT_FIELDS, *VALUE_FIELDS, "owner_id"})
SETTABLE_STATUSES = frozenset(LeadStatus.values) - {LeadStatus.CONVERTED}


def _apply(lead: Lead, data: Mapping[str, Any], actor: Actor, errors: ErrorCollector) -> None:
    """Check `data` and set it on `lead` (not saved); problems go to `errors`."""
    from kliento.customers.normalize import normalize_email, normalize_phone

    user = actor.user
    assert user is not None
    inputs.check_keys(data, WRITABLE, errors)
    inputs.refuse_nul(data, errors, skip=TEXT_FIELDS)
    for name in TEXT_FIELDS:
        if name in data or (name == "title" and lead.pk is None):
            value = inputs.column_text(Lead, name, data.get(name), errors, required=name == "title")
            if value is not None:
                setattr(lead, name, value)
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
        lead.answers = inputs.json_object(data["answers"] or {}, "answers", errors)
    if "budget_amount" in data:
        raw = data["budget_amount"]
        lead.budget_amount = None if raw is None else inputs.money(raw, "budget_amount", errors)
    if "budget_currency" in data:
        raw = data["budget_currency"]
        lead.budget_currency = (
            "" if not raw else inputs.currency(raw, "budget_currency", errors) or ""
        )
    if lead.budget_amount is not None and not lead.budget_currency:
        errors.add("budget_currency", _("A budget needs its currency."))
    if "timeline" in data:
        raw = data["timeline"]
        lead.timeline = None if raw is None else inputs.date(raw, "timeline", errors)
    if "custom" in data or lead.pk is None:
        # A new lead must still satisfy required custom fields.
        custom = inputs.custom(RecordType.LEAD, data.get("custom"), errors, current=lead.custom)
        if custom is not None:
            lead.custom = custom
    inputs.set_owner(lead, inputs.owner(user, data, errors, current=lead.owner_id))
    lead.title_key = search_key(lead.title or "")[:200]
    inputs.model_check(
        lead, errors, exclude=["owner", "team", "contact", "company", "custom", "answers"]
    )


@transaction.atomic
def lead_create(*, actor: Actor, data: Mapping[str, Any]) -> Lead:
    """A new lead; the owner is the acting user unless an assigning role names another."""
    assert actor.user is not None
    visibility.require(actor.user, RecordType.LEAD, "create")
    lead = Lead(custom={})
    errors = ErrorCollector()
    _apply(lead, data, actor, errors)
    errors.raise_if_any()
    lead.save()
    audit.record(actor, AuditAction.CREATE, lead, audit.snapshot(lead, AUDITED))
    return lead


def _stale() -> str:
    return _("Someone else changed this lead; reload it and try again.")


def _save_versioned(lead: Lead, version: int) -> None:
    save_versioned(lead, version, _stale())


@transaction.atomic
def lead_update(*, actor: Actor, lead_id: int, version: int, data: Mapping[str, Any]) -> Lead:
    """Change the given fields of a lead read at `version`; a stale version is a conflict."""
    lead = locked(actor, Lead, RecordType.LEAD, lead_id, "edit")
    before = audit.snapshot(lead, AUDITED)
    errors = ErrorCollector()
    _apply(lead, data, actor, errors)
    errors.raise_if_any()
    _save_versioned(lead, version)
    audit_update(actor, lead, before, AUDITED)
    return lead


@transaction.atomic
def lead_delete(*, actor: Actor, lead_id: int) -> None:
    delete_audited(actor, Lead, RecordType.LEAD, lead_id, AUDITED)


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
    lead = locked(actor, Lead, RecordType.LEAD, lead_id, "edit")
    errors = ErrorCollector()
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationFailed.on("lead", _("This lead has been converted already."))
    if version is not None and version != lead.version:
        raise Conflict(_stale())
    if contact_id is not None and create_contact:
        errors.add("contact_id", _("Either link a contact or create one, not both."))
    if company_id is not None and create_company:
        errors.add("company_id", _("Either link a company or create one, not both."))
    if create_company and not lead.company_name.strip():
        errors.add("create_company", _("The lead has no company name to create a company from."))
    contact = inputs.visible_record(user, Contact.objects.all(), contact_id, "contact_id", errors)
    company = inputs.visible_record(user, Company.objects.all(), company_id, "company_id", errors)
    errors.raise_if_any()
    # A new record goes to the lead's owner when the caller may assign, else to the caller.
    owner_id = lead.owner_id if visibility.may_assign(user) else user.pk
    # What a new company or contact takes over from the lead.
    origin = {
        "source": lead.source,
        "source_campaign": lead.utm_campaign,
        "source_keyword": lead.keyword,
        "owner_id": owner_id,
    }
    if create_company:
        try:
            company = customer_services.company_create(
                actor=actor,
                data={
                    "name": lead.company_name,
                    "emails": [{"value": lead.email}] if lead.email else [],
                    "phones": [],
                    **origin,
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
                    **origin,
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
    _save_versioned(lead, lead.version)
    audit_update(actor, lead, before, AUDITED)
    return lead, new_deal
