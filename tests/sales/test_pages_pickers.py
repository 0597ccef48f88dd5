"""The type-ahead pickers on the sales pages: the deal form's company and contact, and the lead
conversion that links an existing contact or company instead of creating one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.choices import Role
from kliento.core.models import RolePermission
from kliento.customers.models import Company, Contact
from kliento.sales.models import Deal, Lead
from tests.factories import CompanyFactory, ContactFactory, LeadFactory, deal_for

XSS = "<script>alert(1)</script>"
PICK_CONTACT = reverse("customers:pick", args=["contact"])
PICK_COMPANY = reverse("customers:pick", args=["company"])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def picker_holds(html: str, name: str, pk: object, text: str) -> bool:
    """The picker `name` posts the id `pk` and shows `text` in its search box."""
    return f'name="{name}" value="{pk}" data-picker-id' in html and f'value="{text}"' in html


def counts() -> tuple[int, int, int]:
    return (Contact.objects.count(), Company.objects.count(), Deal.objects.count())


# --- the deal form -----------------------------------------------------------------------------


def test_the_edit_form_shows_pickers_with_the_linked_names(manager, pipeline):
    company = CompanyFactory(owner=manager, name="Zeta Glass")
    contact = ContactFactory(owner=manager, first_name="Anna", last_name="Kalna")
    deal = deal_for(manager, pipeline, company=company, contact=contact)

    response = client_for(manager).get(reverse("sales:deal-edit", args=[deal.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert picker_holds(html, "company_id", company.pk, "Zeta Glass")
    assert picker_holds(html, "contact_id", contact.pk, "Anna Kalna")
    assert f'hx-get="{PICK_COMPANY}"' in html and f'hx-get="{PICK_CONTACT}"' in html
    assert html.count('role="combobox"') == 2 and "(number)" not in html


def test_the_form_names_no_linked_record_one_may_not_see(admin, manager, stranger, pipeline):
    # given the manager's deal linked (by an admin) to a stranger's company
    hidden = CompanyFactory(owner=stranger, name="Secret Holdings")
    deal = deal_for(manager, pipeline, company=hidden)

    html = client_for(manager).get(reverse("sales:deal-edit", args=[deal.pk])).content.decode()

    assert "Secret Holdings" not in html
    assert picker_holds(html, "company_id", hidden.pk, f"#{hidden.pk}")


def test_posting_the_picked_ids_links_them(manager, pipeline):
    company = CompanyFactory(owner=manager, name="Zeta Glass")
    contact = ContactFactory(owner=manager)
    form = {
        "title": "Oak windows",
        "pipeline_id": pipeline.pk,
        "amount": "10",
        "currency": "EUR",
        "company_id": str(company.pk),
        "contact_id": str(contact.pk),
        "q": "Zeta",  # the pickers' search boxes are posted too, and ignored
    }

    response = client_for(manager).post(reverse("sales:deal-create"), form)

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert (deal.company, deal.contact) == (company, contact)


def test_clearing_a_picker_unlinks_the_record(manager, pipeline):
    company = CompanyFactory(owner=manager)
    deal = deal_for(manager, pipeline, company=company, title="Old")

    form = {"title": "Old", "amount": "0", "currency": "EUR", "version": deal.version}

    response = client_for(manager).post(
        reverse("sales:deal-edit", args=[deal.pk]), {**form, "company_id": "", "contact_id": ""}
    )

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.company is None


def test_a_refused_form_keeps_the_picked_names(manager, pipeline):
    company = CompanyFactory(owner=manager, name="Zeta Glass")

    response = client_for(manager).post(
        reverse("sales:deal-create"),
        {"title": "", "pipeline_id": pipeline.pk, "company_id": str(company.pk)},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert picker_holds(html, "company_id", company.pk, "Zeta Glass")


def test_an_invisible_contact_is_the_field_error_at_its_picker(manager, stranger, pipeline):
    hidden = ContactFactory(owner=stranger, first_name="Secret", last_name="Agent")

    response = client_for(manager).post(
        reverse("sales:deal-create"),
        {"title": "Oak", "pipeline_id": pipeline.pk, "contact_id": str(hidden.pk)},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="err-contact_id"' in html and "No such record, or you may not see it." in html
    assert 'aria-describedby="err-contact_id"' in html and "Secret" not in html
    assert Deal.objects.count() == 0


# --- the lead conversion -------------------------------------------------------------------------


@pytest.fixture
def lead(manager):
    return LeadFactory(
        owner=manager,
        title="Windows for Ozols",
        first_name="Jānis",
        last_name="Ozols",
        company_name="Ozols SIA",
        budget_amount="3500.00",
        budget_currency="EUR",
    )


def convert_form(lead, pipeline, **changes):
    data = {"version": lead.version, "deal.pipeline_id": pipeline.pk, "deal.title": lead.title}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def convert(user, lead, form):
    return client_for(user).post(reverse("sales:lead-convert", args=[lead.pk]), form)


def test_the_card_offers_to_create_or_link_a_contact_and_a_company(manager, lead, pipeline):
    html = client_for(manager).get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()

    assert 'name="create_contact"' in html and 'name="create_company"' in html
    assert 'data-picker-exclusive="convert-create-contact"' in html
    assert 'data-picker-exclusive="convert-create-company"' in html
    assert picker_holds(html, "contact_id", "", "") and picker_holds(html, "company_id", "", "")
    assert f'hx-get="{PICK_CONTACT}"' in html and f'hx-get="{PICK_COMPANY}"' in html


def test_a_role_that_sees_no_companies_gets_no_company_picker(manager, lead):
    RolePermission.objects.create(role=Role.MANAGER, record_type="company", scope="none")

    html = client_for(manager).get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()

    assert f'hx-get="{PICK_COMPANY}"' not in html
    assert f'hx-get="{PICK_CONTACT}"' in html


def test_convert_links_an_existing_contact_and_company(manager, colleague, lead, pipeline):
    # given a contact and a company of a teammate (the manager sees the team's)
    company = CompanyFactory(owner=colleague, name="Logi SIA")
    contact = ContactFactory(owner=colleague, first_name="Jānis", last_name="Ozols")
    before = counts()

    response = convert(
        manager,
        lead,
        convert_form(lead, pipeline, contact_id=str(contact.pk), company_id=str(company.pk)),
    )

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal-detail", args=[deal.pk])
    assert (deal.contact, deal.company, deal.lead) == (contact, company, lead)
    assert counts() == (before[0], before[1], 1)  # nothing created but the deal
    lead.refresh_from_db()
    assert (lead.status, lead.contact, lead.company) == ("converted", contact, company)


def test_convert_links_a_contact_and_creates_the_company(manager, lead, pipeline):
    contact = ContactFactory(owner=manager)

    response = convert(
        manager, lead, convert_form(lead, pipeline, contact_id=str(contact.pk), create_company="on")
    )

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert deal.contact == contact and deal.company.name == "Ozols SIA"


@pytest.mark.parametrize("field", ["contact_id", "company_id"])
def test_linking_an_invisible_record_is_a_field_error_and_changes_nothing(
    manager, stranger, lead, pipeline, field
):
    hidden = (
        ContactFactory(owner=stranger, first_name="Secret", last_name="Agent")
        if field == "contact_id"
        else CompanyFactory(owner=stranger, name="Secret Holdings")
    )
    before = counts()

    response = convert(manager, lead, convert_form(lead, pipeline, **{field: str(hidden.pk)}))

    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="err-{field}"' in html and "No such record, or you may not see it." in html
    assert f'aria-describedby="err-{field}"' in html and "Secret" not in html
    assert counts() == before
    fresh = Lead.objects.get(pk=lead.pk)
    assert (fresh.status, fresh.version, fresh.contact_id, fresh.company_id) == (
        "new",
        lead.version,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"create_contact": "on", "contact_id": "LINK"}, "contact_id", "Either link a contact"),
        ({"create_company": "on", "company_id": "LINK"}, "company_id", "Either link a company"),
        ({"contact_id": XSS}, "contact_id", "Must be an id."),
        ({"company_id": "' OR 1=1 --"}, "company_id", "Must be an id."),
        ({"contact_id": "9" * 40}, "contact_id", "Must be an id."),
        ({"company_id": "999999"}, "company_id", "No such record"),
    ],
)
def test_bad_links_are_field_errors_at_the_pickers(
    manager, lead, pipeline, changes, field, message
):
    contact = ContactFactory(owner=manager)
    company = CompanyFactory(owner=manager)
    links = {"contact_id": str(contact.pk), "company_id": str(company.pk)}
    changes = {k: links[k] if v == "LINK" else v for k, v in changes.items()}
    before = counts()

    response = convert(manager, lead, convert_form(lead, pipeline, **changes))

    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="err-{field}"' in html and message in html
    assert XSS not in html
    assert counts() == before
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_refused_conversion_keeps_the_linked_contact(manager, lead, pipeline):
    contact = ContactFactory(owner=manager, first_name="Anna", last_name="Kalna")

    response = convert(
        manager,
        lead,
        convert_form(lead, pipeline, **{"deal.amount": "lots"}, contact_id=str(contact.pk)),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert picker_holds(html, "contact_id", contact.pk, "Anna Kalna")


def test_the_company_error_of_create_shows_at_its_box(manager, pipeline):
    lead = LeadFactory(owner=manager, company_name="   ")

    response = convert(manager, lead, convert_form(lead, pipeline, create_company="on"))

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="err-create_company"' in html and "no company name" in html
    assert counts() == (0, 0, 0)
