"""Converting a lead: a contact/company (new or linked) and a deal in one transaction."""

from __future__ import annotations

from unittest import mock

import pytest

from kliento.core.actors import Actor
from kliento.core.errors import ValidationFailed
from kliento.core.models import AuditEvent
from kliento.customers.models import Company, Contact
from kliento.sales import services
from kliento.sales.models import Deal, Lead, StageChange
from tests.factories import LeadFactory, make_pipeline, stage_of


@pytest.fixture
def lead(manager):
    return LeadFactory(
        owner=manager,
        title="Windows for Ozols",
        first_name="Jānis",
        last_name="Ozols",
        company_name="Ozols SIA",
        email="janis@ozols.lv",
        phone="+37120000000",
        source="google",
        utm_campaign="spring",
        keyword="pvc windows",
        budget_amount="3500.00",
        budget_currency="EUR",
    )


def convert(api, user, lead, **body):
    return api(user).post(f"/leads/{lead.pk}/convert", body)


def counts():
    return (Contact.objects.count(), Company.objects.count(), Deal.objects.count())


def test_convert_creating_contact_company_and_deal(api, manager, lead, pipeline):
    response = convert(
        api,
        manager,
        lead,
        create_contact=True,
        create_company=True,
        deal={"pipeline_id": pipeline.pk},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    contact = Contact.objects.get()
    company = Company.objects.get()
    deal = Deal.objects.get()
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Jānis",
        "Ozols",
        "janis@ozols.lv",
    )
    assert contact.company == company
    assert (contact.source, contact.source_campaign, contact.source_keyword) == (
        "google",
        "spring",
        "pvc windows",
    )
    assert company.name == "Ozols SIA"
    assert (deal.title, deal.stage, deal.lead) == (
        "Windows for Ozols",
        stage_of(pipeline, "First call"),
        lead,
    )
    assert (deal.contact, deal.company, str(deal.amount)) == (contact, company, "3500.00")
    assert deal.owner == manager
    assert body["deal"]["id"] == deal.pk
    lead.refresh_from_db()
    assert (lead.status, lead.contact, lead.company) == ("converted", contact, company)
    assert lead.converted_at is not None
    assert body["lead"]["status"] == "converted"
    assert StageChange.objects.filter(deal=deal).count() == 1
    converted = AuditEvent.objects.get(record_type="lead", action="lead.converted")
    assert converted.changes["status"] == ["new", "converted"]


def test_convert_linking_existing_records_and_deal_options(api, manager, lead, pipeline):
    company = Company.objects.create(name="Existing", name_key="existing", owner=manager)
    contact = Contact.objects.create(first_name="Old", name_key="old", owner=manager)
    approval = stage_of(pipeline, "Approval")

    response = convert(
        api,
        manager,
        lead,
        contact_id=contact.pk,
        company_id=company.pk,
        deal={
            "pipeline_id": pipeline.pk,
            "stage_id": approval.pk,
            "title": "Custom title",
            "amount": "100.00",
            "currency": "USD",
            "expected_close_date": "2026-06-30",
        },
    )

    assert response.status_code == 200, response.content
    deal = Deal.objects.get()
    assert (deal.contact, deal.company, deal.stage, deal.title) == (
        contact,
        company,
        approval,
        "Custom title",
    )
    assert (str(deal.amount), deal.currency, str(deal.expected_close_date)) == (
        "100.00",
        "USD",
        "2026-06-30",
    )
    assert (Contact.objects.count(), Company.objects.count()) == (1, 1)


def test_a_second_convert_is_refused(api, manager, lead, pipeline):
    first = convert(api, manager, lead, create_contact=True, deal={"pipeline_id": pipeline.pk})
    second = convert(api, manager, lead, create_contact=True, deal={"pipeline_id": pipeline.pk})

    assert first.status_code == 200
    assert second.status_code == 422
    assert counts() == (1, 0, 1)


def test_a_failing_deal_rolls_back_the_new_contact_and_company(api, manager, lead, pipeline):
    foreign_stage = make_pipeline("Other").stages.first()

    response = convert(
        api,
        manager,
        lead,
        create_contact=True,
        create_company=True,
        deal={"pipeline_id": pipeline.pk, "stage_id": foreign_stage.pk},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deal.stage_id"
    assert counts() == (0, 0, 0)
    lead.refresh_from_db()
    assert (lead.status, lead.contact, lead.converted_at, lead.version) == ("new", None, None, 1)
    assert not AuditEvent.objects.filter(record_type__in=["contact", "company"]).exists()


def test_an_unexpected_error_after_the_deal_rolls_back_everything(manager, lead, pipeline):
    actor = Actor.of_user(manager)

    with (
        mock.patch("kliento.core.writes.save_versioned", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.lead_convert(
            actor=actor,
            lead_id=lead.pk,
            create_contact=True,
            create_company=True,
            deal={"pipeline_id": pipeline.pk},
        )

    assert counts() == (0, 0, 0)
    assert StageChange.objects.count() == 0
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_contact_the_user_cannot_see_is_422(api, manager, stranger, lead, pipeline):
    theirs = Contact.objects.create(first_name="Hidden", name_key="hidden", owner=stranger)

    response = convert(api, manager, lead, contact_id=theirs.pk, deal={"pipeline_id": pipeline.pk})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_id"
    assert counts() == (1, 0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"contact_id": 1, "create_contact": True, "deal": {"pipeline_id": 1}},
        {"create_contact": "yes", "deal": {"pipeline_id": 1}},
        {"create_contact": True},
        {"create_contact": True, "deal": {"pipeline_id": 1, "amount": "-5"}},
        {"create_contact": True, "deal": {"pipeline_id": 1, "currency": "ABC"}},
        {"create_contact": True, "deal": {"pipeline_id": 1, "owner_id": 1}},
        {"create_contact": True, "deal": {"pipeline_id": 999999}},
        {"create_contact": True, "deal": {"pipeline_id": 1}, "extra": 1},
    ],
)
def test_bad_convert_input_is_422_and_nothing_written(api, manager, lead, pipeline, body):
    if body.get("deal", {}).get("pipeline_id") == 1:
        body = {**body, "deal": {**body["deal"], "pipeline_id": pipeline.pk}}

    response = api(manager).post(f"/leads/{lead.pk}/convert", body)

    assert response.status_code == 422, response.content
    assert counts() == (0, 0, 0)
    lead.refresh_from_db()
    assert lead.status == "new"


def test_create_company_needs_a_company_name(manager, pipeline):
    lead = LeadFactory(owner=manager, company_name="")

    with pytest.raises(ValidationFailed):
        services.lead_convert(
            actor=Actor.of_user(manager),
            lead_id=lead.pk,
            create_company=True,
            deal={"pipeline_id": pipeline.pk},
        )

    assert counts() == (0, 0, 0)


def test_someone_elses_lead_is_404(api, manager, stranger, pipeline):
    theirs = LeadFactory(owner=stranger)

    response = convert(api, manager, theirs, create_contact=True, deal={"pipeline_id": pipeline.pk})

    assert response.status_code == 404
    assert counts() == (0, 0, 0)
