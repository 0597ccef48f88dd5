"""What the layout of every page needs: the menu, the bell's count, the languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from kliento.core.choices import Role
from kliento.core.models import User
from kliento.core.web import nav


def layout(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return {"languages": settings.LANGUAGES}
    current = request.resolver_match.view_name if request.resolver_match else ""
    menu = [
        {
            "url": reverse(item.url_name),
            "label": item.label,
            "icon": item.icon,
            "active": item.covers(current),
        }
        for item in nav.items()
        if not item.admin_only or user.role == Role.ADMIN
    ]
    return {
        "menu": menu,
        "languages": settings.LANGUAGES,
        "is_admin": user.role == Role.ADMIN,
    }
