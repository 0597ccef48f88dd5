"""Writing the audit trail, which is the event stream; services call `record` in their transaction.

Every row is an event that consumers registered with core.events receive after it
commits, in order; `record` is the only writer of it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from kliento.core import events, records
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audit-ready values of `fields` (foreign keys by id)."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def record(
    actor: Actor,
    action: str,
    instance: models.Model,
    changes: Mapping[str, Any],
) -> AuditEvent | None:
    """Append one audit row (an event); an update that changed nothing writes none.

    `action` is create, update or delete, or a domain action registered with
    core.events ("deal.won"); the consumers hear of it once the transaction commits.
    """
    if action == AuditAction.UPDATE and not changes:
        return None
    return record_of(
        actor, action, records.spec_for_model(type(instance)).name, instance.pk, changes
    )


def record_of(
    actor: Actor, action: str, record_type: str, record_id: int, changes: Mapping[str, Any]
) -> AuditEvent:
    """An audit row for a record given by type and id (configuration, users, teams)."""
    events.require_action(action)
    return AuditEvent.objects.create(
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_label=actor.label[:200],
        action=action,
        record_type=record_type,
        record_id=record_id,
        changes=_plain(dict(changes)),
        caused_by_id=actor.cause,
    )


def record_detached(actor: Actor, instance: models.Model) -> int:
    """Audit the records that deleting `instance` will unlink (foreign keys SET_NULL).

    Deleting a company clears the company of its contacts and deals: a change of
    customer data like any other, so each gets its row. Returns how many.
    """
    detached: list[AuditEvent] = []
    for relation in instance._meta.related_objects:
        if getattr(relation, "on_delete", None) is not models.SET_NULL:
            continue
        related = relation.related_model
        try:
            record_type = records.spec_for_model(related).name
        except LookupError:
            continue  # not customer data
        column = relation.field.attname
        ids = related._default_manager.filter(**{column: instance.pk}).values_list("pk", flat=True)
        detached.extend(
            AuditEvent(
                actor_kind=actor.kind,
                actor_user=actor.user,
                actor_label=actor.label[:200],
                action=AuditAction.UPDATE,
                record_type=record_type,
                record_id=pk,
                changes={column: [instance.pk, None]},
                caused_by_id=actor.cause,
            )
            for pk in ids
        )
    AuditEvent.objects.bulk_create(detached, batch_size=1000)
    return len(detached)
