"""Writes of companies: create, update (optimistic locking), delete; each audited."""

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
from kliento.core.text import search_key
from kliento.customers.models import Company
from kliento.customers.services import _common as c

COMPANY_KEYS = frozenset({*c.SHARED_KEYS, "name", "website"})
AUDITED = (
    "name",
    "website",
    *c.SHARED_TEXT,
    "relationship",
    "custom",
    "owner",
    "team",
)


def _clean(data: dict[str, Any], current: Company | None, actor: Actor) -> c.Cleaned:
    user = c.acting_user(actor)
    errors = ErrorCollector()
    c.check_keys(data, COMPANY_KEYS | ({"version"} if current else set()), errors)
    out = c.Cleaned()
    if isinstance(data, dict):
        if current is None or "name" in data:
            name = c.clean_text(
                data.get("name"), "name", c.max_length(Company, "name"), errors, required=True
            )
            if name is not None:
                out.fields["name"] = name
        if "website" in data:
            website = c.clean_text(
                data["website"], "website", c.max_length(Company, "website"), errors
            )
            if website is not None:
                out.fields["website"] = website
        c.clean_shared(data, Company, RecordType.COMPANY, current, user, errors, out)
    errors.raise_if_any()
    return out


def _apply(company: Company, cleaned: c.Cleaned) -> None:
    for name, value in cleaned.fields.items():
        setattr(company, name, value)
    company.name_key = search_key(company.name)
    if cleaned.owner is not None:
        company.owner = cleaned.owner
        company.team_id = cleaned.owner.team_id


def company_create(*, actor: Actor, data: dict[str, Any]) -> Company:
    user = c.acting_user(actor)
    visibility.require(user, RecordType.COMPANY, "create")
    with transaction.atomic():
        cleaned = _clean(data, None, actor)
        company = Company()
        _apply(company, cleaned)
        company.save()
        c.write_children(company, cleaned)
        after = c.full_snapshot(company, AUDITED)
        audit.record(actor, AuditAction.CREATE, company, c.created_changes(after))
    return company


def company_update(*, actor: Actor, company_id: int, data: dict[str, Any]) -> Company:
    """Apply the fields `data` names; `data["version"]` is the version the caller read."""
    user = c.acting_user(actor)
    with transaction.atomic():
        company = visibility.get_visible(user, Company.objects.select_for_update(), company_id)
        visibility.require(user, RecordType.COMPANY, "edit")
        errors = ErrorCollector()
        expected = c.clean_version(data, errors)
        errors.raise_if_any()
        assert expected is not None
        if company.version != expected:
            raise Conflict(_("Someone else changed this company; reload it and try again."))
        cleaned = _clean(data, company, actor)
        before = c.full_snapshot(company, AUDITED)
        # The guarded bump refuses a writer that slipped in since the read (SQLite has no row lock).
        if not Company.objects.filter(pk=company.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now()
        ):
            raise Conflict(_("Someone else changed this company; reload it and try again."))
        _apply(company, cleaned)
        company.version = expected + 1
        company.save()
        c.write_children(company, cleaned)
        after = c.full_snapshot(company, AUDITED)
        audit.record(actor, AuditAction.UPDATE, company, audit.diff(before, after))
    return company


def company_delete(*, actor: Actor, company_id: int) -> None:
    user = c.acting_user(actor)
    with transaction.atomic():
        company = visibility.get_visible(user, Company.objects.select_for_update(), company_id)
        visibility.require(user, RecordType.COMPANY, "delete")
        before = c.full_snapshot(company, AUDITED)
        audit.record(actor, AuditAction.DELETE, company, c.deleted_changes(before))
        company.delete()
