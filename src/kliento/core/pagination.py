"""Keyset (cursor) pagination: as fast a million rows deep as on page one.

A cursor holds the sort values of the last row served; the next page asks for
rows strictly after it in (sort columns..., id) order, which an index on
(sort columns..., id) answers without counting or skipping rows.

A list may be a sequence of *segments*, each a filter with its own order, served
one after the other: a nullable sort column is two (the rows with a value, then
the rows without: NULLs last in either direction, the same on every database),
and a name search is two (last-name matches, then first-name ones).
Each segment is one index range read in order; a page that crosses from one
segment into the next costs one more query (only when the next one has rows).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from kliento.core.errors import ValidationFailed
from kliento.core.scalars import parse_int, well_formed

M = TypeVar("M", bound=models.Model)
MAX_LIMIT = 200
# Our cursors hold a segment number and a few sort values: far below this.
MAX_CURSOR_LENGTH = 2000


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


@dataclass(frozen=True)
class Segment:
    """Rows matching `where`, in `order` (model fields or annotations, "pk" last)."""

    where: models.Q
    order: tuple[str, ...]


def encode_cursor(values: list[Any]) -> str:
    """The cursor that continues after a row with these sort values (the last is the id)."""
    raw = json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed.on("cursor", _("The cursor is not valid for this list."))


def _raw(cursor: str) -> list[Any]:
    """The cursor's values as text: a JSON list of strings and nulls, each well-formed."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _invalid_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except Exception:
        raise _invalid_cursor() from None
    if not isinstance(raw, list) or not all(v is None or isinstance(v, str) for v in raw):
        raise _invalid_cursor()
    # JSON decodes "\ud800" to a lone surrogate, which fails only when the driver encodes it.
    if not all(v is None or well_formed(v) for v in raw):
        raise _invalid_cursor()
    return raw


def _value(field: models.Field[Any, Any], text: str) -> Any:
    """One sort value of the type and range its column holds; ValueError otherwise."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field  # an id
    if isinstance(target, models.IntegerField):  # AutoField included; strict ASCII, 64 bits
        number = parse_int(text)
        if number is None:
            raise ValueError(text)
        return number
    value = target.to_python(text)
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise ValueError(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(text)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(text)
        value.astimezone(dt.UTC)  # OverflowError at the ends of the calendar
    return value


def _decode(raw: list[Any], fields: list[models.Field[Any, Any]]) -> list[Any]:
    if len(raw) != len(fields):
        raise _invalid_cursor()
    values: list[Any] = []
    for field, text in zip(fields, raw, strict=True):
        if text is None:
            if not field.null:
                raise _invalid_cursor()
            values.append(None)
            continue
        try:
            values.append(_value(field, text))
        except Exception:
            raise _invalid_cursor() from None
    return values


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


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.on(
            "limit", _("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}
        )


def _fields(queryset: models.QuerySet[Any], order: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The field of each name of `order`: a model field, "pk", or an annotation's output."""
    meta, annotations = queryset.model._meta, queryset.query.annotations
    fields: list[models.Field[Any, Any]] = []
    for name in order:
        if name in annotations:
            fields.append(annotations[name].output_field)
        else:
            fields.append(meta.pk if name == "pk" else meta.get_field(name))
    return fields


def _values(row: models.Model, queryset: models.QuerySet[Any], order: Sequence[str]) -> list[Any]:
    """The row's values of `order` (what its cursor holds)."""
    annotations = queryset.query.annotations
    return [
        getattr(row, n) if n in annotations else getattr(row, f.attname)
        for n, f in zip(order, _fields(queryset, order), strict=True)
    ]


def after(order: Sequence[str], values: Sequence[Any], descending: bool) -> models.Q:
    """Rows strictly after `values` in `order`, written so an index on `order` seeks to it.

    "f >= v AND (f > v OR <the same for the next columns>)": the leading range lets
    both databases start the index walk at the cursor; the plain OR form walks it from
    the start. A None value is a column that is NULL throughout the segment: skipped.
    """
    op = "lt" if descending else "gt"
    condition = models.Q(**{f"{order[-1]}__{op}": values[-1]})
    for name, value in zip(reversed(order[:-1]), reversed(values[:-1]), strict=True):
        if value is None:
            continue
        condition = models.Q(**{f"{name}__{op}e": value}) & (
            models.Q(**{f"{name}__{op}": value}) | condition
        )
    return condition


