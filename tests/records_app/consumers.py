"""A consumer of the event stream, as automation or webhooks will be, for the tests."""

from __future__ import annotations

import os
import time

from kliento.core.models import AuditEvent
from tests.records_app.models import HandledEvent

NAME = "records_app.tickets"
REPEATED = f"{NAME}.repeated"


def note_ticket_event(event: AuditEvent) -> None:
    # A pause widens the window in which a killed worker dies mid-transaction.
    pause = float(os.environ.get("KLIENTO_TEST_HANDLER_PAUSE", "0"))
    if pause:
        time.sleep(pause)
    if event.changes.get("subject") == [None, "fail"]:
        raise RuntimeError("this ticket makes the consumer fail")
    # Handed over again after its effects were committed: say so, for the test to see.
    done_before = HandledEvent.objects.filter(consumer=NAME, event_id=event.pk).exists()
    HandledEvent.objects.create(
        consumer=REPEATED if done_before else NAME,
        event_id=event.pk,
        record_type=event.record_type,
        action=event.action,
    )
