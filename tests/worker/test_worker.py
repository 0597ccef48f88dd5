"""Reminders and the outbox with real workers: delivery, a SIGKILL mid-task, two workers."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from kliento.activities import services
from kliento.activities.models import Reminder
from kliento.core.actors import Actor
from kliento.core.models import Notification, OutboxMessage, OutboxStatus
from kliento.core.outbox_email import message_id_for
from tests.factories import UserFactory
from tests.worker.conftest import RETRY, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def due_meetings(user, count: int) -> list[Reminder]:
    """Meetings whose 10-minute reminders fell due while no worker was running."""
    actor = Actor.of_user(user)
    start = timezone.now() - dt.timedelta(minutes=1)
    for i in range(count):
        services.activity_create(
            actor=actor,
            data={
                "kind": "meeting",
                "subject": f"Meeting {i}",
                "start_at": start,
                "reminders": [10],
            },
        )
    return list(Reminder.objects.order_by("id"))


def test_a_reminder_due_while_down_fires_once_with_an_email(workers, smtp):
    mailbox, _ = smtp
    user = UserFactory(email="anna@example.com")
    (reminder,) = due_meetings(user, 1)

    # when a worker starts; its scheduler runs the periodic job at once
    workers.start(KLIENTO_TEST_GUARD_CYCLE="30")

    # then the owner is notified and the e-mail reaches the SMTP server with the stable id
    wait_for(lambda: mailbox.messages, 40, "the reminder e-mail", workers.logs)
    note = Notification.objects.get(user=user)
    assert note.key == f"reminder:{reminder.pk}"
    key = f"reminder:{reminder.pk}:email"
    assert mailbox.message_ids() == [message_id_for(key)]
    wait_for(
        lambda: OutboxMessage.objects.filter(key=key, status=OutboxStatus.SENT).exists(),
        10,
        "the outbox row marked sent",
        workers.logs,
    )
    reminder.refresh_from_db()
    assert reminder.fired_at is not None

    # and running the periodic job again changes nothing
    task_id = async_task("kliento.activities.tasks.fire_due_reminders")
    wait_for(lambda: Task.objects.filter(id=task_id, success=True).exists(), 20, "the rerun")
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    time.sleep(1)
    assert len(mailbox.messages) == 1


def test_a_task_killed_mid_transaction_runs_again_and_acts_once(workers, smtp):
    mailbox, _ = smtp
    user = UserFactory(email="ivan@example.com")
    (reminder,) = due_meetings(user, 1)

    # given a worker whose task stays 5 s inside its transaction
    first = workers.start(KLIENTO_TEST_TASK_DELAY="5", KLIENTO_LOG_LEVEL="INFO")
    task_id = async_task("kliento.activities.tasks.fire_due_reminders")
    wait_for(
        lambda: OrmQ.objects.filter(lock__gt=timezone.now()).exists(),
        20,
        "the task to be claimed",
        workers.logs,
    )
    wait_for(
        lambda: "processing" in workers.logs() and "fire_due_reminders" in workers.logs(),
        10,
        "a worker process to start the task",
        workers.logs,
    )
    time.sleep(1)  # inside the task's transaction now (it pauses 5 s before commit)
    assert not Notification.objects.exists()

    # when the worker is killed with SIGKILL mid-task
    workers.kill(first)
    killed_at = time.monotonic()
    assert not Notification.objects.exists()
    assert not Task.objects.filter(id=task_id).exists()

    # and a new worker starts
    workers.start()

    # then the task comes back by itself after its retry time, and succeeds
    wait_for(
        lambda: Task.objects.filter(id=task_id, success=True).exists(),
        RETRY + 25,
        "the killed task to run again",
        workers.logs,
    )
    assert time.monotonic() - killed_at < RETRY + 25
    wait_for(lambda: mailbox.messages, 20, "the e-mail", workers.logs)
    time.sleep(1)

    # and its effects happened once
    assert Notification.objects.filter(user=user, key=f"reminder:{reminder.pk}").count() == 1
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(mailbox.messages) == 1
    assert not OrmQ.objects.exists()


def test_two_workers_run_every_task_once(workers, smtp, tmp_path):
    mailbox, _ = smtp
    user = UserFactory(email="liga@example.com")
    reminders = due_meetings(user, 30)
    exec_log = tmp_path / "executions.log"

    # given two workers (clusters) running side by side, each task taking a moment
    command = [sys.executable, "-m", "tests.worker.counting_worker"]
    for _ in range(2):
        workers.start(
            command,
            KLIENTO_TEST_EXEC_LOG=str(exec_log),
            KLIENTO_TEST_TASK_DELAY="0.1",
            KLIENTO_LOG_LEVEL="INFO",
        )
    wait_for(
        lambda: workers.logs().count("running.") >= 2, 30, "both clusters to run", workers.logs
    )

    # when 30 tasks (one per due reminder) and two periodic sweeps are queued
    ids = [async_task("kliento.activities.tasks.fire_reminder", r.pk) for r in reminders]
    ids += [async_task("kliento.activities.tasks.fire_due_reminders") for _ in range(2)]

    # then every task succeeds, and every e-mail is sent
    wait_for(
        lambda: Task.objects.filter(id__in=ids, success=True).count() == len(ids),
        60,
        "every task to succeed",
        workers.logs,
    )
    wait_for(lambda: len(mailbox.messages) >= 30, 60, "30 e-mails", workers.logs)
    wait_for(lambda: not OrmQ.objects.exists(), 30, "an empty queue", workers.logs)
    time.sleep(1)

    # each task executed exactly once, on one of the workers
    lines = [line.split() for line in exec_log.read_text().splitlines()]
    executions = Counter(task for task, _cluster in lines)
    assert len({cluster for _task, cluster in lines}) == 2  # both workers took tasks
    assert {i: executions[i] for i in ids} == dict.fromkeys(ids, 1)
    assert all(n == 1 for n in executions.values())
    assert Task.objects.filter(id__in=ids, success=False).count() == 0
    # each effect exactly once
    keys = list(Notification.objects.values_list("key", flat=True))
    assert sorted(keys) == sorted(f"reminder:{r.pk}" for r in reminders)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 30
    assert len(mailbox.messages) == 30
    assert sorted(mailbox.message_ids()) == sorted(
        message_id_for(f"reminder:{r.pk}:email") for r in reminders
    )
