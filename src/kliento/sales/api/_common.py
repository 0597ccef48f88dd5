"""What the lead and deal routes share: the paging parameters and the page's shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from kliento.core.apikit import caller
from kliento.core.pagination import Page

PAGING = frozenset({"ordering", "cursor", "limit"})


def list_page(
    request: HttpRequest,
    query: Any,
    select: Callable[..., Page[Any]],
    filters: Callable[..., Any],
) -> dict[str, Any]:
    """One page from the selector `select`, its filters taken from the query's other fields."""
    page = select(
        caller(request),
        filters=filters(**query.dict(exclude=PAGING)),
        params=request.GET,
        ordering=query.ordering,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
