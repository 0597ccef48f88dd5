"""My day: today's and late work in the user's time zone, late deals, idle customers,
the paper diary's questions, and completing an activity in one click."""

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
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    make_pipeline,
    stage_of,
)

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# 23:30 UTC on 4 March is 08:30 on Thursday 5 March in Tokyo.
NOW = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)
URL = "/my-day/"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def tokyo_manager(manager):
    manager.time_zone = "Asia/Tokyo"
    manager.save()
    return manager


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan(user, kind="task", at=None, **data) -> Activity:
    at = at or NOW
    times = {"start_at": at} if kind == "meeting" else {"due_at": at}
    return services.activity_create(
        actor=Actor.of_user(user),
        data={"kind": kind, "subject": data.pop("subject", f"{kind} at {at}"), **times, **data},
    )


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="card" id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    return match.group(0)


def records(html: str, kind: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'data-record="{kind}-(\d+)"', html)}


def test_today_and_overdue_follow_the_users_time_zone(tokyo_manager, frozen):
    # given a manager in Tokyo, where it is already 5 March
    late = plan(
        tokyo_manager, at=dt.datetime(2026, 3, 5, 23, 59, tzinfo=TOKYO) - dt.timedelta(days=1)
    )
    first_today = plan(tokyo_manager, "call", at=dt.datetime(2026, 3, 5, 0, 0, tzinfo=TOKYO))
    last_today = plan(tokyo_manager, "meeting", at=dt.datetime(2026, 3, 5, 23, 59, tzinfo=TOKYO))
    tomorrow = plan(tokyo_manager, at=dt.datetime(2026, 3, 6, 0, 0, tzinfo=TOKYO))
    done_late = plan(tokyo_manager, at=dt.datetime(2026, 3, 1, 9, 0, tzinfo=TOKYO), done=True)
    note = plan(tokyo_manager, "note", at=dt.datetime(2026, 3, 5, 9, 0, tzinfo=TOKYO))

    # when they open My day
    html = client_for(tokyo_manager).get(URL).content.decode()

    # then the boundaries are Tokyo's midnights, and done work and notes are not listed
    assert records(section(html, "overdue"), "activity") == {late.pk}
    assert records(section(html, "today"), "activity") == {first_today.pk, last_today.pk}
    shown = records(html, "activity")
    assert tomorrow.pk not in shown and done_late.pk not in shown and note.pk not in shown


def test_only_ones_own_activities_are_listed(manager, colleague, head, frozen):
    mine = plan(manager, at=NOW - dt.timedelta(hours=1))
    theirs = plan(colleague, at=NOW - dt.timedelta(hours=1))

    html = client_for(head).get(URL).content.decode()  # the head sees both, owns neither
    assert records(html, "activity") == set()
    html = client_for(manager).get(URL).content.decode()
    assert records(html, "activity") == {mine.pk}
    assert theirs.pk not in records(html, "activity")


def test_reminders_due_today(tokyo_manager, frozen):
    soon = plan(tokyo_manager, at=dt.datetime(2026, 3, 5, 15, 0, tzinfo=TOKYO), reminders=[30])
    later = plan(tokyo_manager, at=dt.datetime(2026, 3, 7, 15, 0, tzinfo=TOKYO), reminders=[30])

    html = section(client_for(tokyo_manager).get(URL).content.decode(), "reminders")

    assert records(html, "activity") == {soon.pk}
    assert later.pk not in records(html, "activity")


def test_deals_past_their_expected_close_date(manager, colleague, frozen):
    pipeline = make_pipeline()
    today = dt.date(2026, 3, 4)  # the manager's zone is UTC
    late = DealFactory(
        owner=manager, pipeline=pipeline, expected_close_date=today - dt.timedelta(days=3)
    )
    DealFactory(owner=manager, pipeline=pipeline, expected_close_date=today)
    DealFactory(owner=manager, pipeline=pipeline, expected_close_date=None)
    DealFactory(
        owner=manager,
        pipeline=pipeline,
        stage=stage_of(pipeline, "Won"),
        status="won",
        expected_close_date=today - dt.timedelta(days=30),
    )
    DealFactory(
        owner=colleague, pipeline=pipeline, expected_close_date=today - dt.timedelta(days=3)
    )

    html = section(client_for(manager).get(URL).content.decode(), "deals")

    assert records(html, "deal") == {late.pk}


