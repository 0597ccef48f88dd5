"""Input and output shapes of the customer API.

The services check every value again (they also serve lead conversion and
imports); these shapes give the API its documentation and early 422s.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from kliento.core.apicontract import (
    Cursor,
    Date,
    DateTime,
    Id,
    Limit,
    StrictId,
    Version,
    ordering_of,
)
from kliento.core.apikit import InSchema
from kliento.core.inputs import LONG_TEXT_MAX
from kliento.customers.choices import ChannelKind
from kliento.customers.normalize import WEBSITE_PATTERN
from kliento.customers.selectors import COMPANY_COLUMN_SORTS, CONTACT_COLUMN_SORTS, SORTS
from kliento.customers.services._common import MAX_LIST_ITEMS

RelationshipIn = Literal["cold", "prospect", "customer", "former", "partner"]
TagName = Annotated[str, Field(min_length=1, max_length=60)]
# The service checks the address (with a clearer message than a pattern's); the
# pattern is declared so that clients know the rule.
Website = Annotated[
    str,
    Field(
        max_length=200,
        description="An http or https address, or a host name such as example.com.",
        json_schema_extra={"pattern": WEBSITE_PATTERN},
    ),
]


class ChannelIn(InSchema):
    value: str = Field(max_length=300)
    label: str = Field("", max_length=60)
    is_primary: StrictBool = False


class ImportantDateIn(InSchema):
    label: str = Field(max_length=100)
    date: Date
    recurring: StrictBool = True


class _SharedIn(InSchema):
    region: str | None = Field(None, max_length=100)
    industry: str | None = Field(None, max_length=100)
    segment: str | None = Field(None, max_length=100)
    relationship: RelationshipIn | None = None
    source: str | None = Field(None, max_length=100)
    source_campaign: str | None = Field(None, max_length=200)
    source_ad: str | None = Field(None, max_length=200)
    source_keyword: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=LONG_TEXT_MAX)
    impressions: str | None = Field(None, max_length=LONG_TEXT_MAX)
    tags: list[TagName] | None = Field(None, max_length=MAX_LIST_ITEMS)
    emails: list[ChannelIn] | None = Field(None, max_length=MAX_LIST_ITEMS)
    phones: list[ChannelIn] | None = Field(None, max_length=MAX_LIST_ITEMS)
    messengers: list[ChannelIn] | None = Field(None, max_length=MAX_LIST_ITEMS)
    addresses: list[ChannelIn] | None = Field(None, max_length=MAX_LIST_ITEMS)
    important_dates: list[ImportantDateIn] | None = Field(None, max_length=MAX_LIST_ITEMS)
    custom: dict[str, Any] | None = None
    owner_id: StrictId | None = None


class CompanyIn(_SharedIn):
    name: str = Field(min_length=1, max_length=200)
    website: Website | None = None


class CompanyPatch(_SharedIn):
    version: Version
    name: str | None = Field(None, min_length=1, max_length=200)
    website: Website | None = None


class _ContactFields(_SharedIn):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    middle_name: str | None = Field(None, max_length=100)
    company_id: StrictId | None = None
    job_title: str | None = Field(None, max_length=150)
    birthday: Date | None = None


class ContactIn(_ContactFields):
    pass


class ContactPatch(_ContactFields):
    version: Version


class ListQuery(Schema):
    q: str | None = Field(None, max_length=200, description="Name prefix, an e-mail or a phone.")
    cursor: Cursor | None = None
    limit: Limit = 50
    owner: Id | None = None
    team: Id | None = None
    tag: str | None = Field(None, max_length=60)
    relationship: RelationshipIn | None = None
    source: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    industry: str | None = Field(None, max_length=100)
    segment: str | None = Field(None, max_length=100)
    created_after: DateTime | None = None
    created_before: DateTime | None = None


class CompanyListQuery(ListQuery):
    ordering: Annotated[str, ordering_of(*SORTS, *COMPANY_COLUMN_SORTS)] | None = None


class ContactListQuery(ListQuery):
    ordering: Annotated[str, ordering_of(*SORTS, *CONTACT_COLUMN_SORTS)] | None = None
    company: Id | None = None


# --- output ----------------------------------------------------------------------------


class ChannelOut(Schema):
    value: str
    label: str
    is_primary: bool


class ImportantDateOut(Schema):
    label: str
    date: dt.date
    recurring: bool


def _channels(obj: Any, kind: str) -> list[Any]:
    return [c for c in obj.channels.all() if c.kind == kind]


def _primary(obj: Any, kind: str) -> str:
    found = [c for c in getattr(obj, "primary_channels", []) if c.kind == kind]
    return found[0].value if found else ""


class CompanyRow(Schema):
    id: int
    archived_at: dt.datetime | None  # when it went to the archive; null while in use
    name: str
    email: str
    phone: str
    owner_id: int
    relationship: str
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return _primary(obj, ChannelKind.EMAIL)

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return _primary(obj, ChannelKind.PHONE)


class ContactRow(Schema):
    id: int
    archived_at: dt.datetime | None  # when it went to the archive; null while in use
    full_name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    company_id: int | None
    company_name: str | None
    owner_id: int
    relationship: str
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_company_name(obj: Any) -> str | None:
        return company_name_for(obj)


class _DetailOut(Schema):
    id: int
    archived_at: dt.datetime | None  # when it went to the archive; null while in use
    region: str
    industry: str
    segment: str
    relationship: str
    source: str
    source_campaign: str
    source_ad: str
    source_keyword: str
    notes: str
    impressions: str
    emails: list[ChannelOut]
    phones: list[ChannelOut]
    messengers: list[ChannelOut]
    addresses: list[ChannelOut]
    tags: list[str]
    important_dates: list[ImportantDateOut]
    custom: dict[str, Any]
    owner_id: int
    team_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_emails(obj: Any) -> list[Any]:
        return _channels(obj, ChannelKind.EMAIL)

    @staticmethod
    def resolve_phones(obj: Any) -> list[Any]:
        return _channels(obj, ChannelKind.PHONE)

    @staticmethod
    def resolve_messengers(obj: Any) -> list[Any]:
        return _channels(obj, ChannelKind.MESSENGER)

    @staticmethod
    def resolve_addresses(obj: Any) -> list[Any]:
        return _channels(obj, ChannelKind.ADDRESS)

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(t.name for t in obj.tags.all())

    @staticmethod
    def resolve_important_dates(obj: Any) -> list[Any]:
        return sorted(obj.important_dates.all(), key=lambda d: (d.date, d.id))


class CompanyOut(_DetailOut):
    name: str
    website: str


class ContactOut(_DetailOut):
    full_name: str
    first_name: str
    last_name: str
    middle_name: str
    company_id: int | None
    company_name: str | None
    job_title: str
    birthday: dt.date | None
    email: str
    phone: str

    @staticmethod
    def resolve_company_name(obj: Any) -> str | None:
        return company_name_for(obj)


def company_name_for(contact: Any) -> str | None:
    """The company's name only when the selector marked the company visible to the caller."""
    if contact.company_id is None or not getattr(contact, "company_visible", False):
        return None
    return str(contact.company.name)
