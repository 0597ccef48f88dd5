"""Leads: create, list and search, update with a version, delete."""

from __future__ import annotations

import decimal

import pytest

from kliento.core.choices import Role
from kliento.core.models import AuditEvent, CustomField
from kliento.sales.models import Lead
from tests.factories import LeadFactory, deal_for, make_pipeline

FULL = {
    "title": "Windows for a flat",
    "channel": "web_form",
    "first_name": "Jānis",
    "last_name": "Ozols",
    "company_name": "Ozols SIA",
    "email": "  Janis.Ozols@Example.COM ",
    "phone": "+371 2000 0000",
    "source": "google",
    "utm_source": "google",
    "utm_medium": "cpc",
    "utm_campaign": "spring",
    "utm_term": "pvc windows",
    "utm_content": "ad-2",
    "referrer": "https://www.google.com/",
    "keyword": "pvc windows riga",
    "answers": {"rooms": 3, "floors": ["1", "2"], "when": {"month": "May"}},
    "budget_amount": "3500.00",
    "budget_currency": "EUR",
    "authority": "Owner of the flat",
    "need": "Six windows",
    "timeline": "2026-05-01",
}


def test_create_a_lead_with_everything(api, manager):
    response = api(manager).post("/leads", FULL)

    assert response.status_code == 201, response.content
    body = response.json()
    lead = Lead.objects.get(pk=body["id"])
    assert lead.email == "janis.ozols@example.com"
    assert lead.phone == "+37120000000"
    assert lead.answers == FULL["answers"]
    assert lead.budget_amount == decimal.Decimal("3500.00")
    assert lead.title_key == "windows for a flat"
    assert (lead.owner, lead.team, lead.status) == (manager, manager.team, "new")
    assert body["utm_campaign"] == "spring"
    assert AuditEvent.objects.filter(
        record_type="lead", record_id=lead.pk, action="create"
    ).exists()


def test_hostile_strings_are_kept_verbatim(api, manager):
    for text in ["<script>alert(1)</script>", "'; DROP TABLE sales_lead; --", "=CMD()"]:
        response = api(manager).post(
            "/leads", {"title": text, "need": text, "answers": {"q": text}}
        )

        assert response.status_code == 201
        body = api(manager).get(f"/leads/{response.json()['id']}").json()
        assert (body["title"], body["need"], body["answers"]["q"]) == (text, text, text)


def test_list_searches_title_prefix_email_and_phone(api, manager):
    client = api(manager)
    for i, title in enumerate(["Windows Riga", "Windows Jurmala", "Doors"]):
        client.post("/leads", {"title": title, "email": f"p{i}@x.lv", "phone": f"+3712000000{i}"})

    def titles(**params):
        response = client.get("/leads", params)
        assert response.status_code == 200, response.content
        return sorted(item["title"] for item in response.json()["items"])

    assert titles(q="wind") == ["Windows Jurmala", "Windows Riga"]
    assert titles(q="P2@X.LV") == ["Doors"]
    assert titles(q="+371 20000001") == ["Windows Jurmala"]
    assert titles(q="zzz") == []


def test_list_filters_and_orders(api, manager, make_user):
    other = make_user(Role.MANAGER)
    LeadFactory(owner=manager, title="B", status="working", channel="call", source="fair")
    LeadFactory(owner=manager, title="A", status="new", channel="email", source="web")
    LeadFactory(owner=other, title="C")
    client = api(make_user(Role.HEAD_OF_SALES))

    def titles(**params):
        return [i["title"] for i in client.get("/leads", params).json()["items"]]

    assert titles(status="working") == ["B"]
    assert titles(channel="email") == ["A"]
    assert titles(source="fair") == ["B"]
    assert titles(owner=other.pk) == ["C"]
    assert titles(team=manager.team_id, ordering="title") == ["A", "B", "C"]
    assert titles(ordering="-title") == ["C", "B", "A"]
    assert client.get("/leads", {"ordering": "email"}).status_code == 422
    assert client.get("/leads", {"limit": 500}).status_code == 422


def test_list_pages_with_a_cursor(api, manager):
    for i in range(5):
        LeadFactory(owner=manager, title=f"Lead {i}")
    client = api(manager)

    first = client.get("/leads", {"limit": 3, "ordering": "title"}).json()
    second = client.get("/leads", {"limit": 3, "ordering": "title", "cursor": first["next_cursor"]})

    assert [i["title"] for i in first["items"]] == ["Lead 0", "Lead 1", "Lead 2"]
    assert [i["title"] for i in second.json()["items"]] == ["Lead 3", "Lead 4"]
    assert second.json()["next_cursor"] is None
    assert client.get("/leads", {"cursor": "garbage"}).status_code == 422


def test_custom_field_filter_and_validation(api, manager):
    CustomField.objects.create(record_type="lead", key="rooms", label="Rooms", field_type="number")
    client = api(manager)
    client.post("/leads", {"title": "Three", "custom": {"rooms": 3}})
    client.post("/leads", {"title": "Two", "custom": {"rooms": 2}})

    found = client.get("/leads", {"custom.rooms": "3"}).json()["items"]
    bad = client.post("/leads", {"title": "Bad", "custom": {"rooms": "many"}})
    unknown = client.post("/leads", {"title": "Bad", "custom": {"colour": "red"}})

    assert [i["title"] for i in found] == ["Three"]
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "custom.rooms"
    assert unknown.status_code == 422
    assert Lead.objects.count() == 2


