"""The sales app's timeline entries: a deal's stage changes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from kliento.core.timeline import Entry

KIND = "stage_change"


def stage_change_entries(
    record_type: str, record_id: int, before: tuple[dt.datetime, str, int] | None, limit: int
) -> list[Entry]:
    """Stage changes of one deal older than `before` in (at, kind, id) order, newest first."""
    from kliento.sales.models import StageChange

    if record_type != "deal":
        return []
    queryset = StageChange.objects.filter(deal_id=record_id)
    if before is not None:
        at, kind, row_id = before
        older = Q(at__lt=at)
        if kind > KIND:
            older |= Q(at=at)
        elif kind == KIND:
            older |= Q(at=at, id__lt=row_id)
        queryset = queryset.filter(older)
    rows = queryset.select_related("from_stage", "to_stage").order_by("-at", "-id")[:limit]
    return [
        Entry(
            at=row.at,
            kind=KIND,
            id=row.pk,
            title=row.to_stage.name,
            data={
                "from": row.from_stage.name if row.from_stage else None,
                "to": row.to_stage.name,
                "from_stage_id": row.from_stage_id,
                "to_stage_id": row.to_stage_id,
                "by": row.actor_label,
                "by_user_id": row.by_id,
            },
        )
        for row in rows
    ]
