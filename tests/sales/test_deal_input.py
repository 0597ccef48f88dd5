"""Bad input on every deal write: a 422 naming the field, and nothing written."""

from __future__ import annotations

import pytest

from kliento.core.models import AuditEvent, CustomField
from kliento.customers.models import Company
from kliento.sales.models import Deal, StageChange
from tests.factories import deal_for


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": 5}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "nul\x00"}, "title"),
        ({"pipeline_id": "first"}, "pipeline_id"),
        ({"pipeline_id": 999999}, "pipeline_id"),
        ({"amount": "-0.01"}, "amount"),
        ({"amount": "1000000000000.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "a lot"}, "amount"),
        ({"amount": [1]}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "QQQ"}, "currency"),
        ({"expected_close_date": "2026-13-01"}, "expected_close_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"company_id": 999999}, "company_id"),
        ({"contact_id": "x"}, "contact_id"),
        ({"lead_id": 999999}, "lead_id"),
        ({"owner_id": 999999}, "owner_id"),
        ({"team_id": 1}, "team_id"),
        ({"status": "won"}, "status"),
        ({"version": 7}, "version"),
        ({"closed_at": "2026-01-01T00:00:00Z"}, "closed_at"),
        ({"custom": {"nope": 1}}, "custom.nope"),
        ({"custom": "text"}, "custom"),
    ],
)
def test_bad_deal_create_is_422_and_nothing_written(api, manager, pipeline, changes, field):
    body = {"title": "Good", "pipeline_id": pipeline.pk, **changes}

    response = api(manager).post("/deals", body)

    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert Deal.objects.count() == 0
    assert StageChange.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_malformed_json_is_refused_and_writes_nothing(api, manager, pipeline):
    deal = deal_for(manager, pipeline)
    client = api(manager)

    responses = [
        client.post("/deals", '{"title": "x", "pipeline_id": '),
        client.patch(f"/deals/{deal.pk}", "{version: 1}"),
        client.post(f"/deals/{deal.pk}/move", "[1,"),
        client.put(f"/deals/{deal.pk}/participants", "[{"),
        client.post("/leads", "{"),
        client.post("/pipelines", "nope"),
    ]

    assert all(r.status_code == 422 for r in responses), [r.status_code for r in responses]
    assert all("detail" in r.json() for r in responses)
    assert Deal.objects.count() == 1
    assert StageChange.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"amount": "-1"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"expected_close_date": "31.12.2026"}, "expected_close_date"),
        ({"pipeline_id": 1}, "pipeline_id"),
        ({"stage_id": 1}, "stage_id"),
        ({"unknown": 1}, "unknown"),
        ({"version": "1"}, "version"),
    ],
)
def test_bad_deal_update_is_422_and_changes_nothing(api, manager, pipeline, changes, field):
    deal = deal_for(manager, pipeline, title="Keep")

    response = api(manager).patch(f"/deals/{deal.pk}", {"version": 1, **changes})

    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    deal.refresh_from_db()
    assert (deal.title, deal.version, str(deal.amount), deal.currency) == ("Keep", 1, "0.00", "EUR")


def test_a_company_the_user_cannot_see_is_422_not_linked(api, manager, stranger, pipeline):
    hidden = Company.objects.create(name="Hidden", name_key="hidden", owner=stranger)

    response = api(manager).post(
        "/deals", {"title": "X", "pipeline_id": pipeline.pk, "company_id": hidden.pk}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "company_id"
    assert Deal.objects.count() == 0


def test_required_custom_field_and_valid_custom_values(api, manager, pipeline):
    CustomField.objects.create(
        record_type="deal", key="window_count", label="Windows", field_type="number", required=True
    )

    missing = api(manager).post("/deals", {"title": "X", "pipeline_id": pipeline.pk})
    ok = api(manager).post(
        "/deals", {"title": "X", "pipeline_id": pipeline.pk, "custom": {"window_count": 6}}
    )
    listed = api(manager).get("/deals", {"custom.window_count": "6"}).json()["items"]

    assert missing.status_code == 422
    assert ok.status_code == 201
    assert ok.json()["custom"] == {"window_count": 6}
    assert [d["id"] for d in listed] == [ok.json()["id"]]
