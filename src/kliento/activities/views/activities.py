"""The activity list, the activity form (create, edit) and rescheduling from the calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.activities import selectors, services
from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.models import Activity
from kliento.activities.views.rows import activity_rows
from kliento.core import visibility
from kliento.core.column_sorts import ListTooLargeToSort
from kliento.core.errors import Conflict, FieldError, ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import Page
from kliento.core.saved_filters import saved_filter_list
from kliento.core.selectors import teams_for, users_for
from kliento.core.web.pages import actor_of, field_errors, page, render_page, user_of
from kliento.core.web.params import (
    BadParameter,
    choice_param,
    date_param,
    form_id,
    gather,
    id_param,
    parse_id,
    parse_local_datetime,
    safe_next,
)

PAGE_SIZE = 50
FORM_KINDS = (ActivityKind.TASK, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.NOTE)
SORTS = frozenset(
    f"{sign}{column}"
    for column in (*selectors.ORDERING, *selectors.COLUMN_SORTS)
    for sign in ("", "-")
)
LIST_NAME = "activities"  # of its saved filters
MAX_FILTER = 40

Errors = dict[str, list[str]]


# --- reading what the browser sent --------------------------------------------------------


def local_datetime(value: str, name: str, errors: Errors) -> dt.datetime | None:
    """A `datetime-local` value (YYYY-MM-DDTHH:MM) in the user's time zone; "" is None."""
    value = value.strip()
    if not value:
        return None
    parsed = parse_local_datetime(value)
    if parsed is None:
        errors.setdefault(name, []).append(_("Enter a date and time (YYYY-MM-DD HH:MM)."))
        return None
    return timezone.make_aware(parsed)


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the current (the user's) time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def whole_number(value: str, name: str, errors: Errors) -> int | None:
    """A posted positive whole number (a version); "" is None, junk an error beside it."""
    value = value.strip()
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        errors.setdefault(name, []).append(_("Must be a whole number."))
    return number


def to_input(value: dt.datetime | None) -> str:
    """A stored time as the value of a `datetime-local` input in the user's zone."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


# --- the list -------------------------------------------------------------------------------


def _list_filters(params: Mapping[str, str], errors: Errors) -> dict[str, Any]:
    """The list's filters; each bad one is a reason in `errors` (the page answers 400)."""
    filters: dict[str, Any] = {}
    kind = gather(
        errors,
        lambda: choice_param(
            params, "kind", ActivityKind.values, message=_("Unknown kind of activity.")
        ),
    )
    if kind:
        filters["kind"] = kind
    done = gather(
        errors,
        lambda: choice_param(params, "done", ("yes", "no"), message=_("Choose done or open.")),
    )
    if done:
        filters["done"] = done == "yes"
    outcome = gather(
        errors,
        lambda: choice_param(params, "outcome", Outcome.values, message=_("Unknown outcome.")),
    )
    if outcome:
        filters["outcome"] = outcome
    filters["owner"] = gather(errors, lambda: id_param(params, "owner"))
    filters["team"] = gather(errors, lambda: id_param(params, "team"))
    after = gather(errors, lambda: date_param(params, "when_after"))
    before = gather(errors, lambda: date_param(params, "when_before"))
    if after is not None:
        filters["when_after"] = start_of_day(after)
    if before is not None:  # the end date is included
        filters["when_before"] = start_of_day(before + dt.timedelta(days=1))
    return filters


@dataclass(frozen=True)
class ListQuery:
    """The list's parameters as the selector takes them, and what was wrong with them."""

    filters: dict[str, Any]
    q: str
    ordering: str
    errors: Errors

    def raise_if_invalid(self) -> None:
        """A bad filter as the selectors report one (for the export of the whole filter)."""
        if self.errors:
            found = [FieldError(f, m) for f, messages in self.errors.items() for m in messages]
            raise BadParameter(found[0].message, found)


def list_query(params: Mapping[str, str]) -> ListQuery:
    """Filters, the subject search and the sort from the query string. A search is sorted
    by subject (its index's order); the selector refuses an over-long or hostile `q`."""
    errors: Errors = {}
    filters = _list_filters(params, errors)
    q = params.get("q", "")
    ordering = params.get("ordering") or selectors.DEFAULT_ORDERING
    if q.strip() and ordering not in selectors.SUBJECT_SORTS:
        ordering = "subject"
    return ListQuery(filters, q, ordering, errors)


def list_page(user: User, query: ListQuery, *, cursor: str | None, limit: int) -> Page[Activity]:
    """One page of the list's current filter (ValidationFailed for a bad cursor or `q`)."""
    return selectors.activity_list(
        user,
        filters=query.filters,
        params={},
        q=query.q,
        ordering=query.ordering,
        cursor=cursor,
        limit=limit,
    )


@require_GET
@page
def activity_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    query = list_query(request.GET)
    errors = dict(query.errors)
    status = BadParameter.status if errors else 200  # a parameter the list cannot read
    found: Page[Activity] = Page([], None)
    if not errors:
        try:
            found = list_page(
                user, query, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
            )
        except ListTooLargeToSort as exc:  # say so, and show the list in its own order
            errors, status = field_errors(exc), exc.status
            query = ListQuery(query.filters, query.q, selectors.DEFAULT_ORDERING, {})
            found = list_page(user, query, cursor=None, limit=PAGE_SIZE)
        except ValidationFailed as exc:  # a cursor or a search the selector refuses
            errors, status = field_errors(exc), exc.status
    items = found.items
    # The rows link to what they are about: one query per kind of link, not per row.
    selectors.attach_visible_links(user, items)
    rights = visibility.rights(user, "activity")  # read with the list: no query of its own
    context: dict[str, Any] = {
        "page": Page(items, found.next_cursor),
        "rows_html": activity_rows(items),
        "errors": errors,
        "params": request.GET,
        "q": query.q,
        "ordering": query.ordering,
        "can_edit": rights.can_edit,
        "can_export": rights.can_export,
        "may_assign": visibility.may_assign(user),
    }
    htmx = getattr(request, "htmx", None)
    # Going back to a searched URL asks htmx for the whole page, not the rows.
    partial = None if htmx and htmx.history_restore_request else "rows"
    # The rows alone also bring what the search changed outside them (out of band).
    context["oob"] = bool(htmx) and partial is not None
    if partial is None or not htmx:  # the whole page: filter choices, saved filters
        context.update(_whole_page(user))
    return render_page(
        request, "activities/activity_list.html", context, partial=partial, status=status
    )


def _whole_page(user: User) -> dict[str, Any]:
    """What only the whole list page shows: filter choices, owners to assign, saved filters."""
    return {
        "kinds": ActivityKind.choices,
        "outcomes": [(k, v) for k, v in Outcome.choices if k],
        "users": list(users_for(user).only("id", "username", "first_name", "last_name")),
        "teams": list(teams_for(user)),
        "saved_filters": saved_filter_list(user, LIST_NAME),
    }


# --- create and edit -------------------------------------------------------------------------


def _form_data(request: HttpRequest, errors: Errors, *, current: Activity | None) -> dict[str, Any]:
    """The service's `data` from the posted form (what the user typed, checked for shape)."""
    post = request.POST
    data: dict[str, Any] = {
        "kind": post.get("kind", ""),
        "subject": post.get("subject", ""),
        "body": post.get("body", ""),
    }
    start = local_datetime(post.get("start", ""), "start", errors)
    end = local_datetime(post.get("end", ""), "end", errors)
    timed = data["kind"] == ActivityKind.MEETING or end is not None
    if current is not None:
        timed = timed or current.start_at is not None
        data["done"] = post.get("done") == "on"
        data["outcome"] = post.get("outcome", "")
        data["version"] = form_id(post.get("version"))
    if timed:
        data["start_at"] = start
        data["end_at"] = end
        if current is not None and current.due_at is not None:
            data["due_at"] = None
    else:
        data["due_at"] = start
        if current is not None and current.start_at is not None:
            data["start_at"] = None
            data["end_at"] = None
    return data


def _form_context(
    request: HttpRequest,
    *,
    activity: Activity | None,
    values: Mapping[str, str],
    errors: Errors,
    conflict: str = "",
) -> dict[str, Any]:
    return {
        "activity": activity,
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "kinds": [(k, v) for k, v in ActivityKind.choices if k in FORM_KINDS],
        "outcomes": Outcome.choices,
        "next": safe_next(request, ""),
    }


def _done(request: HttpRequest, default: str) -> HttpResponse:
    target = safe_next(request, default)
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return redirect(target)


@require_http_methods(["GET", "POST"])
@page
def activity_create(request: HttpRequest) -> HttpResponse:
    template = "activities/activity_form.html"
    if request.method == "GET":
        visibility.require(user_of(request), "activity", "create")  # the service checks on POST
        values = {
            "kind": request.GET.get("kind", ActivityKind.TASK),
            "start": request.GET.get("start", "")[:30],
            "subject": "",
        }
        context = _form_context(request, activity=None, values=values, errors={})
        return render_page(request, template, context, partial="form")
    errors: Errors = {}
    data = _form_data(request, errors, current=None)
    if not errors:
        try:
            services.activity_create(actor=actor_of(request), data=data)
        except ValidationFailed as exc:
            errors = field_errors(exc)
    if errors:
        errors = _on_form(errors)
        context = _form_context(request, activity=None, values=request.POST, errors=errors)
        return render_page(request, template, context, partial="form", status=422)
    return _done(request, reverse("activities:calendar"))


def _on_form(errors: Errors) -> Errors:
    """Service field names as the form's fields (start/end)."""
    names = {"start_at": "start", "due_at": "start", "end_at": "end"}
    mapped: Errors = {}
    for name, messages in errors.items():
        mapped.setdefault(names.get(name, name), []).extend(messages)
    return mapped


@require_http_methods(["GET", "POST"])
@page
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = user_of(request)
    template = "activities/activity_form.html"
    activity = selectors.activity_get(user, activity_id)
    if request.method == "GET":
        values = {
            "kind": activity.kind,
            "subject": activity.subject,
            "body": activity.body,
            "start": to_input(activity.start_at or activity.due_at),
            "end": to_input(activity.end_at),
            "outcome": activity.outcome,
            "done": "on" if activity.done else "",
            "version": str(activity.version),
        }
        context = _form_context(request, activity=activity, values=values, errors={})
        return render_page(request, template, context, partial="form")
    errors: Errors = {}
    data = _form_data(request, errors, current=activity)
    conflict = ""
    status = 422
    if not errors:
        try:
            services.activity_update(
                actor=actor_of(request),
                activity_id=activity.pk,
                version=data.pop("version"),
                data=data,
            )
        except Conflict as exc:
            conflict, status = exc.message, 409
        except ValidationFailed as exc:
            errors = field_errors(exc)
    if errors or conflict:
        context = _form_context(
            request,
            activity=activity,
            values=request.POST,
            errors=_on_form(errors),
            conflict=conflict,
        )
        return render_page(request, template, context, partial="form", status=status)
    return _done(request, reverse("activities:calendar"))


@require_POST
@page
def activity_reschedule(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The calendar's drop: move to `start`; 409 (and the activity stays put) when stale."""
    user = user_of(request)
    selectors.activity_get(user, activity_id)  # 404 before anything else
    errors: Errors = {}
    start = local_datetime(request.POST.get("start", ""), "start", errors)
    if start is None and not errors:
        errors["start"] = [_("This field is required.")]
    version = whole_number(request.POST.get("version", ""), "version", errors)
    if start is not None and not errors:
        try:
            activity = services.activity_reschedule(
                actor=actor_of(request), activity_id=activity_id, start=start, version=version
            )
        except Conflict as exc:
            return render_page(
                request,
                "activities/calendar.html",
                {"message": exc.message},
                partial="problem",
                status=409,
            )
        except ValidationFailed as exc:
            errors = _on_form(field_errors(exc))
    if errors:
        message = " ".join(m for messages in errors.values() for m in messages)
        return render_page(
            request, "activities/calendar.html", {"message": message}, partial="problem", status=422
        )
    return render_page(
        request,
        "activities/calendar.html",
        {"a": activity},
        partial="event",
    )
