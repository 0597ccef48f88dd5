"""Custom fields as form inputs and back: one codec for every record form.

On the wire (the form's inputs, named `custom.<key>`) every value is text:
text, money, a date (YYYY-MM-DD) and a choice as they are; a number as typed
(ASCII digits, a point, an exponent); yes/no as "yes" or "no"; a multiple choice
as one value per chosen option, after an empty hidden value so that choosing
nothing still sends the field. An empty value clears the field, and a field the
form did not send at all stays as it is.

`read` turns the posted inputs into the values the services check
(`customfields.clean_custom`); what it cannot read it passes on as the text it
was, so the service refuses it with its own message under the field's name and
the form shows it beside the field. `inputs` turns stored (or posted) values into
what the shared template `core/_custom_input.html` renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from kliento.core.models import CustomField, FieldType

PREFIX = "custom."
YES, NO = "yes", "no"
_FLAGS = {YES: True, NO: False}
# A number as a person or a number input types it; other scripts' digits are refused
# (float("٣") is 3.0) by passing the text on to the service.
_NUMBER = re.compile(r"-?\d{1,16}(\.\d{1,16})?([eE][-+]?\d{1,3})?", re.ASCII)
_WHOLE = re.compile(r"-?\d{1,16}", re.ASCII)


def input_name(field: CustomField) -> str:
    return f"{PREFIX}{field.key}"


@dataclass(frozen=True)
class CustomInput:
    """One custom field as the form shows it: its definition and its value as text."""

    field: CustomField
    value: str = ""  # a single-valued input's value
    chosen: tuple[str, ...] = ()  # a multiple choice's chosen options

    @property
    def name(self) -> str:
        return input_name(self.field)

    @property
    def options(self) -> list[tuple[str, bool]]:
        """A (multiple) choice's options, each with whether it is chosen."""
        chosen = {self.value, *self.chosen}
        return [(str(c), str(c) in chosen) for c in self.field.choices]


def as_text(field: CustomField, value: Any) -> str | tuple[str, ...]:
    """A stored value (or one posted back) as the form's input value."""
    if field.field_type == FieldType.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else [value]
        return tuple(str(v) for v in items if v not in (None, ""))
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def inputs(fields: Iterable[CustomField], values: Mapping[str, Any]) -> list[CustomInput]:
    """The form's inputs for `values` (stored values, or the text posted, by field key)."""
    found = []
    for field in fields:
        text = as_text(field, values.get(field.key))
        if isinstance(text, tuple):
            found.append(CustomInput(field, chosen=text))
        else:
            found.append(CustomInput(field, value=text))
    return found


def _number(raw: str) -> Any:
    if _WHOLE.fullmatch(raw):
        return int(raw)
    if _NUMBER.fullmatch(raw):
        return float(raw)
    return raw  # the service says what a number is


def _value(field: CustomField, raw: str) -> Any:
    """One posted single value in the type the service checks; "" clears the field."""
    raw = raw.strip()
    if raw == "":
        return None
    if field.field_type == FieldType.NUMBER:
        return _number(raw)
    if field.field_type == FieldType.YES_NO:
        return _FLAGS.get(raw, raw)
    return raw


def read(post: QueryDict, fields: Iterable[CustomField]) -> dict[str, Any]:
    """The custom values the form sent, by key, typed for the service (None clears)."""
    values: dict[str, Any] = {}
    for field in fields:
        name = input_name(field)
        if name not in post:
            continue
        if field.field_type == FieldType.MULTI_CHOICE:
            values[field.key] = [v for v in post.getlist(name) if v] or None
        else:
            values[field.key] = _value(field, post.get(name, ""))
    return values


def posted(post: QueryDict, fields: Iterable[CustomField]) -> dict[str, Any]:
    """The custom values as the user sent them (text), to show a refused form again."""
    values: dict[str, Any] = {}
    for field in fields:
        name = input_name(field)
        if name in post:
            multi = field.field_type == FieldType.MULTI_CHOICE
            values[field.key] = post.getlist(name) if multi else post.get(name, "")
    return values


def shown(field: CustomField, value: Any) -> str:
    """A stored value as a card shows it ("" when there is none)."""
    if value in (None, "", []):
        return ""
    if field.field_type == FieldType.YES_NO:
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
