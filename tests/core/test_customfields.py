"""Custom fields: value validation and filters for every type, and the definitions API."""

from __future__ import annotations

import pytest

from kliento.core.choices import Role
from kliento.core.customfields import clean_custom, filter_q
from kliento.core.errors import ValidationFailed
from kliento.core.models import CustomField, FieldType
from kliento.customers.models import Contact
from tests.factories import ContactFactory, CustomFieldFactory


@pytest.fixture
def fields(db):
    """One field of every type on contacts."""
    return {
        "note": CustomFieldFactory(key="note", field_type=FieldType.TEXT),
        "cups": CustomFieldFactory(key="cups", field_type=FieldType.NUMBER),
        "budget": CustomFieldFactory(key="budget", field_type=FieldType.MONEY),
        "since": CustomFieldFactory(key="since", field_type=FieldType.DATE),
        "size": CustomFieldFactory(
            key="size", field_type=FieldType.CHOICE, choices=["small", "large", "большой"]
        ),
        "rooms": CustomFieldFactory(
            key="rooms",
            field_type=FieldType.MULTI_CHOICE,
            choices=["kitchen", "Kitchen", "bath", "кухня", "bath room"],
        ),
        "vip": CustomFieldFactory(key="vip", field_type=FieldType.YES_NO),
    }


# --- clean_custom --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "given", "stored"),
    [
        ("note", "<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("note", "'; DROP TABLE x; --", "'; DROP TABLE x; --"),
        ("note", "=CMD()", "=CMD()"),
        ("cups", 3, 3),
        ("cups", 2.5, 2.5),
        ("budget", "1200.5", "1200.50"),
        ("budget", 99, "99.00"),
        ("since", "2024-02-29", "2024-02-29"),
        ("size", "большой", "большой"),
        ("rooms", ["bath", "kitchen", "bath"], ["kitchen", "bath"]),
        ("vip", True, True),
        ("vip", False, False),
    ],
)
def test_clean_custom_accepts_and_normalises_each_type(fields, key, given, stored):
    assert clean_custom("contact", {key: given}) == {key: stored}


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("note", 5),
        ("note", "x" * 2001),
        ("note", "nul\x00byte"),
        ("cups", "3"),
        ("cups", True),
        ("cups", float("nan")),
        ("cups", float("inf")),
        ("cups", 10**16),
        ("budget", "lots"),
        ("budget", True),
        ("budget", "1e13"),
        ("budget", "NaN"),
        ("since", "2024-02-30"),
        ("since", "20240101"),
        ("since", "2024-W01-1"),
        ("since", 20240101),
        ("size", "medium"),
        ("size", ["small"]),
        ("rooms", "kitchen"),
        ("rooms", ["garage"]),
        ("rooms", [{"a": 1}]),
        ("vip", "yes"),
        ("vip", 1),
    ],
)
def test_clean_custom_refuses_wrong_values_with_the_field_named(fields, key, given):
    with pytest.raises(ValidationFailed) as error:
        clean_custom("contact", {key: given})

    assert [e.field for e in error.value.errors] == [f"custom.{key}"]


def test_clean_custom_unknown_key_and_non_object(fields):
    with pytest.raises(ValidationFailed) as error:
        clean_custom("contact", {"nope": 1})
    assert error.value.errors[0].field == "custom.nope"

    with pytest.raises(ValidationFailed):
        clean_custom("contact", ["not", "an", "object"])  # type: ignore[arg-type]


def test_clean_custom_merges_over_current_and_null_removes(fields):
    current = {"note": "old", "cups": 2}

    merged = clean_custom("contact", {"note": "new", "cups": None}, current=current)

    assert merged == {"note": "new"}


def test_clean_custom_required_field(fields):
    CustomFieldFactory(key="region_code", required=True)

    with pytest.raises(ValidationFailed) as error:
        clean_custom("contact", {"note": "x"})
    assert error.value.errors[0].field == "custom.region_code"
    assert clean_custom("contact", {"region_code": "LV"}) == {"region_code": "LV"}


def test_inactive_fields_are_unknown(fields):
    CustomField.objects.filter(key="note").update(active=False)

    with pytest.raises(ValidationFailed):
        clean_custom("contact", {"note": "x"})


# --- filter_q (runs on SQLite and PostgreSQL) ----------------------------------------


