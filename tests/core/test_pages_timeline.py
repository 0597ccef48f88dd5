"""The timeline card of detail pages: entries of every kind, paging, visibility, query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kliento.activities.models import Activity
from kliento.activities.services import activity_create
from kliento.core.actors import Actor
from kliento.core.attachments import attachment_create
from kliento.core.audit import record as audit_record
from kliento.core.choices import AuditAction, Role
from kliento.core.models import AuditEvent
from kliento.core.views.timeline import PAGE_SIZE
from kliento.sales.services.deals import deal_move
from tests.factories import (
    PDF,
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    stage_of,
    upload,
)

HOSTILE = "<script>alert(1)</script>"
HTMX = {"HX-Request": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(record_type: str, pk: int) -> str:
    return reverse("core:timeline", args=[record_type, pk])


def _entries(html: str) -> list[str]:
    return re.findall(r'data-entry="([a-z_]+-\d+)"', html)


def _call(user, **links):
    data = {"kind": "call", "subject": "Called", "done": True, "outcome": "successful", **links}
    return activity_create(actor=Actor.of_user(user), data=data)


def test_a_contact_timeline_shows_activities_files_and_changes_newest_first(manager):
    # given a contact with a change, a logged call and a file, one after the other
    contact = ContactFactory(owner=manager, last_name="Ozola")
    actor = Actor.of_user(manager)
    change = audit_record(actor, AuditAction.UPDATE, contact, {"last_name": ["Ozols", "Ozola"]})
    AuditEvent.objects.filter(pk=change.pk).update(at=timezone.now() - dt.timedelta(hours=2))
    call = _call(manager, contact_id=contact.pk)
    file = attachment_create(
        actor=actor, record_type="contact", record_id=contact.pk, upload=upload("offer.pdf", PDF)
    )

    # when the manager opens the timeline
    response = _client(manager).get(_url("contact", contact.pk), headers={"HX-Request": "true"})

    # then every entry is there, newest first, with what the card shows of it
    assert response.status_code == 200
    html = response.content.decode()
    assert _entries(html) == [f"attachment-{file.pk}", f"activity-{call.pk}", f"change-{change.pk}"]
    assert "offer.pdf" in html
    assert f'href="/api/v1/attachments/{file.pk}/download"' in html
    assert "Called" in html and "Successful" in html and "Done" in html
    assert "Ozols" in html and "Ozola" in html and "last name" in html
    assert manager.username in html
    assert "Older" not in html


def test_a_deal_timeline_shows_its_stage_changes(manager):
    deal = DealFactory(owner=manager, team=manager.team)
    moved = deal_move(
        actor=Actor.of_user(manager),
        deal_id=deal.pk,
        stage_id=stage_of(deal.pipeline, "Measurement").pk,
        version=deal.version,
    )

    response = _client(manager).get(_url("deal", deal.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "First call" in html and "Measurement" in html
    assert re.search(r'data-entry="stage_change-\d+"', html)
    assert moved.stage.name == "Measurement"


def test_task_and_open_entries_and_every_record_type(manager):
    company = CompanyFactory(owner=manager)
    lead = LeadFactory(owner=manager, team=manager.team)
    task = activity_create(
        actor=Actor.of_user(manager),
        data={
            "kind": "task",
            "subject": "Send the offer",
            "lead_id": lead.pk,
            "due_at": timezone.now() + dt.timedelta(days=1),
        },
    )
    note = activity_create(
        actor=Actor.of_user(manager),
        data={"kind": "note", "subject": "Likes oak", "company_id": company.pk, "done": True},
    )
    client = _client(manager)

    lead_html = client.get(_url("lead", lead.pk)).content.decode()
    company_html = client.get(_url("company", company.pk)).content.decode()

    assert f"activity-{task.pk}" in lead_html and "Send the offer" in lead_html
    assert "Open" in lead_html
    assert f"activity-{note.pk}" in company_html and "Likes oak" in company_html


def test_an_empty_timeline_says_so(manager):
    contact = ContactFactory(owner=manager)

    html = _client(manager).get(_url("contact", contact.pk)).content.decode()

    assert "Nothing has happened here yet." in html


def test_hostile_text_is_shown_escaped(manager):
    contact = ContactFactory(owner=manager)
    _call(manager, contact_id=contact.pk, subject=HOSTILE)
    attachment_create(
        actor=Actor.of_user(manager),
        record_type="contact",
        record_id=contact.pk,
        upload=upload("<img src=x onerror=alert(1)>.pdf", PDF),
    )
    audit_record(
        Actor.of_user(manager),
        AuditAction.UPDATE,
        contact,
        {"last_name": ['=HYPERLINK("http://x")', "'; DROP TABLE"]},
    )

    html = _client(manager).get(_url("contact", contact.pk)).content.decode()

    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert "&#x27;; DROP TABLE" in html


def test_older_pages_follow_without_gaps_or_repeats(manager):
    # given more entries than a page holds
    contact = ContactFactory(owner=manager)
    base = timezone.now() - dt.timedelta(days=3)
    created = []
    for i in range(PAGE_SIZE + 5):
        activity = _call(manager, contact_id=contact.pk, subject=f"Call {i}")
        created.append(activity.pk)
    for i, pk in enumerate(created):
        Activity.objects.filter(pk=pk).update(when=base + dt.timedelta(minutes=i))
    client = _client(manager)

    # when the first page and then "Older" are read
    first = client.get(_url("contact", contact.pk), headers={"HX-Request": "true"})
    html = first.content.decode()
    cursor = re.search(r'\?cursor=([^"&]+)"', html).group(1)
    second = client.get(
        _url("contact", contact.pk) + f"?cursor={cursor}", headers={"HX-Request": "true"}
    )

    # then the two pages hold every entry once, newest first; the second is rows only
    seen = _entries(html) + _entries(second.content.decode())
    assert seen == [f"activity-{pk}" for pk in reversed(created)]
    assert len(_entries(html)) == PAGE_SIZE
    assert "<ol" not in second.content.decode()
    assert "Older" not in second.content.decode()


def test_without_javascript_the_timeline_is_a_page_with_plain_older_links(manager):
    contact = ContactFactory(owner=manager, first_name="Ilze", last_name="Kalna")
    for i in range(PAGE_SIZE + 1):
        _call(manager, contact_id=contact.pk, subject=f"Call {i}")

    response = _client(manager).get(_url("contact", contact.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "Timeline of" in html and "Kalna" in html
    assert len(_entries(html)) == PAGE_SIZE
    assert re.search(r'<a class="btn btn-ghost btn-sm" href="[^"]+\?cursor=', html)


def test_a_tampered_cursor_starts_from_the_newest_entry(manager):
    contact = ContactFactory(owner=manager)
    call = _call(manager, contact_id=contact.pk)

    response = _client(manager).get(_url("contact", contact.pk), {"cursor": "'; DROP TABLE x"})

    assert response.status_code == 200
    assert _entries(response.content.decode()) == [f"activity-{call.pk}"]


@pytest.mark.parametrize("record_type", ["contact", "company"])
def test_a_record_of_another_team_is_not_found(manager, stranger, record_type):
    factory = {"contact": ContactFactory, "company": CompanyFactory}[record_type]
    record = factory(owner=stranger)
    _call(stranger, **{f"{record_type}_id": record.pk})

    response = _client(manager).get(_url(record_type, record.pk))

    assert response.status_code == 404
    assert b"Called" not in response.content


def test_a_deal_of_someone_else_is_not_found_for_a_manager(manager, colleague):
    deal = DealFactory(owner=colleague, team=colleague.team)

    assert _client(manager).get(_url("deal", deal.pk)).status_code == 404


@pytest.mark.parametrize("record_type", ["activity", "attachment", "user", "nothing"])
def test_an_unknown_record_type_is_not_found(manager, record_type):
    assert _client(manager).get(_url(record_type, 1)).status_code == 404


def test_a_missing_record_is_not_found(manager):
    assert _client(manager).get(_url("contact", 999999)).status_code == 404


def test_the_include_loads_the_entries_by_htmx_and_reloads_after_a_quick_action(manager):
    contact = ContactFactory(owner=manager)

    html = render_to_string("core/_timeline.html", {"record_type": "contact", "record": contact})

    assert f'hx-get="{_url("contact", contact.pk)}"' in html
    assert 'hx-trigger="load, timeline-changed from:body"' in html
    assert "data-entry" not in html  # the detail page itself reads no entry


def test_signed_out_visitors_are_sent_to_sign_in(manager):
    contact = ContactFactory(owner=manager)

    response = Client().get(_url("contact", contact.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_the_read_only_role_sees_any_timeline(make_user, stranger):
    reader = make_user(Role.READ_ONLY)
    contact = ContactFactory(owner=stranger)
    call = _call(stranger, contact_id=contact.pk)

    response = _client(reader).get(_url("contact", contact.pk))

    assert _entries(response.content.decode()) == [f"activity-{call.pk}"]


def test_times_are_shown_in_the_users_time_zone(make_user):
    user = make_user(Role.MANAGER, time_zone="Asia/Tokyo")
    contact = ContactFactory(owner=user)
    call = _call(user, contact_id=contact.pk)
    Activity.objects.filter(pk=call.pk).update(when=dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC))

    html = _client(user).get(_url("contact", contact.pk)).content.decode()

    assert 'datetime="2026-03-03T08:30:00+09:00"' in html


# --- query counts -------------------------------------------------------------------------


def _fill(user, record_type, record, count=30):
    actor = Actor.of_user(user)
    for i in range(count):
        _call(user, **{f"{record_type}_id": record.pk}, subject=f"Call {i}")
        audit_record(actor, AuditAction.UPDATE, record, {"owner": [None, user.pk]})
    for i in range(3):
        file = upload(f"{i}.pdf", PDF)
        attachment_create(actor=actor, record_type=record_type, record_id=record.pk, upload=file)


# session, user, the role's rights, the visible record, then one query per source: audit
# trail, files, activities (and a deal's stage changes)
@pytest.mark.parametrize(
    ("record_type", "queries"), [("contact", 7), ("company", 7), ("lead", 7), ("deal", 8)]
)
def test_the_timeline_takes_a_fixed_number_of_queries(
    manager, django_assert_num_queries, record_type, queries
):
    # given a record with more entries than a page
    makers = {
        "contact": lambda: ContactFactory(owner=manager),
        "company": lambda: CompanyFactory(owner=manager),
        "lead": lambda: LeadFactory(owner=manager, team=manager.team),
        "deal": lambda: DealFactory(owner=manager, team=manager.team),
    }
    record = makers[record_type]()
    _fill(manager, record_type, record)
    client = _client(manager)
    first = client.get(_url(record_type, record.pk))
    cursor = re.search(r'\?cursor=([^"&]+)"', first.content.decode()).group(1)

    # then the first page and an older page each take the same few queries
    with django_assert_num_queries(queries):
        response = client.get(_url(record_type, record.pk), headers=HTMX)
    assert len(_entries(response.content.decode())) == PAGE_SIZE
    with django_assert_num_queries(queries):
        older = client.get(_url(record_type, record.pk), {"cursor": cursor}, headers=HTMX)
    assert len(_entries(older.content.decode())) == PAGE_SIZE


# --- who logged an activity ---------------------------------------------------------------


def _logged_by_many(manager, make_user, count: int):
    """A contact with `count` activities, each logged by a user of its own."""
    contact = ContactFactory(owner=manager)
    for i in range(count):
        last_name = HOSTILE if i == 0 else "Ozola"
        owner = make_user(first_name=f"Anna{i}", last_name=last_name, username=f"u{i}")
        ActivityFactory(owner=owner, team=owner.team, contact=contact, subject=f"Visit {i}")
    return contact


def test_each_activity_entry_names_its_owner(manager, make_user):
    contact = _logged_by_many(manager, make_user, 3)
    nameless = make_user(first_name="", last_name="", username="jdoe")
    ActivityFactory(owner=nameless, team=nameless.team, contact=contact, subject="Bare")

    html = _client(manager).get(_url("contact", contact.pk), headers=HTMX).content.decode()

    entries = re.findall(r'<li class="timeline-entry timeline-activity".*?</li>', html, re.DOTALL)
    assert len(entries) == 4
    assert any("Visit 1" in e and "by Anna1 Ozola" in e for e in entries)
    assert any("Bare" in e and "by jdoe" in e for e in entries)  # no full name: the username
    assert HOSTILE not in html and "by Anna0 &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("count", [3, 30])
def test_owner_names_cost_no_query_per_entry(manager, make_user, django_assert_num_queries, count):
    # as many owners as activities: a query per owner would make the count grow
    contact = _logged_by_many(manager, make_user, count)
    client = _client(manager)
    client.get(_url("contact", contact.pk), headers=HTMX)

    with django_assert_num_queries(7):
        html = client.get(_url("contact", contact.pk), headers=HTMX).content.decode()

    assert html.count("by Anna") == min(count, PAGE_SIZE)
