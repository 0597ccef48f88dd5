"""The calendar: a day, a week (Monday first) or a month of a user's or a team's activities."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kliento.activities import selectors
from kliento.activities.choices import ActivityKind
from kliento.activities.models import Activity
from kliento.activities.views.activities import FORM_KINDS, Errors, start_of_day
from kliento.core.selectors import teams_for, users_for
from kliento.core.web.pages import page, render_page, user_of
from kliento.core.web.params import BadParameter, choice_param, date_param, gather, id_param

VIEWS = ("day", "week", "month")
HOURS = range(24)


def _range(view: str, day: dt.date) -> tuple[list[dt.date], dt.date, dt.date]:
    """The days shown, and the previous and next dates to navigate to."""
    if view == "day":
        return [day], day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        days = [monday + dt.timedelta(days=i) for i in range(7)]
        return days, day - dt.timedelta(weeks=1), day + dt.timedelta(weeks=1)
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    last = following - dt.timedelta(days=1)
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    days = [grid_start + dt.timedelta(days=i) for i in range((grid_end - grid_start).days + 1)]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return days, previous, following


def _slot_value(day: dt.date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


@require_GET
@page
def calendar(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    params = request.GET
    errors: Errors = {}
    choose = _("Choose a day, week or month view.")
    view = gather(errors, lambda: choice_param(params, "view", VIEWS, message=choose)) or "week"
    today = timezone.localdate()
    day = gather(errors, lambda: date_param(params, "date")) or today
    owner_id = gather(errors, lambda: id_param(params, "owner"))
    team_id = gather(errors, lambda: id_param(params, "team"))
    if owner_id is None and team_id is None:
        owner_id = user.pk
    days, previous, following = _range(view, day)
    start = start_of_day(days[0])
    end = start_of_day(days[-1] + dt.timedelta(days=1))
    items: list[Activity] = []
    if not errors:
        items = selectors.calendar_activities(
            user, start=start, end=end, owner_id=owner_id, team_id=team_id
        )
    by_day: dict[dt.date, list[Activity]] = defaultdict(list)
    by_slot: dict[tuple[dt.date, int], list[Activity]] = defaultdict(list)
    for activity in items:
        local = timezone.localtime(activity.when)
        by_day[local.date()].append(activity)
        by_slot[(local.date(), local.hour)].append(activity)
    context: dict[str, Any] = {
        "view": view,
        "views": [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        "day": day,
        "today": today,
        "days": days,
        "previous": previous,
        "following": following,
        "owner_id": owner_id,
        "team_id": team_id,
        "users": list(users_for(user).only("id", "username", "first_name", "last_name")),
        "teams": list(teams_for(user)),
        "errors": errors,
        "truncated": len(items) >= selectors.CALENDAR_LIMIT,
        "kinds": [(k, v) for k, v in ActivityKind.choices if k in FORM_KINDS],
        "values": {"kind": ActivityKind.MEETING},
        "next": request.get_full_path(),
    }
    if view == "month":
        cells = [
            {"day": d, "items": by_day.get(d, []), "outside": d.month != day.month} for d in days
        ]
        context["weeks"] = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    else:
        context["rows"] = [
            {
                "hour": hour,
                "label": dt.time(hour),
                "slots": [
                    {"day": d, "start": _slot_value(d, hour), "items": by_slot.get((d, hour), [])}
                    for d in days
                ],
            }
            for hour in HOURS
        ]
    status = BadParameter.status if errors else 200  # shown beside the controls, nothing read
    return render_page(request, "activities/calendar.html", context, status=status)
