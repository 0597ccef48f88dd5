"""No credential reaches a log, with DEBUG on or off, whoever writes the line."""

from __future__ import annotations

import logging

import pytest

from kliento.core.logs import REDACTED, redact
from kliento.core.tokens import token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PATHS = ("/api/v1/contacts", "/api/v1/contacts/999999", "/api/v1/nothing-here", "/api/v1/me")


def _everything_logged(caplog) -> str:
    """Every captured record as a handler would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])
@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_an_api_token_in_a_request_never_reaches_the_log(client, settings, caplog, debug, scheme):
    settings.DEBUG = debug
    _, key = token_issue(user=UserFactory())
    caplog.set_level(logging.DEBUG)

    # when requests carry the whole valid token, answered 200, 401, 404 and 422
    for path in PATHS:
        client.get(path, HTTP_AUTHORIZATION=f"{scheme} {key}")
    client.post(
        "/api/v1/contacts",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"{scheme} {key}",
    )

    # then something was logged, and no line holds the token or its secret part
    logged = _everything_logged(caplog)
    assert "Not Found" in logged
    assert key not in logged
    assert key[3:] not in logged


def test_with_debug_on_the_header_ninja_rejects_is_logged_without_its_credential(
    client, settings, caplog
):
    settings.DEBUG = True
    _, key = token_issue(user=UserFactory())
    caplog.set_level(logging.DEBUG)

    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}")

    # ninja reports the scheme it does not take; the credential is replaced
    lines = [r.getMessage() for r in caplog.records if "Unexpected auth" in r.getMessage()]
    assert lines
    assert all(key not in line and REDACTED in line for line in lines)


def test_a_traceback_quoting_a_credential_is_cleaned(caplog):
    secret = "kl_" + "s3cr3t-value-0123456789abcdef"
    caplog.set_level(logging.ERROR)
    try:
        raise ValueError(f"bad header Authorization: Bearer {secret}")
    except ValueError:
        logging.getLogger("kliento.test").exception("request failed for %s", secret)

    logged = _everything_logged(caplog)
    assert "ValueError" in logged
    assert "request failed" in logged
    assert secret not in logged
    assert "s3cr3t" not in logged


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Token kl_abcDEF123456789", "kl_abcDEF123456789"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("GET /api/v1/me?token=abc123def456&x=1", "abc123def456"),
        ("POST body username=anna&password=hunter2secret", "hunter2secret"),
        ("Cookie: sessionid=0123456789abcdef; csrftoken=fedcba9876543210", "0123456789abcdef"),
    ],
)
def test_credentials_are_redacted_and_the_rest_is_kept(text, secret):
    clean = redact(text)
    assert secret not in clean
    assert REDACTED in clean
    assert clean.startswith(text[: text.index(secret)])  # the context stays readable


def test_plain_text_is_left_alone():
    text = "Token revoked for user anna; key rotation done"
    assert redact(text) == text
