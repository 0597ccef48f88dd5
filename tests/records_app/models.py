from django.db import models

from kliento.core.models import Owned, TimeStamped, Versioned, WithCustomFields


class Ticket(TimeStamped, Owned, Versioned, WithCustomFields):
    """A customer's request, as a service app of the future would keep it."""

    subject = models.CharField("subject", max_length=200)
    priority = models.CharField(
        "priority", max_length=6, choices=[("low", "Low"), ("high", "High")], default="low"
    )
    resolved = models.BooleanField("resolved", default=False)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "team"], name="ticket_owner_team"),
            models.Index(fields=["team", "id"], name="ticket_team"),
            models.Index(fields=["priority", "id"], name="ticket_priority"),
        ]


class HandledEvent(models.Model):
    """What the test consumer did: one row per event it handled (a second is refused)."""

    consumer = models.CharField(max_length=100)
    event_id = models.BigIntegerField()
    record_type = models.CharField(max_length=20)
    action = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event_id"], name="handled_once"),
        ]
