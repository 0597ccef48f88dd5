"""Saving, opening and deleting one's own filters of a list page (core/_saved_filters.html)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kliento.core import saved_filters
from kliento.core.errors import ValidationFailed
from kliento.core.models import SavedFilter
from kliento.core.web.pages import field_errors, page, user_of
from kliento.core.web.params import safe_next

TEMPLATE = "core/_saved_filters.html"


def _next(request: HttpRequest) -> str:
    return safe_next(request, "/")


def _partial(request: HttpRequest, list_name: str, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "list_name": list_name,
        "filters": saved_filters.saved_filter_list(user_of(request), list_name),
        "sf_next": _next(request),
        "sf_query": request.POST.get("query", ""),
        "sf_open": True,
        **extra,
    }
    return render(request, TEMPLATE, context, status=status)


@require_POST
@page
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    list_name = request.POST.get("list_name", "")
    try:
        created: SavedFilter | None = saved_filters.saved_filter_create(
            user=user_of(request),
            list_name=list_name,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except ValidationFailed as exc:
        if getattr(request, "htmx", False):
            return _partial(request, list_name, 422, sf_errors=field_errors(exc))
        messages.error(request, exc.message)
        return redirect(_next(request))
    assert created is not None
    if getattr(request, "htmx", False):
        return _partial(request, list_name)
    return redirect(f"{_next(request)}?{created.query}")


@require_POST
@page
def saved_filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    removed = saved_filters.saved_filter_delete(user=user_of(request), filter_id=filter_id)
    if getattr(request, "htmx", False):
        return _partial(request, removed.list_name)
    return redirect(_next(request))
