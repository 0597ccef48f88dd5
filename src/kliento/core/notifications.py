"""In-app notifications: creating them once per cause, and reading them for their owner."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kliento.core.errors import NotFound
from kliento.core.models import Notification, User
from kliento.core.pagination import Page, keyset_page


def notification_create(
    *,
    user: User,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    record_type: str = "",
    record_id: int | None = None,
) -> tuple[Notification, bool]:
    """The user's notification for `key`, created on first call only (safe to repeat)."""
    return Notification.objects.get_or_create(
        user=user,
        key=key[:200],
        defaults={
            "kind": kind[:30],
            "title": title[:300],
            "body": body,
            "record_type": record_type,
            "record_id": record_id,
        },
    )


def notifications_for(user: User, *, unread: bool | None = None) -> QuerySet[Notification]:
    """Only the user's own notifications; nobody reads another's."""
    queryset = Notification.objects.filter(user=user)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset


def notification_list(
    user: User, *, unread: bool | None, cursor: str | None, limit: int
) -> Page[Notification]:
    return keyset_page(
        notifications_for(user, unread=unread),
        ordering="-id",
        allowed={"id": "id"},
        default="-id",
        cursor=cursor,
        limit=limit,
    )


def notification_unread_count(user: User) -> int:
    return notifications_for(user, unread=True).count()


def notification_get(user: User, notification_id: int) -> Notification:
    found = notifications_for(user).filter(pk=notification_id).first()
    if found is None:
        raise NotFound("Not found.")
    return found


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    with transaction.atomic():
        notification = notification_get(user, notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Marks every unread notification of the user read; returns how many changed."""
    return notifications_for(user, unread=True).update(read_at=timezone.now())
