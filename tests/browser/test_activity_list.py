"""The activity list in Chromium: search as one types, sort by a header, mark checked rows
done, export them, save the filter."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from kliento.activities.models import Activity
from kliento.core.choices import Role
from kliento.core.models import SavedFilter, User
from tests.browser.conftest import signed_in
from tests.factories import ActivityFactory

pytestmark = pytest.mark.browser


def _row(page: Page, activity: Activity) -> Locator:
    return page.locator(f'tr[data-record="activity-{activity.pk}"]')


def test_search_check_mark_done_and_export(page: Page, person: Callable[..., User]):
    # given a head of sales with two calls and a meeting
    head = person(Role.HEAD_OF_SALES, username="head-anna")
    call_a, call_b, meeting = (
        ActivityFactory(owner=head, subject=subject)
        for subject in ("Звонок клиенту", "Звонок поставщику", "Meeting on site")
    )
    signed_in(page, head)
    page.goto("/activities/")

    # when the head types the start of a subject
    page.get_by_label("Subject", exact=True).fill("ЗВОН")

    # then only the calls stay, and the address says so
    expect(_row(page, meeting)).to_have_count(0)
    expect(_row(page, call_a)).to_be_visible()
    expect(_row(page, call_b)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/activities/\?q=%D0%97%D0%92%D0%9E%D0%9D(&|$)"))

    # when the subject header (swapped in with the rows) is clicked, the search reverses
    page.get_by_role("link", name="Subject").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Subject")
    expect(_row(page, meeting)).to_have_count(0)
    rows = page.locator("tbody tr[data-record]")
    expect(rows.first).to_have_attribute("data-record", f"activity-{call_b.pk}")

    # when both are checked and marked done
    page.get_by_label("Select all rows").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Mark done").click()

    # then the list says so, and both are done
    expect(page.locator(".toast-success")).to_have_text("2 records changed.")
    assert set(Activity.objects.filter(done=True).values_list("pk", flat=True)) == {
        call_a.pk,
        call_b.pk,
    }

    # when the filter is saved, it is offered again
    page.get_by_text("Saved filters", exact=True).click()
    page.get_by_label("Save this filter as").fill("Calls")
    page.get_by_role("button", name="Save this filter").click()
    expect(page.get_by_role("link", name="Calls")).to_be_visible()
    assert "q=" in SavedFilter.objects.get(list_name="activities").query

    # when the checked rows are exported
    page.get_by_text("Saved filters", exact=True).click()  # closes the panel
    page.get_by_label("Select Звонок клиенту", exact=True).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export selected").click()

    # then the CSV holds that row
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows_csv = list(csv.reader(io.StringIO(text)))
    assert download.value.suggested_filename.startswith("activities-")
    assert [(r[0], r[2], r[4]) for r in rows_csv[1:]] == [(str(call_a.pk), "Звонок клиенту", "Yes")]
