"""Where each consumer of the event stream stands, and the events it gave up on."""

from django.db import models

from .audit import AuditEvent


class EventConsumer(models.Model):
    """A registered handler's progress through the event stream (core.events).

    The row is updated in the same transaction as the handler's effects, so a worker
    killed at any instant leaves it either before or after an event, never between.
    """

    name = models.CharField(max_length=100, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    # The current event has failed this many times (reset when the consumer moves on).
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    # A hole in the ids after last_event_id (PostgreSQL): the id may belong to a
    # transaction still running, so the consumer waits until every writing transaction
    # of this database that was running when the hole was seen ([pid, xid] pairs) ended.
    gap_writers = models.JSONField(null=True, blank=True)
    gap_seen_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class EventFailure(models.Model):
    """An event a consumer failed on too often and passed, kept for an administrator."""

    consumer = models.CharField(max_length=100)
    event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField()
    error = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["consumer", "-id"], name="event_failure_consumer")]
