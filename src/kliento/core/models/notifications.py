"""In-app notifications and the outbox every external send goes through."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one user in the app; `key` makes creating it idempotent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    record_type = models.CharField(max_length=20, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_notification_key"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-id"], name="notification_unread"),
            models.Index(fields=["user", "-id"], name="notification_user"),
        ]


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One external send (an e-mail, later a webhook call, an SMS, a messenger post).

    `channel` names the sender registered for it (core.outbox.register_channel) and
    `payload` is what that sender needs. One row per channel, recipient and step
    (`key`), with a stable id derived from the key (the e-mail's Message-ID, a
    webhook's event id) so that a receiver can drop a repeated send.
    `claimed_until` is the lease of the worker sending it now: a worker that dies
    mid-send leaves the row pending, and another one takes it once the lease ends.
    """

    channel = models.CharField(max_length=20, default="email")
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="uniq_outbox_channel_key"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="outbox_pending")]
