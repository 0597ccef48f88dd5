"""Every error that leaves the API is JSON in its shape, whatever raised it.

The routes' own errors are shaped by the handlers `apikit.install_error_handlers`
registers. This middleware catches the rest: an unknown path under /api/, a method
a path does not take, an error in a middleware, and a crash (Django's 500 page, or
in DEBUG its traceback page, which goes to the log instead). The status and headers
stay; only the body becomes `{"detail": ..., "errors": []}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kliento.core.apikit import error_body

API_PREFIX = "/api/"


def _detail(status: int) -> str:
    known = {
        400: _("Bad request."),
        401: _("Authentication required."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        500: _("Internal server error."),
    }
    if status in known:
        return known[status]
    try:
        return HTTPStatus(status).phrase + "."
    except ValueError:
        return _("The request failed.")


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not getattr(response, "streaming", False)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # Changed in place, so the headers other middleware set (CSP, Allow) stay.
            response.content = json.dumps(error_body(_detail(response.status_code)))
            response["Content-Type"] = "application/json; charset=utf-8"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
