"""Validating and filtering the values of admin-defined custom fields."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Expression, F, Q, QuerySet
from django.utils.translation import gettext as _

from kliento.core import audit, records
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import ErrorCollector, NotFound, PermissionDenied, ValidationFailed
from kliento.core.models import CustomField, FieldType, User
from kliento.core.rights import require_admin
from kliento.core.text import unsafe_text_problem

MAX_TEXT = 2000
# Larger numbers lose precision as JSON doubles on SQLite.
MAX_NUMBER = 10**15
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FILTER_PREFIX = "custom."


def fields_for(record_type: str) -> dict[str, CustomField]:
    return {f.key: f for f in CustomField.objects.filter(record_type=record_type, active=True)}


def _clean_text(field: CustomField, value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL JSON refuses NUL
        raise ValueError(_("Must be text."))
    if len(value) > MAX_TEXT:
        raise ValueError(_("At most %(max)d characters.") % {"max": MAX_TEXT})
    problem = unsafe_text_problem(value, multiline=True)
    if problem is not None:
        raise ValueError(problem)
    return value


def _clean_number(field: CustomField, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("Must be a number."))
    if not math.isfinite(value) or abs(value) >= MAX_NUMBER:
        raise ValueError(_("Must be a number."))
    return value


def _clean_money(field: CustomField, value: Any) -> str:
    try:
        amount = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        raise ValueError(_("Must be an amount such as 1200.50.")) from None
    if isinstance(value, bool) or not amount.is_finite() or abs(amount) >= 10**12:
        raise ValueError(_("Must be an amount such as 1200.50."))
    return str(amount.quantize(decimal.Decimal("0.01")))


def _clean_date(field: CustomField, value: Any) -> str:
    # fromisoformat alone also takes "20240101" and week dates: require the plain form.
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValueError(_("Must be a date (YYYY-MM-DD)."))
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(_("Must be a date (YYYY-MM-DD).")) from None


def _clean_choice(field: CustomField, value: Any) -> Any:
    if value not in field.choices:
        raise ValueError(
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(map(str, field.choices))}
        )
    return value


def _clean_multi_choice(field: CustomField, value: Any) -> list[Any]:
    if not isinstance(value, list) or any(v not in field.choices for v in value):
        raise ValueError(
            _("Must be a list of: %(choices)s.") % {"choices": ", ".join(map(str, field.choices))}
        )
    return sorted(set(value), key=field.choices.index)


def _clean_yes_no(field: CustomField, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("Must be true or false."))
    return value


# One cleaner per field type, so that adding a type is one function and one entry here.
_CLEANERS: dict[str, Callable[[CustomField, Any], Any]] = {
    FieldType.TEXT: _clean_text,
    FieldType.NUMBER: _clean_number,
    FieldType.MONEY: _clean_money,
    FieldType.DATE: _clean_date,
    FieldType.CHOICE: _clean_choice,
    FieldType.MULTI_CHOICE: _clean_multi_choice,
    FieldType.YES_NO: _clean_yes_no,
}


def _clean_one(field: CustomField, value: Any) -> Any:
    """The stored form of one value, or ValueError with the reason."""
    clean = _CLEANERS.get(field.field_type)
    if clean is None:
        raise ValueError(_("Unknown field type."))
    return clean(field, value)


def clean_custom(
    record_type: str, values: Mapping[str, Any] | None, *, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The merged custom values to store: `values` over `current`, every field checked.

    Unknown keys, wrong types and missing required fields are field errors
    named "custom.<key>"; a null value removes the field.
    """
    defined = fields_for(record_type)
    merged = dict(current or {})
    errors = ErrorCollector()
    if values is not None and not isinstance(values, Mapping):
        raise ValidationFailed.on("custom", _("Must be an object of custom field values."))
    for key, value in (values or {}).items():
        field = defined.get(key)
        if field is None:
            errors.add(f"custom.{key}", _("Unknown custom field."))
            continue
        if value is None:
            merged.pop(key, None)
            continue
        try:
            merged[key] = _clean_one(field, value)
        except ValueError as exc:
            errors.add(f"custom.{key}", str(exc))
    for key, field in defined.items():
        if field.required and merged.get(key) in (None, "", []):
            errors.add(f"custom.{key}", _("This field is required."))
    errors.raise_if_any()
    return merged


