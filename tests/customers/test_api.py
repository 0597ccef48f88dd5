"""The /companies and /contacts endpoints: shapes, status codes, bad input, conflicts, queries."""

from __future__ import annotations

import pytest

from kliento.core.choices import AuditAction
from kliento.core.models import AuditEvent, CustomField, FieldType
from kliento.customers.models import Channel, Company, Contact, ImportantDate, Tag
from tests.factories import CompanyFactory, ContactFactory, add_channel


def error_fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def nothing_written() -> tuple[int, ...]:
    return (
        Company.objects.count(),
        Contact.objects.count(),
        Channel.objects.count(),
        Tag.objects.count(),
        ImportantDate.objects.count(),
        AuditEvent.objects.count(),
    )


# --- happy paths -----------------------------------------------------------------------


def test_create_read_update_delete_a_contact(api, admin):
    client = api(admin)
    company = client.post("/companies", {"name": "SIA Logi"}).json()

    created = client.post(
        "/contacts",
        {
            "first_name": "Līga",
            "last_name": "Ozola",
            "company_id": company["id"],
            "emails": [{"value": "Liga@Logi.lv", "label": "work"}],
            "phones": [{"value": "26 123 456"}],
            "birthday": "1990-04-01",
            "tags": ["vip"],
            "important_dates": [{"label": "Contract", "date": "2023-09-01", "recurring": False}],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["full_name"] == "Līga Ozola"
    assert body["email"] == "liga@logi.lv"
    assert body["phone"] == "+37126123456"
    assert body["company_name"] == "SIA Logi"
    assert body["emails"] == [{"value": "liga@logi.lv", "label": "work", "is_primary": True}]
    assert body["tags"] == ["vip"]
    assert body["important_dates"] == [
        {"label": "Contract", "date": "2023-09-01", "recurring": False}
    ]
    assert body["version"] == 1
    contact_id = body["id"]

    detail = client.get(f"/contacts/{contact_id}")
    assert detail.status_code == 200
    assert detail.json() == body

    patched = client.patch(f"/contacts/{contact_id}", {"version": 1, "job_title": "CFO"})
    assert patched.status_code == 200
    assert patched.json()["job_title"] == "CFO"
    assert patched.json()["version"] == 2
    assert patched.json()["email"] == "liga@logi.lv"  # untouched fields stay

    listed = client.get("/contacts").json()
    assert listed["next_cursor"] is None
    assert listed["items"] == [
        {
            "id": contact_id,
            "full_name": "Līga Ozola",
            "first_name": "Līga",
            "last_name": "Ozola",
            "email": "liga@logi.lv",
            "phone": "+37126123456",
            "company_id": company["id"],
            "company_name": "SIA Logi",
            "owner_id": admin.pk,
            "relationship": "prospect",
            "version": 2,
            "updated_at": patched.json()["updated_at"],
            "archived_at": None,
        }
    ]

    deleted = client.delete(f"/contacts/{contact_id}")
    assert deleted.status_code == 204
    archived = client.get(f"/contacts/{contact_id}")  # archived: out of the list, readable
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    assert client.get("/contacts").json()["items"] == []


def test_create_read_update_delete_a_company(api, admin):
    client = api(admin)
    created = client.post(
        "/companies",
        {
            "name": "ООО Ромашка",
            "website": "https://romashka.example",
            "region": "Moscow",
            "industry": "Retail",
            "segment": "SMB",
            "relationship": "customer",
            "source": "exhibition",
            "source_campaign": "Spring",
            "notes": "Pays on time",
            "impressions": "Friendly",
            "phones": [{"value": "+7 495 123-45-67"}],
            "messengers": [{"value": "@romashka", "label": "Telegram"}],
            "addresses": [{"value": "Tverskaya 1, Moscow"}],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["phones"] == [{"value": "+74951234567", "label": "", "is_primary": True}]
    assert body["messengers"] == [{"value": "@romashka", "label": "Telegram", "is_primary": True}]
    assert body["relationship"] == "customer"

    row = api(admin).get("/companies").json()["items"][0]
    assert row == {
        "id": body["id"],
        "name": "ООО Ромашка",
        "email": "",
        "phone": "+74951234567",
        "owner_id": admin.pk,
        "relationship": "customer",
        "version": 1,
        "updated_at": body["updated_at"],
        "archived_at": None,
    }

    patched = client.patch(f"/companies/{body['id']}", {"version": 1, "phones": []})
    assert patched.status_code == 200
    assert patched.json()["phones"] == []
    assert client.delete(f"/companies/{body['id']}").status_code == 204
    assert not Company.objects.exists()


def test_hostile_strings_are_stored_and_returned_verbatim(api, manager):
    hostile = {
        "last_name": "<script>alert(1)</script>",
        "first_name": "'; DROP TABLE customers_contact; --",
        "job_title": "=CMD()|' /C calc'!A0",
        "notes": "@SUM(1+1)*cmd|' /C calc'!A0 \u200f",
    }
    response = api(manager).post("/contacts", hostile)

    assert response.status_code == 201
    for key, value in hostile.items():
        assert response.json()[key] == value.strip()
    contact = Contact.objects.get()
    assert contact.last_name == hostile["last_name"]
    assert contact.first_name == hostile["first_name"]


def test_the_create_audit_row_names_the_token_actor(api, manager):
    api(manager).post("/contacts", {"last_name": "Audited"})
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.actor_kind == "token"
    assert event.actor_user_id == manager.pk
    assert event.changes["last_name"] == [None, "Audited"]


# --- bad input -------------------------------------------------------------------------

BAD_CONTACT_BODIES = [
    ({"last_name": 123}, "last_name"),
    ({"last_name": ["x"]}, "last_name"),
    ({"last_name": "x" * 101}, "last_name"),
    ({"first_name": "A", "job_title": "x" * 151}, "job_title"),
    ({"last_name": "X", "notes": "x" * 20_001}, "notes"),
    ({"last_name": "X", "emails": [{"value": "not an email"}]}, "emails.0.value"),
    ({"last_name": "X", "emails": [{"value": "a@" + "b" * 250 + ".lv"}]}, "emails.0.value"),
    ({"last_name": "X", "phones": [{"value": "12"}]}, "phones.0.value"),
    ({"last_name": "X", "phones": [{"value": "call me"}]}, "phones.0.value"),
    ({"last_name": "X", "phones": "+37120000000"}, "phones"),
    (
        {"last_name": "X", "emails": [{"value": "a@b.lv", "is_primary": "maybe"}]},
        "emails.0.is_primary",
    ),
    ({"last_name": "X", "emails": [{"value": "a@b.lv", "kind": "x"}]}, "emails.0.kind"),
    ({"last_name": "X", "birthday": "1990-13-45"}, "birthday"),
    ({"last_name": "X", "birthday": "2999-01-01"}, "birthday"),
    ({"last_name": "X", "relationship": "enemy"}, "relationship"),
    ({"last_name": "X", "tags": ["x" * 61]}, "tags.0"),
    ({"last_name": "X", "tags": "vip"}, "tags"),
    (
        {"last_name": "X", "important_dates": [{"label": "x", "date": "soon"}]},
        "important_dates.0.date",
    ),
    ({"last_name": "X", "owner_id": "me"}, "owner_id"),
    ({"last_name": "X", "company_id": 999_999}, "company_id"),
    ({"last_name": "X", "custom": {"unknown": 1}}, "custom.unknown"),
    ({"last_name": "X", "custom": {"coffee": "lots"}}, "custom.coffee"),
    ({"last_name": "X", "custom": []}, "custom"),
    ({"last_name": "X", "nickname": "Bob"}, "nickname"),
    ({"last_name": "X", "team_id": 1}, "team_id"),
    ({"last_name": "X", "version": 7}, "version"),
    ({"last_name": "X", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ({"middle_name": "Only"}, "last_name"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CONTACT_BODIES)
def test_bad_contact_input_is_422_naming_the_field_and_writes_nothing(api, manager, body, field):
    CustomField.objects.create(
        record_type="contact", key="coffee", label="Coffee", field_type=FieldType.NUMBER
    )
    before = nothing_written()

    response = api(manager).post("/contacts", body)

    assert response.status_code == 422, response.content
    assert field in error_fields(response)
    assert nothing_written() == before


BAD_COMPANY_BODIES = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"name": 42}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "X", "website": "x" * 201}, "website"),
    ({"name": "X", "emails": [{"value": "@nobody"}]}, "emails.0.value"),
    ({"name": "X", "phones": [{"value": "+371 1"}]}, "phones.0.value"),
    ({"name": "X", "owner_id": 10**6}, "owner_id"),
    ({"name": "X", "team": 1}, "team"),
    ({"name": "X", "custom": {"size": "huge"}}, "custom.size"),
]


@pytest.mark.parametrize(("body", "field"), BAD_COMPANY_BODIES)
def test_bad_company_input_is_422_naming_the_field_and_writes_nothing(api, admin, body, field):
    CustomField.objects.create(
        record_type="company",
        key="size",
        label="Size",
        field_type=FieldType.CHOICE,
        choices=["small", "large"],
    )
    before = nothing_written()

    response = api(admin).post("/companies", body)

    assert response.status_code == 422, response.content
    assert field in error_fields(response)
    assert nothing_written() == before


@pytest.mark.parametrize("path", ["/contacts", "/companies"])
@pytest.mark.parametrize("raw", ['{"name": "X", ', "not json", "[1, 2]", '"text"'])
def test_malformed_json_is_422_and_writes_nothing(api, manager, path, raw):
    before = nothing_written()
    response = api(manager).post(path, raw)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]
    assert nothing_written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"last_name": "Y"}, "version"),
        ({"version": "one", "last_name": "Y"}, "version"),
        ({"version": 1, "last_name": None, "first_name": None}, "last_name"),
        ({"version": 1, "emails": [{"value": "bad"}]}, "emails.0.value"),
        ({"version": 1, "team_id": 2}, "team_id"),
        ({"version": 1, "owner_id": None}, "owner_id"),
    ],
)
def test_bad_patch_is_422_and_changes_nothing(api, manager, body, field):
    contact = ContactFactory(owner=manager, first_name="", last_name="Kept")
    before = nothing_written()

    response = api(manager).patch(f"/contacts/{contact.pk}", body)

    assert response.status_code == 422, response.content
    assert field in error_fields(response)
    contact.refresh_from_db()
    assert (contact.last_name, contact.version) == ("Kept", 1)
    assert nothing_written() == before


