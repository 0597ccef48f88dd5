"""The activity list (filters, sorts, cursor pages) and the activity form (create, edit)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kliento.activities import services
from kliento.activities.models import Activity
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.customers.models import Contact
from tests.activities.conftest import T0
from tests.factories import ContactFactory, DealFactory

pytestmark = pytest.mark.django_db

LIST = "/activities/"
CREATE = "/activities/new/"
RIGA = zoneinfo.ZoneInfo("Europe/Riga")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan(user, kind="call", at=T0, **data) -> Activity:
    times = {"start_at": at} if kind == "meeting" else {"due_at": at}
    data.setdefault("subject", f"{kind} {at:%d %H:%M}")
    return services.activity_create(actor=Actor.of_user(user), data={"kind": kind, **times, **data})


def listed(response) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'data-record="activity-(\d+)"', response.content.decode())
    ]


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_what_the_user_may_see(manager, colleague, head):
    mine = plan(manager)
    theirs = plan(colleague)

    assert listed(client_for(manager).get(LIST)) == [mine.pk]
    assert set(listed(client_for(head).get(LIST))) == {mine.pk, theirs.pk}


def test_filters_by_kind_done_outcome_owner_and_team(manager, stranger, head):
    call = plan(manager, "call", at=T0, done=True, outcome="successful")
    meeting = plan(manager, "meeting", at=T0 + dt.timedelta(hours=1))
    task = plan(stranger, "task", at=T0 + dt.timedelta(hours=2))
    client = client_for(head)

    assert listed(client.get(LIST, {"kind": "meeting"})) == [meeting.pk]
    assert listed(client.get(LIST, {"done": "yes"})) == [call.pk]
    assert set(listed(client.get(LIST, {"done": "no"}))) == {meeting.pk, task.pk}
    assert listed(client.get(LIST, {"outcome": "successful"})) == [call.pk]
    assert listed(client.get(LIST, {"owner": stranger.pk})) == [task.pk]
    assert set(listed(client.get(LIST, {"team": manager.team_id}))) == {call.pk, meeting.pk}


def test_the_period_is_in_the_users_time_zone_and_includes_its_last_day(manager):
    manager.time_zone = "Europe/Riga"
    manager.save()
    before = plan(manager, at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=RIGA))
    first = plan(manager, at=dt.datetime(2026, 3, 2, 0, 0, tzinfo=RIGA))
    last = plan(manager, at=dt.datetime(2026, 3, 3, 23, 59, tzinfo=RIGA))
    after = plan(manager, at=dt.datetime(2026, 3, 4, 0, 0, tzinfo=RIGA))

    response = client_for(manager).get(
        LIST, {"when_after": "2026-03-02", "when_before": "2026-03-03"}
    )

    assert set(listed(response)) == {first.pk, last.pk}
    assert before.pk not in listed(response) and after.pk not in listed(response)


def test_sorts_by_when_and_by_creation(manager):
    late = plan(manager, at=T0 + dt.timedelta(days=2))
    early = plan(manager, at=T0)
    client = client_for(manager)

    assert listed(client.get(LIST)) == [late.pk, early.pk]
    assert listed(client.get(LIST, {"ordering": "when"})) == [early.pk, late.pk]
    assert listed(client.get(LIST, {"ordering": "created_at"})) == [late.pk, early.pk]
    assert listed(client.get(LIST, {"ordering": "-created_at"})) == [early.pk, late.pk]


def test_cursor_pages_walk_every_row_once(manager):
    rows = [plan(manager, at=T0 + dt.timedelta(minutes=i)) for i in range(60)]
    client = client_for(manager)

    first = client.get(LIST)
    cursor = re.search(r'href="\?cursor=([^"&]+)"', first.content.decode()).group(1)
    second = client.get(LIST, {"cursor": cursor}, headers={"HX-Request": "true"})

    assert len(listed(first)) == 50
    assert "<html" not in second.content.decode()  # the rows alone, for "Load more"
    assert sorted(listed(first) + listed(second)) == sorted(a.pk for a in rows)
    assert "Load more" not in second.content.decode()


def test_rows_link_to_the_record_they_are_about(manager):
    contact = ContactFactory(owner=manager, first_name="Anna", last_name="Ozola")
    deal = DealFactory(owner=manager, title="Windows for the dacha")
    plan(manager, contact_id=contact.pk, deal_id=deal.pk)

    html = client_for(manager).get(LIST).content.decode()

    assert "Anna Ozola" in html and "Windows for the dacha" in html


@pytest.mark.parametrize(
    ("params", "status"),
    [
        # a parameter the page cannot read: 400
        ({"kind": "<script>alert(1)</script>"}, 400),
        ({"done": "maybe"}, 400),
        ({"outcome": "'; DROP TABLE activities_activity; --"}, 400),
        ({"owner": "abc"}, 400),
        ({"team": "1 OR 1=1"}, 400),
        ({"when_after": "2026-13-45"}, 400),
        ({"when_before": '=HYPERLINK("http://x")'}, 400),
        # a sort or a cursor the list refuses, as the API does: 422
        ({"ordering": "body"}, 422),
        ({"cursor": "not-a-cursor"}, 422),
    ],
)
def test_bad_filters_are_a_clear_4xx_without_rows(manager, params, status):
    plan(manager)

    response = client_for(manager).get(LIST, params)

    assert response.status_code == status
    html = response.content.decode()
    assert 'class="alert alert-error"' in html
    assert listed(response) == []
    assert "<script>alert(1)</script>" not in html


def test_list_query_count_does_not_grow(manager, django_assert_num_queries):
    client = client_for(manager)

    def add(n):
        for _ in range(n):
            contact = ContactFactory(owner=manager)
            plan(manager, contact_id=contact.pk, deal_id=DealFactory(owner=manager).pk)

    add(3)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200
    add(30)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200


# +2: the names of the linked contacts and deals the user may see; +1: one's saved filters
LIST_QUERIES = 9


def test_a_linked_record_the_user_may_not_see_is_not_named(manager, stranger):
    # given the manager's call about a contact that has since gone to another team
    contact = ContactFactory(owner=manager, first_name="Hidden", last_name="Person")
    plan(manager, contact_id=contact.pk, subject="Call about windows")
    Contact.objects.filter(pk=contact.pk).update(owner=stranger, team=stranger.team)
    # when the manager lists activities
    html = client_for(manager).get(LIST).content.decode()
    # then the call is listed, but the contact is neither named nor linked
    assert "Call about windows" in html
    assert "Hidden Person" not in html
    assert f"/contacts/{contact.pk}/" not in html


# --- create and edit -------------------------------------------------------------------------


def test_create_form_prefills_the_start(manager):
    response = client_for(manager).get(CREATE, {"start": "2026-03-02T09:00", "kind": "meeting"})

    assert response.status_code == 200
    assert 'value="2026-03-02T09:00"' in response.content.decode()


def test_create_a_meeting_at_a_local_time(manager):
    manager.time_zone = "Europe/Riga"
    manager.save()

    response = client_for(manager).post(
        CREATE,
        {
            "kind": "meeting",
            "subject": "Measure",
            "start": "2026-03-02T09:00",
            "end": "2026-03-02T10:30",
            "next": "/calendar/?view=day",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/calendar/?view=day"
    meeting = Activity.objects.get()
    assert meeting.start_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=RIGA)
    assert meeting.end_at == dt.datetime(2026, 3, 2, 10, 30, tzinfo=RIGA)
    assert meeting.when == meeting.start_at and meeting.owner_id == manager.pk


def test_create_a_task_through_htmx_redirects_the_page(manager):
    response = client_for(manager).post(
        CREATE,
        {
            "kind": "task",
            "subject": "Send the offer",
            "start": "2026-03-02T09:00",
            "next": "https://evil.example/",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("activities:calendar")  # never another host
    task = Activity.objects.get()
    assert task.due_at is not None and task.start_at is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "task", "subject": ""}, "subject"),
        ({"kind": "task", "subject": "x" * 301}, "subject"),
        ({"kind": "<script>alert(1)</script>", "subject": "ok"}, "kind"),
        ({"kind": "task", "subject": "ok", "start": "tomorrow"}, "start"),
        (
            {
                "kind": "meeting",
                "subject": "ok",
                "start": "2026-03-02T10:00",
                "end": "2026-03-02T09:00",
            },
            "end",
        ),
        ({"kind": "task", "subject": "nul\x00"}, "subject"),
    ],
)
def test_bad_input_is_422_in_the_form_and_creates_nothing(manager, data, field):
    response = client_for(manager).post(CREATE, data, headers={"HX-Request": "true"})

    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="err-{field}"' in html
    assert "<script>alert(1)</script>" not in html
    assert Activity.objects.count() == 0


def test_a_role_without_the_create_right_gets_403(make_user):
    reader = make_user(Role.READ_ONLY)

    response = client_for(reader).post(CREATE, {"kind": "task", "subject": "x"})

    assert response.status_code == 403
    assert Activity.objects.count() == 0


def test_edit_changes_the_activity(manager):
    meeting = plan(manager, "meeting", at=T0, subject="Old")
    url = reverse("activities:activity-edit", args=[meeting.pk])
    client = client_for(manager)

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": meeting.version,
            "kind": "meeting",
            "subject": "New",
            "start": "2026-03-05T14:00",
            "done": "on",
            "outcome": "successful",
        },
    )

    assert 'name="version" value="1"' in form and 'value="Old"' in form
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.subject == "New" and meeting.done and meeting.outcome == "successful"
    assert meeting.start_at == dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC)
    assert meeting.version == 2


def test_a_stale_edit_is_409_and_keeps_the_input(manager):
    task = plan(manager, "task", subject="Old")
    services.activity_update(
        actor=Actor.of_user(manager), activity_id=task.pk, version=1, data={"subject": "Theirs"}
    )

    response = client_for(manager).post(
        reverse("activities:activity-edit", args=[task.pk]),
        {"version": 1, "kind": "task", "subject": "Mine", "start": "2026-03-05T14:00"},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html and 'value="Mine"' in html
    task.refresh_from_db()
    assert task.subject == "Theirs" and task.version == 2


def test_someone_elses_activity_cannot_be_opened_or_edited(manager, stranger):
    theirs = plan(stranger, subject="Theirs")
    url = reverse("activities:activity-edit", args=[theirs.pk])
    client = client_for(manager)

    assert client.get(url).status_code == 404
    assert client.post(url, {"version": 1, "kind": "call", "subject": "Mine"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.subject == "Theirs"


def test_a_note_without_a_time_is_listed_at_its_recording_time(manager):
    note = services.activity_create(
        actor=Actor.of_user(manager), data={"kind": "note", "subject": "Called back"}
    )

    assert listed(client_for(manager).get(LIST)) == [note.pk]
    assert note.when <= timezone.now()


def test_the_menu_offers_activities_and_the_calendar(manager):
    html = client_for(manager).get(LIST).content.decode()

    current = re.search(r'<a href="([^"]+)" aria-current="page">', html).group(1)
    assert current == LIST
    assert 'href="/calendar/"' in html and 'href="/my-day/"' in html
    calendar = client_for(manager).get("/calendar/").content.decode()
    assert re.search(r'<a href="([^"]+)" aria-current="page">', calendar).group(1) == "/calendar/"
