"""The archive: customer data goes there instead of being deleted, and comes back whole.

Archiving a record hides it from every list, search, count and picker (the models'
`objects` manager leaves archived rows out) and keeps its card readable to those who
may see it. The records whose home it is go with it: an app names the links of its
records in order (`register_followers`), and a record's home is the first of them that
is set. A deal's home is its company, else its contact; an activity's is its deal, else
its lead, contact or company. So archiving a company takes its deals and their
activities, and a call logged on a deal stays with the deal when its contact goes.
Each record archived in one go keeps the audit event of the first as `archived_with`,
so restoring that record brings back exactly what went with it, and restoring a
follower brings back what followed it.

Only an administrator, or the retention period (`KLIENTO_ARCHIVE_DAYS`), deletes an
archived record for good, with what was archived with it and its files; the audit keeps
its last state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import audit, records, visibility, writes
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import Conflict, ValidationFailed
from kliento.core.models import Attachment, AuditEvent, User
from kliento.core.pagination import keyset_page
from kliento.core.rights import require_admin

# How many archived records a retention run deletes in one transaction.
PURGE_BATCH = 200


@dataclass(frozen=True)
class _Link:
    follower: type[models.Model]
    field: str  # the follower's foreign key to its home
    before: tuple[str, ...]  # links that come first: when one is set, that is the home


_followers: dict[type[models.Model], list[_Link]] = defaultdict(list)


def register_followers(model: type[models.Model], *fields: str) -> None:
    """A `model` record's home is the first of its foreign keys `fields` that is set; it
    goes to the archive with its home (called from the follower's app's `ready()`)."""
    for i, name in enumerate(fields):
        target = model._meta.get_field(name).related_model
        assert isinstance(target, type)
        link = _Link(model, name, tuple(fields[:i]))
        if link not in _followers[target]:
            _followers[target].append(link)


def is_archivable(model: type[models.Model]) -> bool:
    return any(f.name == "archived_at" for f in model._meta.concrete_fields)


def _all(model: type[Any]) -> models.QuerySet[Any]:
    manager: models.Manager[Any] = model.all_objects
    return manager.all()


# --- reading the archive ---------------------------------------------------------------


@dataclass(frozen=True)
class Archived:
    """One archived record as the archive's list shows it."""

    record_type: str
    id: int
    name: str
    archived_at: dt.datetime
    archived_by: str
    # The record it went to the archive with (None when it was archived itself).
    went_with_type: str | None
    went_with_id: int | None


def archivable_spec(record_type: str) -> records.RecordSpec:
    """The spec of a record type that has an archive, else a 422 naming those that do."""
    spec = records.spec_for_name(record_type) if isinstance(record_type, str) else None
    if spec is None or not is_archivable(spec.model):
        names = ", ".join(sorted(s.name for s in records.specs() if is_archivable(s.model)))
        raise ValidationFailed.on(
            "record_type",
            _("Not a record type with an archive. Use one of: %(types)s.") % {"types": names},
        )
    return spec


def archived_page(
    user: User, record_type: str, *, cursor: str | None, limit: int
) -> tuple[list[Archived], str | None]:
    """The archived records of one type the user may see, the latest archived first.

    Read from the (archived_at, id) partial index, which holds the archived rows only.
    """
    spec = archivable_spec(record_type)
    rows = visibility.visible(user, _all(spec.model).filter(archived_at__isnull=False))
    page = keyset_page(
        rows,
        ordering="-archived_at",
        allowed={"archived_at": "archived_at"},
        default="-archived_at",
        cursor=cursor,
        limit=limit,
    )
    events = AuditEvent.objects.in_bulk([r.archived_with for r in page.items if r.archived_with])
    items = []
    for row in page.items:
        event = events.get(row.archived_with)
        went_with = None
        if event is not None and (event.record_type, event.record_id) != (spec.name, row.pk):
            went_with = (event.record_type, event.record_id)
        items.append(
            Archived(
                record_type=spec.name,
                id=row.pk,
                name=str(row),
                archived_at=row.archived_at,
                archived_by=event.actor_label if event is not None else "",
                went_with_type=went_with[0] if went_with else None,
                went_with_id=went_with[1] if went_with else None,
            )
        )
    return items, page.next_cursor


# --- archive ---------------------------------------------------------------------------


def archive(actor: Actor, model: type[models.Model], pk: int) -> None:
    """Archive a record the actor sees and may delete, with the records that follow it."""
    with transaction.atomic():
        record = writes.locked(actor, model, pk, "delete")
        event = audit.record(actor, AuditAction.ARCHIVE, record, {})
        assert event is not None
        now = timezone.now()
        _archive_row(record, event.pk, now)
        _archive_followers(dataclasses.replace(actor, cause=event.pk), record, event.pk, now)


