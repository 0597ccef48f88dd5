"""Normal forms of e-mail addresses and phone numbers: what is stored and looked up."""

from __future__ import annotations

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
