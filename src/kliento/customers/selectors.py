"""Reads of companies and contacts, always through the visibility rule.

Every filter + sort pair a list offers is served by an index declared in
models.py; a pair without one is refused (422 on `ordering`) rather than
served by a sort of a large result. The custom-field filter is the exception:
values live in JSON and narrow what an index walk returns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kliento.core import customfields, records, visibility
from kliento.core.column_sorts import (
    ColumnSort,
    blank_last,
    column_page,
    owner_sort,
)
from kliento.core.errors import ErrorCollector, ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import (
    Page,
    Segment,
    keyset_page,
    merge_pages,
    resolve_ordering,
    segmented_page,
    union_page,
)
from kliento.core.text import prefix_range
from kliento.customers.choices import ChannelKind, Relationship
from kliento.customers.models import Channel, Company, Contact
from kliento.customers.normalize import normalize_phone
from kliento.customers.records import COMPANY, CONTACT

SORTS = {"name": "name_key", "created_at": "created_at", "updated_at": "updated_at"}
DEFAULT_SORT = "name"
_ALL = frozenset(SORTS)
_NAME = frozenset({"name"})
_CREATED = frozenset({"created_at"})

# filter -> the sorts an index serves with it (see the Meta.indexes of each model)
COMPANY_SORTS_BY_FILTER: dict[str, frozenset[str]] = {
    "owner": _ALL,
    "team": _ALL,
    "relationship": _NAME,
    "source": _NAME,
    "region": _NAME,
    "industry": _NAME,
    "segment": _NAME,
    "tag": _NAME,
    "created_after": _CREATED,
    "created_before": _CREATED,
}
CONTACT_SORTS_BY_FILTER: dict[str, frozenset[str]] = {**COMPANY_SORTS_BY_FILTER, "company": _ALL}

_TAIL = ("name_key", "pk")


def _primary_channel(kind: str) -> Subquery:
    primary = Channel.objects.filter(company=OuterRef("pk"), kind=kind, is_primary=True)
    return Subquery(primary.values("normalized")[:1])


def _channel_sort(label: Any, kind: str) -> ColumnSort:
    """A company's primary e-mail or phone (a channel row); companies without one last."""
    return ColumnSort(
        label, {"sort_value": _primary_channel(kind)}, _TAIL, Q(sort_value__isnull=False)
    )


# The shown columns no index serves: sorted while the list is small (core.column_sorts).
COMPANY_COLUMN_SORTS = {
    "owner": owner_sort(gettext_lazy("owner"), _TAIL),
    "email": _channel_sort(gettext_lazy("e-mail"), ChannelKind.EMAIL),
    "phone": _channel_sort(gettext_lazy("phone"), ChannelKind.PHONE),
}
CONTACT_COLUMN_SORTS = {
    "owner": owner_sort(gettext_lazy("owner"), _TAIL),
    "email": blank_last(gettext_lazy("e-mail"), "email", _TAIL),
    "phone": blank_last(gettext_lazy("phone"), "phone", _TAIL),
    # Only by the companies the user may see (company_visible): the others count as none.
    "company": ColumnSort(
        gettext_lazy("company"),
        {"sort_company": F("company__name_key"), "sort_company_id": F("company_id")},
        _TAIL,
        Q(company__isnull=False, company_visible=True),
    ),
}

_ID_FILTERS = {"owner": "owner_id", "team": "team_id", "company": "company_id"}
_TEXT_FILTERS = ("source", "region", "industry", "segment")
_PHONE_CHARS = re.compile(r"^[\d\s()+./-]{5,40}$")


def _sort_name(ordering: str | None) -> str:
    return (ordering or DEFAULT_SORT).lstrip("-")


def _filter_q(
    filters: Mapping[str, Any], allowed: Mapping[str, frozenset[str]], ordering: str | None
) -> Q:
    """The Q for the plain filters; refuses values of the wrong kind and unserved sorts."""
    errors = ErrorCollector()
    condition = Q()
    sort = _sort_name(ordering)
    for name, value in filters.items():
        if value is None or value == "" or name.startswith(customfields.FILTER_PREFIX):
            continue
        if name not in allowed:
            errors.add(name, _("Unknown filter."))
            continue
        if sort in SORTS and sort not in allowed[name]:
            choices = ", ".join(sorted(allowed[name]))
            errors.add(
                "ordering",
                _("With the filter %(filter)s, sort by: %(choices)s.")
                % {"filter": name, "choices": choices},
            )
            continue
        if name in _ID_FILTERS:
            if isinstance(value, bool) or not isinstance(value, int | str):
                errors.add(name, _("Must be an id."))
                continue
            try:
                condition &= Q(**{_ID_FILTERS[name]: int(value)})
            except ValueError:
                errors.add(name, _("Must be an id."))
        elif name == "relationship":
            if value not in Relationship.values:
                choices = ", ".join(Relationship.values)
                errors.add(name, _("Must be one of: %(choices)s.") % {"choices": choices})
            else:
                condition &= Q(relationship=value)
        elif name == "tag":
            condition &= Q(tags__name=str(value))
        elif name in ("created_after", "created_before"):
            when = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
            if when is None or when.tzinfo is None:
                errors.add(name, _("Must be a date-time with a time zone (ISO 8601)."))
                continue
            op = "gte" if name == "created_after" else "lt"
            condition &= Q(**{f"created_at__{op}": when})
        else:
            condition &= Q(**{name: str(value)})
    errors.raise_if_any()
    return condition


