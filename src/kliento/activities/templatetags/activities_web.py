"""Template helpers of the activity pages: links to the records an activity is about."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()

# record attribute -> the URL name of its detail page
DETAIL_PAGES = {
    "contact": "customers:contact-detail",
    "company": "customers:company-detail",
    "deal": "sales:deal-detail",
    "lead": "sales:lead-detail",
}


def detail_url(record_type: str, pk: int) -> str:
    return reverse(DETAIL_PAGES[record_type], args=[pk])


@register.filter
def about(activity: Any) -> list[dict[str, Any]]:
    """The records an activity is about that the user may see.

    Only what `selectors.attach_visible_links` kept: an activity not passed through
    it names no record at all, rather than one the user may not see.
    """
    return [
        {
            "type": record_type,
            "label": getattr(record, "title", None) or str(record),
            "url": detail_url(record_type, record.pk),
        }
        for record_type, record in getattr(activity, "links", [])
    ]


@register.simple_tag
def record_url(record_type: str, pk: int) -> str:
    return detail_url(record_type, pk)
