"""The contact pages: list (search, filters, sort, cursor), card, form, bulk, export, hints."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import AuditEvent, CustomField, FieldType
from kliento.core.web.bulk import safe_cell
from kliento.customers import services
from kliento.customers.models import Contact
from kliento.customers.views.records import channel_href
from tests.customers.forms import contact_form
from tests.factories import CompanyFactory, ContactFactory

XSS = "<script>alert(1)</script>"
LIST = reverse("customers:contact-list")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def contact_of(user, first="Anna", last="Bērziņa", **extra) -> Contact:
    data = {"first_name": first, "last_name": last, **extra}
    return services.contact_create(actor=Actor.of_user(user), data=data)


def rows_of(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-record="contact-')[1:]]


# --- the list ----------------------------------------------------------------------


def test_the_list_shows_name_company_links_owner_and_created(manager):
    # given a contact with a company, an e-mail and a phone
    company = CompanyFactory(owner=manager, name="Logi SIA")
    contact = contact_of(
        manager,
        company_id=company.pk,
        emails=[{"value": "anna@logi.lv"}],
        phones=[{"value": "+371 2000 0001"}],
    )
    # when the manager opens the contact list
    response = client_for(manager).get(LIST)
    # then the row shows everything, with mailto: and tel: links
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-record="contact-{contact.pk}"' in html
    assert "Logi SIA" in html and 'href="mailto:anna@logi.lv"' in html
    assert 'href="tel:+37120000001"' in html
    assert manager.display_name in html


def test_a_hostile_name_is_shown_inert(manager):
    contact_of(manager, first=XSS, last='=HYPERLINK("http://x")')
    html = client_for(manager).get(LIST).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_list_hides_rows_of_another_team(manager, stranger):
    mine = contact_of(manager)
    theirs = contact_of(stranger)
    assert rows_of(client_for(manager).get(LIST)) == [str(mine.pk)]
    assert str(theirs.pk) not in rows_of(client_for(manager).get(LIST, {"q": "Bēr"}))


def test_search_as_you_type_returns_the_rows_partial(manager):
    # given two contacts
    ozols = contact_of(manager, first="Jānis", last="Ozols")
    contact_of(manager, first="Anna", last="Kalniņa")
    # when htmx asks with q
    response = client_for(manager).get(LIST, {"q": "ozo"}, headers={"HX-Request": "true"})
    # then only the rows come back (no layout), and the saved-filter query follows out of band
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<tbody" not in html
    assert rows_of(response) == [str(ozols.pk)]
    assert 'id="sf-query-contacts"' in html and "q=ozo" in html


def test_search_by_e_mail_and_phone(manager):
    found = contact_of(
        manager, emails=[{"value": "Found@Example.com"}], phones=[{"value": "+37129999999"}]
    )
    contact_of(manager, first="Other")
    client = client_for(manager)
    assert rows_of(client.get(LIST, {"q": "found@example.com"})) == [str(found.pk)]
    assert rows_of(client.get(LIST, {"q": "+371 2999 9999"})) == [str(found.pk)]


def test_a_reload_with_q_shows_the_same_search(manager):
    contact_of(manager, first="Jānis", last="Ozols")
    html = client_for(manager).get(LIST, {"q": "ozo"}).content.decode()
    assert 'value="ozo"' in html


def test_filters_by_owner_relationship_tag_source_and_team(manager, colleague, team):
    a = contact_of(manager, relationship="customer", tags=["vip"], source="fair")
    b = contact_of(colleague, first="Bob", relationship="partner")
    client = client_for(manager)
    assert rows_of(client.get(LIST, {"owner": colleague.pk})) == [str(b.pk)]
    assert rows_of(client.get(LIST, {"relationship": "customer"})) == [str(a.pk)]
    assert rows_of(client.get(LIST, {"tag": "vip"})) == [str(a.pk)]
    assert rows_of(client.get(LIST, {"source": "fair"})) == [str(a.pk)]
    assert sorted(rows_of(client.get(LIST, {"team": team.pk}))) == sorted([str(a.pk), str(b.pk)])


def test_filter_by_custom_field(manager):
    CustomField.objects.create(
        record_type="contact",
        key="size",
        label="Size",
        field_type=FieldType.CHOICE,
        choices=["S", "L"],
    )
    big = contact_of(manager, custom={"size": "L"})
    contact_of(manager, first="Small", custom={"size": "S"})
    response = client_for(manager).get(LIST, {"custom.size": "L"})
    assert rows_of(response) == [str(big.pk)]
    assert 'name="custom.size"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"relationship": "customer", "ordering": "created_at"}, "sort by: name"),
        ({"owner": "abc"}, "Must be an id."),
        ({"relationship": "'; DROP TABLE customers_contact; --"}, "Must be one of"),
        ({"ordering": "password"}, ""),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"custom.nope": "1"}, "Unknown custom field."),
        ({"q": "x" * 201}, "At most 200 characters."),
    ],
)
def test_a_refused_filter_is_an_alert_not_a_500(manager, params, message):
    contact_of(manager)
    response = client_for(manager).get(LIST, params)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="alert alert-error"' in html and message in html
    assert rows_of(response) == []
    assert Contact.objects.count() == 1


def test_sorting_by_created_and_aria_sort(manager):
    first = contact_of(manager, last="Zeta")
    second = contact_of(manager, last="Alpha")
    client = client_for(manager)
    by_name = client.get(LIST)
    assert rows_of(by_name) == [str(second.pk), str(first.pk)]
    assert 'aria-sort="ascending"' in by_name.content.decode()
    newest = client.get(LIST, {"ordering": "-created_at"})
    assert rows_of(newest) == [str(second.pk), str(first.pk)]
    assert 'aria-sort="descending"' in newest.content.decode()
    oldest = client.get(LIST, {"ordering": "created_at"})
    assert rows_of(oldest) == [str(first.pk), str(second.pk)]


def test_a_name_search_keeps_the_name_order(manager):
    contact_of(manager, last="Ozols")
    response = client_for(manager).get(LIST, {"q": "ozo", "ordering": "-created_at"})
    assert response.status_code == 200 and len(rows_of(response)) == 1


def test_load_more_continues_by_cursor_without_overlap(manager):
    # given 60 contacts (a page is 50)
    ContactFactory.create_batch(60, owner=manager)
    client = client_for(manager)
    # when the first page is read
    first = client.get(LIST)
    html = first.content.decode()
    assert len(rows_of(first)) == 50
    assert "Load more" in html and "cursor=" in html
    cursor = html.split("cursor=", 1)[1].split('"', 1)[0].split("&", 1)[0]
    # then "Load more" (htmx) gives the other 10, and no further link
    more = client.get(LIST, {"cursor": cursor}, headers={"HX-Request": "true"})
    assert len(rows_of(more)) == 10
    assert not set(rows_of(more)) & set(rows_of(first))
    assert "Load more" not in more.content.decode()


@pytest.mark.parametrize(
    ("params", "queries"),
    [({}, 9), ({"q": "last"}, 8), ({"owner": "OWNER"}, 9), ({"relationship": "prospect"}, 9)],
)
def test_list_query_count_does_not_grow_with_rows(
    manager, params, queries, django_assert_num_queries
):
    # given contacts with companies, as many as 30 and as few as 3
    params = {k: manager.pk if v == "OWNER" else v for k, v in params.items()}
    client = client_for(manager)
    client.get(LIST)  # warm the session and caches
    for count in (3, 30):
        for _ in range(count - Contact.objects.count()):
            ContactFactory(owner=manager, company=CompanyFactory(owner=manager))
        # when the list is read, then the number of queries is pinned
        with django_assert_num_queries(queries):
            response = client.get(LIST, params)
        assert len(rows_of(response)) == count


def test_a_read_only_user_sees_no_bulk_edit_and_no_new_button(make_user, manager):
    contact_of(manager)
    html = client_for(make_user(Role.READ_ONLY)).get(LIST).content.decode()
    assert "contacts/new/" not in html
    assert 'value="tag"' not in html and "Export" not in html


# --- the card ----------------------------------------------------------------------


def test_the_card_shows_fields_channels_as_links_and_custom_fields(manager):
    CustomField.objects.create(
        record_type="contact", key="coffee", label="Cups of coffee", field_type=FieldType.NUMBER
    )
    company = CompanyFactory(owner=manager, name="Logi SIA")
    contact = contact_of(
        manager,
        company_id=company.pk,
        job_title="Buyer",
        tags=["vip"],
        emails=[{"value": "anna@logi.lv"}],
        phones=[{"value": "+37120000001"}],
        messengers=[
            {"value": "+371 2000 0002", "label": "WhatsApp"},
            {"value": "@anna_b", "label": "Telegram"},
            {"value": "+37120000003", "label": "Viber"},
        ],
        custom={"coffee": 3},
        notes=XSS,
    )
    response = client_for(manager).get(reverse("customers:contact-detail", args=[contact.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for link in (
        'href="mailto:anna@logi.lv"',
        'href="tel:+37120000001"',
        'href="https://wa.me/37120000002"',
        'href="https://t.me/anna_b"',
        'href="viber://chat?number=%2B37120000003"',
        f'href="{reverse("customers:company-detail", args=[company.pk])}"',
    ):
        assert link in html, link
    assert "Cups of coffee" in html and "Buyer" in html and "vip" in html
    assert XSS not in html
    assert f'id="timeline-contact-{contact.pk}"' in html
    assert f'id="quick-contact-{contact.pk}"' in html


def test_the_card_does_not_link_a_company_one_may_not_see(manager, stranger):
    company = CompanyFactory(owner=stranger, name="Secret Ltd")
    contact = contact_of(manager)
    Contact.objects.filter(pk=contact.pk).update(company=company)
    html = client_for(manager).get(reverse("customers:contact-detail", args=[contact.pk]))
    html = html.content.decode()
    assert "Secret Ltd" not in html
    assert reverse("customers:company-detail", args=[company.pk]) not in html


def test_the_card_of_another_team_is_404(manager, stranger):
    contact = contact_of(stranger)
    url = reverse("customers:contact-detail", args=[contact.pk])
    assert client_for(manager).get(url).status_code == 404


def test_card_query_count(manager, django_assert_num_queries):
    contact = contact_of(
        manager,
        company_id=CompanyFactory(owner=manager).pk,
        tags=["a", "b"],
        emails=[{"value": "a@b.lv"}],
        important_dates=[{"label": "Name day", "date": "2020-05-04"}],
    )
    client = client_for(manager)
    url = reverse("customers:contact-detail", args=[contact.pk])
    client.get(url)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("label", "value", "href"),
    [
        ("WhatsApp", "+371 2000-0002", "https://wa.me/37120000002"),
        ("telegram", "@Anna_B", "https://t.me/Anna_B"),
        ("Viber", "+37120000003", "viber://chat?number=%2B37120000003"),
        ("Skype", "anna.b", None),
        ("Telegram", "javascript:alert(1)", None),
    ],
)
def test_messenger_links(label, value, href):
    assert channel_href("messenger", label, value) == href


# --- the form ----------------------------------------------------------------------


def test_create_with_a_field_error_first_then_correctly(manager):
    client = client_for(manager)
    url = reverse("customers:contact-create")
    # when the form is sent without a name
    bad = client.post(url, contact_form())
    # then 422 names the field and nothing is written
    assert bad.status_code == 422
    assert "Give a first name or a last name." in bad.content.decode()
    assert Contact.objects.count() == 0
    # when it is sent correctly
    good = client.post(
        url,
        contact_form(
            first_name="Anna",
            last_name="Ozola",
            tags="vip, windows",
            channel_kind=["email", "phone", "messenger"],
            channel_label=["", "", "WhatsApp"],
            channel_value=["anna@example.com", "+371 2000 0001", "+37120000001"],
        ),
    )
    contact = Contact.objects.get()
    assert good.status_code == 302
    assert good["Location"] == reverse("customers:contact-detail", args=[contact.pk])
    assert contact.email == "anna@example.com" and contact.phone == "+37120000001"
    assert sorted(t.name for t in contact.tags.all()) == ["vip", "windows"]
    assert AuditEvent.objects.filter(record_type="contact", record_id=contact.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"last_name": "x" * 101}, "At most 100 characters."),
        ({"last_name": "Ok", "birthday": "tomorrow"}, "Must be a date"),
        ({"last_name": "Ok", "company_id": "'; DROP TABLE x; --"}, "Must be an id."),
        ({"last_name": "Ok", "company_id": "999999"}, "No such record"),
        ({"last_name": "Ok", "relationship": XSS}, "Must be one of"),
        ({"last_name": "Ok", "channel_value": ["not-an-email"]}, "e-mail"),
        ({"last_name": "Ok", "tags": ",".join(f"t{i}" for i in range(51))}, "At most 50 tags."),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(manager, fields, message):
    response = client_for(manager).post(reverse("customers:contact-create"), contact_form(**fields))
    html = response.content.decode()
    assert response.status_code == 422, html[:500]
    assert message in html
    assert Contact.objects.count() == 0
    assert XSS not in html


def test_a_manager_may_not_give_a_new_contact_to_someone_else(manager, colleague):
    response = client_for(manager).post(
        reverse("customers:contact-create"),
        contact_form(last_name="Ok", owner_id=str(colleague.pk)),
    )
    assert response.status_code == 422
    assert "Your role may not give a record to someone else." in response.content.decode()
    assert Contact.objects.count() == 0


def test_a_hostile_name_is_saved_verbatim_and_shown_inert(manager):
    client = client_for(manager)
    response = client.post(
        reverse("customers:contact-create"), contact_form(first_name=XSS, last_name="=HYPERLINK(1)")
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.first_name == XSS
    html = client.get(response["Location"]).content.decode()
    assert XSS not in html and "&lt;script&gt;" in html


def test_custom_fields_are_rendered_by_type_and_checked(manager):
    for key, kind, choices in [
        ("coffee", FieldType.NUMBER, []),
        ("since", FieldType.DATE, []),
        ("size", FieldType.CHOICE, ["S", "L"]),
        ("langs", FieldType.MULTI_CHOICE, ["lv", "ru"]),
        ("vip", FieldType.YES_NO, []),
    ]:
        CustomField.objects.create(
            record_type="contact", key=key, label=key.title(), field_type=kind, choices=choices
        )
    client = client_for(manager)
    url = reverse("customers:contact-create")
    html = client.get(url).content.decode()
    assert 'name="custom.coffee" value="" type="number"' in html
    assert 'name="custom.since" value="" type="date"' in html
    assert '<select id="f-custom.size" name="custom.size"' in html
    assert 'type="checkbox" name="custom.langs" value="ru"' in html
    bad = client.post(url, contact_form(last_name="Ok", **{"custom.coffee": "many"}))
    assert bad.status_code == 422 and "Must be a number." in bad.content.decode()
    arabic = client.post(url, contact_form(last_name="Ok", **{"custom.coffee": "٣"}))
    assert arabic.status_code == 422 and "Must be a number." in arabic.content.decode()
    good = client.post(
        url,
        contact_form(
            last_name="Ok",
            **{
                "custom.coffee": "3",
                "custom.since": "2020-01-02",
                "custom.size": "L",
                "custom.langs": ["lv", "ru"],
                "custom.vip": "yes",
            },
        ),
    )
    assert good.status_code == 302
    assert Contact.objects.get().custom == {
        "coffee": 3,
        "since": "2020-01-02",
        "size": "L",
        "langs": ["lv", "ru"],
        "vip": True,
    }


def test_edit_form_shows_the_stored_values_and_saves(manager):
    contact = contact_of(manager, tags=["vip"], emails=[{"value": "a@b.lv"}])
    client = client_for(manager)
    url = reverse("customers:contact-edit", args=[contact.pk])
    html = client.get(url).content.decode()
    assert 'value="Anna"' in html and 'value="a@b.lv"' in html and 'value="vip"' in html
    response = client.post(
        url,
        contact_form(
            version=contact.version,
            first_name="Anna",
            last_name="Ozola",
            channel_value=["new@b.lv"],
        ),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "Ozola" and contact.version == 2 and contact.email == "new@b.lv"


def test_a_stale_save_is_a_409_that_keeps_the_input(manager, colleague):
    # given a contact someone else saved after the manager opened it
    contact = contact_of(manager)
    services.contact_update(
        actor=Actor.of_user(colleague), contact_id=contact.pk, version=1, data={"job_title": "X"}
    )
    # when the manager saves the old version
    response = client_for(manager).post(
        reverse("customers:contact-edit", args=[contact.pk]),
        contact_form(version=1, first_name="Anna", last_name="Mine"),
    )
    # then 409, the conflict message with a reload link, the input kept, nothing overwritten
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record after you opened it" in html
    assert 'value="Mine"' in html and "Reload the latest version" in html
    contact.refresh_from_db()
    assert contact.last_name == "Bērziņa" and contact.job_title == "X"


def test_edit_needs_the_edit_right(make_user, manager):
    contact = contact_of(manager)
    reader = make_user(Role.READ_ONLY)
    url = reverse("customers:contact-edit", args=[contact.pk])
    assert client_for(reader).get(url).status_code == 403
    response = client_for(reader).post(url, contact_form(version=1, last_name="Hacked"))
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.last_name == "Bērziņa"


def test_delete_needs_the_delete_right(manager, head):
    contact = contact_of(manager)
    url = reverse("customers:contact-delete", args=[contact.pk])
    card = client_for(manager).get(reverse("customers:contact-detail", args=[contact.pk]))
    assert url not in card.content.decode()
    assert client_for(manager).post(url).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()
    card = client_for(head).get(reverse("customers:contact-detail", args=[contact.pk]))
    assert url in card.content.decode() and "data-confirm" in card.content.decode()
    response = client_for(head).post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert client_for(head).get(url).status_code == 405


# --- the duplicate hint ------------------------------------------------------------


def test_the_duplicate_hint_names_a_visible_contact_with_the_same_e_mail(manager, stranger):
    mine = contact_of(manager, emails=[{"value": "same@example.com"}])
    contact_of(stranger, first="Hidden", emails=[{"value": "secret@example.com"}])
    client = client_for(manager)
    url = reverse("customers:contact-duplicates")
    hint = client.get(url, {"channel_kind": "email", "channel_value": "SAME@example.com"})
    html = hint.content.decode()
    assert "A contact with this e-mail already exists" in html
    assert reverse("customers:contact-detail", args=[mine.pk]) in html
    hidden = client.get(url, {"channel_kind": "email", "channel_value": "secret@example.com"})
    assert "already exists" not in hidden.content.decode()
    itself = client.get(
        url,
        {
            "channel_kind": "email",
            "channel_value": "same@example.com",
            "duplicates_exclude": mine.pk,
        },
    )
    assert "already exists" not in itself.content.decode()


def test_the_duplicate_hint_by_phone_and_hostile_values(manager):
    contact_of(manager, phones=[{"value": "+37120000001"}])
    url = reverse("customers:contact-duplicates")
    client = client_for(manager)
    html = client.get(url, {"channel_kind": "phone", "channel_value": "+371 2000 0001"})
    assert "A contact with this phone already exists" in html.content.decode()
    for value in (XSS, "'; DROP TABLE x; --", "x" * 5000, "=HYPERLINK(1)@x"):
        response = client.get(url, {"channel_kind": "email", "channel_value": value})
        assert response.status_code == 200 and "already exists" not in response.content.decode()


def test_the_form_asks_for_the_duplicate_hint_on_change(manager):
    html = client_for(manager).get(reverse("customers:contact-create")).content.decode()
    assert f'hx-get="{reverse("customers:contact-duplicates")}" hx-trigger="change"' in html
    assert 'id="duplicate-hint"' in html


# --- bulk actions ------------------------------------------------------------------


def test_bulk_add_tag_goes_through_the_service(manager):
    a, b = contact_of(manager, tags=["old"]), contact_of(manager, first="Bob")
    response = client_for(manager).post(
        reverse("customers:contact-bulk"),
        {"ids": [a.pk, b.pk], "action": "tag", "tag": "fair-2026", "next": f"{LIST}?q=x"},
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?q=x"
    assert sorted(a.tags.values_list("name", flat=True)) == ["fair-2026", "old"]
    assert list(b.tags.values_list("name", flat=True)) == ["fair-2026"]
    a.refresh_from_db()
    assert a.version == 2
    assert AuditEvent.objects.filter(record_type="contact", action="update").count() == 2


def test_bulk_assign_is_for_roles_that_may_assign(manager, colleague, head):
    contact = contact_of(manager)
    url = reverse("customers:contact-bulk")
    data = {"ids": [contact.pk], "action": "assign", "owner_id": colleague.pk}
    assert 'value="assign"' not in client_for(manager).get(LIST).content.decode()
    assert client_for(manager).post(url, data).status_code == 403
    contact.refresh_from_db()
    assert contact.owner_id == manager.pk
    assert 'value="assign"' in client_for(head).get(LIST).content.decode()
    assert client_for(head).post(url, data).status_code == 302
    contact.refresh_from_db()
    assert contact.owner_id == colleague.pk and contact.version == 2


def test_bulk_on_an_invisible_row_is_404_and_changes_nothing(manager, stranger):
    mine, theirs = contact_of(manager), contact_of(stranger)
    response = client_for(manager).post(
        reverse("customers:contact-bulk"),
        {"ids": [mine.pk, theirs.pk], "action": "tag", "tag": "x"},
    )
    assert response.status_code == 404
    assert not mine.tags.exists() and not theirs.tags.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"ids": ["abc"], "action": "tag", "tag": "x"},
        {"ids": [], "action": "tag", "tag": "x"},
        {"ids": ["ID"], "action": "explode"},
        {"ids": ["ID"], "action": "tag", "tag": "x" * 61},
        {"ids": ["ID"], "action": "tag", "tag": ""},
        {"ids": ["ID"] * 2 + [str(i) for i in range(10**6, 10**6 + 600)], "action": "tag"},
    ],
)
def test_bad_bulk_input_is_a_clear_error_and_changes_nothing(manager, data):
    contact = contact_of(manager)
    data = {**data, "ids": [contact.pk if i == "ID" else i for i in data["ids"]]}
    client = client_for(manager)
    response = client.post(reverse("customers:contact-bulk"), data)
    assert response.status_code == 302
    followed = client.get(response["Location"]).content.decode()
    assert "toast-error" in followed
    contact.refresh_from_db()
    assert contact.version == 1 and not contact.tags.exists()


# --- export ------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_escapes_formulas_and_keeps_to_visible_rows(make_user, manager, stranger):
    marketer = make_user(Role.MARKETER)
    contact_of(manager, first='=HYPERLINK("http://evil")', last="+cmd", job_title="@SUM(1)")
    ContactFactory(owner=stranger, first_name="-2+3", last_name="\tTab", middle_name="\rCR")
    response = client_for(marketer).get(reverse("customers:contact-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["id", "First name", "Last name"]
    cells = [cell for row in rows[1:] for cell in row[1:4]] + [r[5] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in cells and "'+cmd" in cells and "'@SUM(1)" in cells
    assert "'-2+3" in cells and "'\tTab" in cells and "'\rCR" in cells
    assert len(rows) == 3


def test_export_follows_the_current_filter_and_the_selection(head, manager):
    a = contact_of(manager, first="Anna", last="Ozola")
    b = contact_of(manager, first="Bob", last="Kalns")
    client = client_for(head)
    filtered = read_csv(client.get(reverse("customers:contact-export"), {"q": "ozo"}))
    assert [r[0] for r in filtered[1:]] == [str(a.pk)]
    selected = read_csv(client.post(reverse("customers:contact-export"), {"ids": [b.pk]}))
    assert [r[0] for r in selected[1:]] == [str(b.pk)]


def test_export_streams_every_page(head, manager):
    ContactFactory.create_batch(230, owner=manager)
    rows = read_csv(client_for(head).get(reverse("customers:contact-export")))
    assert len(rows) == 231 and len({r[0] for r in rows[1:]}) == 230


def test_export_needs_the_export_right(manager):
    contact = contact_of(manager)
    client = client_for(manager)
    assert "Export" not in client.get(LIST).content.decode()
    assert client.get(reverse("customers:contact-export")).status_code == 403
    response = client.post(reverse("customers:contact-export"), {"ids": [contact.pk]})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+371", "'+371"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anna", "Anna"),
        (None, ""),
        (5, "5"),
    ],
)
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


# --- global search -----------------------------------------------------------------


def test_global_search_finds_visible_contacts_only(manager, stranger):
    mine = contact_of(manager, first="Zane", last="Zvaigzne", emails=[{"value": "z@x.lv"}])
    theirs = contact_of(stranger, first="Zigis", last="Zvaigznite")
    response = client_for(manager).get(reverse("core:search"), {"q": "zvaig"})
    html = response.content.decode()
    assert f'data-record="contact-{mine.pk}"' in html
    assert f'data-record="contact-{theirs.pk}"' not in html
    assert reverse("customers:contact-detail", args=[mine.pk]) in html


def test_the_menu_has_contacts_and_companies(manager):
    html = client_for(manager).get(LIST).content.decode()
    assert f'href="{LIST}" aria-current="page"' in html
    assert reverse("customers:company-list") in html


def test_going_back_to_a_searched_url_gets_the_whole_page(manager):
    contact_of(manager, last="Ozols")
    response = client_for(manager).get(
        LIST, {"q": "ozo"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" in html and len(rows_of(response)) == 1
