"""Background tasks of core (run by the worker); each is safe to run twice."""

from __future__ import annotations

from kliento.core import outbox


def send_outbox_message(message_id: int) -> bool:
    """Send one outbox message if it is still pending."""
    return outbox.outbox_send(message_id=message_id)


def send_pending_outbox() -> int:
    """Periodic: retry every pending message (those whose first send failed or was lost)."""
    sent = 0
    for message_id in outbox.outbox_pending_ids():
        if outbox.outbox_send(message_id=message_id):
            sent += 1
    return sent
