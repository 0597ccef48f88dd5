"""Deals: create, read, update with a version, delete, participants, audit."""

from __future__ import annotations

import decimal

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import AuditEvent
from kliento.sales import selectors, services
from kliento.sales.models import Deal, DealParticipant, StageChange
from tests.factories import deal_for, make_pipeline, stage_of


def test_create_puts_the_deal_at_the_first_open_stage_and_records_it(api, manager, pipeline):
    response = api(manager).post(
        "/deals",
        {"title": "Windows for the Ozols house", "pipeline_id": pipeline.pk, "amount": "4200.50"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    deal = Deal.objects.get(pk=body["id"])
    assert deal.stage == stage_of(pipeline, "First call")
    assert body["stage_name"] == "First call"
    assert deal.status == "open"
    assert deal.amount == decimal.Decimal("4200.50")
    assert deal.currency == "EUR"
    assert (deal.owner, deal.team) == (manager, manager.team)
    assert deal.title_key == "windows for the ozols house"
    assert deal.stage_entered_at is not None
    first = StageChange.objects.get(deal=deal)
    assert (first.from_stage, first.to_stage, first.by) == (None, deal.stage, manager)
    event = AuditEvent.objects.get(record_type="deal", record_id=deal.pk)
    assert event.action == "create"
    assert event.changes["title"] == [None, "Windows for the Ozols house"]


def test_create_at_a_named_open_stage_but_not_at_a_closed_one(api, manager, pipeline):
    measurement = stage_of(pipeline, "Measurement")
    won = stage_of(pipeline, "Won")

    ok = api(manager).post(
        "/deals", {"title": "A", "pipeline_id": pipeline.pk, "stage_id": measurement.pk}
    )
    closed = api(manager).post(
        "/deals", {"title": "B", "pipeline_id": pipeline.pk, "stage_id": won.pk}
    )

    assert ok.status_code == 201
    assert ok.json()["stage_id"] == measurement.pk
    assert closed.status_code == 422
    assert Deal.objects.count() == 1


def test_a_stage_of_another_pipeline_is_refused(api, manager, pipeline):
    other = make_pipeline("B2B")
    foreign = other.stages.first()

    response = api(manager).post(
        "/deals", {"title": "A", "pipeline_id": pipeline.pk, "stage_id": foreign.pk}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stage_id"
    assert Deal.objects.count() == 0


def test_hostile_strings_are_stored_and_returned_verbatim(api, manager, pipeline):
    for title in ["<script>alert(1)</script>", "'; DROP TABLE sales_deal; --", "=CMD()"]:
        response = api(manager).post("/deals", {"title": title, "pipeline_id": pipeline.pk})

        assert response.status_code == 201
        assert response.json()["title"] == title
        assert api(manager).get(f"/deals/{response.json()['id']}").json()["title"] == title


def test_update_with_the_current_version_changes_and_audits(api, manager, pipeline):
    deal = deal_for(manager, pipeline, title="Old")

    response = api(manager).patch(
        f"/deals/{deal.pk}",
        {"version": 1, "title": "New", "amount": 10, "currency": "USD"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.currency, deal.title_key) == (
        "New",
        decimal.Decimal("10.00"),
        "USD",
        "new",
    )
    event = AuditEvent.objects.get(record_type="deal", record_id=deal.pk, action="update")
    assert event.changes["title"] == ["Old", "New"]
    assert event.changes["currency"] == ["EUR", "USD"]


def test_a_stale_update_is_409_and_changes_nothing(api, manager, pipeline):
    deal = deal_for(manager, pipeline, title="Mine")
    api(manager).patch(f"/deals/{deal.pk}", {"version": 1, "title": "First writer"})

    response = api(manager).patch(f"/deals/{deal.pk}", {"version": 1, "title": "Second writer"})

    assert response.status_code == 409
    deal.refresh_from_db()
    assert (deal.title, deal.version) == ("First writer", 2)
    assert AuditEvent.objects.filter(record_type="deal", action="update").count() == 1


def test_stage_and_pipeline_are_not_changed_by_update(api, manager, pipeline):
    deal = deal_for(manager, pipeline)
    other = stage_of(pipeline, "Approval")

    response = api(manager).patch(f"/deals/{deal.pk}", {"version": 1, "stage_id": other.pk})

    assert response.status_code == 422
    deal.refresh_from_db()
    assert deal.stage != other


def test_a_manager_may_not_give_a_deal_to_someone_else(api, manager, colleague, pipeline):
    created = api(manager).post(
        "/deals", {"title": "X", "pipeline_id": pipeline.pk, "owner_id": colleague.pk}
    )
    deal = deal_for(manager, pipeline)
    changed = api(manager).patch(f"/deals/{deal.pk}", {"version": 1, "owner_id": colleague.pk})

    assert created.status_code == 422
    assert created.json()["errors"][0]["field"] == "owner_id"
    assert changed.status_code == 422
    deal.refresh_from_db()
    assert deal.owner == manager


def test_head_of_sales_assigns_and_team_follows_the_owner(api, head, stranger, pipeline):
    response = api(head).post(
        "/deals", {"title": "X", "pipeline_id": pipeline.pk, "owner_id": stranger.pk}
    )

    assert response.status_code == 201
    deal = Deal.objects.get(pk=response.json()["id"])
    assert (deal.owner, deal.team) == (stranger, stranger.team)


def test_delete_archives_the_deal_and_audits(api, admin, manager, pipeline):
    deal = deal_for(manager, pipeline)

    denied = api(manager).delete(f"/deals/{deal.pk}")
    response = api(admin).delete(f"/deals/{deal.pk}")

    assert denied.status_code == 403
    assert response.status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert Deal.all_objects.get(pk=deal.pk).archived_at is not None
    assert AuditEvent.objects.filter(
        record_type="deal", record_id=deal.pk, action="archive"
    ).exists()


def test_participants_are_replaced_shown_and_audited(api, manager, make_user, pipeline):
    measurer = make_user(Role.MANAGER, username="measurer")
    installer = make_user(Role.MANAGER, username="installer")
    deal = deal_for(manager, pipeline)

    response = api(manager).put(
        f"/deals/{deal.pk}/participants",
        [
            {"user_id": measurer.pk, "role": "measurer"},
            {"user_id": installer.pk, "role": "installer"},
        ],
    )

    assert response.status_code == 200, response.content
    parts = {(p["user_id"], p["role"]) for p in response.json()["participants"]}
    assert parts == {(measurer.pk, "measurer"), (installer.pk, "installer")}
    again = api(manager).put(
        f"/deals/{deal.pk}/participants", [{"user_id": installer.pk, "role": "installer"}]
    )
    assert [p["user_id"] for p in again.json()["participants"]] == [installer.pk]
    assert DealParticipant.objects.filter(deal=deal).count() == 1
    assert AuditEvent.objects.filter(record_type="deal", action="update").count() == 2


def test_bad_participants_are_refused_and_nothing_changes(api, manager, make_user, pipeline):
    measurer = make_user(Role.MANAGER)
    deal = deal_for(manager, pipeline)
    DealParticipant.objects.create(deal=deal, user=measurer, role="measurer")
    url = f"/deals/{deal.pk}/participants"

    bad = [
        [{"user_id": 999999, "role": "measurer"}],
        [{"user_id": measurer.pk, "role": ""}],
        [{"user_id": measurer.pk, "role": "x" * 61}],
        [{"user_id": "me", "role": "measurer"}],
        [{"user_id": measurer.pk, "role": "a"}, {"user_id": measurer.pk, "role": "a"}],
        [{"user_id": measurer.pk, "role": "a", "extra": 1}],
        {"user_id": measurer.pk},
    ]
    for body in bad:
        assert api(manager).put(url, body).status_code == 422, body

    assert list(DealParticipant.objects.values_list("user_id", "role")) == [
        (measurer.pk, "measurer")
    ]


def test_services_work_without_the_api(manager, pipeline):
    actor = Actor.of_user(manager)

    deal = services.deal_create(actor=actor, data={"title": "Direct", "pipeline_id": pipeline.pk})

    assert selectors.deal_stage_id(deal.pk) == deal.stage_id
    assert selectors.deal_get(manager, deal.pk) == deal
