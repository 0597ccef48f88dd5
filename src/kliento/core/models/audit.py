"""The audit trail: one row per change of customer data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kliento.core.choices import ActorKind, AuditAction


class AuditEvent(models.Model):
    """Who (user, token, import, rule) changed which record when: before -> after."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    record_type = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    changes = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["record_type", "record_id", "-id"], name="audit_record")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
