"""Sign-in: throttling per account and per address, session rotation, CSRF on session writes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from kliento.core.choices import Role
from kliento.core.models import CustomField, SignInFailure

PASSWORD = "secret-pass-123"  # tests/factories.py


@pytest.fixture
def make_user(make_user):
    # the shared factory sets the password without saving it
    def make(*args, **kwargs):
        user = make_user(*args, **kwargs)
        user.save()
        return user

    return make


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT = 3
    settings.KLIENTO_LOGIN_MAX_FAILURES_ADDRESS = 5
    settings.KLIENTO_LOGIN_LOCK_SECONDS = 600
    settings.KLIENTO_LOGIN_MAX_FAILURES_KNOWN = 4


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        "/api/v1/session",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_sign_in_sets_a_new_session_and_me_works(manager):
    client = Client()
    client.get("/api/v1/session/csrf")  # an anonymous session may already exist
    client.session.save()
    old_key = client.session.session_key

    response = _sign_in(client, manager.username, PASSWORD)

    assert response.status_code == 200, response.content
    assert response.json()["username"] == manager.username
    new_key = client.cookies["sessionid"].value
    assert new_key and new_key != old_key
    assert client.get("/api/v1/me").json()["id"] == manager.pk


def test_signing_in_as_someone_else_starts_a_new_session(manager, make_user):
    other = make_user(Role.MANAGER)
    client = Client()
    _sign_in(client, manager.username, PASSWORD)
    first = client.cookies["sessionid"].value

    _sign_in(client, other.username, PASSWORD)

    assert client.cookies["sessionid"].value != first
    assert client.get("/api/v1/me").json()["id"] == other.pk


def test_wrong_password_is_401_and_counted(manager):
    response = _sign_in(Client(), manager.username, "wrong")

    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."
    assert SignInFailure.objects.filter(username=manager.username).count() == 1


def test_unknown_user_gets_the_same_message(db):
    response = _sign_in(Client(), "nobody", "wrong")

    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."


def test_account_locks_after_repeated_failures_even_with_the_right_password(manager):
    client = Client()
    statuses = [
        _sign_in(client, manager.username, "wrong", address=f"10.0.0.{i}").status_code
        for i in range(3)
    ]

    locked = _sign_in(client, manager.username, PASSWORD, address="10.9.9.9")

    assert statuses == [401, 401, 429]
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 600
    assert locked.json()["detail"] == ("Too many failed sign-in attempts. Try again in 10 minutes.")
    assert "sessionid" not in locked.cookies


def test_refused_attempts_count_so_guessing_on_keeps_the_lock_shut(manager):
    client = Client()
    for _ in range(3):
        _sign_in(client, manager.username, "wrong", address="192.0.2.9")

    # when the guesser keeps trying through the lock
    refused = [_sign_in(client, manager.username, "wrong", address="192.0.2.9") for _ in range(3)]

    # then each refused try is counted, so the lock outlives the first failures
    assert [r.status_code for r in refused] == [429] * 3
    assert SignInFailure.objects.filter(username=manager.username).count() == 6
    first_three = SignInFailure.objects.order_by("at", "id").values_list("id", flat=True)[:3]
    SignInFailure.objects.filter(id__in=list(first_three)).update(
        at=timezone.now() - dt.timedelta(seconds=601)
    )
    assert _sign_in(client, manager.username, PASSWORD, address="192.0.2.10").status_code == 429


def test_a_stranger_cannot_lock_the_user_out_of_an_address_they_signed_in_from(manager):
    home = "203.0.113.5"
    assert _sign_in(Client(), manager.username, PASSWORD, address=home).status_code == 200
    # given a stranger who keeps the account locked from elsewhere
    for i in range(10):
        _sign_in(Client(), manager.username, "wrong", address=f"192.0.2.{i % 3}")
    assert _sign_in(Client(), manager.username, PASSWORD, address="192.0.2.50").status_code == 429

    # then the user still signs in from home
    response = _sign_in(Client(), manager.username, PASSWORD, address=home)

    assert response.status_code == 200, response.content


def test_a_known_address_has_a_limit_of_its_own(manager):
    home = "203.0.113.5"
    assert _sign_in(Client(), manager.username, PASSWORD, address=home).status_code == 200

    statuses = [
        _sign_in(Client(), manager.username, "wrong", address=home).status_code for _ in range(4)
    ]

    # four failures from home (the known-address limit), not three (the account's)
    assert statuses == [401, 401, 401, 429]
    assert _sign_in(Client(), manager.username, PASSWORD, address=home).status_code == 429


def test_an_address_is_known_only_for_the_user_who_signed_in_from_it(manager, make_user):
    other = make_user(Role.MANAGER)
    shared = "203.0.113.7"
    assert _sign_in(Client(), other.username, PASSWORD, address=shared).status_code == 200
    for _ in range(3):
        _sign_in(Client(), manager.username, "wrong", address="192.0.2.1")

    assert _sign_in(Client(), manager.username, PASSWORD, address=shared).status_code == 429


def test_the_lock_lifts_when_failures_leave_the_window(manager):
    client = Client()
    for _ in range(3):
        _sign_in(client, manager.username, "wrong")
    SignInFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=601))

    assert _sign_in(client, manager.username, PASSWORD).status_code == 200


def test_retry_after_counts_from_the_failure_that_expires_first(manager):
    client = Client()
    for _ in range(3):
        _sign_in(client, manager.username, "wrong")
    SignInFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=540))

    response = _sign_in(client, manager.username, PASSWORD)

    assert response.status_code == 429
    assert 55 <= int(response["Retry-After"]) <= 61
    assert "1 minute." in response.json()["detail"]


def test_address_locks_after_failures_on_many_accounts(make_user):
    victim = make_user(Role.MANAGER)
    client = Client()
    for i in range(5):
        _sign_in(client, f"guess{i}", "wrong", address="192.0.2.7")

    from_attacker = _sign_in(client, victim.username, PASSWORD, address="192.0.2.7")
    from_elsewhere = _sign_in(client, victim.username, PASSWORD, address="198.51.100.1")

    assert from_attacker.status_code == 429
    assert "Retry-After" in from_attacker
    assert from_elsewhere.status_code == 200


def test_success_resets_the_account_failures(manager):
    client = Client()
    for _ in range(2):
        _sign_in(client, manager.username, "wrong")

    assert _sign_in(client, manager.username, PASSWORD).status_code == 200
    assert not SignInFailure.objects.filter(username=manager.username).exists()
    # two more failures do not lock: the count started again
    for _ in range(2):
        assert _sign_in(Client(), manager.username, "wrong").status_code == 401


def test_inactive_user_cannot_sign_in(make_user):
    user = make_user(Role.MANAGER, is_active=False)

    assert _sign_in(Client(), user.username, PASSWORD).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "a"}',
        '{"username": "a", "password": "b", "remember": true}',
        '{"username": "' + "a" * 151 + '", "password": "b"}',
        '{"username": 5, "password": "b"}',
        '{"username": ',
    ],
)
def test_bad_sign_in_bodies_are_refused(db, body):
    response = Client().post("/api/v1/session", body, content_type="application/json")

    assert response.status_code == 422
    assert not SignInFailure.objects.exists()


def test_sign_in_from_a_form_post_is_refused(manager):
    # a cross-site HTML form cannot send JSON: refusing forms stops login CSRF
    response = Client().post(
        "/api/v1/session",
        {"username": manager.username, "password": PASSWORD},
    )

    assert response.status_code in (400, 415, 422)
    assert "sessionid" not in response.cookies


def test_sign_out_ends_the_session(manager):
    client = Client()
    _sign_in(client, manager.username, PASSWORD)
    token = client.get("/api/v1/session/csrf").json()["csrf_token"]

    response = client.delete("/api/v1/session", headers={"X-CSRFToken": token})

    assert response.status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_session_writes_need_the_csrf_token(make_user):
    admin = make_user(Role.ADMIN)
    client = Client(enforce_csrf_checks=True)
    assert _sign_in(client, admin.username, PASSWORD).status_code == 200
    body = json.dumps(
        {"record_type": "deal", "key": "frame", "label": "Frame", "field_type": "text"}
    )

    without = client.post("/api/v1/custom-fields", body, content_type="application/json")
    token = client.get("/api/v1/session/csrf").json()["csrf_token"]
    with_token = client.post(
        "/api/v1/custom-fields",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert without.status_code == 403
    assert with_token.status_code == 201, with_token.content
    assert CustomField.objects.count() == 1


def test_session_reads_work_without_a_csrf_token(manager):
    client = Client(enforce_csrf_checks=True)
    _sign_in(client, manager.username, PASSWORD)

    assert client.get("/api/v1/me").status_code == 200


def test_csrf_endpoint_sets_the_cookie(db):
    response = Client().get("/api/v1/session/csrf")

    assert response.status_code == 200
    assert response.json()["csrf_token"]
    assert "csrftoken" in response.cookies


def _request_from(remote: str, forwarded: str | None = None):
    from django.test import RequestFactory

    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/v1/session", **meta)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    from kliento.core.signin import client_address

    settings.KLIENTO_TRUSTED_PROXIES = 0

    assert client_address(_request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def test_behind_one_proxy_the_last_forwarded_entry_is_the_client(settings):
    from kliento.core.signin import client_address

    settings.KLIENTO_TRUSTED_PROXIES = 1

    # The client forged the first entry; our proxy appended the real address.
    request = _request_from("10.0.0.1", "198.51.100.66, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"


def test_a_malformed_forwarded_entry_falls_back_to_the_peer(settings):
    from kliento.core.signin import client_address

    settings.KLIENTO_TRUSTED_PROXIES = 1

    assert client_address(_request_from("10.0.0.1", "<script>")) == "10.0.0.1"
    assert client_address(_request_from("10.0.0.1", "")) == "10.0.0.1"


# --- an administrator's unlock --------------------------------------------------------------


def _lock_out(user) -> None:
    for i in range(3):
        _sign_in(Client(), user.username, "wrong", address=f"192.0.2.{i}")


def test_an_administrator_unlocks_an_account_from_its_settings_page(manager, make_user):
    from django.urls import reverse

    from kliento.core.models import AuditEvent

    admin = make_user(Role.ADMIN)
    _lock_out(manager)
    client = Client()
    client.force_login(admin)
    page = reverse("core:settings-user-edit", args=[manager.pk])
    unlock = reverse("core:settings-user-unlock", args=[manager.pk])

    # the user's page offers the unlock while the account is locked
    assert unlock in client.get(page).content.decode()

    response = client.post(unlock)

    assert response.status_code == 302
    assert response["Location"] == page
    assert not SignInFailure.objects.filter(username=manager.username).exists()
    event = AuditEvent.objects.get(record_type="user", record_id=manager.pk)
    assert (event.actor_user, event.action, event.changes) == (
        admin,
        "update",
        {"failed_sign_ins": [3, 0]},
    )
    assert unlock not in client.get(page).content.decode()
    assert _sign_in(Client(), manager.username, PASSWORD, address="198.51.100.9").status_code == 200


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HEAD_OF_SALES, Role.READ_ONLY])
def test_only_an_administrator_may_unlock_and_a_refusal_changes_nothing(manager, make_user, role):
    from django.urls import reverse

    from kliento.core.models import AuditEvent

    _lock_out(manager)
    client = Client()
    client.force_login(make_user(role))

    response = client.post(reverse("core:settings-user-unlock", args=[manager.pk]))

    assert response.status_code == 403
    assert SignInFailure.objects.filter(username=manager.username).count() == 3
    assert not AuditEvent.objects.exists()


def test_unlocking_an_unknown_user_is_a_404_and_an_unlocked_one_writes_no_audit(manager, make_user):
    from django.urls import reverse

    from kliento.core.models import AuditEvent

    client = Client()
    client.force_login(make_user(Role.ADMIN))

    assert client.post(reverse("core:settings-user-unlock", args=[999_999])).status_code == 404
    assert client.post(reverse("core:settings-user-unlock", args=[manager.pk])).status_code == 302
    assert not AuditEvent.objects.exists()
