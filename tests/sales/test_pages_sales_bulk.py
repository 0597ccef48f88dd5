"""The lead and deal lists' bulk assign, CSV export and saved filters."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core import saved_filters
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.errors import ValidationFailed
from kliento.core.models import AuditEvent, RolePermission, SavedFilter, User
from kliento.core.web.bulk import MAX_SELECTED
from kliento.sales import services
from kliento.sales.models import Deal, Lead
from kliento.sales.views import bulk as bulk_views
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    LeadFactory,
    deal_for,
    make_pipeline,
    stage_of,
)

XSS = "<script>alert(1)</script>"
SQL = "'; DROP TABLE sales_lead; --"
LEAD_HEADER = [
    "id",
    "Title",
    "First name",
    "Last name",
    "Company",
    "E-mail",
    "Phone",
    "Status",
    "Source",
    "Channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "Owner",
    "Created",
]
DEAL_HEADER = [
    "id",
    "Title",
    "Company",
    "Contact",
    "Pipeline",
    "Stage",
    "Status",
    "Amount",
    "Currency",
    "Expected close",
    "Owner",
    "Created",
]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(kind: str, name: str) -> str:
    return reverse(f"sales:{kind}-{name}")


def listed(response: Any, kind: str) -> list[int]:
    found = re.findall(rf'data-record="{kind}-(\d+)"', response.content.decode())
    return [int(pk) for pk in found]


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def toasts(client: Client, response: Any) -> str:
    """The page the refused or done action went back to (where its message shows)."""
    assert response.status_code == 302, response.content[:300]
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def make(pipeline) -> Callable[..., Lead | Deal]:
    """A lead or a deal (kind "lead"/"deal") of `owner`, with the given fields."""

    def make_record(kind: str, owner: User, **fields: Any) -> Lead | Deal:
        if kind == "lead":
            return LeadFactory(owner=owner, **fields)
        return deal_for(owner, pipeline, **fields)

    return make_record


def state(record: Lead | Deal) -> tuple[int, int]:
    record.refresh_from_db()
    return record.owner_id, record.version


KINDS = pytest.mark.parametrize("kind", ["lead", "deal"])


# --- bulk assign ---------------------------------------------------------------------------


@KINDS
def test_assign_several_through_the_service(kind, make, head, manager, colleague, stranger):
    a, b = make(kind, manager, title="Oak"), make(kind, colleague, title="Pine")
    back = f"{url(kind, 'list')}?q=o"
    client = client_for(head)

    response = client.post(
        url(kind, "bulk"),
        {"ids": [a.pk, b.pk, a.pk], "action": "assign", "owner_id": stranger.pk, "next": back},
    )

    assert response.status_code == 302 and response["Location"] == back
    assert state(a) == (stranger.pk, 2) and state(b) == (stranger.pk, 2)
    assert a.team_id == b.team_id == stranger.team_id != manager.team_id
    events = AuditEvent.objects.filter(record_type=kind, action="update")
    assert events.count() == 2
    assert "2 records changed." in toasts(client, response)


@KINDS
def test_only_a_role_that_may_assign_sees_and_may_assign(kind, make, manager, colleague, head):
    mine = make(kind, manager)
    data = {"ids": [mine.pk], "action": "assign", "owner_id": colleague.pk}

    page = client_for(manager).get(url(kind, "list")).content.decode()
    # nothing to do with checked rows: no bulk bar and no checkboxes
    assert 'value="assign"' not in page and 'form="bulk-form"' not in page
    assert 'data-select-all="ids"' not in page and f'data-record="{kind}-{mine.pk}"' in page
    assert client_for(manager).post(url(kind, "bulk"), data).status_code == 403
    assert state(mine) == (manager.pk, 1)
    page = client_for(head).get(url(kind, "list")).content.decode()
    assert 'value="assign"' in page and 'id="bulk-owner"' in page


@KINDS
def test_an_invisible_row_is_404_before_the_403_and_changes_nothing(
    kind, make, manager, stranger, head
):
    mine, theirs = make(kind, manager), make(kind, stranger)
    data = {"ids": [mine.pk, theirs.pk], "action": "assign", "owner_id": manager.pk}

    # a manager may not assign at all, but a row he may not see is a 404 first
    assert client_for(manager).post(url(kind, "bulk"), data).status_code == 404
    # an assigning role that sees only its team's rows
    RolePermission.objects.create(
        role=Role.HEAD_OF_SALES, record_type=kind, scope="team", can_edit=True
    )
    assert client_for(head).post(url(kind, "bulk"), data).status_code == 404
    assert state(mine) == (manager.pk, 1) and state(theirs) == (stranger.pk, 1)


@KINDS
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ids": ["abc"]}, "Must be ids."),
        ({"ids": ["1e3"]}, "Must be ids."),
        ({"ids": ["-1"]}, "Must be ids."),
        ({"ids": []}, "Select at least one row."),
        ({"ids": ["ID"] + [str(i) for i in range(10**6, 10**6 + MAX_SELECTED)]}, "At most 500"),
        ({"action": "tag"}, "Unknown action."),
        ({"action": XSS}, "Unknown action."),
        ({"owner_id": "999999999"}, "No such active user."),
        ({"owner_id": "abc"}, "Must be a user id."),
        ({"owner_id": "9" * 40}, "Must be a user id."),
        ({"owner_id": ""}, "A record needs an owner."),
        ({"owner_id": "²"}, "Must be a user id."),
        ({"owner_id": "٣"}, "Must be a user id."),
        ({"ids": ["٣"]}, "Must be ids."),
    ],
)
def test_bad_input_is_a_clear_message_and_changes_nothing(kind, make, head, manager, data, message):
    record = make(kind, manager, title="Oak")
    other = make(kind, manager, title="Pine")
    form = {"ids": [record.pk, other.pk], "action": "assign", "owner_id": head.pk, **data}
    form["ids"] = [record.pk if i == "ID" else i for i in form["ids"]]
    client = client_for(head)

    page = toasts(client, client.post(url(kind, "bulk"), form))

    assert "toast-error" in page and message in page
    assert XSS not in page
    assert state(record) == (manager.pk, 1) and state(other) == (manager.pk, 1)


def test_an_inactive_owner_is_refused(make, head, manager, colleague):
    record = make("lead", manager)
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    client = client_for(head)

    form = {"ids": [record.pk], "action": "assign", "owner_id": colleague.pk}
    page = toasts(client, client.post(url("lead", "bulk"), form))

    assert "No such active user." in page
    assert state(record) == (manager.pk, 1)


def test_a_foreign_next_goes_back_to_the_list(make, head, manager):
    record = make("deal", manager)
    form = {
        "ids": [record.pk],
        "action": "assign",
        "owner_id": head.pk,
        "next": "https://evil.example/",
    }
    response = client_for(head).post(url("deal", "bulk"), form)
    assert response.status_code == 302 and response["Location"] == url("deal", "list")


@KINDS
def test_a_stale_row_refuses_all_with_the_reason(kind, make, head, manager, monkeypatch):
    # given two rows, the second changed by someone else after the bulk action read it
    first, second = make(kind, manager, title="First"), make(kind, manager, title="Second")
    lists = {"lead": "LEADS", "deal": "DEALS"}
    read = getattr(bulk_views, lists[kind])
    update = services.lead_update if kind == "lead" else services.deal_update

    def rows_then_someone_saves(user: User, ids: list[int]) -> list[Any]:
        found = read.rows(user, ids)
        update(
            actor=Actor.of_user(manager),
            version=1,
            data={"title": "Second, renamed"},
            **{f"{kind}_id": second.pk},
        )
        return found

    monkeypatch.setattr(
        bulk_views, lists[kind], dataclasses.replace(read, rows=rows_then_someone_saves)
    )
    client = client_for(head)

    # when they are assigned
    form = {"ids": [first.pk, second.pk], "action": "assign", "owner_id": head.pk}
    page = toasts(client, client.post(url(kind, "bulk"), form))

    # then nothing is assigned, and the message names the row and why
    assert "Second: Someone else changed this record in the meantime; reload it" in page
    assert state(first) == (manager.pk, 1)
    assert state(second) == (manager.pk, 2)
    assert not AuditEvent.objects.filter(record_type=kind, actor_user=head).exists()


def test_bulk_needs_a_post(head):
    assert client_for(head).get(url("lead", "bulk")).status_code == 405


# --- export ----------------------------------------------------------------------------------


def test_export_selected_leads_with_their_columns(head, manager):
    lead = LeadFactory(
        owner=manager,
        title="Windows",
        first_name="Jānis",
        last_name="Ozols",
        company_name="Ozols SIA",
        email="janis@ozols.lv",
        phone="+37120000000",
        status="qualified",
        source="google",
        channel="call",
        utm_source="g",
        utm_medium="cpc",
        utm_campaign="spring",
        utm_term="pvc",
        utm_content="ad-1",
    )
    LeadFactory(owner=manager, title="Not selected")

    rows = read_csv(client_for(head).post(url("lead", "export"), {"ids": [lead.pk]}))

    assert rows[0] == LEAD_HEADER
    assert rows[1] == [
        str(lead.pk),
        "Windows",
        "Jānis",
        "Ozols",
        "Ozols SIA",
        "janis@ozols.lv",
        "'+37120000000",  # a leading + would be a formula
        "Qualified",
        "google",
        "Call",
        "g",
        "cpc",
        "spring",
        "pvc",
        "ad-1",
        manager.username,
        lead.created_at.isoformat(),
    ]
    assert len(rows) == 2


def test_export_selected_deals_names_only_visible_links(pipeline, manager, stranger):
    # given a manager who may export his deals, linked to a company he may not see
    RolePermission.objects.create(
        role=Role.MANAGER, record_type="deal", scope="own", can_edit=True, can_export=True
    )
    hidden = CompanyFactory(owner=stranger, name="Hidden SIA")
    contact = ContactFactory(owner=manager, first_name="Anna", last_name="Kalna")
    deal = deal_for(
        manager,
        pipeline,
        title="Oak windows",
        amount="1200.50",
        company=hidden,
        contact=contact,
        expected_close_date="2031-05-01",
    )

    rows = read_csv(client_for(manager).post(url("deal", "export"), {"ids": [deal.pk]}))

    assert rows[0] == DEAL_HEADER
    assert rows[1] == [
        str(deal.pk),
        "Oak windows",
        "",
        "Anna Kalna",
        "Windows",
        deal.stage.name,
        "Open",
        "1200.50",
        "EUR",
        "2031-05-01",
        manager.username,
        deal.created_at.isoformat(),
    ]
    assert "Hidden SIA" not in str(rows)


@KINDS
def test_export_writes_formulas_as_text_and_hostile_strings_verbatim(kind, make, head):
    titles = ['=HYPERLINK("http://evil.example","x")', "+1", "@SUM(A1:A9)", "-2+3", XSS, SQL]
    records = [make(kind, head, title=t) for t in titles]

    rows = read_csv(client_for(head).get(url(kind, "export")))

    found = {row[1] for row in rows[1:]}
    assert found == {
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'@SUM(A1:A9)",
        "'-2+3",
        XSS,
        SQL,
    }
    assert len(rows) == len(records) + 1


@KINDS
def test_export_needs_the_export_right(kind, make, manager):
    mine = make(kind, manager)
    client = client_for(manager)

    page = client.get(url(kind, "list")).content.decode()
    assert "Export" not in page and url(kind, "export") not in page
    assert client.get(url(kind, "export")).status_code == 403
    assert client.get(url(kind, "export"), {"ids": mine.pk}).status_code == 403
    assert client.post(url(kind, "export"), {"ids": [mine.pk]}).status_code == 403


@KINDS
def test_an_invisible_row_is_404_on_export(kind, make, manager, stranger):
    RolePermission.objects.create(role=Role.MANAGER, record_type=kind, scope="own", can_export=True)
    mine, theirs = make(kind, manager), make(kind, stranger)
    client = client_for(manager)

    assert client.post(url(kind, "export"), {"ids": [mine.pk, theirs.pk]}).status_code == 404
    assert client.get(url(kind, "export"), {"ids": [theirs.pk]}).status_code == 404
    assert client.post(url(kind, "export"), {"ids": [10**9]}).status_code == 404


@KINDS
@pytest.mark.parametrize(
    ("ids", "message"), [([], "Select at least one row."), (["x"], "Must be ids.")]
)
def test_a_bad_selection_goes_back_with_the_message(kind, head, ids, message):
    back = f"{url(kind, 'list')}?q=a"
    client = client_for(head)
    response = client.post(url(kind, "export"), {"ids": ids, "next": back})
    assert response["Location"] == back
    assert message in toasts(client, response)


def test_a_filtered_lead_export_holds_the_filter_s_visible_rows_only(manager, stranger, head):
    RolePermission.objects.create(
        role=Role.MANAGER, record_type="lead", scope="own", can_export=True
    )
    wanted = LeadFactory(owner=manager, status="qualified", channel="call")
    LeadFactory(owner=manager, status="qualified", channel="email")
    LeadFactory(owner=manager, status="new", channel="call")
    LeadFactory(owner=stranger, status="qualified", channel="call")

    rows = read_csv(
        client_for(manager).get(url("lead", "export"), {"status": "qualified", "channel": "call"})
    )

    assert [r[0] for r in rows[1:]] == [str(wanted.pk)]


def test_a_filtered_deal_export_holds_the_filter_s_visible_rows_only(
    pipeline, manager, stranger, won_reason
):
    RolePermission.objects.create(
        role=Role.MANAGER, record_type="deal", scope="own", can_export=True
    )
    other = make_pipeline("Doors")
    wanted = deal_for(manager, pipeline, title="Wanted")
    deal_for(manager, other, title="Other pipeline")
    won = deal_for(manager, pipeline, title="Won")
    Deal.objects.filter(pk=won.pk).update(stage=stage_of(pipeline, "Won"), status="won")
    deal_for(stranger, pipeline, title="Not mine")

    rows = read_csv(
        client_for(manager).get(url("deal", "export"), {"pipeline": pipeline.pk, "status": "open"})
    )

    assert [r[0] for r in rows[1:]] == [str(wanted.pk)]


def test_a_bad_deal_filter_goes_back_to_the_list_with_the_reason(head):
    client = client_for(head)
    response = client.get(url("deal", "export"), {"status": XSS, "pipeline": "abc"})
    assert response["Location"].startswith(url("deal", "list") + "?")
    page = toasts(client, response)
    assert "Must be open, won or lost." in page and XSS not in page


def test_an_export_reads_every_page_of_the_filter(head):
    LeadFactory.create_batch(205, owner=head)
    rows = read_csv(client_for(head).get(url("lead", "export")))
    assert len(rows) == 206 and len({r[0] for r in rows[1:]}) == 205


def test_the_export_link_and_the_bulk_bar_carry_the_current_query(make, head, pipeline):
    make("deal", head)
    client = client_for(head)
    query = {"pipeline": pipeline.pk, "status": "open"}

    page = client.get(url("deal", "list"), query).content.decode()
    swapped = client.get(url("deal", "list"), query, headers={"HX-Request": "true"})

    export = f"{url('deal', 'export')}?pipeline={pipeline.pk}&amp;status=open"
    assert f'href="{export}"' in page
    html = swapped.content.decode()
    assert "<html" not in html
    # the page around the swapped table follows the new query out of band
    assert f'id="deal-export-all" href="{export}" hx-swap-oob="true"' in html
    assert f'id="sf-query-deals" value="pipeline={pipeline.pk}&amp;status=open"' in html
    assert 'id="deal-bulk-next"' in html


def test_going_back_to_a_filtered_deal_list_gets_the_whole_page(head):
    response = client_for(head).get(
        url("deal", "list"),
        {"status": "open"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_the_lead_rows_swap_updates_the_query_but_load_more_does_not(head):
    LeadFactory(owner=head, channel="call")
    client = client_for(head)
    hx = {"HX-Request": "true"}

    swapped = client.get(url("lead", "list"), {"channel": "call"}, headers=hx).content.decode()
    more = client.get(url("lead", "list"), {"cursor": "x"}, headers=hx).content.decode()

    assert 'id="sf-query-leads" value="channel=call" hx-swap-oob="true"' in swapped
    assert f'id="lead-export-all" href="{url("lead", "export")}?channel=call"' in swapped
    assert "sf-query-leads" not in more


def test_a_marketer_exports_leads_but_assigns_nothing(make_user):
    marketer = make_user(Role.MARKETER)
    lead = LeadFactory(owner=marketer)
    client = client_for(marketer)

    page = client.get(url("lead", "list")).content.decode()

    assert "Export selected" in page and 'value="assign"' not in page
    assert f'value="{lead.pk}" form="bulk-form"' in page
    form = {"ids": [lead.pk], "action": "assign", "owner_id": marketer.pk}
    assert client.post(url("lead", "bulk"), form).status_code == 403


# --- saved filters ---------------------------------------------------------------------------


def test_a_saved_deal_filter_keeps_pipeline_and_status(head, pipeline):
    client = client_for(head)
    page = client.get(url("deal", "list"), {"pipeline": pipeline.pk, "status": "won"})
    assert 'id="saved-filters-deals"' in page.content.decode()

    response = client.post(
        reverse("core:saved-filter-create"),
        {
            "list_name": "deals",
            "name": "Won windows",
            "query": f"status=won&pipeline={pipeline.pk}&cursor=abc&q=",
            "next": url("deal", "list"),
        },
    )

    saved = SavedFilter.objects.get(user=head, list_name="deals")
    assert saved.query == f"pipeline={pipeline.pk}&status=won"
    assert response["Location"] == f"{url('deal', 'list')}?{saved.query}"
    html = client.get(url("deal", "list")).content.decode()
    assert f'href="{url("deal", "list")}?pipeline={pipeline.pk}&amp;status=won">Won windows' in html


def test_the_lists_register_their_own_parameters(head):
    saved = saved_filters.saved_filter_create(
        user=head, list_name="leads", name="Calls", query="channel=call&status=new"
    )
    assert saved.query == "channel=call&status=new"
    with pytest.raises(ValidationFailed):  # a lead list parameter, not a deal list one
        saved_filters.saved_filter_create(
            user=head, list_name="deals", name="Calls", query="channel=call"
        )
    page = client_for(head).get(url("lead", "list")).content.decode()
    assert (
        'id="saved-filters-leads"' in page and f'href="{url("lead", "list")}?channel=call' in page
    )


# --- pinned query counts -------------------------------------------------------------------


def test_lead_list_query_count_holds_at_3_and_30_rows(head, manager, django_assert_num_queries):
    client = client_for(head)
    client.get(url("lead", "list"))  # the session is warm
    for count in (3, 30):
        for _ in range(count - Lead.objects.count()):
            LeadFactory(owner=manager)
        # session, user, rights, custom fields, the page, users, teams, unread, saved filters
        with django_assert_num_queries(8):
            response = client.get(url("lead", "list"))
        assert len(listed(response, "lead")) == count


def test_deal_list_query_count_holds_at_3_and_30_rows(
    admin, manager, pipeline, django_assert_num_queries
):
    client = client_for(admin)
    client.get(url("deal", "list"))
    for count in (3, 30):
        for _ in range(count - Deal.objects.count()):
            deal_for(manager, pipeline, company=CompanyFactory(owner=manager))
        # session, user, rights, the page, companies, owners, pipelines and their stages,
        # users (owner filter and new owners), teams, saved filters
        with django_assert_num_queries(11):
            response = client.get(url("deal", "list"))
        assert len(listed(response, "deal")) == count
