"""The shell every page shares, driven in Chromium: signing in and out, first run,
language, global search, the bell, and the keyboard."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from kliento.core.choices import Role
from kliento.core.models import SignInFailure, User
from tests.browser.conftest import PASSWORD, PHONE, signed_in
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NotificationFactory,
    add_channel,
)

pytestmark = pytest.mark.browser

# A refused sign-in answers 401 or 429, which Chromium reports on the console.
REFUSED = r"status of (401|429)"
PHONE_WIDTH = PHONE["width"]


def _submit_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def _open_user_menu(page: Page) -> None:
    # by its place, not its label: the label is in the user's language
    page.locator("details.user-menu > summary").click()


# --- signing in and out ----------------------------------------------------------------------


def test_a_wrong_password_shows_the_error_and_the_right_one_signs_in(page, manager_user):
    # given the sign-in page
    page.watch.allow_console(REFUSED)
    page.goto("/sign-in/")
    # when a wrong password is given
    _submit_sign_in(page, manager_user.username, "not-the-password")
    # then the error shows, the username is kept and nobody is signed in
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Username", exact=True)).to_have_value(manager_user.username)
    assert "/sign-in/" in page.url
    # when the right password is given
    _submit_sign_in(page, manager_user.username, PASSWORD)
    # then My day opens, with the user's initials in the top bar
    expect(page).to_have_url(re.compile(r"/my-day/$"))
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    expect(page.get_by_label("Your account")).to_have_text("AO")


def test_too_many_failures_lock_the_account_with_a_clear_message(page, manager_user, settings):
    # given the limit of failures per account (5)
    limit = settings.KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT
    assert limit == 5
    page.watch.allow_console(REFUSED)
    page.goto("/sign-in/")
    # when the password is wrong limit - 1 times, each shows the plain error
    for _ in range(limit - 1):
        _submit_sign_in(page, manager_user.username, "guess")
        expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    # and the next failure locks the account
    _submit_sign_in(page, manager_user.username, "guess")
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Too many failed sign-in attempts\. Try again in 15 minutes\.")
    )
    # then even the right password is refused while the lock lasts
    _submit_sign_in(page, manager_user.username, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    assert "/sign-in/" in page.url
    # the refused attempt counts too: guessing on keeps the lock shut
    assert SignInFailure.objects.filter(username=manager_user.username).count() == limit + 1


def test_signing_out_ends_the_session(page, manager_user):
    # given a signed-in user
    signed_in(page, manager_user)
    # when they sign out from the account menu
    _open_user_menu(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    # then the sign-in page shows, and pages ask for a sign-in again
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    page.goto("/notifications/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/notifications/$"))


def test_the_first_run_page_creates_the_admin_and_lands_on_my_day(page, live_server):
    # given a new install: no administrator
    assert not User.objects.exists()
    # when the first visitor opens Kliento, they are sent to the first-run page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/welcome/$"))
    expect(page.get_by_role("heading", name="Welcome to Kliento")).to_be_visible()
    # and a mistyped second password is refused with the error under its field
    page.watch.allow_console(r"status of 422")
    # (labels of required fields end in "*": the fields are found by their id)
    page.locator("#f-username").fill("boss")
    page.locator("#f-email").fill("boss@example.com")
    page.locator("#f-password").fill("long-enough-pass-1")
    page.locator("#f-password2").fill("something-else-22")
    with page.expect_navigation():
        page.get_by_role("button", name="Create administrator").click()
    expect(page.locator("#err-password2")).to_have_text("The two passwords differ.")
    assert not User.objects.exists()
    # when the form is filled in correctly
    page.locator("#f-password").fill("long-enough-pass-1")
    page.locator("#f-password2").fill("long-enough-pass-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Create administrator").click()
    # then the administrator exists, is signed in, and lands on My day
    expect(page).to_have_url(re.compile(r"/my-day/$"))
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    admin = User.objects.get()
    assert (admin.username, admin.role, admin.email) == ("boss", Role.ADMIN, "boss@example.com")
    # and the first-run page is gone for good
    page.goto("/welcome/")
    expect(page).to_have_url(re.compile(r"/my-day/$"))


# --- language ------------------------------------------------------------------------------------


def _switch_language(page: Page, code: str) -> None:
    _open_user_menu(page)
    page.locator("#lang-select").select_option(code)
    with page.expect_navigation():
        page.locator("#lang-select ~ button[type=submit]").click()


def _today(code: str) -> str:
    with translation.override(code):
        return date_format(timezone.localdate(), "DATE_FORMAT")


def test_the_language_switcher_shows_russian_and_remembers_it(page, manager_user):
    # given a signed-in user on My day, in English
    signed_in(page, manager_user)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".page-head")).to_contain_text(_today("en"))
    # when they switch to Russian
    _switch_language(page, "ru")
    # then the same page shows in Russian (the date in Russian words), and it is saved
    expect(page).to_have_url(re.compile(r"/my-day/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".page-head")).to_contain_text(_today("ru"))
    expect(page.locator("#sidebar")).to_contain_text("Мой день")
    expect(page.get_by_role("heading", level=1)).to_have_text("Мой день")
    manager_user.refresh_from_db()
    assert manager_user.language == "ru"
    # when they sign out and in again in a fresh browser session
    page.context.clear_cookies()
    signed_in(page, manager_user)
    # then Kliento is still in Russian
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".page-head")).to_contain_text(_today("ru"))
    # and switching back gives English again
    _switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".page-head")).to_contain_text(_today("en"))
    expect(page.locator("#sidebar")).to_contain_text("My day")


# --- global search ------------------------------------------------------------------------------


def test_the_search_box_shows_results_as_you_type(page, manager_user, person, other_team):
    # given a contact, a company and a deal of the user's, and a contact the user may not see
    contact = ContactFactory(owner=manager_user, first_name="Ilze", last_name="Zvaigzne")
    company = CompanyFactory(owner=manager_user, name="Zvaigzne SIA")
    deal = DealFactory(owner=manager_user, title="Zvaigzne windows", contact=contact)
    hidden = ContactFactory(owner=person(team=other_team), last_name="Zvaigznīte")
    signed_in(page, manager_user)
    # when they type the start of the name into the search box (no Enter)
    page.get_by_label("Search companies, contacts, leads and deals").press_sequentially("zvaig")
    results = page.locator("#global-results")
    # then the results appear under the box, grouped, on the same page
    for record in (f"contact-{contact.pk}", f"company-{company.pk}", f"deal-{deal.pk}"):
        expect(results.locator(f'[data-record="{record}"]')).to_contain_text("Zvaigzne")
    expect(results.locator(f'[data-record="contact-{hidden.pk}"]')).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/my-day/$"))
    # and Escape closes them
    page.keyboard.press("Escape")
    expect(results).to_be_empty()
    # when a name nobody has is typed (Escape emptied the box), the box says so
    page.get_by_label("Search companies, contacts, leads and deals").press_sequentially("zvaigxq")
    expect(results).to_contain_text("Nothing found for “zvaigxq”.")
    # and a hit opens the record's card
    page.get_by_label("Search companies, contacts, leads and deals").fill("zvaig")
    with page.expect_navigation():
        results.locator(f'[data-record="contact-{contact.pk}"] a').click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))


# --- the bell ----------------------------------------------------------------------


def test_the_bell_counts_unread_notifications_and_marking_one_read_lowers_it(
    page, manager_user, person
):
    # given two unread notifications of the user's, one already read, and one of someone else's
    first = NotificationFactory(user=manager_user, title="Call Anna back")
    NotificationFactory(user=manager_user, title="Measurement at 14:00")
    NotificationFactory(user=manager_user, title="Old news", read_at=timezone.now())
    NotificationFactory(user=person(), title="Not yours")
    signed_in(page, manager_user)
    bell = page.locator("a.bell")
    # then the bell shows 2
    expect(bell.locator("[data-unread]")).to_have_text("2")
    expect(bell).to_have_attribute("aria-label", "Notifications: 2 unread")
    # when the user opens the list and marks one as read
    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    row = page.locator(f"#notification-{first.pk}")
    expect(page.locator(".notification.unread")).to_have_count(2)
    expect(page.get_by_text("Not yours")).to_have_count(0)
    row.get_by_role("button", name="Mark as read").click()
    # then that row is read in place (htmx), and the bell shows 1 at once and after a reload
    expect(row).not_to_have_class(re.compile(r"\bunread\b"))
    expect(row.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(bell.locator("[data-unread]")).to_have_text("1")
    page.reload()
    expect(bell.locator("[data-unread]")).to_have_text("1")
    first.refresh_from_db()
    assert first.read_at is not None


# --- keyboard and phone ------------------------------------------------------------


def test_the_keyboard_alone_reaches_the_content_the_search_and_the_menu(page, manager_user):
    # given a signed-in user on a page, the focus at the top
    signed_in(page, manager_user)
    page.goto("/notifications/")
    # when they press Tab, the first stop is "Skip to content", and Enter moves into the page
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    # when "/" is pressed outside a field, the search box takes the focus (no slash typed)
    page.keyboard.press("/")
    box = page.get_by_label("Search companies, contacts, leads and deals")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    # when the page is opened afresh, a few Tabs reach the menu's "My day"
    page.reload()
    menu_link = page.locator("#sidebar").get_by_role("link", name="My day")
    for _ in range(6):
        page.keyboard.press("Tab")
        if menu_link.evaluate("el => el === document.activeElement"):
            break
    expect(menu_link).to_be_focused()
    # then Enter opens it
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/my-day/$"))


def test_on_a_phone_the_menu_folds_away_and_every_page_fits_the_screen(phone, manager_user):
    # given a signed-in user on a phone, with a company whose card lists a contact
    company = CompanyFactory(
        owner=manager_user, name="Zvaigzne SIA", website="zvaigzne.example.com"
    )
    contact = ContactFactory(
        owner=manager_user, company=company, first_name="Ilze", last_name="Zvaigzne"
    )
    add_channel(contact, "email", "ilze.zvaigzne@example.com")
    add_channel(contact, "phone", "+371 2000 0000")
    signed_in(phone, manager_user)
    menu_button = phone.get_by_role("button", name="Menu")
    link = phone.locator("#sidebar").get_by_role("link", name="My day")
    # then the menu is folded away behind the menu button
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    # when the menu button is tapped, the menu opens and its links can be tapped
    menu_button.tap()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_in_viewport()
    with phone.expect_navigation():
        link.tap()
    expect(phone).to_have_url(re.compile(r"/my-day/$"))
    # and no page of the menu is wider than the screen
    menu = phone.evaluate(
        "() => [...document.querySelectorAll('#sidebar a[href]')].map(a => a.getAttribute('href'))"
    )
    assert len(menu) >= 3
    too_wide = {}
    for path in [*menu, f"/companies/{company.pk}/", f"/contacts/{contact.pk}/"]:
        phone.goto(path)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[path] = width
    assert not too_wide, f"pages wider than a {PHONE_WIDTH}px phone: {too_wide}"
