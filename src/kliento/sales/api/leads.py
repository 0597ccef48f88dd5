"""Routes for leads and their conversion."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from kliento.core.apicontract import (
    CUSTOM_FILTERS,
    ApiRouter,
    Cursor,
    Id,
    Limit,
    one_of,
    ordering_of,
)
from kliento.core.apikit import ListOut, actor_of, caller
from kliento.sales import selectors, services
from kliento.sales.api._common import list_page
from kliento.sales.choices import LeadChannel, LeadStatus
from kliento.sales.schemas import LeadConvertIn, LeadConvertOut, LeadIn, LeadOut, LeadPatch, LeadRow

router = ApiRouter(tags=["leads"])


class LeadQuery(Schema):
    q: str | None = Field(default=None, max_length=200)
    status: Annotated[str, one_of(LeadStatus.values)] | None = None
    channel: Annotated[str, one_of(LeadChannel.values)] | None = None
    source: str | None = Field(default=None, max_length=100)
    owner: Id | None = None
    team: Id | None = None
    ordering: (
        Annotated[str, ordering_of(*selectors.LEAD_ORDERING, *selectors.LEAD_COLUMN_SORTS)] | None
    ) = None
    cursor: Cursor | None = None
    limit: Limit = 50


@router.get(
    "",
    response=ListOut[LeadRow],
    summary="Leads the caller may see",
    openapi_extra=CUSTOM_FILTERS,
)
def leads_list(request: HttpRequest, query: Query[LeadQuery]) -> object:
    return list_page(request, query, selectors.leads_list, selectors.LeadFilters)


@router.get("/{lead_id}", response=LeadOut, summary="One lead")
def lead_detail(request: HttpRequest, lead_id: Id) -> object:
    return selectors.lead_get(caller(request), lead_id)


@router.post("", response={201: LeadOut}, summary="Create a lead")
def lead_create(request: HttpRequest, payload: LeadIn) -> object:
    return Status(
        201, services.lead_create(actor=actor_of(request), data=payload.dict(exclude_unset=True))
    )


@router.patch("/{lead_id}", response=LeadOut, summary="Change a lead (send the version you read)")
def lead_update(request: HttpRequest, lead_id: Id, payload: LeadPatch) -> object:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.lead_update(
        actor=actor_of(request), lead_id=lead_id, version=version, data=data
    )


@router.delete("/{lead_id}", response={204: None}, summary="Delete a lead")
def lead_delete(request: HttpRequest, lead_id: Id) -> object:
    services.lead_delete(actor=actor_of(request), lead_id=lead_id)
    return Status(204, None)


@router.post(
    "/{lead_id}/convert",
    response=LeadConvertOut,
    summary="Convert a lead into a contact/company and a deal, in one transaction",
)
def lead_convert(request: HttpRequest, lead_id: Id, payload: LeadConvertIn) -> object:
    user = caller(request)
    lead, deal = services.lead_convert(
        actor=actor_of(request),
        lead_id=lead_id,
        version=payload.version,
        contact_id=payload.contact_id,
        create_contact=payload.create_contact,
        company_id=payload.company_id,
        create_company=payload.create_company,
        deal=payload.deal.dict(exclude_unset=True),
    )
    return {"lead": lead, "deal": selectors.deal_get(user, deal.pk)}
