"""The outbox's e-mail channel: payload {"to", "subject", "body"}, a stable Message-ID."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from kliento.core.models import OutboxMessage
from kliento.core.outbox import Channel, outbox_enqueue, register_channel, stable_id_for

CHANNEL = "email"


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_URL", ""))


def message_id_for(key: str) -> str:
    """The Message-ID of a cause, in the sender's domain: the same key, the same id."""
    sender = settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(">") if "@" in sender else "localhost"
    return stable_id_for(key, domain)


def send_email(message: OutboxMessage) -> None:
    payload = message.payload
    email = EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[payload["to"]],
        headers={"Message-ID": message.message_id},
    )
    if get_connection(fail_silently=False).send_messages([email]) != 1:
        raise RuntimeError("the mail server accepted no message")


def email_enqueue(*, key: str, to: str, subject: str, body: str) -> tuple[OutboxMessage, bool]:
    """An e-mail through the outbox, once per `key` (recipient and step)."""
    payload = {"to": to[:254], "subject": " ".join(subject.split())[:300], "body": body}
    return outbox_enqueue(channel=CHANNEL, key=key, payload=payload)


def register() -> None:
    register_channel(Channel(name=CHANNEL, send=send_email, stable_id=message_id_for))
