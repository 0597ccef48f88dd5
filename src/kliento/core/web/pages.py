"""The frame of every page view: sign-in required, domain errors as pages, htmx partials.

Views stay as thin as the API routes: they read the request, call the same
service or selector, and render. A record the user may not see is a 404 here
exactly as in the API, because the selectors raise NotFound for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kliento.core.actors import Actor
from kliento.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kliento.core.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])


def page(view: View) -> View:
    """Signed-in users only; NotFound is a 404 page and PermissionDenied a 403 page.

    A bad query parameter (`params.BadParameter`, 400) or any other refusal a view
    leaves to it (ValidationFailed 422, Conflict 409) is the problem page with the
    reasons: never a 500, and the service that refused wrote nothing.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            sign_in = reverse("core:sign-in")
            if getattr(request, "htmx", False):
                return HttpResponse(status=401, headers={"HX-Redirect": sign_in})
            return redirect_to_login(request.get_full_path(), sign_in)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return render(request, "core/403.html", {"message": exc.message}, status=403)
        except (ValidationFailed, Conflict) as exc:
            return problem_page(request, exc)

    return cast(View, wrapper)


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of_user(user_of(request))


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only `partial` of it when htmx asks (not for boosted links)."""
    htmx = getattr(request, "htmx", None)
    name = template
    if partial and htmx and not htmx.boosted:
        name = f"{template}#{partial}"
    return render(request, name, context, status=status)


def field_errors(exc: ValidationFailed) -> dict[str, list[str]]:
    """Errors keyed by field name, for showing each under its field ("" for the form)."""
    errors: dict[str, list[str]] = {}
    for item in exc.errors or []:
        errors.setdefault(item.field or "", []).append(item.message)
    if not errors:
        errors[""] = [exc.message]
    return errors


def error_status(exc: ValidationFailed | Conflict) -> int:
    """400 for a parameter the page cannot read, 409 for a stale write, else 422."""
    return exc.status


def problem_page(request: HttpRequest, exc: ValidationFailed | Conflict) -> HttpResponse:
    """What was wrong with the request, each reason under the name of its parameter."""
    reasons = (
        [(name, message) for name, messages in field_errors(exc).items() for message in messages]
        if isinstance(exc, ValidationFailed)
        else [("", exc.message)]
    )
    # The page without its query; a form's address may not answer GET: home instead.
    back = request.path if request.method == "GET" else reverse("core:home")
    context = {"reasons": reasons, "back": back}
    return render(request, "core/problem.html", context, status=exc.status)
