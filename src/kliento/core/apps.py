from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kliento.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        import datetime as dt

        from kliento.core import attachments, outbox_email, schedules, tasks, timeline

        timeline.register_source(timeline.audit_source)
        timeline.register_source(attachments.timeline_source)
        outbox_email.register()
        schedules.register(
            "send_pending_outbox", tasks.send_pending_outbox, every=dt.timedelta(minutes=1)
        )
        schedules.register(
            "purge_idempotency_keys", tasks.purge_idempotency_keys, every=dt.timedelta(hours=1)
        )
        schedules.register(
            "purge_signin_records", tasks.purge_signin_records, every=dt.timedelta(hours=1)
        )
        schedules.register(
            "purge_expired_archive", tasks.purge_expired_archive, every=dt.timedelta(hours=1)
        )

        from kliento.core.web import nav

        nav.register(
            nav.NavItem("core:archive", _("Archive"), "archive", order=85, section="core:archive"),
            nav.NavItem(
                "core:settings",
                _("Settings"),
                "settings",
                order=90,
                admin_only=True,
                section="core:settings",
            ),
        )
