"""Abstract bases that domain records share."""

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

_M = TypeVar("_M", bound=models.Model)


class TimeStamped(models.Model):
    """A record that knows when it was created and last changed (UTC)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Owned(models.Model):
    """A record with an owner; `team` is the owner's team, copied for fast scoping.

    Neither column gets an index of its own: every concrete model declares
    composite indexes starting with (owner, ...) and (team, ...) that serve the
    same look-ups (a test checks each model), and a redundant index only slows writes.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        db_index=False,
    )
    team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
        db_index=False,
    )

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: a write names the version it read; a stale one is refused."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class LiveManager(models.Manager[_M]):
    """Rows that are not archived: every list, search, count and link reads these."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(archived_at__isnull=True)


class Archivable(models.Model):
    """A record that goes to the archive instead of being deleted (core.archive).

    `objects` leaves archived rows out, so lists, search, counts, pickers and reports
    never see them without asking; `all_objects` reads them too (the card of an
    archived record, the archive's list, restore). Related access (`deal.contact`)
    still finds an archived record. Each concrete model adds `archive_indexes`: two
    partial indexes holding only the few archived rows.
    """

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    # The audit event that archived this record, or the record it went with: restoring
    # that record brings back everything archived with it.
    archived_with = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 - `objects` first: the default manager

    class Meta:
        abstract = True


def archive_indexes(prefix: str) -> list[models.Index]:
    """The two partial indexes of an Archivable model; each holds only archived rows."""
    archived = models.Q(archived_at__isnull=False)
    return [
        models.Index(fields=["archived_at", "id"], name=f"{prefix}_archived", condition=archived),
        models.Index(
            fields=["archived_with"],
            name=f"{prefix}_archived_with",
            condition=models.Q(archived_with__isnull=False),
        ),
    ]


class WithCustomFields(models.Model):
    """Values of admin-defined custom fields, keyed by the field's key."""

    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        abstract = True
