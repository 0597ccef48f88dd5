"""The main menu: each app adds its own pages when it is ready (core knows none of them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    url_name: str  # "app:name"
    label: str | Promise
    icon: str
    order: int
    admin_only: bool = False
    section: str = ""  # view names starting with this light the item up (default: url_name)

    def covers(self, view_name: str) -> bool:
        return bool(view_name) and view_name.startswith(self.section or self.url_name)


_ITEMS: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _ITEMS[item.url_name] = item


def items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: item.order)