def test_idle_customers_have_no_activity_for_n_days(manager, colleague, frozen):
    quiet = ContactFactory(owner=manager, last_name="Quiet")
    never = ContactFactory(owner=manager, last_name="Never")
    busy = ContactFactory(owner=manager, last_name="Busy")
    planned = ContactFactory(owner=manager, last_name="Planned")
    other = ContactFactory(owner=colleague, last_name="Other")
    plan(manager, "call", at=NOW - dt.timedelta(days=40), contact_id=quiet.pk, done=True)
    plan(manager, "call", at=NOW - dt.timedelta(days=10), contact_id=busy.pk, done=True)
    plan(manager, "meeting", at=NOW + dt.timedelta(days=5), contact_id=planned.pk)
    silent_co = CompanyFactory(owner=manager)
    lively_co = CompanyFactory(owner=manager)
    plan(manager, "call", at=NOW - dt.timedelta(days=2), company_id=lively_co.pk, done=True)
    client = client_for(manager)

    html = section(client.get(URL).content.decode(), "idle")  # 30 days by default
    assert records(html, "contact") == {quiet.pk, never.pk}
    assert records(html, "company") == {silent_co.pk}
    assert other.pk not in records(html, "contact")

    html = section(client.get(URL, {"idle": "50"}).content.decode(), "idle")
    assert records(html, "contact") == {never.pk}

    html = section(client.get(URL, {"idle": "1"}).content.decode(), "idle")
    assert records(html, "contact") == {quiet.pk, never.pk, busy.pk}
    assert records(html, "company") == {silent_co.pk, lively_co.pk}


@pytest.mark.parametrize(
    "value", ["abc", "0", "-3", "99999999", "<script>alert(1)</script>", "'; DROP TABLE x"]
)
def test_bad_idle_days_are_a_400_showing_30_days_with_a_message(manager, frozen, value):
    response = client_for(manager).get(URL, {"idle": value})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-idle"' in html
    assert 'value="30"' in html
    assert "<script>alert(1)</script>" not in html


def test_the_diary_answers_at_a_glance(tokyo_manager, frozen):
    # given meetings in Tokyo: this week's Monday is 2 March, three weeks before it 9 February
    week = dt.datetime(2026, 2, 9, 10, 0, tzinfo=TOKYO)
    for offset, outcome in [(0, "successful"), (2, "successful"), (4, "failed"), (6, "")]:
        plan(
            tokyo_manager,
            "meeting",
            at=week + dt.timedelta(days=offset),
            outcome=outcome,
            done=True,
        )
    plan(
        tokyo_manager,
        "meeting",
        at=week - dt.timedelta(minutes=601),
        outcome="successful",
        done=True,
    )  # Sunday before
    plan(tokyo_manager, "call", at=week, outcome="successful", done=True)
    for day in (1, 15, 30):
        plan(tokyo_manager, "meeting", at=dt.datetime(2026, 4, day, 10, 0, tzinfo=TOKYO))
    plan(tokyo_manager, "meeting", at=dt.datetime(2026, 5, 1, 0, 0, tzinfo=TOKYO))
    plan(tokyo_manager, "meeting", at=dt.datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO))
    customer = ContactFactory(owner=tokyo_manager, first_name="Ilze", last_name="Ozola")
    talk = plan(tokyo_manager, "meeting", at=NOW - dt.timedelta(days=1), contact_id=customer.pk)
    services.activity_complete(
        actor=Actor.of_user(tokyo_manager),
        activity_id=talk.pk,
        outcome="successful",
        next_step="Sign the contract",
        next_step_kind="meeting",
        next_step_due_at=NOW + dt.timedelta(days=3),
    )
    follow_up = Activity.objects.get(follow_up_of=talk)

    html = section(client_for(tokyo_manager).get(URL).content.decode(), "diary")

    three = re.search(r'data-diary="three-weeks-ago">([^<]*)<', html).group(1)
    assert "4 meetings, 2 ended well" in three
    assert "3 meetings" in re.search(r'data-diary="next-month">([^<]*)<', html).group(1)
    assert records(html, "activity") == {follow_up.pk}
    assert "Ilze" in html and "<svg" in html and "style=" not in html


