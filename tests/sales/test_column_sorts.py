"""The deal list sorted by company names only the companies the user may see, through the
page and the API alike; the lead list by status follows the workflow, not the alphabet."""

from __future__ import annotations

from kliento.sales import selectors
from tests.factories import CompanyFactory, LeadFactory, deal_for, make_pipeline


def test_deals_by_company_treat_a_hidden_company_as_none(manager, stranger, api):
    pipeline = make_pipeline()
    seen = CompanyFactory(owner=manager, name="Zeta", name_key="zeta")
    hidden = CompanyFactory(owner=stranger, name="Alpha", name_key="alpha")
    a = deal_for(manager, pipeline, title="A", company=hidden)
    b = deal_for(manager, pipeline, title="B", company=seen)
    c = deal_for(manager, pipeline, title="C", company=None)

    response = api(manager).get("/deals", {"ordering": "company"})

    assert response.status_code == 200, response.content
    # Zeta first; the hidden Alpha sorts with "no company" (by title), so it is not revealed
    assert [d["id"] for d in response.json()["items"]] == [b.pk, a.pk, c.pk]


def test_leads_by_status_follow_the_workflow(admin):
    made = {s: LeadFactory(owner=admin, status=s) for s in ("converted", "new", "working")}
    page = selectors.leads_list(
        admin, filters=selectors.LeadFilters(), params={}, ordering="status", cursor=None, limit=10
    )
    assert [lead.pk for lead in page.items] == [
        made["new"].pk,
        made["working"].pk,
        made["converted"].pk,
    ]


def test_the_api_pages_a_column_sort_with_its_cursor(admin, api):
    leads = [LeadFactory(owner=admin, title=f"T{i}", source=f"s{9 - i}") for i in range(5)]
    client, seen, cursor = api(admin), [], None
    while True:
        params = {"ordering": "source", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/leads", params).json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [lead.pk for lead in reversed(leads)]
