"""Domain events: the audit trail is the stream, and consumers read it in order, once.

Every write records its event as an audit row in the write's own transaction
(core.audit.record): a create, update or delete with the fields changed, or a domain
action an app registers here ("deal.won", "lead.converted"). So an event exists if and
only if its change was committed, and nothing a request does after the commit (or fails
to do) can lose one.

Apps that react to events (automation, webhooks, loyalty …) `subscribe` a consumer in
their `ready()`. The worker's dispatcher (`run_dispatcher`) hands each consumer the
events it wants in id order, which is commit order for any one record: a write locks
its record's row before it records the event. The consumer's progress is saved in the
same transaction as the handler's own writes, so a worker killed at any instant either
did both or neither: nothing is repeated and nothing skipped. A handler that fails is
rolled back to a savepoint and tried again later; after `MAX_ATTEMPTS` the event is set
aside as an `EventFailure` and the consumer moves on. External effects belong in the
outbox, never in a handler (no network call inside a transaction).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise

from kliento.core.choices import AuditAction
from kliento.core.models import AuditEvent, EventConsumer, EventFailure

logger = logging.getLogger(__name__)

Handler = Callable[[AuditEvent], None]
MAX_ATTEMPTS = 5
BATCH = 200  # events read at once while passing those a consumer does not want


# --- actions ---------------------------------------------------------------------------

_actions: dict[str, str | Promise] = {
    AuditAction.CREATE: AuditAction.CREATE.label,
    AuditAction.UPDATE: AuditAction.UPDATE.label,
    AuditAction.DELETE: AuditAction.DELETE.label,
    AuditAction.ARCHIVE: AuditAction.ARCHIVE.label,
    AuditAction.RESTORE: AuditAction.RESTORE.label,
}


def register_action(name: str, label: str | Promise) -> None:
    """A domain action an app records (`<record type>.<verb>`, such as "deal.won")."""
    if name in _actions and _actions[name] != label:
        raise ValueError(f"event action {name!r} is registered already")
    if len(name) > AuditEvent._meta.get_field("action").max_length:  # type: ignore[operator]
        raise ValueError(f"event action {name!r} is too long")
    _actions[name] = label


def require_action(name: str) -> None:
    if name not in _actions:
        raise ValueError(f"unknown event action {name!r}: register it in the app's ready()")


def action_label(name: str) -> str:
    return str(_actions.get(name, name))


def actions() -> list[str]:
    return list(_actions)


# --- consumers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: Handler
    actions: frozenset[str] | None = None  # None: every action
    record_types: frozenset[str] | None = None  # None: every record type

    def wants(self, action: str, record_type: str) -> bool:
        return (self.actions is None or action in self.actions) and (
            self.record_types is None or record_type in self.record_types
        )


_consumers: dict[str, Consumer] = {}


def subscribe(
    name: str,
    handler: Handler,
    *,
    actions: Collection[str] | None = None,
    record_types: Collection[str] | None = None,
) -> None:
    """Register a consumer under a stable name (its progress is stored under it)."""
    if len(name) > 100:
        raise ValueError("a consumer's name has at most 100 characters")
    for action in actions or ():
        require_action(action)
    _consumers[name] = Consumer(
        name,
        handler,
        frozenset(actions) if actions is not None else None,
        frozenset(record_types) if record_types is not None else None,
    )


def unsubscribe(name: str) -> None:
    _consumers.pop(name, None)


def consumers() -> list[str]:
    return list(_consumers)


def start_consumers() -> None:
    """Give each new consumer its place: it hears of the events recorded from now on.

    (A consumer that must read the history sets its row's `last_event_id` itself.)
    """
    known = set(EventConsumer.objects.values_list("name", flat=True))
    missing = [name for name in _consumers if name not in known]
    if not missing:
        return
    end = AuditEvent.objects.aggregate(end=Max("id"))["end"] or 0
    for name in missing:
        EventConsumer.objects.get_or_create(name=name, defaults={"last_event_id": end})


# --- dispatch --------------------------------------------------------------------------


def dispatch(name: str, *, limit: int = 500) -> int:
    """Hand consumer `name` up to `limit` events it wants; returns how many it handled.

    Each handled event is one transaction: the handler's writes and the consumer's new
    position commit together. Events the consumer does not want are passed in batches.
    """
    consumer = _consumers[name]
    handled = 0
    while handled < limit:
        outcome = _step(consumer)
        if outcome == "handled":
            handled += 1
        elif outcome != "passed":
            break
    return handled


def dispatch_all(*, limit: int = 500) -> int:
    return sum(dispatch(name, limit=limit) for name in list(_consumers))


def _step(consumer: Consumer) -> str:
    """One transaction: pass unwanted events, handle at most one wanted event.

    Returns "handled", "passed" (moved on without handling), or why it stopped:
    "idle", "busy" (another worker has it), "waiting" (a gap or a retry time).
    """
    with transaction.atomic():
        progress = _lock(consumer.name)
        if progress is None:
            return "busy"
        now = timezone.now()
        if progress.retry_at is not None and progress.retry_at > now:
            return "waiting"
        batch = list(
            AuditEvent.objects.filter(id__gt=progress.last_event_id)
            .order_by("id")
            .values_list("id", "action", "record_type")[:BATCH]
        )
        if not batch:
            return "idle"
        start = progress.last_event_id
        for event_id, action, record_type in batch:
            if event_id != progress.last_event_id + 1 and not _gap_is_final(progress, now):
                break
            progress.gap_writers = progress.gap_seen_at = None
            if not consumer.wants(action, record_type):
                progress.last_event_id = event_id
                continue
            if not _handle(consumer, progress, event_id, now):
                progress.save()
                return "waiting"
            progress.last_event_id = event_id
            progress.save()
            return "handled"
        progress.save()
        return "passed" if progress.last_event_id != start else "waiting"


def _lock(name: str) -> EventConsumer | None:
    """The consumer's row, locked for this transaction; None if another worker holds it."""
    EventConsumer.objects.get_or_create(name=name)
    rows = EventConsumer.objects.filter(name=name)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    # SQLite: every transaction begins IMMEDIATE (settings), which serialises writers.
    return rows.first()


def _handle(consumer: Consumer, progress: EventConsumer, event_id: int, now: dt.datetime) -> bool:
    """Run the handler in a savepoint; False if it failed and will be tried again."""
    event = AuditEvent.objects.get(pk=event_id)
    try:
        with transaction.atomic():
            consumer.handler(event)
    except Exception as exc:
        progress.attempts += 1
        progress.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("event consumer %s failed on event %s", consumer.name, event_id)
        if progress.attempts < MAX_ATTEMPTS:
            # 2, 4, 8, 16 seconds: long enough for a locked row or a restart to pass
            progress.retry_at = now + dt.timedelta(seconds=2**progress.attempts)
            return False
        EventFailure.objects.create(
            consumer=consumer.name,
            event_id=event_id,
            attempts=progress.attempts,
            error=progress.last_error,
        )
    progress.attempts = 0
    progress.last_error = ""
    progress.retry_at = None
    return True


def _gap_is_final(progress: EventConsumer, now: dt.datetime) -> bool:
    """May the consumer pass a hole in the ids before the next event it can see?

    SQLite has one writer at a time, so ids commit in order: a hole is an id whose
    transaction rolled back, and final. On PostgreSQL the id may belong to a transaction
    still running; the hole is final once every writing transaction of this database
    that was running when the hole was first seen has ended, plus a short grace for one
    that had drawn its id but not yet written. Readers (a backup, a report) hold no
    transaction number and never hold the consumer up.
    """
    if connection.vendor != "postgresql":
        return True
    writers = _writers()
    if progress.gap_writers is None or progress.gap_seen_at is None:
        progress.gap_writers, progress.gap_seen_at = writers, now
        return False
    grace = dt.timedelta(seconds=getattr(settings, "KLIENTO_EVENT_GAP_GRACE", 1.0))
    still_running = {tuple(pair) for pair in progress.gap_writers} & {tuple(p) for p in writers}
    return not still_running and now - progress.gap_seen_at >= grace


def _writers() -> list[list[int]]:
    """[pid, transaction number] of the other sessions of this database that are writing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_xid::text::bigint FROM pg_stat_activity"
            " WHERE datname = current_database() AND backend_xid IS NOT NULL"
            " AND pid <> pg_backend_pid()"
        )
        return [[int(pid), int(xid)] for pid, xid in cursor.fetchall()]


def run_dispatcher(stop: threading.Event, *, interval: float = 1.0) -> None:
    """The worker's loop: dispatch until `stop` is set, resting `interval` s when idle."""
    start_consumers()
    while not stop.is_set():
        try:
            busy = dispatch_all(limit=100)
        except Exception:  # a lost connection, a locked database: try again shortly
            logger.exception("event dispatch failed")
            busy = 0
        finally:
            connection.close_if_unusable_or_obsolete()
        if not busy:
            stop.wait(interval)
