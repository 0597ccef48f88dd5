"""The registry of record types: each app describes its own, and core reads only that."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kliento.core import records, visibility
from kliento.core.actors import Actor
from kliento.core.attachments import attachment_create
from kliento.core.audit import record
from kliento.core.choices import AuditAction, Role, Scope
from kliento.core.customfields import custom_field_create
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.models import AuditEvent, CustomField
from tests.records_app.models import Ticket

PRODUCT_TYPES = ["company", "contact", "lead", "deal", "activity"]


def _index_fields(model):
    return {ix.name: list(ix.fields) for ix in model._meta.indexes}


@pytest.mark.parametrize("name", PRODUCT_TYPES)
def test_each_declared_index_exists_and_leads_with_or_holds_its_field(name):
    spec = records.spec_for_name(name)
    indexes = _index_fields(spec.model)
    for found in spec.fields:
        if found.index is None:
            continue
        field_name = spec.model._meta.get_field(found.column).name
        assert found.index in indexes, (name, found.key, found.index)
        # the field itself, or the search key kept beside it (name -> name_key)
        columns = [f.lstrip("-") for f in indexes[found.index]]
        assert {field_name, f"{field_name}_key"} & set(columns), (name, found.key)


@pytest.mark.parametrize("name", PRODUCT_TYPES)
def test_each_field_is_typed_and_labelled_from_its_model(name):
    spec = records.spec_for_name(name)
    keys = [f.key for f in spec.fields]
    assert len(keys) == len(set(keys)), "a key is declared twice"
    for found in spec.fields:
        assert str(found.label)
        if found.type == "choice":
            assert found.choices, found.key
        if found.type == "ref":
            assert found.ref, found.key  # what it points to is known


def test_types_come_from_the_model_unless_the_app_says_otherwise():
    by_key = {f.key: f for f in records.spec_for_name("deal").fields}

    assert by_key["amount"].type == "money"  # declared: its currency is another column
    assert by_key["expected_close_date"].type == "date"
    assert by_key["closed_at"].type == "datetime"
    assert by_key["owner"].type == "user"
    assert by_key["team"].type == "team"
    assert (by_key["company"].type, by_key["company"].ref) == ("ref", "company")
    assert (by_key["stage"].type, by_key["stage"].ref) == ("ref", "stage")
    assert by_key["status"].type == "choice"
    assert ("won", "won") in [(v, str(label).lower()) for v, label in by_key["status"].choices]
    assert by_key["owner"].column == "owner_id"


@pytest.mark.django_db
def test_a_field_named_by_a_request_maps_to_its_column_only_through_the_registry():
    assert records.field("deal", "amount", "sum").column == "amount"
    assert records.field("contact", "name", "sort").column == "name_key"
    assert records.field("deal", "stage", "group").column == "stage_id"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    [
        "owner__password",  # an ORM path through a relation
        "owner__username__startswith",
        "__class__",
        "custom",  # the JSON column itself
        "version",  # a model field nobody declared
        "x" * 10_000,
        "amount; DROP TABLE sales_deal",
        None,
        42,
        ["amount"],
    ],
)
def test_a_name_that_is_not_declared_is_refused_with_the_choices(key):
    with pytest.raises(ValidationFailed) as caught:
        records.field("deal", key, "filter")

    [error] = caught.value.errors
    assert error.field == "field"
    assert "amount" in error.message  # the fields that may be filtered are named


@pytest.mark.django_db
def test_a_declared_field_is_refused_for_what_it_may_not_do():
    assert records.field("deal", "amount", "sum")
    with pytest.raises(ValidationFailed):
        records.field("deal", "amount", "group")  # an amount is summed, not grouped
    with pytest.raises(ValidationFailed):
        records.field("contact", "impressions", "export")  # personal notes stay in Kliento


def test_an_unknown_record_type_is_a_422_naming_the_known_ones():
    with pytest.raises(ValidationFailed) as caught:
        records.field("invoice", "amount", "sum")

    [error] = caught.value.errors
    assert error.field == "record_type"
    assert "deal" in error.message


@pytest.mark.django_db
def test_custom_fields_join_the_description_at_run_time(admin):
    actor = Actor.of_user(admin)
    custom_field_create(actor=actor, record_type="deal", key="windows", label="Windows",
                        field_type="number")  # fmt: skip
    custom_field_create(actor=actor, record_type="deal", key="colour", label="Colour",
                        field_type="choice", choices=["white", "oak"])  # fmt: skip

    windows = records.field("deal", "custom.windows", "sum")
    colour = records.field("deal", "custom.colour", "group")

    assert (windows.type, windows.column, windows.custom) == ("number", "custom", True)
    assert colour.choices == (("white", "white"), ("oak", "oak"))
    with pytest.raises(ValidationFailed):
        records.field("deal", "custom.windows", "sort")  # no index serves a custom value
    with pytest.raises(ValidationFailed):
        records.field("contact", "custom.windows", "filter")  # another record type's field


@pytest.mark.django_db
def test_an_inactive_custom_field_is_no_longer_offered(admin):
    custom_field_create(actor=Actor.of_user(admin), record_type="deal", key="size",
                        label="Size", field_type="text")  # fmt: skip
    CustomField.objects.filter(key="size").update(active=False)

    assert "custom.size" not in [f.key for f in records.fields("deal")]
    with pytest.raises(ValidationFailed):
        records.field("deal", "custom.size", "filter")


def test_roles_a_record_type_does_not_name_get_the_standard_rights():
    assert records.default_rights(Role.ADMIN, "deal") == records.FULL
    assert records.default_rights(Role.READ_ONLY, "deal") == records.READ_ALL
    assert records.default_rights(Role.MARKETER, "deal").scope == Scope.NONE
    assert records.default_rights(Role.MANAGER, "nonexistent").scope == Scope.NONE


def test_a_type_is_registered_once_per_name():
    with pytest.raises(ValueError, match="already"):
        records.register(records.RecordSpec("deal", Ticket, "x", "xs"))


# --- a record type of an app that exists only in the tests ---------------------------


@pytest.mark.django_db
def test_a_new_app_record_type_is_known_everywhere_without_touching_core():
    assert "ticket" in records.names()
    assert records.names()[: len(PRODUCT_TYPES)] == PRODUCT_TYPES
    assert ("ticket", "Ticket") in records.choices()
    assert records.field("ticket", "priority", "group").type == "choice"


@pytest.mark.django_db
def test_its_rights_and_visibility_follow_its_own_defaults(make_user):
    agent = make_user(Role.SERVICE_AGENT)
    other_agent = make_user(Role.SERVICE_AGENT)
    manager = make_user(Role.MANAGER)
    mine = Ticket.objects.create(subject="Window does not close", owner=agent, team=agent.team)

    assert list(visibility.visible(agent, Ticket.objects.all())) == [mine]
    assert list(visibility.visible(other_agent, Ticket.objects.all())) == []
    assert list(visibility.visible(manager, Ticket.objects.all())) == []
    assert visibility.rights(agent, "ticket").can_create
    with pytest.raises(NotFound):
        visibility.get_visible(manager, Ticket.objects.all(), mine.pk)


@pytest.mark.django_db
def test_custom_fields_files_audit_and_timeline_work_for_it(make_user, admin):
    agent = make_user(Role.SERVICE_AGENT)
    ticket = Ticket.objects.create(subject="Handle broken", owner=agent, team=agent.team)
    actor = Actor.of_user(agent)

    custom_field_create(actor=Actor.of_user(admin), record_type="ticket", key="window_no",
                        label="Window no.", field_type="number")  # fmt: skip
    record(actor, AuditAction.CREATE, ticket, {"subject": [None, ticket.subject]})
    attachment_create(actor=actor, record_type="ticket", record_id=ticket.pk,
                      upload=SimpleUploadedFile("photo.txt", b"the handle"))  # fmt: skip

    assert records.field("ticket", "custom.window_no", "filter").type == "number"
    assert AuditEvent.objects.filter(record_type="ticket", record_id=ticket.pk).exists()
    client = Client()
    client.force_login(agent)
    page = client.get(f"/timeline/ticket/{ticket.pk}/")
    assert page.status_code == 200
    assert "photo.txt" in page.content.decode()
    # another agent may not see it, so not its timeline either
    client.force_login(make_user(Role.SERVICE_AGENT))
    assert client.get(f"/timeline/ticket/{ticket.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_settings_pages_list_it(admin):
    client = Client()
    client.force_login(admin)

    assert "Ticket" in client.get("/settings/roles/").content.decode()
    assert "Ticket" in client.get("/settings/fields/").content.decode()
