"""The activity list's subject search, sortable columns, saved filters, bulk actions (assign,
mark done) and CSV export, and the subject key that serves the search at scale."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kliento.activities import selectors, services
from kliento.activities.models import Activity
from kliento.core import column_sorts
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.errors import ValidationFailed
from kliento.core.models import AuditEvent, RolePermission, SavedFilter
from kliento.core.pagination import encode_cursor
from kliento.core.text import search_key
from kliento.core.visibility import forget_rights
from kliento.customers.models import Contact
from tests.activities.conftest import T0
from tests.factories import ActivityFactory, ContactFactory, DealFactory
from tests.plans import page_plans

pytestmark = pytest.mark.django_db

LIST = reverse("activities:activity-list")
BULK = reverse("activities:activity-bulk")
EXPORT = reverse("activities:activity-export")
XSS = "<script>alert(1)</script>"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(user, subject="Call", at=T0, kind="call", **data) -> Activity:
    return services.activity_create(
        actor=Actor.of_user(user), data={"kind": kind, "subject": subject, "due_at": at, **data}
    )


def listed(response) -> list[int]:
    html = response.content.decode()
    return [int(pk) for pk in re.findall(r'data-record="activity-(\d+)"', html)]


def grant(role: str, **rights) -> None:
    """Give a role other rights on activities than the defaults."""
    defaults = {"scope": "own", "can_create": True, "can_edit": True, **rights}
    RolePermission.objects.update_or_create(role=role, record_type="activity", defaults=defaults)


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def toast_after(client: Client, response) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


# --- the subject key -------------------------------------------------------------------------


def test_the_key_follows_the_subject_on_every_save(manager):
    activity = act(manager, subject="  Звонок   КЛИЕНТУ ")
    assert activity.subject_key == "звонок клиенту"

    services.activity_update(
        actor=Actor.of_user(manager),
        activity_id=activity.pk,
        version=1,
        data={"subject": "Straße"},
    )
    activity.refresh_from_db()
    assert activity.subject_key == "strasse"

    activity.subject = "Ⅻ ﬁnal"  # NFKC: "XII final"
    activity.save(update_fields=["subject"])
    assert Activity.objects.get(pk=activity.pk).subject_key == "xii final"


def test_the_migration_fills_the_keys_of_existing_rows(manager):
    rows = [act(manager, subject="Zvans ĀBOLAM"), act(manager, subject="Звонок")]
    Activity.objects.update(subject_key="")  # as the column is when it is added
    migration = importlib.import_module("kliento.activities.migrations.0004_subject_key")

    # (what the fill uses of a schema editor: SQLite's cannot open inside a test's transaction)
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration._fill_keys(None, editor)

    keys = dict(Activity.objects.values_list("pk", "subject_key"))
    assert keys == {rows[0].pk: "zvans ābolam", rows[1].pk: "звонок"}


def test_the_key_is_compared_byte_wise_on_both_databases(manager):
    # Byte order puts "ä" (0xC3 0xA4) after "z"; a language's collation would put it
    # next to "a", and the range scan of the prefix search would then miss rows.
    act(manager, subject="Zvans")
    act(manager, subject="Äbols")

    keys = list(Activity.objects.order_by("subject_key").values_list("subject_key", flat=True))

    assert keys == ["zvans", "äbols"]
    if connection.vendor == "postgresql":  # by the column's own collation, not the query's
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'activities_activity' AND column_name = 'subject_key'"
            )
            assert cursor.fetchone()[0] == "C"


# --- search -----------------------------------------------------------------------------------


def test_search_finds_a_subject_by_its_start_in_any_case(manager):
    call = act(manager, subject="Звонок клиенту о заказе")
    meeting = act(manager, subject="Meeting with Acme", at=T0 + dt.timedelta(hours=1))
    act(manager, subject="Call back", at=T0 + dt.timedelta(hours=2))
    client = client_for(manager)

    for q in ("звон", "ЗВОНОК", "Звонок КЛ", "  звонок   клиенту  "):
        assert listed(client.get(LIST, {"q": q})) == [call.pk], q
    assert listed(client.get(LIST, {"q": "meet"})) == [meeting.pk]
    assert listed(client.get(LIST, {"q": "MEETING WITH a"})) == [meeting.pk]
    assert listed(client.get(LIST, {"q": "acme"})) == []  # a prefix, not a word inside


def test_search_as_you_type_returns_rows_and_the_saved_filter_query(manager):
    found = act(manager, subject="Send the offer")
    act(manager, subject="Call about windows")

    response = client_for(manager).get(
        LIST, {"q": "send", "kind": "call"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<tbody" not in html
    assert listed(response) == [found.pk]
    # and what the search changes outside the rows comes out of band: the saved filter's
    # query, the headers (a search is sorted by subject) and where a bulk action goes back
    assert re.search(r'id="sf-query-activities" value="q=send&amp;kind=call" hx-swap-oob', html)
    assert '<tr id="activity-head" hx-swap-oob="true">' in html
    subject_header = 'aria-sort="ascending"><a href="?q=send&amp;kind=call&amp;ordering=-subject">'
    assert subject_header in html
    assert 'id="bulk-next" value="/activities/?q=send&amp;kind=call" hx-swap-oob="true"' in html


def test_a_search_without_bulk_rights_swaps_no_bulk_form(make_user, manager):
    act(manager, subject="Send the offer")
    reader = make_user(Role.READ_ONLY)

    html = client_for(reader).get(LIST, {"q": "send"}, headers={"HX-Request": "true"})
    html = html.content.decode()

    assert 'id="activity-head"' in html and 'id="bulk-next"' not in html


def test_the_whole_page_offers_the_search_and_keeps_what_was_typed(manager):
    act(manager, subject="Send the offer")
    html = client_for(manager).get(LIST, {"q": "send"}).content.decode()

    assert 'name="q" value="send"' in html and 'hx-target="#activity-rows"' in html
    assert 'hx-include="#activity-filters"' in html


def test_search_sees_only_what_the_user_may_see(manager, stranger, head):
    mine = act(manager, subject="Zed call")
    theirs = act(stranger, subject="Zed call too")

    assert listed(client_for(manager).get(LIST, {"q": "zed"})) == [mine.pk]
    assert listed(client_for(head).get(LIST, {"q": "zed"})) == [mine.pk, theirs.pk]


def test_search_keeps_to_the_filters(manager):
    call = act(manager, subject="Offer call", kind="call")
    act(manager, subject="Offer meeting", kind="task")

    assert listed(client_for(manager).get(LIST, {"q": "offer", "kind": "call"})) == [call.pk]


@pytest.mark.parametrize(
    "q",
    [
        XSS,
        "'; DROP TABLE activities_activity; --",
        "%",
        "_",
        "\\",
        '=HYPERLINK("http://x")',
        "\U0010ffff",
        "😀",
        "\u200ftxt",
    ],
)
def test_hostile_search_strings_are_inert(manager, q):
    act(manager, subject="Call about windows")
    hostile = act(manager, subject=q + " tail")

    response = client_for(manager).get(LIST, {"q": q})

    assert response.status_code == 200
    assert listed(response) == [hostile.pk]  # only the literal prefix matches
    assert XSS not in response.content.decode()
    assert Activity.objects.count() == 2


def test_an_over_long_search_is_refused(manager):
    act(manager, subject="x" * 250)

    response = client_for(manager).get(LIST, {"q": "x" * 201})

    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="alert alert-error"' in html and "At most 200 characters." in html
    assert listed(response) == []


def test_the_selector_refuses_nul_in_a_search(manager):
    # (pages never get this far: the NUL middleware answers 400 first)
    with pytest.raises(ValidationFailed, match="NUL"):
        selectors.activity_list(
            manager, filters={}, params={}, ordering="subject", cursor=None, limit=5, q="a\x00"
        )


def test_a_forged_cursor_with_nul_is_refused_not_a_server_error(manager):
    act(manager)
    forged = encode_cursor(["call\x00", "1"])

    response = client_for(manager).get(LIST, {"ordering": "subject", "cursor": forged})

    assert response.status_code == 422
    assert "The cursor is not valid for this list." in response.content.decode()


def test_a_search_is_sorted_by_subject_whatever_the_sort(manager):
    b = act(manager, subject="Call B", at=T0)
    a = act(manager, subject="call a", at=T0 + dt.timedelta(days=1))
    client = client_for(manager)

    assert listed(client.get(LIST, {"q": "call", "ordering": "-when"})) == [a.pk, b.pk]
    reverse_order = client.get(LIST, {"q": "call", "ordering": "-subject"})
    assert listed(reverse_order) == [b.pk, a.pk]
    assert 'aria-sort="descending"' in reverse_order.content.decode()


def test_the_selector_refuses_a_search_in_another_order(manager):
    with pytest.raises(ValidationFailed):
        selectors.activity_list(
            manager, filters={}, params={}, ordering="-when", cursor=None, limit=5, q="call"
        )


# --- sorting ----------------------------------------------------------------------------------

ORDERINGS = ["when", "-when", "created_at", "-created_at", "subject", "-subject"]
SORT_KEY = {"when": "when", "created_at": "created_at", "subject": "subject_key"}


def _walk(user, ordering, limit, q=None) -> list[int]:
    seen, cursor = [], None
    while True:
        page = selectors.activity_list(
            user, filters={}, params={}, ordering=ordering, cursor=cursor, limit=limit, q=q
        )
        seen += [a.pk for a in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def _expected(rows, ordering) -> list[int]:
    column = SORT_KEY[ordering.lstrip("-")]
    ordered = sorted(rows, key=lambda a: (getattr(a, column), a.pk))
    return [a.pk for a in (ordered[::-1] if ordering.startswith("-") else ordered)]


def _sortable_rows(owner):
    """Rows with equal subject keys and equal times, so the id has to break ties."""
    subjects = ["Zvans", "call", "Call", "Ábols", "звонок", "Call", "10 calls"]
    rows = [
        act(owner, subject=s, at=T0 if i % 2 else T0 + dt.timedelta(hours=i))
        for i, s in enumerate(subjects)
    ]
    return [Activity.objects.get(pk=a.pk) for a in rows]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_every_sort_pages_through_every_row_once_in_order(manager, stranger, head, ordering):
    # given rows with equal times and equal subjects (the id breaks ties), two owners
    rows = _sortable_rows(manager) + _sortable_rows(stranger)
    mine = [a for a in rows if a.owner_id == manager.pk]

    # then every page size walks them in order: the head all, the manager their own
    for limit in (1, 2, 3, 50):
        assert _walk(head, ordering, limit) == _expected(rows, ordering), limit
        assert _walk(manager, ordering, limit) == _expected(mine, ordering), limit


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_team_scope_merges_the_team_and_ones_own_rows_elsewhere(
    make_user, stranger, other_team, ordering
):
    grant(Role.MANAGER, scope="team")
    manager, colleague = make_user(Role.MANAGER), make_user(Role.MANAGER)
    rows = _sortable_rows(colleague) + _sortable_rows(manager)
    elsewhere = rows[-3:]  # one's own, left in another team
    Activity.objects.filter(pk__in=[a.pk for a in elsewhere]).update(team=other_team)
    _sortable_rows(stranger)

    for limit in (1, 2, 5):
        assert _walk(manager, ordering, limit) == _expected(rows, ordering), limit


@pytest.mark.parametrize("ordering", ["subject", "-subject"])
def test_a_search_pages_in_subject_order(manager, ordering):
    rows = [a for a in _sortable_rows(manager) if a.subject_key.startswith("call")]

    for limit in (1, 2):
        assert _walk(manager, ordering, limit, q="CALL") == _expected(rows, ordering)


@pytest.mark.parametrize(("ordering", "sort"), [("when", "ascending"), ("-when", "descending")])
def test_column_headers_sort_both_ways_and_say_so(manager, ordering, sort):
    rows = _sortable_rows(manager)
    response = client_for(manager).get(LIST, {"ordering": ordering})

    html = response.content.decode()
    assert listed(response) == _expected(rows, ordering)
    assert f'aria-sort="{sort}"' in html
    assert html.count("aria-sort=") == 1


@pytest.mark.parametrize("column", ["when", "created_at", "subject"])
def test_each_header_links_to_its_sort_and_back(manager, column):
    act(manager)
    client = client_for(manager)
    first = client.get(LIST, {"ordering": column}).content.decode()
    second = client.get(LIST, {"ordering": f"-{column}"}).content.decode()

    # the sorted column's header reverses the sort; a reversed one sorts ascending again
    assert f'href="?ordering=-{column}"' in first and f'href="?ordering={column}"' in second
    assert 'aria-sort="ascending"' in first and 'aria-sort="descending"' in second


def test_load_more_continues_a_subject_sort_without_gaps(manager):
    rows = [
        ActivityFactory(owner=manager, subject=f"Call {i:03d}", when=T0 + dt.timedelta(minutes=i))
        for i in range(55)
    ]
    client = client_for(manager)

    first = client.get(LIST, {"ordering": "-subject"})
    cursor = re.search(r'cursor=([^"&]+)', first.content.decode()).group(1)
    more = client.get(LIST, {"ordering": "-subject", "cursor": cursor}, headers={"HX-Request": "1"})

    assert listed(first) + listed(more) == [a.pk for a in reversed(rows)]
    assert "Load more" not in more.content.decode()


# --- the plans: every sort is an index range in order ----------------------------------------


def _scans(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return "Seq Scan" in plan
    return any(line.startswith("SCAN") for line in plan.splitlines())


def _sorts_or_scans(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return ("Sort" in plan and "Incremental" not in plan) or _scans(plan)
    return any("TEMP B-TREE" in line for line in plan.splitlines()) or _scans(plan)


INDEXES = {  # (scope, sort column) -> the index that serves it
    ("all", "when"): "activity_when",
    ("all", "created_at"): "activity_created",
    ("all", "subject"): "activity_subject_key",
    ("own", "when"): "activity_owner_time",
    ("own", "created_at"): "activity_owner_created",
    ("own", "subject"): "activity_owner_subject",
    ("team", "when"): "activity_team_when",
    ("team", "created_at"): "activity_team_created",
    ("team", "subject"): "activity_team_subject",
}


# a search is always sorted by subject, so it goes with the subject sorts only
SORTS_AND_SEARCHES = [(o, None) for o in ORDERINGS] + [
    (o, "call") for o in ORDERINGS if "subject" in o
]


@pytest.mark.parametrize(("ordering", "q"), SORTS_AND_SEARCHES)
@pytest.mark.parametrize("scope", ["all", "own", "team"])
def test_every_sort_reads_its_index_in_order_from_the_cursor(make_user, scope, ordering, q):
    if scope == "team":
        grant(Role.MANAGER, scope="team")
    user = make_user(Role.ADMIN if scope == "all" else Role.MANAGER)
    forget_rights(user)
    for i in range(3):
        act(user, subject=f"Call {i}", at=T0 + dt.timedelta(hours=i))
    first = selectors.activity_list(
        user, filters={}, params={}, ordering=ordering, cursor=None, limit=1, q=q
    )

    plans = page_plans(
        lambda: selectors.activity_list(
            user, filters={}, params={}, ordering=ordering, cursor=first.next_cursor, limit=1, q=q
        ),
        "activities_activity",
    )

    # the first part (all rows, one's own, the team's) is one index range, in order
    assert plans, "no list query"
    index = INDEXES[(scope, ordering.lstrip("-"))]
    assert index in plans[0], plans[0]
    assert not _sorts_or_scans(plans[0]), plans[0]
    # a team scope's "own rows in another team" (nearly always none): seeks, never a scan
    for plan in plans[1:]:
        assert not _scans(plan), plan


# --- saved filters ------------------------------------------------------------------------------


def test_the_list_offers_its_saved_filters_with_the_activity_parameters(manager):
    SavedFilter.objects.create(
        user=manager, list_name="activities", name="Open calls", query="kind=call&done=no"
    )
    client = client_for(manager)

    html = client.get(LIST, {"kind": "call"}).content.decode()
    saved = client.post(
        reverse("core:saved-filter-create"),
        {
            "list_name": "activities",
            "name": "This week",
            "query": "q=call&kind=call&done=no&outcome=successful&when_after=2026-03-02"
            "&when_before=2026-03-08&ordering=subject&owner=1&cursor=abc",
        },
    )

    assert 'id="saved-filters-activities"' in html and "Open calls" in html
    assert f'href="{LIST}?kind=call&amp;done=no"' in html
    assert saved.status_code == 302
    stored = SavedFilter.objects.get(name="This week").query
    assert "cursor" not in stored
    assert all(p in stored for p in ("kind=call", "done=no", "outcome=", "when_after", "q=call"))


# --- bulk actions -------------------------------------------------------------------------------


def test_bulk_done_goes_through_the_done_service(manager):
    a, b = act(manager, subject="One"), act(manager, subject="Two")
    client = client_for(manager)

    response = client.post(
        BULK, {"ids": [a.pk, b.pk], "action": "done", "next": f"{LIST}?kind=call"}
    )

    assert response.status_code == 302 and response["Location"] == f"{LIST}?kind=call"
    for activity in (a, b):
        activity.refresh_from_db()
        assert activity.done and activity.done_at is not None and activity.version == 2
    done = AuditEvent.objects.filter(record_type="activity", action="activity.completed")
    assert done.count() == 2
    assert "2 records changed." in client.get(response["Location"]).content.decode()


def test_bulk_assign_is_for_roles_that_may_assign(manager, colleague, head):
    activity = act(manager)
    data = {"ids": [activity.pk], "action": "assign", "owner_id": colleague.pk}

    assert 'value="assign"' not in client_for(manager).get(LIST).content.decode()
    assert client_for(manager).post(BULK, data).status_code == 403
    activity.refresh_from_db()
    assert activity.owner_id == manager.pk and activity.version == 1

    assert 'value="assign"' in client_for(head).get(LIST).content.decode()
    assert client_for(head).post(BULK, data).status_code == 302
    activity.refresh_from_db()
    assert activity.owner_id == colleague.pk and activity.team_id == colleague.team_id
    assert activity.version == 2


def test_bulk_assign_of_an_invisible_row_is_404_before_403(manager, stranger, colleague):
    mine, theirs = act(manager), act(stranger)
    data = {"ids": [mine.pk, theirs.pk], "action": "assign", "owner_id": colleague.pk}

    assert client_for(manager).post(BULK, data).status_code == 404
    assert set(Activity.objects.values_list("version", flat=True)) == {1}


def test_bulk_on_an_invisible_row_is_404_and_changes_nothing(manager, stranger):
    mine, theirs = act(manager), act(stranger)

    response = client_for(manager).post(BULK, {"ids": [mine.pk, theirs.pk], "action": "done"})

    assert response.status_code == 404
    assert not Activity.objects.filter(done=True).exists()


def test_bulk_done_without_the_edit_right_is_403(make_user, manager):
    activity = act(manager)
    reader = make_user(Role.READ_ONLY)  # sees every activity, changes none

    html = client_for(reader).get(LIST).content.decode()
    response = client_for(reader).post(BULK, {"ids": [activity.pk], "action": "done"})

    assert 'value="done"' not in html and 'id="bulk-form"' not in html
    assert response.status_code == 403
    activity.refresh_from_db()
    assert not activity.done and activity.version == 1


def test_bulk_assign_to_a_missing_user_changes_nothing(head, manager):
    a, b = act(manager), act(manager)
    client = client_for(head)

    response = client.post(BULK, {"ids": [a.pk, b.pk], "action": "assign", "owner_id": "999999"})

    assert "No such active user." in toast_after(client, response)
    assert set(Activity.objects.values_list("owner_id", "version")) == {(manager.pk, 1)}


@pytest.mark.parametrize(
    "data",
    [
        {"ids": [], "action": "done"},
        {"ids": ["abc"], "action": "done"},
        {"ids": ["-1"], "action": "done"},
        {"ids": ["1.5"], "action": "done"},
        {"ids": ["ID"], "action": "explode"},
        {"ids": ["ID"], "action": XSS},
        {"ids": ["ID"] + [str(i) for i in range(10**6, 10**6 + 500)], "action": "done"},
        {"ids": ["ID"], "action": "assign", "owner_id": "abc"},
        {"ids": ["ID"], "action": "assign", "owner_id": "9" * 30},
    ],
)
def test_bad_bulk_input_is_a_clear_error_and_changes_nothing(head, manager, data):
    activity = act(manager)
    data = {**data, "ids": [activity.pk if i == "ID" else i for i in data["ids"]]}
    client = client_for(head)

    html = toast_after(client, client.post(BULK, data))

    assert "toast-error" in html and XSS not in html
    activity.refresh_from_db()
    assert activity.version == 1 and not activity.done and activity.owner_id == manager.pk


@pytest.mark.parametrize("action", ["done", "assign"])
def test_a_row_changed_meanwhile_refuses_the_whole_action(monkeypatch, head, manager, action):
    # given two rows, the second changed by someone else after the action read them
    a, b = act(manager, subject="One"), act(manager, subject="Two")
    read = selectors.activity_rows

    def read_then_changed(user, ids):
        rows = read(user, ids)
        services.activity_update(
            actor=Actor.of_user(manager), activity_id=b.pk, version=1, data={"subject": "New"}
        )
        return rows

    monkeypatch.setattr(selectors, "activity_rows", read_then_changed)
    client = client_for(head)

    # when the head marks both done (or gives both away)
    data = {"ids": [a.pk, b.pk], "action": action, "owner_id": head.pk}
    html = toast_after(client, client.post(BULK, data))

    # then nothing of the action was written, and the head is told why
    assert "Someone else changed this record" in html
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.version, a.done, a.owner_id) == (1, False, manager.pk)
    assert (b.version, b.done, b.owner_id, b.subject) == (2, False, manager.pk, "New")


# --- export -------------------------------------------------------------------------------------


def test_export_columns_and_formula_cells(head, manager):
    contact = ContactFactory(owner=manager, first_name="Anna", last_name="Ozola")
    deal = DealFactory(owner=manager, title="=1+1 windows")
    activity = act(
        manager,
        subject='=HYPERLINK("http://evil")',
        contact_id=contact.pk,
        deal_id=deal.pk,
        outcome_text="+cmd",
        next_step="@SUM(1)",
    )
    ActivityFactory(owner=manager, subject="-2+3", outcome_text="\tTab")  # as an import may

    response = client_for(head).get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="activities-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )
    rows = read_csv(response)
    assert rows[0] == [
        "id", "Kind", "Subject", "When", "Done", "Outcome", "Outcome details", "Next step",
        "About", "Owner", "Created",
    ]  # fmt: skip
    by_id = {r[0]: r for r in rows[1:]}
    row = by_id[str(activity.pk)]
    assert row[1] == "Call" and row[2] == '\'=HYPERLINK("http://evil")'
    assert row[4] == "No" and row[6] == "'+cmd" and row[7] == "'@SUM(1)"
    assert row[8] == "Anna Ozola; =1+1 windows"  # a cell, not a formula: it starts with "A"
    assert row[9] == manager.username
    assert dt.datetime.fromisoformat(row[3]) == T0
    assert {r[2] for r in rows[1:]} == {'\'=HYPERLINK("http://evil")', "'-2+3"}
    assert "'\tTab" in {r[6] for r in rows[1:]}


def test_export_names_only_the_linked_records_the_user_may_see(manager, stranger):
    grant(Role.MANAGER, can_export=True)
    forget_rights(manager)
    contact = ContactFactory(owner=manager, first_name="Hidden", last_name="Person")
    act(manager, subject="Call about windows", contact_id=contact.pk)
    Contact.objects.filter(pk=contact.pk).update(owner=stranger, team=stranger.team)

    rows = read_csv(client_for(manager).get(EXPORT))

    assert [r[2] for r in rows[1:]] == ["Call about windows"]
    assert rows[1][8] == ""


def test_the_filtered_export_has_the_filters_visible_rows_only(make_user, manager, stranger):
    grant(Role.MANAGER, can_export=True)
    mine = act(manager, subject="Offer call", kind="call")
    act(manager, subject="Offer task", kind="task")
    act(manager, subject="Other call", kind="call")
    act(stranger, subject="Offer call too", kind="call")

    rows = read_csv(client_for(manager).get(EXPORT, {"q": "offer", "kind": "call"}))

    assert [r[0] for r in rows[1:]] == [str(mine.pk)]


def test_export_of_the_selected_rows_by_post_and_get(head, manager):
    a, b, c = act(manager, subject="A"), act(manager, subject="B"), act(manager, subject="C")
    client = client_for(head)

    posted = read_csv(client.post(EXPORT, {"ids": [c.pk, a.pk]}))
    got = read_csv(client.get(EXPORT, {"ids": [b.pk]}))

    assert [r[0] for r in posted[1:]] == [str(c.pk), str(a.pk)]
    assert [r[0] for r in got[1:]] == [str(b.pk)]


def test_export_streams_every_page_of_the_filter(head, manager):
    ActivityFactory.create_batch(230, owner=manager)

    rows = read_csv(client_for(head).get(EXPORT))

    assert len(rows) == 231 and len({r[0] for r in rows[1:]}) == 230


def test_export_needs_the_export_right(manager):
    activity = act(manager)
    client = client_for(manager)

    assert "Export" not in client.get(LIST).content.decode()
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"ids": [activity.pk]}).status_code == 403


def test_export_of_an_invisible_row_is_404(manager, stranger):
    grant(Role.MANAGER, can_export=True)
    mine, theirs = act(manager), act(stranger)

    assert client_for(manager).post(EXPORT, {"ids": [mine.pk, theirs.pk]}).status_code == 404


@pytest.mark.parametrize(
    ("method", "data", "message"),
    [
        ("post", {"ids": []}, "Select at least one row."),
        ("post", {"ids": ["abc"]}, "Must be ids."),
        ("post", {"ids": [str(i) for i in range(1, 502)]}, "At most 500 rows at once."),
        ("get", {"kind": XSS}, "Unknown kind of activity."),
        ("get", {"q": "x" * 201}, "At most 200 characters."),
        ("get", {"cursor": "nope", "ordering": "password"}, "Sort by one of:"),
    ],
)
def test_bad_export_input_goes_back_to_the_list_with_the_reason(head, method, data, message):
    client = client_for(head)

    response = getattr(client, method)(EXPORT, data)

    html = toast_after(client, response)
    assert message in html and XSS not in html


# --- the page's cost ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "htmx", "queries"),
    [({"q": "call"}, True, 6), ({"q": "call"}, False, 9), ({"ordering": "subject"}, False, 9)],
)
def test_search_and_sort_query_counts_do_not_grow(
    manager, params, htmx, queries, django_assert_num_queries
):
    client = client_for(manager)
    headers = {"HX-Request": "true"} if htmx else {}
    for count in (3, 30):
        for _ in range(count - Activity.objects.count()):
            contact = ContactFactory(owner=manager)
            act(manager, contact_id=contact.pk, deal_id=DealFactory(owner=manager).pk)
        with django_assert_num_queries(queries):
            response = client.get(LIST, params, headers=headers)
        assert len(listed(response)) == count


def test_the_key_of_a_search_is_the_search_key(manager):
    # the selector and the model agree on the normalisation (NFKC + casefold)
    act(manager, subject="ＡＢＣ Ⅻ")
    assert search_key("ＡＢＣ Ⅻ") == "abc xii"
    assert len(_walk(manager, "subject", 5, q="abc x")) == 1


def test_the_export_of_a_column_sort_follows_it_and_its_bound(head, monkeypatch):
    for subject, kind in (("Zeta", "email"), ("Alpha", "note"), ("Mid", "task")):
        act(head, subject=subject, kind=kind)
    client = client_for(head)

    rows = read_csv(client.get(EXPORT, {"ordering": "kind"}))

    assert [row[rows[0].index("Subject")] for row in rows[1:]] == ["Mid", "Alpha", "Zeta"]
    monkeypatch.setattr(column_sorts, "SORT_BOUND", 2)
    html = toast_after(client, client.get(EXPORT, {"ordering": "kind"}))
    assert "needs a list of at most 2 rows" in html
