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

from kliento.core import archive, audit, inputs, visibility, writes
from kliento.core.actors import Actor
from kliento.core.errors import ErrorCollector
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


def _clean(kind: Kind[R], clean: Clean[R], data: Any, current: R | None, user: User) -> c.Cleaned:
    errors = ErrorCollector()
    out = c.Cleaned()
    if inputs.check_keys(data, kind.keys, errors):
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
    user = writes.acting_user(actor)
    visibility.require(user, kind.record_type, "create")
    with transaction.atomic():
        cleaned = _clean(kind, clean, data, None, user)
        record = kind.model()
        _apply(kind, record, cleaned)
        record.save()
        c.write_children(record, cleaned)
        writes.created(actor, record, kind.audited, c.children_snapshot(record))
    return record


def update(
    kind: Kind[R],
    clean: Clean[R],
    *,
    actor: Actor,
    record_id: int,
    version: object,
    data: Mapping[str, Any],
) -> R:
    """Apply the fields `data` names to a record read at `version`."""
    user = writes.acting_user(actor)
    audited = kind.audited
    with writes.change(actor, kind.model, record_id, version=version, audited=audited) as change:
        record = change.record
        cleaned = _clean(kind, clean, data, record, user)
        children = c.children_snapshot(record)
        _apply(kind, record, cleaned)
        c.write_children(record, cleaned)
        change.extra.update(audit.diff(children, c.children_snapshot(record)))
    return record


def delete(kind: Kind[R], *, actor: Actor, record_id: int) -> None:
    """To the archive, with the deals, leads and activities whose home it is."""
    archive.archive(actor, kind.model, record_id)
