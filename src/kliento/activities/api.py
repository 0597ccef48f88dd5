"""REST routes of activities: CRUD, completing with a follow-up, the diary filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, Field, StrictBool, StrictInt

from kliento.activities import selectors, services
from kliento.core.apikit import InSchema, IsoDateTime, ListOut, actor_of, caller

router = Router(tags=["activities"])

Kind = Literal["task", "call", "meeting", "note", "email"]
OutcomeValue = Literal["", "successful", "failed", "no_answer", "rescheduled"]
Minutes = Annotated[int, Field(ge=0, le=services.MAX_REMINDER_MINUTES, strict=True)]
MAX_TEXT = 20000
Id = StrictInt


class ActivityIn(InSchema):
    kind: Kind
    subject: str = Field(max_length=300)
    body: str = Field("", max_length=MAX_TEXT)
    due_at: IsoDateTime | None = None
    start_at: IsoDateTime | None = None
    end_at: IsoDateTime | None = None
    done: StrictBool = False
    outcome: OutcomeValue = ""
    outcome_text: str = Field("", max_length=MAX_TEXT)
    next_step: str = Field("", max_length=300)
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    reminders: list[Minutes] = Field(default_factory=list, max_length=10)
    custom: dict[str, Any] | None = None
    owner_id: Id | None = None


class ActivityPatch(InSchema):
    version: StrictInt
    kind: Kind | None = None
    subject: str | None = Field(None, max_length=300)
    body: str | None = Field(None, max_length=MAX_TEXT)
    due_at: IsoDateTime | None = None
    start_at: IsoDateTime | None = None
    end_at: IsoDateTime | None = None
    done: StrictBool | None = None
    outcome: OutcomeValue | None = None
    outcome_text: str | None = Field(None, max_length=MAX_TEXT)
    next_step: str | None = Field(None, max_length=300)
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    reminders: list[Minutes] | None = Field(None, max_length=10)
    custom: dict[str, Any] | None = None
    owner_id: Id | None = None


class CompleteIn(InSchema):
    outcome: OutcomeValue = ""
    outcome_text: str | None = Field(None, max_length=MAX_TEXT)
    next_step: str = Field("", max_length=300)
    next_step_due_at: IsoDateTime | None = None
    next_step_kind: Kind = "task"
    version: StrictInt | None = None


class ReminderOut(Schema):
    minutes_before: int
    fire_at: dt.datetime
    fired_at: dt.datetime | None


class ActivityRow(Schema):
    id: int
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
    owner: int | None = None
    team: int | None = None
    contact: int | None = None
    company: int | None = None
    deal: int | None = None
    lead: int | None = None
    when_after: AwareDatetime | None = None
    when_before: AwareDatetime | None = None
    ordering: str | None = Field(None, max_length=40)
    cursor: str | None = Field(None, max_length=500)
    limit: int = 50


@router.get("", response=ListOut[ActivityRow], summary="Activities I may see")
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
def activity_detail(request: HttpRequest, activity_id: int) -> object:
    return selectors.activity_get(caller(request), activity_id)


@router.patch("/{activity_id}", response=ActivityOut, summary="Change an activity")
def activity_update(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> object:
    services.activity_update(
        actor=actor_of(request), activity_id=activity_id, data=payload.dict(exclude_unset=True)
    )
    return selectors.activity_get(caller(request), activity_id)


@router.delete("/{activity_id}", response={204: None}, summary="Delete an activity")
def activity_delete(request: HttpRequest, activity_id: int) -> object:
    services.activity_delete(actor=actor_of(request), activity_id=activity_id)
    return Status(204, None)


@router.post(
    "/{activity_id}/complete", response=ActivityOut, summary="Mark done with outcome and next step"
)
def activity_complete(request: HttpRequest, activity_id: int, payload: CompleteIn) -> object:
    services.activity_complete(actor=actor_of(request), activity_id=activity_id, **payload.dict())
    return selectors.activity_get(caller(request), activity_id)


routers: list[tuple[str, Router]] = [("/activities", router)]
