"""API tokens: only a hash is stored, revocation works, the key is checked exactly."""

from __future__ import annotations

from django.db import connection

from kliento.core.models import ApiToken
from kliento.core.tokens import token_authenticate, token_issue, token_revoke


def test_the_key_is_never_stored(manager):
    # given a freshly issued token
    token, key = token_issue(user=manager, name="laptop")

    # then no column of any row holds the key (only its SHA-256 and a short prefix)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(v) for v in row.values()}
    assert row["key_hash"] != key and len(row["key_hash"]) == 64
    assert key.startswith(row["prefix"]) and len(row["prefix"]) < len(key) // 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash, prefix, name FROM core_apitoken")
        assert all(key not in " ".join(map(str, r)) for r in cursor.fetchall())


def test_two_tokens_have_different_keys(manager):
    _, first = token_issue(user=manager)
    _, second = token_issue(user=manager)

    assert first != second


def test_revoked_token_is_refused_and_others_keep_working(api, manager):
    token, key = token_issue(user=manager, name="old")
    _, other_key = token_issue(user=manager, name="new")

    token_revoke(token=token)

    assert token_authenticate(key) is None
    assert token_authenticate(other_key).user == manager
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    from django.test import Client

    client = Client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_key}"})
    assert ok.status_code == 200


def test_a_wrong_or_altered_key_is_refused(manager):
    _, key = token_issue(user=manager)

    assert token_authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert token_authenticate("not-a-token") is None
    assert token_authenticate(key + "x" * 300) is None


def test_a_deactivated_users_token_is_refused(manager):
    _, key = token_issue(user=manager)
    manager.is_active = False
    manager.save()

    assert token_authenticate(key) is None
