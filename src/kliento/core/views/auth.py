"""Signing in and out, and the first-run page of a new install."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kliento.core.accounts import admin_exists, first_admin_create
from kliento.core.errors import ValidationFailed
from kliento.core.signin import SignInFailed, SignInLocked, sign_in, sign_out
from kliento.core.web.pages import field_errors
from kliento.core.web.params import safe_next

HOME = "/"


def _next_url(request: HttpRequest) -> str:
    return safe_next(request, HOME)


@require_http_methods(["GET", "POST"])
def sign_in_page(request: HttpRequest) -> HttpResponse:
    if not admin_exists():
        return redirect("core:welcome")
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    context = {"next": _next_url(request), "username": "", "error": ""}
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")
        context["username"] = username[:150]
        try:
            sign_in(request, username, request.POST.get("password", ""))
        except SignInLocked as exc:
            context["error"], status = exc.message, 429
        except SignInFailed as exc:
            context["error"], status = exc.message, 401
        else:
            return redirect(_next_url(request))
    return render(request, "core/sign_in.html", context, status=status)


@require_POST
def sign_out_page(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("core:sign-in")


@require_http_methods(["GET", "POST"])
def welcome_page(request: HttpRequest) -> HttpResponse:
    """First run: no administrator yet, so the first visitor creates one."""
    if admin_exists():
        return redirect("core:sign-in")
    context: dict[str, object] = {"errors": {}, "values": {}}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("username", "email")}
        password = request.POST.get("password", "")
        try:
            if password != request.POST.get("password2", ""):
                raise ValidationFailed.on("password2", _("The two passwords differ."))
            user = first_admin_create(password=password, **values)
        except ValidationFailed as exc:
            context, status = {"errors": field_errors(exc), "values": values}, 422
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(HOME)
    return render(request, "core/welcome.html", context, status=status)
