"""The write kit: a stale write is a 409 and writes nothing; every write is audited once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kliento.core import writes
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kliento.core.models import AuditEvent
from tests.records_app.models import Ticket

AUDITED = ("subject", "priority", "resolved")


@pytest.fixture
def agent(make_user):
    return make_user(Role.SERVICE_AGENT)


@pytest.fixture
def ticket(agent):
    return Ticket.objects.create(subject="Draughty window", owner=agent, team=agent.team)


def _audit_rows(ticket):
    return list(
        AuditEvent.objects.filter(record_type="ticket", record_id=ticket.pk)
        .order_by("id")
        .values_list("action", "changes")
    )


def test_a_change_saves_bumps_the_version_and_audits_before_and_after(agent, ticket):
    with writes.change(Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED) as c:
        c.record.subject = "Draughty kitchen window"

    ticket.refresh_from_db()
    assert (ticket.subject, ticket.version) == ("Draughty kitchen window", 2)
    assert _audit_rows(ticket) == [
        ("update", {"subject": ["Draughty window", "Draughty kitchen window"]})
    ]


def test_a_domain_action_is_recorded_as_such(agent, ticket):
    with writes.change(Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED) as c:
        c.record.resolved = True
        c.action = "ticket.resolved"

    assert _audit_rows(ticket) == [("ticket.resolved", {"resolved": [False, True]})]


def test_a_change_that_changes_nothing_writes_no_audit_row_and_keeps_the_version(agent, ticket):
    with writes.change(Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED) as c:
        c.record.subject = "Draughty window"  # the same again: a repeated request

    ticket.refresh_from_db()
    assert ticket.version == 1
    assert _audit_rows(ticket) == []


def test_changed_child_rows_count_as_a_change(agent, ticket):
    with writes.change(Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED) as c:
        c.extra["watchers"] = [[], ["anna"]]

    ticket.refresh_from_db()
    assert ticket.version == 2
    assert _audit_rows(ticket) == [("update", {"watchers": [[], ["anna"]]})]


@pytest.mark.parametrize("version", [None, "1", 1.0, True, 0, -1, "²", 2**70])
def test_a_version_that_is_not_a_positive_whole_number_is_a_422(agent, ticket, version):
    with (
        pytest.raises(ValidationFailed),
        writes.change(
            Actor.of_user(agent), Ticket, ticket.pk, version=version, audited=AUDITED
        ) as c,
    ):
        c.record.subject = "changed"

    ticket.refresh_from_db()
    assert (ticket.subject, ticket.version, _audit_rows(ticket)) == ("Draughty window", 1, [])


def test_a_stale_version_is_a_409_before_the_service_runs(agent, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(version=2)
    ran = []

    with (
        pytest.raises(Conflict, match="Someone else changed this record"),
        writes.change(Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED),
    ):
        ran.append(True)

    assert ran == []
    assert _audit_rows(ticket) == []


def test_a_record_the_actor_may_not_see_or_edit_is_refused(make_user, ticket):
    other_agent = make_user(Role.SERVICE_AGENT)
    read_only = make_user(Role.READ_ONLY)

    with (
        pytest.raises(NotFound),
        writes.change(Actor.of_user(other_agent), Ticket, ticket.pk, version=1, audited=AUDITED),
    ):
        pass  # fmt: skip
    with (
        pytest.raises(PermissionDenied),
        writes.change(Actor.of_user(read_only), Ticket, ticket.pk, version=1, audited=AUDITED),
    ):
        pass  # fmt: skip
    with (
        pytest.raises(PermissionDenied),
        writes.change(Actor.system(), Ticket, ticket.pk, version=1, audited=AUDITED),
    ):
        pass  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_version_one_wins_the_other_gets_a_409(make_user):
    agent = make_user(Role.SERVICE_AGENT)
    ticket = Ticket.objects.create(subject="Draughty window", owner=agent, team=agent.team)
    inside = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def first_writer() -> None:
        try:
            with writes.change(
                Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED
            ) as c:
                c.record.subject = "First"
                inside.set()
                release.wait(10)
            outcome["first"] = "saved"
        except Exception as exc:  # pragma: no cover - reported below
            outcome["first"] = exc
            inside.set()
        finally:
            connection.close()

    def second_writer() -> None:
        try:
            with writes.change(
                Actor.of_user(agent), Ticket, ticket.pk, version=1, audited=AUDITED
            ) as c:
                c.record.subject = "Second"
            outcome["second"] = "saved"
        except Conflict as exc:
            outcome["second"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=first_writer)
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=second_writer)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waits for the first writer's lock, never reads past it
    release.set()
    first.join(10)
    second.join(10)

    assert outcome["first"] == "saved"
    assert isinstance(outcome["second"], Conflict)
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.version) == ("First", 2)
    assert _audit_rows(ticket) == [("update", {"subject": ["Draughty window", "First"]})]


def test_created_and_deleted_are_audited_with_what_the_record_held(agent, ticket):
    actor = Actor.of_user(agent)
    writes.created(actor, ticket, AUDITED)
    record = writes.locked(actor, Ticket, ticket.pk, "edit")

    writes.deleted(actor, record, AUDITED)

    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert _audit_rows(ticket) == [
        (
            "create",
            {
                "subject": [None, "Draughty window"],
                "priority": [None, "low"],
                "resolved": [None, False],
            },
        ),
        (
            "delete",
            {
                "subject": ["Draughty window", None],
                "priority": ["low", None],
                "resolved": [False, None],
            },
        ),
    ]
