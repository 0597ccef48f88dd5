"""The outbox: claim in one statement, send outside any transaction, record; channels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kliento.core import outbox
from kliento.core.models import OutboxMessage, OutboxStatus
from kliento.core.outbox_email import email_enqueue, message_id_for
from kliento.core.tasks import send_outbox_message, send_pending_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def hook(monkeypatch) -> list[OutboxMessage]:
    """A second channel, as a webhooks app would register it; records what it was given."""
    sent: list[OutboxMessage] = []
    channel = outbox.Channel(
        name="test-hook",
        send=sent.append,
        stable_id=lambda key: f"evt-{outbox.stable_id_for(key)}",
    )
    monkeypatch.setitem(outbox._channels, channel.name, channel)
    return sent


def test_a_message_another_worker_holds_is_left_alone_until_its_lease_ends(locmem):
    message, _ = email_enqueue(key="lease:1", to="a@example.com", subject="S", body="B")
    # given a worker that claimed the message and died before recording the send
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )

    # then nobody takes it while the lease lasts
    assert outbox.outbox_pending_ids() == []
    assert send_outbox_message(message.pk) is False
    assert send_pending_outbox() == 0
    assert mail.outbox == []

    # when the lease has ended, the periodic job sends it, with the same Message-ID
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert send_pending_outbox() == 1
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id_for("lease:1")]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert message.claimed_until is None


def test_a_send_records_its_lease_while_the_sender_runs(locmem, hook):
    seen: list[tuple[OutboxStatus, dt.datetime | None]] = []

    def sender(message: OutboxMessage) -> None:
        row = OutboxMessage.objects.get(pk=message.pk)
        seen.append((row.status, row.claimed_until))
        assert not connection.in_atomic_block or all(
            getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
        )

    outbox._channels["test-hook"] = outbox.Channel("test-hook", sender, outbox.stable_id_for)
    message, _ = outbox.outbox_enqueue(channel="test-hook", key="k", payload={})

    assert send_outbox_message(message.pk) is True

    # the claim was committed before the sender ran, and cleared when it was recorded
    ((status, claimed_until),) = seen
    assert status == OutboxStatus.PENDING
    assert claimed_until is not None and claimed_until > timezone.now()
    message.refresh_from_db()
    assert (message.status, message.claimed_until) == (OutboxStatus.SENT, None)


def test_a_send_inside_a_transaction_is_refused_and_changes_nothing(locmem):
    message, _ = email_enqueue(key="tx:1", to="a@example.com", subject="S", body="B")

    with pytest.raises(RuntimeError, match="outside a transaction"), transaction.atomic():
        outbox.outbox_send(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_until) == ("pending", 0, None)
    assert mail.outbox == []


def test_another_channel_goes_through_the_same_outbox(hook):
    message, created = outbox.outbox_enqueue(
        channel="test-hook", key="deal:7:won:hook:3", payload={"url": "https://x.test/h"}
    )

    assert created
    assert message.message_id == f"evt-{outbox.stable_id_for('deal:7:won:hook:3')}"
    assert send_outbox_message(message.pk) is True
    assert send_outbox_message(message.pk) is False  # sent once only
    assert [(m.pk, m.payload) for m in hook] == [(message.pk, {"url": "https://x.test/h"})]


def test_a_key_is_unique_per_channel(locmem, hook):
    email, _ = email_enqueue(key="same", to="a@example.com", subject="S", body="B")
    other, created = outbox.outbox_enqueue(channel="test-hook", key="same", payload={})
    again, created_again = outbox.outbox_enqueue(channel="test-hook", key="same", payload={"x": 1})

    assert created and not created_again
    assert email.pk != other.pk == again.pk
    assert OutboxMessage.objects.count() == 2


def test_a_channel_nobody_registered_is_refused_and_nothing_is_written():
    with pytest.raises(LookupError, match="no sender registered"):
        outbox.outbox_enqueue(channel="carrier-pigeon", key="k", payload={})

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_emails_and_their_message_ids():
    executor = MigrationExecutor(connection)
    before, after = ("core", "0004_event_stream"), ("core", "0005_outbox_channels")
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("core", "OutboxMessage")
    old.objects.create(
        key="reminder:1:email",
        to="anna@example.com",
        subject="Reminder: call",
        body="Call at 10:00.",
        message_id="<abc@example.com>",
        status="pending",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([after])
    new = executor.loader.project_state([after]).apps.get_model("core", "OutboxMessage")
    row = new.objects.get()
    assert (row.channel, row.key, row.message_id, row.status) == (
        "email",
        "reminder:1:email",
        "<abc@example.com>",
        "pending",
    )
    assert row.payload == {
        "to": "anna@example.com",
        "subject": "Reminder: call",
        "body": "Call at 10:00.",
    }

    # and back again, nothing lost
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([before])
    back = executor.loader.project_state([before]).apps.get_model("core", "OutboxMessage")
    assert back.objects.values("to", "subject", "body").get() == row.payload

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
