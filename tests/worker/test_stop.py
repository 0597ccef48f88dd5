"""`kliento worker` stops on SIGTERM or SIGINT, sent to its process group or to its main process.

A service manager (systemd) signals the whole group; a person may signal the main
process. Either way the worker exits within seconds, and a task it was running
either finishes first or goes back to the queue and runs again (once) later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import time

import pytest
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from kliento.activities import services
from kliento.core.actors import Actor
from kliento.core.models import Notification
from tests.factories import UserFactory
from tests.worker.conftest import KLIENTO, RETRY, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STOP_WITHIN = 15  # seconds: the grace period (10 s) and a margin for a loaded machine


def _send(proc: subprocess.Popen[bytes], signum: int, to_group: bool) -> None:
    if to_group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)


def _group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _start_worker(workers, **env: str) -> subprocess.Popen[bytes]:
    proc = workers.start([KLIENTO, "worker"], KLIENTO_LOG_LEVEL="INFO", **env)
    wait_for(lambda: "running." in workers.logs(), 40, "the worker to run", workers.logs)
    return proc


def _stopped(proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    proc.wait(timeout=STOP_WITHIN)
    return time.monotonic() - started


@pytest.mark.parametrize("to_group", [True, False], ids=["group", "main-process"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_idle_worker_stops_on_a_signal(workers, signum, to_group):
    proc = _start_worker(workers)

    _send(proc, signum, to_group)

    assert _stopped(proc) < STOP_WITHIN
    assert proc.returncode == 0, workers.logs()
    wait_for(lambda: _group_is_gone(proc.pid), 5, "every process of the worker to end")


def _due_reminder() -> None:
    services.activity_create(
        actor=Actor.of_user(UserFactory(email="anna@example.com")),
        data={
            "kind": "meeting",
            "subject": "Stop",
            "start_at": timezone.now() - dt.timedelta(minutes=1),
            "reminders": [10],
        },
    )


def _queued() -> list[str]:
    return [row.task_id() for row in OrmQ.objects.all()]


def _task_in_progress(workers) -> str:
    task_id = async_task("kliento.activities.tasks.fire_due_reminders")
    wait_for(
        lambda: "processing" in workers.logs() and "fire_due_reminders" in workers.logs(),
        30,
        "a worker process to start the task",
        workers.logs,
    )
    time.sleep(0.5)
    assert not Task.objects.filter(id=task_id).exists()
    return task_id


def test_signalled_alone_the_main_process_lets_the_busy_task_finish(workers):
    _due_reminder()
    proc = _start_worker(workers, KLIENTO_TEST_TASK_DELAY="4")
    task_id = _task_in_progress(workers)

    # when only the main process gets SIGTERM, while a task is 4 s from done
    _send(proc, signal.SIGTERM, to_group=False)

    # then the worker exits within seconds, after the task finished and was recorded
    assert _stopped(proc) < STOP_WITHIN
    assert proc.returncode == 0, workers.logs()
    assert Task.objects.filter(id=task_id, success=True).exists(), workers.logs()
    assert Notification.objects.count() == 1
    assert task_id not in _queued()  # acknowledged: it will not run again


def test_signalled_as_a_group_the_busy_task_goes_back_and_runs_again_once(workers):
    _due_reminder()
    proc = _start_worker(workers, KLIENTO_TEST_TASK_DELAY="20")
    task_id = _task_in_progress(workers)

    # when the whole group gets SIGTERM (a service manager's stop) mid-task
    _send(proc, signal.SIGTERM, to_group=True)

    # then the worker exits within seconds, the task unfinished and still queued
    assert _stopped(proc) < STOP_WITHIN
    assert proc.returncode == 0, workers.logs()
    wait_for(lambda: _group_is_gone(proc.pid), 5, "every process of the worker to end")
    assert not Task.objects.filter(id=task_id).exists()
    assert not Notification.objects.exists()  # its transaction was rolled back
    assert task_id in _queued()

    # and a new worker runs it after its retry time, with its effects once
    with contextlib.suppress(KeyError):
        del workers.env["KLIENTO_TEST_TASK_DELAY"]
    workers.start([KLIENTO, "worker"])
    wait_for(
        lambda: Task.objects.filter(id=task_id, success=True).exists(),
        RETRY + 30,
        "the handed-back task to run again",
        workers.logs,
    )
    assert Notification.objects.count() == 1
