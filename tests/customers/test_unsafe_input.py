"""Control and text-direction characters and foreign URL schemes are refused; nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core.actors import Actor
from kliento.core.models import AuditEvent
from kliento.customers import services
from kliento.customers.models import Channel, Company, Contact, ImportantDate, Tag
from tests.customers.forms import company_form
from tests.factories import CustomFieldFactory

# An escape, the right-to-left override, an isolate, a C1 control, a bell, a lone surrogate.
# Each sits inside the text: blanks around a text (NEL among them) are trimmed, as ever.
UNSAFE = ["\x1b[31m", "\u202e", "\u2066", "\x85", "\x07", "\ud800"]


def _company(user, **extra) -> Company:
    return services.company_create(actor=Actor.of_user(user), data={"name": "Logi SIA", **extra})


def _refused(response, field: str) -> bool:
    fields = [e["field"] for e in response.json()["errors"]]
    return response.status_code == 422 and field in fields


@pytest.mark.parametrize("char", UNSAFE)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"last_name": "Bērz{c}iņa"}, "last_name"),
        ({"last_name": "B", "first_name": "An{c}na"}, "first_name"),
        ({"last_name": "B", "job_title": "C{c}EO"}, "job_title"),
        ({"last_name": "B", "notes": "line one\n{c}two"}, "notes"),
        ({"last_name": "B", "tags": ["v{c}ip"]}, "tags.0"),
        ({"last_name": "B", "emails": [{"value": "a@b.lv", "label": "w{c}rk"}]}, "emails.0.label"),
        ({"last_name": "B", "addresses": [{"value": "Rīga{c} 1"}]}, "addresses.0.value"),
        (
            {"last_name": "B", "important_dates": [{"label": "d{c}ay", "date": "2020-01-01"}]},
            "important_dates.0.label",
        ),
    ],
)
def test_a_contact_with_unsafe_characters_is_refused_and_nothing_is_written(
    api, manager, char, body, field
):
    data = {
        k: (
            v.format(c=char)
            if isinstance(v, str)
            else [
                i.format(c=char)
                if isinstance(i, str)
                else {ik: iv.format(c=char) for ik, iv in i.items()}
                for i in v
            ]
        )
        for k, v in body.items()
    }

    response = api(manager).post("/contacts", data)

    assert _refused(response, field), response.content
    assert not Contact.objects.exists()
    assert not Channel.objects.exists() and not Tag.objects.exists()
    assert not ImportantDate.objects.exists()


def test_the_message_names_the_character(api, manager):
    response = api(manager).post("/contacts", {"last_name": "a\u202egpj.exe"})
    assert response.json()["errors"][0]["message"] == (
        "Must not contain control or text-direction characters (found U+202E)."
    )


@pytest.mark.parametrize("char", ["\n", "\r", "\t"])
def test_a_name_is_one_line(api, manager, char):
    response = api(manager).post("/companies", {"name": f"Logi{char}SIA"})
    assert _refused(response, "name")
    assert not Company.objects.exists()


def test_notes_keep_their_lines_and_tabs(api, manager):
    notes = "Measured the windows.\r\n\tKitchen: 120 × 80\nRTL: \u200fעברית"
    response = api(manager).post("/companies", {"name": "Logi SIA", "notes": notes})
    assert response.status_code == 201
    assert Company.objects.get().notes == notes


@pytest.mark.parametrize("char", UNSAFE)
def test_an_update_with_unsafe_characters_changes_nothing(api, manager, char):
    company = _company(manager, region="Rīga")
    events = AuditEvent.objects.count()

    response = api(manager).patch(
        f"/companies/{company.pk}", {"version": 1, "name": f"New{char}name", "region": "Cēsis"}
    )

    assert _refused(response, "name")
    company.refresh_from_db()
    assert (company.name, company.region, company.version) == ("Logi SIA", "Rīga", 1)
    assert AuditEvent.objects.count() == events


def test_a_custom_text_value_with_unsafe_characters_is_refused(api, manager):
    CustomFieldFactory(record_type="company", key="size", label="Size")
    response = api(manager).post("/companies", {"name": "Logi", "custom": {"size": "L\x1b"}})
    assert _refused(response, "custom.size")
    assert not Company.objects.exists()


def test_the_company_form_refuses_unsafe_characters_and_writes_nothing(manager):
    client = Client()
    client.force_login(manager)
    response = client.post(reverse("customers:company-create"), company_form(name="Logi\u202eSIA"))
    assert response.status_code == 422
    assert "U+202E" in response.content.decode()
    assert not Company.objects.exists()


# --- web sites -----------------------------------------------------------------------------

BAD_WEBSITES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.com",
    "//evil.example",
    "https://",
    "https://user@evil.example",
    "https://example.com:99999",
    "localhost",
]
GOOD_WEBSITES = ["https://logi.lv", "http://logi.lv/about?x=1#top", "HTTPS://LOGI.LV", "logi.lv"]


@pytest.mark.parametrize("website", BAD_WEBSITES)
def test_a_web_site_is_http_or_https_only(api, manager, website):
    response = api(manager).post("/companies", {"name": "Logi", "website": website})
    assert _refused(response, "website"), response.content
    assert not Company.objects.exists()


@pytest.mark.parametrize("website", BAD_WEBSITES[:3])
def test_an_update_to_a_bad_web_site_keeps_the_old_one(api, manager, website):
    company = _company(manager, website="https://logi.lv")
    response = api(manager).patch(f"/companies/{company.pk}", {"version": 1, "website": website})
    assert _refused(response, "website")
    company.refresh_from_db()
    assert (company.website, company.version) == ("https://logi.lv", 1)


@pytest.mark.parametrize("website", GOOD_WEBSITES)
def test_http_and_https_addresses_and_host_names_are_kept_as_typed(api, manager, website):
    response = api(manager).post("/companies", {"name": "Logi", "website": website})
    assert response.status_code == 201
    assert Company.objects.get().website == website


def test_a_web_site_can_be_cleared(api, manager):
    company = _company(manager, website="https://logi.lv")
    response = api(manager).patch(f"/companies/{company.pk}", {"version": 1, "website": ""})
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.website == ""


def test_the_company_form_refuses_a_javascript_address(manager):
    client = Client()
    client.force_login(manager)
    form = company_form(name="Logi", website="javascript:alert(1)")
    response = client.post(reverse("customers:company-create"), form)
    assert response.status_code == 422
    assert "http or https" in response.content.decode()
    assert not Company.objects.exists()


def test_the_api_declares_the_web_site_rule(api, manager):
    schema = api(manager).get("/openapi.json").json()
    website = schema["components"]["schemas"]["CompanyIn"]["properties"]["website"]
    declared = [website, *website.get("anyOf", [])]
    assert any("pattern" in part for part in declared)
