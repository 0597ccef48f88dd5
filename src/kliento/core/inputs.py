"""The field checks every write service shares.

Services take plain dicts (from the API, lead conversion, imports, the demo), so
each value is checked again here whatever the API schema already did. A check
adds its problems to an ErrorCollector and returns the clean value, or None
after an error, so a service reports every problem at once and writes nothing
until the whole input is clean.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeGuard, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from kliento.core import visibility
from kliento.core.customfields import clean_custom
from kliento.core.errors import ErrorCollector, ValidationFailed
from kliento.core.models import User
from kliento.core.money import validate_amount, validate_currency
from kliento.core.text import unsafe_text_problem

M = TypeVar("M", bound=models.Model)

# Text columns without a length limit still get one: nobody types 20,000 characters of notes.
LONG_TEXT_MAX = 20_000
MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8
# fromisoformat alone also takes "20240101" and week dates: only the plain form is a date here.
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUL = "\x00"


def is_int(value: object) -> TypeGuard[int]:
    """A whole number (True and False are not, though Python counts them as ints)."""
    return isinstance(value, int) and not isinstance(value, bool)


def max_length(model: type[models.Model], name: str) -> int:
    length = getattr(model._meta.get_field(name), "max_length", None)
    return int(length) if length else LONG_TEXT_MAX


def check_keys(data: Any, allowed: Iterable[str], errors: ErrorCollector) -> bool:
    """Refuse keys a caller may not set; False when `data` is not an object at all."""
    if not isinstance(data, Mapping):
        errors.add("body", _("Must be an object."))
        return False
    allowed_set = set(allowed)
    for key in data:
        if key not in allowed_set:
            errors.add(str(key), _("This field cannot be set."))
    return True


def refuse_nul(
    data: Mapping[str, Any], errors: ErrorCollector, prefix: str = "", skip: Collection[str] = ()
) -> None:
    """Refuse NUL characters anywhere in `data`: PostgreSQL cannot store them in text or JSON.

    `custom` is left to the custom-field checks; keys in `skip` are checked by `text`.
    Nested objects are walked with a stack of their own, so no depth can exhaust Python's.
    """
    pending: list[tuple[str, Mapping[str, Any]]] = [(prefix, data)]
    while pending:
        where, mapping = pending.pop()
        for key, value in mapping.items():
            if where == prefix and key in skip:
                continue
            name = f"{where}{key}"
            if isinstance(value, str) and NUL in value:
                errors.add(name, _("Must not contain NUL characters."))
            elif isinstance(value, Mapping) and key != "custom":
                pending.append((f"{name}.", value))


def allows_newlines(model: type[models.Model], name: str) -> bool:
    """Whether the column holds text of several lines (a TextField: notes, details)."""
    return isinstance(model._meta.get_field(name), models.TextField)


def safe_characters(value: str, name: str, errors: ErrorCollector, *, multiline: bool) -> bool:
    """False (with an error) if `value` holds a control or text-direction character."""
    problem = unsafe_text_problem(value, multiline=multiline)
    if problem is not None:
        errors.add(name, problem)
    return problem is None


def text(
    value: Any,
    name: str,
    limit: int,
    errors: ErrorCollector,
    *,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """The text without surrounding blanks (otherwise as given), or None after an error.

    A missing optional text is "", never NULL: text columns hold no NULLs. Control
    and text-direction characters are refused (line breaks only where `multiline`).
    """
    if value is None:
        if not required:
            return ""
        errors.add(name, _("This field is required."))
        return None
    if not isinstance(value, str):
        errors.add(name, _("Must be text."))
        return None
    cleaned = value.strip()
    if not safe_characters(cleaned, name, errors, multiline=multiline):
        return None
    if required and not cleaned:
        errors.add(name, _("This field is required."))
        return None
    if len(cleaned) > limit:
        errors.add(name, _("At most %(max)d characters.") % {"max": limit})
        return None
    return cleaned


def column_text(
    model: type[models.Model],
    name: str,
    value: Any,
    errors: ErrorCollector,
    *,
    where: str | None = None,
    required: bool = False,
) -> str | None:
    """`text` for the model's column `name`: its length limit, and line breaks if it has lines.

    `where` names the field in errors when the input calls it otherwise.
    """
    return text(
        value,
        where or name,
        max_length(model, name),
        errors,
        required=required,
        multiline=allows_newlines(model, name),
    )


def boolean(value: Any, name: str, errors: ErrorCollector) -> bool | None:
    if not isinstance(value, bool):
        errors.add(name, _("Must be true or false."))
        return None
    return value


def date(value: Any, name: str, errors: ErrorCollector) -> dt.date | None:
    """A date object or a YYYY-MM-DD string as a date; None (with an error) otherwise."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(name, _("Must be a date (YYYY-MM-DD)."))
    return None


