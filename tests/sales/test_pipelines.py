"""Pipelines, stages and reasons: read by everyone, written by administrators."""

from __future__ import annotations

import pytest

from kliento.core.choices import Role
from kliento.sales.choices import StageKind
from kliento.sales.models import DealReason, Pipeline, Stage
from tests.factories import deal_for, stage_of

STAGES = [
    {"name": "First interest", "probability": 10, "responsible_role": "manager"},
    {"name": "Presentation", "probability": 30, "expected_result": "A demo booked"},
    {"name": "Won", "kind": "won", "probability": 100},
    {"name": "Lost", "kind": "lost"},
]


def test_every_signed_in_user_reads_pipelines_with_ordered_stages(api, make_user, pipeline):
    reader = make_user(Role.READ_ONLY)

    response = api(reader).get("/pipelines")

    assert response.status_code == 200
    [body] = response.json()
    assert body["name"] == "Windows"
    assert [s["name"] for s in body["stages"]] == [
        "First call",
        "Measurement",
        "Approval",
        "Won",
        "Lost",
    ]
    assert [s["position"] for s in body["stages"]] == [0, 1, 2, 3, 4]


def test_pipeline_detail_and_unknown_pipeline_is_404(api, manager, pipeline):
    assert api(manager).get(f"/pipelines/{pipeline.pk}").json()["id"] == pipeline.pk
    assert api(manager).get("/pipelines/999999").status_code == 404


def test_admin_creates_a_pipeline_with_stages(api, admin):
    response = api(admin).post("/pipelines", {"name": "Industrial supply", "stages": STAGES})

    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["kind"] for s in body["stages"]] == ["open", "open", "won", "lost"]
    assert body["stages"][0]["responsible_role"] == "manager"
    assert body["stages"][1]["expected_result"] == "A demo booked"
    assert Stage.objects.filter(pipeline_id=body["id"]).count() == 4


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HEAD_OF_SALES, Role.READ_ONLY])
def test_only_admins_write_pipelines(api, make_user, pipeline, role):
    user = make_user(role)

    created = api(user).post("/pipelines", {"name": "Mine", "stages": STAGES})
    changed = api(user).patch(f"/pipelines/{pipeline.pk}", {"name": "Renamed"})

    assert created.status_code == 403
    assert changed.status_code == 403
    assert Pipeline.objects.count() == 1
    assert Pipeline.objects.get().name == "Windows"


