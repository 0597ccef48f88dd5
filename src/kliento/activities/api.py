"""REST routes of activities: CRUD, completing with a follow-up, the diary filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool

from kliento.activities import selectors, services
from kliento.core.apicontract import (
    CUSTOM_FILTERS,
    ApiRouter,
    AwareDateTime,
    Cursor,
    Id,
    Limit,
    StrictId,
    Version,
    ordering_of,
)
from kliento.core.apikit import InSchema, ListOut, actor_of, caller

router = ApiRouter(tags=["activities"])

Kind = Literal["task", "call", "meeting", "note", "email"]
OutcomeValue = Literal["", "successful", "failed", "no_answer", "rescheduled"]
Minutes = Annotated[int, Field(ge=0, le=services.MAX_REMINDER_MINUTES, strict=True)]
MAX_TEXT = 20000


class ActivityIn(InSchema):
    kind: Kind
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field("", max_length=MAX_TEXT)
    due_at: AwareDateTime | None = None
    start_at: AwareDateTime | None = None
    end_at: AwareDateTime | None = None
    done: StrictBool = False
    outcome: OutcomeValue = ""
    outcome_text: str = Field("", max_length=MAX_TEXT)
    next_step: str = Field("", max_length=300)
    contact_id: StrictId | None = None
    company_id: StrictId | None = None
    deal_id: StrictId | None = None
    lead_id: StrictId | None = None
    reminders: list[Minutes] = Field(default_factory=list, max_length=10)
    custom: dict[str, Any] | None = None
    owner_id: StrictId | None = None


class ActivityPatch(InSchema):
    version: Version
    kind: Kind | None = None
    subject: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = Field(None, max_length=MAX_TEXT)
    due_at: AwareDateTime | None = None
    start_at: AwareDateTime | None = None
    end_at: AwareDateTime | None = None
    done: StrictBool | None = None
    outcome: OutcomeValue | None = None
    outcome_text: str | None = Field(None, max_length=MAX_TEXT)
    next_step: str | None = Field(None, max_length=300)
    contact_id: StrictId | None = None
    company_id: StrictId | None = None
    deal_id: StrictId | None = None
    lead_id: StrictId | None = None
    reminders: list[Minutes] | None = Field(None, max_length=10)
    custom: dict[str, Any] | None = None
    owner_id: StrictId | None = None


class CompleteIn(InSchema):
    outcome: OutcomeValue = ""
    outcome_text: str | None = Field(None, max_length=MAX_TEXT)
    next_step: str = Field("", max_length=300)
    next_step_due_at: AwareDateTime | None = None
    next_step_kind: Kind = "task"
    version: Version | None = None


class ReminderOut(Schema):
    minutes_before: int
    fire_at: dt.datetime
    fired_at: dt.datetime | None


class ActivityRow(Schema):
    id: int
    archived_at: dt.datetime | None  # when it went to the archive; null while in use
    kind: str
    subject: str
    when: dt.datetime | None
    due_at: dt.datetime | None
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    done: bool
    outcome: str
    owner_id: int
    team_id: int | None
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    lead_id: int | None
    version: int
    updated_at: dt.datetime


class ActivityOut(ActivityRow):
    body: str
    done_at: dt.datetime | None
    outcome_text: str
    next_step: str
    follow_up_of_id: int | None
    deal_stage_id: int | None
    custom: dict[str, Any]
    reminders: list[ReminderOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_reminders(obj: Any) -> list[Any]:
        return sorted(obj.reminders.all(), key=lambda r: r.minutes_before)


class ActivityFilter(Schema):
    kind: Kind | None = None
    done: bool | None = None
    outcome: OutcomeValue | None = None
    owner: Id | None = None
    team: Id | None = None
    contact: Id | None = None
    company: Id | None = None
    deal: Id | None = None
    lead: Id | None = None
    when_after: AwareDateTime | None = None
    when_before: AwareDateTime | None = None
    ordering: Annotated[str, ordering_of(*selectors.ORDERING, *selectors.COLUMN_SORTS)] | None = (
        None
    )
    cursor: Cursor | None = None
    limit: Limit = 50


@router.get(
    "",
    response=ListOut[ActivityRow],
    summary="Activities I may see",
    openapi_extra=CUSTOM_FILTERS,
)
def activity_list(request: HttpRequest, filters: Query[ActivityFilter]) -> object:
    values = filters.dict(exclude={"ordering", "cursor", "limit"})
    return selectors.activity_list(
        caller(request),
        filters=values,
        params=request.GET,
        ordering=filters.ordering,
        cursor=filters.cursor,
        limit=filters.limit,
    )


@router.post("", response={201: ActivityOut}, summary="Record or plan an activity")
def activity_create(request: HttpRequest, payload: ActivityIn) -> object:
    activity = services.activity_create(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, selectors.activity_get(caller(request), activity.pk))


@router.get("/{activity_id}", response=ActivityOut, summary="One activity")
def activity_detail(request: HttpRequest, activity_id: Id) -> object:
    return selectors.activity_get(caller(request), activity_id)


@router.patch("/{activity_id}", response=ActivityOut, summary="Change an activity")
def activity_update(request: HttpRequest, activity_id: Id, payload: ActivityPatch) -> object:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.activity_update(
        actor=actor_of(request), activity_id=activity_id, version=version, data=data
    )
    return selectors.activity_get(caller(request), activity_id)


@router.delete("/{activity_id}", response={204: None}, summary="Delete an activity")
def activity_delete(request: HttpRequest, activity_id: Id) -> object:
    services.activity_delete(actor=actor_of(request), activity_id=activity_id)
    return Status(204, None)


@router.post(
    "/{activity_id}/complete", response=ActivityOut, summary="Mark done with outcome and next step"
)
def activity_complete(request: HttpRequest, activity_id: Id, payload: CompleteIn) -> object:
    services.activity_complete(actor=actor_of(request), activity_id=activity_id, **payload.dict())
    return selectors.activity_get(caller(request), activity_id)


routers: list[tuple[str, Router]] = [("/activities", router)]
