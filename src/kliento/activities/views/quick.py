"""Quick actions on a record's detail page: log a call, add a task, add a note, attach a file.

Each is one line and one click. The form posts with htmx and gets back the same
form (empty after a success, with the errors and the user's input after a 422),
plus an `HX-Trigger` header that makes the record's timeline load again and
shows a toast. Without JavaScript the form posts normally and a success
redirects back to the page it came from.

The record must be visible (404 otherwise). Activities need the activity create
right (403); a file needs the edit right on the record, as in the API.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kliento.activities.choices import ActivityKind
from kliento.activities.models import Activity
from kliento.activities.services import activity_create
from kliento.activities.templatetags.quick_actions import quick_defaults
from kliento.core import visibility
from kliento.core.attachments import attachment_create, parent_get
from kliento.core.errors import ErrorCollector, NotFound, ValidationFailed
from kliento.core.web.pages import actor_of, field_errors, page, user_of
from kliento.core.web.params import parse_date, safe_next

# The record types an activity links to (the service's `<type>_id` fields).
RECORD_TYPES = frozenset({"contact", "company", "deal", "lead"})
TIMELINE_EVENT = "timeline-changed"
TOAST_EVENT = "quick-done"
FAILED_EVENT = "quick-failed"
DEFAULT_DUE_TIME = dt.time(9, 0)  # a task given only a day is due at the start of it
MAX_FILES = 10


def _record(request: HttpRequest, record_type: str, record_id: int) -> models.Model:
    """The record the action is about, visible to the user, else NotFound (a 404 page)."""
    if record_type not in RECORD_TYPES:
        raise NotFound(_("Not found."))
    return parent_get(user_of(request), record_type, record_id)


def _posted(request: HttpRequest, *names: str) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in names}


def _done(
    request: HttpRequest, context: dict[str, Any], template: str, message: str
) -> HttpResponse:
    """After a success: the empty form (htmx) or back to the page (a plain post)."""
    if not getattr(request, "htmx", False):
        return HttpResponseRedirect(safe_next(request, reverse("core:home")))
    response = render(request, template, context)
    response["HX-Trigger"] = json.dumps({TIMELINE_EVENT: True, TOAST_EVENT: {"message": message}})
    return response


def _failed(
    request: HttpRequest, context: dict[str, Any], template: str, exc: ValidationFailed
) -> HttpResponse:
    return render(request, template, {**context, "errors": field_errors(exc)}, status=422)


def _context(record_type: str, record: models.Model, **extra: Any) -> dict[str, Any]:
    return {
        "record_type": record_type,
        "record": record,
        "qa": quick_defaults(record_type, record.pk),
        "errors": {},
        "values": {},
        **extra,
    }


def _create(
    request: HttpRequest, record_type: str, record: models.Model, data: Mapping[str, Any]
) -> Activity:
    return activity_create(actor=actor_of(request), data={**data, f"{record_type}_id": record.pk})


@require_POST
@page
def log_call(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """A call that took place: its subject, outcome and an optional note; done at once."""
    record = _record(request, record_type, record_id)
    visibility.require(user_of(request), "activity", "create")
    template = "activities/quick/_call.html"
    values = _posted(request, "subject", "outcome", "body")
    context = _context(record_type, record)
    try:
        _create(
            request,
            record_type,
            record,
            {**values, "kind": ActivityKind.CALL, "done": True},
        )
    except ValidationFailed as exc:
        return _failed(request, {**context, "values": values}, template, exc)
    return _done(request, context, template, _("The call is logged."))


def _due_at(date_text: str, time_text: str, errors: ErrorCollector) -> dt.datetime | None:
    """The due moment in the user's time zone from a date and an optional HH:MM time."""
    day = parse_date(date_text.strip())
    if day is None:
        errors.add("due_date", _("Must be a date (YYYY-MM-DD)."))
        return None
    at = DEFAULT_DUE_TIME
    if time_text.strip():
        try:
            at = dt.time.fromisoformat(time_text.strip())
        except ValueError:
            errors.add("due_time", _("Must be a time (HH:MM)."))
            return None
    return timezone.make_aware(dt.datetime.combine(day, at.replace(tzinfo=None)))


