"""Settings for the test suite (DATABASE_URL picks SQLite or PostgreSQL)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only in tests
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kliento-test-media-"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that worker processes started by the tests share the
    # test database; one file per test process, since several suites may run at once.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"kliento-test-{os.getpid()}.sqlite3")
    }

# Worker tests may lengthen the cluster's guard cycle so that a fresh worker runs
# the scheduler at once (django-q2 calls it only after 30 s of guard cycles).
if os.environ.get("KLIENTO_TEST_GUARD_CYCLE"):
    Q_CLUSTER = {**Q_CLUSTER, "guard_cycle": float(os.environ["KLIENTO_TEST_GUARD_CYCLE"])}
