"""Production: PostgreSQL, HTTPS, secure cookies and HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

DEBUG = False
if SECRET_KEY.startswith("kliento-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set KLIENTO_SECRET_KEY to a random string of 50+ characters.")

SECURE_SSL_REDIRECT = env_bool("KLIENTO_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("KLIENTO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KLIENTO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