def aware_datetime(value: Any, name: str, errors: ErrorCollector) -> dt.datetime | None:
    """A date and time with its offset, as the same moment in UTC (PostgreSQL refuses
    offsets past 15:59); None (with an error) for anything else, numbers too."""
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            errors.add(name, _("Must be a date-time between the years 1 and 9999."))
            return None
    errors.add(name, _("Must be a date-time with a time zone (ISO 8601)."))
    return None


def money(value: Any, name: str, errors: ErrorCollector) -> decimal.Decimal | None:
    try:
        return validate_amount(value)
    except ValueError as exc:
        errors.add(name, str(exc))
        return None


def currency(value: Any, name: str, errors: ErrorCollector) -> str | None:
    try:
        return validate_currency(value)
    except ValueError as exc:
        errors.add(name, str(exc))
        return None


MAX_VERSION = 2**31 - 1


def version(value: Any, errors: ErrorCollector) -> int | None:
    """The version the client read (optimistic locking): required, a positive whole number."""
    if value is None:
        errors.add("version", _("Send the version you read (optimistic locking)."))
        return None
    # The column holds at most 2**31 - 1: a larger number was never read from it.
    if not is_int(value) or not 1 <= value <= MAX_VERSION:
        errors.add("version", _("Must be a positive whole number."))
        return None
    return int(value)


def visible_record(
    user: User, queryset: models.QuerySet[M], pk: Any, name: str, errors: ErrorCollector
) -> M | None:
    """A linked record the user can see; one they cannot see is an input error, not a 404."""
    if pk is None:
        return None
    if not is_int(pk):
        errors.add(name, _("Must be an id."))
        return None
    found = visibility.visible(user, queryset.filter(pk=pk), row_filter=True).first()
    if found is None:
        errors.add(name, _("No such record, or you may not see it."))
    return found


def owner(
    user: User, data: Mapping[str, Any], errors: ErrorCollector, *, current: int | None
) -> User | None:
    """The owner `data["owner_id"]` asks for; None when the owner stays as it is (or on an error).

    `current` is the stored owner's id, None for a new record. A new record is the
    acting user's unless `owner_id` names someone. Only a role that may assign gives
    a record to anyone but its present owner (the acting user, for a new record):
    others may neither give their records away nor take someone else's.
    """
    if "owner_id" not in data or data["owner_id"] is None:
        if current is None:
            return user
        if "owner_id" in data:
            errors.add("owner_id", _("A record needs an owner."))
        return None
    owner_id = data["owner_id"]
    if not is_int(owner_id):
        errors.add("owner_id", _("Must be a user id."))
        return None
    keeps = owner_id == (user.pk if current is None else current)
    if not keeps and not visibility.may_assign(user):
        errors.add("owner_id", _("Your role may not give a record to someone else."))
        return None
    if current is not None and keeps:
        return None
    found = User.objects.filter(pk=owner_id, is_active=True).first()
    if found is None:
        errors.add("owner_id", _("No such active user."))
    return found


def set_owner(record: Any, new_owner: User | None) -> None:
    """Give `record` to `new_owner` (if any); its team always follows the owner's."""
    if new_owner is not None:
        record.owner = new_owner
        record.team_id = new_owner.team_id


def custom(
    record_type: str, values: Any, errors: ErrorCollector, *, current: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The custom field values to store (`values` over `current`), or None after an error."""
    try:
        return clean_custom(record_type, values, current=current)
    except ValidationFailed as exc:  # keep its field errors with the others
        errors.errors.extend(exc.errors)
        return None


def json_object(value: Any, name: str, errors: ErrorCollector) -> dict[str, Any]:
    """A JSON object of bounded size and depth (such as the raw answers of a web form)."""
    if not isinstance(value, Mapping):
        errors.add(name, _("Must be an object."))
        return {}
    # Depth first, without recursion: encoding a deeply nested value would exhaust the stack.
    if too_deep(value, MAX_JSON_DEPTH):
        errors.add(name, _("At most %(n)d levels of nesting.") % {"n": MAX_JSON_DEPTH})
        return {}
    try:
        raw = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        errors.add(name, _("Must be plain JSON."))
        return {}
    try:
        size = len(raw.encode())
    except UnicodeEncodeError:  # a lone surrogate: no database stores it as UTF-8
        errors.add(name, _("Must be well-formed Unicode text."))
        return {}
    if size > MAX_JSON_BYTES:
        errors.add(name, _("At most %(n)d KB of JSON.") % {"n": MAX_JSON_BYTES // 1024})
        return {}
    if "\\u0000" in raw or NUL in raw:
        errors.add(name, _("Must not contain NUL characters."))
        return {}
    return dict(value)


def too_deep(value: object, limit: int) -> bool:
    """Whether objects and lists nest more than `limit` levels in `value`.

    An explicit stack, not recursion: a value nested thousands of levels deep is
    refused like one nested nine levels deep, never a RecursionError.
    """
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        children: Iterable[object]
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def model_check(instance: models.Model, errors: ErrorCollector, exclude: list[str]) -> None:
    """Field-level checks of the model (lengths, choices, digits) as field errors."""
    try:
        instance.clean_fields(exclude=exclude)
    except DjangoValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.add(name, str(message))
