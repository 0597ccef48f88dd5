"""The demo's story is dated from the day it is loaded: every manager's My day is full."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kliento.activities.models import Activity, Reminder
from kliento.core.models import User
from kliento.demo import story
from kliento.demo.base import DEMO_TIME_ZONE

MANAGERS = ["janis", "olga", "james", "ekaterina"]


@pytest.fixture
def demo(db) -> None:
    story.load()


def _my_day(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("activities:my-day"))
    assert response.status_code == 200
    return response.content.decode()


def _box(html: str, box: str) -> str:
    found = re.search(rf'<section class="card" id="{box}".*?</section>', html, re.DOTALL)
    assert found is not None, box
    return found[0]


def _rows(html: str, box: str) -> int:
    return len(re.findall(r'<li[^>]* data-record="', _box(html, box)))


def _three_weeks_ago(today: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    monday = today - dt.timedelta(days=today.weekday(), weeks=3)
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    return start, start + dt.timedelta(weeks=1)


def test_janis_has_overdue_and_today_items_and_met_customers_three_weeks_ago(demo):
    html = _my_day("janis")

    assert _rows(html, "overdue") >= 1
    today = _box(html, "today")
    assert _rows(html, "today") >= 1
    assert "Task" in today and "Meeting" in today  # today's tasks and meetings
    diary = re.search(r'data-diary="three-weeks-ago">(\d+) meetings?, (\d+) ended well', html)
    assert diary is not None and int(diary[1]) >= 1 and int(diary[2]) >= 1
    # and those meetings are janis's own, done, with how they went
    zone = ZoneInfo(DEMO_TIME_ZONE)
    start, end = _three_weeks_ago(timezone.localtime(timezone.now(), zone).date(), zone)
    met = Activity.objects.filter(
        owner__username="janis", kind="meeting", when__gte=start, when__lt=end
    )
    assert met.exists() and not met.filter(done=False).exists()
    assert not met.filter(outcome="").exists()


@pytest.mark.parametrize("username", MANAGERS)
def test_every_box_of_a_managers_day_has_something(demo, username):
    html = _my_day(username)

    for box in ("overdue", "today", "reminders", "deals", "idle"):
        assert _rows(html, box) >= 1, box
    assert _rows(html, "diary") >= 1  # a coming follow-up meeting
    three_weeks = re.search(r'data-diary="three-weeks-ago">\D*(\d+)', html)
    next_month = re.search(r'data-diary="next-month">\D*(\d+)', html)
    assert three_weeks and int(three_weeks[1]) >= 1
    assert next_month and int(next_month[1]) >= 1


@pytest.mark.parametrize("username", ["andris", "sergejs", "thomas"])
def test_the_measurer_installer_and_consultant_keep_a_diary_too(demo, username):
    html = _my_day(username)

    three_weeks = re.search(r'data-diary="three-weeks-ago">(\d+) meetings?, (\d+) ended', html)
    assert three_weeks and int(three_weeks[1]) >= 1
    assert _rows(html, "diary") >= 1  # their own coming follow-up visit
    follow_ups = Activity.objects.filter(
        owner__username=username, done=False, follow_up_of__owner__username=username
    )
    assert follow_ups.exists()


def test_reminders_that_are_already_due_count_as_sent(demo):
    now = timezone.now()

    assert not Reminder.objects.filter(fired_at__isnull=True, fire_at__lte=now).exists()
    assert not Reminder.objects.filter(fired_at__isnull=False, fire_at__gt=now).exists()


def test_open_steps_come_after_the_stage_they_belong_to_was_entered(demo):
    for activity in Activity.objects.filter(done=False).select_related("deal"):
        assert activity.deal is not None
        assert activity.when >= activity.deal.stage_entered_at, activity.subject