@pytest.fixture
def people(fields, manager):
    def make(name, **custom):
        return ContactFactory(owner=manager, last_name=name, custom=clean_custom("contact", custom))

    return {
        "a": make(
            "a",
            note="Hello",
            cups=3,
            budget="10.5",
            since="2024-01-02",
            size="small",
            rooms=["kitchen", "кухня"],
            vip=True,
        ),
        "b": make(
            "b",
            note="hello",
            cups=2.5,
            budget="10.50",
            since="2023-05-06",
            size="большой",
            rooms=["Kitchen", "bath room"],
            vip=False,
        ),
        "c": make("c", rooms=["bath"]),
    }


def _names(params):
    rows = Contact.objects.filter(filter_q("contact", params)).order_by("last_name")
    return [c.last_name for c in rows]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"custom.note": "Hello"}, ["a"]),
        ({"custom.cups": "3"}, ["a"]),
        ({"custom.cups": "3.0"}, ["a"]),
        ({"custom.cups": "2.5"}, ["b"]),
        ({"custom.budget": "10.5"}, ["a", "b"]),
        ({"custom.since": "2023-05-06"}, ["b"]),
        ({"custom.size": "большой"}, ["b"]),
        ({"custom.rooms": "kitchen"}, ["a"]),
        ({"custom.rooms": "Kitchen"}, ["b"]),
        ({"custom.rooms": "кухня"}, ["a"]),
        ({"custom.rooms": "bath"}, ["c"]),  # "bath" is not "bath room"
        ({"custom.rooms": "bath room"}, ["b"]),
        ({"custom.vip": "true"}, ["a"]),
        ({"custom.vip": "false"}, ["b"]),
        ({"custom.vip": "TRUE", "custom.size": "small"}, ["a"]),
        ({"custom.vip": "true", "custom.size": "большой"}, []),
        ({"q": "ignored", "custom.size": "small"}, ["a"]),
    ],
)
def test_filter_q_matches_exactly_for_every_type(people, params, expected):
    assert _names(params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"custom.unknown": "x"},
        {"custom.cups": "many"},
        {"custom.cups": "nan"},
        {"custom.cups": "inf"},
        {"custom.since": "yesterday"},
        {"custom.size": "medium"},
        {"custom.rooms": "garage"},
        {"custom.vip": "maybe"},
        {"custom.budget": "x"},
    ],
)
def test_filter_q_refuses_bad_values(people, params):
    with pytest.raises(ValidationFailed) as error:
        filter_q("contact", params)

    assert error.value.errors[0].field == next(iter(params))


def test_filter_q_without_custom_params_is_empty(fields):
    assert not filter_q("contact", {"q": "x"})


# --- the definitions API -------------------------------------------------------------

VALID = {
    "record_type": "deal",
    "key": "window_count",
    "label": "Windows",
    "field_type": "number",
}


def test_admin_defines_a_choice_field(api, admin):
    response = api(admin).post(
        "/custom-fields",
        {**VALID, "key": "frame", "field_type": "choice", "choices": ["PVC", "wood"]},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["choices"] == ["PVC", "wood"]
    assert CustomField.objects.get(pk=body["id"]).field_type == "choice"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HEAD_OF_SALES, Role.READ_ONLY])
def test_only_admins_change_definitions(api, make_user, role):
    user = make_user(role)
    field = CustomFieldFactory(key="frame")
    client = api(user)

    created = client.post("/custom-fields", VALID)
    patched = client.patch(f"/custom-fields/{field.pk}", {"label": "x"})
    deleted = client.delete(f"/custom-fields/{field.pk}")

    assert (created.status_code, patched.status_code, deleted.status_code) == (403, 403, 403)
    assert "administrator" in created.json()["detail"]
    assert CustomField.objects.count() == 1
    assert CustomField.objects.get(pk=field.pk).label == field.label


def test_anyone_signed_in_lists_definitions(api, make_user):
    CustomFieldFactory(key="a", record_type="contact")
    CustomFieldFactory(key="b", record_type="deal")
    client = api(make_user(Role.READ_ONLY))

    everything = client.get("/custom-fields").json()
    deals = client.get("/custom-fields", {"record_type": "deal"}).json()

    assert {f["key"] for f in everything} == {"a", "b"}
    assert [f["key"] for f in deals] == ["b"]
    assert client.get("/custom-fields", {"record_type": "ship"}).status_code == 422
    assert api(None).get("/custom-fields").status_code == 401


