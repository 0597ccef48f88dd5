"""The calendar: day, week (Monday first) and month ranges in the user's time zone, whose
activities, creating by slot, and rescheduling by drag (ok, stale 409, invisible 404)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from kliento.activities import services
from kliento.activities.models import Activity
from kliento.core.actors import Actor
from kliento.core.choices import Role

pytestmark = pytest.mark.django_db

URL = "/calendar/"
RIGA = zoneinfo.ZoneInfo("Europe/Riga")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan(user, kind="meeting", at=None, **data) -> Activity:
    times = {"start_at": at} if kind == "meeting" else {"due_at": at}
    data.setdefault("subject", f"{kind} {at:%m-%d %H:%M}")
    return services.activity_create(actor=Actor.of_user(user), data={"kind": kind, **times, **data})


def shown(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {
        int(pk) for pk in re.findall(r'data-record="activity-(\d+)"', response.content.decode())
    }


@pytest.fixture
def riga_manager(manager):
    manager.time_zone = "Europe/Riga"
    manager.save()
    return manager


def test_week_runs_monday_to_sunday_in_the_users_zone(riga_manager):
    # 4 March 2026 is a Wednesday; its week is Monday 2 to Sunday 8 March
    inside = [
        plan(riga_manager, at=dt.datetime(2026, 3, 2, 0, 0, tzinfo=RIGA)),
        plan(riga_manager, at=dt.datetime(2026, 3, 8, 23, 59, tzinfo=RIGA)),
    ]
    outside = [
        plan(riga_manager, at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=RIGA)),
        plan(riga_manager, at=dt.datetime(2026, 3, 9, 0, 0, tzinfo=RIGA)),
    ]

    response = client_for(riga_manager).get(URL, {"view": "week", "date": "2026-03-04"})

    assert shown(response) == {a.pk for a in inside}
    html = response.content.decode()
    assert 'data-slot="2026-03-02T00:00"' in html and 'data-slot="2026-03-08T23:00"' in html
    assert 'data-slot="2026-03-09T00:00"' not in html
    assert outside[0].pk not in shown(response)


def test_day_view_shows_one_day_in_its_hour_slot(riga_manager):
    nine = plan(riga_manager, at=dt.datetime(2026, 3, 4, 9, 30, tzinfo=RIGA))
    plan(riga_manager, at=dt.datetime(2026, 3, 5, 9, 30, tzinfo=RIGA))

    response = client_for(riga_manager).get(URL, {"view": "day", "date": "2026-03-04"})

    assert shown(response) == {nine.pk}
    html = response.content.decode()
    slot = re.search(r'data-slot="2026-03-04T09:00".*?</div>\s*</div>', html, re.S).group(0)
    assert f'data-record="activity-{nine.pk}"' in slot


def test_month_view_covers_whole_weeks_around_the_month(riga_manager):
    # March 2026: Sunday the 1st to Tuesday the 31st -> Monday 23 February to Sunday 5 April
    edges = [
        plan(riga_manager, "task", at=dt.datetime(2026, 2, 23, 8, 0, tzinfo=RIGA)),
        plan(riga_manager, "task", at=dt.datetime(2026, 4, 5, 20, 0, tzinfo=RIGA)),
    ]
    plan(riga_manager, "task", at=dt.datetime(2026, 2, 22, 20, 0, tzinfo=RIGA))
    plan(riga_manager, "task", at=dt.datetime(2026, 4, 6, 8, 0, tzinfo=RIGA))

    response = client_for(riga_manager).get(URL, {"view": "month", "date": "2026-03-17"})

    assert shown(response) == {a.pk for a in edges}
    html = response.content.decode()
    assert html.count('role="gridcell"') == 42
    assert 'data-date="2026-02-23"' in html and 'data-date="2026-04-05"' in html


def test_whose_calendar_follows_the_visibility_rule(manager, colleague, stranger, head):
    at = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
    mine = plan(manager, at=at)
    teammates = plan(colleague, at=at)
    strangers = plan(stranger, at=at)
    week = {"view": "week", "date": "2026-03-04"}

    assert shown(client_for(manager).get(URL, week)) == {mine.pk}
    assert shown(client_for(manager).get(URL, {**week, "owner": colleague.pk})) == set()
    assert shown(client_for(head).get(URL, {**week, "owner": colleague.pk})) == {teammates.pk}
    assert shown(client_for(head).get(URL, {**week, "team": manager.team_id})) == {
        mine.pk,
        teammates.pk,
    }
    assert strangers.pk not in shown(client_for(head).get(URL, {**week, "team": manager.team_id}))


def test_an_empty_slot_offers_a_form_that_creates_there(riga_manager):
    response = client_for(riga_manager).get(URL, {"view": "day", "date": "2026-03-04"})
    html = response.content.decode()

    assert '<dialog id="cal-dialog"' in html
    assert f'hx-post="{reverse("activities:activity-create")}"' in html
    assert 'data-slot="2026-03-04T14:00"' in html
    created = client_for(riga_manager).post(
        reverse("activities:activity-create"),
        {
            "kind": "meeting",
            "subject": "Measure",
            "start": "2026-03-04T14:00",
            "next": "/calendar/?view=day&date=2026-03-04",
        },
        headers={"HX-Request": "true"},
    )
    assert created.status_code == 204
    assert created["HX-Redirect"] == "/calendar/?view=day&date=2026-03-04"
    assert Activity.objects.get().start_at == dt.datetime(2026, 3, 4, 14, 0, tzinfo=RIGA)
    error = client_for(riga_manager).post(
        reverse("activities:activity-create"),
        {"kind": "meeting", "subject": "", "start": "2026-03-04T15:00"},
        headers={"HX-Request": "true"},
    )
    assert error.status_code == 422 and 'id="err-subject"' in error.content.decode()
    assert "<html" not in error.content.decode()  # the form alone, swapped into the dialog


@pytest.mark.parametrize(
    "params",
    [
        {"view": "<script>alert(1)</script>"},
        {"date": "2026-02-30"},
        {"date": "'; DROP TABLE x; --"},
        {"date": "0001-01-01"},
        {"owner": "=HYPERLINK(1)"},
        {"team": "-1"},
    ],
)
def test_bad_parameters_are_a_clear_400(manager, params):
    response = client_for(manager).get(URL, params)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="alert alert-error"' in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_calendar_query_count_does_not_grow(
    manager, colleague, head, django_assert_num_queries, view
):
    client = client_for(head)
    start = dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)

    def add(n):
        for i in range(n):
            plan(manager, at=start + dt.timedelta(minutes=10 * i))
            plan(colleague, "task", at=start + dt.timedelta(minutes=10 * i + 5))

    params = {"view": view, "date": "2026-03-04", "team": manager.team_id}
    add(3)
    with django_assert_num_queries(CALENDAR_QUERIES):
        assert client.get(URL, params).status_code == 200
    add(30)
    with django_assert_num_queries(CALENDAR_QUERIES):
        assert len(shown(client.get(URL, params))) == 66


CALENDAR_QUERIES = 6


# --- rescheduling by drag ----------------------------------------------------------------------


def move(client, activity, start, version=None):
    return client.post(
        reverse("activities:reschedule", args=[activity.pk]),
        {"start": start, "version": activity.version if version is None else version},
        headers={"HX-Request": "true"},
    )


def test_a_meeting_moves_with_its_length(riga_manager):
    meeting = plan(
        riga_manager,
        at=dt.datetime(2026, 3, 4, 9, 15, tzinfo=RIGA),
        end_at=dt.datetime(2026, 3, 4, 10, 45, tzinfo=RIGA),
    )

    response = move(client_for(riga_manager), meeting, "2026-03-06T14:15")

    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.start_at == dt.datetime(2026, 3, 6, 14, 15, tzinfo=RIGA)
    assert meeting.end_at == dt.datetime(2026, 3, 6, 15, 45, tzinfo=RIGA)
    assert meeting.when == meeting.start_at and meeting.version == 2
    assert 'data-version="2"' in response.content.decode()  # the moved card, up to date


def test_a_task_gets_a_new_due_time(riga_manager):
    task = plan(riga_manager, "task", at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=RIGA))

    assert move(client_for(riga_manager), task, "2026-03-05T11:30").status_code == 200
    task.refresh_from_db()
    assert task.due_at == dt.datetime(2026, 3, 5, 11, 30, tzinfo=RIGA) and task.start_at is None


def test_a_stale_move_is_409_and_changes_nothing(riga_manager):
    at = dt.datetime(2026, 3, 4, 9, 0, tzinfo=RIGA)
    meeting = plan(riga_manager, at=at)
    services.activity_update(
        actor=Actor.of_user(riga_manager),
        activity_id=meeting.pk,
        version=1,
        data={"subject": "Theirs"},
    )

    response = move(client_for(riga_manager), meeting, "2026-03-06T14:00", version=1)

    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.start_at == at and meeting.version == 2


def test_moving_an_invisible_activity_is_404(manager, stranger):
    theirs = plan(stranger, at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC))

    assert move(client_for(manager), theirs, "2026-03-06T14:00").status_code == 404
    theirs.refresh_from_db()
    assert theirs.version == 1


def test_a_role_that_may_not_edit_gets_403(manager, make_user):
    meeting = plan(manager, at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC))
    reader = make_user(Role.READ_ONLY)

    assert move(client_for(reader), meeting, "2026-03-06T14:00").status_code == 403
    meeting.refresh_from_db()
    assert meeting.version == 1


@pytest.mark.parametrize(
    ("start", "version"),
    [
        ("", 1),
        ("tomorrow", 1),
        ("<script>alert(1)</script>", 1),
        ("2026-03-06T14:00", ""),
        ("2026-03-06T14:00", "abc"),
        ("2026-03-06T14:00", "0"),
    ],
)
def test_a_bad_move_is_422_and_changes_nothing(manager, start, version):
    meeting = plan(manager, at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC))

    response = move(client_for(manager), meeting, start, version=version)

    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.version == 1
