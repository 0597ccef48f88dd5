"""Writes of activities: create, update, delete, complete (with a follow-up), reminders."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.models import Activity, Reminder
from kliento.core import archive, audit, inputs, visibility, writes
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import ErrorCollector, ValidationFailed
from kliento.core.models import User
from kliento.core.notifications import notification_create
from kliento.core.outbox_email import email_enabled, email_enqueue
from kliento.customers.models import Company, Contact
from kliento.sales.models import Deal, Lead

RECORD_TYPE = "activity"
MAX_REMINDER_MINUTES = 40320  # four weeks
PLAIN_FIELDS = (
    "kind",
    "subject",
    "body",
    "due_at",
    "start_at",
    "end_at",
    "outcome",
    "outcome_text",
    "next_step",
)
TEXT_FIELDS = frozenset({"subject", "body", "outcome_text", "next_step"})
TIME_FIELDS = frozenset({"due_at", "start_at", "end_at"})
# API field -> (model, record type, model attribute)
LINKS: dict[str, tuple[type[Model], str, str]] = {
    "contact_id": (Contact, "contact", "contact"),
    "company_id": (Company, "company", "company"),
    "deal_id": (Deal, "deal", "deal"),
    "lead_id": (Lead, "lead", "lead"),
}
AUDIT_FIELDS = (
    *PLAIN_FIELDS,
    "done",
    "done_at",
    "contact",
    "company",
    "deal",
    "lead",
    "deal_stage",
    "follow_up_of",
    "when",
    "custom",
    "owner",
    "team",
)


def _user_of(actor: Actor) -> User:
    if actor.user is None:
        raise ValidationFailed(_("Activities are written on behalf of a user."))
    return actor.user


def _snapshot(activity: Activity) -> dict[str, Any]:
    values = audit.snapshot(activity, AUDIT_FIELDS)
    values["reminders"] = sorted(
        Reminder.objects.filter(activity_id=activity.pk).values_list("minutes_before", flat=True)
    )
    return values


def _set_links(
    activity: Activity, user: User, data: Mapping[str, Any], errors: ErrorCollector
) -> None:
    """Link the records named in `data`, each visible to the user (else a field error)."""
    for field, (model, _record_type, attribute) in LINKS.items():
        if field not in data:
            continue
        pk = data[field]
        record = inputs.visible_record(user, model._default_manager.all(), pk, field, errors)
        if pk is None or record is not None:
            setattr(activity, attribute, record)
            if attribute == "deal":
                activity.deal_stage_id = getattr(record, "stage_id", None)


def _clean_reminders(values: Iterable[Any] | None, errors: ErrorCollector) -> list[int] | None:
    if values is None:
        return None
    minutes: set[int] = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add("reminders", _("Each reminder is a whole number of minutes."))
            return None
        if not 0 <= value <= MAX_REMINDER_MINUTES:
            errors.add(
                "reminders",
                _("A reminder is 0 to %(max)d minutes before.") % {"max": MAX_REMINDER_MINUTES},
            )
            return None
        minutes.add(value)
    return sorted(minutes)


def _check_times(activity: Activity, reminders: list[int], errors: ErrorCollector) -> None:
    if activity.start_at and activity.end_at and activity.end_at < activity.start_at:
        errors.add("end_at", _("The end must not be before the start."))
    if reminders and activity.start_at is None and activity.due_at is None:
        errors.add("reminders", _("A reminder needs a start or due time."))


def _set_when(activity: Activity) -> None:
    # The calendar and the timeline sort on `when`; an activity without a time
    # (a note, a logged call) sits at the moment it was recorded.
    activity.when = activity.start_at or activity.due_at or activity.created_at or timezone.now()


def _insert(activity: Activity) -> None:
    _set_when(activity)
    activity.save()
    if activity.when != (activity.start_at or activity.due_at or activity.created_at):
        activity.when = activity.created_at
        Activity.objects.filter(pk=activity.pk).update(when=activity.when)


def _sync_reminders(activity: Activity, minutes: list[int]) -> None:
    """Make the reminder rows match `minutes`, with fire_at from the activity's time.

    A reminder that already fired and whose time changed is replaced by a new
    row, so it fires again under a new key; an unchanged one never fires twice.
    """
    existing = {r.minutes_before: r for r in Reminder.objects.filter(activity_id=activity.pk)}
    stale = [m for m in existing if m not in minutes]
    if stale:
        Reminder.objects.filter(activity_id=activity.pk, minutes_before__in=stale).delete()
    base = activity.start_at or activity.due_at
    if base is None:
        return
    for m in minutes:
        fire_at = base - dt.timedelta(minutes=m)
        reminder = existing.get(m)
        if reminder is None:
            Reminder.objects.create(activity=activity, minutes_before=m, fire_at=fire_at)
        elif reminder.fire_at != fire_at:
            if reminder.fired_at is not None:
                reminder.delete()
                Reminder.objects.create(activity=activity, minutes_before=m, fire_at=fire_at)
            else:
                reminder.fire_at = fire_at
                reminder.save(update_fields=["fire_at"])


def _apply_plain(
    activity: Activity, data: Mapping[str, Any], errors: ErrorCollector, *, creating: bool
) -> None:
    """Set the PLAIN_FIELDS that `data` names; a new activity needs its subject regardless."""
    for name in PLAIN_FIELDS:
        if name in TEXT_FIELDS:
            if name in data or (name == "subject" and creating):
                required = name == "subject"
                text = inputs.column_text(Activity, name, data.get(name), errors, required=required)
                if text is not None:
                    setattr(activity, name, text)
        elif name in TIME_FIELDS:
            if name in data:
                value = data[name]
                moment = None if value is None else inputs.aware_datetime(value, name, errors)
                setattr(activity, name, moment)
        elif name in data:
            setattr(activity, name, "" if data[name] is None else data[name])


def _apply_done(activity: Activity, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    """Set `done` when `data` gives it (null leaves it as is), with its done_at."""
    if "done" not in data or data["done"] is None:
        return
    done = inputs.boolean(data["done"], "done", errors)
    # done_at is stamped when the activity becomes done, and cleared when it is undone.
    if done and not activity.done:
        activity.done_at = timezone.now()
    elif done is False:
        activity.done_at = None
    if done is not None:
        activity.done = done


def _apply(
    activity: Activity, user: User, data: Mapping[str, Any], errors: ErrorCollector
) -> list[int] | None:
    """Copy `data` onto `activity` (unsaved); returns the new reminder minutes if given."""
    creating = activity.pk is None
    _apply_plain(activity, data, errors, creating=creating)
    if activity.kind not in ActivityKind.values:
        errors.add("kind", _("Unknown kind of activity."))
    if activity.outcome not in Outcome.values:
        errors.add("outcome", _("Unknown outcome."))
    _apply_done(activity, data, errors)
    owner = inputs.owner(user, data, errors, current=None if creating else activity.owner_id)
    inputs.set_owner(activity, owner)
    _set_links(activity, user, data, errors)
    if "custom" in data:
        custom = inputs.custom(RECORD_TYPE, data["custom"], errors, current=activity.custom)
        if custom is not None:
            activity.custom = custom
    return _clean_reminders(data.get("reminders"), errors) if "reminders" in data else None


def activity_create(*, actor: Actor, data: Mapping[str, Any]) -> Activity:
    """A new activity owned by the caller (or, for assigning roles, by `owner_id`)."""
    user = _user_of(actor)
    visibility.require(user, RECORD_TYPE, "create")
    errors = ErrorCollector()
    activity = Activity(owner=user, team_id=user.team_id, kind="")
    # Required custom fields are checked even when the body sends none.
    reminders = _apply(activity, user, {"custom": {}, **data}, errors) or []
    _check_times(activity, reminders, errors)
    errors.raise_if_any()
    with transaction.atomic():
        _insert(activity)
        _sync_reminders(activity, reminders)
        audit.record(actor, AuditAction.CREATE, activity, _snapshot(activity))
    return activity


def _reminder_minutes(activity: Activity) -> list[int]:
    rows = Reminder.objects.filter(activity_id=activity.pk)
    return sorted(rows.values_list("minutes_before", flat=True))


def activity_update(
    *, actor: Actor, activity_id: int, version: object, data: Mapping[str, Any]
) -> Activity:
    """Change the fields `data` names of an activity read at `version`."""
    user = _user_of(actor)
    with writes.change(
        actor, Activity, activity_id, version=version, audited=AUDIT_FIELDS
    ) as change:
        activity = change.record
        errors = ErrorCollector()
        current = _reminder_minutes(activity)
        reminders = _apply(activity, user, data, errors)
        wanted = current if reminders is None else reminders
        _check_times(activity, wanted, errors)
        errors.raise_if_any()
        _set_when(activity)
        _sync_reminders(activity, wanted)
        if wanted != current:
            change.extra["reminders"] = [current, wanted]
    return activity


def activity_reschedule(
    *, actor: Actor, activity_id: int, start: dt.datetime, version: object
) -> Activity:
    """Move an activity to `start` (the calendar's drag), keeping its length.

    A timed activity keeps its duration (start and end move together); anything
    else gets `start` as its due time. activity_update does the write, refusing a
    stale `version`.
    """
    user = _user_of(actor)
    current = visibility.get_visible(user, Activity.objects.all(), activity_id)
    data: dict[str, Any] = {}
    if current.start_at is not None:
        data["start_at"] = start
        if current.end_at is not None:
            data["end_at"] = start + (current.end_at - current.start_at)
    else:
        data["due_at"] = start
    return activity_update(actor=actor, activity_id=activity_id, version=version, data=data)


def activity_delete(*, actor: Actor, activity_id: int) -> None:
    """To the archive; a reminder that falls due meanwhile reminds nobody."""
    _user_of(actor)
    archive.archive(actor, Activity, activity_id)


def activity_complete(
    *,
    actor: Actor,
    activity_id: int,
    outcome: str = "",
    outcome_text: str | None = None,
    next_step: str = "",
    next_step_due_at: dt.datetime | None = None,
    next_step_kind: str = ActivityKind.TASK,
    version: object = None,
) -> Activity:
    """Mark an activity done with its outcome; a next step becomes a follow-up activity.

    `version` is the version the caller read; None (a quick tick) completes whatever
    is there. Completing again (a retry) changes nothing more and never adds a second
    follow-up.
    """
    _user_of(actor)
    errors = ErrorCollector()
    if outcome not in Outcome.values:
        errors.add("outcome", _("Unknown outcome."))
    if next_step_kind not in ActivityKind.values:
        errors.add("next_step_kind", _("Unknown kind of activity."))
    if next_step_due_at is not None:
        next_step_due_at = inputs.aware_datetime(next_step_due_at, "next_step_due_at", errors)
        if not next_step.strip():
            errors.add("next_step", _("Describe the next step to give it a due time."))
    if outcome_text is not None:
        outcome_text = inputs.column_text(Activity, "outcome_text", outcome_text, errors)
    next_step = inputs.column_text(Activity, "next_step", next_step, errors) or ""
    errors.raise_if_any()
    with transaction.atomic():
        if version is None:
            version = writes.locked(actor, Activity, activity_id, "edit").version
        with writes.change(
            actor, Activity, activity_id, version=version, audited=AUDIT_FIELDS
        ) as change:
            activity = change.record
            if not activity.done:
                activity.done = True
                activity.done_at = timezone.now()
                change.action = "activity.completed"
            if outcome:
                activity.outcome = outcome
            if outcome_text is not None:
                activity.outcome_text = outcome_text
            if next_step.strip():
                activity.next_step = next_step
        if next_step.strip() and not Activity.objects.filter(follow_up_of=activity).exists():
            _create_follow_up(actor, activity, next_step, next_step_due_at, next_step_kind)
    return activity


def _create_follow_up(
    actor: Actor, activity: Activity, subject: str, due_at: dt.datetime | None, kind: str
) -> Activity:
    deal_stage_id = (
        Deal.objects.filter(pk=activity.deal_id).values_list("stage_id", flat=True).first()
        if activity.deal_id
        else None
    )
    follow_up = Activity(
        kind=kind,
        subject=subject,
        due_at=due_at,
        follow_up_of=activity,
        owner_id=activity.owner_id,
        team_id=activity.team_id,
        contact_id=activity.contact_id,
        company_id=activity.company_id,
        deal_id=activity.deal_id,
        lead_id=activity.lead_id,
        deal_stage_id=deal_stage_id,
    )
    _insert(follow_up)
    audit.record(actor, AuditAction.CREATE, follow_up, _snapshot(follow_up))
    return follow_up


def reminder_fire(*, reminder_id: int, now: dt.datetime, pause: float = 0.0) -> bool:
    """Fire one due reminder in its own transaction; True when this call fired it.

    The row is locked (skipping rows another worker holds), the notification and
    the e-mail are keyed by the reminder, and `fired_at` is set in the same
    transaction: a crash before commit leaves nothing, a retry creates nothing twice.
    """
    with transaction.atomic():
        queryset = Reminder.objects.select_related("activity", "activity__owner").filter(
            pk=reminder_id, fired_at__isnull=True, fire_at__lte=now
        )
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        reminder = queryset.first()
        if reminder is None:
            return False
        activity = reminder.activity
        owner = activity.owner
        # An archived activity reminds nobody; its reminder is spent all the same.
        if not activity.done and activity.archived_at is None and owner.is_active:
            _notify(reminder, activity, owner)
        if pause:
            time.sleep(pause)  # lets tests kill a worker inside the transaction
        reminder.fired_at = timezone.now()
        reminder.save(update_fields=["fired_at"])
    return True


def _notify(reminder: Reminder, activity: Activity, owner: User) -> None:
    start = activity.start_at or activity.due_at or activity.when
    try:
        zone = zoneinfo.ZoneInfo(owner.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        title = _("Reminder: %(subject)s") % {"subject": activity.subject}
        body = _("%(kind)s at %(when)s (%(zone)s).") % {
            "kind": ActivityKind(activity.kind).label if activity.kind else "",
            "when": start.astimezone(zone).strftime("%Y-%m-%d %H:%M") if start else "",
            "zone": zone.key,
        }
    key = f"reminder:{reminder.pk}"
    notification_create(
        user=owner,
        key=key,
        kind="reminder",
        title=title,
        body=body,
        record_type=RECORD_TYPE,
        record_id=activity.pk,
    )
    if owner.email and email_enabled():
        email_enqueue(key=f"{key}:email", to=owner.email, subject=title, body=body)
