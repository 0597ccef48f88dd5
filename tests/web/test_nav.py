"""The main menu lights up the item whose section the current page belongs to."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.choices import Role
from kliento.core.web import nav
from tests.factories import UserFactory


def _current(html: str) -> list[str]:
    """The hrefs of the menu links marked as the current page."""
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.ADMIN))
    return client


@pytest.mark.parametrize(
    "name",
    [
        "sales:settings-reasons",
        "sales:settings-pipelines",
        "sales:settings-pipeline-create",
        "core:settings-users",
        "core:settings",
    ],
)
def test_settings_lights_up_on_every_settings_page(admin_client, name):
    html = admin_client.get(reverse(name)).content.decode()

    assert _current(html) == [reverse("core:settings")]


def test_the_board_lights_up_the_board_not_settings(admin_client):
    html = admin_client.get(reverse("sales:board")).content.decode()

    assert _current(html) == [reverse("sales:board")]


def test_an_item_covers_its_prefixes_or_else_its_own_view(monkeypatch):
    monkeypatch.setattr(nav, "_ITEMS", {})
    plain = nav.NavItem("a:list", "A", "list", order=1)
    one = nav.NavItem("b:list", "B", "list", order=2, section="b:")
    many = nav.NavItem("c:home", "C", "list", order=3, section=("c:", "d:settings"))

    assert plain.covers("a:list-more") and not plain.covers("b:list")
    assert one.covers("b:detail") and not one.covers("a:list")
    assert many.covers("c:x") and many.covers("d:settings-x") and not many.covers("d:other")
    assert not plain.covers("") and not many.covers("")


def test_another_app_adds_a_prefix_once(monkeypatch):
    monkeypatch.setattr(nav, "_ITEMS", {})
    nav.register(nav.NavItem("core:settings", "Settings", "settings", order=9, section="core:s"))

    nav.add_section("core:settings", "sales:settings")
    nav.add_section("core:settings", "sales:settings", "core:s")

    [item] = nav.items()
    assert item.prefixes == ("core:s", "sales:settings")
    assert item.covers("sales:settings-reasons") and not item.covers("sales:board")
    with pytest.raises(KeyError):
        nav.add_section("nobody:home", "x:")
