"""The customer base: companies, contacts, their channels, tags and important dates."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kliento.core.models import (
    Archivable,
    Owned,
    TimeStamped,
    Versioned,
    WithCustomFields,
    archive_indexes,
)
from kliento.customers.choices import ChannelKind, Relationship


class Tag(models.Model):
    """A free label shared by companies and contacts."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sourced(models.Model):
    """Where a customer heard of us, and the campaign, ad and keyword that brought them."""

    # Indexed together with each sort column in the concrete models.
    source = models.CharField(_("source"), max_length=100, blank=True)
    source_campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    source_ad = models.CharField(_("ad"), max_length=200, blank=True)
    source_keyword = models.CharField(_("search keyword"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Classified(models.Model):
    region = models.CharField(_("region"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    segment = models.CharField(_("market segment"), max_length=100, blank=True)
    relationship = models.CharField(
        _("relationship"),
        max_length=10,
        choices=Relationship.choices,
        default=Relationship.PROSPECT,
    )
    notes = models.TextField(_("notes"), blank=True)
    impressions = models.TextField(_("personal impressions"), blank=True)

    class Meta:
        abstract = True


class Company(TimeStamped, Owned, Versioned, Archivable, WithCustomFields, Sourced, Classified):
    """An organisation we sell to; contacts may belong to it."""

    name = models.CharField(_("name"), max_length=200)
    # Lower-cased name: prefix search is a range scan on it (FACTS.md: LIKE can't use the index).
    name_key = models.CharField(max_length=200, editable=False)
    website = models.CharField(_("web site"), max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        # One index per filter + sort the list API offers (selectors.COMPANY_SORTS_BY_FILTER).
        indexes = [
            models.Index(fields=["name_key", "id"], name="company_name_key"),
            models.Index(fields=["created_at", "id"], name="company_created"),
            models.Index(fields=["updated_at", "id"], name="company_updated"),
            models.Index(fields=["owner", "name_key", "id"], name="company_owner_name"),
            models.Index(fields=["owner", "team"], name="company_owner_team"),
            models.Index(fields=["owner", "created_at", "id"], name="company_owner_created"),
            models.Index(fields=["owner", "updated_at", "id"], name="company_owner_updated"),
            models.Index(fields=["team", "name_key", "id"], name="company_team_name"),
            models.Index(fields=["team", "created_at", "id"], name="company_team_created"),
            models.Index(fields=["team", "updated_at", "id"], name="company_team_updated"),
            models.Index(fields=["relationship", "name_key", "id"], name="company_relationship"),
            models.Index(fields=["source", "name_key", "id"], name="company_source"),
            models.Index(fields=["region", "name_key", "id"], name="company_region"),
            models.Index(fields=["industry", "name_key", "id"], name="company_industry"),
            models.Index(fields=["segment", "name_key", "id"], name="company_segment"),
            *archive_indexes("company"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStamped, Owned, Versioned, Archivable, WithCustomFields, Sourced, Classified):
    """A person: a consumer, or a contact person of a company."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    name_key = models.CharField(max_length=300, editable=False)
    first_name_key = models.CharField(max_length=100, editable=False)
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("company"),
        db_index=False,  # served by the (company, sort, id) indexes below
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    # The primary channels, copied here so a list row needs no join.
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        # One index per filter + sort the list API offers (selectors.CONTACT_SORTS_BY_FILTER).
        indexes = [
            models.Index(fields=["name_key", "id"], name="contact_name_key"),
            # A first-name search pages by (first name, full name, id): see selectors.
            models.Index(
                fields=["first_name_key", "name_key", "id"], name="contact_first_name_key"
            ),
            models.Index(fields=["created_at", "id"], name="contact_created"),
            models.Index(fields=["updated_at", "id"], name="contact_updated"),
            models.Index(fields=["owner", "name_key", "id"], name="contact_owner_name"),
            models.Index(fields=["owner", "team"], name="contact_owner_team"),
            models.Index(fields=["owner", "created_at", "id"], name="contact_owner_created"),
            models.Index(fields=["owner", "updated_at", "id"], name="contact_owner_updated"),
            models.Index(fields=["team", "name_key", "id"], name="contact_team_name"),
            models.Index(fields=["team", "created_at", "id"], name="contact_team_created"),
            models.Index(fields=["team", "updated_at", "id"], name="contact_team_updated"),
            models.Index(fields=["company", "name_key", "id"], name="contact_company"),
            models.Index(fields=["company", "created_at", "id"], name="contact_company_created"),
            models.Index(fields=["company", "updated_at", "id"], name="contact_company_updated"),
            models.Index(fields=["relationship", "name_key", "id"], name="contact_relationship"),
            models.Index(fields=["source", "name_key", "id"], name="contact_source"),
            models.Index(fields=["region", "name_key", "id"], name="contact_region"),
            models.Index(fields=["industry", "name_key", "id"], name="contact_industry"),
            models.Index(fields=["segment", "name_key", "id"], name="contact_segment"),
            # Exact look-up of the primary e-mail / phone (search).
            models.Index(fields=["email"], name="contact_email"),
            models.Index(fields=["phone"], name="contact_phone"),
            *archive_indexes("contact"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)


class Channel(models.Model):
    """One way to reach a contact or company: e-mail, phone, messenger, address."""

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="channels"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    value = models.CharField(_("value"), max_length=300)
    # E-mail lower-cased, phone in E.164: what lookups compare.
    normalized = models.CharField(max_length=300)
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        indexes = [models.Index(fields=["kind", "normalized"], name="channel_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, company__isnull=True)
                | models.Q(contact__isnull=True, company__isnull=False),
                name="channel_one_owner",
            ),
            models.UniqueConstraint(
                fields=["contact", "kind"],
                condition=models.Q(is_primary=True),
                name="channel_one_primary_per_contact_kind",
            ),
            models.UniqueConstraint(
                fields=["company", "kind"],
                condition=models.Q(is_primary=True),
                name="channel_one_primary_per_company_kind",
            ),
        ]


class ImportantDate(models.Model):
    """A date that drives a greeting: a contract anniversary, a name day."""

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="important_dates"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="important_dates"
    )
    label = models.CharField(_("label"), max_length=100)
    date = models.DateField(_("date"))
    recurring = models.BooleanField(_("every year"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False, company__isnull=True)
                | models.Q(contact__isnull=True, company__isnull=False),
                name="important_date_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="important_date_date")]