@pytest.mark.parametrize(
    "stages",
    [
        [{"name": "Open"}, {"name": "Won", "kind": "won"}],
        [{"name": "Open"}, {"name": "Lost", "kind": "lost"}],
        [{"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}],
        [],
    ],
)
def test_a_pipeline_needs_open_won_and_lost_stages(api, admin, stages):
    response = api(admin).post("/pipelines", {"name": "Broken", "stages": stages})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stages"
    assert not Pipeline.objects.filter(name="Broken").exists()


@pytest.mark.parametrize(
    ("stage", "field"),
    [
        ({"name": "X", "probability": 101}, "stages.0.probability"),
        ({"name": "X", "probability": -1}, "stages.0.probability"),
        ({"name": "X", "kind": "maybe"}, "stages.0.kind"),
        ({"name": "X", "responsible_role": "boss"}, "stages.0.responsible_role"),
        ({"name": "X" * 121}, "stages.0.name"),
        ({"name": ""}, "stages.0.name"),
        ({"name": "X", "colour": "red"}, "stages.0.colour"),
    ],
)
def test_bad_stage_input_is_422_and_nothing_written(api, admin, stage, field):
    stages = [stage, {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}]

    response = api(admin).post("/pipelines", {"name": "Broken", "stages": stages})

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Pipeline.objects.count() == 0
    assert Stage.objects.count() == 0


def test_duplicate_stage_names_and_pipeline_names_are_refused(api, admin, pipeline):
    twice = [
        {"name": "A"},
        {"name": "a"},
        {"name": "Won", "kind": "won"},
        {"name": "L", "kind": "lost"},
    ]

    assert api(admin).post("/pipelines", {"name": "New", "stages": twice}).status_code == 422
    assert api(admin).post("/pipelines", {"name": "Windows", "stages": STAGES}).status_code == 422
    assert Pipeline.objects.count() == 1


def test_admin_reorders_renames_and_adds_stages(api, admin, pipeline):
    stages = list(pipeline.stages.order_by("position"))
    first, measurement, approval, won, lost = stages
    new_order = [
        {"id": measurement.pk, "name": "First call"},
        {"id": first.pk, "name": "Measurement", "probability": 20},
        {"name": "Payment", "probability": 80},
        {"id": approval.pk, "name": "Approval", "probability": 60},
        {"id": won.pk, "name": "Won", "kind": "won"},
        {"id": lost.pk, "name": "Lost", "kind": "lost"},
    ]

    response = api(admin).patch(f"/pipelines/{pipeline.pk}", {"stages": new_order})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(s["id"], s["name"]) for s in body["stages"]][:2] == [
        (measurement.pk, "First call"),
        (first.pk, "Measurement"),
    ]
    assert body["stages"][2]["name"] == "Payment"
    assert [s["position"] for s in body["stages"]] == list(range(6))


def test_removing_a_stage_that_has_deals_is_refused(api, admin, manager, pipeline):
    measurement = stage_of(pipeline, "Measurement")
    deal_for(manager, pipeline, stage=measurement)
    kept = [
        {"id": s.pk, "name": s.name, "kind": s.kind}
        for s in pipeline.stages.order_by("position")
        if s.pk != measurement.pk
    ]

    response = api(admin).patch(f"/pipelines/{pipeline.pk}", {"stages": kept})

    assert response.status_code == 422
    assert Stage.objects.filter(pk=measurement.pk).exists()


def test_removing_an_unused_stage_works_and_rename_and_deactivate(api, admin, pipeline):
    approval = stage_of(pipeline, "Approval")
    kept = [
        {"id": s.pk, "name": s.name, "kind": s.kind}
        for s in pipeline.stages.order_by("position")
        if s.pk != approval.pk
    ]

    response = api(admin).patch(
        f"/pipelines/{pipeline.pk}", {"stages": kept, "name": "Okna", "active": False}
    )

    assert response.status_code == 200, response.content
    assert not Stage.objects.filter(pk=approval.pk).exists()
    pipeline.refresh_from_db()
    assert (pipeline.name, pipeline.active) == ("Okna", False)


def test_a_stage_from_another_pipeline_cannot_be_named(api, admin, pipeline):
    from tests.factories import make_pipeline

    other = make_pipeline("Other")
    stages = [{"id": s.pk, "name": s.name, "kind": s.kind} for s in other.stages.all()]

    response = api(admin).patch(f"/pipelines/{pipeline.pk}", {"stages": stages})

    assert response.status_code == 422
    assert pipeline.stages.count() == 5


def test_a_stage_holding_deals_keeps_its_kind(api, admin, manager, pipeline):
    first = stage_of(pipeline, "First call")
    deal_for(manager, pipeline, stage=first)
    stages = [
        {"id": s.pk, "name": s.name, "kind": StageKind.LOST if s.pk == first.pk else s.kind}
        for s in pipeline.stages.order_by("position")
    ]

    response = api(admin).patch(f"/pipelines/{pipeline.pk}", {"stages": stages})

    assert response.status_code == 422
    assert Stage.objects.get(pk=first.pk).kind == StageKind.OPEN


def test_deal_reasons_read_by_everyone_filtered_by_kind(api, manager, won_reason, lost_reason):
    everything = api(manager).get("/deal-reasons").json()
    lost = api(manager).get("/deal-reasons", {"kind": "lost"}).json()

    assert {r["name"] for r in everything} == {"Best price", "Too expensive"}
    assert [r["name"] for r in lost] == ["Too expensive"]
    assert api(manager).get("/deal-reasons", {"kind": "meh"}).status_code == 422


def test_only_admin_adds_reasons_and_bad_ones_are_refused(api, admin, manager):
    assert api(manager).post("/deal-reasons", {"kind": "won", "name": "Fast"}).status_code == 403
    assert api(admin).post("/deal-reasons", {"kind": "meh", "name": "Fast"}).status_code == 422
    assert api(admin).post("/deal-reasons", {"kind": "won", "name": "x" * 201}).status_code == 422
    assert api(admin).post("/deal-reasons", {"kind": "won", "name": "F", "x": 1}).status_code == 422
    assert DealReason.objects.count() == 0

    created = api(admin).post("/deal-reasons", {"kind": "won", "name": "Fast installation"})

    assert created.status_code == 201
    assert (
        api(admin).post("/deal-reasons", {"kind": "won", "name": "Fast installation"}).status_code
        == 422
    )
    assert DealReason.objects.count() == 1