def _archive_row(record: models.Model, group: int, now: dt.datetime) -> None:
    _all(type(record)).filter(pk=record.pk).update(
        archived_at=now, archived_with=group, version=F("version") + 1
    )


def _archive_followers(actor: Actor, record: models.Model, group: int, now: dt.datetime) -> None:
    for link in _followers[type(record)]:
        rows = link.follower._default_manager.filter(**{link.field: record.pk})
        rows = rows.filter(**{f"{first}__isnull": True for first in link.before})
        for follower in rows.select_for_update().order_by("pk"):
            audit.record(actor, AuditAction.ARCHIVE, follower, {})
            _archive_row(follower, group, now)
            _archive_followers(actor, follower, group, now)


# --- restore ---------------------------------------------------------------------------


def archived_get(actor: Actor, model: type[models.Model], pk: int, right: str) -> Any:
    """An archived record the actor sees, locked, once the right is checked; else 404."""
    user = writes.acting_user(actor)
    record = visibility.get_visible(user, _all(model).select_for_update(), pk)
    visibility.require(user, records.spec_for_model(model).name, right)
    if record.archived_at is None:
        raise Conflict(_("This record is not in the archive."))
    return record


def restore(actor: Actor, model: type[models.Model], pk: int) -> Any:
    """Bring an archived record back, with everything that was archived with it."""
    with transaction.atomic():
        record = archived_get(actor, model, pk, "delete")
        group = record.archived_with
        _restore_row(actor, record)
        _restore_followers(dataclasses.replace(actor, cause=None), record, group)
        record.refresh_from_db()
    return record


def _restore_row(actor: Actor, record: Any) -> None:
    _all(type(record)).filter(pk=record.pk).update(
        archived_at=None, archived_with=None, version=F("version") + 1
    )
    audit.record(actor, AuditAction.RESTORE, record, {})


def _restore_followers(actor: Actor, record: models.Model, group: int | None) -> None:
    if group is None:
        return
    for link in _followers[type(record)]:
        rows = _all(link.follower).filter(**{link.field: record.pk, "archived_with": group})
        for follower in rows.select_for_update().order_by("pk"):
            _restore_row(actor, follower)
            _restore_followers(actor, follower, group)


# --- purge -----------------------------------------------------------------------------


def purge(actor: Actor, model: type[models.Model], pk: int) -> None:
    """Delete an archived record for good (administrators), with what went with it."""
    with transaction.atomic():
        require_admin(writes.acting_user(actor))
        record = archived_get(actor, model, pk, "delete")
        _purge(actor, record)


def _purge(actor: Actor, record: Any) -> None:
    group = record.archived_with
    for follower in _archived_followers(record, group):
        _purge(actor, follower)
    spec = records.spec_for_model(type(record))
    stored = [
        str(a.file.name)
        for a in Attachment.objects.filter(record_type=spec.name, record_id=record.pk)
    ]
    Attachment.objects.filter(record_type=spec.name, record_id=record.pk).delete()
    # Its last state stays in the audit: every column a person wrote.
    audited = tuple(
        f.name for f in type(record)._meta.concrete_fields if f.editable and f.name != "id"
    )
    writes.deleted(actor, record, audited)
    transaction.on_commit(lambda: _delete_files(stored))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _archived_followers(record: models.Model, group: int | None) -> Iterator[Any]:
    if group is None:
        return
    for link in _followers[type(record)]:
        rows = _all(link.follower).filter(**{link.field: record.pk, "archived_with": group})
        yield from rows.select_for_update().order_by("pk")


def retention_days() -> int:
    """Days an archived record is kept; 0 keeps it until an administrator deletes it."""
    return int(getattr(settings, "KLIENTO_ARCHIVE_DAYS", 0))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete for good what has been in the archive longer than the retention period."""
    days = retention_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    actor = Actor.system("archive retention")
    done = 0
    for spec in records.specs():
        if not is_archivable(spec.model):
            continue
        while True:
            with transaction.atomic():
                batch = list(
                    _all(spec.model)
                    .filter(archived_at__lt=cutoff)
                    .select_for_update()
                    .order_by("archived_at", "pk")[:PURGE_BATCH]
                )
                for record in batch:
                    _purge(actor, record)
            done += len(batch)
            if len(batch) < PURGE_BATCH:
                break
    return done
