"""What the settings views share: the admin check and reading plain form values."""

from __future__ import annotations

from django.http import HttpRequest

from kliento.core.models import User
from kliento.core.rights import require_admin
from kliento.core.web.pages import user_of


def admin_of(request: HttpRequest) -> User:
    """The signed-in administrator; anyone else gets the 403 page (PermissionDenied)."""
    return require_admin(user_of(request))


def checked(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("on", "true", "1")
