"""The registry of record types: each app describes its own, and core reads only this.

A record type's description (`RecordSpec`) says which model it is, what it is called,
who may see and do what by default, whether it has a timeline, and which of its fields
the rest of Kliento may name (`FieldSpec`): filter, sort, group, sum, write, import,
export or use in a rule. Rules, reports, imports, segments and exports look a field up
here by the name a request gave (`field()`); a name that is not here is a 422 and is
never handed to the ORM as a keyword or alias. Custom fields join the same list at run
time as `custom.<key>`.

Core cannot import the apps above it, so attachments, custom fields, rights, the audit
trail and the timeline find everything about a record type here by its name. Adding a
record type in a new app means one `register()` call in that app's `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kliento.core.choices import Role, Scope
from kliento.core.errors import ValidationFailed
from kliento.core.rights import Rights

if TYPE_CHECKING:
    from kliento.core.models import User

ExtraVisibility = Callable[["User"], models.Q]
FieldType = Literal[
    "text", "number", "money", "date", "datetime", "choice", "yes_no", "ref", "user", "team"
]
Capability = Literal["filter", "sort", "group", "sum", "write", "imports", "export", "rule"]
SortKind = Literal["index", "bounded"]
CUSTOM_PREFIX = "custom."

FULL = Rights(Scope.ALL, can_create=True, can_edit=True, can_delete=True, can_export=True)
READ_ALL = Rights(Scope.ALL)
NOTHING = Rights(Scope.NONE)
# What a role not named in a record type's defaults gets: administrators and heads of
# sales run the whole base, read-only users see it, anyone else sees nothing.
STANDARD_RIGHTS: Mapping[str, Rights] = {
    Role.ADMIN: FULL,
    Role.HEAD_OF_SALES: FULL,
    Role.READ_ONLY: READ_ALL,
}


# Capabilities a field often has together.
WRITTEN: frozenset[Capability] = frozenset({"write", "imports", "export", "rule"})
GROUPED: frozenset[Capability] = frozenset({"filter", "group", "export", "rule"})
STAMP: frozenset[Capability] = frozenset({"filter", "export", "rule"})


@dataclass(frozen=True)
class Field:
    """A field as an app declares it; its type, label and choices come from the model.

    `can` lists what others may do with it (`sort` is given as the kind of sort instead).
    `column` is the model field it reads (default: `key`); `type` overrides the type
    read from the model (an amount whose currency sits in another column is `money`).
    """

    key: str
    can: frozenset[Capability] = frozenset()
    sort: SortKind | None = None
    column: str | None = None
    type: FieldType | None = None
    label: str | Promise | None = None
    index: str | None = None  # the index that serves its filter or sort
    personal: bool = False  # personal data: consent, portal, erasure
    # What a reference points to when it is no record type ("stage", "pipeline").
    ref: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """A field as the rest of Kliento sees it: resolved against the model."""

    key: str
    column: str  # the model attribute; `custom` for a custom field (value under key)
    label: str | Promise
    type: FieldType
    choices: tuple[tuple[str, str | Promise], ...] = ()
    ref: str | None = None  # the record type (or configuration list) a `ref` points to
    abilities: frozenset[Capability] = frozenset()
    sort: SortKind | None = None
    index: str | None = None
    personal: bool = False
    custom: bool = False

    def can(self, capability: Capability) -> bool:
        if capability == "sort":
            return self.sort is not None
        return capability in self.abilities


@dataclass(frozen=True)
class RecordSpec:
    name: str  # "deal": the record type's name in rights, audit, files and the timeline
    model: type[models.Model]
    label: str | Promise
    plural: str | Promise
    icon: str = "file"
    api_resource: str | None = None  # "deals": /api/v1/deals/{id}/timeline and friends
    detail_url: str | None = None  # "sales:deal-detail", reversed with the record's pk
    # Each role's rights on a new install; roles not named get STANDARD_RIGHTS or nothing.
    default_rights: Mapping[str, Rights] = dataclass_field(default_factory=dict)
    declared_fields: tuple[Field, ...] = ()
    timeline: bool = False  # its card shows a timeline
    order: int = 100  # where it stands in settings pages
    # Extra rows a user sees beyond own/team (a deal's participants).
    extra_visibility: ExtraVisibility | None = None

    def rights_for(self, role: str) -> Rights:
        found = self.default_rights.get(role)
        if found is None:
            found = STANDARD_RIGHTS.get(role, NOTHING)
        return found

    @cached_property
    def fields(self) -> tuple[FieldSpec, ...]:
        """The declared fields resolved against the model (once, after every app is ready)."""
        return tuple(_resolve(self.model, declared) for declared in self.declared_fields)


_by_name: dict[str, RecordSpec] = {}
_by_model: dict[type[models.Model], RecordSpec] = {}


def register(spec: RecordSpec) -> None:
    """Add a record type; called from its app's `ready()`. A name is registered once."""
    known = _by_name.get(spec.name)
    if known is not None and known.model is not spec.model:
        raise ValueError(f"record type {spec.name!r} is already {known.model.__name__}")
    _by_name[spec.name] = spec
    _by_model[spec.model] = spec


def unregister(name: str) -> None:
    """Remove a record type (tests that register a type of their own clean up with it)."""
    spec = _by_name.pop(name, None)
    if spec is not None:
        _by_model.pop(spec.model, None)


