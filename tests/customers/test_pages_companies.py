"""The company pages: list, card with its contacts, form, bulk actions, export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import AuditEvent, CustomField, FieldType
from kliento.customers import services
from kliento.customers.models import Company
from tests.customers.forms import company_form
from tests.factories import CompanyFactory, ContactFactory, add_channel

XSS = "<script>alert(1)</script>"
LIST = reverse("customers:company-list")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def company_of(user, name="Logi SIA", **extra) -> Company:
    return services.company_create(actor=Actor.of_user(user), data={"name": name, **extra})


def rows_of(response, record="company") -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split(f'data-record="{record}-')[1:]]


# --- the list ----------------------------------------------------------------------


def test_the_list_shows_the_primary_e_mail_and_phone_as_links(manager):
    company = company_of(
        manager,
        emails=[{"value": "info@logi.lv"}, {"value": "sales@logi.lv", "is_primary": False}],
        phones=[{"value": "+37167000000"}],
    )
    response = client_for(manager).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert rows_of(response) == [str(company.pk)]
    assert 'href="mailto:info@logi.lv"' in html and 'href="tel:+37167000000"' in html
    assert "sales@logi.lv" not in html


def test_search_filter_and_sort(manager, colleague):
    a = company_of(manager, name="Alpha Glass", relationship="customer", tags=["vip"])
    b = company_of(colleague, name="Beta Logs", source="fair")
    client = client_for(manager)
    assert rows_of(client.get(LIST, {"q": "alp"}, headers={"HX-Request": "true"})) == [str(a.pk)]
    assert rows_of(client.get(LIST, {"owner": colleague.pk})) == [str(b.pk)]
    assert rows_of(client.get(LIST, {"tag": "vip"})) == [str(a.pk)]
    assert rows_of(client.get(LIST, {"source": "fair"})) == [str(b.pk)]
    assert rows_of(client.get(LIST, {"ordering": "-name"})) == [str(b.pk), str(a.pk)]
    refused = client.get(LIST, {"tag": "vip", "ordering": "-updated_at"})
    assert refused.status_code == 422 and "alert-error" in refused.content.decode()


def test_the_list_hides_companies_of_another_team(manager, stranger):
    mine, theirs = company_of(manager), company_of(stranger, name="Secret")
    assert rows_of(client_for(manager).get(LIST)) == [str(mine.pk)]
    assert str(theirs.pk) not in rows_of(client_for(manager).get(LIST, {"q": "sec"}))


def test_load_more_by_cursor(manager):
    CompanyFactory.create_batch(55, owner=manager)
    client = client_for(manager)
    first = client.get(LIST)
    html = first.content.decode()
    cursor = html.split("cursor=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    more = client.get(LIST, {"cursor": cursor}, headers={"HX-Request": "true"})
    assert len(rows_of(first)) == 50 and len(rows_of(more)) == 5
    assert not set(rows_of(first)) & set(rows_of(more))


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        ({}, 10),
        ({"q": "company"}, 9),
        ({"owner": "OWNER"}, 10),
        ({"relationship": "prospect"}, 10),
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    manager, params, queries, django_assert_num_queries
):
    params = {k: manager.pk if v == "OWNER" else v for k, v in params.items()}
    client = client_for(manager)
    client.get(LIST)
    for count in (3, 30):
        for _ in range(count - Company.objects.count()):
            company = CompanyFactory(owner=manager)
            add_channel(company, "email", f"c{company.pk}@example.com")
            add_channel(company, "phone", f"+3716700{company.pk:04d}")
        with django_assert_num_queries(queries):
            response = client.get(LIST, params)
        assert len(rows_of(response)) == count


def test_export_of_companies(head, manager):
    company_of(manager, name="=cmd|' /C calc'!A0", emails=[{"value": "a@b.lv"}])
    response = client_for(head).get(reverse("customers:company-export"))
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert body.startswith("\ufeff")
    assert rows[1][1] == "'=cmd|' /C calc'!A0" and rows[1][3] == "a@b.lv"
    assert client_for(manager).get(reverse("customers:company-export")).status_code == 403


def test_bulk_tag_and_assign_companies(head, manager, colleague):
    company = company_of(manager)
    url = reverse("customers:company-bulk")
    client = client_for(head)
    assert (
        client.post(url, {"ids": [company.pk], "action": "tag", "tag": "fair"}).status_code == 302
    )
    assert (
        client.post(
            url, {"ids": [company.pk], "action": "assign", "owner_id": colleague.pk}
        ).status_code
        == 302
    )
    company.refresh_from_db()
    assert company.owner_id == colleague.pk and company.version == 3
    assert list(company.tags.values_list("name", flat=True)) == ["fair"]


def test_bulk_assign_to_a_missing_user_changes_nothing(head, manager):
    a, b = company_of(manager), company_of(manager, name="Other")
    client = client_for(head)
    response = client.post(
        reverse("customers:company-bulk"),
        {"ids": [a.pk, b.pk], "action": "assign", "owner_id": "999999"},
    )
    assert response.status_code == 302
    assert "No such active user." in client.get(response["Location"]).content.decode()
    assert set(Company.objects.values_list("owner_id", flat=True)) == {manager.pk}
    assert set(Company.objects.values_list("version", flat=True)) == {1}


# --- the card ----------------------------------------------------------------------


def test_the_card_shows_its_visible_contacts_and_channels(manager, stranger):
    CustomField.objects.create(
        record_type="company", key="employees", label="Employees", field_type=FieldType.NUMBER
    )
    company = company_of(
        manager,
        website="logi.lv",
        emails=[{"value": "info@logi.lv"}],
        messengers=[{"value": "+37120000009", "label": "WhatsApp"}],
        custom={"employees": 12},
        tags=["windows"],
    )
    mine = ContactFactory(owner=manager, company=company, first_name="Anna", last_name="Ozola")
    hidden = ContactFactory(owner=stranger, company=company, first_name="Secret")
    response = client_for(manager).get(reverse("customers:company-detail", args=[company.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-record="contact-{mine.pk}"' in html
    assert f'data-record="contact-{hidden.pk}"' not in html and "Secret" not in html
    assert 'href="https://logi.lv"' in html and 'href="mailto:info@logi.lv"' in html
    assert 'href="https://wa.me/37120000009"' in html
    assert "Employees" in html and "windows" in html
    assert f'id="timeline-company-{company.pk}"' in html


def test_the_card_lists_the_first_50_contacts(manager):
    company = company_of(manager)
    ContactFactory.create_batch(55, owner=manager, company=company)
    html = client_for(manager).get(reverse("customers:company-detail", args=[company.pk]))
    assert len(rows_of(html, "contact")) == 50
    assert "Showing the first 50." in html.content.decode()


def test_card_query_count_does_not_grow_with_contacts(manager, django_assert_num_queries):
    company = company_of(manager, tags=["a"], emails=[{"value": "i@l.lv"}])
    client = client_for(manager)
    url = reverse("customers:company-detail", args=[company.pk])
    client.get(url)
    for count in (2, 30):
        ContactFactory.create_batch(
            count - company.contacts.count(), owner=manager, company=company
        )
        with django_assert_num_queries(11):
            response = client.get(url)
        assert len(rows_of(response, "contact")) == count


def test_the_card_of_another_team_is_404(manager, stranger):
    company = company_of(stranger)
    response = client_for(manager).get(reverse("customers:company-detail", args=[company.pk]))
    assert response.status_code == 404


def test_a_hostile_website_stored_before_the_rule_is_not_a_link(manager):
    # The service refuses such an address now; a row written before it may hold one.
    company = CompanyFactory(owner=manager, website="javascript:alert(1)")
    html = client_for(manager).get(reverse("customers:company-detail", args=[company.pk]))
    assert 'href="javascript:' not in html.content.decode()


# --- the form ----------------------------------------------------------------------


def test_create_with_an_error_then_correctly(manager):
    client = client_for(manager)
    url = reverse("customers:company-create")
    assert client.get(url).status_code == 200
    bad = client.post(url, company_form(name="  "))
    assert bad.status_code == 422 and "This field is required." in bad.content.decode()
    assert not Company.objects.exists()
    good = client.post(
        url,
        company_form(
            name="Logi SIA",
            website="logi.lv",
            tags="a, b",
            channel_kind=["email", "address"],
            channel_label=["", "office"],
            channel_value=["info@logi.lv", "Rīga, Brīvības 1"],
        ),
    )
    company = Company.objects.get()
    assert good.status_code == 302
    assert good["Location"] == reverse("customers:company-detail", args=[company.pk])
    assert company.channels.count() == 2
    assert AuditEvent.objects.filter(record_type="company", record_id=company.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "x" * 201}, "At most 200 characters."),
        ({"name": "Ok", "channel_kind": ["password"], "channel_value": ["x"]}, "Choose a kind"),
        ({"name": "Ok", "channel_kind": ["phone"], "channel_value": ["'; DROP TABLE x; --"]}, ""),
        ({"name": "Ok", "relationship": "=HYPERLINK(1)"}, "Must be one of"),
        ({"name": "Ok", "notes": "x" * 20_001}, "At most 20000 characters."),
        ({"name": "bad\x00nul"}, "NUL"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(manager, fields, message):
    response = client_for(manager).post(reverse("customers:company-create"), company_form(**fields))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Company.objects.exists()


def test_a_stale_edit_is_a_409_keeping_the_input(manager, colleague):
    company = company_of(manager)
    services.company_update(
        actor=Actor.of_user(colleague), company_id=company.pk, version=1, data={"region": "Rīga"}
    )
    response = client_for(manager).post(
        reverse("customers:company-edit", args=[company.pk]),
        company_form(version=1, name="Mine Ltd"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "Someone else saved this record after you opened it" in html and 'value="Mine Ltd"' in html
    )
    company.refresh_from_db()
    assert company.name == "Logi SIA" and company.region == "Rīga"


def test_edit_then_delete_by_the_head_of_sales(head, manager):
    company = company_of(manager, emails=[{"value": "a@b.lv"}])
    client = client_for(head)
    url = reverse("customers:company-edit", args=[company.pk])
    html = client.get(url).content.decode()
    assert 'value="Logi SIA"' in html and 'value="a@b.lv"' in html and 'name="owner_id"' in html
    saved = client.post(url, company_form(version=1, name="Logi AS", owner_id=str(manager.pk)))
    assert saved.status_code == 302
    company.refresh_from_db()
    assert company.name == "Logi AS" and company.version == 2
    assert not company.channels.exists()  # the form's channel rows replace the stored ones
    deleted = client.post(reverse("customers:company-delete", args=[company.pk]))
    assert deleted.status_code == 302 and not Company.objects.exists()


def test_a_read_only_user_may_not_create(make_user):
    reader = make_user(Role.READ_ONLY)
    client = client_for(reader)
    assert client.get(reverse("customers:company-create")).status_code == 403
    assert (
        client.post(reverse("customers:company-create"), company_form(name="X")).status_code == 403
    )
    assert not Company.objects.exists()


def test_global_search_finds_companies(manager, stranger):
    mine = company_of(manager, name="Zeta Glass")
    theirs = company_of(stranger, name="Zeta Hidden")
    html = client_for(manager).get(reverse("core:search"), {"q": "zeta"}).content.decode()
    assert f'data-record="company-{mine.pk}"' in html
    assert f'data-record="company-{theirs.pk}"' not in html
