"""Reads of activities, always through the visibility rule, and their timeline entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import BigIntegerField, Count, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.models import Activity, Reminder
from kliento.core import customfields, records, visibility
from kliento.core.choices import Scope
from kliento.core.column_sorts import ColumnSort, choice_order, column_page
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import Page, union_page
from kliento.core.text import prefix_range
from kliento.core.timeline import Entry
from kliento.customers.models import Company, Contact

ORDERING = {"when": "when", "created_at": "created_at", "subject": "subject_key"}
DEFAULT_ORDERING = "-when"
SUBJECT_SORTS = ("subject", "-subject")
MAX_Q = 200
_TAIL = ("when", "pk")
# The shown columns no index serves: sorted while the list is small (core.column_sorts).
COLUMN_SORTS = {
    "kind": ColumnSort(
        gettext_lazy("kind"), {"sort_value": choice_order("kind", ActivityKind)}, _TAIL
    ),
    "outcome": ColumnSort(
        gettext_lazy("outcome"),
        {"sort_value": choice_order("outcome", Outcome)},
        _TAIL,
        ~Q(outcome=""),
    ),
    "state": ColumnSort(gettext_lazy("state"), {"sort_value": F("done")}, _TAIL),
}
# filter name -> lookup
FILTERS = {
    "kind": "kind",
    "done": "done",
    "outcome": "outcome",
    "owner": "owner_id",
    "team": "team_id",
    "contact": "contact_id",
    "company": "company_id",
    "deal": "deal_id",
    "lead": "lead_id",
    "when_after": "when__gte",
    "when_before": "when__lt",
}
TIMELINE_LINKS = {
    "contact": "contact_id",
    "company": "company_id",
    "deal": "deal_id",
    "lead": "lead_id",
}


def activities_for(user: User) -> QuerySet[Activity]:
    return visibility.visible(user, Activity.objects.all())


def activity_get(user: User, activity_id: int) -> Activity:
    # An archived activity stays readable (core.archive).
    queryset = Activity.all_objects.prefetch_related("reminders")
    return visibility.get_visible(user, queryset, activity_id)


def _subject_search(q: str, ordering: str | None) -> Q:
    """Subjects starting with `q` (words in order: "call ac" finds "Call Acme"), as a range
    of the subject key that the (subject_key, id) indexes serve, each part in key order."""
    if len(q) > MAX_Q:
        raise ValidationFailed.on("q", _("At most %(max)d characters.") % {"max": MAX_Q})
    if "\x00" in q:
        raise ValidationFailed.on("q", _("Must not contain NUL characters."))
    if ordering not in SUBJECT_SORTS:
        raise ValidationFailed.on("ordering", _("A subject search is sorted by subject."))
    low, high = prefix_range(q)
    return Q(subject_key__gte=low, subject_key__lt=high)


def activity_list(
    user: User,
    *,
    filters: Mapping[str, Any],
    params: Mapping[str, str],
    ordering: str | None,
    cursor: str | None,
    limit: int,
    q: str | None = None,
) -> Page[Activity]:
    """One page of the activities the user sees; `params` carries `custom.<key>` filters.

    `q` is a subject prefix, sorted by subject; each visible part (own, team) is read
    from its (owner|team, subject_key, id) index as one range in order.
    """
    queryset = Activity.objects.all()
    conditions = {
        FILTERS[name]: value
        for name, value in filters.items()
        if name in FILTERS and value is not None
    }
    queryset = queryset.filter(**conditions).filter(customfields.filter_q("activity", params))
    if q is not None and q.strip():
        queryset = queryset.filter(_subject_search(q, ordering))
    found = column_page(
        user,
        queryset,
        COLUMN_SORTS,
        indexed=ORDERING,
        ordering=ordering,
        cursor=cursor,
        limit=limit,
    )
    if found is not None:
        return found
    parts = visibility.scope_parts(user, records.spec_for_model(Activity))
    return union_page(
        queryset,
        [Q()] if parts is None else parts,
        ordering=ordering,
        allowed=ORDERING,
        default=DEFAULT_ORDERING,
        cursor=cursor,
        limit=limit,
    )


def activity_rows(user: User, ids: list[int]) -> list[Activity]:
    """The activities with these ids, in the order given (bulk actions, export of the
    selected rows); NotFound when one of them is not visible to the user."""
    # The ids are the selective path: the rule checks those rows (see attach_visible_links).
    rows = visibility.visible(user, Activity.objects.filter(pk__in=ids), row_filter=True)
    found = {row.pk: row for row in rows}
    if any(pk not in found for pk in ids):
        raise NotFound(_("Not found."))
    return [found[pk] for pk in dict.fromkeys(ids)]


def timeline_entries(
    record_type: str, record_id: int, before: tuple[dt.datetime, str, int] | None, limit: int
) -> list[Entry]:
    """Activities linked to a contact, company, deal or lead, newest first (timeline source)."""
    column = TIMELINE_LINKS.get(record_type)
    if column is None:
        return []
    queryset = Activity.all_objects.filter(**{column: record_id})
    # The card of an archived record still tells its story: the activities archived
    # with it show; one archived on its own does not (nor on a live record's card).
    spec = records.spec_for_name(record_type)
    assert spec is not None  # TIMELINE_LINKS names registered types only
    home = spec.model._base_manager.filter(pk=record_id)
    group = home.values_list("archived_with", flat=True)
    went_with = Q(archived_with__in=group.exclude(archived_with=None))
    queryset = queryset.filter(Q(archived_at__isnull=True) | went_with)
    if before is not None:
        at, kind, pk = before
        older = Q(when__lt=at)
        if kind > "activity":
            older |= Q(when=at)
        elif kind == "activity":
            older |= Q(when=at, pk__lt=pk)
        queryset = queryset.filter(older)
    # The owner comes in the same query: the card names who logged each activity.
    rows = (
        queryset.select_related("owner")
        .order_by("-when", "-id")
        .only(
            "id",
            "kind",
            "subject",
            "outcome",
            "done",
            "when",
            *(f"owner__{f}" for f in ("first_name", "last_name", "username")),
        )[:limit]
    )
    return [
        Entry(
            at=a.when,
            kind="activity",
            id=a.pk,
            title=a.subject,
            data={
                "activity_kind": a.kind,
                "subject": a.subject,
                "outcome": a.outcome,
                "done": a.done,
                "owner_id": a.owner_id,
                "owner_name": a.owner.display_name,
            },
        )
        for a in rows
        if a.when is not None
    ]


# --- My day and the calendar --------------------------------------------------------------

# The kinds that are planned and then done (notes and e-mails are records of the past).
PLANNED_KINDS = (ActivityKind.TASK, ActivityKind.CALL, ActivityKind.MEETING)
LINKED = ("contact", "company", "deal", "lead")
CALENDAR_LIMIT = 500
Customer = TypeVar("Customer", Contact, Company)


# What a link shows of each kind of record: its name (see activities_web.about).
LINK_COLUMNS = {
    "contact": ("id", "first_name", "middle_name", "last_name"),
    "company": ("id", "name"),
    "deal": ("id", "title"),
    "lead": ("id", "title"),
}


def attach_visible_links(user: User, activities: Sequence[Activity]) -> None:
    """Set `links` on each activity: the records it is about that the user may see.

    An activity one sees (one's own) may be about a record of another team; that
    record's name is shown only to those who may see the record. One query per
    kind of link present, through the visibility rule, reading only the names.
    """
    visible: dict[str, dict[int, models.Model]] = {}
    for field in LINKED:
        ids = {getattr(a, f"{field}_id") for a in activities} - {None}
        if ids:
            model = Activity._meta.get_field(field).related_model
            assert isinstance(model, type) and issubclass(model, models.Model)
            # The ids are the selective path: the rule checks those rows, no index of its own.
            found = model._default_manager.filter(pk__in=ids).only(*LINK_COLUMNS[field])
            rows = visibility.visible(user, found, row_filter=True)
            visible[field] = {row.pk: row for row in rows}
    for activity in activities:
        activity.links = [  # type: ignore[attr-defined]
            (field, visible[field][pk])
            for field in LINKED
            if (pk := getattr(activity, f"{field}_id")) in visible.get(field, {})
        ]


def _mine(user: User) -> QuerySet[Activity]:
    """The user's own activities (the (owner, ...) indexes), through the visibility rule."""
    return activities_for(user).filter(owner_id=user.pk)


def activities_open(
    user: User, *, after: dt.datetime | None, before: dt.datetime, limit: int
) -> list[Activity]:
    """The user's open tasks, calls and meetings with `after <= when < before`, oldest first.

    Served by the (owner, done, when, id) index: one range, stopped after `limit` rows.
    """
    # `done IN (false)`, not `NOT done`: SQLite seeks an index only on an equality.
    queryset = _mine(user).filter(done__in=[False], kind__in=PLANNED_KINDS, when__lt=before)
    if after is not None:
        queryset = queryset.filter(when__gte=after)
    return list(queryset.select_related(*LINKED).order_by("when", "id")[:limit])


class _RowValue(Func):
    """`+column`: the same value, which no index is used for (SQLite and PostgreSQL)."""

    template = "+%(expressions)s"
    output_field = BigIntegerField()


def reminders_due(
    user: User, *, start: dt.datetime, end: dt.datetime, limit: int
) -> list[Reminder]:
    """Reminders of the user's own activities that fire between `start` and `end`.

    Read from the (fired_at, fire_at) index as two ranges (not yet fired; fired since
    `start`), then joined to the activity for its owner: a day's reminders, not the
    user's whole history of activities.
    """
    if visibility.rights(user, "activity").scope == Scope.NONE:
        return []
    due = Q(fire_at__gte=start, fire_at__lt=end)
    fired = Q(fired_at__isnull=True) | Q(fired_at__gte=start)
    # "+owner_id": checked row by row, so the planner starts from the reminders'
    # index rather than from the owner's (possibly huge) list of activities.
    owner = Exact(_RowValue(F("activity__owner_id")), user.pk)
    return list(
        Reminder.objects.filter(due & fired)
        .filter(owner)
        .select_related("activity")
        .order_by("fire_at", "id")[:limit]
    )


def _idle(
    queryset: QuerySet[Customer], column: str, user: User, since: dt.datetime, limit: int
) -> list[Customer]:
    """The user's own customers with no activity at or after `since` (planned ones count).

    The user's rows are read in name order from the (owner, name_key, id) index; each
    is tested with NOT EXISTS against the (contact|company, -when, -id) index of
    activities, a single seek per row; the walk stops after `limit` rows.
    """
    recent = Activity.objects.filter(**{column: OuterRef("pk")}, when__gte=since)
    mine = visibility.visible(user, queryset.filter(owner_id=user.pk))
    return list(mine.filter(~Exists(recent)).order_by("name_key", "id")[:limit])


def idle_contacts(user: User, *, since: dt.datetime, limit: int) -> list[Contact]:
    return _idle(Contact.objects.all(), "contact_id", user, since, limit)


def idle_companies(user: User, *, since: dt.datetime, limit: int) -> list[Company]:
    return _idle(Company.objects.all(), "company_id", user, since, limit)


@dataclass(frozen=True)
class MeetingWeek:
    """The user's meetings of one week (Monday first): how many, and how many went well."""

    start: dt.date
    total: int
    successful: int


def meeting_weeks(user: User, *, first_monday: dt.date, weeks: int) -> list[MeetingWeek]:
    """The user's meetings per week for `weeks` weeks from `first_monday`, in the current
    time zone, and how many ended well: counted by the database in one query over one
    range of the (owner, kind, when, outcome) index, which holds every column it reads
    (a busy user has thousands of meetings in those weeks; reading them cost 30 ms).
    """
    zone = timezone.get_current_timezone()
    bounds = [
        dt.datetime.combine(first_monday + dt.timedelta(weeks=i), dt.time.min, tzinfo=zone)
        for i in range(weeks + 1)
    ]
    counts: dict[str, Any] = {}
    for i in range(weeks):
        in_week = Q(when__gte=bounds[i], when__lt=bounds[i + 1])
        counts[f"all{i}"] = Count("pk", filter=in_week)
        counts[f"good{i}"] = Count("pk", filter=in_week & Q(outcome=Outcome.SUCCESSFUL))
    totals = (
        _mine(user)
        .filter(kind=ActivityKind.MEETING, when__gte=bounds[0], when__lt=bounds[-1])
        .aggregate(**counts)
    )
    return [
        MeetingWeek(first_monday + dt.timedelta(weeks=i), totals[f"all{i}"], totals[f"good{i}"])
        for i in range(weeks)
    ]


def meetings_planned_count(user: User, *, start: dt.datetime, end: dt.datetime) -> int:
    """How many meetings the user has between `start` and `end` (a month: a short range)."""
    return _mine(user).filter(kind=ActivityKind.MEETING, when__gte=start, when__lt=end).count()


def follow_up_meetings(user: User, *, now: dt.datetime, limit: int) -> list[Activity]:
    """The user's coming meetings that follow up an earlier activity, soonest first."""
    return list(
        _mine(user)
        .filter(
            done__in=[False],
            kind=ActivityKind.MEETING,
            when__gte=now,
            follow_up_of__isnull=False,
        )
        .select_related(*LINKED)
        .order_by("when", "id")[:limit]
    )


def calendar_activities(
    user: User,
    *,
    start: dt.datetime,
    end: dt.datetime,
    owner_id: int | None,
    team_id: int | None,
    limit: int = CALENDAR_LIMIT,
) -> list[Activity]:
    """Visible activities with `start <= when < end` of one owner or one team, by time.

    One range of the (owner, when, id) or (team, when, id) index; at most `limit` rows.
    """
    queryset = activities_for(user).filter(when__gte=start, when__lt=end)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    return list(queryset.select_related("owner").order_by("when", "id")[:limit])
