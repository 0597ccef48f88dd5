"""Template helpers of the activity pages: links to the records an activity is about."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

# record attribute -> the URL name of its detail page
DETAIL_PAGES = {
    "contact": "customers:contact-detail",
    "company": "customers:company-detail",
    "deal": "sales:deal-detail",
    "lead": "sales:lead-detail",
}


def detail_url(record_type: str, pk: int) -> str:
    """The detail page of a record, or "" while that page does not exist."""
    try:
        return reverse(DETAIL_PAGES[record_type], args=[pk])
    except (KeyError, NoReverseMatch):
        return ""


@register.filter
def about(activity: Any) -> list[dict[str, Any]]:
    """The records an activity is linked to (already loaded with select_related)."""
    links = []
    for record_type in DETAIL_PAGES:
        if getattr(activity, f"{record_type}_id", None) is None:
            continue
        record = getattr(activity, record_type)
        label = getattr(record, "title", None) or str(record)
        links.append(
            {"type": record_type, "label": label, "url": detail_url(record_type, record.pk)}
        )
    return links


@register.simple_tag
def record_url(record_type: str, pk: int) -> str:
    return detail_url(record_type, pk)
