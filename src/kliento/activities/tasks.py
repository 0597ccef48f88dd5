"""Background tasks of activities (run by the worker); each is safe to run twice."""

from __future__ import annotations

import os

from django.db.models import Q
from django.utils import timezone

from kliento.activities import services
from kliento.activities.models import Reminder

BATCH = 500


def _test_pause() -> float:
    # Only the worker tests set this: it holds a task inside its transaction so
    # that a worker can be killed mid-task.
    try:
        return float(os.environ.get("KLIENTO_TEST_TASK_DELAY", "0") or 0)
    except ValueError:
        return 0.0


def fire_due_reminders() -> int:
    """Periodic: fire every reminder whose time has come and that has not fired yet.

    A reminder that fell due while no worker ran is picked up by the next run.
    """
    now = timezone.now()
    pause = _test_pause()
    fired = 0
    due = Reminder.objects.filter(fired_at__isnull=True, fire_at__lte=now).order_by("fire_at", "id")
    after: Q = Q()
    while True:
        # Walk forward in (fire_at, id) order: rows another worker holds are skipped,
        # never read again in a loop.
        batch = list(due.filter(after).values_list("fire_at", "id")[:BATCH])
        for _fire_at, reminder_id in batch:
            if services.reminder_fire(reminder_id=reminder_id, now=now, pause=pause):
                fired += 1
        if len(batch) < BATCH:
            return fired
        last_at, last_id = batch[-1]
        after = Q(fire_at__gt=last_at) | Q(fire_at=last_at, id__gt=last_id)


def fire_reminder(reminder_id: int) -> bool:
    """Fire one reminder if it is due and has not fired."""
    return services.reminder_fire(reminder_id=reminder_id, now=timezone.now(), pause=_test_pause())
