"""The event dispatcher in real worker processes, killed with SIGKILL at random instants."""

from __future__ import annotations

import os
import random
import sys
import time

import pytest

from kliento.core import events
from kliento.core.actors import Actor
from kliento.core.audit import record, record_of
from kliento.core.choices import Role
from kliento.core.models import AuditEvent, EventConsumer, EventFailure
from tests.records_app.consumers import NAME, REPEATED
from tests.records_app.models import HandledEvent, Ticket
from tests.worker.conftest import REPO, Workers, database_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow]
TICKETS = 40
KILLS = 5


@pytest.fixture
def dispatchers(transactional_db, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(REPO),
        # each event takes a while: a kill lands inside a handler's transaction often
        "KLIENTO_TEST_HANDLER_PAUSE": "0.03",
    }
    pool = Workers(env, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def _start(pool: Workers):
    return pool.start([sys.executable, str(REPO / "tests/worker/dispatching_worker.py")])


def test_a_killed_dispatcher_repeats_nothing_and_skips_nothing(dispatchers, make_user):
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

    # when worker processes are killed with SIGKILL at random instants, one after another
    rng = random.Random(16)
    for _ in range(KILLS):
        proc = _start(dispatchers)
        time.sleep(rng.uniform(0.3, 0.9))
        dispatchers.kill(proc)
    assert HandledEvent.objects.filter(consumer=NAME).count() < TICKETS, "kill sooner"
    _start(dispatchers)

    # then the last one finishes the stream: every event handled exactly once, in order
    wait_for(
        lambda: HandledEvent.objects.filter(consumer=NAME).count() == TICKETS,
        60,
        "the dispatcher to handle every event",
        dispatchers.logs,
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
