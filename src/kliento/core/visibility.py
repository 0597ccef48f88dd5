"""The one visibility rule: every read of customer data is scoped here.

`visible(user, queryset)` keeps the rows the user's role lets them see of that
record type (none / own / team / all, plus extras such as a deal's
participants). Lists, details, search, counts, timelines, files, exports and
background jobs acting for a user all go through it; a row outside it is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from kliento.core import records
from kliento.core.choices import Scope
from kliento.core.errors import NotFound, PermissionDenied, ValidationFailed
from kliento.core.rights import ASSIGNING_ROLES, Rights

if TYPE_CHECKING:
    from kliento.core.models import User

M = TypeVar("M", bound=models.Model)
_CACHE_ATTR = "_kliento_rights"


def rights(user: User, record_type: str) -> Rights:
    """The user's rights on a record type, read once per user object (one query)."""
    if not user.is_active:
        return Rights(Scope.NONE)
    cache: dict[str, Rights] | None = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        from kliento.core.models import RolePermission

        cache = {spec.name: spec.rights_for(user.role) for spec in records.specs()}
        for row in RolePermission.objects.filter(role=user.role):
            cache[row.record_type] = Rights(
                row.scope, row.can_create, row.can_edit, row.can_delete, row.can_export
            )
        setattr(user, _CACHE_ATTR, cache)
    return cache.get(record_type, Rights(Scope.NONE))


def forget_rights(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class _RowValue(models.Func):
    """`+column`: the same value, but no index seeks on it (SQLite and PostgreSQL alike)."""

    template = "+%(expressions)s"
    output_field = models.BigIntegerField()


def _equals(column: str, value: object, row_filter: bool) -> models.Q:
    if row_filter:
        return models.Q(Exact(_RowValue(models.F(column)), value))
    return models.Q(**{column: value})


def scope_q(user: User, spec: records.RecordSpec, *, row_filter: bool = False) -> models.Q | None:
    """The filter for what `user` sees of `spec`; None means everything.

    With `row_filter`, the owner/team tests cannot be used as index paths. A name
    search wants that: its own range index finds the rows in order and the rule is
    checked row by row until the page is full. Otherwise SQLite joins the owner and
    team indexes (MULTI-INDEX OR) and sorts every row a team owns (seconds at 1M).
    """
    scope = rights(user, spec.name).scope
    if scope == Scope.ALL:
        return None
    if scope == Scope.NONE:
        return models.Q(pk__in=[])
    condition = _equals("owner_id", user.pk, row_filter)
    if scope == Scope.TEAM and user.team_id is not None:
        condition |= _equals("team_id", user.team_id, row_filter)
    if spec.extra_visibility is not None:
        condition |= spec.extra_visibility(user)
    return condition


def scope_parts(user: User, spec: records.RecordSpec) -> list[models.Q] | None:
    """The rows of scope_q as disjoint parts, each served by an index of its own.

    A list reads each part in order and merges them (pagination.union_page); None
    means everything.
    """
    scope = rights(user, spec.name).scope
    if scope == Scope.ALL:
        return None
    if scope == Scope.NONE:
        return [models.Q(pk__in=[])]
    parts = [models.Q(owner_id=user.pk)]
    if scope == Scope.TEAM and user.team_id is not None:
        # One's own rows outside the team (left there by a change of team), as three
        # ranges an (owner, team) index answers at once, usually with nothing.
        own, team = user.pk, user.team_id
        elsewhere = (
            models.Q(owner_id=own, team_id__lt=team)
            | models.Q(owner_id=own, team_id__gt=team)
            | models.Q(owner_id=own, team_id__isnull=True)
        )
        parts = [models.Q(team_id=team), elsewhere]
    if spec.extra_visibility is not None:
        seen = parts[0]
        for part in parts[1:]:
            seen |= part
        parts.append(spec.extra_visibility(user) & ~seen)
    return parts


def visible(
    user: User, queryset: models.QuerySet[M], *, row_filter: bool = False
) -> models.QuerySet[M]:
    """The rows of `queryset` that `user` may see (see scope_q for `row_filter`)."""
    condition = scope_q(user, records.spec_for_model(queryset.model), row_filter=row_filter)
    return queryset if condition is None else queryset.filter(condition)


def get_visible(user: User, queryset: models.QuerySet[M], pk: object) -> M:
    """One visible row or NotFound (a record the user may not see does not exist for them)."""
    try:
        return visible(user, queryset).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found.")) from None


MAX_IDS = 1000


def get_visible_rows(user: User, queryset: models.QuerySet[M], ids: list[int]) -> list[M]:
    """The rows with these ids, in the order given (each once); NotFound if one is not visible.

    The ids are the selective path, so the rule checks those rows (`row_filter`) rather
    than offering its own (owner, team) indexes (see docs/architecture.md).
    """
    if len(ids) > MAX_IDS:
        raise ValidationFailed.on("ids", _("At most %(max)d records at once.") % {"max": MAX_IDS})
    found = {row.pk: row for row in visible(user, queryset.filter(pk__in=ids), row_filter=True)}
    if any(pk not in found for pk in ids):
        raise NotFound(_("Not found."))
    return [found[pk] for pk in dict.fromkeys(ids)]


_ACTION_MESSAGES = {
    "create": lambda: _("Your role may not create this kind of record."),
    "edit": lambda: _("Your role may not change this kind of record."),
    "delete": lambda: _("Your role may not delete this kind of record."),
    "export": lambda: _("Your role may not export this kind of record."),
}


def require(user: User, record_type: str, action: str) -> None:
    """Refuse an action the role does not allow on this record type (create/edit/delete/export)."""
    if not getattr(rights(user, record_type), f"can_{action}"):
        raise PermissionDenied(_ACTION_MESSAGES[action]())


def may_assign(user: User) -> bool:
    return user.role in ASSIGNING_ROLES
