"""The worker's periodic jobs: each app registers its own, the worker start-up syncs them.

An app calls `register(...)` in its `AppConfig.ready()`; `sync()` (run by
`kliento worker` before the cluster starts) makes django-q2's Schedule rows
match the registry: a new job is added, a changed interval is updated, a job
no app registers any more is removed. Core itself knows no app's jobs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Only schedules with this prefix belong to the registry; others are left alone.
PREFIX = "kliento."


@dataclass(frozen=True)
class Job:
    name: str
    func: str  # dotted path of a module-level function, as django-q2 stores it
    minutes: int


_jobs: dict[str, Job] = {}


def register(name: str, func: Callable[[], Any], *, every: dt.timedelta) -> Job:
    """Run `func` every `every` (whole minutes, at least one) in the worker."""
    minutes, rest = divmod(int(every.total_seconds()), 60)
    if minutes < 1 or rest:
        raise ValueError(f"job {name!r}: the interval must be whole minutes, got {every}")
    path = f"{func.__module__}.{func.__qualname__}"
    if "." in func.__qualname__:
        raise ValueError(f"job {name!r}: {path} is not a module-level function")
    job = Job(name=PREFIX + name, func=path, minutes=minutes)
    _jobs[job.name] = job
    return job


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def sync(using: str = "default") -> None:
    """Make the Schedule rows match the registry; running it again changes nothing."""
    from django_q.models import Schedule

    schedules = Schedule.objects.using(using)
    for job in jobs():
        current = schedules.filter(name=job.name).first()
        wanted = {
            "func": job.func,
            "schedule_type": Schedule.MINUTES,
            "minutes": job.minutes,
            "repeats": -1,
        }
        if current is None:
            schedules.create(name=job.name, **wanted)
        elif any(getattr(current, field) != value for field, value in wanted.items()):
            schedules.filter(pk=current.pk).update(**wanted)
    schedules.filter(name__startswith=PREFIX).exclude(name__in=list(_jobs)).delete()
