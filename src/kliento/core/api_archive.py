"""The archive in the API: what DELETE put there, restoring it, deleting it for good.

`DELETE /{resource}/{id}` of a contact, company, lead, deal or activity archives it (and
what goes with it, see core.archive); `GET /{resource}/{id}` still reads it, with its
`archived_at`. These routes list the archive per record type, restore a record, and let
an administrator delete one for good.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kliento.core import archive
from kliento.core.apicontract import ApiRouter, Cursor, Id, Limit
from kliento.core.apikit import ListOut, actor_of, caller

router = ApiRouter(tags=["archive"])

RecordTypeName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z][a-z_]*$",
        description="contact, company, lead, deal or activity (or a type an app adds).",
    ),
]


class ArchivedOut(Schema):
    record_type: str
    id: int
    name: str
    archived_at: dt.datetime
    archived_by: str
    went_with_type: str | None = Field(
        description="The record it was archived with (restoring that one brings it back); "
        "null when it was archived itself."
    )
    went_with_id: int | None


class ArchiveQuery(Schema):
    record_type: RecordTypeName
    cursor: Cursor | None = None
    limit: Limit = 50


class RestoredOut(Schema):
    record_type: str
    id: int
    version: int


@router.get(
    "",
    response=ListOut[ArchivedOut],
    summary="Archived records of one type, the latest first",
)
def archive_list(request: HttpRequest, params: Query[ArchiveQuery]) -> object:
    items, next_cursor = archive.archived_page(
        caller(request), params.record_type, cursor=params.cursor, limit=params.limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/{record_type}/{record_id}/restore",
    response=RestoredOut,
    summary="Restore an archived record, with everything archived with it",
)
def archive_restore(request: HttpRequest, record_type: RecordTypeName, record_id: Id) -> object:
    spec = archive.archivable_spec(record_type)
    record: Any = archive.restore(actor_of(request), spec.model, record_id)
    return {"record_type": spec.name, "id": record.pk, "version": record.version}


@router.delete(
    "/{record_type}/{record_id}",
    response={204: None},
    summary="Delete an archived record for good, with what was archived with it (admins)",
)
def archive_purge(request: HttpRequest, record_type: RecordTypeName, record_id: Id) -> object:
    spec = archive.archivable_spec(record_type)
    archive.purge(actor_of(request), spec.model, record_id)
    return Status(204, None)


routers: list[tuple[str, Router]] = [("/archive", router)]