@require_POST
@page
def add_task(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """A task to do by a day (tomorrow unless changed) and, if given, a time."""
    record = _record(request, record_type, record_id)
    visibility.require(user_of(request), "activity", "create")
    template = "activities/quick/_task.html"
    values = _posted(request, "subject", "due_date", "due_time")
    context = _context(record_type, record)
    try:
        errors = ErrorCollector()
        due_at = _due_at(values["due_date"], values["due_time"], errors)
        errors.raise_if_any()
        _create(
            request,
            record_type,
            record,
            {"kind": ActivityKind.TASK, "subject": values["subject"], "due_at": due_at},
        )
    except ValidationFailed as exc:
        return _failed(request, {**context, "values": values}, template, exc)
    return _done(request, context, template, _("The task is added."))


def _note_data(text: str) -> dict[str, str]:
    """A note's first line is its subject; the whole text is kept as its details."""
    text = text.strip()
    # One line of single spaces: a tab pasted into the note's first line is no reason to refuse it.
    first = " ".join(text.splitlines()[0].split()) if text else ""
    limit = int(Activity._meta.get_field("subject").max_length or 300)
    subject = first if len(first) <= limit else first[: limit - 1] + "…"
    return {"subject": subject, "body": "" if text == subject else text}


@require_POST
@page
def add_note(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """A note on the record, done when written."""
    record = _record(request, record_type, record_id)
    visibility.require(user_of(request), "activity", "create")
    template = "activities/quick/_note.html"
    values = _posted(request, "text")
    context = _context(record_type, record)
    try:
        _create(
            request,
            record_type,
            record,
            {"kind": ActivityKind.NOTE, "done": True, **_note_data(values["text"])},
        )
    except ValidationFailed as exc:
        errors = field_errors(exc)
        # The note's text is one field on the form, the subject and details in the service.
        text_errors = errors.pop("subject", []) + errors.pop("body", [])
        if text_errors:
            errors["text"] = text_errors
        return render(
            request, template, {**context, "values": values, "errors": errors}, status=422
        )
    return _done(request, context, template, _("The note is added."))


@require_POST
@page
def attach(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """Files chosen or dropped on the page, each stored on the record (its checks, its errors)."""
    record = _record(request, record_type, record_id)
    user = user_of(request)
    template = "activities/quick/_attach.html"
    context = _context(record_type, record)
    uploads = request.FILES.getlist("file")
    if not uploads:
        visibility.require(user, record_type, "edit")
        exc = ValidationFailed.on("file", _("Choose a file to attach."))
        return _failed(request, context, template, exc)
    if len(uploads) > MAX_FILES:
        visibility.require(user, record_type, "edit")
        exc = ValidationFailed.on(
            "file", _("At most %(count)d files at once.") % {"count": MAX_FILES}
        )
        return _failed(request, context, template, exc)
    saved: list[str] = []
    problems: list[str] = []
    for upload in uploads:
        try:
            created = attachment_create(
                actor=actor_of(request), record_type=record_type, record_id=record.pk, upload=upload
            )
        except ValidationFailed as exc:
            messages = field_errors(exc)
            text = " ".join(m for found in messages.values() for m in found)
            problems.append(f"{upload.name}: {text}")
        else:
            saved.append(created.original_name)
    if problems:
        context = {**context, "errors": {"file": problems}, "saved": saved}
        response = render(request, template, context, status=422)
        events: dict[str, Any] = {FAILED_EVENT: {"message": " ".join(problems)}}
        if saved:
            events[TIMELINE_EVENT] = True
        response["HX-Trigger"] = json.dumps(events)
        return response
    if len(saved) == 1:
        message = _("%(name)s is attached.") % {"name": saved[0]}
    else:
        message = _("%(count)d files are attached.") % {"count": len(saved)}
    return _done(request, context, template, message)
