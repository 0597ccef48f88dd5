"""My day: what the signed-in user has to do today, and what is already late."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kliento.activities.selectors import activities_for
from kliento.core.web.pages import page, render_page, user_of


@require_GET
@page
def my_day(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=1)
    open_mine = activities_for(user).filter(owner=user, done=False)
    context = {
        "today": today,
        "overdue": list(open_mine.filter(when__lt=start).order_by("when")[:50]),
        "due_today": list(open_mine.filter(when__gte=start, when__lt=end).order_by("when")[:100]),
    }
    return render_page(request, "activities/my_day.html", context)
