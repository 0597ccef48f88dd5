"""The bell: one's own notifications, newest first, and marking them read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from kliento.core.errors import ValidationFailed
from kliento.core.notifications import (
    notification_list,
    notification_mark_all_read,
    notification_mark_read,
    notification_unread_count,
)
from kliento.core.web.pages import page, render_page, user_of

PAGE_SIZE = 30


@require_GET
@page
def notification_list_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    unread = True if request.GET.get("show") == "unread" else None
    try:
        found = notification_list(
            user, unread=unread, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except ValidationFailed:  # a tampered cursor: start from the top
        found = notification_list(user, unread=unread, cursor=None, limit=PAGE_SIZE)
    context = {"page": found, "unread": unread, "unread_total": notification_unread_count(user)}
    return render_page(request, "core/notifications.html", context, partial="rows")


@require_GET
@page
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count; the layout fetches it after the page, then every minute."""
    count = notification_unread_count(user_of(request))
    return render(request, "core/_bell.html", {"unread_count": count})


@require_POST
@page
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = notification_mark_read(user=user_of(request), notification_id=notification_id)
    if getattr(request, "htmx", False):
        # The row, and the bell with its new count swapped in out of band.
        user = user_of(request)
        row = render_to_string("core/notifications.html#row", {"n": notification}, request)
        bell = {"unread_count": notification_unread_count(user), "oob": True}
        return HttpResponse(row + render_to_string("core/_bell.html", bell, request))
    return redirect("core:notifications")


@require_POST
@page
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=user_of(request))
    return redirect("core:notifications")
