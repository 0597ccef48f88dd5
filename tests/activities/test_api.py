"""The /activities API: CRUD, complete, the diary questions, bad input, visibility, query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from kliento.activities.models import Activity, Reminder
from kliento.core.actors import Actor
from kliento.core.models import CustomField
from tests.activities.conftest import T0
from tests.factories import ContactFactory, DealFactory

pytestmark = pytest.mark.django_db


def iso(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def body(**overrides):
    data = {"kind": "meeting", "subject": "Measurement", "start_at": iso(T0)}
    data.update(overrides)
    return data


def test_create_returns_201_with_the_full_record(api, manager):
    contact = ContactFactory(owner=manager)
    deal = DealFactory(owner=manager)

    response = api(manager).post(
        "/activities",
        body(
            end_at=iso(T0 + dt.timedelta(hours=1)),
            contact_id=contact.pk,
            deal_id=deal.pk,
            reminders=[60, 15],
        ),
    )

    assert response.status_code == 201, response.content
    out = response.json()
    assert out["owner_id"] == manager.pk
    assert out["when"] == iso(T0)
    assert out["deal_stage_id"] == deal.stage_id
    assert [r["minutes_before"] for r in out["reminders"]] == [15, 60]
    assert out["version"] == 1


def test_detail_patch_delete_round_trip(api, manager):
    client = api(manager)
    created = client.post("/activities", body()).json()

    got = client.get(f"/activities/{created['id']}")
    assert got.status_code == 200

    patched = client.patch(
        f"/activities/{created['id']}", {"version": 1, "subject": "Measurement, 3 rooms"}
    )
    assert patched.status_code == 200
    assert patched.json()["subject"] == "Measurement, 3 rooms"
    assert patched.json()["version"] == 2

    stale = client.patch(f"/activities/{created['id']}", {"version": 1, "subject": "x"})
    assert stale.status_code == 409
    assert Activity.objects.get().subject == "Measurement, 3 rooms"

    assert client.delete(f"/activities/{created['id']}").status_code == 204
    archived = client.get(f"/activities/{created['id']}")  # archived: still readable
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    assert client.get("/activities").json()["items"] == []


def test_complete_endpoint_is_idempotent(api, manager):
    client = api(manager)
    created = client.post("/activities", body()).json()
    payload = {
        "outcome": "successful",
        "outcome_text": "Signed",
        "next_step": "Install",
        "next_step_due_at": iso(T0 + dt.timedelta(days=7)),
    }

    first = client.post(f"/activities/{created['id']}/complete", payload)
    second = client.post(f"/activities/{created['id']}/complete", payload)

    assert first.status_code == second.status_code == 200
    assert first.json()["done"] is True
    assert first.json()["outcome"] == "successful"
    assert Activity.objects.filter(follow_up_of_id=created["id"]).count() == 1


def test_invisible_activity_is_404_everywhere(api, manager, stranger):
    theirs = api(stranger).post("/activities", body()).json()
    client = api(manager)

    assert client.get(f"/activities/{theirs['id']}").status_code == 404
    assert client.patch(f"/activities/{theirs['id']}", {"version": 1}).status_code == 404
    assert client.delete(f"/activities/{theirs['id']}").status_code == 404
    assert client.post(f"/activities/{theirs['id']}/complete", {}).status_code == 404
    assert client.get("/activities").json()["items"] == []


def test_linking_an_invisible_contact_is_422(api, manager, stranger):
    foreign = ContactFactory(owner=stranger)

    response = api(manager).post("/activities", body(contact_id=foreign.pk))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_id"
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(kind="lunch"), "kind"),
        (body(subject=123), "subject"),
        (body(subject="x" * 301), "subject"),
        (body(subject="   "), "subject"),
        (body(body="x" * 20001), "body"),
        (body(start_at="tomorrow"), "start_at"),
        (body(start_at="2026-03-02T09:00:00"), "start_at"),  # no time zone
        (body(end_at=iso(T0 - dt.timedelta(hours=1))), "end_at"),
        (body(outcome="great"), "outcome"),
        (body(reminders=[-1]), "reminders.0"),
        (body(reminders=[40321]), "reminders.0"),
        (body(reminders=["ten"]), "reminders.0"),
        (body(reminders=list(range(11))), "reminders"),
        (body(contact_id="abc"), "contact_id"),
        (body(done="maybe"), "done"),
        (body(team_id=1), "team_id"),
        (body(version=5), "version"),
        (body(created_at=iso(T0)), "created_at"),
        (body(custom={"nope": 1}), "custom.nope"),
        (body(owner_id=999999), "owner_id"),
    ],
)
def test_bad_input_is_422_with_the_field_and_writes_nothing(api, manager, payload, field):
    response = api(manager).post("/activities", payload)

    assert response.status_code == 422, response.content
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields
    assert Activity.objects.count() == 0
    assert Reminder.objects.count() == 0


def test_malformed_json_is_422_and_writes_nothing(api, manager):
    response = api(manager).post("/activities", '{"kind": "call", "subject": ')

    assert response.status_code == 422
    assert Activity.objects.count() == 0


def test_bad_patch_is_422_and_changes_nothing(api, manager):
    client = api(manager)
    created = client.post("/activities", body()).json()

    for payload in (
        {"version": 1, "subject": "x" * 301},
        {"version": 1, "kind": "lunch"},
        {"version": 1, "unknown": 1},
        {"subject": "no version"},
        {"version": 1, "end_at": iso(T0 - dt.timedelta(days=1))},
    ):
        response = client.patch(f"/activities/{created['id']}", payload)
        assert response.status_code == 422, (payload, response.content)

    activity = Activity.objects.get()
    assert activity.subject == "Measurement"
    assert activity.version == 1


def test_bad_complete_is_422_and_changes_nothing(api, manager):
    client = api(manager)
    created = client.post("/activities", body()).json()

    for payload in (
        {"outcome": "great"},
        {"next_step": "x" * 301},
        {"next_step_due_at": "soon", "next_step": "Call"},
        {"unknown": True},
    ):
        assert client.post(f"/activities/{created['id']}/complete", payload).status_code == 422

    assert not Activity.objects.get().done
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "'; DROP TABLE activities;--", "=CMD()"]
)
def test_hostile_text_is_stored_and_returned_verbatim(api, manager, text):
    response = api(manager).post("/activities", body(subject=text, body=text))

    assert response.status_code == 201
    assert response.json()["subject"] == text
    assert Activity.objects.get().body == text


def test_diary_successful_meetings_in_a_week(api, manager):
    actor = Actor.of_user(manager)
    from kliento.activities import services

    def meeting(start, outcome, kind="meeting"):
        return services.activity_create(
            actor=actor,
            data={"kind": kind, "subject": "m", "start_at": start, "outcome": outcome},
        )

    inside = meeting(T0 + dt.timedelta(days=1), "successful")
    meeting(T0 + dt.timedelta(days=2), "failed")
    meeting(T0 + dt.timedelta(days=8), "successful")  # next week
    meeting(T0 + dt.timedelta(days=3), "successful", kind="call")

    response = api(manager).get(
        "/activities",
        {
            "kind": "meeting",
            "outcome": "successful",
            "when_after": iso(T0),
            "when_before": iso(T0 + dt.timedelta(days=7)),
        },
    )

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == [inside.pk]


def test_diary_meetings_planned_next_month_in_time_order(api, manager):
    client = api(manager)
    march, april, may = (dt.datetime(2026, m, 1, tzinfo=dt.UTC) for m in (3, 4, 5))
    ids = [
        client.post("/activities", body(start_at=iso(april + dt.timedelta(days=d)))).json()["id"]
        for d in (20, 2)
    ]
    client.post("/activities", body(start_at=iso(march + dt.timedelta(days=5))))
    client.post("/activities", body(start_at=iso(may)))

    response = client.get(
        "/activities",
        {"kind": "meeting", "when_after": iso(april), "when_before": iso(may), "ordering": "when"},
    )

    assert [a["id"] for a in response.json()["items"]] == [ids[1], ids[0]]


def test_diary_when_was_the_meeting_with_a_customer(api, manager):
    client = api(manager)
    customer = ContactFactory(owner=manager)
    other = ContactFactory(owner=manager)
    met = client.post("/activities", body(contact_id=customer.pk)).json()
    client.post("/activities", body(kind="call", contact_id=customer.pk))
    client.post("/activities", body(contact_id=other.pk))

    response = client.get("/activities", {"contact": customer.pk, "kind": "meeting"})

    items = response.json()["items"]
    assert [a["id"] for a in items] == [met["id"]]
    assert items[0]["when"] == iso(T0)


def test_filters_done_owner_team_deal_and_custom(api, manager, colleague, head):
    CustomField.objects.create(record_type="activity", key="room", label="Room", field_type="text")
    deal = DealFactory(owner=manager)
    client = api(manager)
    a = client.post("/activities", body(done=True, deal_id=deal.pk, custom={"room": "A"})).json()
    client.post("/activities", body(custom={"room": "B"}))
    api(colleague).post("/activities", body())

    assert [x["id"] for x in client.get("/activities", {"done": "true"}).json()["items"]] == [
        a["id"]
    ]
    assert [x["id"] for x in client.get("/activities", {"deal": deal.pk}).json()["items"]] == [
        a["id"]
    ]
    assert [x["id"] for x in client.get("/activities", {"custom.room": "A"}).json()["items"]] == [
        a["id"]
    ]
    boss = api(head)
    assert len(boss.get("/activities", {"owner": colleague.pk}).json()["items"]) == 1
    assert len(boss.get("/activities", {"team": manager.team_id}).json()["items"]) == 3


def test_bad_list_parameters_are_422(api, manager):
    client = api(manager)
    for params in (
        {"ordering": "body"},
        {"limit": 0},
        {"limit": 201},
        {"cursor": "not-a-cursor"},
        {"when_after": "yesterday"},
        {"kind": "lunch"},
        {"custom.nope": "1"},
    ):
        assert client.get("/activities", params).status_code == 422, params


def test_cursor_walks_every_row_once(api, manager):
    client = api(manager)
    created = {
        client.post("/activities", body(start_at=iso(T0 + dt.timedelta(hours=i % 3)))).json()["id"]
        for i in range(7)
    }
    seen, cursor = [], None
    while True:
        params = {"limit": 3, "ordering": "when"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/activities", params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert sorted(seen) == sorted(created)
    assert len(seen) == len(created)


def test_list_query_count_does_not_grow_with_rows(api, manager, django_assert_num_queries):
    client = api(manager)
    for i in range(6):
        client.post("/activities", body(start_at=iso(T0 + dt.timedelta(hours=i))))

    # token lookup, rights, the page
    with django_assert_num_queries(3):
        response = client.get("/activities", {"kind": "meeting"})

    assert len(response.json()["items"]) == 6


def test_timeline_lists_activities_of_a_contact(manager):
    from kliento.core.timeline import timeline_page

    actor = Actor.of_user(manager)
    contact = ContactFactory(owner=manager)
    from kliento.activities import services

    made = [
        services.activity_create(
            actor=actor,
            data={
                "kind": "call",
                "subject": f"call {i}",
                "due_at": T0 + dt.timedelta(days=i),
                "contact_id": contact.pk,
                "outcome": "no_answer",
            },
        )
        for i in range(3)
    ]

    entries, cursor = timeline_page("contact", contact.pk, cursor=None, limit=2)
    activity_entries = [e for e in entries if e.kind == "activity"]
    assert [e.id for e in activity_entries] == [made[2].pk, made[1].pk]
    assert activity_entries[0].data == {
        "activity_kind": "call",
        "subject": "call 2",
        "outcome": "no_answer",
        "done": False,
        "owner_id": manager.pk,
        "owner_name": manager.display_name,
    }
    rest, _ = timeline_page("contact", contact.pk, cursor=cursor, limit=50)
    assert made[0].pk in [e.id for e in rest if e.kind == "activity"]
    assert made[2].pk not in [e.id for e in rest if e.kind == "activity"]


def test_an_offset_past_what_postgresql_keeps_is_stored_as_the_same_moment_in_utc(api, manager):
    # ISO 8601 and Python allow +19:19; PostgreSQL keeps offsets up to 15:59.
    client = api(manager)

    created = client.post(
        "/activities",
        body(kind="note", due_at="1007-01-30T02:46:39.84+19:19", reminders=[2511, 1]),
    )
    listed = client.get("/activities", {"when_after": "1007-01-29T00:00:00+19:19"})
    too_early = client.post("/activities", body(due_at="0001-01-01T00:00:00+19:19"))

    assert created.status_code == 201, created.content
    stored = Activity.objects.get().due_at
    assert stored == dt.datetime(1007, 1, 29, 7, 27, 39, 840000, tzinfo=dt.UTC)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["items"]] == [created.json()["id"]]
    assert too_early.status_code == 422
    assert too_early.json()["errors"][0]["field"] == "due_at"
    assert Activity.objects.count() == 1
