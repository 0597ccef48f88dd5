"""Services of activities: create, update, delete, complete, and their rules."""

from __future__ import annotations

import datetime as dt

import pytest

from kliento.activities import services
from kliento.activities.models import Activity, Reminder
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kliento.core.models import AuditEvent, CustomField, Notification
from tests.activities.conftest import T0
from tests.factories import ContactFactory, DealFactory, LeadFactory

pytestmark = pytest.mark.django_db


def create(actor, **data):
    data.setdefault("kind", "meeting")
    data.setdefault("subject", "Measure the windows")
    return services.activity_create(actor=actor, data=data)


def test_create_sets_owner_team_when_and_audits(actor, manager):
    # given a manager
    # when they plan a meeting
    activity = create(actor, start_at=T0, end_at=T0 + dt.timedelta(hours=1))

    # then it is theirs, in their team, and sorts at its start
    assert activity.owner_id == manager.pk
    assert activity.team_id == manager.team_id
    assert activity.when == T0
    assert activity.version == 1
    event = AuditEvent.objects.get(record_type="activity", record_id=activity.pk)
    assert event.action == "create"
    assert event.changes["subject"] == "Measure the windows"


def test_when_falls_back_to_due_then_to_recording_time(actor):
    task = create(actor, kind="task", due_at=T0)
    note = create(actor, kind="note")

    assert task.when == T0
    assert note.when == note.created_at


def test_end_before_start_is_refused_and_nothing_written(actor):
    with pytest.raises(ValidationFailed) as exc:
        create(actor, start_at=T0, end_at=T0 - dt.timedelta(minutes=1))

    assert [e.field for e in exc.value.errors] == ["end_at"]
    assert Activity.objects.count() == 0


def test_records_the_deal_stage_at_creation(actor, manager):
    deal = DealFactory(owner=manager)

    activity = create(actor, deal_id=deal.pk)

    assert activity.deal_stage_id == deal.stage_id


def test_links_must_be_visible_to_the_caller(actor, stranger):
    # given a contact of a manager in another team
    foreign = ContactFactory(owner=stranger)
    lead = LeadFactory(owner=stranger)

    # when linking to it
    with pytest.raises(ValidationFailed) as exc:
        create(actor, contact_id=foreign.pk, lead_id=lead.pk)

    # then both links are refused as field errors
    assert {e.field for e in exc.value.errors} == {"contact_id", "lead_id"}
    assert Activity.objects.count() == 0


def test_a_team_contact_may_be_linked(actor, colleague):
    contact = ContactFactory(owner=colleague)

    activity = create(actor, contact_id=contact.pk)

    assert activity.contact_id == contact.pk


def test_a_manager_may_not_give_an_activity_to_someone_else(actor, colleague):
    with pytest.raises(ValidationFailed) as exc:
        create(actor, owner_id=colleague.pk)

    assert exc.value.errors[0].field == "owner_id"


def test_head_of_sales_may_assign_and_team_follows_owner(head, stranger):
    activity = create(Actor.of_user(head), owner_id=stranger.pk)

    assert activity.owner_id == stranger.pk
    assert activity.team_id == stranger.team_id


def test_read_only_may_not_create(make_user):
    reader = make_user(Role.READ_ONLY)

    with pytest.raises(PermissionDenied):
        create(Actor.of_user(reader))


def test_reminders_get_fire_times_and_need_a_time(actor):
    activity = create(actor, start_at=T0, reminders=[15, 60, 15])

    fire = dict(Reminder.objects.filter(activity=activity).values_list("minutes_before", "fire_at"))
    assert fire == {15: T0 - dt.timedelta(minutes=15), 60: T0 - dt.timedelta(minutes=60)}

    with pytest.raises(ValidationFailed) as exc:
        create(actor, kind="note", reminders=[10])
    assert exc.value.errors[0].field == "reminders"


def test_update_with_stale_version_is_a_conflict_and_changes_nothing(actor):
    activity = create(actor)
    services.activity_update(actor=actor, activity_id=activity.pk, version=1, data={"body": "a"})

    with pytest.raises(Conflict):
        services.activity_update(
            actor=actor, activity_id=activity.pk, version=1, data={"subject": "lost"}
        )

    activity.refresh_from_db()
    assert activity.subject == "Measure the windows"
    assert activity.version == 2


def test_update_audits_before_and_after(actor):
    activity = create(actor)

    services.activity_update(
        actor=actor, activity_id=activity.pk, version=1, data={"subject": "Install"}
    )

    event = AuditEvent.objects.filter(record_id=activity.pk, action="update").get()
    assert event.changes["subject"] == ["Measure the windows", "Install"]


