"""Moving deals between stages: reasons, close dates, history, conflicts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kliento.core.models import AuditEvent
from kliento.core.timeline import timeline_page
from kliento.sales.models import Deal, StageChange
from kliento.sales.timeline import stage_change_entries
from tests.factories import deal_for, make_pipeline, stage_of


def move(api, user, deal, stage, version=None, **extra):
    body = {"stage_id": stage.pk, "version": version or deal.version, **extra}
    return api(user).post(f"/deals/{deal.pk}/move", body)


def test_moving_to_an_open_stage_records_the_change(api, manager, pipeline):
    deal = deal_for(manager, pipeline)
    first, measurement = stage_of(pipeline, "First call"), stage_of(pipeline, "Measurement")

    response = move(api, manager, deal, measurement)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stage_id"], body["status"], body["version"]) == (measurement.pk, "open", 2)
    change = StageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage, change.by) == (first, measurement, manager)
    audit = AuditEvent.objects.get(record_type="deal", record_id=deal.pk, action="deal.moved")
    assert audit.changes["stage"] == [first.pk, measurement.pk]


def test_won_needs_a_won_reason(api, manager, pipeline, won_reason, lost_reason):
    deal = deal_for(manager, pipeline)
    won = stage_of(pipeline, "Won")

    missing = move(api, manager, deal, won)
    wrong_kind = move(api, manager, deal, won, won_reason_id=lost_reason.pk)
    response = move(api, manager, deal, won, won_reason_id=won_reason.pk, reason_text="Quick")

    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "won_reason_id"
    assert wrong_kind.status_code == 422
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert (deal.status, deal.won_reason, deal.reason_text) == ("won", won_reason, "Quick")
    assert deal.closed_at is not None
    assert deal.lost_at_stage is None
    assert StageChange.objects.filter(deal=deal).count() == 1
    event = AuditEvent.objects.get(record_type="deal", record_id=deal.pk, action="deal.won")
    assert event.changes["status"] == ["open", "won"]


def test_lost_needs_a_lost_reason_and_remembers_the_stage(api, manager, pipeline, lost_reason):
    deal = deal_for(manager, pipeline, stage=stage_of(pipeline, "Approval"))
    lost = stage_of(pipeline, "Lost")

    missing = move(api, manager, deal, lost)
    response = move(api, manager, deal, lost, lost_reason_id=lost_reason.pk)

    assert missing.status_code == 422
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == ("lost", lost_reason)
    assert deal.lost_at_stage == stage_of(pipeline, "Approval")
    assert deal.closed_at is not None
    event = AuditEvent.objects.get(record_type="deal", record_id=deal.pk, action="deal.lost")
    assert event.changes["lost_reason"] == [None, lost_reason.pk]


def test_reopening_clears_the_close(api, manager, pipeline, lost_reason):
    deal = deal_for(manager, pipeline)
    move(api, manager, deal, stage_of(pipeline, "Lost"), lost_reason_id=lost_reason.pk)
    deal.refresh_from_db()

    response = move(api, manager, deal, stage_of(pipeline, "Approval"))

    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.closed_at, deal.lost_reason, deal.lost_at_stage) == (
        "open",
        None,
        None,
        None,
    )


def test_an_open_stage_takes_no_reason(api, manager, pipeline, won_reason):
    deal = deal_for(manager, pipeline)

    response = move(api, manager, deal, stage_of(pipeline, "Approval"), won_reason_id=won_reason.pk)

    assert response.status_code == 422
    deal.refresh_from_db()
    assert deal.stage == stage_of(pipeline, "First call")


def test_a_stale_move_is_409_and_writes_nothing(api, manager, pipeline):
    deal = deal_for(manager, pipeline)
    move(api, manager, deal, stage_of(pipeline, "Measurement"))

    response = move(api, manager, deal, stage_of(pipeline, "Approval"), version=1)

    assert response.status_code == 409
    deal.refresh_from_db()
    assert (deal.stage, deal.version) == (stage_of(pipeline, "Measurement"), 2)
    assert StageChange.objects.filter(deal=deal).count() == 1
    assert AuditEvent.objects.filter(record_type="deal", action="deal.moved").count() == 1


def test_bad_moves_are_422_and_write_nothing(api, manager, pipeline):
    deal = deal_for(manager, pipeline)
    foreign = make_pipeline("Other").stages.first()
    url = f"/deals/{deal.pk}/move"
    bad = [
        {"stage_id": foreign.pk, "version": 1},
        {"stage_id": deal.stage_id, "version": 1},
        {"stage_id": "next", "version": 1},
        {"stage_id": stage_of(pipeline, "Approval").pk},
        {"stage_id": stage_of(pipeline, "Approval").pk, "version": 1, "colour": "red"},
        {"stage_id": stage_of(pipeline, "Approval").pk, "version": 1, "reason_text": "x" * 2001},
    ]
    for body in bad:
        assert api(manager).post(url, body).status_code == 422, body

    deal.refresh_from_db()
    assert deal.version == 1
    assert StageChange.objects.filter(deal=deal).count() == 0


def test_stage_history_gives_time_in_each_stage(api, manager, pipeline, won_reason):
    deal = deal_for(manager, pipeline)
    start = timezone.now() - dt.timedelta(days=10)
    StageChange.objects.create(deal=deal, to_stage=deal.stage, at=start, actor_label="m")
    measurement = stage_of(pipeline, "Measurement")
    move(api, manager, deal, measurement)
    StageChange.objects.filter(to_stage=measurement).update(at=start + dt.timedelta(days=3))
    deal.refresh_from_db()
    move(api, manager, deal, stage_of(pipeline, "Won"), won_reason_id=won_reason.pk)
    StageChange.objects.filter(to_stage__name="Won").update(at=start + dt.timedelta(days=7))

    response = api(manager).get(f"/deals/{deal.pk}/stage-history")

    assert response.status_code == 200
    periods = response.json()
    assert [p["stage_name"] for p in periods] == ["First call", "Measurement", "Won"]
    assert periods[0]["seconds"] == 3 * 86400
    assert periods[1]["seconds"] == 4 * 86400
    assert periods[2]["left_at"] is None


def test_the_timeline_lists_stage_changes_newest_first(api, manager, pipeline):
    deal = deal_for(manager, pipeline)
    move(api, manager, deal, stage_of(pipeline, "Measurement"))
    deal.refresh_from_db()
    move(api, manager, deal, stage_of(pipeline, "Approval"))

    entries, _ = timeline_page("deal", deal.pk, cursor=None, limit=10)
    mine = [e for e in entries if e.kind == "stage_change"]

    assert [(e.data["from"], e.data["to"]) for e in mine] == [
        ("Measurement", "Approval"),
        ("First call", "Measurement"),
    ]
    assert mine[0].data["by"] == f"{manager.username} (test)"
    first_page, cursor = timeline_page("deal", deal.pk, cursor=None, limit=1)
    second_page, _ = timeline_page("deal", deal.pk, cursor=cursor, limit=1)
    assert second_page[0].sort_key < first_page[0].sort_key
    assert stage_change_entries("lead", deal.pk, None, 10) == []


def test_a_deal_is_visible_to_its_participants_only_after_being_added(
    api, manager, stranger, pipeline
):
    deal = deal_for(manager, pipeline)

    before = api(stranger).get(f"/deals/{deal.pk}")
    api(manager).put(
        f"/deals/{deal.pk}/participants", [{"user_id": stranger.pk, "role": "installer"}]
    )
    after = api(stranger).get(f"/deals/{deal.pk}")
    listed = api(stranger).get("/deals").json()["items"]

    assert before.status_code == 404
    assert after.status_code == 200
    assert [d["id"] for d in listed] == [deal.pk]
    assert Deal.objects.count() == 1


def test_a_stale_move_to_the_stage_the_deal_reached_meanwhile_is_a_conflict(api, manager, pipeline):
    # given two people who read the deal at the same version
    deal = deal_for(manager, pipeline)
    second = pipeline.stages.get(position=1)
    client = api(manager)
    first = client.post(f"/deals/{deal.pk}/move", {"stage_id": second.pk, "version": deal.version})
    assert first.status_code == 200

    # when the second one makes the same move with the old version
    late = client.post(f"/deals/{deal.pk}/move", {"stage_id": second.pk, "version": deal.version})

    # then it is told someone else saved first, not that the move is invalid
    assert late.status_code == 409
    assert StageChange.objects.filter(deal=deal).exclude(from_stage=None).count() == 1
