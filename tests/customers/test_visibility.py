"""A manager sees own and team records, never another team's: through every read and write."""

from __future__ import annotations

import pytest

from kliento.core.choices import Role
from kliento.customers.models import Company, Contact
from tests.factories import CompanyFactory, ContactFactory, add_channel


@pytest.fixture
def world(manager, colleague, stranger):
    """One contact and one company each for the manager, a teammate and another team's manager."""
    rows = {}
    for who, user in (("own", manager), ("team", colleague), ("other", stranger)):
        contact = ContactFactory(owner=user, first_name="Visible", last_name=f"Zeta{who}")
        add_channel(contact, "email", f"{who}@example.lv")
        add_channel(
            contact,
            "phone",
            {"own": "+37120000001", "team": "+37120000002", "other": "+37120000003"}[who],
        )
        company = CompanyFactory(owner=user, name=f"Zeta {who} SIA")
        add_channel(company, "email", f"office-{who}@example.lv")
        rows[who] = (contact, company)
    return rows


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def test_contact_list_and_search_show_own_and_team_only(api, manager, world):
    client = api(manager)
    own, team, other = (world[k][0].pk for k in ("own", "team", "other"))

    assert ids(client.get("/contacts")) == {own, team}
    assert ids(client.get("/contacts", {"q": "zeta"})) == {own, team}
    assert other not in ids(client.get("/contacts", {"q": "zetaother"}))
    assert ids(client.get("/contacts", {"q": "visible"})) == {own, team}
    assert ids(client.get("/contacts", {"q": "other@example.lv"})) == set()
    assert ids(client.get("/contacts", {"q": "team@example.lv"})) == {team}
    assert ids(client.get("/contacts", {"q": "+37120000003"})) == set()
    assert ids(client.get("/contacts", {"q": "20000002"})) == {team}
    assert ids(client.get("/contacts", {"owner": world["other"][0].owner_id})) == set()
    assert ids(client.get("/contacts", {"team": world["other"][0].team_id})) == set()


def test_company_list_and_search_show_own_and_team_only(api, manager, world):
    client = api(manager)
    own, team = world["own"][1].pk, world["team"][1].pk

    assert ids(client.get("/companies")) == {own, team}
    assert ids(client.get("/companies", {"q": "zeta other"})) == set()
    assert ids(client.get("/companies", {"q": "office-other@example.lv"})) == set()
    assert ids(client.get("/companies", {"q": "office-team@example.lv"})) == {team}


@pytest.mark.parametrize("kind", ["contacts", "companies"])
def test_another_teams_record_is_404_for_read_update_and_delete(api, manager, world, kind):
    client = api(manager)
    index = 0 if kind == "contacts" else 1
    hidden = world["other"][index]
    field = "last_name" if kind == "contacts" else "name"

    assert client.get(f"/{kind}/{hidden.pk}").status_code == 404
    assert client.patch(f"/{kind}/{hidden.pk}", {"version": 1, field: "Taken"}).status_code == 404
    assert client.delete(f"/{kind}/{hidden.pk}").status_code == 404
    assert client.get(f"/{kind}/{world['team'][index].pk}").status_code == 200
    hidden.refresh_from_db()
    assert getattr(hidden, field) != "Taken"
    assert client.get(f"/{kind}/999999").status_code == 404


def test_a_teammates_contact_can_be_edited(api, manager, world):
    contact = world["team"][0]
    response = api(manager).patch(f"/contacts/{contact.pk}", {"version": 1, "job_title": "CTO"})
    assert response.status_code == 200
    assert response.json()["owner_id"] == contact.owner_id


def test_a_contact_cannot_be_linked_to_another_teams_company(api, manager, world):
    response = api(manager).post(
        "/contacts", {"last_name": "Linker", "company_id": world["other"][1].pk}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"company_id"}
    assert not Contact.objects.filter(last_name="Linker").exists()


def test_head_of_sales_sees_everything(api, head, world):
    assert len(ids(api(head).get("/contacts"))) == 3
    assert len(ids(api(head).get("/companies"))) == 3


def test_read_only_may_read_but_not_write(api, make_user, world):
    reader = make_user(Role.READ_ONLY)
    client = api(reader)
    contact = world["other"][0]
    assert client.get(f"/contacts/{contact.pk}").status_code == 200
    assert client.post("/contacts", {"last_name": "New"}).status_code == 403
    assert client.patch(f"/contacts/{contact.pk}", {"version": 1}).status_code == 403
    assert client.delete(f"/companies/{world['own'][1].pk}").status_code == 403
    assert Company.objects.count() == 3