def _looks_like_phone(q: str) -> bool:
    return bool(_PHONE_CHARS.match(q)) and sum(ch.isdigit() for ch in q) >= 5


def _channel_branches(q: str, kind: str) -> list[Q] | None:
    """Exact e-mail or phone conditions when `q` looks like one (None: a name search).

    One condition per index that serves it (the channel table, a contact's primary
    e-mail or phone column); each is paged on its own and the pages merged: an OR of
    them made PostgreSQL walk the whole name index filtering rows.
    """
    owner_column = "contact_id" if kind == CONTACT else "company_id"
    channel_kind, value = None, ""
    if "@" in q:
        channel_kind, value = ChannelKind.EMAIL, q.strip().lower()
    elif _looks_like_phone(q):
        try:
            channel_kind, value = ChannelKind.PHONE, normalize_phone(q)
        except ValueError:
            return [Q(pk__in=[])]
    if channel_kind is None:
        return None
    channels = Channel.objects.filter(
        kind=channel_kind, normalized=value, **{f"{owner_column}__isnull": False}
    )
    branches = [Q(pk__in=channels.values(owner_column))]
    if kind == CONTACT:
        column = "email" if channel_kind == ChannelKind.EMAIL else "phone"
        branches.append(Q(**{column: value}))
    return branches


def _name_segments(q: str, kind: str, ordering: str | None) -> list[Segment]:
    """A name prefix: the rows whose name key (last name first) starts with it, in name
    order, then (contacts) the other rows whose first name starts with it, by first name.

    Each part is one range of its own index read in order, so a page stops after
    `limit` rows. Sorting the first-name matches by the full name instead made
    SQLite sort every match (0.1-0.5 s for a common first name at 1M contacts) and
    PostgreSQL walk the name index from its start (1.7 s); no index orders a
    first-name range by the full name.
    """
    if _sort_name(ordering) != "name":
        raise ValidationFailed.on("ordering", _("A name search is sorted by name."))
    low, high = prefix_range(q)
    by_name = Q(name_key__gte=low, name_key__lt=high)
    segments = [Segment(by_name, ("name_key", "pk"))]
    if kind == CONTACT:
        by_first = Q(first_name_key__gte=low, first_name_key__lt=high) & ~by_name
        segments.append(Segment(by_first, ("first_name_key", "name_key", "pk")))
    return segments


