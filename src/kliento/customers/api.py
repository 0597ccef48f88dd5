"""REST routes of this app (assembled in kliento/api.py): /companies and /contacts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from kliento.core.apicontract import CUSTOM_FILTERS, ApiRouter, Id
from kliento.core.apikit import ListOut, actor_of, caller
from kliento.core.customfields import FILTER_PREFIX
from kliento.core.pagination import Page
from kliento.customers import selectors, services
from kliento.customers.schemas import (
    CompanyIn,
    CompanyListQuery,
    CompanyOut,
    CompanyPatch,
    CompanyRow,
    ContactIn,
    ContactListQuery,
    ContactOut,
    ContactPatch,
    ContactRow,
)

companies = ApiRouter(tags=["companies"])
contacts = ApiRouter(tags=["contacts"])

_PAGING = {"q", "ordering", "cursor", "limit"}
LIST_HELP = (
    "`q`: a name prefix, an e-mail or a phone number (exact). Filter custom fields with "
    "`custom.<key>=value`. Sorting by created_at or updated_at combines with the owner, "
    "team, company and created_after/before filters; the other filters sort by name."
)


def _page(
    request: HttpRequest, query: CompanyListQuery | ContactListQuery, select: Any
) -> dict[str, Any]:
    """One page from `select`: the typed filters plus the `custom.<key>` ones of the query."""
    filters: dict[str, Any] = {
        k: v for k, v in query.dict(exclude_none=True).items() if k not in _PAGING
    }
    filters.update({k: v for k, v in request.GET.items() if k.startswith(FILTER_PREFIX)})
    page: Page[Any] = select(
        caller(request),
        q=query.q,
        filters=filters,
        ordering=query.ordering,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


# --- companies -------------------------------------------------------------------------


@companies.get(
    "",
    response=ListOut[CompanyRow],
    summary="Companies",
    description=LIST_HELP,
    openapi_extra=CUSTOM_FILTERS,
)
def company_list(request: HttpRequest, query: Query[CompanyListQuery]) -> object:
    return _page(request, query, selectors.company_list)


@companies.post("", response={201: CompanyOut}, summary="Create a company")
def company_create(request: HttpRequest, payload: CompanyIn) -> object:
    company = services.company_create(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, selectors.company_get(caller(request), company.pk))


@companies.get("/{company_id}", response=CompanyOut, summary="One company")
def company_detail(request: HttpRequest, company_id: Id) -> object:
    return selectors.company_get(caller(request), company_id)


@companies.patch("/{company_id}", response=CompanyOut, summary="Change a company")
def company_update(request: HttpRequest, company_id: Id, payload: CompanyPatch) -> object:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.company_update(
        actor=actor_of(request), company_id=company_id, version=version, data=data
    )
    return selectors.company_get(caller(request), company_id)


@companies.delete("/{company_id}", response={204: None}, summary="Delete a company")
def company_delete(request: HttpRequest, company_id: Id) -> object:
    services.company_delete(actor=actor_of(request), company_id=company_id)
    return Status(204, None)


# --- contacts --------------------------------------------------------------------------


@contacts.get(
    "",
    response=ListOut[ContactRow],
    summary="Contacts",
    description=LIST_HELP,
    openapi_extra=CUSTOM_FILTERS,
)
def contact_list(request: HttpRequest, query: Query[ContactListQuery]) -> object:
    return _page(request, query, selectors.contact_list)


@contacts.post("", response={201: ContactOut}, summary="Create a contact")
def contact_create(request: HttpRequest, payload: ContactIn) -> object:
    contact = services.contact_create(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, selectors.contact_get(caller(request), contact.pk))


@contacts.get("/{contact_id}", response=ContactOut, summary="One contact")
def contact_detail(request: HttpRequest, contact_id: Id) -> object:
    return selectors.contact_get(caller(request), contact_id)


@contacts.patch("/{contact_id}", response=ContactOut, summary="Change a contact")
def contact_update(request: HttpRequest, contact_id: Id, payload: ContactPatch) -> object:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.contact_update(
        actor=actor_of(request), contact_id=contact_id, version=version, data=data
    )
    return selectors.contact_get(caller(request), contact_id)


@contacts.delete("/{contact_id}", response={204: None}, summary="Delete a contact")
def contact_delete(request: HttpRequest, contact_id: Id) -> object:
    services.contact_delete(actor=actor_of(request), contact_id=contact_id)
    return Status(204, None)


routers: list[tuple[str, Router]] = [("/companies", companies), ("/contacts", contacts)]
