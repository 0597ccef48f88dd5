"""The global search box on every page: results as you type, grouped by record type."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kliento.core.web import search as registry
from kliento.core.web.pages import page, render_page, user_of

MAX_QUERY = 200


@require_GET
@page
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = registry.search(user_of(request), q) if q else []
    return render_page(request, "core/search.html", {"q": q, "results": results}, partial="results")
