"""Production settings: `kliento manage check --deploy` is clean; unsafe setups are refused."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


def _manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLIENTO_", "DJANGO_"))}
    environment.pop("DATABASE_URL", None)
    environment.update(
        DJANGO_SETTINGS_MODULE="kliento.settings.prod",
        KLIENTO_DATA_DIR=str(tmp_path),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "kliento.cli", "manage", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KLIENTO_SECRET_KEY=secrets.token_urlsafe(64),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("key", ["", "short-key", "kliento-insecure-" + "x" * 60])
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    env = {"KLIENTO_SECRET_KEY": key} if key else {}

    result = _manage(tmp_path, "check", **env)

    assert result.returncode != 0
    assert "KLIENTO_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY, s.DEBUG)"
    )

    result = _manage(tmp_path, "shell", "-c", code, KLIENTO_SECRET_KEY=secrets.token_urlsafe(64))

    printed = [line for line in result.stdout.splitlines() if line.startswith(("True", "False"))]
    assert printed == ["True True True True True False"], result.stdout + result.stderr
