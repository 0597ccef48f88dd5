"""The event dispatcher in real `kliento worker` processes, killed with SIGKILL mid-stream."""

from __future__ import annotations

import random
import time

import pytest

from kliento.core import events
from kliento.core.actors import Actor
from kliento.core.audit import record, record_of
from kliento.core.choices import Role
from kliento.core.models import AuditEvent, EventConsumer, EventFailure
from tests.records_app.consumers import NAME, REPEATED
from tests.records_app.models import HandledEvent, Ticket
from tests.worker.conftest import KLIENTO, Workers, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow]
TICKETS = 40
KILLS = 5


def _start(workers: Workers):
    """`kliento worker` (the cluster and the event dispatcher) with the tests' consumer."""
    return workers.start(
        [KLIENTO, "worker"],
        DJANGO_SETTINGS_MODULE="tests.settings",
        KLIENTO_EVENT_POLL="0.05",
        # each event takes a while: a kill lands inside a handler's transaction often
        KLIENTO_TEST_HANDLER_PAUSE="0.05",
    )


def _handled_count() -> int:
    return HandledEvent.objects.filter(consumer=NAME).count()


def test_a_killed_worker_repeats_nothing_and_skips_nothing(workers, make_user):
    # given a consumer and a stream of events, some of which it does not want
    agent = make_user(Role.SERVICE_AGENT)
    events.start_consumers()
    for n in range(TICKETS):
        ticket = Ticket.objects.create(subject=f"Ticket {n}", owner=agent, team=agent.team)
        record(Actor.of_user(agent), "create", ticket, {"subject": [None, ticket.subject]})
        if n % 3 == 0:  # another record type's event, which the consumer passes
            record_of(Actor.system(), "update", "user", agent.pk, {"n": [n, n + 1]})
    wanted = set(AuditEvent.objects.filter(record_type="ticket").values_list("id", flat=True))
    assert len(wanted) == TICKETS

    # when workers are killed with SIGKILL at random instants while they work the stream
    rng = random.Random(16)
    for _ in range(KILLS):
        before = _handled_count()
        proc = _start(workers)
        wait_for(lambda b=before: _handled_count() > b, 60, "progress", workers.logs)
        time.sleep(rng.uniform(0, 0.2))
        workers.kill(proc)
    assert _handled_count() < TICKETS, "the kills came too late to interrupt anything"
    _start(workers)

    # then the last one finishes the stream: every event handled exactly once, in order
    wait_for(
        lambda: _handled_count() == TICKETS,
        60,
        "the dispatcher to handle every event",
        workers.logs,
    )
    handled = list(HandledEvent.objects.filter(consumer=NAME).order_by("id").values_list(
        "event_id", flat=True))  # fmt: skip
    assert handled == sorted(wanted)
    assert not HandledEvent.objects.filter(consumer=REPEATED).exists()
    assert not EventFailure.objects.exists()
    # and it passes the events it does not want, to the end of the stream
    end = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    wait_for(lambda: EventConsumer.objects.get(name=NAME).last_event_id == end, 10, "the end")
    assert EventConsumer.objects.get(name=NAME).attempts == 0
