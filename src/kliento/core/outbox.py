"""The e-mail outbox: every external send is a row first, then a delivery attempt.

One row per recipient and cause (`key`), with a Message-ID derived from the key,
so a send repeated after a crash carries the same Message-ID and the receiving
side can drop the duplicate; nothing is lost because the row outlives the worker.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from kliento.core.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# After this many failed attempts a message is marked failed and no longer retried.
MAX_ATTEMPTS = 10


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_URL", ""))


def message_id_for(key: str) -> str:
    """A stable Message-ID for a cause: the same key always gives the same id."""
    sender = settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(">") if "@" in sender else "localhost"
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def outbox_enqueue(*, key: str, to: str, subject: str, body: str) -> tuple[OutboxMessage, bool]:
    """The outbox row for `key`, created on first call only; the send happens after commit."""
    message, created = OutboxMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "to": to[:254],
            "subject": " ".join(subject.split())[:300],
            "body": body,
            "message_id": message_id_for(key),
        },
    )
    if created:
        pk = message.pk
        transaction.on_commit(lambda: _enqueue_send(pk))
    return message, created


def _enqueue_send(message_id: int) -> None:
    from django_q.tasks import async_task

    async_task("kliento.core.tasks.send_outbox_message", message_id)


def outbox_send(*, message_id: int) -> bool:
    """Send one pending message; True when it was sent by this call.

    The row stays locked while the SMTP server accepts it, so two workers never
    send it together; a crash after acceptance can at worst repeat the send with
    the same Message-ID.
    """
    with transaction.atomic():
        queryset = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        message = queryset.first()
        if message is None:
            return False
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message.message_id},
        )
        message.attempts += 1
        try:
            if get_connection(fail_silently=False).send_messages([email]) != 1:
                raise RuntimeError("the mail server accepted no message")
        except Exception as exc:  # any transport failure is recorded and retried later
            logger.warning("outbox message %s failed: %s", message.pk, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            return False
        message.status = OutboxStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return True


def outbox_pending_ids(limit: int = 200) -> list[int]:
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
