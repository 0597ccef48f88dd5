"""Quick actions on detail pages: log a call, add a task, add a note, attach a file."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from kliento.activities.models import Activity
from kliento.core.choices import Role
from kliento.core.models import Attachment
from tests.factories import (
    EXE,
    PDF,
    PLAIN_ZIP,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    upload,
)

HTMX = {"HX-Request": "true"}
HOSTILE = "<script>alert(1)</script>"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, record_type: str, pk: int) -> str:
    return reverse(f"activities:{name}", args=[record_type, pk])


def _trigger(response) -> dict:
    return json.loads(response["HX-Trigger"])


# --- log a call ------------------------------------------------------------------------------


def test_log_a_call_with_its_outcome(manager):
    # given a contact of the manager
    contact = ContactFactory(owner=manager)

    # when a call is logged on it in one line
    response = _client(manager).post(
        _url("log-call", "contact", contact.pk),
        {"subject": "Asked about the offer", "outcome": "successful", "body": "Wants oak"},
        headers=HTMX,
    )

    # then a done call linked to the contact is stored, the form comes back empty and
    # the timeline is told to reload
    assert response.status_code == 200, response.content
    call = Activity.objects.get()
    assert (call.kind, call.subject, call.outcome, call.body) == (
        "call",
        "Asked about the offer",
        "successful",
        "Wants oak",
    )
    assert call.done and call.done_at is not None
    assert call.contact_id == contact.pk and call.owner_id == manager.pk
    html = response.content.decode()
    assert "<form" in html and "Asked about the offer" not in html
    trigger = _trigger(response)
    assert trigger["timeline-changed"] is True
    assert trigger["quick-done"]["message"] == "The call is logged."


@pytest.mark.parametrize(
    ("record_type", "factory"),
    [("company", CompanyFactory), ("deal", DealFactory), ("lead", LeadFactory)],
)
def test_a_call_links_to_each_kind_of_record(manager, record_type, factory):
    record = factory(owner=manager, team=manager.team)

    response = _client(manager).post(
        _url("log-call", record_type, record.pk), {"subject": "Rang", "outcome": ""}, headers=HTMX
    )

    assert response.status_code == 200, response.content
    assert getattr(Activity.objects.get(), f"{record_type}_id") == record.pk


def test_a_call_without_a_subject_or_with_an_unknown_outcome_is_refused(manager):
    contact = ContactFactory(owner=manager)

    response = _client(manager).post(
        _url("log-call", "contact", contact.pk),
        {"subject": "  ", "outcome": "'; DROP TABLE activities_activity; --", "body": "kept"},
        headers=HTMX,
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html and "Unknown outcome." in html
    assert 'aria-invalid="true"' in html
    assert 'value="kept"' in html  # the user's input is kept
    assert not Activity.objects.exists()
    assert "HX-Trigger" not in response


def test_an_oversized_subject_is_refused(manager):
    contact = ContactFactory(owner=manager)

    response = _client(manager).post(
        _url("log-call", "contact", contact.pk), {"subject": "x" * 301}, headers=HTMX
    )

    assert response.status_code == 422
    assert "At most 300 characters." in response.content.decode()
    assert not Activity.objects.exists()


def test_hostile_input_is_stored_as_text_and_shown_escaped(manager):
    contact = ContactFactory(owner=manager)
    client = _client(manager)

    refused = client.post(
        _url("log-call", "contact", contact.pk),
        {"subject": "", "body": HOSTILE},
        headers=HTMX,
    )
    client.post(
        _url("log-call", "contact", contact.pk),
        {"subject": '=HYPERLINK("http://evil")', "body": HOSTILE},
        headers=HTMX,
    )

    assert HOSTILE not in refused.content.decode()
    assert "&lt;script&gt;" in refused.content.decode()
    assert Activity.objects.get().body == HOSTILE
    timeline = client.get(reverse("core:timeline", args=["contact", contact.pk])).content.decode()
    assert "=HYPERLINK(&quot;http://evil&quot;)" in timeline


def test_a_plain_post_without_javascript_goes_back_to_the_page(manager):
    contact = ContactFactory(owner=manager)

    response = _client(manager).post(
        _url("log-call", "contact", contact.pk),
        {"subject": "Rang", "next": "/contacts/1/?tab=x"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/contacts/1/?tab=x"
    assert Activity.objects.count() == 1


def test_a_plain_post_never_redirects_to_another_host(manager):
    contact = ContactFactory(owner=manager)

    response = _client(manager).post(
        _url("log-call", "contact", contact.pk), {"subject": "Rang", "next": "https://evil.test/"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


# --- add a task ------------------------------------------------------------------------------


def test_add_a_task_due_on_a_day_and_time_in_the_users_time_zone(make_user):
    user = make_user(Role.MANAGER, time_zone="Europe/Riga")
    deal = DealFactory(owner=user, team=user.team)

    response = _client(user).post(
        _url("add-task", "deal", deal.pk),
        {"subject": "Measure the windows", "due_date": "2026-12-01", "due_time": "14:30"},
        headers=HTMX,
    )

    assert response.status_code == 200, response.content
    task = Activity.objects.get()
    assert (task.kind, task.subject, task.done, task.deal_id) == (
        "task",
        "Measure the windows",
        False,
        deal.pk,
    )
    riga = zoneinfo.ZoneInfo("Europe/Riga")
    assert task.due_at == dt.datetime(2026, 12, 1, 14, 30, tzinfo=riga)
    assert task.when == task.due_at
    assert _trigger(response)["quick-done"]["message"] == "The task is added."


def test_a_task_without_a_time_is_due_in_the_morning(manager):
    contact = ContactFactory(owner=manager)

    _client(manager).post(
        _url("add-task", "contact", contact.pk),
        {"subject": "Call back", "due_date": "2026-12-01", "due_time": ""},
        headers=HTMX,
    )

    assert Activity.objects.get().due_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_the_task_form_offers_tomorrow(manager):
    contact = ContactFactory(owner=manager)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = _client(manager).post(
        _url("add-task", "contact", contact.pk),
        {"subject": "Call back", "due_date": "2026-12-01"},
        headers=HTMX,
    )

    assert f'name="due_date" type="date" required value="{tomorrow.isoformat()}"' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_date": "tomorrow"}, "Must be a date (YYYY-MM-DD)."),
        ({"due_date": "2026-02-30"}, "Must be a date (YYYY-MM-DD)."),
        ({"due_date": ""}, "Must be a date (YYYY-MM-DD)."),
        ({"due_date": "2026-12-01", "due_time": "25:99"}, "Must be a time (HH:MM)."),
        ({"due_date": "2026-12-01", "due_time": "<b>"}, "Must be a time (HH:MM)."),
    ],
)
def test_a_bad_due_date_or_time_is_refused(manager, data, message):
    contact = ContactFactory(owner=manager)

    response = _client(manager).post(
        _url("add-task", "contact", contact.pk), {"subject": "Call back", **data}, headers=HTMX
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'value="Call back"' in html
    assert not Activity.objects.exists()


# --- add a note ------------------------------------------------------------------------------


def test_add_a_note(manager):
    company = CompanyFactory(owner=manager)

    response = _client(manager).post(
        _url("add-note", "company", company.pk), {"text": "Prefers e-mail"}, headers=HTMX
    )

    assert response.status_code == 200, response.content
    note = Activity.objects.get()
    assert (note.kind, note.subject, note.body, note.done, note.company_id) == (
        "note",
        "Prefers e-mail",
        "",
        True,
        company.pk,
    )


def test_a_long_note_keeps_its_first_line_as_subject_and_all_of_it_as_details(manager):
    company = CompanyFactory(owner=manager)
    text = "First line\n" + "y" * 500

    _client(manager).post(_url("add-note", "company", company.pk), {"text": text}, headers=HTMX)

    note = Activity.objects.get()
    assert note.subject == "First line"
    assert note.body == text


def test_a_note_of_one_very_long_line_is_cut_for_its_subject(manager):
    company = CompanyFactory(owner=manager)

    _client(manager).post(
        _url("add-note", "company", company.pk), {"text": "z" * 400}, headers=HTMX
    )

    note = Activity.objects.get()
    assert len(note.subject) == 300 and note.subject.endswith("…")
    assert note.body == "z" * 400


def test_an_empty_note_is_refused_under_its_field(manager):
    company = CompanyFactory(owner=manager)

    response = _client(manager).post(
        _url("add-note", "company", company.pk), {"text": "   "}, headers=HTMX
    )

    assert response.status_code == 422
    assert f'id="qa-note-text-company-{company.pk}-err"' in response.content.decode()
    assert not Activity.objects.exists()


def test_a_note_with_a_nul_character_is_refused(manager):
    company = CompanyFactory(owner=manager)

    response = _client(manager).post(
        _url("add-note", "company", company.pk), {"text": "a\x00b"}, headers=HTMX
    )

    assert response.status_code == 422
    assert not Activity.objects.exists()


def test_a_tab_in_a_notes_first_line_becomes_a_space_in_its_subject(manager):
    company = CompanyFactory(owner=manager)
    text = "Kitchen\t120 × 80\nLiving room"

    response = _client(manager).post(
        _url("add-note", "company", company.pk), {"text": text}, headers=HTMX
    )

    assert response.status_code == 200
    note = Activity.objects.get()
    assert (note.subject, note.body) == ("Kitchen 120 × 80", text)


def test_a_note_with_an_escape_sequence_is_refused_under_its_field(manager):
    company = CompanyFactory(owner=manager)

    response = _client(manager).post(
        _url("add-note", "company", company.pk), {"text": "a\x1b[2Jb"}, headers=HTMX
    )

    assert response.status_code == 422
    assert "U+001B" in response.content.decode()
    assert not Activity.objects.exists()


# --- attach a file ---------------------------------------------------------------------------


def test_attach_a_file(manager):
    deal = DealFactory(owner=manager, team=manager.team)

    response = _client(manager).post(
        _url("attach", "deal", deal.pk), {"file": upload("plan.pdf", PDF)}, headers=HTMX
    )

    assert response.status_code == 200, response.content
    file = Attachment.objects.get()
    assert (file.record_type, file.record_id, file.original_name) == ("deal", deal.pk, "plan.pdf")
    assert file.content_type == "application/pdf" and file.uploaded_by_id == manager.pk
    trigger = _trigger(response)
    assert trigger["timeline-changed"] is True
    assert trigger["quick-done"]["message"] == "plan.pdf is attached."


def test_attach_several_files_at_once(manager):
    deal = DealFactory(owner=manager, team=manager.team)

    response = _client(manager).post(
        _url("attach", "deal", deal.pk),
        {"file": [upload("a.pdf", PDF), upload("b.pdf", PDF)]},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["a.pdf", "b.pdf"]
    assert _trigger(response)["quick-done"]["message"] == "2 files are attached."


def test_a_too_big_file_is_refused_with_the_services_message(manager, settings):
    settings.KLIENTO_MAX_UPLOAD_BYTES = 10
    deal = DealFactory(owner=manager, team=manager.team)

    response = _client(manager).post(
        _url("attach", "deal", deal.pk), {"file": upload("big.pdf", PDF)}, headers=HTMX
    )

    assert response.status_code == 422
    assert "big.pdf: The file is too large" in response.content.decode()
    assert "The file is too large" in _trigger(response)["quick-failed"]["message"]
    assert "timeline-changed" not in _trigger(response)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("content", [EXE, PLAIN_ZIP, b""])
def test_a_file_of_a_refused_type_is_refused(manager, content):
    deal = DealFactory(owner=manager, team=manager.team)

    response = _client(manager).post(
        _url("attach", "deal", deal.pk), {"file": upload("setup.pdf", content)}, headers=HTMX
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "setup.pdf:" in html
    assert "not accepted" in html or "empty" in html
    assert not Attachment.objects.exists()


def test_a_good_and_a_bad_file_keep_the_good_one_and_say_which_failed(manager):
    deal = DealFactory(owner=manager, team=manager.team)

    response = _client(manager).post(
        _url("attach", "deal", deal.pk),
        {"file": [upload("ok.pdf", PDF), upload("virus.exe", EXE)]},
        headers=HTMX,
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "virus.exe:" in html and "Attached: ok.pdf" in html
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["ok.pdf"]
    assert _trigger(response)["timeline-changed"] is True


def test_no_file_chosen_is_a_clear_error(manager):
    deal = DealFactory(owner=manager, team=manager.team)

    response = _client(manager).post(_url("attach", "deal", deal.pk), {}, headers=HTMX)

    assert response.status_code == 422
    assert "Choose a file to attach." in response.content.decode()


def test_a_hostile_file_name_is_kept_and_shown_escaped(manager):
    # given a file whose name is markup
    deal = DealFactory(owner=manager, team=manager.team)
    name = "<img src=x onerror=alert(1)>.pdf"
    client = _client(manager)

    # when it is attached, and a bad file of the same name is refused
    ok = client.post(_url("attach", "deal", deal.pk), {"file": upload(name, PDF)}, headers=HTMX)
    bad = client.post(_url("attach", "deal", deal.pk), {"file": upload(name, EXE)}, headers=HTMX)

    # then it is stored as given, and every place that shows it escapes it
    assert ok.status_code == 200 and bad.status_code == 422
    assert Attachment.objects.get().original_name == name
    escaped = "&lt;img src=x onerror=alert(1)&gt;.pdf"
    assert "<img src=x" not in bad.content.decode() and escaped in bad.content.decode()
    timeline = client.get(reverse("core:timeline", args=["deal", deal.pk])).content.decode()
    assert "<img src=x" not in timeline and escaped in timeline
    assert name in _trigger(ok)["quick-done"]["message"]  # a toast shows it as text


# --- rights and visibility ---------------------------------------------------------------------

ACTIONS = [
    ("log-call", {"subject": "Rang"}),
    ("add-task", {"subject": "Call back", "due_date": "2026-12-01"}),
    ("add-note", {"text": "Noted"}),
]


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_a_record_the_user_may_not_see_is_not_found_and_nothing_is_created(
    manager, stranger, name, data
):
    contact = ContactFactory(owner=stranger)

    response = _client(manager).post(_url(name, "contact", contact.pk), data, headers=HTMX)

    assert response.status_code == 404
    assert not Activity.objects.exists()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_a_role_without_the_activity_create_right_is_refused(make_user, stranger, name, data):
    reader = make_user(Role.READ_ONLY)
    contact = ContactFactory(owner=stranger)

    response = _client(reader).post(_url(name, "contact", contact.pk), data, headers=HTMX)

    assert response.status_code == 403
    assert not Activity.objects.exists()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_a_refused_role_learns_it_before_any_input_error(make_user, stranger, name, data):
    reader = make_user(Role.READ_ONLY)
    contact = ContactFactory(owner=stranger)

    response = _client(reader).post(_url(name, "contact", contact.pk), {}, headers=HTMX)

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["log-call", "add-task", "add-note", "attach"])
@pytest.mark.parametrize("record_type", ["activity", "attachment", "user", "x"])
def test_an_unknown_record_type_is_not_found(manager, name, record_type):
    assert _client(manager).post(_url(name, record_type, 1), {}).status_code == 404


def test_a_file_on_a_record_the_user_may_not_see_is_not_found(manager, colleague):
    deal = DealFactory(owner=colleague, team=colleague.team)  # managers see their own deals

    response = _client(manager).post(
        _url("attach", "deal", deal.pk), {"file": upload("plan.pdf", PDF)}, headers=HTMX
    )

    assert response.status_code == 404
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("data", [{"file": "nothing"}, {}])
def test_a_file_needs_the_edit_right_on_the_record(make_user, stranger, data):
    agent = make_user(Role.SERVICE_AGENT)  # sees every deal, may not edit them
    deal = DealFactory(owner=stranger, team=stranger.team)
    files = {"file": upload("plan.pdf", PDF)} if data else {}

    response = _client(agent).post(_url("attach", "deal", deal.pk), files, headers=HTMX)

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_role_that_reads_a_deal_may_log_a_call_on_it(make_user, stranger):
    # a service agent sees every deal without editing it, and may create activities
    agent = make_user(Role.SERVICE_AGENT)
    deal = DealFactory(owner=stranger, team=stranger.team)

    response = _client(agent).post(
        _url("log-call", "deal", deal.pk), {"subject": "Warranty question"}, headers=HTMX
    )

    assert response.status_code == 200
    assert Activity.objects.get().deal_id == deal.pk


def test_get_is_not_allowed(manager):
    contact = ContactFactory(owner=manager)

    assert _client(manager).get(_url("log-call", "contact", contact.pk)).status_code == 405


def test_signed_out_visitors_get_nothing(manager):
    contact = ContactFactory(owner=manager)

    response = Client().post(_url("log-call", "contact", contact.pk), {"subject": "x"})

    assert response.status_code == 302
    assert not Activity.objects.exists()


# --- the include on a detail page --------------------------------------------------------------


def test_the_include_renders_four_labelled_one_line_forms(manager):
    contact = ContactFactory(owner=manager)
    request = RequestFactory().get(f"/contacts/{contact.pk}/")
    request.user = manager

    html = render_to_string(
        "activities/_quick_actions.html",
        {"record_type": "contact", "record": contact},
        request=request,
    )

    for name in ("log-call", "add-task", "add-note", "attach"):
        assert f'hx-post="{_url(name, "contact", contact.pk)}"' in html
    assert html.count("<form") == 4
    assert html.count("<label") == 8  # one for every field
    assert "kliento/js/quick.js" in html and "kliento/css/quick.css" in html
    assert "data-drop-overlay" in html and 'type="file"' in html
    assert "style=" not in html and "hx-on" not in html and "<script>" not in html
    assert f'name="next" value="/contacts/{contact.pk}/"' in html


def test_the_includes_add_no_query_to_the_detail_page(manager, django_assert_num_queries):
    # given a contact with a long history
    contact = ContactFactory(owner=manager)
    for i in range(30):
        Activity.objects.create(kind="call", subject=f"Call {i}", contact=contact, owner=manager)
    request = RequestFactory().get(f"/contacts/{contact.pk}/")
    request.user = manager
    context = {"record_type": "contact", "record": contact}

    # then the quick actions and the timeline card render without a query of their own
    with django_assert_num_queries(0):
        render_to_string("activities/_quick_actions.html", context, request=request)
        render_to_string("core/_timeline.html", context, request=request)
