"""REST routes of this app (assembled in kliento/api.py): /companies and /contacts."""

from __future__ import annotations

import inspect
from collections.abc import Callable
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


def _signature(**params: Any) -> inspect.Signature:
    """What ninja reads to name and type a view's parameters (the path id's name varies)."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature(
        [
            inspect.Parameter("request", kind, annotation=HttpRequest),
            *(inspect.Parameter(name, kind, annotation=t) for name, t in params.items()),
        ]
    )


def _view(name: str, signature: inspect.Signature, body: Callable[..., Any]) -> Callable[..., Any]:
    def view(request: HttpRequest, **values: Any) -> Any:
        return body(request, **values)

    view.__name__ = name  # the OpenAPI operation id is the module and this name
    view.__signature__ = signature  # type: ignore[attr-defined]
    return view


def _add_routes(
    router: Router,
    entity: str,
    title: str,
    query: Any,
    row: Any,
    out: Any,
    create_in: Any,
    patch_in: Any,
) -> None:
    """List, create, detail, change and delete routes of `entity` (company or contact).

    They call the selectors `<entity>_list` / `<entity>_get` and the services
    `<entity>_create` / `_update` / `_delete`, looked up when a request comes.
    """
    id_name = f"{entity}_id"
    path = f"/{{{id_name}}}"

    def get(request: HttpRequest, pk: int) -> Any:
        return getattr(selectors, f"{entity}_get")(caller(request), pk)

    def list_(request: HttpRequest, query: Any) -> Any:
        page = getattr(selectors, f"{entity}_list")(
            caller(request),
            q=query.q,
            filters=_filters(request, query),
            ordering=query.ordering,
            cursor=query.cursor,
            limit=query.limit,
        )
        return {"items": page.items, "next_cursor": page.next_cursor}

    def create(request: HttpRequest, payload: Any) -> Any:
        record = getattr(services, f"{entity}_create")(
            actor=actor_of(request), data=payload.dict(exclude_unset=True)
        )
        return Status(201, get(request, record.pk))

    def detail(request: HttpRequest, **path_id: int) -> Any:
        return get(request, path_id[id_name])

    def update(request: HttpRequest, payload: Any, **path_id: int) -> Any:
        getattr(services, f"{entity}_update")(
            actor=actor_of(request), data=payload.dict(exclude_unset=True), **path_id
        )
        return get(request, path_id[id_name])

    def delete(request: HttpRequest, **path_id: int) -> Any:
        getattr(services, f"{entity}_delete")(actor=actor_of(request), **path_id)
        return Status(204, None)

    list_out = ListOut[row]
    router.get("", response={200: list_out, 422: ErrorOut}, summary=title, description=LIST_HELP)(
        _view(f"{entity}_list", _signature(query=Query[query]), list_)  # type: ignore[misc]
    )
    router.post("", response={201: out, **ERRORS}, summary=f"Create a {entity}")(
        _view(f"{entity}_create", _signature(payload=create_in), create)
    )
    router.get(path, response={200: out, 404: ErrorOut}, summary=f"One {entity}")(
        _view(f"{entity}_detail", _signature(**{id_name: int}), detail)
    )
    router.patch(path, response={200: out, **ERRORS}, summary=f"Change a {entity}")(
        _view(f"{entity}_update", _signature(**{id_name: int, "payload": patch_in}), update)
    )
    router.delete(path, response={204: None, **ERRORS}, summary=f"Delete a {entity}")(
        _view(f"{entity}_delete", _signature(**{id_name: int}), delete)
    )


# Each: the router, the entity, the list's title, then its schemas in the order
# _add_routes takes them (list query, row, detail, create body, change body).
for _router, _entity, _title, _schemas in (
    (
        companies,
        "company",
        "Companies",
        (ListQuery, CompanyRow, CompanyOut, CompanyIn, CompanyPatch),
    ),
    (
        contacts,
        "contact",
        "Contacts",
        (ContactListQuery, ContactRow, ContactOut, ContactIn, ContactPatch),
    ),
):
    _add_routes(_router, _entity, _title, *_schemas)

routers: list[tuple[str, Router]] = [("/companies", companies), ("/contacts", contacts)]
