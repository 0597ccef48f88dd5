"""What a role may see and do with one record type.

Each record type declares its own defaults (core.records); administrators change them
per role in Settings (core.rights_admin), stored as RolePermission rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kliento.core.choices import Role
from kliento.core.errors import PermissionDenied

if TYPE_CHECKING:
    from kliento.core.models import User


@dataclass(frozen=True)
class Rights:
    scope: str
    can_create: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_export: bool = False


# Roles that may give a record to someone else (set another owner).
ASSIGNING_ROLES = frozenset({Role.ADMIN, Role.HEAD_OF_SALES})


def is_admin(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == Role.ADMIN


def require_admin(user: User | None) -> User:
    """The user if an active administrator, else PermissionDenied: the one check of every
    settings page and configuration service (a superuser flag alone does not count)."""
    if user is None or not is_admin(user):
        raise PermissionDenied(_("Only an administrator may change the settings."))
    return user
