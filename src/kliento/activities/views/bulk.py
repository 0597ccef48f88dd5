"""Bulk actions on the activity list's checked rows (assign, mark done) and its CSV export
(the checked rows, or the whole current filter), through the flow of core.web.bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kliento.activities import selectors, services
from kliento.activities.models import Activity
from kliento.activities.templatetags.activities_web import about
from kliento.activities.views.activities import list_page, list_query
from kliento.core import visibility
from kliento.core.actors import Actor
from kliento.core.errors import Conflict, PermissionDenied, ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import MAX_LIMIT, Page
from kliento.core.selectors import users_for
from kliento.core.web import bulk
from kliento.core.web.pages import actor_of, page, user_of
from kliento.core.web.params import safe_next

ACTIONS = ("assign", "done")
RECORD_TYPE = "activity"


def _assign(actor: Actor, owner: int | str | None) -> Callable[[Activity], object]:
    def change(activity: Activity) -> Activity:
        return services.activity_update(
            actor=actor, activity_id=activity.pk, version=activity.version, data={"owner_id": owner}
        )

    return change


def _complete(actor: Actor) -> Callable[[Activity], object]:
    # The one-click "done" of My day: outcome and follow-up stay as they are.
    def change(activity: Activity) -> Activity:
        return services.activity_complete(
            actor=actor, activity_id=activity.pk, version=activity.version
        )

    return change


@require_POST
@page
def activity_bulk(request: HttpRequest) -> HttpResponse:
    """Assign the checked activities to an owner, or mark them done: all or none.

    A row the user may not see is a 404 before the right is checked (403); a row
    someone changed since it was read (its version) refuses the whole action.
    """
    user = user_of(request)
    actor = actor_of(request)
    back = safe_next(request, reverse("activities:activity-list"))
    action = request.POST.get("action", "")
    try:
        if action not in ACTIONS:
            raise ValidationFailed.on("action", _("Unknown action."))
        records = selectors.activity_rows(user, bulk.selected_ids(request.POST.getlist("ids")))
        if action == "assign":
            if not visibility.may_assign(user):
                raise PermissionDenied(_("Your role may not give a record to someone else."))
            change = _assign(actor, bulk.bulk_owner(request))
        else:
            visibility.require(user, RECORD_TYPE, "edit")
            change = _complete(actor)
        done = bulk.apply_all(records, change)
    except (ValidationFailed, Conflict) as exc:
        text = exc.message if isinstance(exc, Conflict) else bulk.error_text(exc)
        messages.error(request, text)
        return redirect(back)
    bulk.say_changed(request, done)
    return redirect(back)


# --- CSV export ----------------------------------------------------------------------


def _header() -> list[str]:
    return [
        "id",
        _("Kind"),
        _("Subject"),
        _("When"),
        _("Done"),
        _("Outcome"),
        _("Outcome details"),
        _("Next step"),
        _("About"),
        _("Owner"),
        _("Created"),
    ]


def _rows(user: User, records: list[Activity], owners: dict[int, str]) -> Iterator[list[Any]]:
    """A page of CSV rows; the records it is about are named only where the user sees them."""
    selectors.attach_visible_links(user, records)
    yes, no = _("Yes"), _("No")
    for a in records:
        yield [
            a.pk,
            a.get_kind_display(),
            a.subject,
            timezone.localtime(a.when).isoformat(),
            yes if a.done else no,
            a.get_outcome_display() if a.outcome else "",
            a.outcome_text,
            a.next_step,
            "; ".join(link["label"] for link in about(a)),
            owners.get(a.owner_id, ""),
            timezone.localtime(a.created_at).isoformat(),
        ]


@require_http_methods(["GET", "POST"])
@page
def activity_export(request: HttpRequest) -> HttpResponse:
    """The checked rows (`ids`) or else the whole current filter of the list, as CSV."""
    query = list_query(request.GET)
    owners = {u.pk: u.username for u in users_for(user_of(request))}

    def filtered(user: User, cursor: str | None) -> Page[Activity]:
        query.raise_if_invalid()
        return list_page(user, query, cursor=cursor, limit=MAX_LIMIT)

    def rows(user: User, records: list[Activity]) -> Iterator[Sequence[Any]]:
        return _rows(user, records, owners)

    export = bulk.Export(
        record_type=RECORD_TYPE,
        file_stem="activities",
        header=_header,
        rows=rows,
        selected=selectors.activity_rows,
        page=filtered,
    )
    back = reverse("activities:activity-list") + "?" + request.GET.urlencode()
    # `page` types views as returning HttpResponse; a streamed CSV is one in all but name.
    return cast(HttpResponse, bulk.export_csv(request, export, back=back))
