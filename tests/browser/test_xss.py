"""Hostile text in every field a user can fill is shown as text, on every page that shows it.

Each payload is put into a contact's names, a company's name and web site, a
channel, a custom field, a note's subject and details, a deal's and a lead's
title, a file name and a notification; then every page that shows them is opened
in Chromium. A payload that ran would set `window.__xss`; one that reached the
page as markup would leave an event-handler attribute, an inline script or a
`javascript:` link in the DOM, or a CSP violation (the `page` fixture fails the
test on any violation or console error).

Pages come from the URL names that exist when the test runs (`_pages`), so a
page added later is checked as soon as its URL name exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from kliento.core.models import FieldType, User
from kliento.core.text import search_key
from kliento.customers.choices import ChannelKind
from tests.browser.conftest import signed_in
from tests.factories import (
    PDF,
    ActivityFactory,
    AttachmentFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    LeadFactory,
    NotificationFactory,
    add_channel,
    make_pipeline,
)

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "javascript:window.__xss=1",
    "{{7*7}}",
    '=HYPERLINK("http://evil")',
]

# The payloads that matter inside an attribute: a quote that ends it, a javascript: URL.
ATTRIBUTE_BREAKERS = (1, 2, 3)

# Markup that only an injected payload could have put into the page.
INJECTED = """() => [
  ...document.querySelectorAll("[onerror], [onload], [onclick], [onmouseover]"),
  ...document.querySelectorAll("script:not([src])"),
  ...document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]'),
  ...document.querySelectorAll('img[src="x"]'),
].map((el) => el.outerHTML.slice(0, 200))"""

FIELD_VALUES = "() => [...document.querySelectorAll('form input, form textarea')].map(e => e.value)"


@dataclass
class World:
    owner: User
    contacts: list
    companies: list
    deals: list
    leads: list


def _plant(owner: User) -> World:
    """One record of each kind per payload, all the owner's, with the payload everywhere."""
    # The labels are hostile too: an admin typed them.
    CustomFieldFactory(record_type="contact", key="xss_note", label=PAYLOADS[1])
    CustomFieldFactory(record_type="company", key="xss_note", label=PAYLOADS[2])
    pipeline = make_pipeline("Windows")
    now = timezone.now()
    world = World(owner, [], [], [], [])
    for i, payload in enumerate(PAYLOADS):
        company = CompanyFactory(
            owner=owner, name=payload, website=payload, custom={"xss_note": payload}
        )
        contact = ContactFactory(
            owner=owner,
            first_name=payload,
            middle_name=payload,
            last_name=payload,
            name_key=search_key(payload, payload, payload),
            first_name_key=search_key(payload),
            job_title=payload,
            company=company,
            custom={"xss_note": payload},
        )
        add_channel(contact, ChannelKind.MESSENGER, payload)
        add_channel(company, ChannelKind.WEBSITE, payload)
        deal = DealFactory(
            owner=owner, pipeline=pipeline, title=payload, contact=contact, company=company
        )
        lead = LeadFactory(
            owner=owner, title=payload, first_name=payload, last_name=payload, company_name=payload
        )
        # A note on the contact, and a call due today (half of them overdue) for My day.
        ActivityFactory(
            owner=owner, kind="note", subject=payload, body=payload, contact=contact, due_at=None
        )
        due = now - dt.timedelta(days=1) if i % 2 else now
        ActivityFactory(owner=owner, kind="call", subject=payload, contact=contact, due_at=due)
        AttachmentFactory(
            record=contact, original_name=payload, file=ContentFile(PDF, name="plan.pdf")
        )
        NotificationFactory(user=owner, title=payload, body=payload)
        world.contacts.append(contact)
        world.companies.append(company)
        world.deals.append(deal)
        world.leads.append(lead)
    assert all(f.field_type == FieldType.TEXT for f in _fields())
    return world


def _fields():
    from kliento.core.models import CustomField

    return CustomField.objects.all()


