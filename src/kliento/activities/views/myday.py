"""My day: what the signed-in user has to do today, what is late, and the diary at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kliento.activities import selectors, services
from kliento.activities.choices import Outcome
from kliento.activities.models import Activity
from kliento.activities.views.activities import start_of_day, whole_number
from kliento.core.errors import Conflict, ValidationFailed
from kliento.core.web.pages import actor_of, field_errors, page, render_page, user_of
from kliento.core.web.params import BadParameter, gather, int_param
from kliento.sales.selectors import deals_overdue

OVERDUE_LIMIT = 50
TODAY_LIMIT = 100
SHORT_LIMIT = 10
IDLE_DEFAULT = 30
IDLE_MAX = 3650
CHART_WEEKS = 8
THREE_WEEKS_AGO = CHART_WEEKS - 1 - 3  # the chart's last bar is this week
BAR_WIDTH = 28
BAR_GAP = 12
CHART_HEIGHT = 100
TEMPLATE = "activities/my_day.html"


def _capped(rows: list[Any], limit: int) -> tuple[list[Any], bool]:
    """The first `limit` rows, and whether there were more (rows were read with limit + 1)."""
    return rows[:limit], len(rows) > limit


def _month_start(day: dt.date, months_ahead: int) -> dt.date:
    month = day.month - 1 + months_ahead
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def _chart(weeks: list[selectors.MeetingWeek]) -> dict[str, Any]:
    """Bar geometry for the meetings chart (SVG attributes; no style attributes)."""
    top = max((w.total for w in weeks), default=0) or 1
    bars = []
    for index, week in enumerate(weeks):
        total_h = round(week.total * CHART_HEIGHT / top)
        good_h = round(week.successful * CHART_HEIGHT / top)
        bars.append(
            {
                "week": week,
                "x": index * (BAR_WIDTH + BAR_GAP),
                "total_y": CHART_HEIGHT - total_h,
                "total_h": total_h,
                "good_y": CHART_HEIGHT - good_h,
                "good_h": good_h,
                "label_x": index * (BAR_WIDTH + BAR_GAP) + BAR_WIDTH // 2,
                "highlight": index == THREE_WEEKS_AGO,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WEEKS * (BAR_WIDTH + BAR_GAP) - BAR_GAP,
        "height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "label_y": CHART_HEIGHT + 16,
        "view_height": CHART_HEIGHT + 22,
    }


@require_GET
@page
def my_day(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    now = timezone.now()
    today = timezone.localdate(now)
    start = start_of_day(today)
    end = start_of_day(today + dt.timedelta(days=1))
    errors: dict[str, list[str]] = {}
    idle = gather(errors, lambda: int_param(request.GET, "idle", minimum=1, maximum=IDLE_MAX))
    idle_days = idle or IDLE_DEFAULT
    idle_since = start_of_day(today - dt.timedelta(days=idle_days))

    overdue, more_overdue = _capped(
        selectors.activities_open(user, after=None, before=start, limit=OVERDUE_LIMIT + 1),
        OVERDUE_LIMIT,
    )
    due_today, more_today = _capped(
        selectors.activities_open(user, after=start, before=end, limit=TODAY_LIMIT + 1),
        TODAY_LIMIT,
    )
    follow_ups = selectors.follow_up_meetings(user, now=now, limit=SHORT_LIMIT)
    selectors.attach_visible_links(user, [*overdue, *due_today, *follow_ups])
    deals, more_deals = _capped(
        deals_overdue(user, today=today, limit=SHORT_LIMIT + 1), SHORT_LIMIT
    )
    contacts, more_contacts = _capped(
        selectors.idle_contacts(user, since=idle_since, limit=SHORT_LIMIT + 1), SHORT_LIMIT
    )
    companies, more_companies = _capped(
        selectors.idle_companies(user, since=idle_since, limit=SHORT_LIMIT + 1), SHORT_LIMIT
    )
    this_monday = today - dt.timedelta(days=today.weekday())
    weeks = selectors.meeting_weeks(
        user, first_monday=this_monday - dt.timedelta(weeks=CHART_WEEKS - 1), weeks=CHART_WEEKS
    )
    next_month = _month_start(today, 1)
    context = {
        "today": today,
        "overdue": overdue,
        "more_overdue": more_overdue,
        "due_today": due_today,
        "more_today": more_today,
        "reminders": selectors.reminders_due(user, start=start, end=end, limit=SHORT_LIMIT),
        "deals": deals,
        "more_deals": more_deals,
        "idle_days": idle_days,
        "idle_contacts": contacts,
        "more_contacts": more_contacts,
        "idle_companies": companies,
        "more_companies": more_companies,
        "idle_count": len(contacts) + len(companies),
        "three_weeks_ago": weeks[THREE_WEEKS_AGO],
        "chart": _chart(weeks),
        "next_month": next_month,
        "planned_next_month": selectors.meetings_planned_count(
            user,
            start=start_of_day(next_month),
            end=start_of_day(_month_start(today, 2)),
        ),
        "follow_ups": follow_ups,
        "outcomes": [(k, v) for k, v in Outcome.choices if k],
        "errors": errors,
    }
    status = BadParameter.status if errors else 200  # the page, and the reason beside `idle`
    return render_page(request, TEMPLATE, context, status=status)


def _row(request: HttpRequest, activity: Activity, **extra: Any) -> dict[str, Any]:
    selectors.attach_visible_links(user_of(request), [activity])
    return {
        "a": activity,
        "outcomes": [(k, v) for k, v in Outcome.choices if k],
        **extra,
    }


@require_POST
@page
def activity_complete(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Done with one click; calls and meetings take their outcome (and a line) with it."""
    user = user_of(request)
    activity = selectors.activity_get(user, activity_id)
    errors: dict[str, list[str]] = {}
    version = whole_number(request.POST.get("version", ""), "version", errors)
    outcome = request.POST.get("outcome", "")
    note = request.POST.get("outcome_text", "")
    status = 200
    message = ""
    if not errors:
        try:
            activity = services.activity_complete(
                actor=actor_of(request),
                activity_id=activity.pk,
                outcome=outcome,
                outcome_text=note or None,
                version=version,
            )
        except Conflict as exc:
            status, message = 409, exc.message
        except ValidationFailed as exc:
            status, errors = 422, field_errors(exc)
    else:
        status = 422
    if errors and not message:
        message = " ".join(m for messages in errors.values() for m in messages)
    if not getattr(request, "htmx", False):
        if status != 200:  # the row with the reason (the whole page needs its lists)
            return render(
                request, f"{TEMPLATE}#row", _row(request, activity, message=message), status=status
            )
        return redirect("activities:my-day")
    context = _row(request, activity, message=message)
    return render_page(request, TEMPLATE, context, partial="row", status=status)
