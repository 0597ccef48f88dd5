"""The language switcher: saved on the user, so every device follows."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_POST

from kliento.core.models import User
from kliento.core.web.params import safe_next

CODES = {code for code, _ in settings.LANGUAGES}


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("language", "")
    response = redirect(safe_next(request, "/"))
    if code not in CODES:
        return response
    if isinstance(request.user, User) and request.user.is_authenticated:
        request.user.language = code
        request.user.save(update_fields=["language"])
    translation.activate(code)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax", max_age=365 * 24 * 3600
    )
    return response
