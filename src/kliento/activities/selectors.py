"""Reads of activities, always through the visibility rule, and their timeline entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from kliento.activities.models import Activity
from kliento.core import customfields, records, visibility
from kliento.core.models import User
from kliento.core.pagination import Page, union_page
from kliento.core.timeline import Entry

ORDERING = {"when": "when", "created_at": "created_at"}
DEFAULT_ORDERING = "-when"
# filter name -> lookup
FILTERS = {
    "kind": "kind",
    "done": "done",
    "outcome": "outcome",
    "owner": "owner_id",
    "team": "team_id",
    "contact": "contact_id",
    "company": "company_id",
    "deal": "deal_id",
    "lead": "lead_id",
    "when_after": "when__gte",
    "when_before": "when__lt",
}
TIMELINE_LINKS = {
    "contact": "contact_id",
    "company": "company_id",
    "deal": "deal_id",
    "lead": "lead_id",
}


def activities_for(user: User) -> QuerySet[Activity]:
    return visibility.visible(user, Activity.objects.all())


def activity_get(user: User, activity_id: int) -> Activity:
    return visibility.get_visible(user, Activity.objects.prefetch_related("reminders"), activity_id)


def activity_list(
    user: User,
    *,
    filters: Mapping[str, Any],
    params: Mapping[str, str],
    ordering: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Activity]:
    """One page of the activities the user sees; `params` carries `custom.<key>` filters."""
    queryset = Activity.objects.all()
    conditions = {
        FILTERS[name]: value
        for name, value in filters.items()
        if name in FILTERS and value is not None
    }
    queryset = queryset.filter(**conditions).filter(customfields.filter_q("activity", params))
    parts = visibility.scope_parts(user, records.spec_for_model(Activity))
    return union_page(
        queryset,
        [Q()] if parts is None else parts,
        ordering=ordering,
        allowed=ORDERING,
        default=DEFAULT_ORDERING,
        cursor=cursor,
        limit=limit,
    )


def timeline_entries(
    record_type: str, record_id: int, before: tuple[dt.datetime, str, int] | None, limit: int
) -> list[Entry]:
    """Activities linked to a contact, company, deal or lead, newest first (timeline source)."""
    column = TIMELINE_LINKS.get(record_type)
    if column is None:
        return []
    queryset = Activity.objects.filter(**{column: record_id})
    if before is not None:
        at, kind, pk = before
        older = Q(when__lt=at)
        if kind > "activity":
            older |= Q(when=at)
        elif kind == "activity":
            older |= Q(when=at, pk__lt=pk)
        queryset = queryset.filter(older)
    rows = queryset.order_by("-when", "-id").only(
        "id", "kind", "subject", "outcome", "done", "owner_id", "when"
    )[:limit]
    return [
        Entry(
            at=a.when,
            kind="activity",
            id=a.pk,
            title=a.subject,
            data={
                "activity_kind": a.kind,
                "subject": a.subject,
                "outcome": a.outcome,
                "done": a.done,
                "owner_id": a.owner_id,
            },
        )
        for a in rows
        if a.when is not None
    ]