def segmented_page(
    queryset: models.QuerySet[M],
    segments: Sequence[Segment],
    *,
    descending: bool,
    cursor: str | None,
    limit: int,
    reverse_segments: bool = True,
) -> Page[M]:
    """One page of the segments served in turn (each descending if `descending`, and then
    in reverse order too unless `reverse_segments` is False).

    The cursor holds the segment's number (when there are several) and the last
    row's values of that segment's order.
    """
    check_limit(limit)
    sequence = list(range(len(segments)))
    if descending and reverse_segments:
        sequence.reverse()
    position, values = 0, None
    if cursor:
        raw = _raw(cursor)
        if len(segments) > 1:
            if not raw or raw[0] not in {str(i) for i in sequence}:
                raise _invalid_cursor()
            index, raw = int(raw[0]), raw[1:]
            position = sequence.index(index)
        values = _decode(raw, _fields(queryset, segments[sequence[position]].order))
    rows: list[M] = []
    origins: list[int] = []  # the segment each row came from
    todo = sequence[position:]
    for step, index in enumerate(todo):
        segment = segments[index]
        part = queryset.filter(segment.where)
        if step == 0 and values is not None:
            part = part.filter(after(segment.order, values, descending))
        part = part.order_by(*(f"-{n}" if descending else n for n in segment.order))
        if step + 1 < len(todo):
            # Whether the next segment has rows at all, asked in the same query: a page
            # that ends inside this segment then needs no second query.
            following = queryset.filter(segments[todo[step + 1]].where)
            # (annotate() is typed as changing the row type; the rows stay M)
            part = part.annotate(_kliento_more=models.Exists(following))  # type: ignore[assignment]
        found = list(part[: limit + 1 - len(rows)])
        rows.extend(found)
        origins.extend([index] * len(found))
        if len(rows) > limit or (found and not getattr(found[0], "_kliento_more", True)):
            break
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        index = origins[limit - 1]
        last = _values(rows[-1], queryset, segments[index].order)
        next_cursor = encode_cursor(([str(index)] if len(segments) > 1 else []) + last)
    return Page(rows, next_cursor)


def keyset_page(
    queryset: models.QuerySet[M],
    *,
    ordering: str | None,
    allowed: Mapping[str, str],
    default: str,
    cursor: str | None,
    limit: int,
) -> Page[M]:
    """One page of `queryset` sorted by the public `ordering` (one of `allowed`), then id.

    A nullable sort column pages its rows with a value first and the NULLs after them
    (by id) in either direction, so a cursor on a NULL continues where it stopped.
    """
    check_limit(limit)
    field_name, descending = resolve_ordering(ordering, allowed, default)
    if field_name in ("id", "pk"):
        return segmented_page(
            queryset,
            [Segment(models.Q(), ("pk",))],
            descending=descending,
            cursor=cursor,
            limit=limit,
        )
    field = queryset.model._meta.get_field(field_name)
    order = (field_name, "pk")
    if not field.null:
        segments = [Segment(models.Q(), order)]
    else:
        segments = [
            Segment(models.Q(**{f"{field_name}__isnull": False}), order),
            Segment(models.Q(**{f"{field_name}__isnull": True}), order),
        ]
    # NULLs come last in both directions: their segment is read only when the rows with
    # a value run out, so a page that does not reach them costs one query.
    return segmented_page(
        queryset,
        segments,
        descending=descending,
        cursor=cursor,
        limit=limit,
        reverse_segments=False,
    )


def merge_pages(pages: Sequence[Page[M]], field: str, descending: bool, limit: int) -> Page[M]:
    """One page from pages of disjoint or overlapping parts of one list, read with one cursor.

    Every row among the union's first `limit` is among the first `limit` of its own
    part, so merging the parts' pages gives exactly the union's page. The sort column
    must be NOT NULL; Python compares str by code point, the byte order of the C /
    BINARY collation the key columns use.
    """
    found: dict[Any, M] = {}
    for page in pages:
        for row in page.items:
            found.setdefault(row.pk, row)
    attname = "pk" if field in ("id", "pk") else field

    def key(row: M) -> tuple[Any, Any]:
        return (getattr(row, attname), row.pk)

    rows = sorted(found.values(), key=key, reverse=descending)
    more = len(rows) > limit or any(p.next_cursor for p in pages)
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        values = [last.pk] if attname == "pk" else [getattr(last, attname), last.pk]
        next_cursor = encode_cursor(values)
    return Page(rows, next_cursor)


def union_page(
    queryset: models.QuerySet[M],
    parts: Sequence[models.Q],
    *,
    ordering: str | None,
    allowed: Mapping[str, str],
    default: str,
    cursor: str | None,
    limit: int,
) -> Page[M]:
    """keyset_page of the rows matching any of `parts`, each part read on its own.

    Each part is then one index range in order ((team, name, id), (owner, name, id)),
    where their OR made SQLite join both indexes and sort every row of a team.
    A nullable sort column keeps the single query (its NULL segment breaks the merge).
    """
    field_name, descending = resolve_ordering(ordering, allowed, default)
    nullable = field_name not in ("id", "pk") and queryset.model._meta.get_field(field_name).null
    if len(parts) <= 1 or nullable:
        condition = models.Q(pk__in=[]) if not parts else parts[0]
        for part in parts[1:]:
            condition |= part
        return keyset_page(
            queryset.filter(condition),
            ordering=ordering,
            allowed=allowed,
            default=default,
            cursor=cursor,
            limit=limit,
        )
    pages = [
        keyset_page(
            queryset.filter(part),
            ordering=ordering,
            allowed=allowed,
            default=default,
            cursor=cursor,
            limit=limit,
        )
        for part in parts
    ]
    return merge_pages(pages, field_name, descending, limit)
