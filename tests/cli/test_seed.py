"""`kliento seed`: scale data that is consistent with what the services would write."""

from __future__ import annotations

import io

import phonenumbers
import pytest
from django.db import connection
from django.db.models import Count, F

from kliento.activities.models import Activity
from kliento.cli import main
from kliento.core.models import User
from kliento.core.text import search_key
from kliento.core.visibility import visible
from kliento.customers.models import Channel, Company, Contact
from kliento.demo import scale
from kliento.sales.models import Deal, StageChange


def _indexes(model) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name for name, info in found.items() if info["index"]}


@pytest.fixture
def seeded(db, capsys):
    before = {m: _indexes(m) for m in (Contact, Channel, Company, Deal, Activity)}
    code = main(["seed", "--contacts", "2000"])
    assert code == 0
    return before, capsys.readouterr().out


def test_seed_makes_the_promised_counts_and_reports_progress(seeded):
    _, out = seeded

    assert Company.objects.count() == 100
    assert Contact.objects.count() == 2000
    assert Channel.objects.filter(kind="email", is_primary=True).count() == 2000
    assert Channel.objects.filter(kind="phone", is_primary=True).count() == 2000
    assert Deal.objects.count() == 400
    assert StageChange.objects.count() == 400
    assert Activity.objects.count() == 2000
    assert "rows/s" in out


def test_seeded_names_keys_and_channels_are_what_the_services_would_store(seeded):
    contacts = list(Contact.objects.all())
    for c in contacts:
        assert c.name_key == search_key(c.last_name, c.first_name, c.middle_name)
        assert c.first_name_key == search_key(c.first_name)
        assert c.version == 1 and c.custom == {}
        assert c.created_at is not None and c.updated_at is not None
    for company in Company.objects.all():
        assert company.name_key == search_key(company.name)
    for deal in Deal.objects.all():
        assert deal.title_key == search_key(deal.title)
    emails = list(Channel.objects.filter(kind="email").values_list("normalized", flat=True))
    assert len(set(emails)) == len(emails)
    assert all(e == e.lower() and "@" in e for e in emails)
    phones = list(Channel.objects.filter(kind="phone").values_list("normalized", flat=True))
    assert len(set(phones)) == len(phones)
    for p in phones:
        parsed = phonenumbers.parse(p)
        assert phonenumbers.is_valid_number(parsed), p
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == p
    # The primary channels are copied onto the contact.
    primary = {
        (ch.contact_id, ch.kind): ch.normalized for ch in Channel.objects.filter(is_primary=True)
    }
    assert all(primary[(c.pk, "email")] == c.email for c in contacts)
    assert all(primary[(c.pk, "phone")] == c.phone for c in contacts)


def test_seeded_rows_have_the_owners_team_and_consistent_links(seeded):
    for model in (Company, Contact, Deal, Activity):
        mismatched = model.objects.exclude(team_id=F("owner__team_id"))
        assert not mismatched.exists(), model.__name__
    # A deal's company is its contact's company; its status is its stage's kind.
    assert not Deal.objects.exclude(status=F("stage__kind")).exists()
    assert not Deal.objects.exclude(pipeline_id=F("stage__pipeline_id")).exists()
    assert (
        not Deal.objects.filter(contact__company__isnull=False)
        .exclude(company_id=F("contact__company_id"))
        .exists()
    )
    assert not Deal.objects.filter(status="won", won_reason__isnull=True).exists()
    assert not Deal.objects.filter(status="lost", lost_reason__isnull=True).exists()
    assert not Deal.objects.filter(status="open", closed_at__isnull=False).exists()
    # Activities on deals record the deal's stage and the deal's contact.
    on_deals = Activity.objects.filter(deal__isnull=False)
    assert on_deals.count() == 400
    assert not on_deals.exclude(deal_stage_id=F("deal__stage_id")).exists()
    assert not on_deals.exclude(contact_id=F("deal__contact_id")).exists()
    # Every stage of both pipelines has deals at 400 deals.
    per_stage = Deal.objects.values("stage").annotate(n=Count("id"))
    assert len(per_stage) == 14


def test_seeded_data_is_visible_to_an_admin_and_scoped_for_a_manager(seeded):
    admin = User.objects.get(username="admin")
    assert visible(admin, Contact.objects.all()).count() == Contact.objects.count()
    assert visible(admin, Deal.objects.all()).count() == Deal.objects.count()
    manager = User.objects.get(username="janis")
    mine = visible(manager, Contact.objects.all())
    assert 0 < mine.count() < Contact.objects.count()
    assert not mine.exclude(team_id=manager.team_id).exists()


def test_seeding_restores_every_index(seeded):
    before, _ = seeded
    for model, names in before.items():
        assert _indexes(model) == names, model.__name__


def test_seeding_twice_adds_more_rows_without_clashes(seeded):
    scale.seed(contacts=300, seed=7, out=io.StringIO())

    assert Contact.objects.count() == 2300
    emails = Channel.objects.filter(kind="email").values_list("normalized", flat=True)
    phones = Channel.objects.filter(kind="phone").values_list("normalized", flat=True)
    assert len(set(emails)) == 2300 and len(set(phones)) == 2300


def test_every_seeded_contact_is_listed_and_found_through_the_selectors(seeded):
    from kliento.customers.selectors import contact_list

    admin = User.objects.get(username="admin")
    # when: the admin walks the whole list, 200 at a time
    seen: list[int] = []
    cursor = None
    while True:
        page = contact_list(admin, cursor=cursor, limit=200)
        seen.extend(c.pk for c in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    # then: every contact once, none missing
    assert sorted(seen) == sorted(Contact.objects.values_list("pk", flat=True))
    # and a contact is found by its name prefix, e-mail and phone
    contact = Contact.objects.order_by("pk")[1234]
    by_name: set[int] = set()
    cursor = None
    while True:
        page = contact_list(admin, q=contact.last_name[:3].upper(), cursor=cursor, limit=200)
        by_name.update(c.pk for c in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert contact.pk in by_name
    assert contact.pk in {c.pk for c in contact_list(admin, q=contact.email.upper()).items}
    assert contact.pk in {c.pk for c in contact_list(admin, q=contact.phone).items}
