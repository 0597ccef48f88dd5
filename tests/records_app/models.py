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
