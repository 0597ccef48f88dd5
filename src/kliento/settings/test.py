"""Settings for the test suite (DATABASE_URL picks SQLite or PostgreSQL)."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only in tests
MEDIA_ROOT = tempfile.mkdtemp(prefix="kliento-test-media-")
