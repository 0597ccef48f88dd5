"""Each filter + sort pair the lists offer is answered in index order, with no sort step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kliento.customers import selectors
from kliento.customers.models import Company, Contact
from tests.factories import CompanyFactory, ContactFactory

SAMPLE = {
    "owner": 1,
    "team": 1,
    "company": 1,
    "relationship": "customer",
    "source": "web",
    "region": "Riga",
    "industry": "Retail",
    "segment": "SMB",
    "tag": "vip",
}


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables make a scan cheapest; forbid it to see which index would serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _not_index_served(plan: str) -> bool:
    """A sort step, or rows read and then thrown away, instead of an index range in order."""
    if connection.vendor == "postgresql":
        # Leaving archived rows out is checked on the rows the index scan reads anyway
        # (they are few; core.archive): that filter alone throws nothing away in bulk.
        filters = [
            line
            for line in plan.splitlines()
            if "Filter:" in line and line.split("Filter:")[1].strip() != "(archived_at IS NULL)"
        ]
        return "Sort Key" in plan or bool(filters)
    lines = plan.splitlines()
    return any("TEMP B-TREE" in line or line.startswith("SCAN") for line in lines)


@pytest.mark.parametrize(
    ("model", "offered"),
    [(Contact, selectors.CONTACT_SORTS_BY_FILTER), (Company, selectors.COMPANY_SORTS_BY_FILTER)],
)
def test_every_offered_filter_and_sort_runs_in_index_order(admin, model, offered):
    factory = ContactFactory if model is Contact else CompanyFactory
    for _ in range(3):
        factory(owner=admin)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    unserved = []
    for name, sorts in offered.items():
        value = since if name.startswith("created_") else SAMPLE[name]
        for sort in sorts:
            for ordering in (sort, f"-{sort}"):
                queryset = model.objects.filter(
                    selectors._filter_q({name: value}, offered, ordering)
                )
                field, descending = selectors.resolve_ordering(
                    ordering, selectors.SORTS, selectors.DEFAULT_SORT
                )
                prefix = "-" if descending else ""
                queryset = queryset.order_by(f"{prefix}{field}", f"{prefix}pk")[:51]
                plan = _plan(queryset)
                if _not_index_served(plan):
                    unserved.append((name, ordering))
    # A tag filter reaches the tagged rows through the tag's index and sorts just those
    # (a tag is selective): the one pair without an index in list order.
    assert set(unserved) <= {("tag", "name"), ("tag", "-name")}


def test_the_plan_check_notices_a_pair_no_index_serves(admin):
    # a pair the list refuses: region + created_at has no (region, created_at) index
    ContactFactory(owner=admin)
    queryset = Contact.objects.filter(region="Riga").order_by("created_at", "pk")[:51]
    assert _not_index_served(_plan(queryset))
