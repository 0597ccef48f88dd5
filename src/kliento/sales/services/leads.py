"""Writes of leads: create, update, delete and convert into a contact/company and a deal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import archive, inputs, visibility, writes
from kliento.core.actors import Actor
from kliento.core.errors import ErrorCollector, FieldError, ValidationFailed
from kliento.core.models import User
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.choices import LeadChannel, LeadStatus
from kliento.sales.models import Lead
from kliento.sales.records import LEAD
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


def _apply_texts(lead: Lead, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    """The TEXT_FIELDS that `data` names; a new lead needs its title even when absent."""
    for name in TEXT_FIELDS:
        if name in data or (name == "title" and lead.pk is None):
            value = inputs.column_text(Lead, name, data.get(name), errors, required=name == "title")
            if value is not None:
                setattr(lead, name, value)


def _apply_status_and_channel(lead: Lead, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    # Converted is no status to set: only lead_convert reaches it, and nothing leaves it.
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


def _apply_email_and_phone(lead: Lead, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    """Normalize the e-mail and phone that `data` gives; empty or null clears them."""
    from kliento.customers.normalize import normalize_email, normalize_phone

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


def _apply_budget(lead: Lead, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    """The budget amount and currency `data` gives; an amount needs a currency."""
    if "budget_amount" in data:
        raw = data["budget_amount"]
        lead.budget_amount = None if raw is None else inputs.money(raw, "budget_amount", errors)
    if "budget_currency" in data:
        raw = data["budget_currency"]
        lead.budget_currency = (
            "" if not raw else inputs.currency(raw, "budget_currency", errors) or ""
        )
    # Checked on the lead, not on `data`: changing either one must not leave an amount alone.
    if lead.budget_amount is not None and not lead.budget_currency:
        errors.add("budget_currency", _("A budget needs its currency."))


def _apply(lead: Lead, data: Mapping[str, Any], actor: Actor, errors: ErrorCollector) -> None:
    """Check `data` and set it on `lead` (not saved); problems go to `errors`."""
    user = actor.user
    assert user is not None
    inputs.check_keys(data, WRITABLE, errors)
    inputs.refuse_nul(data, errors, skip=TEXT_FIELDS)
    _apply_texts(lead, data, errors)
    _apply_status_and_channel(lead, data, errors)
    _apply_email_and_phone(lead, data, errors)
    if "answers" in data:
        lead.answers = inputs.json_object(data["answers"] or {}, "answers", errors)
    _apply_budget(lead, data, errors)
    if "timeline" in data:
        raw = data["timeline"]
        lead.timeline = None if raw is None else inputs.date(raw, "timeline", errors)
    if "custom" in data or lead.pk is None:
        # A new lead must still satisfy required custom fields.
        custom = inputs.custom(LEAD, data.get("custom"), errors, current=lead.custom)
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
    visibility.require(actor.user, LEAD, "create")
    lead = Lead(custom={})
    errors = ErrorCollector()
    _apply(lead, data, actor, errors)
    errors.raise_if_any()
    lead.save()
    writes.created(actor, lead, AUDITED)
    return lead


def lead_update(*, actor: Actor, lead_id: int, version: object, data: Mapping[str, Any]) -> Lead:
    """Change the given fields of a lead read at `version`; a stale version is a conflict."""
    with writes.change(actor, Lead, lead_id, version=version, audited=AUDITED) as change:
        lead = change.record
        errors = ErrorCollector()
        _apply(lead, data, actor, errors)
        errors.raise_if_any()
    return lead


def lead_delete(*, actor: Actor, lead_id: int) -> None:
    """To the archive, with the activities logged on it."""
    archive.archive(actor, Lead, lead_id)


def _prefixed(exc: ValidationFailed, prefix: str) -> list[FieldError]:
    return [FieldError(f"{prefix}.{e.field}", e.message) for e in exc.errors] or [
        FieldError(prefix, exc.message)
    ]


def lead_convert(
    *,
    actor: Actor,
    lead_id: int,
    version: object = None,
    contact_id: int | None = None,
    create_contact: bool = False,
    company_id: int | None = None,
    create_company: bool = False,
    deal: Mapping[str, Any],
) -> tuple[Lead, Any]:
    """Turn a lead into a (new or linked) contact and company plus a deal, all or nothing.

    `version` is the version the caller read; the API may leave it out (None)."""
    user = writes.acting_user(actor)
    with transaction.atomic():
        if version is None:  # the API lets a caller convert without the version it read
            version = writes.locked(actor, Lead, lead_id, "edit").version
        with writes.change(actor, Lead, lead_id, version=version, audited=AUDITED) as change:
            change.action = "lead.converted"
            new_deal = _convert(
                actor,
                user,
                change.record,
                contact_id=contact_id,
                create_contact=create_contact,
                company_id=company_id,
                create_company=create_company,
                deal=deal,
            )
    return change.record, new_deal


def _convert(
    actor: Actor,
    user: User,
    lead: Lead,
    *,
    contact_id: object,
    create_contact: bool,
    company_id: object,
    create_company: bool,
    deal: Mapping[str, Any],
) -> Any:
    """Create or link the contact and company, create the deal, mark the lead converted."""
    from kliento.customers import services as customer_services

    if lead.status == LeadStatus.CONVERTED:
        raise ValidationFailed.on("lead", _("This lead has been converted already."))
    errors = ErrorCollector()
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
    lead.status = LeadStatus.CONVERTED
    lead.converted_at = timezone.now()
    lead.contact = contact
    lead.company = company
    return new_deal
