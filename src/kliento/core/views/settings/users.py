"""Settings: users (list, create, edit, new password) and teams (list, create, rename)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core import accounts, signin
from kliento.core.choices import Role
from kliento.core.errors import ValidationFailed
from kliento.core.views.settings.common import admin_of, checked
from kliento.core.web.pages import actor_of, field_errors, page, render_page
from kliento.core.web.params import form_id

PAGE_SIZE = 50
PROFILE_FIELDS = ("first_name", "last_name", "email", "role", "language", "time_zone")


def _choices(request: HttpRequest) -> dict[str, Any]:
    user = admin_of(request)
    teams = [("", _("No team"))] + [
        (str(team.pk), team.name) for team, _count in accounts.teams_admin_list(user)
    ]
    return {
        "role_choices": Role.choices,
        "team_choices": teams,
        "language_choices": settings.LANGUAGES,
        "time_zones": sorted(zoneinfo.available_timezones()),
    }


def _profile_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {k: request.POST.get(k, "") for k in PROFILE_FIELDS}
    data["team_id"] = form_id(request.POST.get("team_id"))
    return data


@require_GET
@page
def user_list(request: HttpRequest) -> HttpResponse:
    user = admin_of(request)
    show = request.GET.get("show", "")
    active = {"active": True, "inactive": False}.get(show)
    try:
        found = accounts.users_admin_list(
            user, active=active, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except ValidationFailed:  # a tampered cursor: start from the top
        found = accounts.users_admin_list(user, active=active, cursor=None, limit=PAGE_SIZE)
    context = {"page": found, "show": show}
    return render_page(request, "core/settings/users.html", context, partial="rows")


@require_http_methods(["GET", "POST"])
@page
def user_create(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {**_choices(request), "errors": {}, "values": {}, "creating": True}
    status = 200
    if request.method == "POST":
        data = _profile_data(request)
        username = request.POST.get("username", "")
        context["values"] = {**data, "username": username}
        try:
            password = request.POST.get("password", "")
            if password != request.POST.get("password2", ""):
                raise ValidationFailed.on("password2", _("The two passwords differ."))
            created = accounts.user_create(
                actor=actor_of(request), username=username, password=password, **data
            )
        except ValidationFailed as exc:
            context["errors"], status = field_errors(exc), 422
        else:
            messages.success(request, _("User %(name)s created.") % {"name": created.username})
            return redirect("core:settings-users")
    return render_page(request, "core/settings/user_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@page
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = accounts.user_admin_get(admin_of(request), user_id)
    values: dict[str, Any] = {k: getattr(target, k) for k in PROFILE_FIELDS}
    values.update(team_id=target.team_id, is_active=target.is_active)
    context: dict[str, Any] = {
        **_choices(request),
        "target": target,
        "errors": {},
        "locked": signin.account_locked(target.username),
    }
    status = 200
    if request.method == "POST":
        values = {**_profile_data(request), "is_active": checked(request, "is_active")}
        try:
            accounts.user_update(actor=actor_of(request), user_id=target.pk, changes=values)
        except ValidationFailed as exc:
            context["errors"], status = field_errors(exc), 422
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:settings-users")
    context["values"] = values
    return render_page(request, "core/settings/user_form.html", context, status=status)


@require_POST
@page
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    target = accounts.user_admin_get(admin_of(request), user_id)
    password = request.POST.get("password", "")
    try:
        if password != request.POST.get("password2", ""):
            raise ValidationFailed.on("password2", _("The two passwords differ."))
        accounts.user_set_password(actor=actor_of(request), user_id=target.pk, password=password)
    except ValidationFailed as exc:
        values: dict[str, Any] = {k: getattr(target, k) for k in PROFILE_FIELDS}
        values.update(team_id=target.team_id, is_active=target.is_active)
        context = {
            **_choices(request),
            "target": target,
            "values": values,
            "errors": {},
            "password_errors": field_errors(exc),
        }
        return render_page(request, "core/settings/user_form.html", context, status=422)
    messages.success(request, _("The new password is set."))
    return redirect("core:settings-user-edit", user_id=target.pk)


@require_POST
@page
def user_signin_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    target = accounts.user_admin_get(admin_of(request), user_id)
    accounts.user_signin_unlock(actor=actor_of(request), user_id=target.pk)
    messages.success(request, _("%(name)s may sign in again.") % {"name": target.username})
    return redirect("core:settings-user-edit", user_id=target.pk)


@require_GET
@page
def team_list(request: HttpRequest) -> HttpResponse:
    teams = accounts.teams_admin_list(admin_of(request))
    return render_page(
        request, "core/settings/teams.html", {"teams": teams, "errors": {}, "values": {}}
    )


@require_POST
@page
def team_create(request: HttpRequest) -> HttpResponse:
    user = admin_of(request)
    name = request.POST.get("name", "")
    try:
        accounts.team_create(actor=actor_of(request), name=name)
    except ValidationFailed as exc:
        context = {
            "teams": accounts.teams_admin_list(user),
            "errors": field_errors(exc),
            "values": {"name": name},
        }
        return render_page(request, "core/settings/teams.html", context, status=422)
    messages.success(request, _("Team created."))
    return redirect("core:settings-teams")


@require_http_methods(["GET", "POST"])
@page
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = accounts.team_admin_get(admin_of(request), team_id)
    context: dict[str, Any] = {"team": team, "errors": {}, "values": {"name": team.name}}
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "")
        context["values"] = {"name": name}
        try:
            accounts.team_update(actor=actor_of(request), team_id=team.pk, name=name)
        except ValidationFailed as exc:
            context["errors"], status = field_errors(exc), 422
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:settings-teams")
    return render_page(request, "core/settings/team_form.html", context, status=status)
