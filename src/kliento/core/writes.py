"""One kit for versioned, audited writes of records people edit together.

A service states what it writes; the kit finds the record the actor may see and lock,
checks the actor's right, refuses a stale version with a 409 before anything is written,
saves the row only if it is still at the version the caller read (SQLite has no row
lock, so the guard is in the UPDATE itself), and records the audit row, which is the
domain event, in the same transaction:

    with writes.change(actor, Deal, deal_id, version=version, audited=AUDITED) as deal:
        deal.title = title          # or: writes.action = "deal.won"

`created` and `deleted` do the same for the other two writes. Configuration
(pipelines, reasons, custom fields, users, rights) is audited with
`core.audit.record_of` under its own record type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import audit, inputs, records, visibility
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import Conflict, ErrorCollector, PermissionDenied
from kliento.core.models import User

M = TypeVar("M", bound=models.Model)
# Columns the guarded UPDATE never writes: the key, the creation time and the version,
# which it bumps itself.
_NEVER_WRITTEN = frozenset({"id", "created_at", "version"})


def acting_user(actor: Actor) -> User:
    """Whose rights apply to this write; a system actor without a user may not write."""
    if actor.user is None:
        raise PermissionDenied(_("This change needs a user's rights."))
    return actor.user


def expected_version(value: object) -> int:
    """The version the caller read: a positive whole number, else a 422 saying so."""
    errors = ErrorCollector()
    found = inputs.version(value, errors)
    errors.raise_if_any()
    assert found is not None
    return found


def stale_message() -> str:
    return _("Someone else changed this record in the meantime; reload it and try again.")


def locked(actor: Actor, model: type[M], pk: int, right: str) -> M:
    """The record, visible to the actor (else 404) and locked for this transaction, once
    the actor's `right` (create, edit, delete) on its record type is checked (else 403)."""
    user = acting_user(actor)
    # An archived record is found (its card is readable), but not changed: a 409 says why.
    manager = getattr(model, "all_objects", model._default_manager)
    record: M = visibility.get_visible(user, manager.select_for_update(), pk)
    visibility.require(user, records.spec_for_model(model).name, right)
    if getattr(record, "archived_at", None) is not None:
        raise Conflict(_("This record is in the archive; restore it to change it."))
    return record


def save_versioned(record: models.Model, version: int) -> None:
    """Write every column if the row is still at `version`, bumping it; else a 409."""
    model = type(record)
    derive = getattr(record, "derive_columns", None)
    if derive is not None:  # columns a model keeps in step in save(), which this bypasses
        derive()
    values = {
        f.attname: getattr(record, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in _NEVER_WRITTEN
    }
    if "updated_at" in values:
        values["updated_at"] = timezone.now()
    rows = model._default_manager.filter(pk=record.pk, version=version)
    written = rows.update(**values, version=F("version") + 1)
    if written != 1:
        raise Conflict(stale_message())
    record.version = version + 1  # type: ignore[attr-defined]
    if "updated_at" in values:
        record.updated_at = values["updated_at"]  # type: ignore[attr-defined]


@dataclass
class Change(Generic[M]):
    """What a service is changing: the record, and the action its audit row records."""

    record: M
    action: str = AuditAction.UPDATE
    # Changes beside the audited fields (child rows such as participants), before -> after.
    extra: dict[str, list[Any]] = field(default_factory=dict)


@contextmanager
def change(
    actor: Actor,
    model: type[M],
    pk: int,
    *,
    version: object,
    audited: tuple[str, ...],
    right: str = "edit",
) -> Iterator[Change[M]]:
    """Lock, check and hand over the record; on leaving, save it guarded and audit it.

    A stale `version` is a 409 before the body runs, so the service's own checks never
    see an outdated record. Leaving with an exception writes nothing; so does leaving
    with nothing audited changed and no domain action (the version stays).
    """
    with transaction.atomic():
        record = locked(actor, model, pk, right)
        expected = expected_version(version)
        if record.version != expected:  # type: ignore[attr-defined]
            raise Conflict(stale_message())
        before = audit.snapshot(record, audited)
        pending = Change(record)
        yield pending
        changes: dict[str, Any] = {**audit.diff(before, audit.snapshot(record, audited))}
        changes.update(pending.extra)
        if not changes and pending.action == AuditAction.UPDATE:
            return  # nothing changed (a repeated request): no new version, no event
        save_versioned(record, expected)
        audit.record(actor, pending.action, record, changes)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def created(
    actor: Actor,
    record: models.Model,
    audited: tuple[str, ...],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Audit a record the service has just saved: every audited field that has a value,
    and `extra` (its child rows, by name)."""
    after = {**audit.snapshot(record, audited), **(extra or {})}
    audit.record(
        actor, AuditAction.CREATE, record, {k: [None, v] for k, v in after.items() if not _empty(v)}
    )


def deleted(
    actor: Actor,
    record: models.Model,
    audited: tuple[str, ...],
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Audit and delete a record the service has locked (see `locked(..., "delete")`),
    with the records it unlinks; `extra` as in `created`."""
    before = {**audit.snapshot(record, audited), **(extra or {})}
    audit.record(
        actor,
        AuditAction.DELETE,
        record,
        {k: [v, None] for k, v in before.items() if not _empty(v)},
    )
    audit.record_detached(actor, record)
    record.delete()
