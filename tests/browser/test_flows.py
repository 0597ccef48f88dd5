"""A manager's flows, driven in Chromium: contact forms, quick actions, files, the board's
drag and drop (with reasons and conflicts), Russian, the phone, and a window firm's day."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from kliento.activities.models import Activity
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import Attachment
from kliento.core.templatetags.kliento import money
from kliento.customers.models import Contact
from kliento.sales import services
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import Deal, Pipeline, StageChange
from tests.browser.conftest import PHONE, signed_in
from tests.factories import PDF, ContactFactory, DealFactory, DealReasonFactory, make_pipeline
from tests.factories import stage_of as stage_named

pytestmark = pytest.mark.browser

STALE = "Someone else changed this record in the meantime; reload it and try again."
# Chromium reports a refused request on the console.
STATUS_409 = r"Failed to load resource: .*409"
STATUS_422 = r"status of 422"
WINDOW_FIRM = [
    ("First call", StageKind.OPEN, 10),
    ("Measurement", StageKind.OPEN, 30),
    ("Approval", StageKind.OPEN, 50),
    ("Payment", StageKind.OPEN, 80),
    ("Installation", StageKind.OPEN, 90),
    ("Won", StageKind.WON, 100),
    ("Lost", StageKind.LOST, 0),
]


# --- helpers ------------------------------------------------------------------------------


def _column(page: Page, stage_id: int) -> Locator:
    return page.locator(f'.board-col[data-stage="{stage_id}"]')


def _card(page: Page, deal: Deal) -> Locator:
    return page.locator(f'.board-card[data-record="deal-{deal.pk}"]')


def _drag(page: Page, card: Locator, stage_id: int) -> None:
    """A pointer drag of `card` onto the card list of the stage's column (SortableJS fallback)."""
    start = card.locator(".board-card-foot").bounding_box()
    target = _column(page, stage_id).locator(".board-cards").bounding_box()
    assert start is not None and target is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2, steps=15)
    page.mouse.up()


def _open_board(page: Page, pipeline: Pipeline) -> None:
    page.goto(f"/board/?pipeline={pipeline.pk}")
    # the drag needs SortableJS started on every list
    page.wait_for_function("() => !!window.Sortable && document.readyState === 'complete'")


def _sum(amount: str, currency: str = "EUR") -> str:
    with translation.override("en"):
        return str(money(Decimal(amount), currency))


def _no_reload_mark(page: Page) -> None:
    page.evaluate("() => { window.__sameDocument = true; }")


def _same_document(page: Page) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def _log_call(page: Page, subject: str, outcome_label: str) -> None:
    form = page.locator("form.qa-call")
    form.get_by_label("Call: what was it about?").fill(subject)
    form.locator("select[name=outcome]").select_option(label=outcome_label)
    form.get_by_role("button", name="Log call").click()


def _timeline(page: Page) -> Locator:
    return page.locator("section.timeline .timeline-list")


def _drop_file(page: Page, name: str, content: bytes, content_type: str) -> None:
    """A real drop on the page: a DataTransfer holding a File, dragged in and dropped."""
    page.evaluate(
        """([name, bytes, type]) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], name, { type }));
            window.__dropData = data;
            const target = document.querySelector("[data-quick-actions]");
            for (const kind of ["dragenter", "dragover"]) {
              const init = { bubbles: true, cancelable: true, dataTransfer: data };
              target.dispatchEvent(new DragEvent(kind, init));
            }
        }""",
        [name, list(content), content_type],
    )
    # the page shows where to drop while the file is over it
    expect(page.locator("[data-drop-overlay]")).to_be_visible()
    page.evaluate(
        """() => {
            const target = document.querySelector("[data-drop-overlay]");
            const init = { bubbles: true, cancelable: true, dataTransfer: window.__dropData };
            target.dispatchEvent(new DragEvent("drop", init));
        }"""
    )


def _switch_language(page: Page, code: str) -> None:
    page.locator("details.user-menu > summary").click()
    page.locator("#lang-select").select_option(code)
    with page.expect_navigation():
        page.locator("#lang-select ~ button[type=submit]").click()


# --- 1. a contact with a field error, then saved ------------------------------------------


