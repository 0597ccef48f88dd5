from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kliento.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kliento.core import attachments, timeline

        timeline.register_source(timeline.audit_source)
        timeline.register_source(attachments.timeline_source)

        from kliento.core.web import nav

        nav.register(
            nav.NavItem(
                "core:settings",
                _("Settings"),
                "settings",
                order=90,
                admin_only=True,
                section="core:settings",
            )
        )
