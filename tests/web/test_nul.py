"""A NUL character in the query string is refused before any view or query runs."""

import pytest
from django.urls import reverse

from kliento.core.choices import Role
from kliento.customers.models import Contact
from tests.factories import ContactFactory, UserFactory

NUL_QUERIES = [{"q": "a\x00"}, {"owner": "1\x00"}, {"q\x00": "a"}]


@pytest.mark.parametrize("query", NUL_QUERIES)
@pytest.mark.parametrize(
    "name", ["core:search", "customers:contact-list", "sales:deal-list", "activities:activity-list"]
)
def test_a_page_refuses_nul_in_its_address(client, db, name, query):
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.get(reverse(name), query)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_the_api_refuses_nul_with_its_error_shape(client, db):
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.get("/api/v1/contacts", {"q": "zz\x00"})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_an_ordinary_search_still_answers(client, db):
    user = UserFactory(role=Role.ADMIN)
    ContactFactory(first_name="Ilze", last_name="Nulle", owner=user)
    client.force_login(user)
    response = client.get(reverse("customers:contact-list"), {"q": "Nulle"})
    assert response.status_code == 200
    assert "Nulle" in response.content.decode()
    assert Contact.objects.count() == 1
