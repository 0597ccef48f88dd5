"""What each role may see and do per record type, with the defaults a new install gets."""

from __future__ import annotations

from dataclasses import dataclass

from kliento.core.choices import RecordType, Role, Scope

R, S = RecordType, Scope


@dataclass(frozen=True)
class Rights:
    scope: str
    can_create: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_export: bool = False


_FULL = Rights(S.ALL, True, True, True, True)
_READ_ALL = Rights(S.ALL)
_NOTHING = Rights(S.NONE)

DEFAULT_RIGHTS: dict[str, dict[str, Rights]] = {
    Role.ADMIN: dict.fromkeys(R.values, _FULL),
    Role.HEAD_OF_SALES: dict.fromkeys(R.values, _FULL),
    Role.MANAGER: {
        R.COMPANY: Rights(S.TEAM, can_create=True, can_edit=True),
        R.CONTACT: Rights(S.TEAM, can_create=True, can_edit=True),
        R.LEAD: Rights(S.OWN, can_create=True, can_edit=True),
        R.DEAL: Rights(S.OWN, can_create=True, can_edit=True),
        R.ACTIVITY: Rights(S.OWN, can_create=True, can_edit=True, can_delete=True),
    },
    Role.MARKETER: {
        R.COMPANY: Rights(S.ALL, can_create=True, can_edit=True, can_export=True),
        R.CONTACT: Rights(S.ALL, can_create=True, can_edit=True, can_export=True),
        R.LEAD: Rights(S.ALL, can_create=True, can_edit=True, can_export=True),
        R.DEAL: _NOTHING,
        R.ACTIVITY: Rights(S.OWN, can_create=True, can_edit=True, can_delete=True),
    },
    Role.SERVICE_AGENT: {
        R.COMPANY: _READ_ALL,
        R.CONTACT: Rights(S.ALL, can_edit=True),
        R.LEAD: _NOTHING,
        R.DEAL: _READ_ALL,
        R.ACTIVITY: Rights(S.OWN, can_create=True, can_edit=True),
    },
    Role.READ_ONLY: dict.fromkeys(R.values, _READ_ALL),
}

# Roles that may give a record to someone else (set another owner).
ASSIGNING_ROLES = frozenset({Role.ADMIN, Role.HEAD_OF_SALES})
