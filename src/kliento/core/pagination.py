"""Keyset (cursor) pagination: as fast a million rows deep as on page one.

A cursor holds the sort values of the last row served; the next page asks for
rows strictly after it in (sort column, id) order, which an index on
(sort column, id) answers without counting or skipping rows.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from kliento.core.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    """The cursor that continues after a row with these sort values (the last is the id)."""
    raw = json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list[models.Field[Any, Any]]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(raw, list) or len(raw) != len(fields):
            raise ValueError("cursor shape")
        return [f.to_python(v) for f, v in zip(fields, raw, strict=True)]
    except Exception:
        raise ValidationFailed.on("cursor", _("The cursor is not valid for this list.")) from None


def resolve_ordering(
    ordering: str | None, allowed: Mapping[str, str], default: str
) -> tuple[str, bool]:
    """(model field, descending) for a public `ordering` such as "-name"."""
    key = ordering or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ValidationFailed.on(
            "ordering",
            _("Sort by one of: %(choices)s (prefix - to reverse).") % {"choices": choices},
        )
    return allowed[name], descending


def keyset_page(
    queryset: models.QuerySet[M],
    *,
    ordering: str | None,
    allowed: Mapping[str, str],
    default: str,
    cursor: str | None,
    limit: int,
) -> Page[M]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.on(
            "limit", _("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}
        )
    field_name, descending = resolve_ordering(ordering, allowed, default)
    model = queryset.model
    names = [field_name, "pk"] if field_name not in ("id", "pk") else ["pk"]
    fields = [model._meta.pk if n == "pk" else model._meta.get_field(n) for n in names]
    order = [f"-{n}" if descending else n for n in names]
    queryset = queryset.order_by(*order)
    if cursor:
        values = _decode(cursor, fields)
        op = "lt" if descending else "gt"
        if len(names) == 2:
            # "f >= v AND (f > v OR id > x)": the leading range lets both databases seek
            # the index to the cursor; the plain OR form walks it from the start.
            queryset = queryset.filter(
                models.Q(**{f"{names[0]}__{op}e": values[0]})
                & (
                    models.Q(**{f"{names[0]}__{op}": values[0]})
                    | models.Q(**{f"pk__{op}": values[1]})
                )
            )
        else:
            queryset = queryset.filter(**{f"pk__{op}": values[0]})
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, f.attname) for f in fields])
    return Page(rows, next_cursor)
