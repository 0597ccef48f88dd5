"""A name search reads each part (last-name matches, first-name matches) as one index range
in order, stopping after the page: no sort of the matches, for every scope and direction."""

from __future__ import annotations

import pytest
from django.db import connection

from kliento.customers import selectors
from tests.factories import ContactFactory
from tests.plans import page_plans


def _sorts_or_scans(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return ("Sort" in plan and "Incremental" not in plan) or "Seq Scan" in plan
    lines = plan.splitlines()
    return any("TEMP B-TREE" in line or line.startswith("SCAN") for line in lines)


# A scoped user (owner OR team) is not covered yet: SQLite plans that OR as a
# MULTI-INDEX OR over the (owner, ...) and (team, ...) indexes and sorts the result.
@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_each_part_of_a_name_search_is_an_index_range_in_order(admin, ordering):
    user = admin
    # given matches by last name and by first name (so a page crosses from one to the other)
    for i in range(3):
        ContactFactory(owner=user, first_name="Zed", last_name=f"Ivanovs{i}")
        ContactFactory(owner=user, first_name=f"Ivan{i}", last_name=f"Ozols{i}")
    first = selectors.contact_list(user, q="iva", ordering=ordering, limit=2)

    plans = page_plans(
        lambda: selectors.contact_list(
            user, q="iva", ordering=ordering, cursor=first.next_cursor, limit=3
        ),
        "customers_contact",
    )

    # then the page read both parts, each from its own index, with no sort step
    assert len(plans) == 2, plans
    expected = ["contact_name_key", "contact_first_name_key"]
    if ordering.startswith("-"):
        expected.reverse()
    for plan, index in zip(plans, expected, strict=True):
        assert index in plan, plan
        assert not _sorts_or_scans(plan), plan
