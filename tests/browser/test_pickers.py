"""The type-ahead pickers in Chromium: a company chosen with the keyboard on the deal form, a
contact chosen with the mouse when a lead is converted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kliento.customers.models import Contact
from kliento.sales.models import Deal, Lead
from tests.browser.conftest import signed_in
from tests.factories import CompanyFactory, ContactFactory, LeadFactory, make_pipeline

pytestmark = pytest.mark.browser


def _options(page: Page, name: str):
    return page.locator(f"#f-{name}-list [role=option][data-picker-option]")


def test_a_company_picked_with_the_keyboard_is_saved_on_the_deal(page: Page, manager_user, person):
    # given two companies starting alike and one of another team that must never be offered
    pipeline = make_pipeline("Windows")
    CompanyFactory(owner=manager_user, name="Zeta Doors")
    glass = CompanyFactory(owner=manager_user, name="Zeta Glass")
    stranger = person(username="stranger", team=None)
    CompanyFactory(owner=stranger, name="Zeta Secret")
    signed_in(page, manager_user)

    # when the manager types the first letters of a company on the new deal form
    page.goto(f"/deals/new/?pipeline={pipeline.pk}")
    page.locator("#f-title").fill("Glass roof")
    box = page.get_by_role("combobox", name="Company")
    box.press_sequentially("zet", delay=30)
    # then the visible matches are offered, and the list is announced as open
    expect(_options(page, "company_id")).to_have_count(2)
    expect(page.locator("#f-company_id-list")).not_to_contain_text("Zeta Secret")
    expect(box).to_have_attribute("aria-expanded", "true")

    # when they move down twice and press Enter
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "f-company_id-list-1")
    box.press("Enter")
    # then Zeta Glass is chosen (the form was not sent) and the list is closed
    expect(box).to_have_value("Zeta Glass")
    expect(page.locator("input[name=company_id]")).to_have_value(str(glass.pk))
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(_options(page, "company_id")).to_have_count(0)
    assert "/deals/new/" in page.url

    # when they edit the text after the choice, the id is gone; Escape closes the new list
    box.press("Backspace")
    expect(page.locator("input[name=company_id]")).to_have_value("")
    expect(_options(page, "company_id")).to_have_count(1)
    box.press("Escape")
    expect(_options(page, "company_id")).to_have_count(0)
    # and choosing again, then saving, links the company
    box.press_sequentially("s", delay=30)
    expect(_options(page, "company_id")).to_have_count(1)
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator("input[name=company_id]")).to_have_value(str(glass.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Create deal").click()

    # then the deal card shows the company
    deal = Deal.objects.get()
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    expect(page.locator("dl.props")).to_contain_text("Zeta Glass")
    assert deal.company == glass


def test_a_lead_converted_linking_a_contact_picked_with_the_mouse(page: Page, manager_user):
    # given a lead and an existing contact of the same person
    pipeline = make_pipeline("Windows")
    lead = LeadFactory(owner=manager_user, first_name="Jānis", last_name="Ozols", company_name="")
    contact = ContactFactory(owner=manager_user, first_name="Jānis", last_name="Ozols")
    ContactFactory(owner=manager_user, first_name="Anna", last_name="Kalna")
    signed_in(page, manager_user)
    page.goto(f"/leads/{lead.pk}/")
    create = page.locator("#convert-create-contact")
    expect(create).to_be_checked()

    # when the manager searches a contact and clicks it
    box = page.get_by_role("combobox", name="Or link an existing contact")
    box.press_sequentially("ozo", delay=30)
    expect(_options(page, "contact_id")).to_have_count(1)
    _options(page, "contact_id").first.click()
    # then it is chosen, and "create a contact" is unchecked: linking excludes creating
    expect(box).to_have_value("Jānis Ozols")
    expect(page.locator("input[name=contact_id]")).to_have_value(str(contact.pk))
    expect(create).not_to_be_checked()

    # when they choose the pipeline and convert
    page.locator("#f-deal\\.pipeline_id").select_option(str(pipeline.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Convert").click()

    # then the new deal is linked to that contact, and no contact was created
    deal = Deal.objects.get()
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    expect(page.locator("dl.props")).to_contain_text("Jānis Ozols")
    assert deal.contact == contact
    lead = Lead.objects.get(pk=lead.pk)
    assert (lead.status, lead.contact_id) == ("converted", contact.pk)
    assert Contact.objects.count() == 2
