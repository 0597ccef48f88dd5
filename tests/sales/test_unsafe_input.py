"""Sales records refuse control and text-direction characters, and deeply nested answers."""

from __future__ import annotations

import json

import pytest

from kliento.core.actors import Actor
from kliento.core.errors import ValidationFailed
from kliento.sales import services
from kliento.sales.models import Deal, DealParticipant, DealReason, Lead, Pipeline, Stage
from tests.factories import deal_for, stage_of

UNSAFE = ["\x1b[2J", "\u202e", "\u2069", "\x9b", "\ud800"]


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("char", UNSAFE)
@pytest.mark.parametrize("field", ["title", "company_name", "referrer", "need"])
def test_a_lead_with_unsafe_characters_is_refused(api, manager, char, field):
    body = {"title": "Windows", field: f"a{char}b"}
    assert field in _fields(api(manager).post("/leads", body))
    assert not Lead.objects.exists()


def test_a_lead_need_keeps_its_lines(api, manager):
    response = api(manager).post("/leads", {"title": "Windows", "need": "Two rooms\n\tand a loft"})
    assert response.status_code == 201
    assert Lead.objects.get().need == "Two rooms\n\tand a loft"


@pytest.mark.parametrize("char", UNSAFE)
def test_a_deal_title_with_unsafe_characters_is_refused_on_create_and_update(
    api, manager, pipeline, char
):
    body = {"title": f"Windows{char}for Anna", "pipeline_id": pipeline.pk}
    assert "title" in _fields(api(manager).post("/deals", body))
    assert not Deal.objects.exists()

    deal = deal_for(manager, pipeline, title="Windows")
    patch = {"version": deal.version, "title": f"x{char}y"}
    assert "title" in _fields(api(manager).patch(f"/deals/{deal.pk}", patch))
    deal.refresh_from_db()
    assert (deal.title, deal.version) == ("Windows", 1)


def test_a_lost_reason_text_with_an_escape_is_refused_and_the_deal_stays(
    api, manager, pipeline, lost_reason
):
    deal = deal_for(manager, pipeline)
    lost = stage_of(pipeline, "Lost")
    body = {
        "stage_id": lost.pk,
        "version": deal.version,
        "lost_reason_id": lost_reason.pk,
        "reason_text": "Too late\n\x1b[31mred",
    }
    assert "reason_text" in _fields(api(manager).post(f"/deals/{deal.pk}/move", body))
    deal.refresh_from_db()
    assert (deal.stage_id, deal.version, deal.reason_text) == (
        stage_of(pipeline, "First call").pk,
        1,
        "",
    )


def test_a_participant_role_with_an_override_is_refused(api, manager, colleague, pipeline):
    deal = deal_for(manager, pipeline)
    body = [{"user_id": colleague.pk, "role": "measurer\u202e"}]
    assert "0.role" in _fields(api(manager).put(f"/deals/{deal.pk}/participants", body))
    assert not DealParticipant.objects.exists()


@pytest.mark.parametrize("char", UNSAFE)
def test_pipeline_stage_and_reason_names_with_unsafe_characters_are_refused(api, admin, char):
    stages = [
        {"name": "Call", "expected_result": f"a{char}b"},
        {"name": f"W{char}on", "kind": "won"},
        {"name": "Lost", "kind": "lost"},
    ]
    fields = _fields(api(admin).post("/pipelines", {"name": f"P{char}", "stages": stages}))
    assert {"name", "stages.0.expected_result", "stages.1.name"} <= set(fields)
    assert not Pipeline.objects.exists() and not Stage.objects.exists()

    reason = api(admin).post("/deal-reasons", {"kind": "won", "name": f"Fast{char}one"})
    assert "name" in _fields(reason)
    assert not DealReason.objects.exists()


# --- a lead's answers: nesting is checked without recursion --------------------------------


def _nested(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


@pytest.mark.parametrize("levels", [9, 300, 900])
def test_deeply_nested_answers_are_a_422(api, manager, levels):
    body = '{"title": "Web form", "answers": ' + _nested(levels) + "}"

    response = api(manager).post("/leads", body)

    assert response.status_code == 422
    assert not Lead.objects.exists()


def test_answers_nested_eight_levels_are_kept(api, manager):
    answers = json.loads(_nested(8))
    response = api(manager).post("/leads", {"title": "Web form", "answers": answers})
    assert response.status_code == 201
    assert Lead.objects.get().answers == answers


def test_the_service_refuses_answers_nested_far_past_the_stack(manager):
    answers: dict[str, object] = {}
    inner = answers
    for _ in range(50_000):  # far deeper than Python's recursion limit
        inner["a"] = {}
        inner = inner["a"]

    with pytest.raises(ValidationFailed) as refused:
        services.lead_create(actor=Actor.of_user(manager), data={"title": "x", "answers": answers})

    assert [e.field for e in refused.value.errors] == ["answers"]
    assert not Lead.objects.exists()


def test_answers_with_a_lone_surrogate_are_refused(api, manager):
    body = '{"title": "Web form", "answers": {"q": "\\ud800"}}'
    assert "answers" in _fields(api(manager).post("/leads", body))
    assert not Lead.objects.exists()
