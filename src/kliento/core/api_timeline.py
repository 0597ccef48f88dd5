"""GET /{resource}/{id}/timeline for every record type whose card has a timeline.

The record types come from core.records (each app registers its own before the URLconf,
and with it this module, is loaded), so core names none of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kliento.core import records, visibility
from kliento.core.apicontract import ApiRouter, Cursor, Id, Limit
from kliento.core.apikit import caller
from kliento.core.errors import NotFound
from kliento.core.timeline import timeline_page

router = ApiRouter(tags=["timeline"])


class EntryOut(Schema):
    at: dt.datetime
    kind: str
    id: int
    title: str
    data: dict[str, Any]


class TimelineOut(Schema):
    items: list[EntryOut]
    next_cursor: str | None = None


class TimelineQuery(Schema):
    cursor: Cursor | None = None
    limit: Limit = 50


def _timeline(request: HttpRequest, record_type: str, record_id: int, params: TimelineQuery) -> Any:
    spec = records.spec_for_name(record_type)
    if spec is None:  # the app holding this record type is not installed
        raise NotFound("Not found.")
    # An archived record's card, and so its timeline, stays readable (core.archive).
    readable = getattr(spec.model, "all_objects", spec.model._default_manager)
    visibility.get_visible(caller(request), readable.all(), record_id)
    entries, next_cursor = timeline_page(
        record_type, record_id, cursor=params.cursor, limit=params.limit
    )
    return {"items": entries, "next_cursor": next_cursor}


def _add_route(resource: str, record_type: str) -> None:
    def view(request: HttpRequest, record_id: Id, params: Query[TimelineQuery]) -> Any:
        return _timeline(request, record_type, record_id, params)

    view.__name__ = f"{record_type}_timeline"
    router.get(
        f"/{resource}/{{record_id}}/timeline",
        response=TimelineOut,
        summary=f"Timeline of a {record_type}, newest first",
        operation_id=f"{record_type}_timeline",
    )(view)


for _spec in records.specs():
    if _spec.timeline and _spec.api_resource:
        _add_route(_spec.api_resource, _spec.name)

routers: list[tuple[str, Router]] = [("", router)]
