"""Leads, pipelines with their stages, deals, participants and the history of stage moves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kliento.core.choices import Role
from kliento.core.models import (
    Archivable,
    Owned,
    TimeStamped,
    Versioned,
    WithCustomFields,
    archive_indexes,
)
from kliento.customers.models import Company, Contact
from kliento.sales.choices import LeadChannel, LeadStatus, ReasonKind, StageKind

# Money columns: 12 digits before the point, 2 after.
MONEY_DIGITS, MONEY_PLACES = 14, 2


class Pipeline(models.Model):
    """An ordered set of stages a deal goes through (window installation, B2B supply)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    default_currency = models.CharField(_("currency"), max_length=3, default="EUR")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A step of a pipeline: its probability, who is responsible and what it should produce."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability %"), default=0)
    responsible_role = models.CharField(
        _("responsible role"), max_length=20, choices=Role.choices, blank=True
    )
    expected_result = models.CharField(_("expected result"), max_length=300, blank=True)
    kind = models.CharField(
        _("kind"), max_length=5, choices=StageKind.choices, default=StageKind.OPEN
    )

    class Meta:
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="uniq_stage_position"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="uniq_stage_name"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DealReason(models.Model):
    """An admin-kept reason why deals are won or lost."""

    kind = models.CharField(_("kind"), max_length=4, choices=ReasonKind.choices)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="uniq_deal_reason")]

    def __str__(self) -> str:
        return self.name


class Lead(TimeStamped, Owned, Versioned, Archivable, WithCustomFields):
    """An incoming request, with where it came from, what it said, and its qualification."""

    title = models.CharField(_("title"), max_length=200)
    title_key = models.CharField(max_length=200, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=LeadChannel.choices, default=LeadChannel.OTHER
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    referrer = models.CharField(_("referrer"), max_length=500, blank=True)
    keyword = models.CharField(_("search keyword"), max_length=200, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # BANT qualification.
    budget_amount = models.DecimalField(
        _("budget"), null=True, blank=True, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    budget_currency = models.CharField(_("budget currency"), max_length=3, blank=True)
    authority = models.CharField(_("authority"), max_length=300, blank=True)
    need = models.TextField(_("need"), blank=True)
    timeline = models.DateField(_("timeline"), null=True, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["title_key", "id"], name="lead_title_key"),
            models.Index(fields=["status", "created_at", "id"], name="lead_status"),
            models.Index(fields=["owner", "created_at", "id"], name="lead_owner"),
            models.Index(fields=["team", "created_at", "id"], name="lead_team"),
            models.Index(fields=["created_at", "id"], name="lead_created"),
            models.Index(fields=["channel", "created_at", "id"], name="lead_channel"),
            models.Index(fields=["source", "created_at", "id"], name="lead_source"),
            *archive_indexes("lead"),
        ]

    def __str__(self) -> str:
        return self.title


class Deal(TimeStamped, Owned, Versioned, Archivable, WithCustomFields):
    """A sale in progress through a pipeline's stages, ending won or lost."""

    title = models.CharField(_("title"), max_length=200)
    title_key = models.CharField(max_length=200, editable=False)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    # The stage's kind, copied so "open deals" needs no join.
    status = models.CharField(
        _("status"), max_length=5, choices=StageKind.choices, default=StageKind.OPEN
    )
    amount = models.DecimalField(
        _("amount"), default=0, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    expected_close_date = models.DateField(_("expected close"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"), null=True, blank=True)
    won_reason = models.ForeignKey(
        DealReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lost_reason = models.ForeignKey(
        DealReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason_text = models.TextField(_("reason details"), blank=True)
    lost_at_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            # One stage's deals (the kanban column) in the default order: a range scan.
            models.Index(fields=["stage", "created_at", "id"], name="deal_stage"),
            models.Index(fields=["stage", "owner", "created_at", "id"], name="deal_stage_owner_at"),
            models.Index(fields=["stage", "team", "created_at", "id"], name="deal_stage_team_at"),
            models.Index(fields=["owner", "status", "id"], name="deal_owner_status"),
            models.Index(fields=["team", "status", "id"], name="deal_team_status"),
            models.Index(fields=["title_key", "id"], name="deal_title_key"),
            models.Index(fields=["status", "expected_close_date"], name="deal_status_close"),
            models.Index(fields=["owner", "stage", "amount"], name="deal_owner_stage_amount"),
            models.Index(fields=["created_at", "id"], name="deal_created"),
            models.Index(fields=["pipeline", "created_at", "id"], name="deal_pipeline"),
            models.Index(fields=["owner", "created_at", "id"], name="deal_owner_created"),
            models.Index(fields=["team", "created_at", "id"], name="deal_team_created"),
            models.Index(fields=["status", "created_at", "id"], name="deal_status_created"),
            models.Index(fields=["amount", "id"], name="deal_amount"),
            models.Index(fields=["expected_close_date", "id"], name="deal_close_date"),
            # The board's totals per (stage, currency), read from this index alone in its
            # order (no sort); with a team filter, one range per stage. `archived_at` is
            # in it so that leaving archived deals out needs no row either.
            models.Index(
                fields=["stage", "team", "currency", "amount", "archived_at"],
                name="deal_stage_totals",
            ),
            *archive_indexes("deal"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="deal_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DealParticipant(models.Model):
    """Another user with a part in a deal: the measurer, the installer, a consultant."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deal_parts"
    )
    role = models.CharField(_("part"), max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "user", "role"], name="uniq_deal_participant"),
        ]
        indexes = [models.Index(fields=["user", "deal"], name="participant_user_deal")]


class StageChange(models.Model):
    """One move of a deal between stages; time in each stage is read from these rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        indexes = [models.Index(fields=["deal", "-at", "-id"], name="stage_change_deal")]
