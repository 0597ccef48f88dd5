"""The archive: a delete keeps the story, a restore brings it back whole, a purge is final.

Each test acts through the services or the API and reads the rows back; the suite runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kliento.activities import services as activity_services
from kliento.activities.models import Activity
from kliento.core import archive
from kliento.core.actors import Actor
from kliento.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kliento.core.models import Attachment, AuditEvent
from kliento.customers import services as customer_services
from kliento.customers.models import Company, Contact
from kliento.sales import services as sales_services
from kliento.sales.models import Deal
from tests.factories import (
    ActivityFactory,
    AttachmentFactory,
    CompanyFactory,
    ContactFactory,
    deal_for,
    make_pipeline,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(admin):
    """A company with a contact, a deal and the calls logged on them."""
    pipeline = make_pipeline()
    company = CompanyFactory(owner=admin, name="Ozols Glass")
    contact = ContactFactory(owner=admin, company=company, last_name="Ozola")
    deal = deal_for(admin, pipeline, company=company, contact=contact, title="6 windows")
    on_deal = ActivityFactory(owner=admin, deal=deal, contact=contact, subject="Measured")
    on_company = ActivityFactory(owner=admin, company=company, subject="Called the office")
    on_contact = ActivityFactory(owner=admin, contact=contact, subject="Birthday wishes")
    return company, contact, deal, on_deal, on_company, on_contact


def _live(model, pk) -> bool:
    return model.objects.filter(pk=pk).exists()


def test_archiving_a_company_takes_its_deals_and_their_calls_and_keeps_them_readable(
    admin, api, story
):
    company, contact, deal, on_deal, on_company, on_contact = story

    assert api(admin).delete(f"/companies/{company.pk}").status_code == 204

    # then the company, its deal, the deal's call and the company's call are archived ...
    assert not _live(Company, company.pk) and not _live(Deal, deal.pk)
    assert not _live(Activity, on_deal.pk) and not _live(Activity, on_company.pk)
    # ... while the contact (a person, not the company's record) and its call stay
    assert _live(Contact, contact.pk) and _live(Activity, on_contact.pk)
    # lists and search leave them out; the cards still read them
    client = api(admin)
    assert client.get("/companies").json()["items"] == []
    assert client.get("/companies", {"q": "ozols"}).json()["items"] == []
    assert [d["id"] for d in client.get("/deals").json()["items"]] == []
    assert client.get(f"/companies/{company.pk}").json()["archived_at"] is not None
    assert client.get(f"/deals/{deal.pk}").json()["archived_at"] is not None
    # one archive event for the company, and one for each record that went with it
    root = AuditEvent.objects.get(record_type="company", action="archive")
    followers = AuditEvent.objects.filter(action="archive").exclude(pk=root.pk)
    assert {(e.record_type, e.record_id) for e in followers} == {
        ("deal", deal.pk),
        ("activity", on_deal.pk),
        ("activity", on_company.pk),
    }
    assert {e.caused_by_id for e in followers} == {root.pk}


def test_a_call_on_a_deal_stays_with_the_deal_when_its_contact_is_archived(admin, story):
    _company, contact, deal, on_deal, _on_company, on_contact = story

    customer_services.contact_delete(actor=Actor.of_user(admin), contact_id=contact.pk)

    assert _live(Deal, deal.pk) and _live(Activity, on_deal.pk)  # their home is the company
    assert not _live(Activity, on_contact.pk)


def test_restoring_brings_back_exactly_what_was_archived_with_it(admin, api, story):
    company, _contact, deal, on_deal, on_company, _on_contact = story
    actor = Actor.of_user(admin)
    # a call archived on its own before the company keeps its own archive entry
    activity_services.activity_delete(actor=actor, activity_id=on_company.pk)
    customer_services.company_delete(actor=actor, company_id=company.pk)

    restored = api(admin).post(f"/archive/company/{company.pk}/restore", {})

    assert restored.status_code == 200, restored.content
    assert restored.json()["version"] == Company.objects.get(pk=company.pk).version
    assert _live(Company, company.pk) and _live(Deal, deal.pk) and _live(Activity, on_deal.pk)
    assert not _live(Activity, on_company.pk)
    assert AuditEvent.objects.filter(action="restore").count() == 3


def test_restoring_a_deal_that_went_with_its_company_brings_back_its_calls_only(admin, story):
    company, _contact, deal, on_deal, on_company, _on_contact = story
    actor = Actor.of_user(admin)
    customer_services.company_delete(actor=actor, company_id=company.pk)

    archive.restore(actor, Deal, deal.pk)

    assert _live(Deal, deal.pk) and _live(Activity, on_deal.pk)
    assert not _live(Company, company.pk) and not _live(Activity, on_company.pk)


def test_an_archived_record_is_not_changed_nor_linked_until_restored(admin, story):
    company, contact, deal, *_ = story
    actor = Actor.of_user(admin)
    sales_services.deal_delete(actor=actor, deal_id=deal.pk)
    customer_services.company_delete(actor=actor, company_id=company.pk)

    with pytest.raises(Conflict):
        sales_services.deal_update(actor=actor, deal_id=deal.pk, version=2, data={"title": "x"})
    with pytest.raises(Conflict):
        sales_services.deal_delete(actor=actor, deal_id=deal.pk)
    with pytest.raises(ValidationFailed) as caught:
        customer_services.contact_update(
            actor=actor, contact_id=contact.pk, version=1, data={"company_id": company.pk}
        )
    assert caught.value.errors[0].field == "company_id"
    assert Deal.all_objects.get(pk=deal.pk).title == "6 windows"


def test_restoring_a_record_that_is_not_archived_is_a_409(admin, api, story):
    company = story[0]

    response = api(admin).post(f"/archive/company/{company.pk}/restore", {})

    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="restore").exists()


def test_the_archive_lists_what_the_user_may_see_the_latest_first(admin, manager, stranger, api):
    mine = [CompanyFactory(owner=manager, name=f"Mine {i}") for i in range(3)]
    theirs = CompanyFactory(owner=stranger, name="Theirs")  # another team's
    actor = Actor.of_user(admin)
    for company in [*mine, theirs]:
        customer_services.company_delete(actor=actor, company_id=company.pk)

    as_manager = api(manager).get("/archive", {"record_type": "company", "limit": 2})
    rest = api(manager).get(
        "/archive", {"record_type": "company", "cursor": as_manager.json()["next_cursor"]}
    )
    as_admin = api(admin).get("/archive", {"record_type": "company"}).json()["items"]

    assert as_manager.status_code == 200
    listed = [r["id"] for r in as_manager.json()["items"] + rest.json()["items"]]
    assert listed == [c.pk for c in reversed(mine)]
    row = as_admin[0]
    assert (row["id"], row["name"], row["went_with_type"]) == (theirs.pk, "Theirs", None)
    assert row["archived_by"] == actor.label
    unknown = api(admin).get("/archive", {"record_type": "pipeline"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "record_type"


def test_a_follower_in_the_archive_names_the_record_it_went_with(admin, api, story):
    company, _contact, deal, *_ = story
    customer_services.company_delete(actor=Actor.of_user(admin), company_id=company.pk)

    (row,) = api(admin).get("/archive", {"record_type": "deal"}).json()["items"]

    assert (row["id"], row["went_with_type"], row["went_with_id"]) == (
        deal.pk,
        "company",
        company.pk,
    )


def test_only_an_administrator_deletes_for_good_with_what_went_along_and_the_files(
    admin, head, api, story, django_capture_on_commit_callbacks
):
    company, contact, deal, on_deal, on_company, on_contact = story
    actor = Actor.of_user(admin)
    with transaction.atomic():
        file = AttachmentFactory(record=deal)
    stored = file.file.name
    customer_services.company_delete(actor=actor, company_id=company.pk)

    refused = api(head).delete(f"/archive/company/{company.pk}")
    live = api(admin).delete(f"/archive/contact/{contact.pk}")  # not in the archive
    with django_capture_on_commit_callbacks(execute=True):
        purged = api(admin).delete(f"/archive/company/{company.pk}")

    assert refused.status_code == 403 and live.status_code == 409
    assert purged.status_code == 204
    assert not Company.all_objects.filter(pk=company.pk).exists()
    assert not Deal.all_objects.filter(pk=deal.pk).exists()
    assert not Activity.all_objects.filter(pk__in=[on_deal.pk, on_company.pk]).exists()
    assert not Attachment.objects.exists() and not default_storage.exists(stored)
    # what was not in the archive stays, without its link to the deleted company
    contact.refresh_from_db()
    assert contact.company_id is None and _live(Activity, on_contact.pk)
    deleted = AuditEvent.objects.get(record_type="company", action="delete")
    assert deleted.changes["name"] == ["Ozols Glass", None]


def test_purge_is_refused_to_a_manager_even_for_their_own_record(manager):
    company = CompanyFactory(owner=manager)
    Company.objects.filter(pk=company.pk).update(archived_at=timezone.now())

    with pytest.raises(PermissionDenied):
        archive.purge(Actor.of_user(manager), Company, company.pk)
    assert Company.all_objects.filter(pk=company.pk).exists()


def test_the_retention_period_deletes_what_is_older_and_keeps_the_rest(admin, story):
    company, *_ = story
    fresh = CompanyFactory(owner=admin)
    actor = Actor.of_user(admin)
    customer_services.company_delete(actor=actor, company_id=company.pk)
    customer_services.company_delete(actor=actor, company_id=fresh.pk)
    long_ago = timezone.now() - dt.timedelta(days=40)
    Company.all_objects.filter(pk=company.pk).update(archived_at=long_ago)

    with override_settings(KLIENTO_ARCHIVE_DAYS=0):
        kept_forever = archive.purge_expired()
    with override_settings(KLIENTO_ARCHIVE_DAYS=30):
        done = archive.purge_expired()

    assert kept_forever == 0
    assert done >= 1
    assert not Company.all_objects.filter(pk=company.pk).exists()
    assert Company.all_objects.filter(pk=fresh.pk).exists()
    deleted = AuditEvent.objects.get(record_type="company", record_id=company.pk, action="delete")
    assert deleted.actor_label == "archive retention"


def test_a_record_the_user_cannot_see_is_not_found_in_the_archive(manager, stranger):
    company = CompanyFactory(owner=stranger)
    Company.objects.filter(pk=company.pk).update(archived_at=timezone.now())

    with pytest.raises(NotFound):
        archive.restore(Actor.of_user(manager), Company, company.pk)
