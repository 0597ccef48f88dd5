"""Routes for pipelines with their stages, and won/lost reasons."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Schema, Status

from kliento.core.apicontract import ApiRouter, Id, one_of
from kliento.core.apikit import actor_of, caller
from kliento.sales import selectors, services
from kliento.sales.choices import ReasonKind
from kliento.sales.schemas import (
    DealReasonIn,
    DealReasonOut,
    DealReasonPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
)

router = ApiRouter(tags=["pipelines"])
reasons_router = ApiRouter(tags=["deal reasons"])


class ReasonQuery(Schema):
    kind: Annotated[str, one_of(ReasonKind.values)] | None = None


@router.get("", response=list[PipelineOut], summary="Pipelines with their stages in order")
def pipelines_list(request: HttpRequest, active: bool | None = None) -> object:
    return list(selectors.pipelines_list(caller(request), active=active))


@router.get("/{pipeline_id}", response=PipelineOut, summary="One pipeline")
def pipeline_detail(request: HttpRequest, pipeline_id: Id) -> object:
    return selectors.pipeline_get(caller(request), pipeline_id)


@router.post("", response={201: PipelineOut}, summary="Create a pipeline (administrators)")
def pipeline_create(request: HttpRequest, payload: PipelineIn) -> object:
    pipeline = services.pipeline_create(actor=actor_of(request), data=payload.dict())
    return Status(201, selectors.pipeline_get(caller(request), pipeline.pk))


@router.patch("/{pipeline_id}", response=PipelineOut, summary="Change a pipeline (administrators)")
def pipeline_update(request: HttpRequest, pipeline_id: Id, payload: PipelinePatch) -> object:
    services.pipeline_update(
        actor=actor_of(request), pipeline_id=pipeline_id, data=payload.dict(exclude_unset=True)
    )
    return selectors.pipeline_get(caller(request), pipeline_id)


@reasons_router.get("", response=list[DealReasonOut], summary="Won and lost reasons")
def reasons_list(request: HttpRequest, params: Query[ReasonQuery]) -> object:
    return list(selectors.deal_reasons_list(caller(request), kind=params.kind))


@reasons_router.post("", response={201: DealReasonOut}, summary="Add a reason (administrators)")
def reason_create(request: HttpRequest, payload: DealReasonIn) -> object:
    reason = services.deal_reason_create(
        actor=actor_of(request), kind=payload.kind, name=payload.name
    )
    return Status(201, reason)


@reasons_router.patch(
    "/{reason_id}",
    response=DealReasonOut,
    summary="Rename or (de)activate a reason (administrators)",
)
def reason_update(request: HttpRequest, reason_id: Id, payload: DealReasonPatch) -> object:
    return services.deal_reason_update(
        actor=actor_of(request), reason_id=reason_id, **payload.dict(exclude_unset=True)
    )