def filter_q(record_type: str, params: Mapping[str, str]) -> Q:
    """A filter for query parameters such as `custom.size=large` (exact match).

    Multi-choice fields match when the list contains the value.
    """
    condition = Q()
    wanted = {k[len(FILTER_PREFIX) :]: v for k, v in params.items() if k.startswith(FILTER_PREFIX)}
    if not wanted:
        return condition
    defined = fields_for(record_type)
    errors = ErrorCollector()
    for key, raw in wanted.items():
        field = defined.get(key)
        if field is None:
            errors.add(f"custom.{key}", _("Unknown custom field."))
            continue
        try:
            value = _parse_filter(field, raw)
        except ValueError as exc:
            errors.add(f"custom.{key}", str(exc))
            continue
        if field.field_type == FieldType.MULTI_CHOICE:
            condition &= (
                Q(**{f"custom__{key}__contains": [value]})
                if _json_contains_ok()
                else Q(JsonListHas("custom", key, value))
            )
        else:
            condition &= Q(**{f"custom__{key}": value})
    errors.raise_if_any()
    return condition


def _json_contains_ok() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _parse_filter(field: CustomField, raw: str) -> Any:
    t = field.field_type
    if t == FieldType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(_("Must be a number.")) from None
        if not math.isfinite(number) or abs(number) >= MAX_NUMBER:
            raise ValueError(_("Must be a number."))
        return int(number) if number.is_integer() else number
    if t == FieldType.YES_NO:
        if raw.lower() not in {"true", "false"}:
            raise ValueError(_("Must be true or false."))
        return raw.lower() == "true"
    if t == FieldType.MULTI_CHOICE:
        return _clean_one(field, [raw])[0]
    return _clean_one(field, raw)


class JsonListHas(Expression):
    """True when the JSON list at `column -> key` has `value` as one of its elements.

    Django's JSON `contains` is PostgreSQL-only; on SQLite the list is opened with
    json_each and compared element by element, so "a" never matches "ab" or "A"
    and non-ASCII values compare as text (they are stored escaped).
    """

    conditional = True

    def __init__(self, column: str, key: str, value: str) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)
        self.key = key
        self.value = value

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        column_sql, params = compiler.compile(self.column)
        path = '$."' + self.key.replace('"', "") + '"'
        # Only a compiled column name is interpolated; the path and value are parameters.
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({column_sql}, %s) AS kl_each "  # noqa: S608
            "WHERE kl_each.type = 'text' AND kl_each.value = %s)"
        )
        return sql, [*params, path, self.value]


# --- definitions (admins only) -----------------------------------------------------

# Custom-field definitions are configuration: audited under a record type of their own.
CONFIG_TYPE = "custom_field"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_CHOICES = 200
MAX_CHOICE_LENGTH = 100
MAX_LABEL = 100
CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})


def _check_label(errors: ErrorCollector, label: str) -> None:
    if not label.strip() or "\x00" in label:
        errors.add("label", _("Give the field a label (text without NUL characters)."))
    elif len(label) > MAX_LABEL:
        errors.add("label", _("At most %(max)d characters.") % {"max": MAX_LABEL})
    elif (problem := unsafe_text_problem(label)) is not None:
        errors.add("label", problem)


def _check_choices(errors: ErrorCollector, field_type: str, choices: list[Any] | None) -> list[str]:
    if field_type not in CHOICE_TYPES:
        if choices:
            errors.add("choices", _("Only choice fields have choices."))
        return []
    if not isinstance(choices, list) or not choices:
        errors.add("choices", _("A choice field needs a non-empty list of choices."))
        return []
    if len(choices) > MAX_CHOICES:
        errors.add("choices", _("At most %(max)d choices.") % {"max": MAX_CHOICES})
        return []
    cleaned: list[str] = []
    for choice in choices:
        if not isinstance(choice, str) or not choice.strip() or "\x00" in choice:
            errors.add("choices", _("Each choice must be non-empty text."))
            return []
        if (problem := unsafe_text_problem(choice)) is not None:
            errors.add("choices", problem)
            return []
        if len(choice) > MAX_CHOICE_LENGTH:
            errors.add(
                "choices",
                _("Each choice has at most %(max)d characters.") % {"max": MAX_CHOICE_LENGTH},
            )
            return []
        cleaned.append(choice)
    if len(set(cleaned)) != len(cleaned):
        errors.add("choices", _("Choices must be unique."))
    return cleaned


