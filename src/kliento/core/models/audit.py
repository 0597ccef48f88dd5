"""The audit trail, which is also the stream of domain events: one row per change or action."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kliento.core.choices import ActorKind


class AuditEvent(models.Model):
    """Who (user, token, import, rule, system) did what to which record when.

    `action` is a generic `create`, `update` or `delete`, or a domain action an app
    registers ("deal.won", "lead.converted"); `changes` holds before -> after of the
    fields it changed. The row is written in the transaction of the change itself, so
    the event stream (core.events) is exactly what was committed; `caused_by` names the
    event that led to this one (a rule's effect names its trigger).
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)  # AuditAction or a registered domain action
    record_type = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    changes = models.JSONField(default=dict)
    # Looked up from the effect to its cause only: no index of its own.
    caused_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["record_type", "record_id", "-id"], name="audit_record")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
