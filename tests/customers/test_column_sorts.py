"""Sorting contacts and companies by owner, company, e-mail and phone (core.column_sorts):
the right order both ways, the rows without a value last, a cursor that continues
where it stopped, only visible companies counted, and a clear refusal past the bound."""

from __future__ import annotations

import pytest

from kliento.core import column_sorts
from kliento.core.choices import Role
from kliento.core.errors import ValidationFailed
from kliento.customers import selectors
from tests.factories import CompanyFactory, ContactFactory, add_channel


def all_pages(run, limit: int = 2) -> list:
    """Every row of the list, read `limit` at a time through the cursors."""
    rows, cursor = [], None
    while True:
        page = run(cursor=cursor, limit=limit)
        rows.extend(page.items)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


@pytest.fixture
def owners(make_user):
    return {
        "zoe": make_user(Role.MANAGER, first_name="Zoe", last_name="Ābola"),
        "anna": make_user(Role.MANAGER, first_name="anna", last_name="Berza"),
        "bob": make_user(Role.MANAGER, first_name="", last_name="", username="bob"),
    }


def test_contacts_by_owner_name_both_ways(admin, owners):
    for owner, last in (("zoe", "A"), ("anna", "B"), ("bob", "C"), ("anna", "D")):
        ContactFactory(owner=owners[owner], last_name=last, name_key=last.lower())

    def run(ordering):
        rows = all_pages(lambda **kw: selectors.contact_list(admin, ordering=ordering, **kw))
        return [c.last_name for c in rows]

    # anna berza < bob (no full name: the user name) < zoe ābola; then by name
    assert run("owner") == ["B", "D", "C", "A"]
    assert run("-owner") == ["A", "C", "D", "B"]


def test_contacts_by_email_and_phone_with_blank_ones_last(admin):
    for last, email, phone in (
        ("A", "zed@x.lv", ""),
        ("B", "", "+37120000002"),
        ("C", "ann@x.lv", "+37120000001"),
    ):
        ContactFactory(owner=admin, last_name=last, name_key=last.lower(), email=email, phone=phone)

    def run(ordering):
        rows = all_pages(lambda **kw: selectors.contact_list(admin, ordering=ordering, **kw), 1)
        return [c.last_name for c in rows]

    assert run("email") == ["C", "A", "B"]
    assert run("-email") == ["A", "C", "B"]
    assert run("phone") == ["C", "B", "A"]
    assert run("-phone") == ["B", "C", "A"]


def test_contacts_by_company_count_only_companies_the_user_sees(manager, stranger):
    mine = CompanyFactory(owner=manager, name="Beta", name_key="beta")
    hidden = CompanyFactory(owner=stranger, name="Alpha", name_key="alpha")
    ContactFactory(owner=manager, last_name="A", name_key="a", company=mine)
    ContactFactory(owner=manager, last_name="B", name_key="b", company=hidden)
    ContactFactory(owner=manager, last_name="C", name_key="c", company=None)

    rows = all_pages(lambda **kw: selectors.contact_list(manager, ordering="company", **kw))
    # the company the manager may not see sorts as no company: its name is not revealed
    assert [c.last_name for c in rows] == ["A", "B", "C"]


def test_companies_by_primary_email_and_phone(admin):
    a = CompanyFactory(owner=admin, name="A", name_key="a")
    b = CompanyFactory(owner=admin, name="B", name_key="b")
    CompanyFactory(owner=admin, name="C", name_key="c")
    add_channel(a, "email", "zed@a.lv")
    add_channel(a, "email", "aaa@a.lv", primary=False)  # not the primary: not the key
    add_channel(b, "email", "bee@b.lv")
    add_channel(b, "phone", "+371 2000 0001")

    def run(ordering):
        rows = all_pages(lambda **kw: selectors.company_list(admin, ordering=ordering, **kw))
        return [c.name for c in rows]

    assert run("email") == ["B", "A", "C"]
    assert run("-email") == ["A", "B", "C"]
    assert run("phone") == ["B", "A", "C"]


def test_a_column_sort_sees_only_visible_rows(manager, stranger):
    ContactFactory(owner=manager, last_name="Mine", name_key="mine")
    ContactFactory(owner=stranger, last_name="Theirs", name_key="theirs")
    rows = selectors.contact_list(manager, ordering="owner").items
    assert [c.last_name for c in rows] == ["Mine"]


def test_a_list_larger_than_the_bound_is_refused_with_a_clear_message(admin, manager, monkeypatch):
    monkeypatch.setattr(column_sorts, "SORT_BOUND", 2)
    for i, owner in enumerate((admin, manager, manager)):
        ContactFactory(owner=owner, last_name=f"N{i}", name_key=f"n{i}")
    with pytest.raises(column_sorts.ListTooLargeToSort) as caught:
        selectors.contact_list(admin, ordering="email")
    assert caught.value.errors[0].field == "ordering"
    assert "e-mail" in caught.value.errors[0].message
    assert "filter" in caught.value.errors[0].message
    # a filter that narrows the list to the bound makes the sort possible
    page = selectors.contact_list(admin, ordering="email", filters={"owner": manager.pk})
    assert [c.last_name for c in page.items] == ["N1", "N2"]


def test_a_name_search_with_a_column_sort_is_refused(admin):
    with pytest.raises(ValidationFailed) as caught:
        selectors.contact_list(admin, q="smi", ordering="owner")
    assert caught.value.errors[0].field == "ordering"


@pytest.mark.parametrize("cursor", ["WyJ4Il0", "WyIwIiwieCIsIngiXQ", "bm9wZQ"])
def test_a_forged_cursor_is_refused(admin, cursor):
    ContactFactory(owner=admin)
    with pytest.raises(ValidationFailed) as caught:
        selectors.contact_list(admin, ordering="owner", cursor=cursor)
    assert caught.value.errors[0].field == "cursor"
