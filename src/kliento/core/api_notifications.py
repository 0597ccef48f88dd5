"""REST routes of the caller's own notifications."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kliento.core import notifications
from kliento.core.apicontract import ApiRouter, Cursor, Id, Limit
from kliento.core.apikit import ListOut, caller

router = ApiRouter(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    record_type: str
    record_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationFilter(Schema):
    unread: bool | None = None
    cursor: Cursor | None = None
    limit: Limit = 50


class CountOut(Schema):
    count: int


@router.get("", response=ListOut[NotificationOut], summary="My notifications, newest first")
def notification_list(request: HttpRequest, filters: Query[NotificationFilter]) -> object:
    return notifications.notification_list(
        caller(request), unread=filters.unread, cursor=filters.cursor, limit=filters.limit
    )


@router.get("/unread-count", response=CountOut, summary="How many of my notifications are unread")
def notification_unread_count(request: HttpRequest) -> object:
    return {"count": notifications.notification_unread_count(caller(request))}


@router.post("/read-all", response=CountOut, summary="Mark all my notifications read")
def notification_read_all(request: HttpRequest) -> object:
    return {"count": notifications.notification_mark_all_read(user=caller(request))}


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one read")
def notification_read(request: HttpRequest, notification_id: Id) -> object:
    return notifications.notification_mark_read(
        user=caller(request), notification_id=notification_id
    )


routers: list[tuple[str, Router]] = [("/notifications", router)]
