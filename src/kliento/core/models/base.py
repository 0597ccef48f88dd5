"""Abstract bases that domain records share."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class WithCustomFields(models.Model):
    """Values of admin-defined custom fields, keyed by the field's key."""

    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        abstract = True
