"""Normal forms of e-mail addresses and phone numbers (what is stored and looked up); web sites."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

EMAIL_MAX = 254
PHONE_INPUT_MAX = 64
_email_validator = EmailValidator()


def normalize_email(value: str) -> str:
    """The stripped, lower-cased address, or ValueError saying why it is not one."""
    if not isinstance(value, str):
        raise ValueError(_("Must be text."))
    email = value.strip().lower()
    if not email:
        raise ValueError(_("Enter an e-mail address."))
    if len(email) > EMAIL_MAX:
        message = _("An e-mail address has at most %(max)d characters.")
        raise ValueError(message % {"max": EMAIL_MAX})
    try:
        _email_validator(email)
    except ValidationError:
        raise ValueError(_("Not a valid e-mail address.")) from None
    return email


def default_region() -> str:
    return str(getattr(settings, "KLIENTO_DEFAULT_REGION", "LV") or "LV").upper()


def normalize_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 (+37120000000); local numbers are read in `region`."""
    if not isinstance(value, str):
        raise ValueError(_("Must be text."))
    text = value.strip()
    if not text or len(text) > PHONE_INPUT_MAX:
        raise ValueError(_("Not a valid phone number."))
    try:
        number = phonenumbers.parse(text, (region or default_region()).upper())
    except phonenumbers.NumberParseException:
        raise ValueError(_("Not a valid phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("Not a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# An http(s) address with a host, or a bare host name with a dot ("example.com/about"),
# which the card links as https. Every other scheme (javascript:, data:, file:) is
# refused. Written for JSON Schema too (no inline flags), so the API declares it.
WEBSITE_PATTERN = r"^(?:[hH][tT][tT][pP][sS]?://[^\s/?#@]+|[^\s/?#@:]+\.[^\s/?#@:]+)(?:[/?#]\S*)?$"
_WEBSITE_RE = re.compile(WEBSITE_PATTERN)


def check_website(value: str) -> str:
    """`value` if it is a web site address (http or https), or ValueError saying why not."""
    text = value.strip()
    if not text:
        return ""
    valid = _WEBSITE_RE.match(text) is not None
    if valid and "://" in text:
        try:
            parts = urlsplit(text)
            valid = bool(parts.hostname) and (parts.port is None or parts.port > 0)
        except ValueError:  # a port that is not a number
            valid = False
    if not valid:
        raise ValueError(_("Enter a web address such as https://example.com (http or https)."))
    return text
