"""Checks the sales services share: owners, money, linked records, text and JSON input."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from kliento.core import visibility
from kliento.core.errors import ErrorCollector
from kliento.core.models import User
from kliento.core.money import validate_amount, validate_currency

M = TypeVar("M", bound=models.Model)

MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8


def owner_for(
    user: User, owner_id: object, errors: ErrorCollector, *, current: int | None = None
) -> User | None:
    """The owner to store: the acting user by default; someone else only for assigning roles."""
    if owner_id is None:
        return user if current is None else None
    if not isinstance(owner_id, int) or isinstance(owner_id, bool):
        errors.add("owner_id", _("Must be a user id."))
        return None
    if owner_id not in (user.pk, current) and not visibility.may_assign(user):
        errors.add("owner_id", _("Your role may not give a record to someone else."))
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        errors.add("owner_id", _("No such active user."))
    return owner


def money_or_error(value: object, field: str, errors: ErrorCollector) -> decimal.Decimal | None:
    try:
        return validate_amount(value)
    except ValueError as exc:
        errors.add(field, str(exc))
        return None


def currency_or_error(value: object, field: str, errors: ErrorCollector) -> str | None:
    try:
        return validate_currency(value)  # type: ignore[arg-type]
    except ValueError as exc:
        errors.add(field, str(exc))
        return None


def date_or_error(value: object, field: str, errors: ErrorCollector) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(field, _("Must be a date (YYYY-MM-DD)."))
    return None


def visible_or_error(
    user: User, queryset: models.QuerySet[M], pk: object, field: str, errors: ErrorCollector
) -> M | None:
    """A linked record the user can see; one they cannot see is an input error, not a 404."""
    if pk is None:
        return None
    if isinstance(pk, bool) or not isinstance(pk, int):
        errors.add(field, _("Must be an id."))
        return None
    found = visibility.visible(user, queryset).filter(pk=pk).first()
    if found is None:
        errors.add(field, _("No such record, or you may not see it."))
    return found


def check_strings(data: Mapping[str, Any], errors: ErrorCollector, prefix: str = "") -> None:
    """Refuse NUL characters: PostgreSQL cannot store them in text or JSON."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, str) and "\x00" in value:
            errors.add(name, _("Must not contain NUL characters."))
        elif isinstance(value, Mapping) and key != "custom":
            check_strings(value, errors, f"{name}.")


def json_object_or_error(value: object, field: str, errors: ErrorCollector) -> dict[str, Any]:
    """A JSON object of bounded size and depth (the raw answers of a web form)."""
    if not isinstance(value, Mapping):
        errors.add(field, _("Must be an object."))
        return {}
    try:
        raw = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        errors.add(field, _("Must be plain JSON."))
        return {}
    if len(raw.encode()) > MAX_JSON_BYTES:
        errors.add(field, _("At most %(n)d KB of JSON.") % {"n": MAX_JSON_BYTES // 1024})
        return {}
    if "\\u0000" in raw or "\x00" in raw:
        errors.add(field, _("Must not contain NUL characters."))
        return {}
    if _depth(value) > MAX_JSON_DEPTH:
        errors.add(field, _("At most %(n)d levels of nesting.") % {"n": MAX_JSON_DEPTH})
        return {}
    return dict(value)


def _depth(value: object) -> int:
    if isinstance(value, Mapping):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def model_check(instance: models.Model, errors: ErrorCollector, exclude: list[str]) -> None:
    """Field-level checks of the model (lengths, choices, digits) as field errors."""
    try:
        instance.clean_fields(exclude=exclude)
    except DjangoValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.add(name, str(message))
