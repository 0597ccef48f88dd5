"""The demo story: two businesses, every role, every stage, a year of history."""

from __future__ import annotations

import datetime as dt

import filetype
import phonenumbers
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from kliento.activities.models import Activity, Reminder
from kliento.core.choices import Role
from kliento.core.models import Attachment, CustomField, User
from kliento.core.text import search_key
from kliento.customers.models import Channel, Company, Contact
from kliento.demo import story
from kliento.sales.models import Deal, DealParticipant, DealReason, Lead, Pipeline, StageChange


def test_the_story_has_both_pipelines_with_their_stages(db):
    story.load()

    windows = Pipeline.objects.get(name="Windows")
    assert list(windows.stages.values_list("name", flat=True)) == [
        "First call", "Measurement", "Approval", "Payment", "Installation", "Won", "Lost",
    ]  # fmt: skip
    supply = Pipeline.objects.get(name="Industrial supply")
    assert list(supply.stages.values_list("name", flat=True)) == [
        "First interest", "Presentation", "Negotiation and contract", "Delivery",
        "Consulting and training", "Won", "Lost",
    ]  # fmt: skip


def test_the_story_has_users_of_every_role_in_two_teams(db):
    story.load()

    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for team in ("Windows team", "B2B team"):
        assert User.objects.filter(team__name=team, role=Role.MANAGER).count() >= 2
    assert User.objects.get(username="admin").check_password(story.DEMO_PASSWORD)


def test_deals_sit_in_every_stage_with_reasons_and_history(db):
    story.load()
    now = timezone.now()

    for pipeline in Pipeline.objects.all():
        for stage in pipeline.stages.all():
            assert Deal.objects.filter(stage=stage).exists(), stage.name
    for deal in Deal.objects.filter(status="won"):
        assert deal.won_reason is not None and deal.closed_at is not None
    for deal in Deal.objects.filter(status="lost"):
        assert deal.lost_reason is not None and deal.lost_at_stage is not None
    assert {"Best price", "Too expensive", "Chose a competitor", "No follow-up"} <= set(
        DealReason.objects.values_list("name", flat=True)
    )
    # Every deal's history ends in its current stage and spreads over the past year.
    for deal in Deal.objects.all():
        last = StageChange.objects.filter(deal=deal).order_by("-at", "-id").first()
        assert last is not None and last.to_stage_id == deal.stage_id
    times = StageChange.objects.values_list("at", flat=True)
    assert min(times) < now - dt.timedelta(days=180) and max(times) <= now
    assert not Deal.objects.exclude(team_id=F("owner__team_id")).exists()


def test_measurer_and_installer_take_part_in_window_deals(db):
    story.load()

    assert DealParticipant.objects.filter(role="measurer", user__username="andris").exists()
    assert DealParticipant.objects.filter(role="installer", user__username="sergejs").exists()
    # The measurer attached the dimensions to a deal, and the files are really stored.
    sketch = Attachment.objects.filter(original_name="window-sketch.png").first()
    assert sketch is not None and sketch.uploaded_by.username == "andris"
    for attachment in Attachment.objects.all():
        assert default_storage.exists(attachment.file.name)
        with default_storage.open(attachment.file.name) as fh:
            data = fh.read()
        assert len(data) == attachment.size
        if attachment.content_type != "text/plain":
            assert filetype.guess_mime(data) == attachment.content_type


def test_customers_have_keys_and_valid_channels(db):
    story.load()

    for c in Contact.objects.all():
        assert c.name_key == search_key(c.last_name, c.first_name, c.middle_name)
        assert c.team_id == c.owner.team_id
        assert Channel.objects.get(contact=c, kind="email", is_primary=True).value == c.email
    assert Contact.objects.filter(last_name__in=["Иванов", "Иванова", "Смирнов", "Смирнова",
        "Кузнецов", "Кузнецова", "Попов", "Попова", "Петров", "Петрова", "Соколов", "Соколова",
        "Михайлов", "Михайлова", "Новиков", "Новикова", "Фёдоров", "Фёдорова", "Морозов",
        "Морозова", "Волков", "Волкова", "Лебедев", "Лебедева", "Козлов", "Козлова", "Орлов",
        "Орлова", "Зайцев", "Зайцева"]).exists()  # fmt: skip
    for company in Company.objects.all():
        assert company.name_key == search_key(company.name)
    for phone in Channel.objects.filter(kind="phone").values_list("normalized", flat=True):
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone)), phone


def test_activities_span_a_year_with_outcomes_and_upcoming_reminders(db):
    story.load()
    now = timezone.now()

    past = Activity.objects.filter(done=True, when__lt=now)
    assert past.exclude(outcome="").exists()
    assert {"call", "meeting", "task", "note"} <= set(past.values_list("kind", flat=True))
    assert past.filter(when__lt=now - dt.timedelta(days=150)).exists()
    upcoming = Activity.objects.filter(done=False, when__gt=now)
    assert upcoming.exists()
    for reminder in Reminder.objects.filter(activity__in=upcoming):
        assert reminder.fire_at == reminder.activity.when - dt.timedelta(
            minutes=reminder.minutes_before
        )
    assert Reminder.objects.count() >= upcoming.count()


def test_leads_carry_utm_data_and_quiz_answers(db):
    story.load()

    web = Lead.objects.filter(channel="web_form")
    assert web.exclude(utm_source="").exists()
    assert all("How many windows?" in lead.answers for lead in web)
    assert Lead.objects.filter(status="converted", contact__isnull=False).exists()


def test_custom_fields_exist_and_have_values(db):
    story.load()

    keys = set(CustomField.objects.values_list("key", flat=True))
    assert {"cups_of_coffee", "window_count", "segment_size"} <= keys
    assert Deal.objects.filter(custom__has_key="window_count").exists()
    assert Company.objects.filter(custom__segment_size="large").exists()


def test_loading_twice_duplicates_nothing(db):
    story.load()
    counts = [m.objects.count() for m in (User, Contact, Company, Deal, Activity, Attachment)]

    story.load()

    assert [m.objects.count() for m in (User, Contact, Company, Deal, Activity, Attachment)] == (
        counts
    )
