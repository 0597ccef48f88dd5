"""Attachments: upload checks (size, type by content, names), visibility, download, delete."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from kliento.core.actors import Actor
from kliento.core.api_files import content_disposition
from kliento.core.attachments import attachment_create, clean_file_name
from kliento.core.choices import AuditAction, Role
from kliento.core.models import Attachment, AuditEvent
from tests.factories import (
    CSV,
    DOCX,
    ELF,
    EXE,
    GIF,
    JPEG,
    ODT,
    PDF,
    PLAIN_ZIP,
    PNG,
    XLSX,
    CompanyFactory,
    ContactFactory,
    LeadFactory,
    TeamFactory,
    upload,
)


def _post(client, record_type, record_id, name, content):
    return client.upload(
        "/attachments",
        {"file": upload(name, content)},
        {"record_type": record_type, "record_id": str(record_id)},
    )


@pytest.fixture
def deal_owner_company(manager):
    return CompanyFactory(owner=manager)


def test_measurer_attaches_dimensions_to_a_company(api, manager, deal_owner_company):
    # given a manager and their company
    client = api(manager)

    # when they upload a PDF
    response = _post(client, "company", deal_owner_company.pk, "dimensions.pdf", PDF)

    # then it is stored with its detected type, size, hash and name
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "dimensions.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["uploaded_by_id"] == manager.pk
    stored = Attachment.objects.get(pk=body["id"])
    assert default_storage.exists(stored.file.name)
    assert "dimensions" not in stored.file.name  # the stored name never comes from the user


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        (
            "offer.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("sheet.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("letter.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("people.csv", CSV, "text/csv; charset=utf-8"),
        ("notes.txt", "Замер: 120×80 см\n".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_allowed_types_are_recognised_by_content(
    api, manager, deal_owner_company, name, content, content_type
):
    response = _post(api(manager), "company", deal_owner_company.pk, name, content)

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type


def test_type_comes_from_content_not_name(api, manager, deal_owner_company):
    # a PNG named .pdf is kept, as a PNG
    response = _post(api(manager), "company", deal_owner_company.pk, "fake.pdf", PNG)

    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", EXE),
        ("invoice.pdf", ELF),
        ("archive.zip", PLAIN_ZIP),
        ("binary.txt", b"abc\x00def"),
        ("latin1.csv", "Café".encode("latin-1")),
        ("empty.txt", b""),
    ],
)
def test_disallowed_content_is_refused_and_nothing_is_written(
    api, manager, deal_owner_company, name, content
):
    before = Attachment.objects.count()

    response = _post(api(manager), "company", deal_owner_company.pk, name, content)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert Attachment.objects.count() == before
    assert not AuditEvent.objects.filter(record_type="company").exists()


def test_oversized_file_is_refused(api, manager, deal_owner_company, settings):
    settings.KLIENTO_MAX_UPLOAD_BYTES = 100

    response = _post(api(manager), "company", deal_owner_company.pk, "big.txt", b"a" * 101)

    assert response.status_code == 422
    assert "too large" in response.json()["detail"]
    assert Attachment.objects.count() == 0


def test_file_at_the_limit_is_accepted(api, manager, deal_owner_company, settings):
    settings.KLIENTO_MAX_UPLOAD_BYTES = 100

    response = _post(api(manager), "company", deal_owner_company.pk, "ok.txt", b"a" * 100)

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("<script>.pdf", "<script>.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf"),
        ("<b>x</b>.pdf", "b>.pdf"),  # "/" separates path parts
        ("'; DROP TABLE core_attachment; --.pdf", "'; DROP TABLE core_attachment; --.pdf"),
        ("=CMD()|' -C calc'!A0.pdf", "=CMD()|' -C calc'!A0.pdf"),
    ],
)
def test_hostile_file_names_lose_path_parts_and_are_kept_verbatim(
    api, manager, deal_owner_company, given, kept
):
    response = _post(api(manager), "company", deal_owner_company.pk, given, PDF)

    assert response.status_code == 201, response.content
    assert response.json()["name"] == kept
    stored = Attachment.objects.get(pk=response.json()["id"])
    assert stored.original_name == kept
    assert ".." not in stored.file.name and "<" not in stored.file.name


def test_clean_file_name_rules():
    assert clean_file_name("a/b/c.pdf") == "c.pdf"
    assert clean_file_name("..") == "file"
    assert clean_file_name("") == "file"
    assert clean_file_name("bad\x00\x1fname.pdf") == "badname.pdf"
    long_name = "x" * 300 + ".pdf"
    assert clean_file_name(long_name).endswith(".pdf")
    assert len(clean_file_name(long_name)) == 255


def test_unknown_record_type_is_422(api, manager):
    response = _post(api(manager), "spaceship", 1, "a.pdf", PDF)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "record_type"


@pytest.mark.parametrize(
    "data",
    [
        {"record_type": "company"},  # no record_id
        {"record_type": "company", "record_id": "abc"},
    ],
)
def test_missing_or_wrong_form_fields_are_422(api, manager, deal_owner_company, data):
    client = api(manager)
    response = client.upload("/attachments", {"file": upload("a.pdf", PDF)}, data)

    assert response.status_code == 422
    assert Attachment.objects.count() == 0


def test_missing_file_is_422(api, manager, deal_owner_company):
    client = api(manager)
    response = client.upload(
        "/attachments", {}, {"record_type": "company", "record_id": str(deal_owner_company.pk)}
    )

    assert response.status_code == 422
    assert Attachment.objects.count() == 0


def test_malformed_multipart_is_refused(api, manager, deal_owner_company):
    client = api(manager)
    response = client._client.post(
        "/api/v1/attachments",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot closed',
        content_type="multipart/form-data; boundary=xyz",
        headers=client._headers,
    )

    assert response.status_code == 422
    assert Attachment.objects.count() == 0


def test_json_body_instead_of_multipart_is_422(api, manager, deal_owner_company):
    response = api(manager).post(
        "/attachments", {"record_type": "company", "record_id": deal_owner_company.pk}
    )

    assert response.status_code == 422
    assert Attachment.objects.count() == 0


def test_upload_to_an_invisible_record_is_404(api, make_user, other_team):
    # given a company owned by a manager of another team
    stranger = make_user(Role.MANAGER, team=other_team)
    company = CompanyFactory(owner=stranger)
    manager = make_user(Role.MANAGER)

    response = _post(api(manager), "company", company.pk, "a.pdf", PDF)

    assert response.status_code == 404
    assert Attachment.objects.count() == 0


def test_upload_to_a_missing_record_is_404(api, manager):
    assert _post(api(manager), "company", 999999, "a.pdf", PDF).status_code == 404


def test_upload_without_edit_right_is_403(api, make_user, manager):
    # a read-only user sees every company but may not change them
    company = CompanyFactory(owner=manager)
    reader = make_user(Role.READ_ONLY)

    response = _post(api(reader), "company", company.pk, "a.pdf", PDF)

    assert response.status_code == 403
    assert Attachment.objects.count() == 0


def test_upload_is_audited_on_the_parent(api, manager, deal_owner_company):
    response = _post(api(manager), "company", deal_owner_company.pk, "plan.pdf", PDF)

    event = AuditEvent.objects.get(record_type="company", record_id=deal_owner_company.pk)
    assert response.status_code == 201
    assert event.action == AuditAction.UPDATE
    assert event.changes == {"attachment": [None, "plan.pdf"]}
    assert event.actor_user == manager


def _attach(api, user, parent, record_type="company", name="plan.pdf", content=PDF):
    response = _post(api(user), record_type, parent.pk, name, content)
    assert response.status_code == 201, response.content
    return response.json()


def test_list_is_paginated_newest_first(api, manager, deal_owner_company):
    ids = [_attach(api, manager, deal_owner_company, name=f"{i}.pdf")["id"] for i in range(3)]
    client = api(manager)
    params = {"record_type": "company", "record_id": deal_owner_company.pk, "limit": 2}

    first = client.get("/attachments", params).json()
    second = client.get("/attachments", {**params, "cursor": first["next_cursor"]}).json()

    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    assert [i["id"] for i in second["items"]] == ids[::-1][2:]
    assert second["next_cursor"] is None


def test_list_query_count_is_fixed(api, manager, deal_owner_company, django_assert_num_queries):
    for i in range(5):
        _attach(api, manager, deal_owner_company, name=f"{i}.pdf")
    client = api(manager)
    params = {"record_type": "company", "record_id": deal_owner_company.pk}
    client.get("/attachments", params)  # token's last_used_at written once

    # token, rights, parent, page
    with django_assert_num_queries(4):
        response = client.get("/attachments", params)
    assert len(response.json()["items"]) == 5


def test_list_of_an_invisible_record_is_404(api, make_user, other_team, manager):
    stranger = make_user(Role.MANAGER, team=other_team)
    company = CompanyFactory(owner=stranger)
    _attach(api, stranger, company)

    response = api(manager).get("/attachments", {"record_type": "company", "record_id": company.pk})

    assert response.status_code == 404


def test_list_with_unknown_record_type_is_422(api, manager):
    response = api(manager).get("/attachments", {"record_type": "x", "record_id": 1})

    assert response.status_code == 422


def test_detail_and_download_of_a_visible_file(api, manager, deal_owner_company):
    created = _attach(api, manager, deal_owner_company, name="Замер окна.pdf")
    client = api(manager)

    detail = client.get(f"/attachments/{created['id']}")
    download = client.get(f"/attachments/{created['id']}/download")

    assert detail.status_code == 200
    assert detail.json()["name"] == "Замер окна.pdf"
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Замер окна.pdf", safe="") in disposition


def test_download_of_a_hostile_name_is_safe_in_the_header(api, manager, deal_owner_company):
    # given a file whose stored name tries to break out of the header
    hostile = 'a"; filename=evil.html;\r\nX-Evil: 1.pdf'
    attachment = attachment_create(
        actor=Actor.of_user(manager),
        record_type="company",
        record_id=deal_owner_company.pk,
        upload=upload(hostile, PDF),
    )

    response = api(manager).get(f"/attachments/{attachment.pk}/download")

    disposition = response["Content-Disposition"]
    assert attachment.original_name == 'a"; filename=evil.html;X-Evil: 1.pdf'
    # the quote and semicolons cannot end the quoted fallback; the exact name is percent-encoded
    assert disposition == (
        'attachment; filename="a__ filename=evil.html_X-Evil: 1.pdf"; '
        "filename*=UTF-8''a%22%3B%20filename%3Devil.html%3BX-Evil%3A%201.pdf"
    )
    assert not response.has_header("X-Evil")


def test_content_disposition_of_a_non_ascii_name():
    header = content_disposition("Смета №1.pdf")

    assert header == (
        'attachment; filename="_____ _1.pdf"; '
        "filename*=UTF-8''%D0%A1%D0%BC%D0%B5%D1%82%D0%B0%20%E2%84%961.pdf"
    )


def test_text_is_served_as_plain_text_attachment(api, manager, deal_owner_company):
    created = _attach(
        api, manager, deal_owner_company, name="x.html", content=b"<script>1</script>"
    )

    response = api(manager).get(f"/attachments/{created['id']}/download")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_detail_and_download_of_an_invisible_file_are_404(api, make_user, other_team, manager):
    stranger = make_user(Role.MANAGER, team=other_team)
    company = CompanyFactory(owner=stranger)
    created = _attach(api, stranger, company)
    client = api(manager)

    assert client.get(f"/attachments/{created['id']}").status_code == 404
    assert client.get(f"/attachments/{created['id']}/download").status_code == 404
    assert client.delete(f"/attachments/{created['id']}").status_code == 404
    assert Attachment.objects.filter(pk=created["id"]).exists()


def test_team_member_sees_a_teammates_company_file(api, make_user, manager):
    # managers see their team's companies
    colleague = make_user(Role.MANAGER)
    company = CompanyFactory(owner=colleague)
    created = _attach(api, colleague, company)

    assert api(manager).get(f"/attachments/{created['id']}/download").status_code == 200


def test_manager_does_not_see_another_managers_lead_file(api, make_user, manager):
    # leads are own-only for managers, even within the team
    colleague = make_user(Role.MANAGER)
    lead = LeadFactory(owner=colleague)
    created = _attach(api, colleague, lead, record_type="lead")

    assert api(manager).get(f"/attachments/{created['id']}").status_code == 404


def test_delete_removes_row_and_file_and_is_audited(
    api, manager, deal_owner_company, django_capture_on_commit_callbacks
):
    created = _attach(api, manager, deal_owner_company)
    stored_name = Attachment.objects.get(pk=created["id"]).file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).delete(f"/attachments/{created['id']}")

    assert response.status_code == 204
    assert not Attachment.objects.filter(pk=created["id"]).exists()
    assert not default_storage.exists(stored_name)
    last = AuditEvent.objects.filter(record_type="company").order_by("-id").first()
    assert last.changes == {"attachment": ["plan.pdf", None]}


def test_delete_without_edit_right_is_403(api, make_user, manager, deal_owner_company):
    created = _attach(api, manager, deal_owner_company)
    reader = make_user(Role.READ_ONLY)

    response = api(reader).delete(f"/attachments/{created['id']}")

    assert response.status_code == 403
    assert Attachment.objects.filter(pk=created["id"]).exists()


def test_missing_attachment_is_404(api, manager):
    assert api(manager).get("/attachments/424242").status_code == 404
    assert api(manager).get("/attachments/424242/download").status_code == 404


def test_anonymous_upload_is_401(api, deal_owner_company):
    response = Client().post(
        "/api/v1/attachments",
        {
            "record_type": "company",
            "record_id": deal_owner_company.pk,
            "file": upload("a.pdf", PDF),
        },
    )

    assert response.status_code == 401


def test_contact_files_follow_contact_visibility(api, make_user, manager):
    other = make_user(Role.MANAGER, team=TeamFactory(name="West"))
    contact = ContactFactory(owner=other)
    created = _attach(api, other, contact, record_type="contact")

    assert api(manager).get(f"/attachments/{created['id']}").status_code == 404
    admin_client = api(make_user(Role.ADMIN))
    assert admin_client.get(f"/attachments/{created['id']}").status_code == 200
