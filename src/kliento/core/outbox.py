"""The outbox: every external send is a row first, then a delivery attempt.

One row per channel, recipient and step (`key`), with a stable id derived from
the key (an e-mail's Message-ID, a webhook's event id), so a send repeated after
a crash carries the same id and the receiver can drop it; nothing is lost
because the row outlives the worker.

No external call runs inside a transaction. A send is three steps:
1. claim: one short UPDATE takes a lease on a pending row (`claimed_until`);
2. send: the channel's sender talks to the outside world, no transaction open;
3. record: another short UPDATE marks the row sent, or notes the failure.
On SQLite a transaction is a database-wide write lock, so a mail server that
answers slowly inside one would stall every web write (FACTS.md). A worker that
dies between 1 and 3 leaves the row pending; once the lease ends the periodic
job claims it again, so the only repeat possible is a send accepted by the
receiver but not yet recorded, and it carries the same stable id.

Each app that owns a channel registers its sender in `AppConfig.ready()`:
core registers e-mail (core.outbox_email); webhooks, SMS and messengers follow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from kliento.core.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# After this many failed attempts a message is marked failed and no longer retried.
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Channel:
    """A way out: `send` delivers one message or raises; `stable_id` names a key's send."""

    name: str
    send: Callable[[OutboxMessage], None]
    stable_id: Callable[[str], str]


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _channels[channel.name] = channel


def channel_for(name: str) -> Channel:
    try:
        return _channels[name]
    except KeyError:
        raise LookupError(f"no sender registered for outbox channel {name!r}") from None


def stable_id_for(key: str, domain: str = "localhost") -> str:
    """A stable id for a cause, `<digest@domain>`: the same key always gives the same id."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def outbox_enqueue(
    *, channel: str, key: str, payload: Mapping[str, Any]
) -> tuple[OutboxMessage, bool]:
    """The outbox row for (`channel`, `key`), created on first call only; sent after commit."""
    key = key[:200]
    message, created = OutboxMessage.objects.get_or_create(
        channel=channel,
        key=key,
        defaults={"payload": dict(payload), "message_id": channel_for(channel).stable_id(key)},
    )
    if created:
        pk = message.pk
        transaction.on_commit(lambda: _enqueue_send(pk))
    return message, created


def _enqueue_send(message_id: int) -> None:
    from django_q.tasks import async_task

    async_task("kliento.core.tasks.send_outbox_message", message_id)


def _lease() -> dt.timedelta:
    # Longer than any sender's own time-out, so a live send is never taken twice.
    return dt.timedelta(seconds=settings.KLIENTO_OUTBOX_LEASE_SECONDS)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _in_transaction() -> bool:
    # The test suite's own wrapping transaction is not one the code opened.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _claim(message_id: int) -> OutboxMessage | None:
    """Take the lease on a pending message in one statement; None if it is not ours."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(_claimable(now), pk=message_id).update(
        claimed_until=now + _lease(), attempts=F("attempts") + 1
    )
    return OutboxMessage.objects.filter(pk=message_id).first() if claimed else None


def _record_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="", claimed_until=None
    )


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    logger.warning("outbox message %s (%s) failed: %s", message.pk, message.channel, exc)
    status = OutboxStatus.FAILED if message.attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000], claimed_until=None
    )


def outbox_send(*, message_id: int) -> bool:
    """Send one pending message; True when it was sent by this call."""
    if _in_transaction():
        raise RuntimeError("outbox_send talks to the outside world: call it outside a transaction")
    message = _claim(message_id)
    if message is None:
        return False
    try:
        channel_for(message.channel).send(message)
    except Exception as exc:  # any transport failure is recorded and retried later
        _record_failure(message, exc)
        return False
    _record_sent(message)
    return True


def outbox_pending_ids(limit: int = 200) -> list[int]:
    """Pending messages nobody holds a live lease on, oldest first."""
    return list(
        OutboxMessage.objects.filter(_claimable(timezone.now()))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
