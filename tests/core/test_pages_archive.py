"""Archiving from a card, reading the archived card, restoring it from there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kliento.sales.models import Deal
from tests.factories import ActivityFactory, CompanyFactory, deal_for, make_pipeline

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_deal_archived_from_its_card_can_be_read_and_restored_there(admin):
    deal = deal_for(admin, make_pipeline(), title="6 windows for Ozola")
    call = ActivityFactory(owner=admin, deal=deal, subject="Measured the rooms")
    client = client_for(admin)
    card = reverse("sales:deal-detail", args=[deal.pk])

    archived = client.post(reverse("sales:deal-delete", args=[deal.pk]), follow=True)
    page = client.get(card)
    assert page.status_code == 200, page.content.decode()[-3000:]
    html = page.content.decode()
    story = client.get(reverse("core:timeline", args=["deal", deal.pk])).content.decode()
    board = client.get(reverse("sales:deal-list")).content.decode()
    restored = client.post(reverse("core:archive-restore", args=["deal", deal.pk]), follow=True)

    assert "Deal archived. Its card can restore it." in archived.content.decode()
    assert "In the archive since" in html and "Restore" in html
    assert reverse("sales:deal-delete", args=[deal.pk]) not in html  # no second archive
    assert "Measured the rooms" in story  # the call went with the deal and still shows
    assert "6 windows for Ozola" not in board
    assert restored.redirect_chain[-1][0] == card
    assert "Restored, with everything archived with it." in restored.content.decode()
    assert Deal.objects.filter(pk=deal.pk).exists()
    assert type(call).objects.filter(pk=call.pk).exists()


def test_restoring_what_is_not_archived_or_not_archivable_changes_nothing(admin):
    company = CompanyFactory(owner=admin)
    client = client_for(admin)

    live = client.post(reverse("core:archive-restore", args=["company", company.pk]))
    unknown = client.post(reverse("core:archive-restore", args=["pipeline", 1]))

    assert live.status_code == 409
    assert unknown.status_code == 404


def test_the_archive_page_lists_per_type_and_only_an_admin_deletes_for_good(admin, manager):
    company = CompanyFactory(owner=manager, name="Ozols Glass")
    deal = deal_for(manager, make_pipeline(), company=company, title="6 windows")
    client_for(admin).post(reverse("customers:company-delete", args=[company.pk]))
    url = reverse("core:archive")

    companies = client_for(manager).get(url).content.decode()  # the first type by default
    deals = client_for(manager).get(url, {"type": "deal"}).content.decode()
    refused = client_for(manager).post(reverse("core:archive-purge", args=["deal", deal.pk]))
    as_admin = client_for(admin).get(url, {"type": "deal"}).content.decode()
    purged = client_for(admin).post(reverse("core:archive-purge", args=["company", company.pk]))

    assert f'data-record="company-{company.pk}"' in companies and "Ozols Glass" in companies
    assert f'data-record="deal-{deal.pk}"' in deals and f"Company #{company.pk}" in deals
    assert reverse("core:archive-purge", args=["deal", deal.pk]) not in deals
    assert refused.status_code == 403
    assert reverse("core:archive-purge", args=["deal", deal.pk]) in as_admin
    assert purged.status_code == 302 and purged["Location"] == f"{url}?type=company"
    assert not Deal.all_objects.filter(pk=deal.pk).exists()


def test_a_bad_type_on_the_archive_page_is_a_400(admin):
    response = client_for(admin).get(reverse("core:archive"), {"type": "pipeline"})

    assert response.status_code == 400
