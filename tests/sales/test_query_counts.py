"""Pinned query counts of the list pages: the number stays the same however many rows."""

from __future__ import annotations

from kliento.core.models import User
from kliento.sales.models import DealParticipant
from tests.factories import LeadFactory, deal_for, make_pipeline


def _pinned(api, user: User, path: str, params: dict, expected: int, django_assert_num_queries):
    client = api(user)
    client.get(path, params)  # the first use of a token records when it was used
    with django_assert_num_queries(expected):
        response = client.get(path, params)
    assert response.status_code == 200
    return response.json()


def test_leads_list_query_count(api, manager, django_assert_num_queries):
    for _ in range(12):
        LeadFactory(owner=manager)

    # token, role rights, the page
    body = _pinned(api, manager, "/leads", {"limit": 10}, 3, django_assert_num_queries)

    assert len(body["items"]) == 10


def test_deals_list_query_count_with_participant_visibility(
    api, manager, colleague, pipeline, django_assert_num_queries
):
    for i in range(12):
        deal = deal_for(colleague if i % 2 else manager, pipeline)
        DealParticipant.objects.create(deal=deal, user=manager, role="measurer")

    # token, role rights, then the two visible parts read on their own (stage names
    # joined): one's own deals, and the deals one takes part in
    body = _pinned(api, manager, "/deals", {"limit": 10}, 4, django_assert_num_queries)

    assert len(body["items"]) == 10
    assert all(item["stage_name"] == "First call" for item in body["items"])


def test_deals_of_one_stage_query_count(api, admin, pipeline, django_assert_num_queries):
    stage = pipeline.stages.first()
    for _ in range(6):
        deal_for(admin, pipeline)

    body = _pinned(api, admin, "/deals", {"stage": stage.pk}, 3, django_assert_num_queries)

    assert len(body["items"]) == 6


def test_pipelines_list_query_count(api, manager, django_assert_num_queries):
    for i in range(4):
        make_pipeline(f"P{i}")

    # token, pipelines, their stages (one prefetch query)
    body = _pinned(api, manager, "/pipelines", {}, 3, django_assert_num_queries)

    assert len(body) == 4
    assert all(len(p["stages"]) == 5 for p in body)
