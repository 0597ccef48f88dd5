"""Activities (tasks, calls, meetings, notes, e-mails) and their reminders."""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kliento.activities.choices import ActivityKind, Outcome
from kliento.core.models import (
    Archivable,
    Owned,
    TimeStamped,
    Versioned,
    WithCustomFields,
    archive_indexes,
)
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.models import Deal, Lead, Stage


class Activity(TimeStamped, Owned, Versioned, Archivable, WithCustomFields):
    """Something done or to do with a customer, with its outcome and next step."""

    kind = models.CharField(_("kind"), max_length=8, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    # search_key(subject): the list's prefix search and its sort by subject (a range and an
    # order on a plain index); COLLATE "C" on PostgreSQL (migration 0004).
    subject_key = models.CharField(max_length=300, editable=False)
    body = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    start_at = models.DateTimeField(_("starts"), null=True, blank=True)
    end_at = models.DateTimeField(_("ends"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    outcome_text = models.TextField(_("outcome details"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    # The deal's stage when the activity was recorded.
    deal_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When it happens or is due: start for meetings, due for tasks; the calendar sorts on it.
    when = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["owner", "done", "when", "id"], name="activity_owner_when"),
            models.Index(fields=["owner", "when", "id"], name="activity_owner_time"),
            # My day's diary: one user's meetings of some weeks, read from the index alone
            # (`archived_at` too, which every read leaves out).
            models.Index(
                fields=["owner", "kind", "when", "outcome", "archived_at"],
                name="activity_owner_kind",
            ),
            models.Index(fields=["team", "when", "id"], name="activity_team_when"),
            models.Index(fields=["when", "id"], name="activity_when"),
            models.Index(fields=["contact", "-when", "-id"], name="activity_contact"),
            models.Index(fields=["company", "-when", "-id"], name="activity_company"),
            models.Index(fields=["deal", "-when", "-id"], name="activity_deal"),
            models.Index(fields=["lead", "-when", "-id"], name="activity_lead"),
            models.Index(fields=["kind", "outcome", "when"], name="activity_kind_outcome"),
            models.Index(fields=["created_at", "id"], name="activity_created"),
            # The list's sorts for a scoped user: each visible part (own, team) in its order.
            models.Index(fields=["owner", "created_at", "id"], name="activity_owner_created"),
            models.Index(fields=["team", "created_at", "id"], name="activity_team_created"),
            models.Index(fields=["subject_key", "id"], name="activity_subject_key"),
            models.Index(fields=["owner", "subject_key", "id"], name="activity_owner_subject"),
            models.Index(fields=["team", "subject_key", "id"], name="activity_team_subject"),
            # A team-scoped user's own rows left in another team: nearly always none.
            models.Index(fields=["owner", "team"], name="activity_owner_team"),
            *archive_indexes("activity"),
        ]

    def __str__(self) -> str:
        return self.subject

    def derive_columns(self) -> None:
        """The key follows the subject on every write (core.writes calls this too)."""
        self.subject_key = search_key(self.subject)[:300]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Services, the demo and tests alike.
        self.derive_columns()
        fields = kwargs.get("update_fields")
        if fields is not None and "subject" in fields:
            kwargs["update_fields"] = {*fields, "subject_key"}
        super().save(*args, **kwargs)


class Reminder(models.Model):
    """A reminder some minutes before an activity; fired once, even after downtime."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    minutes_before = models.PositiveIntegerField(_("minutes before"))
    fire_at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "minutes_before"], name="uniq_reminder"),
        ]
        indexes = [models.Index(fields=["fired_at", "fire_at"], name="reminder_due")]
