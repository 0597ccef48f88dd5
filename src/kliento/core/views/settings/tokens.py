"""Settings: API tokens — one's own and every user's; a new key is shown once."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kliento.core import accounts
from kliento.core.errors import ValidationFailed
from kliento.core.views.settings.common import admin_of
from kliento.core.web.pages import actor_of, field_errors, page, render_page

# The plain key of a token just created waits here for the one page that shows it.
NEW_KEY = "kliento_new_token"


def _context(request: HttpRequest) -> dict[str, object]:
    user = admin_of(request)
    tokens = accounts.tokens_admin_list(user)
    return {
        "own": [t for t in tokens if t.user_id == user.pk],
        "others": [t for t in tokens if t.user_id != user.pk],
        "errors": {},
        "values": {},
    }


@require_GET
@page
def token_list(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    context["new_key"] = request.session.pop(NEW_KEY, None)
    response = render_page(request, "core/settings/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@page
def token_create(request: HttpRequest) -> HttpResponse:
    admin_of(request)
    name = request.POST.get("name", "")
    try:
        _token, key = accounts.token_create(actor=actor_of(request), name=name)
    except ValidationFailed as exc:
        context = {**_context(request), "errors": field_errors(exc), "values": {"name": name}}
        return render_page(request, "core/settings/tokens.html", context, status=422)
    request.session[NEW_KEY] = key
    return redirect("core:settings-tokens")


@require_POST
@page
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    admin_of(request)
    accounts.token_revoke_any(actor=actor_of(request), token_id=token_id)
    messages.success(request, _("The token is revoked."))
    return redirect("core:settings-tokens")
