"""Configuration is audited like customer data, and one check says who is an administrator."""

from __future__ import annotations

import pytest

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.customfields import custom_field_create, custom_field_delete, custom_field_update
from kliento.core.errors import PermissionDenied
from kliento.core.models import AuditEvent, CustomField
from kliento.sales.models import Pipeline
from kliento.sales.services import (
    deal_reason_create,
    deal_reason_update,
    pipeline_create,
    pipeline_update,
)

CLOSING = [{"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}]


def _rows(record_type):
    return list(
        AuditEvent.objects.filter(record_type=record_type)
        .order_by("id")
        .values_list("action", "changes", "actor_label")
    )


def test_pipelines_and_their_stages_are_audited_before_and_after(admin):
    actor = Actor.of_user(admin)
    pipeline = pipeline_create(
        actor=actor, data={"name": "Windows", "stages": [{"name": "Call"}, *CLOSING]}
    )
    stage, won, lost = pipeline.stages.order_by("position")

    pipeline_update(actor=actor, pipeline_id=pipeline.pk, data={
        "name": "Windows and doors",
        "stages": [
            {"id": stage.pk, "name": "First call"},
            {"name": "Measurement"},
            {"id": won.pk, "name": "Won", "kind": "won"},
            {"id": lost.pk, "name": "Lost", "kind": "lost"},
        ],
    })  # fmt: skip

    [(created, first, who), (updated, changes, _who)] = _rows("pipeline")
    assert (created, first["name"], who) == ("create", [None, "Windows"], admin.username)
    assert updated == "update"
    assert changes["name"] == ["Windows", "Windows and doors"]
    before, after = changes["stages"]
    assert [s["name"] for s in before] == ["Call", "Won", "Lost"]
    assert [s["name"] for s in after] == ["First call", "Measurement", "Won", "Lost"]


def test_an_update_that_changes_nothing_leaves_no_row(admin):
    actor = Actor.of_user(admin)
    stages = [{"name": "Call"}, *CLOSING]
    pipeline = pipeline_create(actor=actor, data={"name": "Windows", "stages": stages})
    pipeline_update(actor=actor, pipeline_id=pipeline.pk, data={"name": "Windows"})

    assert [action for action, _c, _w in _rows("pipeline")] == ["create"]


def test_reasons_and_custom_fields_are_audited(admin):
    actor = Actor.of_user(admin)
    reason = deal_reason_create(actor=actor, kind="lost", name="Too dear")
    deal_reason_update(actor=actor, reason_id=reason.pk, active=False)
    field = custom_field_create(actor=actor, record_type="deal", key="windows", label="Windows",
                                field_type="number")  # fmt: skip
    custom_field_update(actor=actor, field_id=field.pk, changes={"label": "Window count"})
    custom_field_delete(actor=actor, field_id=field.pk)

    assert [(a, c) for a, c, _w in _rows("deal_reason")] == [
        ("create", {"kind": [None, "lost"], "name": [None, "Too dear"], "active": [None, True]}),
        ("update", {"active": [True, False]}),
    ]
    assert [a for a, _c, _w in _rows("custom_field")] == ["create", "update", "delete"]
    assert _rows("custom_field")[1][1] == {"label": ["Windows", "Window count"]}
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda a: pipeline_create(actor=a, data={"name": "X", "stages": CLOSING}),
        lambda a: deal_reason_create(actor=a, kind="won", name="X"),
        lambda a: custom_field_create(
            actor=a, record_type="deal", key="x", label="X", field_type="text"
        ),
    ],
)
def test_only_an_active_administrator_changes_configuration(make_user, change):
    superuser_manager = make_user(Role.MANAGER, is_superuser=True)
    former_admin = make_user(Role.ADMIN, is_active=False)

    for user in (superuser_manager, former_admin):
        with pytest.raises(PermissionDenied):
            change(Actor.of_user(user))
    with pytest.raises(PermissionDenied):
        change(Actor.system())
    assert not Pipeline.objects.filter(name="X").exists()
    assert not AuditEvent.objects.exists()