def _list(
    user: User,
    queryset: QuerySet[Any],
    kind: str,
    allowed: Mapping[str, frozenset[str]],
    *,
    q: str | None,
    filters: Mapping[str, Any] | None,
    ordering: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    filters = filters or {}
    if q is not None and len(q) > 200:
        raise ValidationFailed.on("q", _("At most 200 characters."))
    text = q.strip() if q else ""
    queryset = queryset.filter(_filter_q(filters, allowed, ordering))
    custom = {k: str(v) for k, v in filters.items() if k.startswith(customfields.FILTER_PREFIX)}
    if custom:
        queryset = queryset.filter(customfields.filter_q(kind, custom))
    columns = CONTACT_COLUMN_SORTS if kind == CONTACT else COMPANY_COLUMN_SORTS
    if text and _sort_name(ordering) in columns:
        raise ValidationFailed.on("ordering", _("A name search is sorted by name."))
    found = column_page(
        user, queryset, columns, indexed=SORTS, ordering=ordering, cursor=cursor, limit=limit
    )
    if found is not None:
        return found
    if not text:
        # Each visible part (the team's rows, one's own elsewhere) from its own index.
        parts = visibility.scope_parts(user, records.spec_for_model(queryset.model))
        return union_page(
            queryset,
            [Q()] if parts is None else parts,
            ordering=ordering,
            allowed=SORTS,
            default=DEFAULT_SORT,
            cursor=cursor,
            limit=limit,
        )
    # A search's own index (name range, channel) is the selective path: the rule filters rows.
    queryset = visibility.visible(user, queryset, row_filter=True)
    branches = _channel_branches(text, kind)
    if branches is None:
        descending = resolve_ordering(ordering, SORTS, DEFAULT_SORT)[1]
        return segmented_page(
            queryset,
            _name_segments(text, kind, ordering),
            descending=descending,
            cursor=cursor,
            limit=limit,
        )
    pages = [
        keyset_page(
            queryset.filter(branch),
            ordering=ordering,
            allowed=SORTS,
            default=DEFAULT_SORT,
            cursor=cursor,
            limit=limit,
        )
        for branch in branches
    ]
    if len(pages) == 1:
        return pages[0]
    field, descending = resolve_ordering(ordering, SORTS, DEFAULT_SORT)
    return merge_pages(pages, field, descending, limit)


def _primary_channels() -> Prefetch[Any]:
    return Prefetch(
        "channels",
        queryset=Channel.objects.filter(
            is_primary=True, kind__in=[ChannelKind.EMAIL, ChannelKind.PHONE]
        ),
        to_attr="primary_channels",
    )


def company_list(
    user: User,
    *,
    q: str | None = None,
    filters: Mapping[str, Any] | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Company]:
    return _list(
        user,
        # A company row shows its primary e-mail and phone: one extra query per page.
        Company.objects.prefetch_related(_primary_channels()),
        COMPANY,
        COMPANY_SORTS_BY_FILTER,
        q=q,
        filters=filters,
        ordering=ordering,
        cursor=cursor,
        limit=limit,
    )


def contact_list(
    user: User,
    *,
    q: str | None = None,
    filters: Mapping[str, Any] | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Contact]:
    return _list(
        user,
        _with_company_visibility(user, Contact.objects.select_related("company")),
        CONTACT,
        CONTACT_SORTS_BY_FILTER,
        q=q,
        filters=filters,
        ordering=ordering,
        cursor=cursor,
        limit=limit,
    )


def _with_company_visibility(user: User, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """Marks each contact with whether `user` may see its company, in the same query."""
    return queryset.annotate(company_visible=company_visible_flag(user, "company"))


def company_visible_flag(user: User, relation: str) -> Any:
    """An expression: whether `user` may see the company a row links to by `relation`.

    The visibility rule's condition is applied to the company row the query joins; an
    EXISTS subquery instead made PostgreSQL hash every visible company for each page
    (10 ms at 50k companies).
    """
    condition = visibility.scope_q(user, records.spec_for_model(Company))
    if condition is None:
        return Value(True)
    joined = _through(condition, relation)
    if joined is None:  # a condition that is not plain look-ups: ask the rule row by row
        companies = Company.objects.filter(pk=OuterRef(f"{relation}_id"))
        return Exists(visibility.visible(user, companies))
    return Case(When(joined, then=Value(True)), default=Value(False))


def _through(condition: Q, relation: str) -> Q | None:
    """`condition` (plain look-ups of a model) as seen from a row related to it by `relation`."""
    children: list[Any] = []
    for child in condition.children:
        if isinstance(child, Q):
            inner = _through(child, relation)
            if inner is None:
                return None
            children.append(inner)
        elif isinstance(child, tuple) and isinstance(child[0], str):
            children.append((f"{relation}__{child[0]}", child[1]))
        else:
            return None
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def company_get(user: User, company_id: int) -> Company:
    """One company with its channels, tags and dates; NotFound when not visible."""
    # An archived record stays readable (core.archive), here and in the getters below.
    queryset = Company.all_objects.prefetch_related("channels", "tags", "important_dates")
    return visibility.get_visible(user, queryset, company_id)


def contact_get(user: User, contact_id: int) -> Contact:
    """One contact with its company, channels, tags and dates; NotFound when not visible."""
    queryset = _with_company_visibility(
        user,
        Contact.all_objects.select_related("company").prefetch_related(
            "channels", "tags", "important_dates"
        ),
    )
    return visibility.get_visible(user, queryset, contact_id)


def company_rows(user: User, ids: list[int]) -> list[Company]:
    """The companies with these ids (list rows, in the order given); NotFound if one is not
    visible. For bulk actions and the export of selected rows."""
    return visibility.get_visible_rows(
        user, Company.objects.prefetch_related(_primary_channels()), ids
    )


def contact_rows(user: User, ids: list[int]) -> list[Contact]:
    """The contacts with these ids (list rows, in the order given); NotFound if one is not
    visible. For bulk actions and the export of selected rows."""
    return visibility.get_visible_rows(
        user, _with_company_visibility(user, Contact.objects.select_related("company")), ids
    )
