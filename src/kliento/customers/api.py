"""REST routes of this app (assembled in kliento/api.py): /companies and /contacts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from kliento.core.apikit import ErrorOut, ListOut, actor_of, caller
from kliento.core.customfields import FILTER_PREFIX
from kliento.customers import selectors, services
from kliento.customers.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    CompanyRow,
    ContactIn,
    ContactListQuery,
    ContactOut,
    ContactPatch,
    ContactRow,
    ListQuery,
)

companies = Router(tags=["companies"])
contacts = Router(tags=["contacts"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
_PAGING = {"q", "ordering", "cursor", "limit"}
LIST_HELP = (
    "`q`: a name prefix, an e-mail or a phone number (exact). Filter custom fields with "
    "`custom.<key>=value`. Sorting by created_at or updated_at combines with the owner, "
    "team, company and created_after/before filters; the other filters sort by name."
)


def _filters(request: HttpRequest, query: ListQuery) -> dict[str, Any]:
    """The typed field filters plus the `custom.<key>` ones taken from the raw query string."""
    found: dict[str, Any] = {
        k: v for k, v in query.dict(exclude_none=True).items() if k not in _PAGING
    }
    found.update({k: v for k, v in request.GET.items() if k.startswith(FILTER_PREFIX)})
    return found


# --- companies -------------------------------------------------------------------------


@companies.get(
    "",
    response={200: ListOut[CompanyRow], 422: ErrorOut},
    summary="Companies",
    description=LIST_HELP,
)
def company_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    page = selectors.company_list(
        caller(request),
        q=query.q,
        filters=_filters(request, query),
        ordering=query.ordering,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@companies.post("", response={201: CompanyOut, **ERRORS}, summary="Create a company")
def company_create(request: HttpRequest, payload: CompanyIn) -> Any:
    user = caller(request)
    company = services.company_create(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, selectors.company_get(user, company.pk))


@companies.get("/{company_id}", response={200: CompanyOut, 404: ErrorOut}, summary="One company")
def company_detail(request: HttpRequest, company_id: int) -> Any:
    return selectors.company_get(caller(request), company_id)


@companies.patch("/{company_id}", response={200: CompanyOut, **ERRORS}, summary="Change a company")
def company_update(request: HttpRequest, company_id: int, payload: CompanyPatch) -> Any:
    user = caller(request)
    services.company_update(
        actor=actor_of(request), company_id=company_id, data=payload.dict(exclude_unset=True)
    )
    return selectors.company_get(user, company_id)


@companies.delete("/{company_id}", response={204: None, **ERRORS}, summary="Delete a company")
def company_delete(request: HttpRequest, company_id: int) -> Any:
    services.company_delete(actor=actor_of(request), company_id=company_id)
    return Status(204, None)


# --- contacts --------------------------------------------------------------------------


@contacts.get(
    "",
    response={200: ListOut[ContactRow], 422: ErrorOut},
    summary="Contacts",
    description=LIST_HELP,
)
def contact_list(request: HttpRequest, query: Query[ContactListQuery]) -> Any:
    page = selectors.contact_list(
        caller(request),
        q=query.q,
        filters=_filters(request, query),
        ordering=query.ordering,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@contacts.post("", response={201: ContactOut, **ERRORS}, summary="Create a contact")
def contact_create(request: HttpRequest, payload: ContactIn) -> Any:
    user = caller(request)
    contact = services.contact_create(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, selectors.contact_get(user, contact.pk))


@contacts.get("/{contact_id}", response={200: ContactOut, 404: ErrorOut}, summary="One contact")
def contact_detail(request: HttpRequest, contact_id: int) -> Any:
    return selectors.contact_get(caller(request), contact_id)


@contacts.patch("/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Change a contact")
def contact_update(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    user = caller(request)
    services.contact_update(
        actor=actor_of(request), contact_id=contact_id, data=payload.dict(exclude_unset=True)
    )
    return selectors.contact_get(user, contact_id)


@contacts.delete("/{contact_id}", response={204: None, **ERRORS}, summary="Delete a contact")
def contact_delete(request: HttpRequest, contact_id: int) -> Any:
    services.contact_delete(actor=actor_of(request), contact_id=contact_id)
    return Status(204, None)


routers: list[tuple[str, Router]] = [("/companies", companies), ("/contacts", contacts)]
