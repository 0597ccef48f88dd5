"""Background tasks of core (run by the worker); each is safe to run twice."""

from __future__ import annotations

from kliento.core import archive, idempotency, outbox, signin


def send_outbox_message(message_id: int) -> bool:
    """Send one outbox message if it is still pending and nobody else holds it."""
    return outbox.outbox_send(message_id=message_id)


def send_pending_outbox() -> int:
    """Periodic: retry every pending message (a failed first send, a lost task, a dead worker)."""
    sent = 0
    for message_id in outbox.outbox_pending_ids():
        if outbox.outbox_send(message_id=message_id):
            sent += 1
    return sent


def purge_idempotency_keys() -> int:
    """Periodic: forget stored API responses past their replay window (they hold personal data)."""
    return idempotency.purge_expired()


def purge_signin_records() -> int:
    """Periodic: forget sign-in failures past the lock window and long-unused known addresses."""
    return signin.purge_expired()


def purge_expired_archive() -> int:
    """Periodic: delete for good what has been archived longer than KLIENTO_ARCHIVE_DAYS."""
    return archive.purge_expired()
