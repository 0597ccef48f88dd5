"""Settings: the rights of each role per record type."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kliento.core import records, rights_admin
from kliento.core.choices import Role, Scope
from kliento.core.errors import ValidationFailed
from kliento.core.views.settings.common import admin_of, checked
from kliento.core.web.pages import actor_of, field_errors, page, render_page


def _matrix(
    current: dict[str, dict[str, Any]], posted: dict[str, dict[str, Any]] | None, role: str
) -> list[dict[str, Any]]:
    """Rows for the template: each role with its record types (the posted values kept)."""
    rows = []
    for value, label in Role.choices:
        rights = current[value]
        if posted is not None and value == role:
            rights = posted
        rows.append(
            {
                "role": value,
                "label": label,
                "locked": value == Role.ADMIN,
                "types": [(rt, rt_label, rights[rt]) for rt, rt_label in records.choices()],
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@page
def role_rights(request: HttpRequest) -> HttpResponse:
    user = admin_of(request)
    status = 200
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, Any]] | None = None
    role = request.POST.get("role", "")
    if request.method == "POST":
        posted = {
            rt: {
                "scope": request.POST.get(f"{rt}-scope", ""),
                **{name: checked(request, f"{rt}-{name}") for name in rights_admin.ACTIONS},
            }
            for rt in records.names()
        }
        try:
            rights_admin.role_rights_set(actor=actor_of(request), role=role, rights_by_type=posted)
        except ValidationFailed as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("The rights are saved; they apply from the next page."))
            return redirect("core:settings-roles")
    current: dict[str, dict[str, Any]] = {
        r: {rt: asdict(x) for rt, x in by_type.items()}
        for r, by_type in rights_admin.role_rights_all(user).items()
    }
    context = {
        "roles": _matrix(current, posted, role),
        "scopes": Scope.choices,
        "actions": [
            ("can_create", _("Create")),
            ("can_edit", _("Edit")),
            ("can_delete", _("Delete")),
            ("can_export", _("Export")),
        ],
        "errors": errors,
        "error_role": role if errors else "",
    }
    return render_page(request, "core/settings/roles.html", context, status=status)