def test_moving_the_time_recomputes_reminders_and_refires_fired_ones(actor):
    activity = create(actor, start_at=T0, reminders=[30])
    old = Reminder.objects.get(activity=activity)
    Reminder.objects.filter(pk=old.pk).update(fired_at=T0)

    # when the meeting moves by a day
    services.activity_update(
        actor=actor,
        activity_id=activity.pk,
        version=1,
        data={"start_at": T0 + dt.timedelta(days=1)},
    )

    # then a new reminder row (new key) waits for the new time
    new = Reminder.objects.get(activity=activity)
    assert new.pk != old.pk
    assert new.fired_at is None
    assert new.fire_at == T0 + dt.timedelta(days=1, minutes=-30)


def test_an_unchanged_time_keeps_a_fired_reminder_fired(actor):
    activity = create(actor, start_at=T0, reminders=[30])
    Reminder.objects.filter(activity=activity).update(fired_at=T0)

    services.activity_update(actor=actor, activity_id=activity.pk, version=1, data={"body": "x"})

    assert Reminder.objects.get(activity=activity).fired_at == T0


def test_unfired_reminder_moves_in_place_and_removed_minutes_are_deleted(actor):
    activity = create(actor, start_at=T0, reminders=[30, 60])
    kept = Reminder.objects.get(activity=activity, minutes_before=30)

    services.activity_update(
        actor=actor,
        activity_id=activity.pk,
        version=1,
        data={"start_at": T0 + dt.timedelta(hours=2), "reminders": [30]},
    )

    rows = list(Reminder.objects.filter(activity=activity))
    assert [r.pk for r in rows] == [kept.pk]
    assert rows[0].fire_at == T0 + dt.timedelta(hours=2, minutes=-30)


def test_other_team_activity_is_not_found(actor, stranger):
    theirs = create(Actor.of_user(stranger))

    with pytest.raises(NotFound):
        services.activity_update(actor=actor, activity_id=theirs.pk, version=1, data={})
    with pytest.raises(NotFound):
        services.activity_delete(actor=actor, activity_id=theirs.pk)


def test_delete_archives_and_its_reminder_reminds_nobody(actor, manager):
    activity = create(actor, start_at=T0, reminders=[5])

    services.activity_delete(actor=actor, activity_id=activity.pk)
    reminder = Reminder.objects.get()
    fired = services.reminder_fire(reminder_id=reminder.pk, now=T0)

    assert not Activity.objects.exists()
    assert Activity.all_objects.get().archived_at is not None
    assert AuditEvent.objects.filter(record_id=activity.pk, action="archive").exists()
    assert fired and not Notification.objects.filter(user=manager).exists()


def test_complete_records_outcome_and_creates_one_follow_up(actor, manager):
    deal = DealFactory(owner=manager)
    activity = create(actor, deal_id=deal.pk, start_at=T0)
    due = T0 + dt.timedelta(days=3)

    # when completed twice (a retry)
    for _ in range(2):
        services.activity_complete(
            actor=actor,
            activity_id=activity.pk,
            outcome="successful",
            outcome_text="Liked the offer",
            next_step="Send the contract",
            next_step_due_at=due,
        )

    # then it is done with its outcome, and exactly one follow-up exists
    activity.refresh_from_db()
    assert activity.done and activity.done_at is not None
    assert activity.outcome == "successful"
    assert activity.outcome_text == "Liked the offer"
    follow_up = Activity.objects.get(follow_up_of=activity)
    assert follow_up.subject == "Send the contract"
    assert follow_up.due_at == due
    assert follow_up.when == due
    assert follow_up.deal_id == deal.pk
    assert follow_up.owner_id == manager.pk
    assert follow_up.kind == "task"


def test_complete_refuses_unknown_outcome(actor):
    activity = create(actor)

    with pytest.raises(ValidationFailed):
        services.activity_complete(actor=actor, activity_id=activity.pk, outcome="great")

    activity.refresh_from_db()
    assert not activity.done


def test_complete_with_stale_version_conflicts(actor):
    activity = create(actor)

    with pytest.raises(Conflict):
        services.activity_complete(actor=actor, activity_id=activity.pk, version=7)


def test_custom_fields_are_validated(actor):
    CustomField.objects.create(
        record_type="activity", key="rooms", label="Rooms", field_type="number"
    )

    activity = create(actor, custom={"rooms": 3})
    assert activity.custom == {"rooms": 3}

    with pytest.raises(ValidationFailed) as exc:
        create(actor, custom={"rooms": "three"})
    assert exc.value.errors[0].field == "custom.rooms"


def test_required_custom_field_is_enforced_on_create(actor):
    CustomField.objects.create(
        record_type="activity", key="room", label="Room", field_type="text", required=True
    )

    with pytest.raises(ValidationFailed) as exc:
        create(actor)

    assert exc.value.errors[0].field == "custom.room"
