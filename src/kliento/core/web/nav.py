"""The main menu: each app adds its own pages when it is ready (core knows none of them)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    url_name: str  # "app:name"
    label: str | Promise
    icon: str
    order: int
    admin_only: bool = False
    # View names starting with this prefix, or with one of these, light the item up
    # (default: url_name).
    section: str | tuple[str, ...] = ""

    @property
    def prefixes(self) -> tuple[str, ...]:
        found = (self.section,) if isinstance(self.section, str) else self.section
        return tuple(p for p in found if p) or (self.url_name,)

    def covers(self, view_name: str) -> bool:
        return bool(view_name) and view_name.startswith(self.prefixes)


_ITEMS: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _ITEMS[item.url_name] = item


def add_section(url_name: str, *prefixes: str) -> None:
    """Let the pages of a higher app light up an item of a lower one (its settings pages
    under Settings); the item must be registered already (apps get ready in order)."""
    item = _ITEMS[url_name]
    new = tuple(p for p in prefixes if p not in item.prefixes)
    _ITEMS[url_name] = replace(item, section=(*item.prefixes, *new))


def items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: item.order)
