"""Every error that leaves the API is JSON in its shape: oversized bodies, crashes, odd paths."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from kliento.core.models import Attachment, IdempotencyKey
from kliento.customers.models import Company, Contact
from tests.factories import PDF, CompanyFactory, upload

MB = 1024 * 1024


def _is_error_shape(response) -> bool:
    body = response.json()
    return (
        response["Content-Type"].startswith("application/json")
        and isinstance(body.get("detail"), str)
        and isinstance(body.get("errors"), list)
    )


@pytest.mark.parametrize("megabytes", [6, 30])
@pytest.mark.parametrize("idempotent", [False, True])
def test_a_json_body_over_the_limit_is_a_413_in_the_error_shape(
    api, manager, megabytes, idempotent
):
    body = json.dumps({"last_name": "x" * (megabytes * MB)})
    headers = {"Idempotency-Key": "big-1"} if idempotent else {}

    response = api(manager).post("/contacts", body, **headers)

    assert response.status_code == 413
    assert _is_error_shape(response)
    assert response.json()["errors"][0]["field"] == "body"
    assert not Contact.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("idempotent", [False, True])
def test_a_multipart_upload_with_1500_fields_is_a_413_in_the_error_shape(api, manager, idempotent):
    company = CompanyFactory(owner=manager)
    client = api(manager)
    fields = {f"f{i}": "x" for i in range(1500)}
    headers = {**client._headers, **({"Idempotency-Key": "many-1"} if idempotent else {})}

    response = client._client.post(
        "/api/v1/attachments",
        {
            **fields,
            "record_type": "company",
            "record_id": str(company.pk),
            "file": upload("a.pdf", PDF),
        },
        headers=headers,
    )

    assert response.status_code == 413
    assert _is_error_shape(response)
    assert "1000" in response.json()["errors"][0]["message"]
    assert not Attachment.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_page_still_answers_a_body_over_the_limit_with_its_own_400(manager):
    client = Client()
    client.force_login(manager)
    response = client.post("/companies/new/", {"name": "x" * (6 * MB)})
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")
    assert not Company.objects.exists()


@pytest.fixture
def crashing_list(monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("kliento.customers.api.selectors.contact_list", crash)


@pytest.mark.parametrize("debug", [False, True])
def test_a_crash_in_a_route_is_a_500_in_the_error_shape(api, manager, crashing_list, debug):
    client = api(manager)
    client._client = Client(raise_request_exception=False)

    with override_settings(DEBUG=debug):
        response = client.get("/contacts")

    assert response.status_code == 500
    assert _is_error_shape(response)
    assert "a bug" not in response.content.decode()  # no traceback leaves the server


@override_settings(DEBUG=False)
def test_an_unknown_api_path_is_a_404_in_the_error_shape(api, manager):
    response = api(manager).get("/no-such-thing")
    assert response.status_code == 404
    assert _is_error_shape(response)


@override_settings(DEBUG=False)
def test_a_method_a_path_does_not_take_is_a_405_in_the_error_shape(api, manager):
    response = api(manager).put("/contacts", {"last_name": "X"})
    assert response.status_code == 405
    assert _is_error_shape(response)
    assert "GET" in response["Allow"]
    assert not Contact.objects.exists()


@override_settings(DEBUG=False)
def test_a_bad_host_is_a_400_in_the_error_shape(api, manager):
    response = api(manager).get("/contacts", None, Host="evil.example")
    assert response.status_code == 400
    assert _is_error_shape(response)


@override_settings(DEBUG=False)
def test_pages_keep_their_html_error_pages(manager):
    client = Client()
    client.force_login(manager)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
