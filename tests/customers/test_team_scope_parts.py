"""A team-scoped list reads the team's rows and one's own rows elsewhere as two parts.

One's own record can sit in another team (its owner changed team); it must still be
listed, in order, and pages across the two parts have no gaps or repeats.
"""

from kliento.core import records
from kliento.core.visibility import scope_parts, visible
from kliento.customers import selectors
from kliento.customers.models import Contact
from tests.factories import ContactFactory


def _walk(user, limit):
    names, cursor = [], None
    while True:
        page = selectors.contact_list(user, cursor=cursor, limit=limit)
        names += [c.last_name for c in page.items]
        if page.next_cursor is None:
            return names
        cursor = page.next_cursor


def test_own_rows_in_another_team_are_listed_in_order(manager, colleague, stranger, other_team):
    # given the team's contacts, one's own contacts left in another team, and a stranger's
    for name in ["Avots", "Dzene", "Kalns"]:
        ContactFactory(owner=colleague, last_name=name)
    for name in ["Bērziņš", "Liepa"]:
        ContactFactory(owner=manager, last_name=name, team=other_team)
    ContactFactory(owner=manager, last_name="Ozols")
    ContactFactory(owner=stranger, last_name="Cirulis")

    # when the manager walks the list two rows at a time, and all at once
    expected = ["Avots", "Bērziņš", "Dzene", "Kalns", "Liepa", "Ozols"]
    for limit in (1, 2, 3, 50):
        assert _walk(manager, limit) == expected, limit
    # and in reverse
    page = selectors.contact_list(manager, ordering="-name", limit=50)
    assert [c.last_name for c in page.items] == expected[::-1]


def test_the_parts_are_disjoint_and_cover_exactly_what_is_visible(
    manager, colleague, stranger, other_team
):
    rows = [
        ContactFactory(owner=colleague),
        ContactFactory(owner=manager),
        ContactFactory(owner=manager, team=other_team),
        ContactFactory(owner=manager, team=None),
        ContactFactory(owner=stranger),
    ]
    parts = scope_parts(manager, records.spec_for_model(Contact))

    assert parts is not None
    per_part = [set(Contact.objects.filter(p).values_list("pk", flat=True)) for p in parts]
    union = set().union(*per_part)
    assert sum(len(p) for p in per_part) == len(union)  # disjoint
    assert union == set(visible(manager, Contact.objects.all()).values_list("pk", flat=True))
    assert rows[-1].pk not in union
    assert len(union) == 4
