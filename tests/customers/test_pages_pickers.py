"""The type-ahead picker of a linked contact or company: its search endpoint, and the contact
form's company picker (which replaced the select of the first 200 companies)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.models import RolePermission
from kliento.customers import services
from kliento.customers.models import Company, Contact
from tests.customers.forms import contact_form
from tests.factories import CompanyFactory, ContactFactory

XSS = "<script>alert(1)</script>"
CONTACTS = reverse("customers:pick", args=["contact"])
COMPANIES = reverse("customers:pick", args=["company"])
HTMX = {"HX-Request": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def contact_of(user, first="Anna", last="Bērziņa", **extra) -> Contact:
    data = {"first_name": first, "last_name": last, **extra}
    return services.contact_create(actor=Actor.of_user(user), data=data)


def company_of(user, name="Logi SIA", **extra) -> Company:
    return services.company_create(actor=Actor.of_user(user), data={"name": name, **extra})


def offered(response) -> list[str]:
    """The records the listbox offers, in order ("contact-7", ...)."""
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-record="')[1:]]


def pick(user, kind_url: str, q: str):
    return client_for(user).get(kind_url, {"q": q}, headers=HTMX)


def scope(role: str, record_type: str, value: str) -> None:
    RolePermission.objects.create(
        role=role, record_type=record_type, scope=value, can_create=True, can_edit=True
    )


# --- what it finds -------------------------------------------------------------------------


def test_contacts_by_last_name_then_first_name_prefix(manager):
    # given three contacts, two of them Ozol*
    ozols = contact_of(manager, first="Jānis", last="Ozols")
    ozola = contact_of(manager, first="Anna", last="Ozola")
    contact_of(manager, first="Pēteris", last="Kalns")
    # when the manager types "ozo", then "JĀN" (case and accents as stored)
    by_last = pick(manager, CONTACTS, "ozo")
    by_first = pick(manager, CONTACTS, "jān")
    # then the name-key matches come in name order, each an option with its id and name
    assert by_last.status_code == 200
    assert offered(by_last) == [f"contact-{ozola.pk}", f"contact-{ozols.pk}"]
    html = by_last.content.decode()
    assert 'role="option"' in html and "<html" not in html
    assert f'data-picker-option="{ozols.pk}" data-label="Jānis Ozols"' in html
    assert offered(by_first) == [f"contact-{ozols.pk}"]


def test_contacts_by_e_mail_and_phone(manager):
    found = contact_of(
        manager, emails=[{"value": "Found@Example.com"}], phones=[{"value": "+37129999999"}]
    )
    contact_of(manager, first="Other")

    assert offered(pick(manager, CONTACTS, "found@example.com")) == [f"contact-{found.pk}"]
    assert offered(pick(manager, CONTACTS, "+371 2999 9999")) == [f"contact-{found.pk}"]
    assert offered(pick(manager, CONTACTS, "found@example")) == []  # an e-mail matches whole


def test_companies_by_name_e_mail_and_phone(manager):
    logi = company_of(
        manager, emails=[{"value": "info@logi.lv"}], phones=[{"value": "+37167000001"}]
    )
    company_of(manager, name="Durvis SIA")

    assert offered(pick(manager, COMPANIES, "lo")) == [f"company-{logi.pk}"]
    assert offered(pick(manager, COMPANIES, "INFO@logi.lv")) == [f"company-{logi.pk}"]
    response = pick(manager, COMPANIES, "67000001")
    assert offered(response) == [f"company-{logi.pk}"]
    assert "info@logi.lv" in response.content.decode()  # the subtitle tells namesakes apart


def test_at_most_ten_options(manager):
    for i in range(12):
        ContactFactory(owner=manager, first_name=f"Anna{i:02d}", last_name="Liepa")

    assert len(offered(pick(manager, CONTACTS, "liepa"))) == 10


def test_nothing_found_says_so(manager):
    contact_of(manager)
    response = pick(manager, CONTACTS, "zzz")
    assert response.status_code == 200 and offered(response) == []
    assert "Nothing found for “zzz”." in response.content.decode()


# --- the visibility rule -----------------------------------------------------------------------


def test_a_record_of_another_team_is_never_offered(manager, stranger):
    mine = contact_of(manager, last="Ozols")
    contact_of(stranger, last="Ozols", emails=[{"value": "theirs@example.com"}])
    company_of(stranger, name="Ozols SIA")

    assert offered(pick(manager, CONTACTS, "ozols")) == [f"contact-{mine.pk}"]
    assert offered(pick(manager, CONTACTS, "theirs@example.com")) == []
    assert offered(pick(manager, COMPANIES, "ozols")) == []


def test_a_manager_who_sees_own_only_gets_no_colleague_records(manager, colleague, head):
    scope(Role.MANAGER, "contact", "own")
    scope(Role.MANAGER, "company", "own")
    mine = contact_of(manager, last="Ozols")
    theirs = contact_of(colleague, last="Ozols")
    company_of(colleague, name="Ozols SIA")

    assert offered(pick(manager, CONTACTS, "ozols")) == [f"contact-{mine.pk}"]
    assert offered(pick(manager, COMPANIES, "ozols")) == []
    # the head of sales sees every one of them
    assert sorted(offered(pick(head, CONTACTS, "ozols"))) == sorted(
        [f"contact-{mine.pk}", f"contact-{theirs.pk}"]
    )


def test_a_role_that_sees_no_contacts_gets_no_options(manager):
    scope(Role.MANAGER, "contact", "none")
    contact_of(manager, last="Ozols")

    response = pick(manager, CONTACTS, "ozols")
    assert response.status_code == 200 and offered(response) == []


def test_a_contact_names_its_company_only_if_it_is_visible(manager, stranger):
    # given two namesakes: one at a company the manager sees, one at a stranger's company
    seen = company_of(manager, name="Logi SIA")
    hidden = company_of(stranger, name="Secret Holdings")
    a = contact_of(manager, last="Ozols", company_id=seen.pk)
    b = ContactFactory(owner=manager, first_name="Anna", last_name="Ozols", company=hidden)

    html = pick(manager, CONTACTS, "ozols").content.decode()

    assert sorted(offered(pick(manager, CONTACTS, "ozols"))) == sorted(
        [f"contact-{a.pk}", f"contact-{b.pk}"]
    )
    assert "Logi SIA" in html
    assert "Secret Holdings" not in html


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("q", [XSS, "' OR 1=1 --", "=cmd|' /C calc'!A0", "%", "_", "\\"])
def test_a_hostile_query_is_inert(manager, q):
    contact_of(manager)
    before = (Contact.objects.count(), Company.objects.count())

    response = pick(manager, CONTACTS, q)

    html = response.content.decode()
    assert response.status_code == 200
    assert offered(response) == []  # no wildcard, no injection: nothing matches
    assert XSS not in html
    assert (Contact.objects.count(), Company.objects.count()) == before


def test_a_hostile_name_is_offered_escaped(manager):
    hostile = contact_of(manager, first=XSS, last='=HYPERLINK("http://x")')

    response = pick(manager, CONTACTS, "=hyper")

    html = response.content.decode()
    assert offered(response) == [f"contact-{hostile.pk}"]
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_over_long_query_is_a_clear_422(manager):
    contact_of(manager, last="Ozols")

    response = pick(manager, CONTACTS, "a" * 201)

    assert response.status_code == 422
    assert "At most 200 characters." in response.content.decode() and offered(response) == []


@pytest.mark.parametrize("q", ["ozo\x00", "\x00"])
def test_a_nul_in_the_query_is_refused_before_the_search(manager, q):
    contact_of(manager, last="Ozols")

    response = pick(manager, CONTACTS, q)

    assert response.status_code == 400
    assert "NUL" in response.content.decode() and offered(response) == []


def test_a_query_of_exactly_200_characters_is_searched(manager):
    response = pick(manager, COMPANIES, "a" * 200)
    assert response.status_code == 200 and "Nothing found" in response.content.decode()


@pytest.mark.parametrize("kind", ["deal", "lead", "Contact", "contacts", "x" * 300])
def test_an_unknown_kind_is_404(manager, kind):
    url = reverse("customers:pick", args=[kind])
    assert client_for(manager).get(url, {"q": "a"}, headers=HTMX).status_code == 404


def test_only_get_is_allowed(manager):
    assert client_for(manager).post(CONTACTS, {"q": "a"}).status_code == 405


def test_signed_out_visitors_are_sent_to_sign_in(db):
    client = Client()
    plain = client.get(CONTACTS, {"q": "a"})
    htmx = client.get(CONTACTS, {"q": "a"}, headers=HTMX)

    assert plain.status_code == 302 and plain["Location"].startswith(reverse("core:sign-in"))
    assert htmx.status_code == 401 and htmx["HX-Redirect"] == reverse("core:sign-in")


# --- cost ---------------------------------------------------------------------------------------


def test_an_empty_query_gets_a_hint_and_searches_nothing(manager, django_assert_num_queries):
    contact_of(manager)
    client = client_for(manager)
    client.get(CONTACTS, headers=HTMX)  # warm the session

    # session and user only
    with django_assert_num_queries(2):
        response = client.get(CONTACTS, {"q": "   "}, headers=HTMX)

    assert response.status_code == 200 and offered(response) == []
    assert "Type the first letters" in response.content.decode()


@pytest.mark.parametrize(
    ("kind_url", "q", "queries"),
    [
        # session, user, rights, the name-key range (and whether the first-name part has rows)
        (CONTACTS, "last", 4),
        # session, user, rights, the name range, the companies' primary channels
        (COMPANIES, "company", 5),
    ],
)
def test_query_count_does_not_grow_with_matches(
    manager, kind_url, q, queries, django_assert_num_queries
):
    client = client_for(manager)
    client.get(kind_url, {"q": q}, headers=HTMX)
    for count in (3, 10):
        for _ in range(count - Contact.objects.count()):
            ContactFactory(owner=manager, company=CompanyFactory(owner=manager))
        with django_assert_num_queries(queries):
            response = client.get(kind_url, {"q": q}, headers=HTMX)
        assert len(offered(response)) == count


# --- the contact form's company picker -------------------------------------------------------


def _form(**fields) -> dict:
    return contact_form(**{"first_name": "Anna", "last_name": "Ozola", **fields})


def test_the_new_contact_form_has_a_company_picker_and_reads_no_companies(manager):
    for i in range(5):
        CompanyFactory(owner=manager, name=f"Listed {i}")

    html = client_for(manager).get(reverse("customers:contact-create")).content.decode()

    assert 'name="company_id" value="" data-picker-id' in html
    assert f'hx-get="{COMPANIES}"' in html and 'role="combobox"' in html
    assert 'aria-controls="f-company_id-list"' in html and 'id="f-company_id-list"' in html
    assert '<select id="f-company_id"' not in html and "Listed" not in html


def test_the_edit_form_shows_the_linked_company_and_saves_a_new_one(manager):
    logi = company_of(manager, name="Logi SIA")
    durvis = company_of(manager, name="Durvis SIA")
    contact = contact_of(manager, company_id=logi.pk)
    client = client_for(manager)
    url = reverse("customers:contact-edit", args=[contact.pk])

    html = client.get(url).content.decode()
    response = client.post(url, _form(version=contact.version, company_id=str(durvis.pk)))

    assert f'name="company_id" value="{logi.pk}" data-picker-id' in html
    assert 'value="Logi SIA"' in html
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.company == durvis


def test_the_edit_form_does_not_name_a_company_one_may_not_see(manager, stranger):
    hidden = company_of(stranger, name="Secret Holdings")
    contact = ContactFactory(owner=manager, company=hidden)

    html = client_for(manager).get(reverse("customers:contact-edit", args=[contact.pk]))
    html = html.content.decode()

    assert "Secret Holdings" not in html
    assert f'value="#{hidden.pk}"' in html  # the id alone, as the card shows it


def test_a_refused_form_keeps_the_chosen_company(manager):
    logi = company_of(manager, name="Logi SIA")

    response = client_for(manager).post(
        reverse("customers:contact-create"),
        _form(first_name="", last_name="", company_id=str(logi.pk)),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert f'name="company_id" value="{logi.pk}" data-picker-id' in html
    assert 'value="Logi SIA"' in html


@pytest.mark.parametrize(
    ("company_id", "message"),
    [(XSS, "Must be an id."), ("999999", "No such record"), ("INVISIBLE", "No such record")],
)
def test_a_bad_or_invisible_company_is_a_field_error_at_the_picker(
    manager, stranger, company_id, message
):
    if company_id == "INVISIBLE":
        company_id = str(company_of(stranger, name="Secret Holdings").pk)

    response = client_for(manager).post(
        reverse("customers:contact-create"), _form(company_id=company_id)
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="err-company_id"' in html and message in html
    assert 'aria-describedby="err-company_id"' in html
    assert XSS not in html and "Secret Holdings" not in html
    assert Contact.objects.count() == 0
