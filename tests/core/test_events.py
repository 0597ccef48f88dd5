"""Domain events: recorded with the change, handed to each consumer in order, once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings

from kliento.core import events
from kliento.core.actors import Actor
from kliento.core.audit import record, record_of
from kliento.core.choices import ActorKind, Role
from kliento.core.models import AuditEvent, EventConsumer, EventFailure
from tests.records_app.consumers import NAME
from tests.records_app.models import HandledEvent, Ticket


@pytest.fixture
def agent(make_user):
    return make_user(Role.SERVICE_AGENT)


@pytest.fixture(autouse=True)
def no_grace():
    """A hole in the ids is passed as soon as no writer can still fill it (PostgreSQL)."""
    with override_settings(KLIENTO_EVENT_GAP_GRACE=0):
        yield


@pytest.fixture
def consumer(db):
    """The test consumer, placed at the end of the stream as a new consumer is."""
    events.start_consumers()
    return EventConsumer.objects.get(name=NAME)


def _dispatch() -> int:
    """Two rounds, as the worker's loop would: ids that earlier tests rolled back leave a
    hole on PostgreSQL, which the first round notes and the second passes."""
    return events.dispatch(NAME) + events.dispatch(NAME)


def _ticket(agent, subject="Draughty window"):
    ticket = Ticket.objects.create(subject=subject, owner=agent, team=agent.team)
    record(Actor.of_user(agent), "create", ticket, {"subject": [None, subject]})
    return ticket


def _handled():
    return list(HandledEvent.objects.order_by("id").values_list("event_id", "action"))


def test_an_event_exists_exactly_when_its_change_was_committed(agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        _ticket(agent, "rolled back")
        raise RuntimeError("the write fails after its event was recorded")
    ticket = _ticket(agent)

    [event] = AuditEvent.objects.filter(record_type="ticket")
    assert (event.record_id, event.action, event.changes) == (
        ticket.pk,
        "create",
        {"subject": [None, "Draughty window"]},
    )
    assert (event.actor_kind, event.actor_user, event.actor_label) == (
        ActorKind.USER,
        agent,
        agent.username,
    )
    assert event.at is not None


def test_a_consumer_gets_the_events_it_wants_in_order_and_each_once(agent, consumer):
    first = _ticket(agent)
    _ticket(agent, "Second")
    record(Actor.of_user(agent), "ticket.resolved", first, {"resolved": [False, True]})
    record_of(Actor.system(), "update", "user", agent.pk, {"first_name": ["a", "b"]})
    ids = list(AuditEvent.objects.filter(record_type="ticket").order_by("id").values_list("id"))

    assert _dispatch() == 3
    assert _dispatch() == 0  # nothing repeated

    assert _handled() == [
        (ids[0][0], "create"),
        (ids[1][0], "create"),
        (ids[2][0], "ticket.resolved"),
    ]
    consumer.refresh_from_db()
    assert consumer.last_event_id == AuditEvent.objects.order_by("-id").first().pk


def test_a_new_consumer_hears_of_what_happens_from_its_start(agent):
    _ticket(agent, "Before the consumer existed")
    events.start_consumers()

    after = _ticket(agent, "After")
    _dispatch()

    assert _handled() == [(AuditEvent.objects.get(record_id=after.pk).pk, "create")]


def test_a_failing_handler_changes_nothing_and_is_tried_again_later(agent, consumer):
    failing = _ticket(agent, "fail")
    event = AuditEvent.objects.get(record_id=failing.pk)

    assert _dispatch() == 0
    consumer.refresh_from_db()
    assert consumer.last_event_id < event.pk
    assert consumer.attempts == 1
    assert "this ticket makes the consumer fail" in consumer.last_error
    assert consumer.retry_at is not None
    assert events.dispatch(NAME) == 0  # not before its time
    assert consumer.attempts == EventConsumer.objects.get(name=NAME).attempts


def test_after_the_last_attempt_the_event_is_set_aside_and_the_rest_follow(agent, consumer):
    failing = _ticket(agent, "fail")
    later = _ticket(agent, "Later")
    bad = AuditEvent.objects.get(record_id=failing.pk)

    for _ in range(events.MAX_ATTEMPTS):
        EventConsumer.objects.filter(name=NAME).update(retry_at=None)
        _dispatch()

    [failure] = EventFailure.objects.all()
    assert (failure.consumer, failure.event_id, failure.attempts) == (
        NAME,
        bad.pk,
        events.MAX_ATTEMPTS,
    )
    assert _handled() == [(AuditEvent.objects.get(record_id=later.pk).pk, "create")]
    consumer.refresh_from_db()
    assert (consumer.attempts, consumer.last_error, consumer.retry_at) == (0, "", None)


def test_an_effect_names_the_event_that_caused_it(agent):
    ticket = _ticket(agent)
    cause = AuditEvent.objects.get(record_id=ticket.pk)

    effect = record(Actor.of_rule(agent, "Escalate draughts", cause=cause.pk), "ticket.resolved",
                    ticket, {"resolved": [False, True]})  # fmt: skip

    assert effect.caused_by == cause
    assert (effect.actor_kind, effect.actor_user, effect.actor_label) == (
        ActorKind.RULE,
        agent,
        "Escalate draughts",
    )


def test_an_action_no_app_registered_is_a_programming_error(agent):
    ticket = Ticket.objects.create(subject="x", owner=agent)
    with pytest.raises(ValueError, match="unknown event action"):
        record(Actor.of_user(agent), "ticket.exploded", ticket, {})
    with pytest.raises(ValueError, match="registered already"):
        events.register_action("ticket.resolved", "Something else")
    assert not AuditEvent.objects.filter(record_type="ticket").exists()


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_not_passed_by_one_committed_before_it(make_user):
    """Two writers at once: the one with the lower id commits last. The consumer waits
    for it rather than passing its id, then hands both over in id order."""
    agent = make_user(Role.SERVICE_AGENT)
    events.start_consumers()
    first_recorded = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                _ticket(agent, "Slow")
                first_recorded.set()
                release.wait(10)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
            first_recorded.set()
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert first_recorded.wait(10)
    if connection.vendor == "postgresql":
        _ticket(agent, "Fast")  # a higher id, committed first
        assert events.dispatch(NAME) == 0  # the lower id may still commit: wait
        release.set()
        slow.join(10)
        assert _dispatch() == 2
    else:
        # SQLite: one writer at a time, so the second write waits for the first to commit
        # and its id follows: ids commit in order, and there is never such a hole.
        fast = threading.Thread(target=lambda: (_ticket(agent, "Fast"), connection.close()))
        fast.start()
        fast.join(0.5)
        assert fast.is_alive()  # blocked behind the slow writer
        release.set()
        slow.join(10)
        fast.join(10)
        assert _dispatch() == 2
    assert not failures
    subjects = [
        Ticket.objects.get(pk=AuditEvent.objects.get(pk=event_id).record_id).subject
        for event_id, _ in _handled()
    ]
    assert subjects == ["Slow", "Fast"]


@pytest.mark.django_db(transaction=True)
def test_the_id_of_a_rolled_back_write_is_passed_once_no_writer_can_still_commit_it(make_user):
    agent = make_user(Role.SERVICE_AGENT)
    events.start_consumers()
    with pytest.raises(RuntimeError), transaction.atomic():
        _ticket(agent, "Rolled back")
        raise RuntimeError
    kept = _ticket(agent, "Kept")

    _dispatch()  # PostgreSQL: the first round notes the hole, the second passes it

    assert _handled() == [(AuditEvent.objects.get(record_id=kept.pk).pk, "create")]
