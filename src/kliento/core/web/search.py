"""The global search: each app adds a finder for its record types (core knows none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from kliento.core import visibility
from kliento.core.choices import Scope
from kliento.core.models import User


@dataclass(frozen=True)
class Hit:
    record: str  # "<type>-<id>", the marker of the row
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class Finder:
    record_type: str
    label: str | Promise
    icon: str
    find: Callable[[User, str, int], list[Hit]]  # through the visibility rule
    order: int


_FINDERS: dict[str, Finder] = {}


def register(finder: Finder) -> None:
    _FINDERS[finder.record_type] = finder


def search(user: User, q: str, limit: int = 5) -> list[tuple[Finder, list[Hit]]]:
    """Up to `limit` hits per record type the user may see at all."""
    results = []
    for finder in sorted(_FINDERS.values(), key=lambda f: f.order):
        if visibility.rights(user, finder.record_type).scope == Scope.NONE:
            continue
        hits = finder.find(user, q, limit)
        if hits:
            results.append((finder, hits))
    return results
