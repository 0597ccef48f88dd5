"""Template helper of the quick actions on a record's detail page: the forms' defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from kliento.activities.choices import Outcome

register = template.Library()


def quick_defaults(record_type: str, record_id: int) -> dict[str, Any]:
    """What an empty quick-action form shows: a task is due tomorrow, a call's outcomes.

    `uid` keeps the ids of the form fields unique when a page shows two records' forms.
    """
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return {
        "uid": f"{record_type}-{int(record_id)}",
        "due_date": tomorrow.isoformat(),
        "outcomes": [(value, str(label)) for value, label in Outcome.choices],
    }


@register.simple_tag
def quick_form_defaults(record_type: str, record: Any) -> dict[str, Any]:
    return quick_defaults(record_type, record.pk)
