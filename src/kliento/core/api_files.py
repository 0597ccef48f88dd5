"""REST routes for attachments: upload (multipart), list, detail, download, delete."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from kliento.core import attachments
from kliento.core.apicontract import ApiRouter, Cursor, Id, Limit
from kliento.core.apikit import ErrorOut, ListOut, actor_of, caller
from kliento.core.errors import ErrorCollector
from kliento.core.pagination import keyset_page

router = ApiRouter(tags=["attachments"])


class AttachmentOut(Schema):
    id: int
    record_type: str
    record_id: int
    name: str = Field(validation_alias="original_name")
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    created_at: dt.datetime


class AttachmentListQuery(Schema):
    record_type: str = Field(max_length=20)
    record_id: Id
    cursor: Cursor | None = None
    limit: Limit = 50


# A browser form signed in by session may send its CSRF token as a part.
FORM_PARTS = frozenset({"record_type", "record_id", "csrfmiddlewaretoken"})


def refuse_extra_parts(request: HttpRequest) -> None:
    """Each part once, and no others: the parser keeps only the last of repeated parts."""
    errors = ErrorCollector()
    for name, values in request.POST.lists():
        if name not in FORM_PARTS:
            errors.add(name, _("Unknown field."))
        elif len(values) > 1:
            errors.add(name, _("Send this field once."))
    for name, uploads in request.FILES.lists():
        if name != "file":
            errors.add(name, _("Unknown field."))
        elif len(uploads) > 1:
            errors.add(
                "file",
                _("Send one file per request; this one has %(count)d.") % {"count": len(uploads)},
            )
    errors.raise_if_any()


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the exact name as RFC 5987 `filename*`."""
    fallback = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in name).strip()
        or "file"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post(
    "",
    response={201: AttachmentOut, 404: ErrorOut},  # the record named in the form
    summary="Attach a file to a record (multipart: record_type, record_id, file)",
)
def attachment_upload(
    request: HttpRequest,
    record_type: Form[str],
    record_id: Form[Id],
    file: File[UploadedFile],
) -> object:
    refuse_extra_parts(request)
    created = attachments.attachment_create(
        actor=actor_of(request), record_type=record_type, record_id=record_id, upload=file
    )
    return Status(201, created)


@router.get(
    "",
    response={200: ListOut[AttachmentOut], 404: ErrorOut},  # the record named in the query
    summary="Files of a record",
)
def attachment_list(request: HttpRequest, params: Query[AttachmentListQuery]) -> object:
    rows = attachments.attachments_for(caller(request), params.record_type, params.record_id)
    page = keyset_page(
        rows,
        ordering=None,
        allowed={"created_at": "created_at"},
        default="-created_at",
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{attachment_id}", response=AttachmentOut, summary="One file")
def attachment_detail(request: HttpRequest, attachment_id: Id) -> object:
    return attachments.attachment_get(caller(request), attachment_id)


@router.get(
    "/{attachment_id}/download",
    response={200: None},
    summary="Download a file (served as an attachment, never rendered)",
)
def attachment_download(request: HttpRequest, attachment_id: Id) -> FileResponse:
    found = attachments.attachment_get(caller(request), attachment_id)
    response = FileResponse(attachments.attachment_open(found), content_type=found.content_type)
    response["Content-Disposition"] = content_disposition(found.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(found.size)
    return response


@router.delete("/{attachment_id}", response={204: None}, summary="Remove a file")
def attachment_delete(request: HttpRequest, attachment_id: Id) -> object:
    attachments.attachment_delete(actor=actor_of(request), attachment_id=attachment_id)
    return Status(204, None)


routers: list[tuple[str, Router]] = [("/attachments", router)]
