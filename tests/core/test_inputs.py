"""The shared field checks, and the one owner rule every customer-data service now follows."""

from __future__ import annotations

import datetime as dt

import pytest

from kliento.activities import services as activity_services
from kliento.activities.models import Activity
from kliento.core import inputs
from kliento.core.actors import Actor
from kliento.core.choices import Role
from kliento.core.errors import ErrorCollector, ValidationFailed
from kliento.customers import services as customer_services
from kliento.customers.models import Company, Contact
from kliento.sales import services as sales_services


@pytest.fixture
def colleague(make_user):
    """A manager in the same team as `manager`."""
    return make_user(Role.MANAGER)


@pytest.fixture
def head(make_user):
    return make_user(Role.HEAD_OF_SALES)


def fields(errors: ErrorCollector) -> list[str]:
    return [e.field for e in errors.errors]


@pytest.mark.parametrize(
    ("value", "required", "expected", "problem"),
    [
        ("  Riga  ", False, "Riga", None),
        (None, False, "", None),
        (None, True, None, "This field is required."),
        ("   ", True, None, "This field is required."),
        (5, False, None, "Must be text."),
        ("nul\x00byte", False, None, "Must not contain NUL characters."),
        ("x" * 31, False, None, "At most 30 characters."),
        ("<script>'; DROP =CMD()", False, "<script>'; DROP =CMD()", None),
    ],
)
def test_text_cleans_or_names_the_problem(value, required, expected, problem):
    errors = ErrorCollector()

    result = inputs.text(value, "name", 30, errors, required=required)

    assert result == expected
    assert [e.message for e in errors.errors] == ([problem] if problem else [])


@pytest.mark.parametrize("value", [True, "1", 1.0, None])
def test_an_id_is_a_whole_number_and_never_a_boolean(value):
    errors = ErrorCollector()
    assert inputs.is_int(value) is False
    assert inputs.version(value, errors) is None
    assert fields(errors) == ["version"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-02-28", True),
        (dt.date(2026, 2, 28), True),
        ("20260228", False),
        ("2026-W09-6", False),
    ],
)
def test_a_date_is_only_the_plain_form(value, ok):
    errors = ErrorCollector()
    assert (inputs.date(value, "d", errors) is not None) is ok
    assert bool(errors.errors) is not ok


def test_refuse_nul_looks_into_nested_objects_but_skips_custom_and_named_keys():
    errors = ErrorCollector()

    inputs.refuse_nul(
        {"a": "x\x00", "b": {"c": "\x00"}, "custom": {"k": "\x00"}, "t": "\x00"}, errors, skip={"t"}
    )

    assert fields(errors) == ["a", "b.c"]


def test_owner_of_a_new_record_is_the_caller_unless_an_assigning_role_names_someone(
    manager, colleague, head
):
    errors = ErrorCollector()
    assert inputs.owner(manager, {}, errors, current=None) == manager
    assert inputs.owner(manager, {"owner_id": None}, errors, current=None) == manager
    assert inputs.owner(head, {"owner_id": colleague.pk}, errors, current=None) == colleague
    assert not errors.errors

    assert inputs.owner(manager, {"owner_id": colleague.pk}, errors, current=None) is None
    assert [e.message for e in errors.errors] == [
        "Your role may not give a record to someone else."
    ]


def test_owner_of_a_stored_record_neither_goes_nor_is_taken_without_the_assign_right(
    manager, colleague
):
    errors = ErrorCollector()

    kept = inputs.owner(manager, {"owner_id": colleague.pk}, errors, current=colleague.pk)
    taken = inputs.owner(manager, {"owner_id": manager.pk}, errors, current=colleague.pk)
    emptied = inputs.owner(manager, {"owner_id": None}, errors, current=colleague.pk)

    assert (kept, taken, emptied) == (None, None, None)
    assert fields(errors) == ["owner_id", "owner_id"]
    assert [e.message for e in errors.errors] == [
        "Your role may not give a record to someone else.",
        "A record needs an owner.",
    ]


def test_an_inactive_user_cannot_become_an_owner(head, colleague):
    colleague.is_active = False
    colleague.save()
    errors = ErrorCollector()

    assert inputs.owner(head, {"owner_id": colleague.pk}, errors, current=None) is None
    assert [e.message for e in errors.errors] == ["No such active user."]


# --- the services now share these checks ---------------------------------------------


def test_customer_text_with_nul_is_refused_and_nothing_written(manager):
    actor = Actor.of_user(manager)
    with pytest.raises(ValidationFailed) as caught:
        customer_services.company_create(actor=actor, data={"name": "Acme\x00"})
    with pytest.raises(ValidationFailed):
        customer_services.contact_create(actor=actor, data={"last_name": "X", "notes": "\x00"})

    assert [e.field for e in caught.value.errors] == ["name"]
    assert Company.objects.count() == Contact.objects.count() == 0


def test_activity_text_with_nul_or_too_long_is_refused_and_nothing_written(manager):
    actor = Actor.of_user(manager)
    for bad in ({"subject": "nul\x00"}, {"subject": "x" * 301}, {"body": "\x00"}):
        with pytest.raises(ValidationFailed) as caught:
            activity_services.activity_create(
                actor=actor, data={"kind": "call", "subject": "Hi", **bad}
            )
        assert [e.field for e in caught.value.errors] == list(bad)
    assert Activity.objects.count() == 0


def test_an_activity_cannot_be_left_without_an_owner(manager):
    actor = Actor.of_user(manager)
    activity = activity_services.activity_create(
        actor=actor, data={"kind": "call", "subject": "Mine"}
    )

    with pytest.raises(ValidationFailed) as caught:
        activity_services.activity_update(
            actor=actor, activity_id=activity.pk, version=1, data={"owner_id": None}
        )

    assert [e.field for e in caught.value.errors] == ["owner_id"]
    activity.refresh_from_db()
    assert (activity.owner_id, activity.version) == (manager.pk, 1)


def test_a_role_that_sees_every_lead_may_still_not_take_one(manager, make_user):
    # given a marketer, who sees and edits every lead but may not assign
    marketer = make_user(Role.MARKETER)
    lead = sales_services.lead_create(actor=Actor.of_user(manager), data={"title": "Theirs"})

    with pytest.raises(ValidationFailed) as caught:
        sales_services.lead_update(
            actor=Actor.of_user(marketer),
            lead_id=lead.pk,
            version=1,
            data={"owner_id": marketer.pk},
        )

    assert [e.field for e in caught.value.errors] == ["owner_id"]
    lead.refresh_from_db()
    assert (lead.owner_id, lead.version) == (manager.pk, 1)