def test_list_query_count_is_fixed(api, admin, django_assert_num_queries):
    for i in range(5):
        CustomFieldFactory(key=f"k{i}")
    client = api(admin)
    client.get("/custom-fields")

    with django_assert_num_queries(2):  # token, definitions
        assert len(client.get("/custom-fields").json()) == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key": "Window Count"}, "key"),
        ({"key": "1st"}, "key"),
        ({"key": "a" * 51}, "key"),
        ({"key": "<script>"}, "key"),
        ({"record_type": "spaceship"}, "record_type"),
        ({"field_type": "colour"}, "field_type"),
        ({"label": ""}, "label"),
        ({"label": "x" * 101}, "label"),
        ({"label": "nul\x00"}, "label"),
        ({"field_type": "choice"}, "choices"),
        ({"field_type": "choice", "choices": []}, "choices"),
        ({"field_type": "multi_choice", "choices": ["a", "a"]}, "choices"),
        ({"field_type": "choice", "choices": [""]}, "choices"),
        ({"field_type": "choice", "choices": ["x" * 101]}, "choices"),
        ({"field_type": "choice", "choices": [1, 2]}, "choices"),
        ({"choices": ["a"]}, "choices"),  # a number field has no choices
        ({"required": "sometimes"}, "required"),
        ({"position": -1}, "position"),
        ({"colour": "red"}, "colour"),  # unknown field
        ({"version": 3}, "version"),
    ],
)
def test_bad_definitions_are_422_and_nothing_is_written(api, admin, change, field):
    response = api(admin).post("/custom-fields", {**VALID, **change})

    assert response.status_code == 422, response.content
    assert field in [e["field"].split(".")[0] for e in response.json()["errors"]]
    assert CustomField.objects.count() == 0


def test_malformed_json_is_422(api, admin):
    response = api(admin).post("/custom-fields", '{"key": ')

    assert response.status_code == 422
    assert CustomField.objects.count() == 0


def test_duplicate_key_per_record_type_is_422(api, admin):
    client = api(admin)
    assert client.post("/custom-fields", VALID).status_code == 201

    again = client.post("/custom-fields", VALID)
    other_type = client.post("/custom-fields", {**VALID, "record_type": "lead"})

    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "key"
    assert other_type.status_code == 201
    assert CustomField.objects.count() == 2


def test_hostile_labels_are_stored_as_given(api, admin):
    label = "<b>'; DROP TABLE x; --=CMD()"
    response = api(admin).post("/custom-fields", {**VALID, "label": label})

    assert response.status_code == 201
    assert response.json()["label"] == label
    assert CustomField.objects.get().label == label


def test_admin_patches_label_choices_and_active(api, admin):
    field = CustomFieldFactory(key="frame", field_type=FieldType.CHOICE, choices=["PVC"])
    client = api(admin)

    response = client.patch(
        f"/custom-fields/{field.pk}",
        {"label": "Frame", "choices": ["PVC", "wood"], "active": False},
    )

    assert response.status_code == 200, response.content
    field.refresh_from_db()
    assert (field.label, field.choices, field.active) == ("Frame", ["PVC", "wood"], False)


@pytest.mark.parametrize(
    "body",
    [
        {"key": "other"},
        {"field_type": "text"},
        {"choices": []},
        {"label": None},
        {"label": ""},
        {"position": "first"},
    ],
)
def test_bad_patches_are_422_and_change_nothing(api, admin, body):
    field = CustomFieldFactory(key="frame", field_type=FieldType.CHOICE, choices=["PVC"])

    response = api(admin).patch(f"/custom-fields/{field.pk}", body)

    assert response.status_code == 422, response.content
    fresh = CustomField.objects.get(pk=field.pk)
    assert (fresh.key, fresh.field_type, fresh.choices, fresh.label) == (
        "frame",
        "choice",
        ["PVC"],
        field.label,
    )


def test_admin_deletes_a_definition(api, admin):
    field = CustomFieldFactory(key="frame")
    client = api(admin)

    assert client.delete(f"/custom-fields/{field.pk}").status_code == 204
    assert not CustomField.objects.exists()
    assert client.delete(f"/custom-fields/{field.pk}").status_code == 404
    assert client.patch(f"/custom-fields/{field.pk}", {"label": "x"}).status_code == 404
    assert client.get(f"/custom-fields/{field.pk}").status_code == 404
