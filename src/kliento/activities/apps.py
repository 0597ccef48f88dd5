from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kliento.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        import datetime as dt

        from kliento.activities import selectors, tasks
        from kliento.activities.models import Activity
        from kliento.activities.records import ACTIVITY_SPEC, timeline_look
        from kliento.core import archive, events, records, saved_filters, schedules, timeline

        records.register(ACTIVITY_SPEC)
        # An activity's home is its deal, else its lead, contact or company (core.archive).
        archive.register_followers(Activity, "deal", "lead", "contact", "company")
        events.register_action("activity.completed", _("Completed"))
        timeline.register_presenter("activity", timeline_look)
        saved_filters.register(
            "activities", ("kind", "done", "outcome", "when_after", "when_before")
        )
        timeline.register_source(selectors.timeline_entries)
        schedules.register(
            "fire_due_reminders", tasks.fire_due_reminders, every=dt.timedelta(minutes=1)
        )

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
