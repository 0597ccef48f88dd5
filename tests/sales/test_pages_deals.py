"""Deal pages: the card, the create and edit forms, delete, the list and the global search."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.choices import Role
from kliento.core.models import FieldType
from kliento.core.web.search import search
from kliento.sales.models import Deal, DealParticipant
from kliento.sales.services import deal_move
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    deal_for,
    make_pipeline,
    stage_of,
)

D = decimal.Decimal
HOSTILE = "<script>alert(1)</script>"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(pipeline, **changes):
    data = {
        "title": "Oak windows",
        "pipeline_id": pipeline.pk,
        "amount": "1200.50",
        "currency": "EUR",
        "expected_close_date": "2031-05-01",
    }
    data.update(changes)
    return data


# --- the card ---------------------------------------------------------------------------


def test_detail_shows_the_deal_its_stages_history_and_links(admin, manager, pipeline, lost_reason):
    # given a deal with a company, contact, participant and custom field, lost after a move
    from kliento.core.actors import Actor

    CustomFieldFactory(record_type="deal", key="floor", label="Floor", field_type=FieldType.TEXT)
    company = CompanyFactory(owner=admin, name="Zeta Glass")
    contact = ContactFactory(owner=admin, first_name="Anna", last_name="Kalna")
    deal = deal_for(
        admin,
        pipeline,
        title="Oak windows",
        amount=D("1200.50"),
        company=company,
        contact=contact,
        custom={"floor": "3rd"},
    )
    DealParticipant.objects.create(deal=deal, user=manager, role="measurer")
    actor = Actor.of_user(admin)
    deal_move(
        actor=actor, deal_id=deal.pk, stage_id=stage_of(pipeline, "Measurement").pk, version=1
    )
    deal_move(
        actor=actor,
        deal_id=deal.pk,
        stage_id=stage_of(pipeline, "Lost").pk,
        version=2,
        lost_reason_id=lost_reason.pk,
        reason_text="Chose plastic",
    )

    # when the card is opened
    response = _client(admin).get(reverse("sales:deal-detail", args=[deal.pk]))

    # then everything about the deal is on it
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Oak windows",
        "1,200.50 EUR",
        "Zeta Glass",
        "Anna Kalna",
        "measurer",
        "Floor",
        "3rd",
        "Too expensive",
        "Chose plastic",
        'class="stage-bar"',
        'aria-current="step"',
        'id="quick-deal-',
        'id="timeline-deal-',
    ):
        assert text in html, text
    assert reverse("customers:company-detail", args=[company.pk]) in html
    assert reverse("customers:contact-detail", args=[contact.pk]) in html
    history = html[html.index('class="history"') :]
    assert history.index("Measurement") < history.index("Lost")
    assert "First call" in html[html.index('class="stage-bar"') : html.index('class="history"')]


def test_detail_does_not_name_a_company_the_user_may_not_see(manager, stranger, pipeline):
    hidden = CompanyFactory(owner=stranger, name="Hidden Glass")
    deal = deal_for(manager, pipeline, company=hidden)

    html = _client(manager).get(reverse("sales:deal-detail", args=[deal.pk])).content.decode()

    assert "Hidden Glass" not in html
    assert f"#{hidden.pk}" in html


def test_detail_of_a_deal_one_may_not_see_is_404(manager, stranger, pipeline):
    deal = deal_for(stranger, pipeline)

    assert _client(manager).get(reverse("sales:deal-detail", args=[deal.pk])).status_code == 404


def test_detail_shows_hostile_text_inert(admin, pipeline):
    deal = deal_for(admin, pipeline, title=HOSTILE)

    html = _client(admin).get(reverse("sales:deal-detail", args=[deal.pk])).content.decode()

    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- create -------------------------------------------------------------------------------


def test_create_form_is_prefilled_from_the_company(admin, pipeline):
    company = CompanyFactory(owner=admin, name="Zeta Glass")

    response = _client(admin).get(reverse("sales:deal-create"), {"company": company.pk})

    html = response.content.decode()
    assert response.status_code == 200
    # the company's picker holds its id (posted) and shows its name (searched)
    assert f'name="company_id" value="{company.pk}" data-picker-id' in html
    assert 'role="combobox"' in html and 'value="Zeta Glass"' in html


def test_create_makes_the_deal_at_the_first_stage(manager, pipeline):
    response = _client(manager).post(reverse("sales:deal-create"), _form(pipeline))

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal-detail", args=[deal.pk])
    assert deal.title == "Oak windows" and deal.amount == D("1200.50")
    assert deal.owner == manager and deal.stage == stage_of(pipeline, "First call")
    assert deal.expected_close_date == dt.date(2031, 5, 1)


def test_create_with_a_custom_field_of_each_type(admin, pipeline):
    for key, kind, choices in (
        ("size", FieldType.CHOICE, ["small", "large"]),
        ("extras", FieldType.MULTI_CHOICE, ["net", "sill"]),
        ("floors", FieldType.NUMBER, []),
        ("paid", FieldType.YES_NO, []),
        ("visit", FieldType.DATE, []),
    ):
        CustomFieldFactory(record_type="deal", key=key, field_type=kind, choices=choices)
    form = _form(
        pipeline,
        **{
            "custom.size": "large",
            "custom.extras": ["net", "sill"],
            "custom.floors": "3",
            "custom.paid": "yes",
            "custom.visit": "2031-01-02",
        },
    )

    response = _client(admin).post(reverse("sales:deal-create"), form)

    assert response.status_code == 302
    assert Deal.objects.get().custom == {
        "size": "large",
        "extras": ["net", "sill"],
        "floors": 3,
        "paid": True,
        "visit": "2031-01-02",
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "At most 200 characters."),
        ({"amount": "-5"}, "amount", "Must not be negative."),
        ({"amount": '=HYPERLINK("http://evil")'}, "amount", "Must be an amount"),
        ({"currency": "'; DROP TABLE sales_deal; --"}, "currency", ""),
        ({"expected_close_date": "31.12.2030"}, "expected_close_date", "YYYY-MM-DD"),
        ({"company_id": HOSTILE}, "company_id", "Must be a positive whole number."),
        ({"pipeline_id": "abc"}, "pipeline_id", ""),
    ],
)
def test_create_with_bad_input_shows_field_errors_and_creates_nothing(
    manager, pipeline, changes, field, message
):
    response = _client(manager).post(reverse("sales:deal-create"), _form(pipeline, **changes))

    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="err-{field}"' in html
    assert message in html
    assert HOSTILE not in html
    assert Deal.objects.count() == 0


def test_create_keeps_the_input_after_an_error(manager, pipeline):
    response = _client(manager).post(
        reverse("sales:deal-create"), _form(pipeline, title=HOSTILE, amount="abc")
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'value="abc"' in html


def test_a_company_one_may_not_see_cannot_be_linked(manager, stranger, pipeline):
    hidden = CompanyFactory(owner=stranger)

    response = _client(manager).post(
        reverse("sales:deal-create"), _form(pipeline, company_id=hidden.pk)
    )

    assert response.status_code == 422
    assert "No such record, or you may not see it." in response.content.decode()
    assert Deal.objects.count() == 0


def test_a_role_that_may_not_create_deals_gets_403(make_user, pipeline):
    marketer = make_user(Role.MARKETER)
    client = _client(marketer)

    assert client.get(reverse("sales:deal-create")).status_code == 403
    assert client.post(reverse("sales:deal-create"), _form(pipeline)).status_code == 403
    assert Deal.objects.count() == 0


# --- edit -----------------------------------------------------------------------------------


def test_edit_changes_the_deal(manager, pipeline):
    deal = deal_for(manager, pipeline, title="Old")
    client = _client(manager)
    form = client.get(reverse("sales:deal-edit", args=[deal.pk]))

    response = client.post(
        reverse("sales:deal-edit", args=[deal.pk]),
        {"title": "New", "amount": "10", "currency": "USD", "version": deal.version},
    )

    assert form.status_code == 200 and 'name="version" value="1"' in form.content.decode()
    assert response.status_code == 302
    fresh = Deal.objects.get(pk=deal.pk)
    assert (fresh.title, fresh.amount, fresh.currency, fresh.version) == ("New", D("10"), "USD", 2)


def test_a_stale_edit_is_a_409_that_keeps_the_input(manager, pipeline):
    # given a deal someone else saved after the form was opened
    deal = deal_for(manager, pipeline, title="Old")
    Deal.objects.filter(pk=deal.pk).update(version=2, title="Theirs")

    # when the form is saved with the version it was opened at
    response = _client(manager).post(
        reverse("sales:deal-edit", args=[deal.pk]),
        {"title": "Mine", "amount": "5", "currency": "EUR", "version": 1},
    )

    # then the conflict is explained, the input kept and nothing overwritten
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this deal after you opened it." in html
    assert 'value="Mine"' in html
    assert Deal.objects.get(pk=deal.pk).title == "Theirs"


def test_edit_with_bad_input_is_a_422_and_changes_nothing(manager, pipeline):
    deal = deal_for(manager, pipeline, title="Old")

    response = _client(manager).post(
        reverse("sales:deal-edit", args=[deal.pk]),
        {"title": "New", "amount": "1e999", "version": "1; DROP TABLE sales_deal"},
    )

    assert response.status_code == 422
    fresh = Deal.objects.get(pk=deal.pk)
    assert fresh.title == "Old" and fresh.version == 1


def test_a_manager_cannot_give_a_deal_away(manager, colleague, pipeline):
    deal = deal_for(manager, pipeline)

    response = _client(manager).post(
        reverse("sales:deal-edit", args=[deal.pk]),
        {"title": "Mine", "owner_id": colleague.pk, "version": 1},
    )

    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).owner == manager


def test_the_head_of_sales_assigns_an_owner(head, manager, colleague, pipeline):
    deal = deal_for(manager, pipeline)

    response = _client(head).post(
        reverse("sales:deal-edit", args=[deal.pk]),
        {"title": "Theirs", "owner_id": colleague.pk, "version": 1},
    )

    assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).owner == colleague


# --- delete -----------------------------------------------------------------------------------


def test_delete_with_the_right(admin, pipeline):
    deal = deal_for(admin, pipeline)

    response = _client(admin).post(reverse("sales:deal-delete", args=[deal.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("sales:deal-list")
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_delete_without_the_right_is_403_and_keeps_the_deal(manager, pipeline):
    deal = deal_for(manager, pipeline)
    client = _client(manager)

    detail = client.get(reverse("sales:deal-detail", args=[deal.pk])).content.decode()
    response = client.post(reverse("sales:deal-delete", args=[deal.pk]))

    assert reverse("sales:deal-delete", args=[deal.pk]) not in detail
    assert response.status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_delete_is_post_only(admin, pipeline):
    deal = deal_for(admin, pipeline)

    assert _client(admin).get(reverse("sales:deal-delete", args=[deal.pk])).status_code == 405
    assert Deal.objects.filter(pk=deal.pk).exists()


# --- the list ----------------------------------------------------------------------------------


def _listed(html: str, deals) -> list[int]:
    return [d.pk for d in deals if f'data-record="deal-{d.pk}"' in html]


def test_list_filters_by_stage_status_and_title_prefix(admin, pipeline, won_reason):
    measurement = stage_of(pipeline, "Measurement")
    oak = deal_for(admin, pipeline, title="Oak windows")
    pine = deal_for(admin, pipeline, title="Pine doors", stage=measurement)
    won = deal_for(admin, pipeline, title="Oak doors", stage=stage_of(pipeline, "Won"))
    everything = [oak, pine, won]
    client = _client(admin)
    url = reverse("sales:deal-list")

    assert _listed(client.get(url).content.decode(), everything) == [oak.pk, pine.pk, won.pk]
    assert _listed(client.get(url, {"stage": measurement.pk}).content.decode(), everything) == [
        pine.pk
    ]
    assert _listed(client.get(url, {"status": "won"}).content.decode(), everything) == [won.pk]
    assert _listed(client.get(url, {"q": "oak"}).content.decode(), everything) == [oak.pk, won.pk]
    assert reverse("sales:board") in client.get(url).content.decode()


def test_list_filters_by_pipeline_owner_and_team(head, manager, stranger, pipeline):
    doors = make_pipeline("Doors")
    mine = deal_for(manager, pipeline)
    theirs = deal_for(stranger, doors)
    everything = [mine, theirs]
    client = _client(head)
    url = reverse("sales:deal-list")

    assert _listed(client.get(url, {"pipeline": doors.pk}).content.decode(), everything) == [
        theirs.pk
    ]
    assert _listed(client.get(url, {"owner": manager.pk}).content.decode(), everything) == [mine.pk]
    assert _listed(client.get(url, {"team": stranger.team_id}).content.decode(), everything) == [
        theirs.pk
    ]


def test_list_sorts_by_amount(admin, pipeline):
    small = deal_for(admin, pipeline, amount=D("5"))
    big = deal_for(admin, pipeline, amount=D("500"))
    client = _client(admin)

    up = client.get(reverse("sales:deal-list"), {"ordering": "amount"}).content.decode()
    down = client.get(reverse("sales:deal-list"), {"ordering": "-amount"}).content.decode()

    assert up.index(f"deal-{small.pk}") < up.index(f"deal-{big.pk}")
    assert down.index(f"deal-{big.pk}") < down.index(f"deal-{small.pk}")


def test_list_pages_with_a_cursor(admin, pipeline):
    deals = [deal_for(admin, pipeline) for _ in range(55)]
    client = _client(admin)
    url = reverse("sales:deal-list")

    first = client.get(url).content.decode()
    cursor = first[first.index("cursor=") + 7 :]
    cursor = cursor[: cursor.index('"')]
    second = client.get(url, {"cursor": cursor}, headers={"HX-Request": "true"}).content.decode()

    assert len(_listed(first, deals)) == 50
    assert len(_listed(second, deals)) == 5
    assert not set(_listed(first, deals)) & set(_listed(second, deals))
    assert "<html" not in second


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"ordering": "'; DROP TABLE sales_deal; --"}, 422),  # refused as in the API
        ({"cursor": '=HYPERLINK("http://evil")'}, 422),
        ({"owner": HOSTILE}, 400),  # the page cannot read it
        ({"status": HOSTILE}, 400),
    ],
)
def test_list_with_bad_parameters_says_so(admin, pipeline, params, status):
    deal = deal_for(admin, pipeline)

    response = _client(admin).get(reverse("sales:deal-list"), params)

    assert response.status_code == status
    html = response.content.decode()
    assert 'class="alert alert-error"' in html
    assert HOSTILE not in html
    assert f'data-record="deal-{deal.pk}"' in html  # the unfiltered list instead


def test_search_as_you_type_replaces_the_table(admin, pipeline):
    oak = deal_for(admin, pipeline, title="Oak windows")
    pine = deal_for(admin, pipeline, title="Pine doors")

    response = _client(admin).get(
        reverse("sales:deal-list"), {"q": "pi", "ordering": "title"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<thead>" in html
    assert _listed(html, [oak, pine]) == [pine.pk]
    assert "q=pi" in html  # the sort links keep the search


def test_list_search_with_hostile_text_is_inert(admin, pipeline):
    response = _client(admin).get(reverse("sales:deal-list"), {"q": HOSTILE})

    assert response.status_code == 200
    assert HOSTILE not in response.content.decode()


# --- the global search ----------------------------------------------------------------------


def test_global_search_finds_visible_deals_by_title(manager, stranger, pipeline):
    mine = deal_for(manager, pipeline, title="Zinc roof")
    deal_for(stranger, pipeline, title="Zinc gutter")

    found = {f.record_type: hits for f, hits in search(manager, "zin")}

    assert [h.record for h in found["deal"]] == [f"deal-{mine.pk}"]
    assert found["deal"][0].url == reverse("sales:deal-detail", args=[mine.pk])
    assert "First call" in found["deal"][0].subtitle


def test_the_menu_has_the_board_and_deals(manager):
    html = _client(manager).get(reverse("sales:deal-list")).content.decode()

    assert f'href="{reverse("sales:board")}"' in html
    assert f'href="{reverse("sales:deal-list")}" aria-current="page"' in html


# --- pinned query counts -----------------------------------------------------------------------


def test_deal_list_query_count(admin, pipeline, django_assert_num_queries):
    # given 30 deals, each with a company and a contact
    for _ in range(30):
        deal_for(admin, pipeline, company=CompanyFactory(owner=admin))
    client = _client(admin)

    # session, user, rights, the page (stage joined), companies, owners, pipelines and
    # their stages (filters), the owner and team filters, saved filters
    with django_assert_num_queries(11):
        response = client.get(reverse("sales:deal-list"))

    assert response.status_code == 200
    assert response.content.decode().count('data-record="deal-') == 30


def test_deal_detail_query_count(admin, manager, pipeline, django_assert_num_queries):
    CustomFieldFactory(record_type="deal", key="floor", label="Floor")
    deal = deal_for(
        admin,
        pipeline,
        company=CompanyFactory(owner=admin),
        contact=ContactFactory(owner=admin),
        custom={"floor": "3"},
    )
    for i in range(5):
        DealParticipant.objects.create(deal=deal, user=manager, role=f"part {i}")
    client = _client(admin)

    # session, user, rights, the deal (stage and pipeline joined), its participants, the
    # pipeline and its stages (the stage bar), the stage history (the deal again, the
    # moves), company, contact, owner, custom field definitions
    with django_assert_num_queries(13):
        response = client.get(reverse("sales:deal-detail", args=[deal.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("part ") == 5
