"""Saved filters: one's own named query strings of a list page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core import saved_filters
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.models import SavedFilter

CONTACTS = reverse("customers:contact-list")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the service -------------------------------------------------------------------


def test_create_keeps_only_the_list_parameters_and_drops_the_cursor(manager):
    saved = saved_filters.saved_filter_create(
        user=manager,
        list_name="contacts",
        name="  Riga customers ",
        query="?relationship=customer&cursor=abc&q=&custom.size=L&company=3",
    )
    assert saved.name == "Riga customers"
    assert saved.query == "company=3&custom.size=L&relationship=customer"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": 5}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"list_name": "../etc"}, "list_name"),
        ({"list_name": "<script>"}, "list_name"),
        ({"query": "password=1"}, "query"),
        ({"query": "owner=1&is_superuser=1"}, "query"),
        ({"query": "q=" + "x" * 1000}, "query"),
        ({"query": "q=a%00b"}, "query"),
        ({"query": "custom.'; DROP TABLE x=1"}, "query"),
        ({"query": None}, "query"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(manager, kwargs, field):
    args = {"user": manager, "list_name": "contacts", "name": "Mine", "query": "q=a", **kwargs}
    with pytest.raises(ValidationFailed) as caught:
        saved_filters.saved_filter_create(**args)
    assert field in {e.field for e in caught.value.errors}
    assert not SavedFilter.objects.exists()


def test_a_name_is_used_once_per_user_and_list(manager, colleague):
    saved_filters.saved_filter_create(user=manager, list_name="contacts", name="A", query="")
    with pytest.raises(ValidationFailed):
        saved_filters.saved_filter_create(user=manager, list_name="contacts", name="A", query="")
    saved_filters.saved_filter_create(user=manager, list_name="companies", name="A", query="")
    saved_filters.saved_filter_create(user=colleague, list_name="contacts", name="A", query="")
    assert SavedFilter.objects.count() == 3


def test_other_lists_may_register_their_parameters(manager, monkeypatch):
    monkeypatch.setattr(saved_filters, "_EXTRA", dict(saved_filters._EXTRA))
    with pytest.raises(ValidationFailed):
        saved_filters.saved_filter_create(
            user=manager, list_name="widgets", name="A", query="colour=red"
        )
    saved_filters.register("widgets", ["colour"])
    saved = saved_filters.saved_filter_create(
        user=manager, list_name="widgets", name="A", query="colour=red&owner=2"
    )
    assert saved.query == "colour=red&owner=2"


def test_the_list_is_one_s_own_and_delete_only_one_s_own(manager, colleague):
    mine = saved_filters.saved_filter_create(user=manager, list_name="contacts", name="B", query="")
    saved_filters.saved_filter_create(user=manager, list_name="contacts", name="A", query="")
    theirs = saved_filters.saved_filter_create(
        user=colleague, list_name="contacts", name="C", query=""
    )
    assert [f.name for f in saved_filters.saved_filter_list(manager, "contacts")] == ["A", "B"]
    with pytest.raises(NotFound):
        saved_filters.saved_filter_delete(user=manager, filter_id=theirs.pk)
    saved_filters.saved_filter_delete(user=manager, filter_id=mine.pk)
    assert set(SavedFilter.objects.values_list("name", flat=True)) == {"A", "C"}


# --- the pages ---------------------------------------------------------------------


def test_save_this_filter_from_the_list(manager):
    client = client_for(manager)
    page = client.get(CONTACTS, {"relationship": "customer"}).content.decode()
    assert 'id="saved-filters-contacts"' in page and "Save this filter" in page
    assert 'id="sf-query-contacts" value="relationship=customer"' in page
    response = client.post(
        reverse("core:saved-filter-create"),
        {
            "list_name": "contacts",
            "name": "Customers",
            "query": "relationship=customer",
            "next": CONTACTS,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{CONTACTS}?relationship=customer"
    page = client.get(CONTACTS).content.decode()
    assert f'href="{CONTACTS}?relationship=customer">Customers</a>' in page


def test_save_by_htmx_returns_the_saved_filters_piece(manager):
    response = client_for(manager).post(
        reverse("core:saved-filter-create"),
        {
            "list_name": "contacts",
            "name": "<script>alert(1)</script>",
            "query": "q=an",
            "next": CONTACTS,
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div class="saved-filters" id="saved-filters-contacts">')
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_bad_save_by_htmx_is_422_with_the_message(manager):
    response = client_for(manager).post(
        reverse("core:saved-filter-create"),
        {"list_name": "contacts", "name": "", "query": "q=an", "next": CONTACTS},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Give the filter a name." in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_a_bad_plain_save_redirects_back_with_the_message(manager):
    client = client_for(manager)
    response = client.post(
        reverse("core:saved-filter-create"),
        {
            "list_name": "contacts",
            "name": "A",
            "query": "secret=1",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert not SavedFilter.objects.exists()


def test_delete_one_s_own_only(manager, colleague):
    theirs = SavedFilter.objects.create(user=colleague, list_name="contacts", name="X")
    mine = SavedFilter.objects.create(user=manager, list_name="contacts", name="Y")
    client = client_for(manager)
    url = reverse("core:saved-filter-delete", args=[theirs.pk])
    assert client.post(url, {"next": CONTACTS}).status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
    response = client.post(
        reverse("core:saved-filter-delete", args=[mine.pk]),
        {"next": CONTACTS},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "No saved filters yet." in response.content.decode()
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()
    assert client.get(url).status_code == 405
