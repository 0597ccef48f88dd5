from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "kliento.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from kliento.activities.models import Activity
        from kliento.core import records

        records.register("activity", Activity)
