"""Reminders fire once: an in-app notification, and an e-mail through the outbox."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from kliento.activities import services, tasks
from kliento.activities.models import Reminder
from kliento.core import outbox, outbox_email
from kliento.core.actors import Actor
from kliento.core.models import Notification, OutboxMessage, OutboxStatus
from kliento.core.tasks import send_outbox_message, send_pending_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_on(settings):
    settings.EMAIL_URL = "smtp://127.0.0.1:2525"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def plan(actor, start, minutes=(10,), **data):
    return services.activity_create(
        actor=actor,
        data={
            "kind": "meeting",
            "subject": "Measurement",
            "start_at": start,
            "reminders": list(minutes),
            **data,
        },
    )


def test_a_due_reminder_notifies_the_owner_once(actor, manager):
    # given a meeting in 5 minutes with a reminder 10 minutes before (already due)
    activity = plan(actor, timezone.now() + dt.timedelta(minutes=5))

    # when the periodic task runs twice
    assert tasks.fire_due_reminders() == 1
    assert tasks.fire_due_reminders() == 0

    # then the owner has exactly one notification about it, and the reminder is marked fired
    note = Notification.objects.get(user=manager)
    reminder = Reminder.objects.get(activity=activity)
    assert note.key == f"reminder:{reminder.pk}"
    assert note.record_type == "activity" and note.record_id == activity.pk
    assert "Measurement" in note.title
    assert note.body.endswith("(UTC).")
    assert reminder.fired_at is not None


def test_the_reminder_text_uses_the_owners_time_zone(make_user):
    user = make_user(time_zone="Europe/Riga")
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=5)
    plan(Actor.of_user(user), start)

    tasks.fire_due_reminders()

    local = start.astimezone(zoneinfo.ZoneInfo("Europe/Riga")).strftime("%Y-%m-%d %H:%M")
    assert Notification.objects.get(user=user).body == f"Meeting at {local} (Europe/Riga)."


def test_a_reminder_not_yet_due_does_not_fire(actor):
    plan(actor, timezone.now() + dt.timedelta(hours=2))

    assert tasks.fire_due_reminders() == 0
    assert not Notification.objects.exists()


def test_a_reminder_due_while_no_worker_ran_fires_once_later(actor, manager):
    # given reminders that fell due hours ago (the worker was down)
    plan(actor, timezone.now() - dt.timedelta(hours=3), minutes=(10, 60))

    # when the worker comes back
    tasks.fire_due_reminders()
    tasks.fire_due_reminders()

    # then each fires once
    assert Notification.objects.filter(user=manager).count() == 2
    assert not Reminder.objects.filter(fired_at__isnull=True).exists()


def test_firing_one_reminder_twice_creates_one_notification(actor):
    plan(actor, timezone.now())
    reminder = Reminder.objects.get()

    assert tasks.fire_reminder(reminder.pk) is True
    Reminder.objects.filter(pk=reminder.pk).update(fired_at=None)  # as if the mark were lost
    assert tasks.fire_reminder(reminder.pk) is True

    assert Notification.objects.count() == 1


def test_a_done_activity_is_not_reminded(actor):
    plan(actor, timezone.now(), done=True)

    tasks.fire_due_reminders()

    assert not Notification.objects.exists()
    assert Reminder.objects.get().fired_at is not None


def test_a_moved_activity_reminds_again(actor, manager):
    activity = plan(actor, timezone.now())
    tasks.fire_due_reminders()

    services.activity_update(
        actor=actor,
        activity_id=activity.pk,
        version=1,
        data={"start_at": timezone.now() + dt.timedelta(minutes=1)},
    )
    tasks.fire_due_reminders()

    assert Notification.objects.filter(user=manager).count() == 2


def test_no_email_without_email_settings(actor):
    plan(actor, timezone.now())

    tasks.fire_due_reminders()

    assert not OutboxMessage.objects.exists()


def test_no_email_for_a_user_without_address(make_user, email_on):
    user = make_user(email="")
    plan(Actor.of_user(user), timezone.now())

    tasks.fire_due_reminders()

    assert Notification.objects.filter(user=user).exists()
    assert not OutboxMessage.objects.exists()


def test_email_goes_through_the_outbox_with_a_stable_message_id(
    actor, manager, email_on, django_capture_on_commit_callbacks
):
    plan(actor, timezone.now())
    reminder = Reminder.objects.get()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.fire_due_reminders()
    assert len(callbacks) == 1  # the send is handed to the worker after commit

    message = OutboxMessage.objects.get()
    assert message.key == f"reminder:{reminder.pk}:email"
    assert message.channel == "email"
    assert message.payload["to"] == manager.email
    assert message.message_id == outbox_email.message_id_for(message.key)

    assert send_outbox_message(message.pk) is True
    assert send_outbox_message(message.pk) is False  # already sent: never twice

    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id
    assert mail.outbox[0].to == [manager.email]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None


def test_a_failed_send_is_recorded_and_retried(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message, _ = outbox_email.email_enqueue(key="k1", to="a@example.com", subject="S", body="B")

    def broken(self, messages):
        raise ConnectionRefusedError("mail server down")

    from django.core.mail.backends.locmem import EmailBackend

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    assert send_pending_outbox() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "mail server down" in message.last_error

    monkeypatch.undo()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_pending_outbox() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""


def test_a_message_failing_too_often_is_given_up(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message, _ = outbox_email.email_enqueue(key="k2", to="a@example.com", subject="S", body="B")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    from django.core.mail.backends.locmem import EmailBackend

    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, m: 0)

    send_pending_outbox()

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert outbox.outbox_pending_ids() == []


def test_enqueue_is_idempotent_per_key():
    first, created = outbox_email.email_enqueue(
        key="same", to="a@example.com", subject="S", body="B"
    )
    again, created_again = outbox_email.email_enqueue(
        key="same", to="b@example.com", subject="T", body="C"
    )

    assert created and not created_again
    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1
