"""An upload names each part once: a second file is refused, never dropped in silence."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from kliento.core.attachments import clean_file_name
from kliento.core.models import Attachment, AuditEvent
from tests.factories import PDF, PNG, CompanyFactory, upload


def _stored_files() -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


@pytest.fixture
def company(manager):
    return CompanyFactory(owner=manager)


def _post(api, manager, parts):
    client = api(manager)
    return client._client.post("/api/v1/attachments", parts, headers=client._headers)


def test_two_file_parts_are_refused_and_nothing_is_stored(api, manager, company):
    before = _stored_files()
    parts = {
        "record_type": "company",
        "record_id": str(company.pk),
        "file": [upload("plan.pdf", PDF), upload("photo.png", PNG)],
    }

    response = _post(api, manager, parts)

    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "file", "message": "Send one file per request; this one has 2."}
    ]
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.exists()
    assert _stored_files() == before


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"record_id": "twice"}, "record_id"),
        ({"record_type": ["company", "company"]}, "record_type"),
        ({"note": "hello"}, "note"),
        ({"other": upload("b.pdf", PDF)}, "other"),
    ],
)
def test_repeated_or_unknown_parts_are_refused(api, manager, company, extra, field):
    parts = {"record_type": "company", "record_id": str(company.pk), "file": upload("p.pdf", PDF)}
    parts.update(extra)
    if parts["record_id"] == "twice":
        parts["record_id"] = [str(company.pk), str(company.pk)]

    response = _post(api, manager, parts)

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Attachment.objects.exists()


def test_one_file_with_its_two_fields_is_stored(api, manager, company):
    parts = {"record_type": "company", "record_id": str(company.pk), "file": upload("p.pdf", PDF)}
    assert _post(api, manager, parts).status_code == 201
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("plan\u202efdp.exe", "planfdp.exe"),
        ("\x1b[31mred.pdf", "[31mred.pdf"),
        ("a\u2066b\u2069.pdf", "ab.pdf"),
        ("zero\u200dwidth.pdf", "zero\u200dwidth.pdf"),
    ],
)
def test_a_file_name_is_cleaned_with_the_same_character_rule_as_text(sent, kept):
    assert clean_file_name(sent) == kept
