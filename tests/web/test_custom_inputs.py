"""One codec for custom-field inputs (core/web/custom_inputs.py), shared by every record form."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from kliento.core.models import CustomField, FieldType
from kliento.core.web import custom_inputs
from kliento.customers.models import Contact
from kliento.sales.models import Deal, Lead
from tests.customers.forms import contact_form
from tests.factories import make_pipeline


def _field(record_type: str, key: str, field_type: str, choices=()) -> CustomField:
    return CustomField.objects.create(
        record_type=record_type, key=key, label=key.title(), field_type=field_type,
        choices=list(choices),
    )  # fmt: skip


def _post(**values: str | list[str]) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in values.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    return post


def test_read_types_each_kind_and_passes_junk_on_as_text(db):
    fields = [
        _field("contact", "vip", FieldType.YES_NO),
        _field("contact", "cups", FieldType.NUMBER),
        _field("contact", "ratio", FieldType.NUMBER),
        _field("contact", "arabic", FieldType.NUMBER),
        _field("contact", "langs", FieldType.MULTI_CHOICE, ["lv", "ru"]),
        _field("contact", "note", FieldType.TEXT),
        _field("contact", "size", FieldType.CHOICE, ["S", "L"]),
    ]
    post = _post(
        **{
            "custom.vip": "yes",
            "custom.cups": "3",
            "custom.ratio": "0.5",
            "custom.arabic": "٣",
            "custom.langs": ["", "ru"],
            "custom.note": "",
        }
    )

    values = custom_inputs.read(post, fields)

    assert values == {
        "vip": True,
        "cups": 3,
        "ratio": 0.5,
        "arabic": "٣",  # not 3: the service refuses it as "Must be a number."
        "langs": ["ru"],
        "note": None,  # an empty input clears the field
    }  # `size` was not sent: it stays as it is


@pytest.mark.parametrize(("posted", "value"), [("yes", True), ("no", False), ("", None)])
def test_yes_no_is_yes_or_no_on_the_wire(db, posted, value):
    field = _field("lead", "vip", FieldType.YES_NO)

    assert custom_inputs.read(_post(**{"custom.vip": posted}), [field]) == {"vip": value}
    shown = custom_inputs.inputs([field], {"vip": value})[0]
    assert shown.value == posted


def test_inputs_show_stored_and_posted_values_alike(db):
    langs = _field("deal", "langs", FieldType.MULTI_CHOICE, ["lv", "ru"])
    size = _field("deal", "size", FieldType.CHOICE, ["S", "L"])

    stored = custom_inputs.inputs([langs, size], {"langs": ["ru"], "size": "L"})
    posted = custom_inputs.inputs([langs, size], {"langs": ["", "ru"], "size": "L"})

    for found in (stored, posted):
        assert found[0].options == [("lv", False), ("ru", True)]
        assert found[1].options == [("S", False), ("L", True)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_contact_lead_and_deal_forms_speak_the_same_yes_no(admin):
    for record_type in ("contact", "lead", "deal"):
        _field(record_type, "vip", FieldType.YES_NO)
    pipeline = make_pipeline()
    client = _client(admin)

    contact = client.post(
        reverse("customers:contact-create"), contact_form(last_name="Ok", **{"custom.vip": "yes"})
    )
    lead = client.post(reverse("sales:lead-create"), {"title": "Web", "custom.vip": "yes"})
    deal = client.post(
        reverse("sales:deal-create"),
        {"title": "Roof", "pipeline_id": pipeline.pk, "custom.vip": "yes"},
    )

    assert [r.status_code for r in (contact, lead, deal)] == [302, 302, 302]
    records = [Contact.objects.get(), Lead.objects.get(), Deal.objects.get()]
    assert [r.custom for r in records] == [{"vip": True}] * 3
    forms = [
        client.get(reverse("customers:contact-edit", args=[records[0].pk])),
        client.get(reverse("sales:lead-edit", args=[records[1].pk])),
        client.get(reverse("sales:deal-edit", args=[records[2].pk])),
    ]
    for form in forms:
        assert '<option value="yes" selected>' in form.content.decode()


@pytest.mark.parametrize("junk", ["true", "1", "٣"])
def test_a_yes_no_other_than_yes_or_no_is_refused_beside_the_field(admin, junk):
    _field("lead", "vip", FieldType.YES_NO)

    response = _client(admin).post(
        reverse("sales:lead-create"), {"title": "Web", "custom.vip": junk}
    )

    assert response.status_code == 422
    assert 'id="err-custom.vip"' in response.content.decode()
    assert not Lead.objects.exists()
