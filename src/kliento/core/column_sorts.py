"""Sorting a list by a shown column that no index serves, while the list is small.

An index per sortable column and visibility scope would cost every write on the
largest tables (a contact already keeps twenty indexes), so the columns a user
sorts by now and then (owner, company, e-mail, status ...) sort the list's rows
in the database only while the filtered list holds at most `SORT_BOUND` rows:
one person's or one team's records, or a filter's. A larger list answers with a
clear error asking for a filter, instead of sorting a million rows per page.
The bound is checked with a count that stops at `SORT_BOUND + 1` rows.

The rows are paged with the same keyset cursor as every list: (the column's
keys..., the list's own order..., id), with rows that have no value last in
either direction (a segment of their own, as a nullable column in pagination).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kliento.core import visibility
from kliento.core.errors import ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import Page, Segment, segmented_page

M = TypeVar("M", bound=models.Model)
SORT_BOUND = 5_000


class ListTooLargeToSort(ValidationFailed):
    """The list holds more rows than a sort without an index may read."""


@dataclass(frozen=True)
class ColumnSort:
    """A sort by `keys` (annotation name -> expression, in order), then by `tail`.

    `present` is the condition of the rows that have a value: the others follow them
    in `tail` order. Every key must be NOT NULL on the rows matching `present`.
    """

    label: Any  # the column's name in a sentence (lazily translated)
    keys: Mapping[str, Any]
    tail: tuple[str, ...]
    present: Q | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # annotations `present` reads


def choice_order(column: str, choices: type[models.Choices]) -> Case:
    """The position of the column's value among `choices`, as declared (a workflow order)."""
    whens = [When(**{column: value}, then=Value(i)) for i, value in enumerate(choices.values)]
    return Case(*whens, default=Value(len(whens)), output_field=models.IntegerField())


def blank_last(label: Any, column: str, tail: tuple[str, ...]) -> ColumnSort:
    """A text column, lower-cased; blank values come last."""
    return ColumnSort(label, {"sort_value": Lower(column)}, tail, present=~Q(**{column: ""}))


def owner_sort(label: Any, tail: tuple[str, ...]) -> ColumnSort:
    """By the owner's name as the lists show it (full name, else the user name), then
    the owner's id (two people of one name stay apart). Every record has an owner."""
    full = Trim(
        Concat(
            F("owner__first_name"),
            Value(" "),
            F("owner__last_name"),
            output_field=models.CharField(),
        )
    )
    name = Lower(Coalesce(NullIf(full, Value("")), F("owner__username")))
    return ColumnSort(
        label,
        {"sort_owner": name, "sort_owner_id": F("owner_id")},
        tail,
    )


def check_ordering(ordering: str | None, indexed: Iterable[str], columns: Iterable[str]) -> None:
    """Refuses a sort that is neither an indexed one nor a column sort, naming them all."""
    known = {*indexed, *columns}
    if ordering and ordering.lstrip("-") not in known:
        raise ValidationFailed.on(
            "ordering",
            _("Sort by one of: %(choices)s (prefix - to reverse).")
            % {"choices": ", ".join(sorted(known))},
        )


def sorted_page(
    queryset: models.QuerySet[M],
    sort: ColumnSort,
    *,
    descending: bool,
    cursor: str | None,
    limit: int,
) -> Page[M]:
    """One page of `queryset` in `sort` order; ListTooLargeToSort past `SORT_BOUND` rows."""
    if queryset.values("pk")[: SORT_BOUND + 1].count() > SORT_BOUND:
        raise ListTooLargeToSort.on(
            "ordering",
            _(
                "Sorting by %(column)s needs a list of at most %(max)s rows: "
                "narrow it with a filter (owner, team, status ...) first."
            )
            % {"column": sort.label, "max": number_format(SORT_BOUND, force_grouping=True)},
        )
    annotated = queryset.annotate(**sort.extra, **sort.keys)
    order = (*sort.keys, *sort.tail)
    if sort.present is None:
        segments = [Segment(Q(), order)]
    else:
        segments = [Segment(sort.present, order), Segment(~sort.present, sort.tail)]
    return segmented_page(
        annotated,
        segments,
        descending=descending,
        cursor=cursor,
        limit=limit,
        reverse_segments=False,
    )


def column_page(
    user: User,
    queryset: models.QuerySet[M],
    columns: Mapping[str, ColumnSort],
    *,
    indexed: Iterable[str],
    ordering: str | None,
    cursor: str | None,
    limit: int,
) -> Page[M] | None:
    """The page of the rows `user` sees when `ordering` names one of `columns`, else None
    (an `indexed` sort, served by the caller); a sort that is neither is refused.

    The visibility rule is a path here (its owner and team indexes find the rows), not
    a row filter: no index serves the order, and as a filter it made a user who owns
    few of a million rows read them all (244 ms a page at 1M activities).
    """
    check_ordering(ordering, indexed, columns)
    column = (ordering or "").lstrip("-")
    if column not in columns:
        return None
    return sorted_page(
        visibility.visible(user, queryset),
        columns[column],
        descending=(ordering or "").startswith("-"),
        cursor=cursor,
        limit=limit,
    )