def spec_for_name(name: str) -> RecordSpec | None:
    return _by_name.get(name)


def spec_for_model(model: type[models.Model]) -> RecordSpec:
    try:
        return _by_model[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a registered record type") from None


def specs() -> list[RecordSpec]:
    """Every record type, in the order settings pages list them."""
    return sorted(_by_name.values(), key=lambda spec: (spec.order, spec.name))


def names() -> list[str]:
    return [spec.name for spec in specs()]


def choices() -> list[tuple[str, str]]:
    """(name, label) of every record type, for a form's select."""
    return [(spec.name, str(spec.label)) for spec in specs()]


def require_name(name: str, *, field_name: str = "record_type") -> RecordSpec:
    """The record type called `name`, or a 422 naming the known ones."""
    spec = _by_name.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ValidationFailed.on(
            field_name,
            _("Unknown record type. Use one of: %(types)s.") % {"types": ", ".join(names())},
        )
    return spec


def default_rights(role: str, name: str) -> Rights:
    """What `role` may do with record type `name` until an administrator says otherwise."""
    spec = _by_name.get(name)
    return spec.rights_for(role) if spec is not None else NOTHING


# --- fields ---------------------------------------------------------------------------


def fields(name: str, capability: Capability | None = None) -> list[FieldSpec]:
    """The record type's fields, custom fields included, optionally those able to do one thing."""
    spec = require_name(name)
    found = [*spec.fields, *_custom_fields(name).values()]
    return [f for f in found if capability is None or f.can(capability)]


def field(
    name: str, key: object, capability: Capability, *, field_name: str = "field"
) -> FieldSpec:
    """Look up a field a request named; a 422 unless it exists and may be used that way.

    This is the only door from a name in a request to a column: callers use the
    returned `column`, never the name they were given.
    """
    spec = require_name(name)
    if isinstance(key, str) and len(key) <= 100:
        found = next((f for f in spec.fields if f.key == key), None)
        if found is None and key.startswith(CUSTOM_PREFIX):
            found = _custom_fields(name).get(key)
        if found is not None and found.can(capability):
            return found
    allowed = ", ".join(f.key for f in fields(name, capability))
    raise ValidationFailed.on(
        field_name, _("Unknown field. Use one of: %(fields)s.") % {"fields": allowed}
    )


_FILTER: frozenset[Capability] = frozenset({"filter"})
_CUSTOM_EXTRA: Mapping[str, frozenset[Capability]] = {
    "choice": frozenset({"group"}),
    "yes_no": frozenset({"group"}),
    "number": frozenset({"sum"}),
    "money": frozenset({"sum"}),
}
_CUSTOM_TYPES: Mapping[str, FieldType] = {
    "text": "text",
    "number": "number",
    "money": "money",
    "date": "date",
    "choice": "choice",
    "multi_choice": "choice",
    "yes_no": "yes_no",
}


def _custom_fields(name: str) -> dict[str, FieldSpec]:
    """The active custom fields of a record type, described like the declared ones."""
    from kliento.core.models import CustomField

    found: dict[str, FieldSpec] = {}
    for row in CustomField.objects.filter(record_type=name, active=True).order_by("position", "id"):
        key = f"{CUSTOM_PREFIX}{row.key}"
        choice_values = tuple((str(c), str(c)) for c in (row.choices or []))
        found[key] = FieldSpec(
            key=key,
            column="custom",
            label=row.label,
            type=_CUSTOM_TYPES.get(row.field_type, "text"),
            choices=choice_values,
            # Custom values live in one JSON column: filterable (as the lists already
            # do), never an indexed sort; summed and grouped only when a report reads
            # them in Python.
            abilities=WRITTEN | _FILTER | _CUSTOM_EXTRA.get(row.field_type, frozenset()),
            custom=True,
        )
    return found


def _resolve(model: type[models.Model], declared: Field) -> FieldSpec:
    column = declared.column or declared.key
    model_field = model._meta.get_field(column)
    kind, ref = _type_of(model_field)
    choices: tuple[tuple[str, str | Promise], ...] = tuple(
        (str(value), label) for value, label in (getattr(model_field, "choices", None) or ())
    )
    if choices and kind == "text":
        kind = "choice"
    label = declared.label or getattr(model_field, "verbose_name", None) or declared.key
    return FieldSpec(
        key=declared.key,
        column=model_field.attname if model_field.is_relation else column,  # type: ignore[union-attr]
        label=label,
        type=declared.type or kind,
        choices=choices,
        ref=declared.ref or ref,
        abilities=declared.can,
        sort=declared.sort,
        index=declared.index,
        personal=declared.personal,
    )


def _type_of(model_field: object) -> tuple[FieldType, str | None]:
    from kliento.core.models import Team, User

    if isinstance(model_field, models.ForeignKey):
        target = model_field.related_model
        if target is User:
            return "user", None
        if target is Team:
            return "team", None
        spec = _by_model.get(target)
        return "ref", (spec.name if spec is not None else None)
    simple: Iterable[tuple[type[models.Field[object, object]], FieldType]] = (
        (models.BooleanField, "yes_no"),
        (models.DateTimeField, "datetime"),
        (models.DateField, "date"),
        (models.DecimalField, "number"),
        (models.IntegerField, "number"),
        (models.FloatField, "number"),
    )
    for django_type, kind in simple:
        if isinstance(model_field, django_type):
            return kind, None
    return "text", None
