"""The lead pages: list, card with qualification (BANT) and conversion, forms, search."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.choices import Role
from kliento.core.models import FieldType
from kliento.customers.models import Company, Contact
from kliento.sales.models import Deal, Lead
from tests.factories import CustomFieldFactory, LeadFactory, UserFactory

HOSTILE = [
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example","x")',
    "'; DROP TABLE sales_lead; --",
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-record="lead-(\d+)"', response.content.decode())]


@pytest.fixture
def lead(manager):
    return LeadFactory(
        owner=manager,
        title="Windows for Ozols",
        first_name="Jānis",
        last_name="Ozols",
        company_name="Ozols SIA",
        email="janis@ozols.lv",
        phone="+37120000000",
        source="google",
        utm_campaign="spring",
        keyword="pvc windows",
        answers={"How many windows?": "6"},
        budget_amount="3500.00",
        budget_currency="EUR",
    )


def counts() -> tuple[int, int, int]:
    return (Contact.objects.count(), Company.objects.count(), Deal.objects.count())


# --- the list ----------------------------------------------------------------------------


def test_list_shows_the_visible_leads_only(manager, stranger, lead):
    # given a lead of mine and one of a manager in another team
    theirs = LeadFactory(owner=stranger)

    # when I open the list
    response = client_for(manager).get(reverse("sales:lead-list"))

    # then I see mine with its links, not theirs
    assert response.status_code == 200
    assert listed(response) == [lead.pk]
    body = response.content.decode()
    assert 'href="mailto:janis@ozols.lv"' in body
    assert 'href="tel:+37120000000"' in body
    assert theirs.title not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "qualified"}, ["a"]),
        ({"channel": "call"}, ["b"]),
        ({"source": "google"}, ["a"]),
        ({"q": "roof"}, ["b"]),
        ({"q": "ROOF"}, ["b"]),
        ({"q": "b@example.com"}, ["b"]),
        ({"q": "+371 2000 0001"}, ["a"]),
        ({"status": "qualified", "channel": "call"}, []),
    ],
)
def test_list_filters_and_search(head, params, expected):
    # given two leads that differ in every filter
    a = LeadFactory(
        owner=head, title="Windows", status="qualified", source="google", phone="+37120000001"
    )
    b = LeadFactory(owner=head, title="Roof", channel="call", email="b@example.com")
    names = {"a": a.pk, "b": b.pk}

    # when I filter
    response = client_for(head).get(reverse("sales:lead-list"), params)

    # then only the matching leads are listed
    assert response.status_code == 200
    assert listed(response) == [names[n] for n in expected]


def test_list_filters_by_owner_and_team(head, manager, stranger):
    mine = LeadFactory(owner=manager)
    theirs = LeadFactory(owner=stranger)
    client = client_for(head)

    assert listed(client.get(reverse("sales:lead-list"), {"owner": manager.pk})) == [mine.pk]
    assert listed(client.get(reverse("sales:lead-list"), {"team": stranger.team_id})) == [theirs.pk]


def test_list_filters_by_a_custom_field(head):
    CustomFieldFactory(
        record_type="lead",
        key="tint",
        label="Tint",
        field_type=FieldType.CHOICE,
        choices=["a", "b"],
    )
    a = LeadFactory(owner=head, custom={"tint": "a"})
    LeadFactory(owner=head, custom={"tint": "b"})

    response = client_for(head).get(reverse("sales:lead-list"), {"custom.tint": "a"})

    assert listed(response) == [a.pk]
    assert 'name="custom.tint"' in response.content.decode()


def test_list_refuses_a_bad_custom_filter_clearly(head):
    CustomFieldFactory(record_type="lead", key="floors", field_type=FieldType.NUMBER)
    lead = LeadFactory(owner=head)

    response = client_for(head).get(reverse("sales:lead-list"), {"custom.floors": "many"})

    assert response.status_code == 422
    assert "Must be a number." in response.content.decode()
    assert listed(response) == [lead.pk]


def test_search_as_you_type_returns_only_the_rows(head):
    LeadFactory(owner=head, title="Roof")

    response = client_for(head).get(
        reverse("sales:lead-list"), {"q": "ro"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'data-record="lead-' in body


def test_list_pages_with_a_cursor_without_repeats(head):
    # given 60 leads
    created = [LeadFactory(owner=head).pk for _ in range(60)]
    client = client_for(head)

    # when I read the first page and then load more
    first = client.get(reverse("sales:lead-list"))
    cursor = re.search(r'href="\?cursor=([^"]+)"', first.content.decode())
    assert cursor is not None
    more = client.get(
        reverse("sales:lead-list"),
        {"cursor": cursor.group(1).replace("&amp;", "&")},
        headers={"HX-Request": "true"},
    )

    # then the two pages hold every lead once, newest first, and no third page is offered
    assert len(listed(first)) == 50
    assert listed(first) + listed(more) == sorted(created, reverse=True)
    assert "cursor=" not in more.content.decode()


def test_list_sorts_by_title(head):
    b = LeadFactory(owner=head, title="Beta")
    a = LeadFactory(owner=head, title="alpha")

    response = client_for(head).get(reverse("sales:lead-list"), {"ordering": "title"})
    reverse_response = client_for(head).get(reverse("sales:lead-list"), {"ordering": "-title"})

    assert listed(response) == [a.pk, b.pk]
    assert listed(reverse_response) == [b.pk, a.pk]


@pytest.mark.parametrize(
    "params",
    [{"ordering": "email"}, {"ordering": "'; DROP TABLE sales_lead; --"}, {"cursor": "bm9wZQ"}],
)
def test_list_refuses_an_unknown_sort_or_cursor_clearly(head, params):
    lead = LeadFactory(owner=head)

    response = client_for(head).get(reverse("sales:lead-list"), params)

    assert response.status_code == 422
    assert 'class="alert alert-error"' in response.content.decode()
    assert listed(response) == [lead.pk]  # the list from the top


@pytest.mark.parametrize("value", [*HOSTILE, "x" * 5000, "12abc"])
def test_list_searches_hostile_text_and_refuses_hostile_filters(head, value):
    lead = LeadFactory(owner=head, title="Roof")
    client = client_for(head)

    searched = client.get(reverse("sales:lead-list"), {"q": value})
    filtered = client.get(
        reverse("sales:lead-list"),
        {"q": value, "status": value, "channel": value, "owner": value, "team": value},
    )

    assert searched.status_code == 200  # a search is plain text
    assert filtered.status_code == 400  # a filter no lead can have: said, the list from the top
    assert 'class="alert alert-error"' in filtered.content.decode()
    assert listed(filtered) == [lead.pk]
    for response in (searched, filtered):
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert Lead.objects.count() == 1


def test_list_query_count_does_not_grow_with_rows(head, manager, django_assert_num_queries):
    # given 30 leads of several owners
    for i in range(30):
        LeadFactory(owner=manager if i % 2 else head)
    client = client_for(head)
    client.get(reverse("sales:lead-list"))  # the session is warm

    # then a page costs: session, user, rights, custom fields, the page, users, teams, unread,
    # saved filters
    with django_assert_num_queries(8):
        response = client.get(reverse("sales:lead-list"))
    assert len(listed(response)) == 30


def test_list_query_count_for_a_scoped_manager(manager, colleague, django_assert_num_queries):
    for _ in range(30):
        LeadFactory(owner=manager)
    LeadFactory(owner=colleague)
    client = client_for(manager)
    client.get(reverse("sales:lead-list"))

    with django_assert_num_queries(8):
        response = client.get(reverse("sales:lead-list"), {"status": "new"})
    assert len(listed(response)) == 30


# --- the card ----------------------------------------------------------------------------


def test_detail_shows_every_field_and_the_panels(manager, lead, pipeline):
    CustomFieldFactory(
        record_type="lead", key="floors", label="Floors", field_type=FieldType.NUMBER
    )
    Lead.objects.filter(pk=lead.pk).update(custom={"floors": 3}, referrer="https://ex.example/")

    response = client_for(manager).get(reverse("sales:lead-detail", args=[lead.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Windows for Ozols", "Ozols SIA", "google", "spring", "pvc windows"):
        assert text in body
    assert "How many windows?" in body and "Floors" in body
    assert 'id="lead-bant"' in body and 'id="lead-convert"' in body
    assert f'action="{reverse("sales:lead-convert", args=[lead.pk])}"' in body
    assert "Windows" in body  # the pipeline to choose
    assert 'id="quick-lead-' in body or "quick-actions" in body


def test_detail_of_an_invisible_lead_is_404(manager, stranger):
    theirs = LeadFactory(owner=stranger)

    response = client_for(manager).get(reverse("sales:lead-detail", args=[theirs.pk]))

    assert response.status_code == 404


def test_detail_shows_hostile_text_inert(manager):
    lead = LeadFactory(owner=manager, title=HOSTILE[0], need=HOSTILE[0], answers={"q": HOSTILE[0]})

    body = client_for(manager).get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_detail_query_count(manager, lead, pipeline, django_assert_num_queries):
    for _ in range(5):
        CustomFieldFactory(record_type="lead")
    client = client_for(manager)
    url = reverse("sales:lead-detail", args=[lead.pk])
    client.get(url)

    # session, user, lead, rights, owner, custom fields, pipelines + stages
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_read_only_role_sees_bant_but_no_forms(make_user, lead):
    reader = make_user(Role.READ_ONLY)

    body = client_for(reader).get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()

    assert "3,500 EUR" in body or "3500 EUR" in body or "3 500 EUR" in body
    assert reverse("sales:lead-qualify", args=[lead.pk]) not in body
    assert reverse("sales:lead-convert", args=[lead.pk]) not in body
    assert reverse("sales:lead-edit", args=[lead.pk]) not in body


# --- qualification (BANT) ------------------------------------------------------------------


def bant(lead, **changes):
    data = {
        "version": lead.version,
        "status": "qualified",
        "budget_amount": "5000",
        "budget_currency": "EUR",
        "authority": "Jānis, the owner",
        "need": "6 PVC windows",
        "timeline": "2026-05-01",
    }
    data.update(changes)
    return data


def test_bant_saves_and_returns_the_panel(manager, lead):
    response = client_for(manager).post(
        reverse("sales:lead-qualify", args=[lead.pk]), bant(lead), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="lead-bant"' in body and "Qualification saved." in body
    lead.refresh_from_db()
    assert (lead.status, str(lead.budget_amount), lead.authority, lead.need) == (
        "qualified",
        "5000.00",
        "Jānis, the owner",
        "6 PVC windows",
    )
    assert lead.timeline.isoformat() == "2026-05-01"
    # the convert form gets the new version out of band
    assert f'value="{lead.version}" id="convert-version" hx-swap-oob="true"' in body


def test_bant_changes_only_the_fields_it_sends(manager, lead):
    response = client_for(manager).post(
        reverse("sales:lead-qualify", args=[lead.pk]),
        {"version": lead.version, "need": "A door too"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.need, str(lead.budget_amount), lead.budget_currency) == (
        "A door too",
        "3500.00",
        "EUR",
    )


def test_bant_clears_the_budget_and_timing_left_empty(manager, lead):
    response = client_for(manager).post(
        reverse("sales:lead-qualify", args=[lead.pk]),
        bant(lead, budget_amount="", budget_currency="", timeline=""),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.budget_amount, lead.budget_currency, lead.timeline) == (None, "", None)


def test_bant_plain_post_goes_back_to_the_card(manager, lead):
    response = client_for(manager).post(reverse("sales:lead-qualify", args=[lead.pk]), bant(lead))

    assert response.status_code == 302
    assert response["Location"] == reverse("sales:lead-detail", args=[lead.pk])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget_amount": "lots"}, "budget_amount"),
        ({"budget_amount": "1e400"}, "budget_amount"),
        ({"budget_currency": "", "budget_amount": "100"}, "budget_currency"),
        ({"budget_currency": "EURO"}, "budget_currency"),
        ({"timeline": "next spring"}, "timeline"),
        ({"authority": "x" * 301}, "authority"),
        ({"status": "converted"}, "status"),
        ({"status": HOSTILE[0]}, "status"),
        ({"need": "a\x00b"}, "need"),
    ],
)
def test_bant_refuses_bad_input_with_field_errors(manager, lead, changes, field):
    before = Lead.objects.get(pk=lead.pk)

    response = client_for(manager).post(
        reverse("sales:lead-qualify", args=[lead.pk]),
        bant(lead, **changes),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert f'id="err-{field}"' in body or 'class="alert alert-error"' in body
    after = Lead.objects.get(pk=lead.pk)
    assert (after.version, after.need, after.status) == (before.version, before.need, before.status)


def test_bant_on_a_stale_version_is_a_conflict_keeping_the_input(manager, lead):
    Lead.objects.filter(pk=lead.pk).update(version=lead.version + 1, need="theirs")

    response = client_for(manager).post(
        reverse("sales:lead-qualify", args=[lead.pk]),
        bant(lead, need="my careful notes"),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this lead" in body and "my careful notes" in body
    assert Lead.objects.get(pk=lead.pk).need == "theirs"


def test_bant_without_a_version_is_refused(manager, lead):
    response = client_for(manager).post(
        reverse("sales:lead-qualify", args=[lead.pk]),
        bant(lead, version="abc"),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert Lead.objects.get(pk=lead.pk).version == lead.version


def test_bant_of_an_invisible_lead_is_404(stranger, lead):
    response = client_for(stranger).post(reverse("sales:lead-qualify", args=[lead.pk]), bant(lead))

    assert response.status_code == 404
    assert Lead.objects.get(pk=lead.pk).need == ""


# --- conversion --------------------------------------------------------------------------


def convert_form(lead, pipeline, **changes):
    data = {
        "version": lead.version,
        "create_contact": "on",
        "create_company": "on",
        "deal.pipeline_id": pipeline.pk,
        "deal.title": lead.title,
        "deal.amount": "3500.00",
        "deal.currency": "EUR",
        "deal.expected_close_date": "2026-06-30",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_convert_creates_contact_company_and_deal_and_opens_the_deal(manager, lead, pipeline):
    client = client_for(manager)

    response = client.post(
        reverse("sales:lead-convert", args=[lead.pk]), convert_form(lead, pipeline)
    )

    deal = Deal.objects.get()
    contact = Contact.objects.get()
    company = Company.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal-detail", args=[deal.pk])
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Jānis",
        "Ozols",
        "janis@ozols.lv",
    )
    assert company.name == "Ozols SIA" and contact.company == company
    assert (deal.lead, deal.contact, deal.company, deal.pipeline) == (
        lead,
        contact,
        company,
        pipeline,
    )
    assert deal.expected_close_date.isoformat() == "2026-06-30"
    lead.refresh_from_db()
    assert lead.status == "converted"
    # the card now links to what the lead became and offers no conversion
    body = client.get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()
    assert f'data-record="deal-{deal.pk}"' in body
    assert reverse("sales:deal-detail", args=[deal.pk]) in body
    assert reverse("customers:contact-detail", args=[contact.pk]) in body
    assert reverse("customers:company-detail", args=[company.pk]) in body
    assert f'action="{reverse("sales:lead-convert", args=[lead.pk])}"' not in body


def test_a_converted_lead_names_only_what_the_viewer_may_see(manager, head, pipeline):
    # given a lead of the head of sales converted into a contact, a company and a deal
    lead = LeadFactory(owner=head, company_name="Ozols SIA")
    client_for(head).post(
        reverse("sales:lead-convert", args=[lead.pk]), convert_form(lead, pipeline)
    )
    # and a reader who sees leads but no deals (a marketer)
    marketer = UserFactory(role=Role.MARKETER, team=manager.team)

    body = client_for(marketer).get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()

    deal = Deal.objects.get()
    assert f'data-record="deal-{deal.pk}"' not in body
    assert reverse("customers:contact-detail", args=[Contact.objects.get().pk]) in body


def test_convert_without_a_contact_or_company_makes_only_the_deal(manager, lead, pipeline):
    response = client_for(manager).post(
        reverse("sales:lead-convert", args=[lead.pk]),
        convert_form(lead, pipeline, create_contact=None, create_company=None),
    )

    assert response.status_code == 302
    assert counts() == (0, 0, 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deal.pipeline_id": None}, "Choose the pipeline"),
        ({"deal.pipeline_id": "999999"}, "No such active pipeline"),
        ({"deal.pipeline_id": HOSTILE[2]}, "No such active pipeline"),
        ({"deal.amount": "lots"}, ""),
        ({"deal.currency": "EURO"}, ""),
        ({"deal.expected_close_date": "soon"}, ""),
        ({"deal.title": "x" * 201}, ""),
        ({"version": ""}, "version"),
    ],
)
def test_convert_refuses_bad_input_and_creates_nothing(manager, lead, pipeline, changes, message):
    response = client_for(manager).post(
        reverse("sales:lead-convert", args=[lead.pk]), convert_form(lead, pipeline, **changes)
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert counts() == (0, 0, 0)
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_convert_on_a_stale_version_is_a_conflict(manager, lead, pipeline):
    form = convert_form(lead, pipeline)
    Lead.objects.filter(pk=lead.pk).update(version=lead.version + 1)

    response = client_for(manager).post(reverse("sales:lead-convert", args=[lead.pk]), form)

    assert response.status_code == 409
    assert "Nothing was created" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_convert_twice_is_refused(manager, lead, pipeline):
    client = client_for(manager)
    client.post(reverse("sales:lead-convert", args=[lead.pk]), convert_form(lead, pipeline))
    lead.refresh_from_db()

    response = client.post(
        reverse("sales:lead-convert", args=[lead.pk]), convert_form(lead, pipeline)
    )

    assert response.status_code == 422
    assert counts() == (1, 1, 1)


def test_convert_needs_the_right_to_create_deals(make_user, pipeline):
    # given a marketer: may edit leads and create contacts, may not create deals
    marketer = make_user(Role.MARKETER)
    lead = LeadFactory(owner=marketer)

    body = client_for(marketer).get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()
    response = client_for(marketer).post(
        reverse("sales:lead-convert", args=[lead.pk]), convert_form(lead, pipeline)
    )

    assert "may not convert" in body
    assert response.status_code == 403
    assert counts() == (0, 0, 0)
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_convert_needs_the_right_to_create_the_contact(make_user, pipeline):
    # given a role that may edit leads and create deals but not contacts
    from kliento.core.models import RolePermission

    RolePermission.objects.create(role=Role.MANAGER, record_type="contact", scope="team")
    manager = make_user(Role.MANAGER)
    lead = LeadFactory(owner=manager)

    response = client_for(manager).post(
        reverse("sales:lead-convert", args=[lead.pk]),
        convert_form(lead, pipeline, create_company=None),
    )

    assert response.status_code == 403
    assert counts() == (0, 0, 0)


# --- create, edit, delete ------------------------------------------------------------------


def lead_form(**changes):
    data = {
        "title": "Balcony glazing",
        "status": "new",
        "channel": "web_form",
        "first_name": "Anna",
        "last_name": "Liepa",
        "company_name": "",
        "email": "Anna@Liepa.LV",
        "phone": "+371 2612 3456",
        "source": "facebook",
        "budget_amount": "",
        "budget_currency": "",
        "authority": "",
        "need": "",
        "timeline": "",
    }
    data.update(changes)
    return data


def test_create_a_lead(manager):
    response = client_for(manager).post(reverse("sales:lead-create"), lead_form())

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:lead-detail", args=[lead.pk])
    assert (lead.title, lead.email, lead.phone, lead.owner) == (
        "Balcony glazing",
        "anna@liepa.lv",
        "+37126123456",
        manager,
    )


def test_create_form_has_a_label_for_every_input(manager):
    CustomFieldFactory(record_type="lead", key="tint", field_type=FieldType.CHOICE, choices=["a"])

    body = client_for(manager).get(reverse("sales:lead-create")).content.decode()

    form = body[body.index('<form method="post" action="/leads') :]
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', form)
    assert ids and all(f'for="{i}"' in form for i in ids)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"email": "not an e-mail"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"channel": HOSTILE[0]}, "channel"),
        ({"status": "converted"}, "status"),
        ({"budget_amount": "12abc", "budget_currency": "EUR"}, "budget_amount"),
        ({"timeline": "2026-02-30"}, "timeline"),
        ({"title": "a\x00b"}, "title"),
    ],
)
def test_create_refuses_bad_input_with_field_errors(manager, changes, field):
    response = client_for(manager).post(reverse("sales:lead-create"), lead_form(**changes))

    assert response.status_code == 422
    assert f'id="err-{field}"' in response.content.decode()
    assert Lead.objects.count() == 0


def test_create_keeps_hostile_text_as_text(manager):
    form = lead_form(title=HOSTILE[0], need=HOSTILE[1], source=HOSTILE[2])

    response = client_for(manager).post(reverse("sales:lead-create"), form)

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert (lead.title, lead.need, lead.source) == tuple(HOSTILE)
    body = client_for(manager).get(reverse("sales:lead-list")).content.decode()
    assert "<script>alert(1)</script>" not in body


def test_create_with_custom_fields_by_type(manager):
    CustomFieldFactory(record_type="lead", key="floors", field_type=FieldType.NUMBER)
    CustomFieldFactory(record_type="lead", key="tint", field_type=FieldType.CHOICE, choices=["a"])
    CustomFieldFactory(record_type="lead", key="urgent", field_type=FieldType.YES_NO)
    CustomFieldFactory(
        record_type="lead", key="rooms", field_type=FieldType.MULTI_CHOICE, choices=["x", "y"]
    )

    response = client_for(manager).post(
        reverse("sales:lead-create"),
        {
            **lead_form(),
            "custom.floors": "3",
            "custom.tint": "a",
            "custom.urgent": "yes",
            "custom.rooms": ["y", "x"],
        },
    )

    assert response.status_code == 302
    assert Lead.objects.get().custom == {
        "floors": 3,
        "tint": "a",
        "urgent": True,
        "rooms": ["x", "y"],
    }


def test_edit_clears_a_multiple_choice_when_nothing_is_chosen(manager):
    CustomFieldFactory(
        record_type="lead", key="rooms", field_type=FieldType.MULTI_CHOICE, choices=["x", "y"]
    )
    lead = LeadFactory(owner=manager, custom={"rooms": ["x"]})
    form = client_for(manager).get(reverse("sales:lead-edit", args=[lead.pk])).content.decode()
    assert '<input type="hidden" name="custom.rooms" value="">' in form

    response = client_for(manager).post(
        reverse("sales:lead-edit", args=[lead.pk]),
        {**lead_form(version=lead.version), "custom.rooms": ""},
    )

    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).custom == {}


@pytest.mark.parametrize(
    ("key", "field_type", "value"),
    [("floors", FieldType.NUMBER, "many"), ("tint", FieldType.CHOICE, HOSTILE[0])],
)
def test_create_refuses_bad_custom_values(manager, key, field_type, value):
    CustomFieldFactory(record_type="lead", key=key, field_type=field_type, choices=["a"])

    response = client_for(manager).post(
        reverse("sales:lead-create"), {**lead_form(), f"custom.{key}": value}
    )

    assert response.status_code == 422
    assert f'id="err-custom.{key}"' in response.content.decode()
    assert Lead.objects.count() == 0


def test_create_needs_a_required_custom_field(manager):
    CustomFieldFactory(record_type="lead", key="floors", field_type=FieldType.NUMBER, required=True)

    response = client_for(manager).post(reverse("sales:lead-create"), lead_form())

    assert response.status_code == 422
    assert 'id="err-custom.floors"' in response.content.decode()


def test_a_role_that_may_not_create_leads_gets_403(make_user):
    agent = make_user(Role.SERVICE_AGENT)

    assert client_for(agent).get(reverse("sales:lead-create")).status_code == 403
    assert client_for(agent).post(reverse("sales:lead-create"), lead_form()).status_code == 403
    assert Lead.objects.count() == 0


def test_edit_a_lead(manager, lead):
    client = client_for(manager)
    form = client.get(reverse("sales:lead-edit", args=[lead.pk])).content.decode()
    assert 'value="Windows for Ozols"' in form and 'name="version"' in form

    response = client.post(
        reverse("sales:lead-edit", args=[lead.pk]),
        lead_form(title="Windows and doors", version=lead.version),
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.title, lead.version) == ("Windows and doors", 2)


def test_edit_on_a_stale_version_is_a_conflict_keeping_the_input(manager, lead):
    Lead.objects.filter(pk=lead.pk).update(version=lead.version + 1, title="Their title")

    response = client_for(manager).post(
        reverse("sales:lead-edit", args=[lead.pk]),
        lead_form(title="My new title", version=lead.version),
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this lead" in body and 'value="My new title"' in body
    assert Lead.objects.get(pk=lead.pk).title == "Their title"


def test_edit_refuses_bad_input(manager, lead):
    response = client_for(manager).post(
        reverse("sales:lead-edit", args=[lead.pk]),
        lead_form(email="nope", version=lead.version),
    )

    assert response.status_code == 422
    assert 'id="err-email"' in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).version == lead.version


def test_a_manager_may_not_give_a_lead_away(manager, colleague, lead):
    response = client_for(manager).post(
        reverse("sales:lead-edit", args=[lead.pk]),
        lead_form(owner_id=colleague.pk, version=lead.version),
    )

    # the owner field is not offered to a manager and is ignored
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).owner == manager


def test_head_of_sales_assigns_a_lead(head, colleague, lead):
    response = client_for(head).post(
        reverse("sales:lead-edit", args=[lead.pk]),
        lead_form(owner_id=colleague.pk, version=lead.version),
    )

    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).owner == colleague


def test_delete_needs_the_delete_right(manager, head, lead):
    refused = client_for(manager).post(reverse("sales:lead-delete", args=[lead.pk]))
    assert refused.status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()

    response = client_for(head).post(reverse("sales:lead-delete", args=[lead.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("sales:lead-list")
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_delete_is_post_only(head, lead):
    assert client_for(head).get(reverse("sales:lead-delete", args=[lead.pk])).status_code == 405
    assert Lead.objects.filter(pk=lead.pk).exists()


# --- global search and menu ----------------------------------------------------------------


def test_global_search_finds_visible_leads_only(manager, stranger, lead):
    mine = client_for(manager).get(reverse("core:search"), {"q": "windows for"})
    theirs = client_for(stranger).get(reverse("core:search"), {"q": "windows for"})

    assert f'data-record="lead-{lead.pk}"' in mine.content.decode()
    assert reverse("sales:lead-detail", args=[lead.pk]) in mine.content.decode()
    assert f'data-record="lead-{lead.pk}"' not in theirs.content.decode()


def test_menu_has_leads(manager):
    body = client_for(manager).get(reverse("sales:lead-list")).content.decode()

    assert f'href="{reverse("sales:lead-list")}" aria-current="page"' in body


def test_signed_out_visitor_goes_to_sign_in(db):
    response = Client().get(reverse("sales:lead-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))


def test_owner_filter_offers_active_users_only(db):
    gone = UserFactory(is_active=False, first_name="Gone", last_name="Away")
    head = UserFactory(role=Role.HEAD_OF_SALES)

    body = client_for(head).get(reverse("sales:lead-list")).content.decode()

    owners = body[body.index('id="lead-owner"') : body.index('id="lead-team"')]
    assert f'value="{head.pk}"' in owners
    assert f'value="{gone.pk}"' not in owners
