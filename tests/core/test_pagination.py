"""Keyset pagination: every row once, in order, NULLs last, and each page an index seek."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import connection

from kliento.core.errors import ValidationFailed
from kliento.core.pagination import encode_cursor, keyset_page
from kliento.sales import selectors as sales_selectors
from kliento.sales.models import Deal
from tests.factories import ContactFactory, DealFactory, make_pipeline
from tests.plans import page_plans

ORDERING = {"expected_close_date": "expected_close_date", "amount": "amount", "id": "id"}
D1, D2, D3 = dt.date(2026, 1, 10), dt.date(2026, 2, 20), dt.date(2026, 3, 30)


@pytest.fixture
def deals(admin) -> list[Deal]:
    # given deals with repeated, missing and distinct expected close dates (ties broken by id)
    pipeline = make_pipeline()
    dates = [D2, None, D1, None, D1, D3, None, D2]
    return [
        DealFactory(owner=admin, pipeline=pipeline, expected_close_date=d, amount=i % 3)
        for i, d in enumerate(dates)
    ]


def walk(ordering: str, limit: int) -> tuple[list[int], int]:
    """Every page of all deals in `ordering`; (ids in the order served, pages)."""
    seen: list[int] = []
    cursor, pages = None, 0
    while True:
        page = keyset_page(
            Deal.objects.all(),
            ordering=ordering,
            allowed=ORDERING,
            default="id",
            cursor=cursor,
            limit=limit,
        )
        seen.extend(d.pk for d in page.items)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return seen, pages
        assert pages < 50, "the cursor does not advance"


def nulls_last(deals: list[Deal], descending: bool = False) -> list[int]:
    """Dated deals by (date, id), reversed when descending; then the undated ones by id."""
    dated = sorted(
        (d for d in deals if d.expected_close_date),
        key=lambda d: (d.expected_close_date, d.pk),
        reverse=descending,
    )
    undated = sorted(
        (d for d in deals if d.expected_close_date is None), key=lambda d: d.pk, reverse=descending
    )
    return [d.pk for d in dated + undated]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 8, 50])
def test_a_nullable_sort_serves_nulls_last_ascending_at_any_page_size(deals, limit):
    seen, pages = walk("expected_close_date", limit)
    assert seen == nulls_last(deals)
    assert pages == max(1, -(-len(deals) // limit))


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
def test_descending_keeps_the_nulls_last(deals, limit):
    seen, _ = walk("-expected_close_date", limit)
    assert seen == nulls_last(deals, descending=True)


def test_a_cursor_on_a_null_value_continues_with_the_next_null(deals):
    # given a page that ends on the first deal without a date
    expected = nulls_last(deals)
    first_null = next(
        i for i, pk in enumerate(expected) if Deal.objects.get(pk=pk).expected_close_date is None
    )
    page = keyset_page(
        Deal.objects.all(), ordering="expected_close_date", allowed=ORDERING, default="id",
        cursor=None, limit=first_null + 1,
    )  # fmt: skip
    assert page.items[-1].expected_close_date is None
    # when the next page is asked for
    rest = keyset_page(
        Deal.objects.all(), ordering="expected_close_date", allowed=ORDERING, default="id",
        cursor=page.next_cursor, limit=50,
    )  # fmt: skip
    # then it holds the remaining undated deals, none repeated
    assert [d.pk for d in rest.items] == expected[first_null + 1 :]
    assert rest.next_cursor is None


def test_a_not_null_sort_keeps_its_plain_cursor(deals):
    seen, _ = walk("amount", 3)
    assert seen == [d.pk for d in sorted(deals, key=lambda d: (d.amount, d.pk))]
    page = keyset_page(
        Deal.objects.all(), ordering="amount", allowed=ORDERING, default="id", cursor=None, limit=1
    )
    raw = json.loads(
        base64.urlsafe_b64decode(page.next_cursor + "=" * (-len(page.next_cursor) % 4))
    )
    assert raw == [str(page.items[0].amount), str(page.items[0].pk)]


def test_the_deals_list_pages_by_expected_close_date_with_nulls_last(admin, deals):
    seen: list[int] = []
    cursor = None
    while True:
        page = sales_selectors.deals_list(
            admin,
            filters=sales_selectors.DealFilters(),
            params={},
            ordering="expected_close_date",
            cursor=cursor,
            limit=3,
        )
        seen.extend(d.pk for d in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == nulls_last(deals)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        encode_cursor(["x"]),  # no segment number for a two-segment list
        encode_cursor(["7", "2026-01-01", "1"]),  # no such segment
        encode_cursor(["0", "2026-13-01", "1"]),  # not a date
        encode_cursor(["0", "2026-01-01"]),  # too short
        base64.urlsafe_b64encode(b'[0, {"a": 1}, 2]').decode(),  # not strings
    ],
)
def test_a_cursor_of_another_shape_is_refused(deals, cursor):
    with pytest.raises(ValidationFailed) as caught:
        keyset_page(
            Deal.objects.all(), ordering="expected_close_date", allowed=ORDERING,
            default="id", cursor=cursor, limit=2,
        )  # fmt: skip
    assert caught.value.errors[0].field == "cursor"


def _raw_cursor(values: list[object]) -> str:
    """A cursor as anyone could forge it: JSON escapes (a lone surrogate too), base64."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        ("id", "WyJcdWQ4MDAiLCAiMSJd"),  # ["\ud800", "1"]: the cursor of the report
        ("id", _raw_cursor(["\ud800"])),  # a lone surrogate where an id belongs
        ("id", _raw_cursor([str(2**64)])),  # an id past 64 bits (OverflowError on SQLite)
        ("id", _raw_cursor([str(-(2**63) - 1)])),
        ("id", _raw_cursor(["٣"])),  # int("٣") is 3
        ("id", _raw_cursor(["²"])),
        ("id", _raw_cursor([" 1"])),
        ("amount", _raw_cursor(["NaN", "1"])),  # not a number a column holds
        ("amount", _raw_cursor(["Infinity", "1"])),
        ("amount", _raw_cursor(["1", "\udfff"])),
        ("expected_close_date", _raw_cursor(["0", "2026-01-01\ud800", "1"])),
        ("expected_close_date", _raw_cursor(["0", "2026-01-01", "1\x00"])),
        ("id", "A" * 5000),  # far longer than any cursor of ours
    ],
)
def test_a_forged_cursor_is_refused_before_any_query(
    deals, ordering, cursor, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(ValidationFailed) as caught:
        keyset_page(
            Deal.objects.all(), ordering=ordering, allowed=ORDERING, default="id",
            cursor=cursor, limit=2,
        )  # fmt: skip
    assert caught.value.errors[0].field == "cursor"


def test_a_cursor_of_a_text_sort_refuses_a_lone_surrogate(admin):
    from kliento.customers.models import Contact

    ContactFactory(owner=admin, last_name="Ozola")
    with pytest.raises(ValidationFailed):
        keyset_page(
            Contact.objects.all(), ordering="name", allowed={"name": "name_key"}, default="name",
            cursor=_raw_cursor(["\ud800", "1"]), limit=2,
        )  # fmt: skip


def test_a_null_in_the_cursor_of_a_not_null_column_is_refused(deals):
    with pytest.raises(ValidationFailed):
        keyset_page(
            Deal.objects.all(), ordering="amount", allowed=ORDERING, default="id",
            cursor=encode_cursor([None, "1"]), limit=2,
        )  # fmt: skip


# --- each page is an index seek, with no sort ------------------------------------------------


def _sorts(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return "Sort" in plan and "Incremental" not in plan
    return "TEMP B-TREE" in plan or any(line.startswith("SCAN") for line in plan.splitlines())


@pytest.mark.parametrize(
    ("ordering", "before"), [("expected_close_date", 4), ("-expected_close_date", 4)]
)
def test_every_segment_of_a_nullable_sort_is_read_from_its_index(deals, ordering, before):
    # a page after `before` rows crosses from one segment (dated, undated) into the other
    first = keyset_page(
        Deal.objects.all(), ordering=ordering, allowed=ORDERING, default="id", cursor=None,
        limit=before,
    )  # fmt: skip

    def run() -> None:
        keyset_page(
            Deal.objects.all(), ordering=ordering, allowed=ORDERING, default="id",
            cursor=first.next_cursor, limit=3,
        )  # fmt: skip

    plans = page_plans(run)
    assert len(plans) == 2  # one query per segment
    for plan in plans:
        assert "deal_close_date" in plan, plan
        assert not _sorts(plan), plan


def test_a_deep_page_seeks_the_index_to_the_cursor(admin):
    # the leading range "name_key >= v" is what lets both databases start at the cursor
    for i in range(5):
        ContactFactory(owner=admin, last_name=f"Same{i % 2}")
    from kliento.customers.models import Contact

    allowed = {"name": "name_key"}
    first = keyset_page(
        Contact.objects.all(),
        ordering="name",
        allowed=allowed,
        default="name",
        cursor=None,
        limit=2,
    )

    def run() -> None:
        keyset_page(
            Contact.objects.all(), ordering="name", allowed=allowed, default="name",
            cursor=first.next_cursor, limit=2,
        )  # fmt: skip

    (plan,) = page_plans(run)
    assert "contact_name_key" in plan, plan
    assert not _sorts(plan), plan
    if connection.vendor == "postgresql":
        assert "Index Cond: ((name_key)::text >=" in plan, plan
    else:
        assert "(name_key>?)" in plan, plan
