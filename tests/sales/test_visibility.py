"""Who sees which deals: own, team, all, and participants; a hidden deal is a 404 everywhere."""

from __future__ import annotations

import pytest

from kliento.core.choices import Role
from kliento.sales.models import Deal, DealParticipant
from tests.factories import deal_for, stage_of


@pytest.fixture
def deals(manager, colleague, stranger, pipeline):
    return {
        "own": deal_for(manager, pipeline, title="own"),
        "team": deal_for(colleague, pipeline, title="team"),
        "other": deal_for(stranger, pipeline, title="other"),
    }


def _listed(api, user) -> set[str]:
    return {d["title"] for d in api(user).get("/deals").json()["items"]}


def test_a_manager_sees_only_own_deals(api, manager, deals):
    assert _listed(api, manager) == {"own"}
    assert api(manager).get(f"/deals/{deals['team'].pk}").status_code == 404
    assert api(manager).get(f"/deals/{deals['other'].pk}").status_code == 404


def test_head_of_sales_and_read_only_see_all(api, make_user, deals):
    assert _listed(api, make_user(Role.HEAD_OF_SALES)) == {"own", "team", "other"}
    assert _listed(api, make_user(Role.READ_ONLY)) == {"own", "team", "other"}


def test_a_marketer_sees_no_deals(api, make_user, deals):
    marketer = make_user(Role.MARKETER)

    assert _listed(api, marketer) == set()
    assert api(marketer).get(f"/deals/{deals['own'].pk}").status_code == 404


def test_a_participant_sees_and_searches_the_deal_but_not_others(api, stranger, deals):
    DealParticipant.objects.create(deal=deals["own"], user=stranger, role="installer")

    assert _listed(api, stranger) == {"own", "other"}
    assert api(stranger).get(f"/deals/{deals['own'].pk}").status_code == 200
    found = api(stranger).get("/deals", {"q": "ow"}).json()["items"]
    assert [d["title"] for d in found] == ["own"]
    history = api(stranger).get(f"/deals/{deals['own'].pk}/stage-history")
    assert history.status_code == 200
    assert api(stranger).get(f"/deals/{deals['team'].pk}/stage-history").status_code == 404


def test_hidden_deals_cannot_be_changed_moved_or_deleted(api, manager, deals, pipeline):
    other = deals["other"]
    client = api(manager)

    responses = [
        client.patch(f"/deals/{other.pk}", {"version": 1, "title": "mine now"}),
        client.post(
            f"/deals/{other.pk}/move",
            {"stage_id": stage_of(pipeline, "Approval").pk, "version": 1},
        ),
        client.put(f"/deals/{other.pk}/participants", [{"user_id": manager.pk, "role": "x"}]),
        client.delete(f"/deals/{other.pk}"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    other.refresh_from_db()
    assert (other.title, other.version, other.stage.name) == ("other", 1, "First call")
    assert not DealParticipant.objects.exists()


def test_a_read_only_user_sees_but_cannot_write(api, make_user, deals, pipeline):
    reader = make_user(Role.READ_ONLY)
    deal = deals["own"]

    assert api(reader).get(f"/deals/{deal.pk}").status_code == 200
    assert api(reader).patch(f"/deals/{deal.pk}", {"version": 1, "title": "x"}).status_code == 403
    assert api(reader).post("/deals", {"title": "x", "pipeline_id": pipeline.pk}).status_code == 403
    assert Deal.objects.count() == 3


def test_a_participant_may_not_edit_without_the_role_right(api, make_user, deals, pipeline):
    agent = make_user(Role.SERVICE_AGENT)
    DealParticipant.objects.create(deal=deals["other"], user=agent, role="consultant")

    response = api(agent).patch(f"/deals/{deals['other'].pk}", {"version": 1, "title": "x"})

    assert response.status_code == 403


def test_filters_by_owner_team_pipeline_status_and_dates(api, admin, manager, stranger, pipeline):
    a = deal_for(manager, pipeline, title="a", expected_close_date="2026-03-01", amount=5)
    b = deal_for(stranger, pipeline, title="b", expected_close_date="2026-06-01", amount=50)
    client = api(admin)

    def ids(**params):
        response = client.get("/deals", params)
        assert response.status_code == 200, response.content
        return [d["id"] for d in response.json()["items"]]

    assert ids(owner=manager.pk) == [a.pk]
    assert ids(team=stranger.team_id) == [b.pk]
    assert ids(pipeline=pipeline.pk, ordering="amount") == [a.pk, b.pk]
    assert ids(ordering="-amount") == [b.pk, a.pk]
    assert ids(ordering="expected_close_date") == [a.pk, b.pk]
    assert ids(status="open", ordering="title") == [a.pk, b.pk]
    assert ids(expected_close_before="2026-04-01") == [a.pk]
    assert ids(expected_close_after="2026-04-01") == [b.pk]
    assert ids(stage=stage_of(pipeline, "Approval").pk) == []
    assert client.get("/deals", {"expected_close_before": "soon"}).status_code == 422
    assert client.get("/deals", {"ordering": "probability"}).status_code == 422
