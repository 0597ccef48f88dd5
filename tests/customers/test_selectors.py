"""Unit tests of the list and detail selectors: search, filters, ordering, cursors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from kliento.core.actors import Actor
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.models import CustomField, FieldType
from kliento.customers import selectors, services
from kliento.customers.models import Company, Contact, Tag
from tests.factories import CompanyFactory, ContactFactory


def make_contact(user, first: str, last: str, **extra) -> Contact:
    return services.contact_create(
        actor=Actor.of_user(user), data={"first_name": first, "last_name": last, **extra}
    )


def names(page) -> list[str]:
    return [c.full_name for c in page.items]


@pytest.fixture
def people(manager):
    make_contact(manager, "Jānis", "Šmits")
    make_contact(manager, "Anna", "Šmite")
    make_contact(manager, "Иван", "Иванов")
    make_contact(manager, "Ирина", "Иванова")
    make_contact(manager, "John", "Smith")
    make_contact(manager, "Ivan", "Petrov")
    return manager


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Šmit", ["Anna Šmite", "Jānis Šmits"]),
        ("šMITS", ["Jānis Šmits"]),
        ("smi", ["John Smith"]),
        ("Иванов", ["Иван Иванов", "Ирина Иванова"]),
        ("иванова", ["Ирина Иванова"]),
        ("ИВАН", ["Иван Иванов", "Ирина Иванова"]),
        ("Ivan", ["Ivan Petrov"]),
        ("Šmits Jā", ["Jānis Šmits"]),
        ("jān", ["Jānis Šmits"]),
        ("Zzz", []),
    ],
)
def test_name_prefix_search_is_case_insensitive_and_works_in_any_script(people, q, expected):
    # the last name (name_key) or the first name (first_name_key) starts with q
    assert sorted(names(selectors.contact_list(people, q=q))) == sorted(expected)


def test_prefix_search_does_not_match_inside_a_name(people):
    assert names(selectors.contact_list(people, q="mits")) == []


def test_search_results_are_sorted_by_name(people):
    assert names(selectors.contact_list(people, q="Šmit")) == ["Anna Šmite", "Jānis Šmits"]


def test_search_by_email_is_exact_on_any_email_of_the_contact(manager):
    make_contact(manager, "A", "One", emails=[{"value": "one@x.lv"}, {"value": "second@x.lv"}])
    make_contact(manager, "B", "Two", emails=[{"value": "two@x.lv"}])

    assert names(selectors.contact_list(manager, q="SECOND@x.lv")) == ["A One"]
    assert names(selectors.contact_list(manager, q="one@x.lv")) == ["A One"]
    assert names(selectors.contact_list(manager, q="one@x")) == []


def test_search_by_phone_matches_any_written_form(manager):
    make_contact(manager, "A", "One", phones=[{"value": "+371 2612 3456"}])
    make_contact(manager, "B", "Two", phones=[{"value": "+371 2000 0000"}])

    assert names(selectors.contact_list(manager, q="26123456")) == ["A One"]
    assert names(selectors.contact_list(manager, q="+371 26 123 456")) == ["A One"]
    assert names(selectors.contact_list(manager, q="(+371) 2612-3456")) == ["A One"]


def test_company_search_by_name_email_and_phone(manager):
    actor = Actor.of_user(manager)
    services.company_create(
        actor=actor,
        data={
            "name": "SIA Kokmuiža",
            "emails": [{"value": "info@kok.lv"}],
            "phones": [{"value": "67000000"}],
        },
    )
    services.company_create(actor=actor, data={"name": "ООО Ромашка"})

    assert [c.name for c in selectors.company_list(manager, q="sia k").items] == ["SIA Kokmuiža"]
    assert [c.name for c in selectors.company_list(manager, q="ооо").items] == ["ООО Ромашка"]
    assert [c.name for c in selectors.company_list(manager, q="INFO@kok.lv").items] == [
        "SIA Kokmuiža"
    ]
    assert [c.name for c in selectors.company_list(manager, q="+37167000000").items] == [
        "SIA Kokmuiža"
    ]


def test_cursor_pagination_walks_every_row_once(manager):
    # given 23 contacts, several sharing a name (ties broken by id)
    for i in range(23):
        ContactFactory(owner=manager, last_name=f"Same{i % 4}", first_name="X")

    for ordering in ("name", "-name", "created_at", "-updated_at"):
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            page = selectors.contact_list(manager, ordering=ordering, cursor=cursor, limit=5)
            seen.extend(c.pk for c in page.items)
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert pages == 5
        assert len(seen) == len(set(seen)) == 23


def test_name_order_is_by_the_search_key_then_id(manager):
    ContactFactory(owner=manager, first_name="B", last_name="alpha")
    ContactFactory(owner=manager, first_name="A", last_name="Beta")
    ContactFactory(owner=manager, first_name="C", last_name="Ārija")
    page = selectors.contact_list(manager)
    # code-point order of the lower-cased keys: a < b < ā (byte-wise on both databases)
    assert [c.last_name for c in page.items] == ["alpha", "Beta", "Ārija"]
    assert [c.last_name for c in selectors.contact_list(manager, ordering="-name").items] == [
        "Ārija",
        "Beta",
        "alpha",
    ]


def test_filters_narrow_the_list(manager, colleague):
    company = CompanyFactory(owner=manager)
    tagged = make_contact(manager, "A", "Tagged", tags=["vip"], region="Riga", source="web")
    make_contact(colleague, "B", "Other", relationship="partner", company_id=company.pk)

    def listed(**filters):
        return names(selectors.contact_list(manager, filters=filters))

    assert listed(tag="vip") == ["A Tagged"]
    assert listed(region="Riga") == ["A Tagged"]
    assert listed(source="web") == ["A Tagged"]
    assert listed(relationship="partner") == ["B Other"]
    assert listed(owner=colleague.pk) == ["B Other"]
    assert listed(team=manager.team_id) == ["B Other", "A Tagged"]  # by last name
    assert listed(company=company.pk) == ["B Other"]
    Contact.objects.filter(pk=tagged.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    cutoff = (timezone.now() - dt.timedelta(days=5)).isoformat()
    assert names(
        selectors.contact_list(manager, filters={"created_before": cutoff}, ordering="created_at")
    ) == ["A Tagged"]
    assert names(
        selectors.contact_list(manager, filters={"created_after": cutoff}, ordering="created_at")
    ) == ["B Other"]


def test_custom_field_filter(manager):
    CustomField.objects.create(
        record_type="contact", key="coffee", label="Coffee", field_type=FieldType.NUMBER
    )
    CustomField.objects.create(
        record_type="contact",
        key="size",
        label="Size",
        field_type=FieldType.CHOICE,
        choices=["small", "large"],
    )
    make_contact(manager, "A", "Three", custom={"coffee": 3, "size": "large"})
    make_contact(manager, "B", "Two", custom={"coffee": 2, "size": "large"})
    make_contact(manager, "C", "None")

    def listed(**params):
        return names(selectors.contact_list(manager, filters=params))

    assert listed(**{"custom.coffee": "3"}) == ["A Three"]
    assert sorted(listed(**{"custom.size": "large"})) == ["A Three", "B Two"]
    assert listed(**{"custom.size": "large", "custom.coffee": "2"}) == ["B Two"]
    with pytest.raises(ValidationFailed) as caught:
        listed(**{"custom.coffee": "lots"})
    assert caught.value.errors[0].field == "custom.coffee"
    with pytest.raises(ValidationFailed):
        listed(**{"custom.unknown": "x"})


@pytest.mark.parametrize(
    ("filters", "ordering"),
    [
        ({"region": "Riga"}, "created_at"),
        ({"tag": "vip"}, "-updated_at"),
        ({"created_after": "2024-01-01T00:00:00+00:00"}, "name"),
    ],
)
def test_a_filter_and_sort_pair_no_index_serves_is_refused(manager, filters, ordering):
    with pytest.raises(ValidationFailed) as caught:
        selectors.contact_list(manager, filters=filters, ordering=ordering)
    assert caught.value.errors[0].field == "ordering"


def test_every_offered_filter_and_sort_pair_has_an_index():
    # each (filter column, sort column) the API accepts must lead an index of the model
    columns = {"owner": "owner", "team": "team", "company": "company"}
    sort_columns = {"name": "name_key", "created_at": "created_at", "updated_at": "updated_at"}
    for model, offered in (
        (Contact, selectors.CONTACT_SORTS_BY_FILTER),
        (Company, selectors.COMPANY_SORTS_BY_FILTER),
    ):
        leading = {tuple(ix.fields[:2]) for ix in model._meta.indexes}
        singles = {ix.fields[0] for ix in model._meta.indexes}
        for name, sorts in offered.items():
            for sort in sorts:
                if name == "tag":
                    continue  # served through the tag table's index; checked below
                if name.startswith("created_"):
                    assert sort_columns[sort] == "created_at" and "created_at" in singles
                    continue
                assert (columns.get(name, name), sort_columns[sort]) in leading, (model, name, sort)
        for sort in sort_columns.values():
            assert sort in singles
    assert Tag._meta.get_field("name").unique


def test_an_unknown_ordering_or_bad_limit_is_refused(manager):
    with pytest.raises(ValidationFailed) as caught:
        selectors.contact_list(manager, ordering="birthday")
    assert "company, created_at, email, name, owner, phone, updated_at" in str(caught.value)
    with pytest.raises(ValidationFailed):
        selectors.contact_list(manager, limit=201)
    with pytest.raises(ValidationFailed):
        selectors.contact_list(manager, q="Smi", ordering="created_at")


def test_get_of_an_invisible_record_is_not_found(manager, stranger):
    hidden = ContactFactory(owner=stranger)
    with pytest.raises(NotFound):
        selectors.contact_get(manager, hidden.pk)
    with pytest.raises(NotFound):
        selectors.company_get(manager, CompanyFactory(owner=stranger).pk)


def test_search_key_columns_compare_byte_wise(db):
    # PostgreSQL: the 0002 migration sets COLLATE "C"; SQLite compares BINARY by default.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns"
                " WHERE column_name IN ('name_key', 'first_name_key')"
                " AND table_name IN ('customers_contact', 'customers_company')"
            )
            assert {(t, c, coll) for t, c, coll in cursor.fetchall()} == {
                ("customers_company", "name_key", "C"),
                ("customers_contact", "name_key", "C"),
                ("customers_contact", "first_name_key", "C"),
            }
        else:
            cursor.execute("SELECT 'z' < 'ā', 'B' < 'a'")
            assert cursor.fetchone() == (1, 1)


def _walk(user, q: str, ordering: str, limit: int) -> list[Contact]:
    seen: list[Contact] = []
    cursor = None
    while True:
        page = selectors.contact_list(user, q=q, ordering=ordering, cursor=cursor, limit=limit)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return seen


def _search_order(contacts: list[Contact], low: str) -> list[int]:
    """Last-name (name key) matches by name, then the other first-name matches by first name."""
    by_name = sorted(
        (c for c in contacts if c.name_key.startswith(low)), key=lambda c: (c.name_key, c.pk)
    )
    by_first = sorted(
        (c for c in contacts if c.first_name_key.startswith(low) and c not in by_name),
        key=lambda c: (c.first_name_key, c.name_key, c.pk),
    )
    return [c.pk for c in by_name + by_first]


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_a_name_search_matching_last_and_first_names_pages_without_gaps_or_duplicates(
    manager, ordering, limit
):
    # given contacts matching "an" by last name, by first name, by both, and not at all
    matching = []
    for i in range(4):
        matching.append(ContactFactory(owner=manager, first_name="Zed", last_name=f"Andersons{i}"))
        matching.append(ContactFactory(owner=manager, first_name=f"Anna{i}", last_name=f"Ozola{i}"))
        matching.append(ContactFactory(owner=manager, first_name="Anete", last_name=f"Ančs{i}"))
        matching.append(ContactFactory(owner=manager, first_name="Ann", last_name=f"Berg{i % 2}"))
        ContactFactory(owner=manager, first_name="Bruno", last_name=f"Berg{i}")

    # when the search is walked `limit` rows at a time
    seen = _walk(manager, "an", ordering, limit)

    # then every match comes exactly once: last-name matches in name order, then the
    # first-name-only matches by first name (then name); "-name" is the exact reverse
    expected = _search_order(matching, "an")
    assert [c.pk for c in seen] == (expected[::-1] if ordering.startswith("-") else expected)


def test_a_name_search_shows_a_scoped_user_only_what_they_may_see(manager, colleague, stranger):
    # given matches owned by the manager, by a teammate and by someone of another team
    visible = [
        ContactFactory(owner=manager, first_name="Ivan", last_name="Ivanovs"),
        ContactFactory(owner=colleague, first_name="Ivo", last_name="Zariņš"),
        ContactFactory(owner=colleague, first_name="Pēteris", last_name="Ivanovskis"),
    ]
    ContactFactory(owner=stranger, first_name="Ivan", last_name="Ivanovs")
    ContactFactory(owner=stranger, first_name="Iveta", last_name="Ozola")

    for limit in (1, 2, 50):
        seen = _walk(manager, "iv", "name", limit)
        assert [c.pk for c in seen] == _search_order(visible, "iv")


def test_a_search_cursor_of_one_list_is_refused_by_the_plain_list(manager):
    for i in range(3):
        ContactFactory(owner=manager, first_name="Anna", last_name=f"Berg{i}")
    page = selectors.contact_list(manager, q="ann", limit=1)
    assert page.next_cursor is not None
    with pytest.raises(ValidationFailed) as caught:
        selectors.contact_list(manager, cursor=page.next_cursor)
    assert caught.value.errors[0].field == "cursor"


def test_a_contact_row_names_only_a_company_the_user_may_see(api, manager, stranger, admin):
    # given a contact of the manager's linked to a company another team owns
    hidden = CompanyFactory(owner=stranger, name="Secret Client SIA")
    shown = CompanyFactory(owner=manager, name="Our Client SIA")
    linked = ContactFactory(owner=manager, last_name="Linked", company=hidden)
    ours = ContactFactory(owner=manager, last_name="Ours", company=shown)

    # when the manager lists and opens the contacts
    rows = {c.pk: c for c in selectors.contact_list(manager).items}
    body = api(manager).get("/contacts").json()["items"]
    detail = api(manager).get(f"/contacts/{linked.pk}").json()

    # then the company's id shows, but its name only where the company is visible
    assert (rows[linked.pk].company_id, rows[linked.pk].company_visible) == (hidden.pk, False)
    assert rows[ours.pk].company_visible is True
    by_id = {row["id"]: row for row in body}
    assert (by_id[linked.pk]["company_id"], by_id[linked.pk]["company_name"]) == (hidden.pk, None)
    assert by_id[ours.pk]["company_name"] == "Our Client SIA"
    assert (detail["company_id"], detail["company_name"]) == (hidden.pk, None)
    assert "Secret Client" not in json.dumps(body) + json.dumps(detail)
    # and whoever sees every company sees the name
    assert selectors.contact_get(admin, linked.pk).company_visible is True
    assert api(admin).get(f"/contacts/{linked.pk}").json()["company_name"] == "Secret Client SIA"


def test_a_teammates_company_is_named_on_the_row(manager, colleague):
    company = CompanyFactory(owner=colleague, name="Team Client SIA")
    contact = ContactFactory(owner=manager, company=company)
    assert selectors.contact_get(manager, contact.pk).company_visible is True
    assert selectors.contact_list(manager).items[0].company_visible is True


def test_the_company_condition_is_the_visibility_rule_seen_through_the_join():
    from django.db.models import F, Q

    rule = Q(owner_id=3) | Q(team_id=1)
    assert selectors._through(rule, "company") == Q(company__owner_id=3) | Q(company__team_id=1)
    assert selectors._through(~Q(pk__in=[]), "company") == ~Q(company__pk__in=[])
    # an expression it cannot re-root makes the caller fall back to a subquery
    assert selectors._through(Q(F("owner_id")), "company") is None


def test_email_search_also_finds_a_primary_email_kept_only_on_the_row(manager):
    # rows loaded in bulk may carry the primary e-mail without a channel row
    contact = ContactFactory(owner=manager, email="bulk@x.lv", phone="+37120000009")
    assert [c.pk for c in selectors.contact_list(manager, q="Bulk@X.lv").items] == [contact.pk]
    assert [c.pk for c in selectors.contact_list(manager, q="2000 0009").items] == [contact.pk]
