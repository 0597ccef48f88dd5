"""Writes of contacts: create, update (optimistic locking), delete; each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import audit, visibility
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, RecordType
from kliento.core.errors import Conflict, ErrorCollector
from kliento.core.models import User
from kliento.core.text import search_key
from kliento.customers.choices import ChannelKind
from kliento.customers.models import Company, Contact
from kliento.customers.services import _common as c

NAME_PARTS = ("first_name", "last_name", "middle_name")
CONTACT_KEYS = frozenset({*c.SHARED_KEYS, *NAME_PARTS, "company_id", "job_title", "birthday"})
AUDITED = (
    *NAME_PARTS,
    "company",
    "job_title",
    "birthday",
    "email",
    "phone",
    *c.SHARED_TEXT,
    "relationship",
    "custom",
    "owner",
    "team",
)


def _clean(data: dict[str, Any], current: Contact | None, actor: Actor) -> c.Cleaned:
    user = c.acting_user(actor)
    errors = ErrorCollector()
    c.check_keys(data, CONTACT_KEYS | ({"version"} if current else set()), errors)
    out = c.Cleaned()
    if isinstance(data, dict):
        for name in (*NAME_PARTS, "job_title"):
            if name in data:
                text = c.clean_text(data[name], name, c.max_length(Contact, name), errors)
                if text is not None:
                    out.fields[name] = text
        names = {n: out.fields.get(n, getattr(current, n, "")) for n in NAME_PARTS}
        if (
            not names["first_name"]
            and not names["last_name"]
            and not any(e.field in NAME_PARTS for e in errors.errors)
        ):
            errors.add("last_name", _("Give a first name or a last name."))
        if "birthday" in data:
            if data["birthday"] is None:
                out.fields["birthday"] = None
            else:
                birthday = c.clean_date(data["birthday"], "birthday", errors)
                if birthday is not None:
                    if birthday > timezone.now().date():
                        errors.add("birthday", _("A birthday cannot be in the future."))
                    else:
                        out.fields["birthday"] = birthday
        if "company_id" in data:
            _clean_company(data["company_id"], user, errors, out)
        c.clean_shared(data, Contact, RecordType.CONTACT, current, user, errors, out)
    errors.raise_if_any()
    return out


def _clean_company(value: Any, user: User, errors: ErrorCollector, out: c.Cleaned) -> None:
    if value is None:
        out.fields["company"] = None
        return
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add("company_id", _("Must be a company id."))
        return
    company = visibility.visible(user, Company.objects.filter(pk=value)).first()
    if company is None:
        errors.add("company_id", _("No such company."))
        return
    out.fields["company"] = company


def _apply(contact: Contact, cleaned: c.Cleaned) -> None:
    for name, value in cleaned.fields.items():
        setattr(contact, name, value)
    contact.name_key = search_key(contact.last_name, contact.first_name, contact.middle_name)
    contact.first_name_key = search_key(contact.first_name)
    if cleaned.owner is not None:
        contact.owner = cleaned.owner
        contact.team_id = cleaned.owner.team_id
    # The primary e-mail and phone are copied onto the row so a list needs no join.
    if ChannelKind.EMAIL in cleaned.channels:
        contact.email = c.primary_of(cleaned.channels[ChannelKind.EMAIL])
    if ChannelKind.PHONE in cleaned.channels:
        contact.phone = c.primary_of(cleaned.channels[ChannelKind.PHONE])


def contact_create(*, actor: Actor, data: dict[str, Any]) -> Contact:
    user = c.acting_user(actor)
    visibility.require(user, RecordType.CONTACT, "create")
    with transaction.atomic():
        cleaned = _clean(data, None, actor)
        contact = Contact()
        _apply(contact, cleaned)
        contact.save()
        c.write_children(contact, cleaned)
        after = c.full_snapshot(contact, AUDITED)
        audit.record(actor, AuditAction.CREATE, contact, c.created_changes(after))
    return contact


def contact_update(*, actor: Actor, contact_id: int, data: dict[str, Any]) -> Contact:
    """Apply the fields `data` names; `data["version"]` is the version the caller read."""
    user = c.acting_user(actor)
    with transaction.atomic():
        contact = visibility.get_visible(user, Contact.objects.select_for_update(), contact_id)
        visibility.require(user, RecordType.CONTACT, "edit")
        errors = ErrorCollector()
        expected = c.clean_version(data, errors)
        errors.raise_if_any()
        assert expected is not None
        if contact.version != expected:
            raise Conflict(_("Someone else changed this contact; reload it and try again."))
        cleaned = _clean(data, contact, actor)
        before = c.full_snapshot(contact, AUDITED)
        # The guarded bump refuses a writer that slipped in since the read (SQLite has no row lock).
        if not Contact.objects.filter(pk=contact.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now()
        ):
            raise Conflict(_("Someone else changed this contact; reload it and try again."))
        _apply(contact, cleaned)
        contact.version = expected + 1
        contact.save()
        c.write_children(contact, cleaned)
        after = c.full_snapshot(contact, AUDITED)
        audit.record(actor, AuditAction.UPDATE, contact, audit.diff(before, after))
    return contact


def contact_delete(*, actor: Actor, contact_id: int) -> None:
    user = c.acting_user(actor)
    with transaction.atomic():
        contact = visibility.get_visible(user, Contact.objects.select_for_update(), contact_id)
        visibility.require(user, RecordType.CONTACT, "delete")
        before = c.full_snapshot(contact, AUDITED)
        audit.record(actor, AuditAction.DELETE, contact, c.deleted_changes(before))
        contact.delete()
