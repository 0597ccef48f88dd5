from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Periodic jobs of the worker: (name, function path, every N minutes).
SCHEDULES = [
    ("kliento.fire_due_reminders", "kliento.activities.tasks.fire_due_reminders", 1),
    ("kliento.send_pending_outbox", "kliento.core.tasks.send_pending_outbox", 1),
]


def ensure_schedules(using: str = "default", **kwargs: Any) -> None:
    """Create the periodic jobs once; running again (every migrate, every flush) changes nothing."""
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.using(using).get_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )


class ActivitiesConfig(AppConfig):
    name = "kliento.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from kliento.activities import selectors
        from kliento.activities.records import ACTIVITY_SPEC, timeline_look
        from kliento.core import records, saved_filters, timeline

        records.register(ACTIVITY_SPEC)
        timeline.register_presenter("activity", timeline_look)
        saved_filters.register(
            "activities", ("kind", "done", "outcome", "when_after", "when_before")
        )
        timeline.register_source(selectors.timeline_entries)
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="kliento_schedules")

        from kliento.core.web import nav

        nav.register(
            nav.NavItem("activities:my-day", _("My day"), "sun", order=10),
            nav.NavItem(
                "activities:activity-list",
                _("Activities"),
                "list-todo",
                order=60,
                section="activities:activity",
            ),
            nav.NavItem(
                "activities:calendar",
                _("Calendar"),
                "calendar-days",
                order=70,
                section="activities:calendar",
            ),
        )
