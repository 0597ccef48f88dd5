"""No page requests any host but Kliento's own, and none breaks its Content-Security-Policy.

The pages are found the way a user finds them: every link of the layout's menu
(whatever the apps register when the test runs), then the first record of each
list. The `page` fixture records every request, console error and CSP violation
of every page and fails the test on any; these tests also assert it explicitly.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from kliento.core.choices import Role
from tests.browser.conftest import signed_in
from tests.factories import (
    ActivityFactory,
    AttachmentFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    NotificationFactory,
    add_channel,
    make_pipeline,
)

pytestmark = pytest.mark.browser

LINKS = """(selector) => [...document.querySelectorAll(selector)]
  .map((a) => a.getAttribute("href"))
  .filter((href) => href && href.startsWith("/"))"""

HTMX_SETTLED = "() => !document.querySelector('.htmx-request')"


def _world(owner) -> None:
    """A little of everything, so that lists, cards and the board are not empty."""
    pipeline = make_pipeline("Windows")
    company = CompanyFactory(owner=owner, name="Logi SIA", website="https://logi.example")
    contact = ContactFactory(owner=owner, first_name="Anna", last_name="Bērziņa", company=company)
    add_channel(contact, "email", "anna@example.com")
    add_channel(contact, "phone", "+37120000000")
    deal = DealFactory(owner=owner, pipeline=pipeline, contact=contact, company=company)
    LeadFactory(owner=owner)
    now = timezone.now()
    ActivityFactory(owner=owner, kind="meeting", contact=contact, start_at=now, due_at=None)
    ActivityFactory(owner=owner, kind="task", deal=deal, due_at=now - dt.timedelta(days=2))
    AttachmentFactory(record=contact)
    NotificationFactory(user=owner, title="Measurement tomorrow")


def _visit(page: Page, path: str, visited: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    # What the page loads once it is there (htmx parts such as the timeline) counts too.
    page.wait_for_function(HTMX_SETTLED)
    visited.append(path)


def _own_pages_only(page: Page) -> None:
    watch = page.watch
    assert watch.own_requests, "the watch saw no request at all"
    assert watch.foreign_requests == []
    assert watch.csp_violations == []
    assert watch.console_errors == []


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_every_page_of_the_menu_and_its_records_stays_on_kliento(page, person, role):
    # given a user of the role with a little of everything
    user = person(role, is_staff=role == Role.ADMIN)
    _world(user)
    visited: list[str] = []
    _visit(page, "/sign-in/", visited)  # the one page before signing in
    signed_in(page, user)
    # when every menu link is followed, and the first record of each page that lists some
    menu = page.evaluate(LINKS, "#sidebar a[href], .topbar a[href]")
    assert len(menu) >= 3, f"the menu has only {menu}"
    for path in dict.fromkeys(menu):
        _visit(page, path, visited)
        records = page.evaluate(LINKS, "main [data-record] a[href]")
        first = next((r for r in records if urlsplit(r).path != path), None)
        if first and first not in visited:
            _visit(page, first, visited)
    # then every request of every page went to Kliento itself, and nothing was refused
    assert len(visited) > len(set(menu)) + 1  # some records were opened too
    _own_pages_only(page)


def test_the_watch_catches_a_foreign_request_a_csp_violation_and_a_dialog(page, person):
    """The watch itself: without it the tests above could not fail."""
    signed_in(page, person())
    # when a page tries to fetch from another host, the CSP refuses it
    page.evaluate("() => fetch('http://192.0.2.1/x').catch(() => null)")
    page.wait_for_function("() => window.__klientoCsp.length > 0")
    # then the violation reached the test
    watch = page.watch
    assert any("connect-src" in v for v in watch.csp_violations), watch.csp_violations
    # and a page without Kliento's CSP that loads from another host is seen too
    page.route("http://192.0.2.1/**", lambda route: route.abort())
    page.goto('data:text/html,<img src="http://192.0.2.1/pixel.png" alt="">')
    assert "http://192.0.2.1/pixel.png" in watch.foreign_requests
    # and so is a dialog (answered, so that the page goes on)
    page.evaluate("() => window.alert('Are you sure?')")
    assert watch.dialogs == ["alert: Are you sure?"]
    # (the test expected all three: clear them so that the page fixture does not fail it)
    assert watch.problems()
    watch.csp_violations.clear()
    watch.foreign_requests.clear()
    watch.console_errors.clear()
    watch.dialogs.clear()