def _url(name: str, *args: object, query: dict[str, str] | None = None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return url + ("?" + urlencode(query) if query else "")


@dataclass(frozen=True)
class Check:
    label: str
    url: str
    shown: list[str]  # payloads that must show as text in <main>
    in_fields: list[str]  # payloads that must be the value of a form field
    in_timeline: list[str]  # payloads that must show in the record's timeline


def _pages(world: World) -> tuple[list[Check], list[str]]:
    """The pages to check, of those whose URL exists now; and the labels of the others."""
    pages: list[Check] = []
    missing: list[str] = []

    def add(
        label: str,
        url: str | None,
        shown: list[str],
        in_fields: list[str] | None = None,
        in_timeline: list[str] | None = None,
    ) -> None:
        if url is None:
            missing.append(label)
        else:
            pages.append(Check(label, url, shown, in_fields or [], in_timeline or []))

    everything = list(PAYLOADS)
    add("My day", _url("activities:my-day"), everything)
    add("notifications", _url("core:notifications"), everything)
    for i, payload in enumerate(PAYLOADS):
        add(f"search page for payload {i}", _url("core:search", query={"q": payload}), [payload])
    for name in ("customers:contact-list", "customers:company-list"):
        add(name, _url(name), everything)
    for name in ("sales:deal-list", "sales:lead-list", "sales:board"):
        add(name, _url(name), everything)
    add("activities:activity-list", _url("activities:activity-list"), everything)
    add("activities:calendar", _url("activities:calendar"), [])
    for i, p in enumerate(PAYLOADS):
        contact, company = world.contacts[i].pk, world.companies[i].pk
        deal, lead = world.deals[i].pk, world.leads[i].pk
        # The contact's timeline holds the note, the call and the file named by the payload.
        add(f"contact detail {i}", _url("customers:contact-detail", contact), [p], [], [p])
        add(f"company detail {i}", _url("customers:company-detail", company), [p])
        add(f"deal detail {i}", _url("sales:deal-detail", deal), [p])
        add(f"lead detail {i}", _url("sales:lead-detail", lead), [p])
        if i in ATTRIBUTE_BREAKERS:  # a form puts the value into an attribute
            add(f"contact edit {i}", _url("customers:contact-edit", contact), [], [p])
            add(f"company edit {i}", _url("customers:company-edit", company), [], [p])
            add(f"deal edit {i}", _url("sales:deal-edit", deal), [], [p])
            add(f"lead edit {i}", _url("sales:lead-edit", lead), [], [p])
    return pages, missing


def _assert_inert(page: Page, label: str) -> None:
    assert page.evaluate("() => window.__xss") is None, f"a payload ran on {label}"
    injected = page.evaluate(INJECTED)
    assert not injected, f"payload markup reached the DOM of {label}: {injected}"


def test_payloads_are_shown_as_text_on_every_page_that_shows_them(page, manager_user):
    # given records full of hostile text, all the signed-in user's
    world = _plant(manager_user)
    signed_in(page, manager_user)
    pages, _ = _pages(world)
    # when each page that shows them is opened
    for check in pages:
        response = page.goto(check.url)
        assert response is not None
        assert response.status == 200, f"{check.label} ({check.url}) answered {response.status}"
        timeline = page.locator(".timeline-body")
        if timeline.count():  # its entries load by htmx once the page is there
            expect(timeline.locator(".timeline-loading")).to_have_count(0)
        # then no payload ran or became markup, and each shows as the text it is
        _assert_inert(page, check.label)
        text = page.locator("main").inner_text()
        for payload in check.shown:
            assert payload in text, f"{payload!r} is not shown as text on {check.label}"
        values = page.evaluate(FIELD_VALUES)
        for payload in check.in_fields:
            assert payload in values, f"{payload!r} is not the value of a field on {check.label}"
        for payload in check.in_timeline:  # the file, and the note and the call
            files = timeline.locator('[data-entry^="attachment-"]').filter(has_text=payload)
            activities = timeline.locator('[data-entry^="activity-"]').filter(has_text=payload)
            expect(files, f"the file on {check.label}").to_have_count(1)
            expect(activities, f"the activities on {check.label}").to_have_count(2)


def test_payloads_typed_into_the_search_box_show_as_text(page, manager_user):
    # given hostile names and a signed-in user
    _plant(manager_user)
    signed_in(page, manager_user)
    box = page.get_by_label("Search companies, contacts, leads and deals")
    results = page.locator("#global-results")
    for payload in PAYLOADS:
        # when a payload is typed into the global search box
        box.fill(payload)
        # then the results (found, or "nothing found for ...") show it as text
        expect(results).to_contain_text(payload)
        _assert_inert(page, f"the search results for {payload!r}")
