"""Writes of contacts: create, update (optimistic locking), delete; each audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import inputs
from kliento.core.actors import Actor
from kliento.core.errors import ErrorCollector
from kliento.core.models import User
from kliento.core.text import search_key
from kliento.customers import records
from kliento.customers.choices import ChannelKind
from kliento.customers.models import Company, Contact
from kliento.customers.services import _common as c
from kliento.customers.services import _flow

NAME_PARTS = ("first_name", "last_name", "middle_name")
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


def _clean(
    data: Mapping[str, Any],
    current: Contact | None,
    user: User,
    errors: ErrorCollector,
    out: c.Cleaned,
) -> None:
    c.clean_texts(data, (*NAME_PARTS, "job_title"), Contact, errors, out)
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
            birthday = inputs.date(data["birthday"], "birthday", errors)
            if birthday is not None:
                if birthday > timezone.now().date():
                    errors.add("birthday", _("A birthday cannot be in the future."))
                else:
                    out.fields["birthday"] = birthday
    if "company_id" in data:
        value = data["company_id"]
        company = inputs.visible_record(user, Company.objects.all(), value, "company_id", errors)
        if value is None or company is not None:
            out.fields["company"] = company


def _derive(contact: Contact, cleaned: c.Cleaned) -> None:
    contact.name_key = search_key(contact.last_name, contact.first_name, contact.middle_name)
    contact.first_name_key = search_key(contact.first_name)
    # The primary e-mail and phone are copied onto the row so a list needs no join.
    if ChannelKind.EMAIL in cleaned.channels:
        contact.email = c.primary_of(cleaned.channels[ChannelKind.EMAIL])
    if ChannelKind.PHONE in cleaned.channels:
        contact.phone = c.primary_of(cleaned.channels[ChannelKind.PHONE])


CONTACT = _flow.Kind(
    model=Contact,
    record_type=records.CONTACT,
    keys=frozenset({*c.SHARED_KEYS, *NAME_PARTS, "company_id", "job_title", "birthday"}),
    audited=AUDITED,
    derive=_derive,
)


def contact_create(*, actor: Actor, data: dict[str, Any]) -> Contact:
    return _flow.create(CONTACT, _clean, actor=actor, data=data)


def contact_update(
    *, actor: Actor, contact_id: int, version: object, data: dict[str, Any]
) -> Contact:
    """Apply the fields `data` names to the contact the caller read at `version`."""
    return _flow.update(
        CONTACT, _clean, actor=actor, record_id=contact_id, version=version, data=data
    )


def contact_delete(*, actor: Actor, contact_id: int) -> None:
    _flow.delete(CONTACT, actor=actor, record_id=contact_id)
