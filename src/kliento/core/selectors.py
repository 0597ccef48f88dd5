"""Reads of core tables for a given user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kliento.core.errors import NotFound
from kliento.core.models import Team, User


def users_for(user: User) -> QuerySet[User]:
    # Every signed-in user may see colleagues' names: needed to pick owners and participants.
    return User.objects.filter(is_active=True).order_by("username")


def user_get(user: User, user_id: int) -> User:
    found = users_for(user).filter(pk=user_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def teams_for(user: User) -> QuerySet[Team]:
    return Team.objects.order_by("name")
