"""The periodic-job registry: each app registers its jobs, the worker start-up syncs them.

Every purge is a job, and running the job removes expired rows and keeps fresh ones.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Schedule, Task
from django_q.tasks import async_task

from kliento.core import schedules
from kliento.core.models import IdempotencyKey, SignInAddress, SignInFailure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "kliento.fire_due_reminders": ("kliento.activities.tasks.fire_due_reminders", 1),
    "kliento.send_pending_outbox": ("kliento.core.tasks.send_pending_outbox", 1),
    "kliento.purge_idempotency_keys": ("kliento.core.tasks.purge_idempotency_keys", 60),
    "kliento.purge_signin_records": ("kliento.core.tasks.purge_signin_records", 60),
    "kliento.purge_expired_archive": ("kliento.core.tasks.purge_expired_archive", 60),
}


def _schedule_rows() -> dict[str, tuple[str, int]]:
    return {
        s.name: (s.func, s.minutes)
        for s in Schedule.objects.filter(name__startswith=schedules.PREFIX)
    }


def test_each_app_registered_its_jobs_and_sync_makes_them_schedules_once():
    assert {job.name: (job.func, job.minutes) for job in schedules.jobs()} == EXPECTED

    schedules.sync()
    schedules.sync()

    assert _schedule_rows() == EXPECTED
    assert Schedule.objects.filter(name__startswith=schedules.PREFIX).count() == len(EXPECTED)
    assert set(Schedule.objects.values_list("schedule_type", flat=True)) == {Schedule.MINUTES}


def test_sync_updates_a_changed_job_and_removes_one_no_app_registers():
    schedules.sync()
    Schedule.objects.filter(name="kliento.send_pending_outbox").update(minutes=30)
    Schedule.objects.create(name="kliento.gone", func="kliento.core.tasks.gone", minutes=5)
    Schedule.objects.create(name="operator.backup", func="backups.run", minutes=5)

    schedules.sync()

    assert _schedule_rows() == EXPECTED
    assert Schedule.objects.filter(name="operator.backup").exists()  # not ours: left alone


def test_a_job_must_run_every_whole_minutes_and_be_a_module_level_function():
    def local() -> None:
        return None

    with pytest.raises(ValueError, match="whole minutes"):
        schedules.register("odd", local, every=dt.timedelta(seconds=90))
    with pytest.raises(ValueError, match="module-level"):
        schedules.register("local", local, every=dt.timedelta(minutes=1))
    assert {job.name for job in schedules.jobs()} == set(EXPECTED)


def _run_job(name: str) -> object:
    """Run a synced schedule's function the way the worker does (django-q2, in process)."""
    schedules.sync()
    func = Schedule.objects.get(name=name).func
    task_id = async_task(func, sync=True)
    task = Task.objects.get(id=task_id)
    assert task.success, task.result
    return task.result


def _age(queryset, field: str, **delta: float) -> None:
    queryset.update(**{field: timezone.now() - dt.timedelta(**delta)})


def test_the_idempotency_purge_job_forgets_expired_responses_and_keeps_fresh_ones():
    user = UserFactory()
    for key in ("old", "fresh"):
        IdempotencyKey.objects.create(
            user=user, key=key, endpoint="/api/v1/contacts", request_hash="h", status_code=201
        )
    _age(IdempotencyKey.objects.filter(key="old"), "created_at", hours=25)

    assert _run_job("kliento.purge_idempotency_keys") == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_signin_purge_job_forgets_old_failures_and_unused_addresses(settings):
    settings.KLIENTO_LOGIN_LOCK_SECONDS = 900
    settings.KLIENTO_LOGIN_KNOWN_ADDRESS_DAYS = 180
    user = UserFactory()
    SignInFailure.objects.create(username="anna", address="192.0.2.1")
    SignInFailure.objects.create(username="anna", address="192.0.2.2")
    _age(SignInFailure.objects.filter(address="192.0.2.1"), "at", seconds=901)
    now = timezone.now()
    SignInAddress.objects.create(user=user, address="198.51.100.1", last_at=now)
    SignInAddress.objects.create(
        user=user, address="198.51.100.2", last_at=now - dt.timedelta(days=181)
    )

    assert _run_job("kliento.purge_signin_records") == 2

    assert list(SignInFailure.objects.values_list("address", flat=True)) == ["192.0.2.2"]
    assert list(SignInAddress.objects.values_list("address", flat=True)) == ["198.51.100.1"]
