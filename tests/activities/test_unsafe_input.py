"""Activities: strict types for times, ids and flags; no control or text-direction characters."""

from __future__ import annotations

import pytest

from kliento.activities import services
from kliento.activities.models import Activity, Reminder
from kliento.core.actors import Actor
from kliento.core.errors import ValidationFailed
from tests.activities.conftest import T0
from tests.factories import ContactFactory

T0_TEXT = T0.isoformat()


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [e["field"] for e in response.json()["errors"]]


def _created(user, **data) -> Activity:
    return services.activity_create(
        actor=Actor.of_user(user), data={"kind": "task", "subject": "Call Anna", **data}
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("due_at", 1772442000),
        ("due_at", 1772442000.5),
        ("start_at", 0),
        ("end_at", True),
        ("contact_id", "1"),
        ("company_id", "1"),
        ("deal_id", "1"),
        ("lead_id", "1"),
        ("owner_id", "1"),
        ("done", "true"),
        ("done", 1),
    ],
)
def test_loose_types_are_refused_on_create(api, manager, field, value):
    body = {"kind": "task", "subject": "Call Anna", field: value}
    assert field in _fields(api(manager).post("/activities", body))
    assert not Activity.objects.exists()


def test_a_number_for_a_time_is_refused_with_a_plain_message(api, manager):
    response = api(manager).post("/activities", {"kind": "task", "subject": "S", "due_at": 17})
    assert response.json()["errors"] == [
        {"field": "due_at", "message": "Must be a date-time with a time zone (ISO 8601)."}
    ]


@pytest.mark.parametrize(
    ("field", "value"), [("due_at", 1772442000), ("contact_id", "1"), ("version", "1")]
)
def test_loose_types_are_refused_on_update(api, manager, field, value):
    activity = _created(manager, due_at=T0)
    body = {"version": 1, field: value}
    assert field in _fields(api(manager).patch(f"/activities/{activity.pk}", body))
    activity.refresh_from_db()
    assert (activity.due_at, activity.version) == (T0, 1)


@pytest.mark.parametrize(("field", "value"), [("next_step_due_at", 1772442000), ("version", "1")])
def test_loose_types_are_refused_on_complete(api, manager, field, value):
    activity = _created(manager)
    body = {"next_step": "Send the offer", field: value}
    assert field in _fields(api(manager).post(f"/activities/{activity.pk}/complete", body))
    activity.refresh_from_db()
    assert not activity.done
    assert Activity.objects.count() == 1


def test_times_and_ids_in_their_proper_types_are_taken(api, manager):
    contact = ContactFactory(owner=manager)
    body = {"kind": "task", "subject": "Call Anna", "due_at": T0_TEXT, "contact_id": contact.pk}
    response = api(manager).post("/activities", body)
    assert response.status_code == 201, response.content
    assert Activity.objects.get().due_at == T0


@pytest.mark.parametrize("value", [1772442000, T0_TEXT, T0.replace(tzinfo=None)])
def test_the_service_takes_only_an_aware_datetime(manager, value):
    with pytest.raises(ValidationFailed) as refused:
        _created(manager, due_at=value, reminders=[15])
    assert "due_at" in [e.field for e in refused.value.errors]
    assert not Activity.objects.exists() and not Reminder.objects.exists()


@pytest.mark.parametrize("char", ["\x1b]0;pwned\x07", "\u202e", "\u2067", "\x80", "\ud800"])
@pytest.mark.parametrize("field", ["subject", "next_step", "body", "outcome_text"])
def test_unsafe_characters_are_refused_in_every_text(api, manager, char, field):
    body = {"kind": "task", "subject": "Call Anna", field: f"a{char}b"}
    assert field in _fields(api(manager).post("/activities", body))
    assert not Activity.objects.exists()


def test_an_update_with_an_override_changes_nothing(api, manager):
    activity = _created(manager)
    body = {"version": 1, "subject": "Call \u202eannA", "body": "new"}
    assert "subject" in _fields(api(manager).patch(f"/activities/{activity.pk}", body))
    activity.refresh_from_db()
    assert (activity.subject, activity.body, activity.version) == ("Call Anna", "", 1)


def test_details_keep_their_lines(api, manager):
    body = {"kind": "note", "subject": "Visit", "body": "Kitchen:\r\n\t120 × 80"}
    assert api(manager).post("/activities", body).status_code == 201
    assert Activity.objects.get().body == "Kitchen:\r\n\t120 × 80"
