"""What the lead and deal services share: the locked read, the versioned write, the audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import F
from django.utils import timezone

from kliento.core import audit, visibility
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import Conflict
from kliento.sales.models import Deal, Lead

R = TypeVar("R", Deal, Lead)


def locked(actor: Actor, model: type[R], record_type: str, pk: int, action: str) -> R:
    """The record, visible to the actor and locked for this transaction; rights checked."""
    assert actor.user is not None
    record = visibility.get_visible(actor.user, model.objects.select_for_update(), pk)
    visibility.require(actor.user, record_type, action)
    return record


def save_versioned(record: R, version: int, stale: str) -> None:
    """Write every column if the row is still at `version`; else nothing and a 409 (`stale`)."""
    model = type(record)
    values = {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields}
    for skip in ("id", "created_at", "version"):
        values.pop(skip)
    values["updated_at"] = timezone.now()
    written = model.objects.filter(pk=record.pk, version=version).update(
        **values, version=F("version") + 1
    )
    if written != 1:
        raise Conflict(stale)
    record.version = version + 1
    record.updated_at = values["updated_at"]


def audit_update(
    actor: Actor, record: R, before: Mapping[str, Any], fields: tuple[str, ...]
) -> None:
    """An update audit row: the audited fields that changed since `before`, before -> after."""
    audit.record(
        actor, AuditAction.UPDATE, record, audit.diff(before, audit.snapshot(record, fields))
    )


def delete_audited(
    actor: Actor, model: type[R], record_type: str, pk: int, fields: tuple[str, ...]
) -> None:
    """Delete a visible record the actor may delete, keeping its last state in the audit."""
    record = locked(actor, model, record_type, pk, "delete")
    audit.record(actor, AuditAction.DELETE, record, audit.snapshot(record, fields))
    audit.record_detached(actor, record)
    record.delete()
