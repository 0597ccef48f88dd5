"""Renaming, deactivating and reactivating won/lost reasons: service, API and settings page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.errors import NotFound, PermissionDenied, ValidationFailed
from kliento.sales import services
from kliento.sales.choices import ReasonKind
from kliento.sales.models import Deal, DealReason
from tests.factories import DealReasonFactory, UserFactory, deal_for, stage_of

HOSTILE = "<script>alert(1)</script>"
HTMX = {"HX-Request": "true"}
NOT_ADMIN = [r for r in Role.values if r != Role.ADMIN]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reasons() -> list[tuple[str, str, bool]]:
    return list(DealReason.objects.order_by("pk").values_list("kind", "name", "active"))


def _edit_url(reason: DealReason) -> str:
    return reverse("sales:settings-reason-edit", args=[reason.pk])


# --- the service -------------------------------------------------------------------------


def test_admin_renames_deactivates_and_reactivates_a_reason(admin, lost_reason):
    actor = Actor.of_user(admin)

    renamed = services.deal_reason_update(actor=actor, reason_id=lost_reason.pk, name="  Price ")
    assert (renamed.name, renamed.active) == ("Price", True)

    services.deal_reason_update(actor=actor, reason_id=lost_reason.pk, active=False)
    assert _reasons() == [("lost", "Price", False)]

    services.deal_reason_update(actor=actor, reason_id=lost_reason.pk, active=True)
    assert _reasons() == [("lost", "Price", True)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00"}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Best price "}, "name"),  # another reason of the kind has it
        ({"active": "no"}, "active"),
        ({"active": 0}, "active"),
        ({"name": "Fine", "active": "yes"}, "active"),  # nothing is written
    ],
)
def test_bad_changes_are_refused_by_field(admin, lost_reason, changes, field):
    DealReasonFactory(kind=ReasonKind.LOST, name="Best price")
    before = _reasons()

    with pytest.raises(ValidationFailed) as caught:
        services.deal_reason_update(actor=Actor.of_user(admin), reason_id=lost_reason.pk, **changes)

    assert field in {e.field for e in caught.value.errors}
    assert _reasons() == before


def test_the_same_name_is_allowed_in_the_other_kind_and_for_itself(admin, lost_reason):
    DealReasonFactory(kind=ReasonKind.WON, name="Best price")
    actor = Actor.of_user(admin)

    services.deal_reason_update(actor=actor, reason_id=lost_reason.pk, name="Best price")
    services.deal_reason_update(actor=actor, reason_id=lost_reason.pk, name="Best price")

    assert DealReason.objects.get(pk=lost_reason.pk).name == "Best price"


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_only_an_admin_changes_reasons(make_user, lost_reason, role):
    with pytest.raises(PermissionDenied):
        services.deal_reason_update(
            actor=Actor.of_user(make_user(role)), reason_id=lost_reason.pk, active=False
        )
    assert _reasons() == [("lost", "Too expensive", True)]


def test_an_unknown_reason_is_not_found(admin):
    with pytest.raises(NotFound):
        services.deal_reason_update(actor=Actor.of_user(admin), reason_id=999999, name="X")


# --- the API -----------------------------------------------------------------------------


def test_api_patch_renames_and_deactivates(api, admin, manager, lost_reason):
    url = f"/deal-reasons/{lost_reason.pk}"

    assert api(manager).patch(url, {"active": False}).status_code == 403
    response = api(admin).patch(url, {"name": "Price", "active": False})

    assert response.status_code == 200
    assert response.json() == {
        "id": lost_reason.pk,
        "kind": "lost",
        "name": "Price",
        "active": False,
    }
    assert api(admin).patch(url, {}).json()["name"] == "Price"  # nothing asked, nothing changed


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x" * 201},
        {"name": ""},
        {"active": "false"},  # a string is no boolean
        {"active": 1},
        {"kind": "won"},  # the kind is not changed
        {"name": "Fine", "extra": 1},
    ],
)
def test_api_patch_refuses_bad_bodies(api, admin, lost_reason, body):
    response = api(admin).patch(f"/deal-reasons/{lost_reason.pk}", body)

    assert response.status_code == 422
    assert _reasons() == [("lost", "Too expensive", True)]


def test_api_patch_of_an_unknown_reason_is_404(api, admin):
    assert api(admin).patch("/deal-reasons/999999", {"active": False}).status_code == 404


# --- the settings page -------------------------------------------------------------------


def test_the_page_offers_rename_and_deactivate_and_shows_inactive_ones_muted(admin, lost_reason):
    inactive = DealReasonFactory(kind=ReasonKind.WON, name="Old friend", active=False)

    html = _client(admin).get(reverse("sales:settings-reasons")).content.decode()

    active_row = re.search(rf'<li id="reason-{lost_reason.pk}".*?</li>', html, re.DOTALL)
    inactive_row = re.search(rf'<li id="reason-{inactive.pk}".*?</li>', html, re.DOTALL)
    assert active_row and inactive_row
    assert 'value="Too expensive"' in active_row[0] and "Deactivate" in active_row[0]
    assert 'class="grow"' in active_row[0]
    assert 'class="grow muted"' in inactive_row[0]  # the name of an inactive one is muted
    assert "Reactivate" in inactive_row[0] and "Inactive" in inactive_row[0]


def test_a_plain_post_renames_and_goes_back_to_the_list(admin, lost_reason):
    response = _client(admin).post(_edit_url(lost_reason), {"name": HOSTILE})

    assert response.status_code == 302
    assert response["Location"] == reverse("sales:settings-reasons")
    html = _client(admin).get(reverse("sales:settings-reasons")).content.decode()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_htmx_deactivates_and_gets_the_row_back(admin, lost_reason):
    client = _client(admin)

    off = client.post(_edit_url(lost_reason), {"active": "false"}, headers=HTMX)

    assert off.status_code == 200
    row = off.content.decode().strip()
    assert row.startswith(f'<li id="reason-{lost_reason.pk}"') and row.endswith("</li>")
    assert "Reactivate" in row and "<html" not in row
    assert _reasons() == [("lost", "Too expensive", False)]

    on = client.post(_edit_url(lost_reason), {"active": "true"}, headers=HTMX)

    assert "Deactivate" in on.content.decode()
    assert _reasons() == [("lost", "Too expensive", True)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "A name of 1 to 200 characters is required."),
        ({"name": "x" * 201}, "A name of 1 to 200 characters is required."),
        ({"name": "Slow"}, "This reason exists already."),
        ({"active": "maybe"}, "Invalid value."),
        ({"name": "Fine", "active": "1 OR 1=1"}, "Invalid value."),
    ],
)
def test_bad_edits_show_the_error_on_the_row(admin, lost_reason, data, message):
    DealReasonFactory(kind=ReasonKind.LOST, name="Slow")
    before = _reasons()
    client = _client(admin)

    row = client.post(_edit_url(lost_reason), data, headers=HTMX)
    page = client.post(_edit_url(lost_reason), data)

    assert row.status_code == page.status_code == 422
    assert message in row.content.decode() and "<html" not in row.content.decode()
    html = page.content.decode()
    assert f'id="err-reason-{lost_reason.pk}"' in html and message in html
    if "name" in data:  # the posted name is kept in the field
        assert f'value="{data["name"]}"' in html
    assert _reasons() == before


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_other_roles_may_not_edit_reasons(lost_reason, role):
    client = _client(UserFactory(role=role))

    for data in ({"name": "Sneaky"}, {"active": "false"}):
        assert client.post(_edit_url(lost_reason), data).status_code == 403
    assert _reasons() == [("lost", "Too expensive", True)]


def test_editing_an_unknown_reason_is_404_and_get_is_not_allowed(admin, lost_reason):
    client = _client(admin)

    assert (
        client.post(reverse("sales:settings-reason-edit", args=[999999]), {"name": "X"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("sales:settings-reason-edit", args=[999999]), {"active": "maybe"}
        ).status_code
        == 404
    )
    assert client.get(_edit_url(lost_reason)).status_code == 405


# --- what deactivating means for deals ---------------------------------------------------


def test_an_inactive_reason_is_not_offered_on_the_board_but_kept_on_closed_deals(
    admin, pipeline, lost_reason
):
    other = DealReasonFactory(kind=ReasonKind.LOST, name="Went elsewhere")
    deal = deal_for(admin, pipeline)
    client = _client(admin)
    moved = client.post(
        reverse("sales:deal-move", args=[deal.pk]),
        {
            "stage_id": stage_of(pipeline, "Lost").pk,
            "version": deal.version,
            "lost_reason_id": lost_reason.pk,
        },
        headers=HTMX,
    )
    assert moved.status_code == 200

    client.post(_edit_url(lost_reason), {"active": "false"})

    board = client.get(reverse("sales:board"), {"pipeline": pipeline.pk}).content.decode()
    dialog = re.search(r'<select id="reason-lost".*?</select>', board, re.DOTALL)
    assert dialog is not None
    assert f'value="{other.pk}"' in dialog[0] and f'value="{lost_reason.pk}"' not in dialog[0]
    card = client.get(reverse("sales:deal-detail", args=[deal.pk])).content.decode()
    assert "Too expensive" in card
    assert Deal.objects.get(pk=deal.pk).lost_reason_id == lost_reason.pk
    # and a new move cannot pick it
    fresh = deal_for(admin, pipeline)
    refused = client.post(
        reverse("sales:deal-move", args=[fresh.pk]),
        {
            "stage_id": stage_of(pipeline, "Lost").pk,
            "version": fresh.version,
            "lost_reason_id": lost_reason.pk,
        },
        headers=HTMX,
    )
    assert refused.status_code == 422
