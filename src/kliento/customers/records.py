"""How companies and contacts describe themselves to the rest of Kliento (core.records)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kliento.core.choices import Role, Scope
from kliento.core.records import GROUPED, STAMP, WRITTEN, Field, RecordSpec
from kliento.core.rights import Rights
from kliento.customers.models import Company, Contact

COMPANY = "company"
CONTACT = "contact"


def _shared(prefix: str) -> tuple[Field, ...]:
    """The fields companies and contacts share; their indexes are named after the table."""
    return (
        Field("relationship", WRITTEN | GROUPED, index=f"{prefix}_relationship"),
        Field("source", WRITTEN | GROUPED, index=f"{prefix}_source"),
        Field("region", WRITTEN | GROUPED, index=f"{prefix}_region"),
        Field("industry", WRITTEN | GROUPED, index=f"{prefix}_industry"),
        Field("segment", WRITTEN | GROUPED, index=f"{prefix}_segment"),
        Field("source_campaign", WRITTEN),
        Field("source_ad", WRITTEN),
        Field("source_keyword", WRITTEN),
        Field("notes", frozenset({"export", "imports", "write"})),
        Field("impressions", frozenset({"imports", "write"}), personal=True),
        Field("owner", WRITTEN | GROUPED, sort="bounded", index=f"{prefix}_owner_name"),
        Field("team", GROUPED, index=f"{prefix}_team_name"),
        Field("created_at", STAMP, sort="index", index=f"{prefix}_created"),
        Field("updated_at", STAMP, sort="index", index=f"{prefix}_updated"),
    )


# Managers work their team's customers; marketers the whole base, which they export.
_CUSTOMER_RIGHTS: dict[str, Rights] = {
    Role.MANAGER: Rights(Scope.TEAM, can_create=True, can_edit=True),
    Role.MARKETER: Rights(Scope.ALL, can_create=True, can_edit=True, can_export=True),
}

COMPANY_SPEC = RecordSpec(
    name=COMPANY,
    model=Company,
    label=_("Company"),
    plural=_("Companies"),
    icon="building-2",
    api_resource="companies",
    detail_url="customers:company-detail",
    default_rights={**_CUSTOMER_RIGHTS, Role.SERVICE_AGENT: Rights(Scope.ALL)},
    declared_fields=(
        Field("name", WRITTEN, sort="index", index="company_name_key"),
        Field("website", WRITTEN),
        *_shared("company"),
    ),
    timeline=True,
    order=10,
)

CONTACT_SPEC = RecordSpec(
    name=CONTACT,
    model=Contact,
    label=_("Contact"),
    plural=_("Contacts"),
    icon="user",
    api_resource="contacts",
    detail_url="customers:contact-detail",
    default_rights={
        **_CUSTOMER_RIGHTS,
        Role.SERVICE_AGENT: Rights(Scope.ALL, can_edit=True),
    },
    declared_fields=(
        Field("first_name", WRITTEN, personal=True),
        Field("last_name", WRITTEN, personal=True),
        Field("middle_name", frozenset({"export", "imports", "write"}), personal=True),
        Field(
            "name",
            sort="index",
            column="name_key",
            type="text",
            label=_("name"),
            index="contact_name_key",
        ),
        Field("company", WRITTEN | GROUPED, sort="bounded", index="contact_company"),
        Field("job_title", WRITTEN),
        Field("email", WRITTEN | {"filter"}, sort="bounded", index="contact_email", personal=True),
        Field("phone", WRITTEN | {"filter"}, sort="bounded", index="contact_phone", personal=True),
        Field("birthday", WRITTEN, personal=True),
        *_shared("contact"),
    ),
    timeline=True,
    order=20,
)
