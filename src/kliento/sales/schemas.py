"""Input and output shapes of the sales API."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

from kliento.core.apicontract import Amount, Date, StrictId, Version, one_of
from kliento.core.apikit import InSchema
from kliento.core.choices import Role
from kliento.core.money import ISO_4217
from kliento.sales.choices import LeadChannel, LeadStatus, ReasonKind, StageKind

Id = StrictId
Currency = Annotated[str, one_of(ISO_4217, description="An ISO 4217 code such as EUR.")]


class StageIn(InSchema):
    id: Id | None = None
    name: str = Field(min_length=1, max_length=120)
    probability: StrictInt = Field(default=0, ge=0, le=100)
    responsible_role: Annotated[str, one_of(["", *Role.values])] = ""
    expected_result: str = Field(default="", max_length=300)
    kind: Annotated[str, one_of(StageKind.values)] = StageKind.OPEN


class PipelineIn(InSchema):
    name: str = Field(min_length=1, max_length=120)
    default_currency: Currency = "EUR"
    active: StrictBool = True
    position: StrictInt = Field(default=0, ge=0, le=100000)
    stages: list[StageIn] = Field(max_length=50)


class PipelinePatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    default_currency: Currency | None = None
    active: StrictBool | None = None
    position: StrictInt | None = Field(default=None, ge=0, le=100000)
    stages: list[StageIn] | None = Field(default=None, max_length=50)


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    responsible_role: str
    expected_result: str
    kind: str


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    default_currency: str
    active: bool
    stages: list[StageOut]


class DealReasonIn(InSchema):
    kind: Annotated[str, one_of(ReasonKind.values)]
    name: str = Field(min_length=1, max_length=200)


class DealReasonPatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    active: StrictBool | None = None


class DealReasonOut(Schema):
    id: int
    kind: str
    name: str
    active: bool


class LeadFields(InSchema):
    status: Annotated[str, one_of(LeadStatus.values)] | None = None
    channel: Annotated[str, one_of(LeadChannel.values)] | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=100)
    utm_source: str | None = Field(default=None, max_length=200)
    utm_medium: str | None = Field(default=None, max_length=200)
    utm_campaign: str | None = Field(default=None, max_length=200)
    utm_term: str | None = Field(default=None, max_length=200)
    utm_content: str | None = Field(default=None, max_length=200)
    referrer: str | None = Field(default=None, max_length=500)
    keyword: str | None = Field(default=None, max_length=200)
    answers: dict[str, Any] | None = None
    budget_amount: Amount | None = None
    budget_currency: Currency | None = None
    authority: str | None = Field(default=None, max_length=300)
    need: str | None = Field(default=None, max_length=10000)
    timeline: Date | None = None
    custom: dict[str, Any] | None = None
    owner_id: Id | None = None


class LeadIn(LeadFields):
    title: str = Field(min_length=1, max_length=200)


class LeadPatch(LeadFields):
    version: Version
    title: str | None = Field(default=None, min_length=1, max_length=200)


class LeadRow(Schema):
    id: int
    archived_at: dt.datetime | None  # when it went to the archive; null while in use
    title: str
    status: str
    channel: str
    first_name: str
    last_name: str
    company_name: str
    email: str
    phone: str
    source: str
    budget_amount: decimal.Decimal | None
    budget_currency: str
    owner_id: int
    team_id: int | None
    contact_id: int | None
    company_id: int | None
    converted_at: dt.datetime | None
    custom: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class LeadOut(LeadRow):
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    referrer: str
    keyword: str
    answers: dict[str, Any]
    authority: str
    need: str
    timeline: dt.date | None


class ConvertDealIn(InSchema):
    title: str | None = Field(default=None, max_length=200)
    pipeline_id: Id
    stage_id: Id | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    expected_close_date: Date | None = None


class LeadConvertIn(InSchema):
    version: Version | None = None
    contact_id: Id | None = None
    create_contact: StrictBool = False
    company_id: Id | None = None
    create_company: StrictBool = False
    deal: ConvertDealIn


class DealFields(InSchema):
    amount: Amount | None = None
    currency: Currency | None = None
    company_id: Id | None = None
    contact_id: Id | None = None
    lead_id: Id | None = None
    start_date: Date | None = None
    expected_close_date: Date | None = None
    custom: dict[str, Any] | None = None
    owner_id: Id | None = None


class DealIn(DealFields):
    title: str = Field(min_length=1, max_length=200)
    pipeline_id: Id
    stage_id: Id | None = None


class DealPatch(DealFields):
    version: Version
    title: str | None = Field(default=None, min_length=1, max_length=200)


class DealMoveIn(InSchema):
    stage_id: Id
    version: Version
    won_reason_id: Id | None = None
    lost_reason_id: Id | None = None
    reason_text: str = Field(default="", max_length=2000)


class ParticipantIn(InSchema):
    user_id: Id
    role: str = Field(min_length=1, max_length=60)


class ParticipantOut(Schema):
    user_id: int
    role: str
    name: str


class DealRow(Schema):
    id: int
    archived_at: dt.datetime | None  # when it went to the archive; null while in use
    title: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    status: str
    amount: decimal.Decimal
    currency: str
    owner_id: int
    team_id: int | None
    company_id: int | None
    contact_id: int | None
    lead_id: int | None
    expected_close_date: dt.date | None
    closed_at: dt.datetime | None
    stage_entered_at: dt.datetime | None
    custom: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_stage_name(obj: Any) -> str:
        return str(obj.stage.name)


class DealOut(DealRow):
    pipeline_name: str
    start_date: dt.date | None
    won_reason_id: int | None
    lost_reason_id: int | None
    reason_text: str
    lost_at_stage_id: int | None
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_pipeline_name(obj: Any) -> str:
        return str(obj.pipeline.name)

    @staticmethod
    def resolve_participants(obj: Any) -> list[dict[str, Any]]:
        return [
            {"user_id": p.user_id, "role": p.role, "name": p.user.display_name}
            for p in obj.participants.all()
        ]


class LeadConvertOut(Schema):
    lead: LeadOut
    deal: DealOut


class StagePeriodOut(Schema):
    stage_id: int
    stage_name: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    by: str
    seconds: int

    @staticmethod
    def resolve_seconds(obj: Any) -> int:
        return int(obj.duration.total_seconds())
