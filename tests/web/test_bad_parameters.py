"""Named cases of junk that once made pages answer 500: now a clear 4xx that changes nothing.

`"²".isdigit()` is True and `int("²")` raises; `int("٣")` is 3. Pages read ids through
core/web/params.py, so both are refused, and a forged cursor is a 422 on every list.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from kliento.activities.models import Activity
from kliento.core.models import AuditEvent
from kliento.customers.models import Contact
from kliento.sales.models import Lead
from tests.factories import ContactFactory

FORGED_CURSOR = "WyJcdWQ4MDAiLCAiMSJd"  # ["\ud800", "1"]: a lone surrogate


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("activities:my-day", {"idle": "²"}, "idle"),
        ("activities:my-day", {"idle": "٣"}, "idle"),
        ("activities:calendar", {"owner": "²"}, "owner"),
        ("activities:calendar", {"team": "٣"}, "team"),
        ("activities:calendar", {"date": "٢٠٢٦-٠١-٠١"}, "date"),
        ("activities:activity-list", {"owner": "²"}, "owner"),
        ("sales:lead-list", {"owner": "²"}, "owner"),
        ("sales:lead-list", {"owner": "٣"}, "owner"),
        ("sales:lead-list", {"team": str(2**64)}, "team"),
        ("sales:deal-list", {"owner": "٣"}, "owner"),
        ("sales:board", {"owner": "²"}, "owner"),
        ("sales:board", {"pipeline": "٣"}, "pipeline"),
    ],
)
def test_a_query_parameter_that_is_not_a_number_is_a_400_naming_it(admin, name, params, field):
    before = AuditEvent.objects.count()

    response = client_for(admin).get(reverse(name), params)

    assert response.status_code == 400
    html = response.content.decode()
    assert field in html and ("whole number" in html or "Must be" in html)
    assert AuditEvent.objects.count() == before


def test_arabic_indic_digits_are_not_taken_as_an_owner(admin, manager):
    # given a lead of user 3's... whoever: "٣" must never be read as the id 3
    response = client_for(admin).get(reverse("sales:lead-list"), {"owner": "٣"})

    assert response.status_code == 400
    assert 'data-record="lead-' not in response.content.decode()


def test_contact_bulk_assign_to_a_superscript_owner_is_refused_and_changes_nothing(head):
    contact = ContactFactory(owner=head)
    client = client_for(head)

    response = client.post(
        reverse("customers:contact-bulk"),
        {"ids": [contact.pk], "action": "assign", "owner_id": "²"},
    )

    assert response.status_code == 302  # back to the list, which says why
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("user id" in m for m in said), said
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.owner_id, fresh.version) == (head.pk, contact.version)


@pytest.mark.parametrize("ids", [["٣"], ["²"], [str(2**64)], ["-1"]])
def test_bulk_ids_that_are_not_ascii_ids_are_refused(head, ids):
    contact = ContactFactory(owner=head)

    response = client_for(head).post(
        reverse("customers:contact-bulk"), {"ids": ids, "action": "tag", "tag": "vip"}
    )

    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["Must be ids."]
    assert not contact.tags.exists()


@pytest.mark.parametrize("owner_id", ["²", "٣", str(2**64)])
def test_the_new_lead_form_refuses_a_junk_owner_beside_the_field(head, owner_id):
    response = client_for(head).post(
        reverse("sales:lead-create"), {"title": "Web", "owner_id": owner_id}
    )

    assert response.status_code == 422
    assert 'id="err-owner_id"' in response.content.decode()
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "name", ["customers:contact-list", "customers:company-list", "activities:activity-list"]
)
@pytest.mark.parametrize("ordering", ["", "name", "subject"])
def test_a_forged_cursor_is_a_422_on_the_list_pages(admin, name, ordering):
    if ordering == "subject" and name != "activities:activity-list":
        ordering = "name"
    if ordering == "name" and name == "activities:activity-list":
        ordering = "subject"
    ContactFactory(owner=admin)

    response = client_for(admin).get(reverse(name), {"cursor": FORGED_CURSOR, "ordering": ordering})

    assert response.status_code == 422
    assert "The cursor is not valid for this list." in response.content.decode()


@pytest.mark.parametrize("resource", ["contacts", "companies", "activities", "leads", "deals"])
def test_a_forged_cursor_is_a_422_in_the_api_error_shape(api, admin, resource):
    response = api(admin).get(f"/{resource}", {"cursor": FORGED_CURSOR})

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The cursor is not valid for this list.",
        "errors": [{"field": "cursor", "message": "The cursor is not valid for this list."}],
    }


def test_a_junk_version_on_the_activity_drop_is_a_422_and_moves_nothing(admin):
    from tests.factories import ActivityFactory

    activity = ActivityFactory(owner=admin)
    before = (activity.start_at, activity.due_at, activity.version)

    response = client_for(admin).post(
        reverse("activities:reschedule", args=[activity.pk]),
        {"start": "2026-03-04T10:00", "version": "٣"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    fresh = Activity.objects.get(pk=activity.pk)
    assert (fresh.start_at, fresh.due_at, fresh.version) == before
