"""The sales lists in Chromium: check deals, assign and export them; save a lead filter."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from kliento.core.choices import Role
from kliento.core.models import User
from kliento.sales.models import Deal
from tests.browser.conftest import signed_in
from tests.factories import LeadFactory, deal_for, make_pipeline

pytestmark = pytest.mark.browser


def _row(page: Page, deal: Deal) -> Locator:
    return page.locator(f'tr[data-record="deal-{deal.pk}"]')


def _check(page: Page, *deals: Deal) -> None:
    for deal in deals:
        page.get_by_label(f"Select {deal.title}", exact=True).check()


def test_two_checked_deals_are_assigned_and_exported(page: Page, person: Callable[..., User]):
    # given a head of sales with three deals and a manager to give two of them to
    head = person(Role.HEAD_OF_SALES, username="head-ilze", first_name="Ilze", last_name="Liepa")
    juris = person(Role.MANAGER, username="juris", first_name="Juris", last_name="Kalns")
    pipeline = make_pipeline("Windows")
    oak, pine, glass = (
        deal_for(head, pipeline, title=title) for title in ("Oak windows", "Pine doors", "Glass")
    )
    signed_in(page, head)
    page.goto("/deals/")

    # when two rows are checked and given to Juris
    _check(page, oak, pine)
    page.get_by_label("New owner").select_option(label=juris.display_name)
    with page.expect_navigation():
        page.get_by_role("button", name="Assign").click()

    # then the list says so and shows the new owner of those two only
    expect(page.locator(".toast-success")).to_have_text("2 records changed.")
    expect(_row(page, oak)).to_contain_text(juris.display_name)
    expect(_row(page, pine)).to_contain_text(juris.display_name)
    expect(_row(page, glass)).not_to_contain_text(juris.display_name)
    assert set(Deal.objects.filter(owner=juris).values_list("pk", flat=True)) == {oak.pk, pine.pk}

    # when the same two are checked and exported
    _check(page, oak, pine)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export selected").click()

    # then the CSV holds those two rows, with their new owner
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert download.value.suggested_filename.startswith("deals-")
    assert rows[0][:2] == ["id", "Title"]
    assert {(r[0], r[1], r[-2]) for r in rows[1:]} == {
        (str(oak.pk), "Oak windows", "juris"),
        (str(pine.pk), "Pine doors", "juris"),
    }


def test_a_lead_filter_chosen_in_place_is_saved_and_exported(
    page: Page, person: Callable[..., User]
):
    # given a marketer's leads from two channels
    marketer = person(Role.MARKETER, username="marketer-liga")
    call = LeadFactory(owner=marketer, title="Called us", channel="call")
    LeadFactory(owner=marketer, title="Wrote to us", channel="email")
    signed_in(page, marketer)
    page.goto("/leads/")

    # when the channel filter swaps the rows in place
    page.get_by_label("Channel").select_option("call")
    expect(page.locator("tr[data-record]")).to_have_count(1)

    # then "Save this filter" saves that query, and "Export CSV" exports it
    page.get_by_text("Saved filters", exact=True).click()
    page.get_by_label("Save this filter as").fill("Calls")
    page.get_by_role("button", name="Save this filter").click()
    expect(page.get_by_role("link", name="Calls")).to_have_attribute("href", "/leads/?channel=call")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == [call.title]
