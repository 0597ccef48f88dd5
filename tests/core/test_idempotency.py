"""Idempotency-Key on API POSTs: retries replay the first response and create nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from kliento.core.choices import Role
from kliento.core.idempotency import purge_expired
from kliento.core.models import Attachment, CustomField, IdempotencyKey
from tests.factories import PDF, CompanyFactory, upload

FIELD = {"record_type": "deal", "key": "frame", "label": "Frame", "field_type": "text"}


def test_a_retry_returns_the_first_response_and_creates_nothing(api, admin):
    # the retry collides on the unique (user, key) row and gets the stored response
    client = api(admin)

    first = client.post("/custom-fields", FIELD, **{"Idempotency-Key": "abc-1"})
    retry = client.post("/custom-fields", FIELD, **{"Idempotency-Key": "abc-1"})

    assert first.status_code == 201, first.content
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert CustomField.objects.count() == 1


def test_same_key_with_a_different_body_is_422(api, admin):
    client = api(admin)
    client.post("/custom-fields", FIELD, **{"Idempotency-Key": "abc-2"})

    other = client.post("/custom-fields", {**FIELD, "key": "other"}, **{"Idempotency-Key": "abc-2"})

    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert CustomField.objects.count() == 1


def test_keys_are_per_user(api, make_user):
    first_admin, second_admin = make_user(Role.ADMIN), make_user(Role.ADMIN)

    a = api(first_admin).post("/custom-fields", FIELD, **{"Idempotency-Key": "same"})
    b = api(second_admin).post(
        "/custom-fields", {**FIELD, "key": "b"}, **{"Idempotency-Key": "same"}
    )

    assert (a.status_code, b.status_code) == (201, 201)
    assert CustomField.objects.count() == 2


def test_errors_are_not_stored_so_a_corrected_retry_runs(api, admin):
    client = api(admin)

    bad = client.post("/custom-fields", {**FIELD, "key": "Bad Key"}, **{"Idempotency-Key": "k3"})
    bad_again = client.post(
        "/custom-fields", {**FIELD, "key": "Bad Key"}, **{"Idempotency-Key": "k3"}
    )
    good = client.post("/custom-fields", FIELD, **{"Idempotency-Key": "k3"})

    assert (bad.status_code, bad_again.status_code, good.status_code) == (422, 422, 201)
    assert "Idempotent-Replayed" not in bad_again
    assert CustomField.objects.count() == 1


def test_a_forbidden_request_frees_the_key(api, make_user):
    manager = make_user(Role.MANAGER)

    response = api(manager).post("/custom-fields", FIELD, **{"Idempotency-Key": "k4"})

    assert response.status_code == 403
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["x" * 201, "   "])
def test_bad_keys_are_422(api, admin, key):
    response = api(admin).post("/custom-fields", FIELD, **{"Idempotency-Key": key})

    assert response.status_code == 422
    assert CustomField.objects.count() == 0


def test_a_key_of_200_characters_is_accepted(api, admin):
    response = api(admin).post("/custom-fields", FIELD, **{"Idempotency-Key": "k" * 200})

    assert response.status_code == 201


def test_without_a_key_every_post_runs(api, admin):
    client = api(admin)
    client.post("/custom-fields", FIELD)

    again = client.post("/custom-fields", FIELD)

    assert again.status_code == 422  # the duplicate key of the field, not a replay
    assert not IdempotencyKey.objects.exists()


def test_unauthenticated_requests_pass_through_to_401(db):
    response = Client().post(
        "/api/v1/custom-fields",
        json.dumps(FIELD),
        content_type="application/json",
        headers={"Idempotency-Key": "anon"},
    )

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_concurrent_duplicate_in_progress_gets_409_and_creates_nothing(api, admin):
    # given the same request already reserved by a request still running
    client = api(admin)
    first = client.post("/custom-fields", FIELD, **{"Idempotency-Key": "race"})
    row = IdempotencyKey.objects.get(key="race")
    IdempotencyKey.objects.filter(pk=row.pk).update(status_code=None, response=None)
    CustomField.objects.all().delete()

    # when the duplicate arrives
    duplicate = client.post("/custom-fields", FIELD, **{"Idempotency-Key": "race"})

    # then it is told to retry and nothing is created
    assert first.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate["Retry-After"] == "1"
    assert CustomField.objects.count() == 0


def test_a_stale_reservation_is_taken_over(api, admin):
    client = api(admin)
    client.post("/custom-fields", FIELD, **{"Idempotency-Key": "stale"})
    CustomField.objects.all().delete()
    IdempotencyKey.objects.update(
        status_code=None, response=None, created_at=timezone.now() - dt.timedelta(hours=1)
    )

    response = client.post("/custom-fields", FIELD, **{"Idempotency-Key": "stale"})

    assert response.status_code == 201
    assert CustomField.objects.count() == 1


def test_an_upload_retry_is_replayed(api, manager):
    company = CompanyFactory(owner=manager)
    client = api(manager)

    def send():
        return client._client.post(
            "/api/v1/attachments",
            {"record_type": "company", "record_id": company.pk, "file": upload("a.pdf", PDF)},
            headers={**client._headers, "Idempotency-Key": "upload-1"},
        )

    first, second = send(), send()

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] == first.json()["id"]
    assert Attachment.objects.count() == 1


def test_session_users_are_identified_too(make_user):
    user = make_user(Role.ADMIN)
    user.save()  # the factory leaves the password unsaved; the session checks its hash
    client = Client()
    client.force_login(user)
    token = client.get("/api/v1/session/csrf").json()["csrf_token"]
    headers = {"Idempotency-Key": "sess", "X-CSRFToken": token}

    first = client.post(
        "/api/v1/custom-fields", json.dumps(FIELD), content_type="application/json", headers=headers
    )
    second = client.post(
        "/api/v1/custom-fields", json.dumps(FIELD), content_type="application/json", headers=headers
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert CustomField.objects.count() == 1
    assert IdempotencyKey.objects.get().user == user


def test_purge_forgets_old_keys(api, admin):
    api(admin).post("/custom-fields", FIELD, **{"Idempotency-Key": "old"})
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=2))

    assert purge_expired() == 1
    assert not IdempotencyKey.objects.exists()
