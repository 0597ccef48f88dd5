"""What a role may see and do with one record type.

Each record type declares its own defaults (core.records); administrators change them
per role in Settings (core.rights_admin), stored as RolePermission rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from kliento.core.choices import Role


@dataclass(frozen=True)
class Rights:
    scope: str
    can_create: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_export: bool = False


# Roles that may give a record to someone else (set another owner).
ASSIGNING_ROLES = frozenset({Role.ADMIN, Role.HEAD_OF_SALES})
