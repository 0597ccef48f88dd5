"""Changing what each role may see and do per record type (administrators only).

Each record type declares its defaults (core.records); a RolePermission row overrides them for one
role and record type, and `visibility.rights()` reads it on the user's next request.
The administrator role always keeps full rights: lowering it could lock every
administrator out of the records they must manage, with nobody left to undo it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kliento.core import audit, records
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, Role, Scope
from kliento.core.errors import ErrorCollector, PermissionDenied
from kliento.core.models import RolePermission, User
from kliento.core.rights import Rights, require_admin
from kliento.core.visibility import forget_rights

ACTIONS = ("can_create", "can_edit", "can_delete", "can_export")


def role_rights_all(user: User) -> dict[str, dict[str, Rights]]:
    """The rights in force for every role and record type (defaults overlaid by overrides)."""
    require_admin(user)
    specs = records.specs()
    matrix: dict[str, dict[str, Rights]] = {
        role: {spec.name: spec.rights_for(role) for spec in specs} for role in Role.values
    }
    for row in RolePermission.objects.all():
        if row.role in matrix and row.record_type in matrix[row.role]:
            matrix[row.role][row.record_type] = Rights(
                row.scope, row.can_create, row.can_edit, row.can_delete, row.can_export
            )
    return matrix


def _clean(
    role: str, record_type: str, rights: Mapping[str, Any], errors: ErrorCollector, prefix: str
) -> Rights | None:
    if records.spec_for_name(record_type) is None:
        errors.add(f"{prefix}record_type", _("Unknown record type."))
        return None
    if not isinstance(rights, Mapping):
        errors.add(f"{prefix}rights", _("Must be an object."))
        return None
    for key in rights:
        if key not in ("scope", *ACTIONS):
            errors.add(f"{prefix}{key}", _("Unknown field."))
    scope = rights.get("scope")
    if scope not in Scope.values:
        errors.add(f"{prefix}scope", _("Must be one of none, own, team or all."))
    flags = {}
    for name in ACTIONS:
        value = rights.get(name, False)
        if not isinstance(value, bool):
            errors.add(f"{prefix}{name}", _("Must be true or false."))
        flags[name] = value is True
    if errors.errors:
        return None
    return Rights(str(scope), **flags)


def _write(actor: Actor, role: str, record_type: str, new: Rights) -> None:
    row = RolePermission.objects.select_for_update().filter(role=role, record_type=record_type)
    found = row.first()
    before = (
        Rights(found.scope, found.can_create, found.can_edit, found.can_delete, found.can_export)
        if found is not None
        else records.default_rights(role, record_type)
    )
    if before == new:
        return
    values = {"scope": new.scope, **{name: getattr(new, name) for name in ACTIONS}}
    saved, _created = RolePermission.objects.update_or_create(
        role=role, record_type=record_type, defaults=values
    )
    changes = {
        name: [getattr(before, name), getattr(new, name)]
        for name in ("scope", *ACTIONS)
        if getattr(before, name) != getattr(new, name)
    }
    audit.record_of(
        actor,
        AuditAction.UPDATE,
        "role_permission",
        saved.pk,
        {"role": role, "record_type": record_type, **changes},
    )


def _check_role(role: str) -> None:
    if role == Role.ADMIN:
        raise PermissionDenied(_("The administrator role always keeps full rights."))


def role_rights_update(
    *, actor: Actor, role: str, record_type: str, rights: Mapping[str, Any]
) -> Rights:
    """Set what `role` sees (scope) of `record_type` and may do there."""
    require_admin(actor.user)
    errors = ErrorCollector()
    if role not in Role.values:
        errors.add("role", _("Not a known role."))
    else:
        _check_role(role)
    new = _clean(role, record_type, rights, errors, "")
    errors.raise_if_any()
    assert new is not None
    with transaction.atomic():
        _write(actor, role, record_type, new)
    if actor.user is not None:
        forget_rights(actor.user)
    return new


def role_rights_set(
    *, actor: Actor, role: str, rights_by_type: Mapping[str, Mapping[str, Any]]
) -> dict[str, Rights]:
    """Set the rights of one role on several record types at once: all or nothing."""
    require_admin(actor.user)
    errors = ErrorCollector()
    if role not in Role.values:
        errors.add("role", _("Not a known role."))
        errors.raise_if_any()
    _check_role(role)
    cleaned: dict[str, Rights] = {}
    for record_type, rights in rights_by_type.items():
        new = _clean(role, record_type, rights, errors, f"{record_type}.")
        if new is not None:
            cleaned[record_type] = new
    errors.raise_if_any()
    with transaction.atomic():
        for record_type, new in cleaned.items():
            _write(actor, role, record_type, new)
    if actor.user is not None:
        forget_rights(actor.user)
    return cleaned
