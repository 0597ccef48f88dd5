"""Routes for deals: CRUD, moves between stages, participants and stage history."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from kliento.core.apicontract import (
    CUSTOM_FILTERS,
    ApiRouter,
    Cursor,
    Date,
    Id,
    Limit,
    one_of,
    ordering_of,
)
from kliento.core.apikit import ListOut, actor_of, caller
from kliento.sales import selectors, services
from kliento.sales.api._common import list_page
from kliento.sales.choices import StageKind
from kliento.sales.schemas import (
    DealIn,
    DealMoveIn,
    DealOut,
    DealPatch,
    DealRow,
    ParticipantIn,
    StagePeriodOut,
)

router = ApiRouter(tags=["deals"])


class DealQuery(Schema):
    q: str | None = Field(default=None, max_length=200)
    pipeline: Id | None = None
    stage: Id | None = None
    status: Annotated[str, one_of(StageKind.values)] | None = None
    owner: Id | None = None
    team: Id | None = None
    company: Id | None = None
    contact: Id | None = None
    expected_close_before: Date | None = None
    expected_close_after: Date | None = None
    # The column sorts are selectors._deal_column_sorts' keys (built per user).
    ordering: (
        Annotated[str, ordering_of(*selectors.DEAL_ORDERING, "company", "stage", "owner")] | None
    ) = None
    cursor: Cursor | None = None
    limit: Limit = 50


@router.get(
    "",
    response=ListOut[DealRow],
    summary="Deals the caller may see",
    openapi_extra=CUSTOM_FILTERS,
)
def deals_list(request: HttpRequest, query: Query[DealQuery]) -> object:
    return list_page(request, query, selectors.deals_list, selectors.DealFilters)


@router.get("/{deal_id}", response=DealOut, summary="One deal with its participants")
def deal_detail(request: HttpRequest, deal_id: Id) -> object:
    return selectors.deal_get(caller(request), deal_id)


@router.post("", response={201: DealOut}, summary="Create a deal")
def deal_create(request: HttpRequest, payload: DealIn) -> object:
    deal = services.deal_create(actor=actor_of(request), data=payload.dict(exclude_unset=True))
    return Status(201, selectors.deal_get(caller(request), deal.pk))


@router.patch("/{deal_id}", response=DealOut, summary="Change a deal (send the version you read)")
def deal_update(request: HttpRequest, deal_id: Id, payload: DealPatch) -> object:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.deal_update(actor=actor_of(request), deal_id=deal_id, version=version, data=data)
    return selectors.deal_get(caller(request), deal_id)


@router.delete("/{deal_id}", response={204: None}, summary="Delete a deal")
def deal_delete(request: HttpRequest, deal_id: Id) -> object:
    services.deal_delete(actor=actor_of(request), deal_id=deal_id)
    return Status(204, None)


@router.post("/{deal_id}/move", response=DealOut, summary="Move a deal to another stage")
def deal_move(request: HttpRequest, deal_id: Id, payload: DealMoveIn) -> object:
    services.deal_move(
        actor=actor_of(request),
        deal_id=deal_id,
        stage_id=payload.stage_id,
        version=payload.version,
        won_reason_id=payload.won_reason_id,
        lost_reason_id=payload.lost_reason_id,
        reason_text=payload.reason_text,
    )
    return selectors.deal_get(caller(request), deal_id)


@router.put("/{deal_id}/participants", response=DealOut, summary="Replace a deal's participants")
def deal_participants(request: HttpRequest, deal_id: Id, payload: list[ParticipantIn]) -> object:
    services.deal_set_participants(
        actor=actor_of(request),
        deal_id=deal_id,
        participants=[p.dict() for p in payload],
    )
    return selectors.deal_get(caller(request), deal_id)


@router.get(
    "/{deal_id}/stage-history",
    response=list[StagePeriodOut],
    summary="The stages a deal went through, with time spent in each",
)
def deal_stage_history(request: HttpRequest, deal_id: Id) -> object:
    return selectors.deal_stage_history(caller(request), deal_id)