def test_my_day_query_count_does_not_grow(manager, frozen, django_assert_num_queries):
    pipeline = make_pipeline()

    def add_rows(n):
        for i in range(n):
            contact = ContactFactory(owner=manager)
            company = CompanyFactory(owner=manager)
            plan(manager, "call", at=NOW - dt.timedelta(days=1, minutes=i), contact_id=contact.pk)
            plan(
                manager,
                "meeting",
                at=NOW + dt.timedelta(minutes=i + 1),
                company_id=company.pk,
                reminders=[5],
            )
            plan(
                manager,
                "meeting",
                at=NOW - dt.timedelta(days=21 + i % 5),
                outcome="successful",
                done=True,
            )
            DealFactory(owner=manager, pipeline=pipeline, expected_close_date=dt.date(2026, 1, 1))

    client = client_for(manager)
    add_rows(3)
    with django_assert_num_queries(MYDAY_QUERIES):
        assert client.get(URL).status_code == 200
    add_rows(30)
    with django_assert_num_queries(MYDAY_QUERIES):
        assert client.get(URL).status_code == 200


MYDAY_QUERIES = 14  # +2: which of the linked contacts and deals the user may see


# --- completing an activity ------------------------------------------------------------


def complete_url(activity: Activity) -> str:
    return reverse("activities:complete", args=[activity.pk])


def test_complete_a_call_with_its_outcome_in_one_line(manager):
    call = plan(manager, "call", at=timezone.now() - dt.timedelta(hours=1))

    response = client_for(manager).post(
        complete_url(call),
        {"version": call.version, "outcome": "successful", "outcome_text": "Wants two windows"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    call.refresh_from_db()
    assert call.done and call.outcome == "successful" and call.outcome_text == "Wants two windows"
    assert f'id="activity-{call.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()  # the row alone


def test_complete_a_task_with_one_click_without_htmx_redirects(manager):
    task = plan(manager, "task", at=timezone.now())

    response = client_for(manager).post(complete_url(task), {"version": task.version})

    assert response.status_code == 302 and response["Location"] == "/my-day/"
    task.refresh_from_db()
    assert task.done and task.done_at is not None


def test_complete_with_a_stale_version_is_409_and_changes_nothing(manager):
    call = plan(manager, "call", at=timezone.now())
    services.activity_update(
        actor=Actor.of_user(manager), activity_id=call.pk, version=1, data={"subject": "Changed"}
    )

    response = client_for(manager).post(
        complete_url(call), {"version": 1, "outcome": "failed"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    call.refresh_from_db()
    assert not call.done and call.outcome == "" and call.version == 2


def test_complete_someone_elses_activity_is_404(manager, stranger):
    theirs = plan(stranger, "call", at=timezone.now())

    response = client_for(manager).post(complete_url(theirs), {"version": 1})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.done


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "<script>alert(1)</script>"}, "outcome"),
        ({"outcome": "successful", "version": "abc"}, "version"),
        ({"outcome_text": "x" * 20001}, "outcome_text"),
        ({"outcome_text": "nul\x00byte"}, "outcome_text"),
    ],
)
def test_bad_completion_is_422_and_changes_nothing(manager, data, field):
    call = plan(manager, "call", at=timezone.now())
    data = {"version": call.version, **data}

    response = client_for(manager).post(complete_url(call), data, headers={"HX-Request": "true"})

    assert response.status_code == 422, field
    assert "<script>alert(1)</script>" not in response.content.decode()
    call.refresh_from_db()
    assert not call.done and call.version == 1


def test_hostile_text_is_shown_inert(manager):
    call = plan(
        manager,
        "call",
        at=timezone.now() - dt.timedelta(days=2),
        subject="<script>alert(1)</script>",
    )
    ActivityFactory(owner=manager, subject='=HYPERLINK("http://x")', due_at=timezone.now())

    html = client_for(manager).get(URL).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'data-record="activity-{call.pk}"' in html
