"""The create / update / delete flow companies and contacts share.

Each kind of customer record brings its own keys, checks and derived columns
(`Kind`); the transaction, rights, optimistic locking, child rows and audit are
the same for both and live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import audit, inputs, visibility
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import Conflict, ErrorCollector
from kliento.core.models import User
from kliento.customers.models import Company, Contact
from kliento.customers.services import _common as c

R = TypeVar("R", Company, Contact)
# Checks the kind's own fields of `data` (already an object) into the Cleaned.
Clean = Callable[[Mapping[str, Any], R | None, User, ErrorCollector, c.Cleaned], None]


@dataclass(frozen=True)
class Kind(Generic[R]):
    model: type[R]
    record_type: str
    keys: frozenset[str]
    audited: tuple[str, ...]
    # Sets the columns derived from the others (search keys, primary channels).
    derive: Callable[[R, c.Cleaned], None]
    # The 409 message, translated when raised.
    stale: Callable[[], str]


def _clean(kind: Kind[R], clean: Clean[R], data: Any, current: R | None, user: User) -> c.Cleaned:
    errors = ErrorCollector()
    out = c.Cleaned()
    if inputs.check_keys(data, kind.keys | ({"version"} if current else set()), errors):
        clean(data, current, user, errors, out)
        c.clean_shared(data, kind.model, kind.record_type, current, user, errors, out)
    errors.raise_if_any()
    return out


def _apply(kind: Kind[R], record: R, cleaned: c.Cleaned) -> None:
    for name, value in cleaned.fields.items():
        setattr(record, name, value)
    inputs.set_owner(record, cleaned.owner)
    kind.derive(record, cleaned)


def create(kind: Kind[R], clean: Clean[R], *, actor: Actor, data: Mapping[str, Any]) -> R:
    user = c.acting_user(actor)
    visibility.require(user, kind.record_type, "create")
    with transaction.atomic():
        cleaned = _clean(kind, clean, data, None, user)
        record = kind.model()
        _apply(kind, record, cleaned)
        record.save()
        c.write_children(record, cleaned)
        after = c.full_snapshot(record, kind.audited)
        audit.record(actor, AuditAction.CREATE, record, c.created_changes(after))
    return record


def _expected_version(data: Any) -> int:
    errors = ErrorCollector()
    expected = None
    if not isinstance(data, Mapping):
        errors.add("body", _("Must be an object."))
    else:
        expected = inputs.version(data.get("version"), errors)
    errors.raise_if_any()
    assert expected is not None
    return expected


def update(
    kind: Kind[R], clean: Clean[R], *, actor: Actor, record_id: int, data: Mapping[str, Any]
) -> R:
    """Apply the fields `data` names; `data["version"]` is the version the caller read."""
    user = c.acting_user(actor)
    with transaction.atomic():
        record = visibility.get_visible(user, kind.model.objects.select_for_update(), record_id)
        visibility.require(user, kind.record_type, "edit")
        expected = _expected_version(data)
        if record.version != expected:
            raise Conflict(kind.stale())
        cleaned = _clean(kind, clean, data, record, user)
        before = c.full_snapshot(record, kind.audited)
        # The guarded bump refuses a writer that slipped in since the read (SQLite has no row lock).
        if not kind.model.objects.filter(pk=record.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now()
        ):
            raise Conflict(kind.stale())
        _apply(kind, record, cleaned)
        record.version = expected + 1
        record.save()
        c.write_children(record, cleaned)
        after = c.full_snapshot(record, kind.audited)
        audit.record(actor, AuditAction.UPDATE, record, audit.diff(before, after))
    return record


def delete(kind: Kind[R], *, actor: Actor, record_id: int) -> None:
    user = c.acting_user(actor)
    with transaction.atomic():
        record = visibility.get_visible(user, kind.model.objects.select_for_update(), record_id)
        visibility.require(user, kind.record_type, "delete")
        before = c.full_snapshot(record, kind.audited)
        audit.record(actor, AuditAction.DELETE, record, c.deleted_changes(before))
        audit.record_detached(actor, record)
        record.delete()
