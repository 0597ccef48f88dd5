"""Each signed-in user sees pages in their own language and time zone; NUL is refused."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

LANGUAGE_CODES = {code for code, _ in settings.LANGUAGES}


class UserPreferencesMiddleware:
    """Runs after authentication: the user's saved language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language in LANGUAGE_CODES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


class RefuseNulMiddleware:
    """A NUL character in the query string is refused (400) before any view runs.

    PostgreSQL cannot store or compare text holding NUL, so a search or filter with one
    would fail deep in a query; no list, search or filter has a use for it. Form and
    JSON fields are checked by the services, where each gets its field's message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = request.GET
        if any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params):
            message = _("The address holds a NUL character, which no search or filter accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": []}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
