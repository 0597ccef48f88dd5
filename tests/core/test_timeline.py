"""Timeline API: audited changes and attachments, newest first, paginated, visibility-checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kliento.core import attachments, timeline
from kliento.core.actors import Actor
from kliento.core.audit import record
from kliento.core.choices import AuditAction, Role
from kliento.core.models import AuditEvent
from tests.factories import PDF, CompanyFactory, ContactFactory, LeadFactory, upload


def _audit(actor, instance, action, changes, at=None):
    event = record(actor, action, instance, changes)
    if at is not None:
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
    return event


def _attach(api, user, record_type, record_id, name="plan.pdf"):
    response = api(user).upload(
        "/attachments",
        {"file": upload(name, PDF)},
        {"record_type": record_type, "record_id": str(record_id)},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_timeline_shows_changes_and_files_newest_first(api, manager):
    # given a company that was created, renamed, then got a file
    company = CompanyFactory(owner=manager, name="Logs")
    actor = Actor.of_user(manager)
    base = timezone.now() - dt.timedelta(hours=1)
    _audit(actor, company, AuditAction.CREATE, {"name": [None, "Logs"]}, at=base)
    _audit(
        actor,
        company,
        AuditAction.UPDATE,
        {"name": ["Logs", "Logi"]},
        at=base + dt.timedelta(minutes=1),
    )
    file = _attach(api, manager, "company", company.pk)

    # when the manager reads its timeline
    response = api(manager).get(f"/companies/{company.pk}/timeline")

    # then the file comes first, then the rename, then the creation; the file's own
    # audit row is not repeated as a change
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [i["kind"] for i in items] == ["attachment", "change", "change"]
    assert items[0]["id"] == file["id"]
    assert items[0]["title"] == "plan.pdf"
    assert items[0]["data"]["content_type"] == "application/pdf"
    assert items[1]["data"]["changes"] == {"name": {"before": "Logs", "after": "Logi"}}
    assert items[1]["data"]["actor"] == manager.username
    assert items[2]["data"]["action"] == "create"
    assert response.json()["next_cursor"] is None


def test_a_removed_file_leaves_a_change_entry(api, manager):
    company = CompanyFactory(owner=manager)
    file = _attach(api, manager, "company", company.pk, name="old.pdf")
    api(manager).delete(f"/attachments/{file['id']}")

    items = api(manager).get(f"/companies/{company.pk}/timeline").json()["items"]

    assert [i["kind"] for i in items] == ["change"]
    assert items[0]["title"] == "File removed"
    assert items[0]["data"]["changes"] == {"attachment": {"before": "old.pdf", "after": None}}


def test_pages_follow_each_other_without_gaps_or_repeats(api, manager):
    # given 7 changes, some at the same instant, and 2 files
    contact = ContactFactory(owner=manager)
    actor = Actor.of_user(manager)
    same = timezone.now() - dt.timedelta(days=1)
    events = [
        _audit(
            actor,
            contact,
            AuditAction.UPDATE,
            {"n": [i, i + 1]},
            at=same + dt.timedelta(seconds=i // 3),
        )
        for i in range(7)
    ]
    files = [_attach(api, manager, "contact", contact.pk, name=f"{i}.pdf") for i in range(2)]

    # when the timeline is read 2 entries at a time
    client = api(manager)
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/contacts/{contact.pk}/timeline", params).json()
        seen.extend((i["kind"], i["id"]) for i in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break

    # then every entry is served once, newest first
    expected = [("attachment", f["id"]) for f in reversed(files)] + [
        ("change", e.pk) for e in reversed(events)
    ]
    assert seen == expected


def test_timeline_of_an_invisible_record_is_404(api, make_user, other_team, manager):
    stranger = make_user(Role.MANAGER, team=other_team)
    company = CompanyFactory(owner=stranger)

    assert api(manager).get(f"/companies/{company.pk}/timeline").status_code == 404
    assert api(manager).get("/companies/987654/timeline").status_code == 404


def test_lead_timeline_follows_lead_visibility(api, make_user, manager):
    colleague = make_user(Role.MANAGER)
    lead = LeadFactory(owner=colleague)

    assert api(colleague).get(f"/leads/{lead.pk}/timeline").status_code == 200
    assert api(manager).get(f"/leads/{lead.pk}/timeline").status_code == 404


def test_timeline_does_not_mix_records(api, manager):
    # a company and a contact with the same id number keep separate timelines
    company = CompanyFactory(owner=manager)
    contact = ContactFactory(owner=manager)
    _attach(api, manager, "company", company.pk)

    body = api(manager).get(f"/contacts/{contact.pk}/timeline").json()

    assert all(i["kind"] != "attachment" for i in body["items"])


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"limit": "x"}, {"cursor": "not-a-cursor"}],
)
def test_bad_paging_parameters_are_422(api, manager, params):
    company = CompanyFactory(owner=manager)

    response = api(manager).get(f"/companies/{company.pk}/timeline", params)

    assert response.status_code == 422


def test_timeline_query_count_is_fixed(api, manager, django_assert_num_queries, monkeypatch):
    # core's own sources only: other apps pin the queries of theirs
    monkeypatch.setattr(timeline, "_sources", [timeline.audit_source, attachments.timeline_source])
    company = CompanyFactory(owner=manager)
    actor = Actor.of_user(manager)
    for i in range(5):
        _audit(actor, company, AuditAction.UPDATE, {"n": [i, i + 1]})
    for i in range(3):
        _attach(api, manager, "company", company.pk, name=f"{i}.pdf")
    client = api(manager)
    client.get(f"/companies/{company.pk}/timeline")

    # token, rights, the record, one query per source
    with django_assert_num_queries(5):
        response = client.get(f"/companies/{company.pk}/timeline")
    assert len(response.json()["items"]) == 8


def test_anonymous_timeline_is_401(api, manager):
    company = CompanyFactory(owner=manager)

    assert api(None).get(f"/companies/{company.pk}/timeline").status_code == 401


def test_before_q_orders_kinds_like_the_merge():
    at = timezone.now()
    # an entry of kind "attachment" at the same instant sorts before "change"
    q_same_kind = timeline.before_q((at, "change", 10), "change")
    q_lower_kind = timeline.before_q((at, "change", 10), "attachment")
    q_higher_kind = timeline.before_q((at, "attachment", 10), "change")

    assert ("at__lt", at) in q_same_kind.children
    assert q_lower_kind.children == [("at__lte", at)]
    assert q_higher_kind.children == [("at__lt", at)]