def test_bad_company_patch_is_422_and_changes_nothing(api, manager):
    company = CompanyFactory(owner=manager, name="Kept")
    response = api(manager).patch(f"/companies/{company.pk}", {"version": 1, "name": "  "})
    assert response.status_code == 422
    assert error_fields(response) == {"name"}
    company.refresh_from_db()
    assert (company.name, company.version) == ("Kept", 1)


@pytest.mark.parametrize("path", ["/contacts", "/companies"])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"owner": "abc"}, "owner"),
        ({"limit": 0}, "limit"),
        ({"limit": 500}, "limit"),
        ({"ordering": "password"}, "ordering"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"relationship": "enemy"}, "relationship"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"region": "Riga", "ordering": "-created_at"}, "ordering"),
        ({"custom.nothing": "1"}, "custom.nothing"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_parameter(api, manager, path, params, field):
    response = api(manager).get(path, params)
    assert response.status_code == 422, response.content
    assert field in error_fields(response)


# --- optimistic locking ----------------------------------------------------------------


def test_a_stale_patch_is_409_and_overwrites_nothing(api, manager, colleague):
    contact = ContactFactory(owner=manager, last_name="Original")
    first, second = api(manager), api(colleague)
    assert (
        first.patch(f"/contacts/{contact.pk}", {"version": 1, "last_name": "Mine"}).status_code
        == 200
    )

    response = second.patch(
        f"/contacts/{contact.pk}",
        {"version": 1, "last_name": "Theirs", "emails": [{"value": "t@x.lv"}]},
    )

    assert response.status_code == 409
    contact.refresh_from_db()
    assert (contact.last_name, contact.version, contact.email) == ("Mine", 2, "")
    assert not Channel.objects.exists()


def test_a_stale_company_patch_is_409(api, manager):
    company = CompanyFactory(owner=manager, name="A")
    client = api(manager)
    assert client.patch(f"/companies/{company.pk}", {"version": 1, "name": "B"}).status_code == 200
    response = client.patch(f"/companies/{company.pk}", {"version": 1, "name": "C"})
    assert response.status_code == 409
    company.refresh_from_db()
    assert company.name == "B"


def test_patch_audits_before_and_after(api, manager):
    contact = ContactFactory(owner=manager, last_name="Before")
    add_channel(contact, "email", "old@x.lv")

    api(manager).patch(
        f"/contacts/{contact.pk}",
        {"version": 1, "last_name": "After", "emails": [{"value": "new@x.lv"}]},
    )

    event = AuditEvent.objects.get(action=AuditAction.UPDATE, record_id=contact.pk)
    assert event.changes["last_name"] == ["Before", "After"]
    assert event.changes["email"] == ["old@x.lv", "new@x.lv"]
    assert event.changes["emails"] == [
        [{"value": "old@x.lv", "label": "", "is_primary": True}],
        [{"value": "new@x.lv", "label": "", "is_primary": True}],
    ]


# --- query counts ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/contacts", "/companies"])
def test_list_query_count_is_pinned_and_does_not_grow_with_rows(
    api, manager, path, django_assert_num_queries
):
    client = api(manager)
    make = ContactFactory if path == "/contacts" else CompanyFactory

    def add_rows(n: int) -> None:
        for _ in range(n):
            row = make(owner=manager)
            add_channel(row, "email", f"r{row.pk}@x.lv")
            add_channel(row, "phone", f"+3712000{row.pk:04d}")
            if path == "/contacts":
                row.company = CompanyFactory(owner=manager)
                row.save()

    add_rows(1)
    client.get(path)  # warm the token's last-used stamp and caches
    # token look-up, role rights, the page with its companies joined (+ primary channels);
    # a team scope reads two parts: the team's rows, then one's own outside the team
    # (empty here, so no channels are fetched for it)
    expected = 4 if path == "/contacts" else 5
    with django_assert_num_queries(expected):
        assert len(client.get(path).json()["items"]) == 1
    add_rows(5)
    with django_assert_num_queries(expected):
        assert len(client.get(path).json()["items"]) == 6


@pytest.mark.parametrize(("path", "expected"), [("/contacts", 3), ("/companies", 4)])
def test_a_list_of_everything_is_one_page_query(
    api, admin, path, expected, django_assert_num_queries
):
    client = api(admin)
    make = ContactFactory if path == "/contacts" else CompanyFactory
    for _ in range(4):
        make(owner=admin)
    client.get(path)

    # token look-up, role rights, the page (+ primary channels for companies)
    with django_assert_num_queries(expected):
        assert len(client.get(path).json()["items"]) == 4