def test_a_contact_with_a_bad_email_shows_the_error_then_saves_with_a_mailto_link(
    page, manager_user
):
    # given the new-contact form
    signed_in(page, manager_user)
    page.goto("/contacts/new/")
    page.watch.allow_console(STATUS_422)
    page.locator("#f-first_name").fill("Ilze")
    page.locator("#f-last_name").fill("Kalniņa")
    page.locator("#ch-kind-new").select_option("email")
    page.locator("#ch-value-new").fill("ilze@@example")
    # when it is saved with a malformed e-mail
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    # then the error shows under that row's value, the input is kept, and nothing is saved
    row_value = page.locator("input[name=channel_value][aria-invalid=true]")
    expect(row_value).to_have_value("ilze@@example")
    error = page.locator("tr.channel-row", has=row_value).locator(".error")
    expect(error).to_have_text("Not a valid e-mail address.")
    expect(row_value).to_have_attribute("aria-describedby", error.get_attribute("id") or "?")
    expect(page.locator("#f-first_name")).to_have_value("Ilze")
    assert not Contact.objects.exists()
    # when the e-mail is corrected and saved
    row_value.fill("ilze@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    # then the contact's card shows, with the e-mail as a mailto link
    contact = Contact.objects.get()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ilze")
    expect(page.locator('a[href="mailto:ilze@example.com"]')).to_have_text("ilze@example.com")
    assert (contact.first_name, contact.last_name, contact.owner) == (
        "Ilze",
        "Kalniņa",
        manager_user,
    )


# --- 2. a call logged from a contact card -------------------------------------------------


def test_a_call_logged_on_a_contact_card_shows_in_the_timeline_without_a_reload(page, manager_user):
    # given a contact's card, its timeline loaded
    contact = ContactFactory(owner=manager_user, first_name="Juris", last_name="Ozols")
    signed_in(page, manager_user)
    page.goto(f"/contacts/{contact.pk}/")
    expect(_timeline(page)).to_be_visible()
    _no_reload_mark(page)
    # when a call is logged with its outcome through the quick action
    _log_call(page, "Asked about triple glazing", "No answer")
    # then the timeline shows the call and its outcome, in the same document
    entry = _timeline(page).locator(".timeline-activity", has_text="Asked about triple glazing")
    expect(entry).to_be_visible()
    expect(entry.locator(".chip", has_text="No answer")).to_be_visible()
    # and the form is empty again for the next call
    expect(page.locator("form.qa-call").get_by_label("Call: what was it about?")).to_have_value("")
    assert _same_document(page)
    call = Activity.objects.get()
    assert (call.kind, call.subject, call.outcome, call.owner, call.contact_id) == (
        "call",
        "Asked about triple glazing",
        "no_answer",
        manager_user,
        contact.pk,
    )


# --- 3. files dropped on a deal card, and chosen with the button --------------------------


def test_a_file_dropped_or_chosen_on_a_deal_card_appears_in_the_timeline(page, manager_user):
    # given a deal's card
    deal = DealFactory(owner=manager_user, title="Windows for Ozols")
    signed_in(page, manager_user)
    page.goto(f"/deals/{deal.pk}/")
    expect(_timeline(page)).to_be_visible()
    _no_reload_mark(page)
    # when a file is dropped on the page
    _drop_file(page, "dimensions.pdf", PDF, "application/pdf")
    # then it is uploaded and shows in the timeline
    dropped = _timeline(page).locator(".timeline-attachment", has_text="dimensions.pdf")
    expect(dropped).to_be_visible()
    expect(page.locator("[data-drop-overlay]")).to_be_hidden()
    # when another file is chosen with the visible file input
    page.locator("form.qa-attach input[type=file]").set_input_files(
        files=[{"name": "specification.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    # then it shows as well, without a reload
    chosen = _timeline(page).locator(".timeline-attachment", has_text="specification.pdf")
    expect(chosen).to_be_visible()
    assert _same_document(page)
    stored = Attachment.objects.filter(record_type="deal", record_id=deal.pk)
    assert sorted(stored.values_list("original_name", flat=True)) == [
        "dimensions.pdf",
        "specification.pdf",
    ]
    assert {a.uploaded_by_id for a in stored} == {manager_user.pk}


# --- 4-6. the board: drag to the next stage, to lost, and a stale drag -------------------


def test_a_deal_dragged_to_the_next_stage_stays_there_and_the_columns_add_up(page, manager_user):
    # given a board with two deals in First call and none in Measurement
    pipeline = make_pipeline()
    first, measurement = stage_named(pipeline, "First call"), stage_named(pipeline, "Measurement")
    deal = DealFactory(owner=manager_user, pipeline=pipeline, amount=Decimal("1500.00"))
    DealFactory(owner=manager_user, pipeline=pipeline, amount=Decimal("250.00"))
    signed_in(page, manager_user)
    _open_board(page, pipeline)
    expect(_column(page, first.pk).locator("[data-count]")).to_have_text("2")
    expect(_column(page, first.pk).locator("[data-sum]")).to_have_text(_sum("1750.00"))
    expect(_column(page, measurement.pk).locator("[data-count]")).to_have_text("0")
    # when the deal is dragged onto Measurement
    _drag(page, _card(page, deal), measurement.pk)
    # then the card is in Measurement and both column heads are recounted
    expect(_column(page, measurement.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_be_visible()
    expect(_column(page, measurement.pk).locator("[data-count]")).to_have_text("1")
    expect(_column(page, first.pk).locator("[data-count]")).to_have_text("1")
    deal.refresh_from_db()
    assert deal.stage_id == measurement.pk
    assert StageChange.objects.filter(deal=deal, from_stage=first, to_stage=measurement).exists()
    # when the board is loaded again
    page.reload()
    # then the card is still in Measurement, with the counts and sums of the move
    expect(_column(page, measurement.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_be_visible()
    expect(_column(page, first.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_have_count(0)
    expect(_column(page, measurement.pk).locator("[data-count]")).to_have_text("1")
    expect(_column(page, measurement.pk).locator("[data-sum]")).to_have_text(_sum("1500.00"))
    expect(_column(page, first.pk).locator("[data-count]")).to_have_text("1")
    expect(_column(page, first.pk).locator("[data-sum]")).to_have_text(_sum("250.00"))


def test_a_deal_dragged_to_lost_asks_the_reason_and_cancel_puts_it_back(page, manager_user):
    # given a deal in First call and two lost reasons
    pipeline = make_pipeline()
    first, lost = stage_named(pipeline, "First call"), stage_named(pipeline, "Lost")
    deal = DealFactory(owner=manager_user, pipeline=pipeline)
    DealReasonFactory(kind=ReasonKind.LOST, name="Chose a competitor")
    too_dear = DealReasonFactory(kind=ReasonKind.LOST, name="Too expensive")
    signed_in(page, manager_user)
    _open_board(page, pipeline)
    dialog = page.locator("#reason-dialog")
    # when the deal is dragged to Lost, the dialog asks why
    _drag(page, _card(page, deal), lost.pk)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_accessible_name("Why was the deal lost?")
    expect(dialog.get_by_text("Why was the deal won?")).to_be_hidden()
    # and Cancel puts the card back in First call, unchanged
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(_column(page, first.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_be_visible()
    expect(_column(page, lost.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_have_count(0)
    deal.refresh_from_db()
    assert (deal.stage_id, deal.status) == (first.pk, StageKind.OPEN)
    # when it is dragged to Lost again and a reason is chosen
    _drag(page, _card(page, deal), lost.pk)
    expect(dialog).to_be_visible()
    dialog.get_by_label("Lost reason").select_option(label="Too expensive")
    dialog.get_by_label("Note (optional)").fill("Asked for a 20% discount")
    dialog.get_by_role("button", name="Move").click()
    # then the card is in Lost, and the deal is lost with that reason, at First call
    expect(_column(page, lost.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_be_visible()
    expect(_column(page, lost.pk).locator("[data-count]")).to_have_text("1")
    deal.refresh_from_db()
    assert (deal.stage_id, deal.status) == (lost.pk, StageKind.LOST)
    assert deal.lost_reason == too_dear
    assert deal.reason_text == "Asked for a 20% discount"
    assert deal.lost_at_stage == first
    assert deal.closed_at is not None


def test_a_stale_drag_shows_the_conflict_and_puts_the_card_back(page, manager_user):
    # given the board loaded, then the deal changed by someone else
    pipeline = make_pipeline()
    first, measurement = stage_named(pipeline, "First call"), stage_named(pipeline, "Measurement")
    deal = DealFactory(owner=manager_user, pipeline=pipeline, title="Old title")
    signed_in(page, manager_user)
    _open_board(page, pipeline)
    services.deal_update(
        actor=Actor.of_user(manager_user),
        deal_id=deal.pk,
        version=deal.version,
        data={"title": "Renamed elsewhere"},
    )
    page.watch.allow_console(STATUS_409)
    # when the card is dragged to Measurement
    _drag(page, _card(page, deal), measurement.pk)
    # then the conflict is told, and the card is back in First call
    expect(page.locator(".toast-error")).to_have_text(STALE)
    expect(_column(page, first.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_be_visible()
    expect(_column(page, measurement.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_have_count(
        0
    )
    expect(_column(page, first.pk).locator("[data-count]")).to_have_text("1")
    deal.refresh_from_db()
    assert (deal.stage_id, deal.title) == (first.pk, "Renamed elsewhere")
    assert not StageChange.objects.filter(deal=deal).exists()


# --- 7. Russian ---------------------------------------------------------------------------


def test_the_board_shows_in_russian(page, manager_user):
    # given a board with a deal
    pipeline = make_pipeline("Окна")
    DealFactory(owner=manager_user, pipeline=pipeline, amount=Decimal("900.00"))
    signed_in(page, manager_user)
    # when the user switches to Russian and opens the board
    _switch_language(page, "ru")
    _open_board(page, pipeline)
    # then the page, its title, the menu and the column heads are in Russian
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_title(re.compile(r"^Канбан · Окна"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Канбан")
    sidebar = page.locator("#sidebar")
    expect(sidebar.get_by_role("link", name="Канбан")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Сделки")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Мой день")).to_be_visible()
    first = stage_named(pipeline, "First call")
    measurement = stage_named(pipeline, "Measurement")
    expect(_column(page, first.pk).locator(".board-sums")).to_contain_text("с учётом вероятности")
    expect(_column(page, first.pk).locator("[data-count]")).to_have_attribute(
        "aria-label", "1 сделка"
    )
    expect(_column(page, measurement.pk).locator(".board-sums")).to_contain_text("Нет сделок")
    expect(page.get_by_role("link", name="Список сделок")).to_be_visible()
    expect(page.get_by_role("link", name="Новая сделка")).to_be_visible()


# --- 8. the phone -------------------------------------------------------------------------


def test_on_a_phone_the_deal_card_fits_and_a_call_can_be_logged(phone, manager_user):
    # given a deal of the user's, on a phone
    deal = DealFactory(owner=manager_user, title="Balcony windows", amount=Decimal("3200.00"))
    signed_in(phone, manager_user)
    # when its card is opened
    phone.goto(f"/deals/{deal.pk}/")
    # then the deal and its quick actions show, and nothing is wider than the screen
    expect(phone.get_by_role("heading", level=1)).to_have_text("Balcony windows")
    expect(phone.locator("[data-quick-actions]")).to_be_visible()
    expect(_timeline(phone)).to_be_visible()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the deal card is {width}px wide on a phone"
    # when a call is logged with the quick action
    form = phone.locator("form.qa-call")
    form.get_by_label("Call: what was it about?").fill("Agreed on the measurement")
    form.locator("select[name=outcome]").select_option(label="Successful")
    form.get_by_role("button", name="Log call").tap()
    # then it shows in the timeline
    entry = _timeline(phone).locator(".timeline-activity", has_text="Agreed on the measurement")
    expect(entry).to_be_visible()
    expect(entry.locator(".chip", has_text="Successful")).to_be_visible()
    call = Activity.objects.get()
    assert (call.kind, call.outcome, call.deal_id) == ("call", "successful", deal.pk)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the deal card is {width}px wide after the call"


# --- 9. the window firm's day (scenario T1) -----------------------------------------------


def _move_on_card(page: Page, stage_name: str) -> None:
    """The deal card's "Move to stage" form (a full-page post)."""
    page.get_by_label("Move to stage").select_option(label=stage_name)
    with page.expect_navigation():
        page.locator("form.board-move").get_by_role("button", name="Move").click()
    expect(page.locator(".stage-bar [aria-current=step]")).to_have_text(stage_name)


def test_the_window_firms_day(page, person, manager_user, other_team):
    # given the window firm's pipeline, its manager, a measurer of another team and the head
    pipeline = make_pipeline("Windows", WINDOW_FIRM)
    measurer = person(username="measurer-karlis", first_name="Kārlis", team=other_team)
    head = person(Role.HEAD_OF_SALES, username="head-ruta", first_name="Rūta")
    signed_in(page, manager_user)

    # when the manager creates a deal from the board's "New deal" form
    _open_board(page, pipeline)
    with page.expect_navigation():
        page.get_by_role("link", name="New deal").click()
    page.locator("#f-title").fill("Windows for the Ozols house")
    expect(page.locator("#f-pipeline_id")).to_have_value(str(pipeline.pk))
    page.locator("#f-amount").fill("2400")
    with page.expect_navigation():
        page.get_by_role("button", name="Create deal").click()
    # then the deal's card shows it in First call
    deal = Deal.objects.get()
    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    expect(page.locator(".stage-bar [aria-current=step]")).to_have_text("First call")
    assert (deal.owner, deal.pipeline, deal.amount) == (manager_user, pipeline, Decimal("2400"))

    # when the manager logs the first call with its outcome and moves the deal to Measurement
    _log_call(page, "First call: wants 6 windows", "Successful")
    expect(
        _timeline(page).locator(".timeline-activity", has_text="wants 6 windows")
    ).to_be_visible()
    _move_on_card(page, "Measurement")
    # and makes the measurer a participant of the deal
    services.deal_set_participants(
        actor=Actor.of_user(manager_user),
        deal_id=deal.pk,
        participants=[{"user_id": measurer.pk, "role": "measurer"}],
    )

    # when the measurer signs in, the deal is on their board and its card opens
    page.context.clear_cookies()
    signed_in(page, measurer)
    _open_board(page, pipeline)
    measurement = stage_named(pipeline, "Measurement")
    expect(_column(page, measurement.pk).locator(f'[data-record="deal-{deal.pk}"]')).to_be_visible()
    with page.expect_navigation():
        _card(page, deal).get_by_role("link", name="Windows for the Ozols house").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Windows for the Ozols house")
    # and they attach the dimensions and move the deal to Approval
    page.locator("form.qa-attach input[type=file]").set_input_files(
        files=[{"name": "dimensions.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(
        _timeline(page).locator(".timeline-attachment", has_text="dimensions.pdf")
    ).to_be_visible()
    _move_on_card(page, "Approval")

    # when the manager signs in again, records the estimate as a note and moves the deal on
    page.context.clear_cookies()
    signed_in(page, manager_user)
    page.goto(f"/deals/{deal.pk}/")
    note = page.locator("form.qa-note")
    note.get_by_label("Note").fill("Estimate: 6 windows, 2400 EUR with installation")
    note.get_by_role("button", name="Add note").click()
    expect(_timeline(page)).to_contain_text("Estimate: 6 windows, 2400 EUR with installation")
    _move_on_card(page, "Payment")
    _move_on_card(page, "Installation")

    # then the head of sales sees the deal on everyone's board, in Installation
    page.context.clear_cookies()
    signed_in(page, head)
    _open_board(page, pipeline)
    expect(page.get_by_label("Owner")).to_have_value("")
    installation = stage_named(pipeline, "Installation")
    card = _column(page, installation.pk).locator(f'[data-record="deal-{deal.pk}"]')
    expect(card).to_contain_text("Windows for the Ozols house")
    expect(_column(page, installation.pk).locator("[data-sum]")).to_have_text(_sum("2400.00"))
    # and the deal's history is complete: four moves by the right people, the call, the file
    moves = list(
        StageChange.objects.filter(deal=deal)
        .order_by("at", "pk")
        .values_list("to_stage__name", "by__username")
    )
    assert moves[-4:] == [
        ("Measurement", manager_user.username),
        ("Approval", measurer.username),
        ("Payment", manager_user.username),
        ("Installation", manager_user.username),
    ]
    assert Attachment.objects.filter(
        record_type="deal", record_id=deal.pk, uploaded_by=measurer
    ).exists()
    assert Activity.objects.filter(kind="call", outcome="successful").count() == 1