def custom_fields_for(user: User, record_type: str | None = None) -> QuerySet[CustomField]:
    """Field definitions: any signed-in user may read them (forms need them)."""
    rows = CustomField.objects.all()
    if record_type is not None:
        records.require_name(record_type)
        rows = rows.filter(record_type=record_type)
    return rows.order_by("record_type", "position", "id")


def custom_field_get(user: User, field_id: int) -> CustomField:
    found = CustomField.objects.filter(pk=field_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def custom_field_create(
    *,
    actor: Actor,
    record_type: str,
    key: str,
    label: str,
    field_type: str,
    choices: list[Any] | None = None,
    required: bool = False,
    position: int = 0,
) -> CustomField:
    if actor.user is None:
        raise PermissionDenied(_("Only an administrator may change custom fields."))
    require_admin(actor.user)
    errors = ErrorCollector()
    if records.spec_for_name(record_type) is None:
        errors.add("record_type", _("Unknown record type."))
    if not KEY_RE.match(key):
        errors.add(
            "key",
            _("Use 1-50 lower-case letters, digits or _, starting with a letter (e.g. shoe_size)."),
        )
    _check_label(errors, label)
    if field_type not in FieldType.values:
        errors.add("field_type", _("Unknown field type."))
    cleaned = _check_choices(errors, field_type, choices)
    if not errors.errors and CustomField.objects.filter(record_type=record_type, key=key).exists():
        errors.add("key", _("This record type already has a field with this key."))
    errors.raise_if_any()
    values = {
        "record_type": record_type,
        "key": key,
        "label": label,
        "field_type": field_type,
        "choices": cleaned,
        "required": required,
        "position": position,
    }
    try:
        with transaction.atomic():
            created = CustomField.objects.create(**values)
            audit.record_of(
                actor, AuditAction.CREATE, CONFIG_TYPE, created.pk,
                {name: [None, value] for name, value in values.items()},
            )  # fmt: skip
            return created
    except IntegrityError:  # created at the same moment by someone else
        raise ValidationFailed.on(
            "key", _("This record type already has a field with this key.")
        ) from None


def custom_field_update(*, actor: Actor, field_id: int, changes: Mapping[str, Any]) -> CustomField:
    """Change label, choices, required, position or active; key and type stay fixed."""
    if actor.user is None:
        raise PermissionDenied(_("Only an administrator may change custom fields."))
    require_admin(actor.user)
    with transaction.atomic():
        field = CustomField.objects.select_for_update().filter(pk=field_id).first()
        if field is None:
            raise NotFound(_("Not found."))
        errors = ErrorCollector()
        if "label" in changes:
            _check_label(errors, changes["label"])
        if "choices" in changes:
            changes = {
                **changes,
                "choices": _check_choices(errors, field.field_type, changes["choices"]),
            }
        errors.raise_if_any()
        diff: dict[str, list[Any]] = {}
        for name in ("label", "choices", "required", "position", "active"):
            if name in changes and getattr(field, name) != changes[name]:
                diff[name] = [getattr(field, name), changes[name]]
                setattr(field, name, changes[name])
        field.save()
        if diff:
            audit.record_of(actor, AuditAction.UPDATE, CONFIG_TYPE, field.pk, diff)
    return field


def custom_field_delete(*, actor: Actor, field_id: int) -> None:
    """Remove a definition; values already stored on records stay but are no longer shown."""
    if actor.user is None:
        raise PermissionDenied(_("Only an administrator may change custom fields."))
    require_admin(actor.user)
    with transaction.atomic():
        field = CustomField.objects.select_for_update().filter(pk=field_id).first()
        if field is None:
            raise NotFound(_("Not found."))
        audit.record_of(
            actor, AuditAction.DELETE, CONFIG_TYPE, field.pk,
            {"record_type": [field.record_type, None], "key": [field.key, None]},
        )  # fmt: skip
        field.delete()
