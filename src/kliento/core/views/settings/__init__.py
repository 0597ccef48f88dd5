"""Settings for administrators: the index; each section has a module of its own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kliento.core.rights import require_admin
from kliento.core.web.pages import page, render_page, user_of


@require_GET
@page
def settings_index(request: HttpRequest) -> HttpResponse:
    require_admin(user_of(request))
    return render_page(request, "core/settings/index.html", {})