def test_update_with_version_and_stale_update(api, manager):
    lead = LeadFactory(owner=manager, title="Old")
    client = api(manager)

    ok = client.patch(f"/leads/{lead.pk}", {"version": 1, "title": "New", "status": "working"})
    stale = client.patch(f"/leads/{lead.pk}", {"version": 1, "title": "Stale"})

    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2
    assert stale.status_code == 409
    lead.refresh_from_db()
    assert (lead.title, lead.status, lead.version, lead.title_key) == ("New", "working", 2, "new")
    event = AuditEvent.objects.get(record_type="lead", action="update")
    assert event.changes["title"] == ["Old", "New"]


def test_status_converted_cannot_be_set_by_hand(api, manager):
    lead = LeadFactory(owner=manager)

    created = api(manager).post("/leads", {"title": "X", "status": "converted"})
    changed = api(manager).patch(f"/leads/{lead.pk}", {"version": 1, "status": "converted"})

    assert created.status_code == 422
    assert changed.status_code == 422
    lead.refresh_from_db()
    assert lead.status == "new"


def test_delete_needs_the_right(api, manager, admin):
    lead = LeadFactory(owner=manager)

    assert api(manager).delete(f"/leads/{lead.pk}").status_code == 403
    assert api(admin).delete(f"/leads/{lead.pk}").status_code == 204
    assert not Lead.objects.exists()
    assert AuditEvent.objects.filter(record_type="lead", action="archive").count() == 1


def test_leads_are_scoped_by_role(api, manager, colleague, stranger, make_user):
    mine = LeadFactory(owner=manager)
    LeadFactory(owner=colleague)
    LeadFactory(owner=stranger)

    manager_sees = [i["id"] for i in api(manager).get("/leads").json()["items"]]
    agent = make_user(Role.SERVICE_AGENT)

    assert manager_sees == [mine.pk]
    assert api(manager).get(f"/leads/{Lead.objects.get(owner=stranger).pk}").status_code == 404
    assert api(agent).get("/leads").json()["items"] == []
    assert len(api(make_user(Role.MARKETER)).get("/leads").json()["items"]) == 3


def test_someone_elses_lead_cannot_be_changed_or_deleted(api, manager, stranger, admin):
    lead = LeadFactory(owner=stranger, title="Theirs")

    assert api(manager).patch(f"/leads/{lead.pk}", {"version": 1, "title": "x"}).status_code == 404
    assert api(manager).delete(f"/leads/{lead.pk}").status_code == 404
    lead.refresh_from_db()
    assert lead.title == "Theirs"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": 123}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"need": "x" * 10001}, "need"),
        ({"referrer": "x" * 501}, "referrer"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"phone": "x" * 65}, "phone"),
        ({"status": "won"}, "status"),
        ({"channel": "pigeon"}, "channel"),
        ({"budget_amount": "-1", "budget_currency": "EUR"}, "budget_amount"),
        ({"budget_amount": "1000000000000", "budget_currency": "EUR"}, "budget_amount"),
        ({"budget_amount": "1.234", "budget_currency": "EUR"}, "budget_amount"),
        ({"budget_amount": "lots", "budget_currency": "EUR"}, "budget_amount"),
        ({"budget_amount": "10"}, "budget_currency"),
        ({"budget_amount": "10", "budget_currency": "eur"}, "budget_currency"),
        ({"budget_amount": "10", "budget_currency": "XXZ"}, "budget_currency"),
        ({"timeline": "2026-02-30"}, "timeline"),
        ({"timeline": "soon"}, "timeline"),
        ({"answers": ["not", "an", "object"]}, "answers"),
        ({"answers": {"big": "x" * 70000}}, "answers"),
        ({"answers": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}}, "answers"),
        ({"owner_id": "me"}, "owner_id"),
        ({"team_id": 1}, "team_id"),
        ({"version": 3}, "version"),
        ({"converted_at": "2026-01-01T00:00:00Z"}, "converted_at"),
        ({"title": "nul \x00 byte"}, "title"),
    ],
)
def test_bad_lead_input_is_422_and_nothing_written(api, manager, changes, field):
    response = api(manager).post("/leads", {"title": "Good", **changes})

    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Lead.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_bad_patch_changes_nothing(api, manager):
    lead = LeadFactory(owner=manager, title="Keep")
    for body in [
        {"title": "x"},
        {"version": "one", "title": "x"},
        {"version": 1, "title": "x" * 201},
        {"version": 1, "email": "bad"},
        {"version": 1, "owner_id": 999999},
        {"version": 1, "unknown": True},
    ]:
        assert api(manager).patch(f"/leads/{lead.pk}", body).status_code == 422, body

    lead.refresh_from_db()
    assert (lead.title, lead.version) == ("Keep", 1)


def test_a_manager_may_not_give_a_lead_away(api, manager, colleague):
    response = api(manager).post("/leads", {"title": "X", "owner_id": colleague.pk})

    assert response.status_code == 422
    assert Lead.objects.count() == 0


def test_deleting_a_lead_audits_the_deals_it_unlinks(admin):
    from kliento.core import archive
    from kliento.core.actors import Actor
    from kliento.core.models import AuditEvent
    from kliento.sales.services import lead_delete

    pipeline = make_pipeline("Audit")
    lead = LeadFactory(owner=admin)
    deal = deal_for(admin, pipeline, lead=lead)

    lead_delete(actor=Actor.of_user(admin), lead_id=lead.pk)
    archive.purge(Actor.of_user(admin), Lead, lead.pk)

    deal.refresh_from_db()
    assert deal.lead_id is None
    event = AuditEvent.objects.get(record_type="deal", record_id=deal.pk)
    assert event.changes == {"lead_id": [lead.pk, None]}
