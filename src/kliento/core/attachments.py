"""Attachments: checking, storing, listing and removing files on records.

A file's type is decided by its content (magic bytes), never by its name; only
an allow-list is accepted. Files go through Django's default storage (local
disk, or an S3-compatible store), under a name that never comes from the user.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import filetype
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _

from kliento.core import audit, records, visibility
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import Conflict, NotFound, ValidationFailed
from kliento.core.models import Attachment, User
from kliento.core.text import strip_unsafe_chars
from kliento.core.timeline import Entry, before_q

SNIFF_BYTES = 8192
MAX_NAME = 255

# Detected extension -> content type served. Zip-based office formats are told
# apart from a plain zip by their inner files; a plain zip is not accepted.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
TEXT_TYPE = "text/plain; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"


class Upload(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...

    def seek(self, offset: int) -> int: ...


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str


def clean_file_name(name: str | None) -> str:
    """The name to keep: no path parts, no control or text-direction characters, at most 255.

    The rest is kept as given (it is escaped wherever it is shown). Unlike typed text,
    which is refused with such characters, a file name is cleaned: it comes from the
    sender's file system, and a good file is not refused for its name.
    """
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = strip_unsafe_chars(text).strip()
    if text in {"", ".", ".."}:
        text = "file"
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            text = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            text = text[:MAX_NAME]
    return text


def inspect_upload(upload: Upload, name: str) -> Inspected:
    """Size, SHA-256 and the content type detected from the bytes; 422 if not allowed."""
    limit: int = settings.KLIENTO_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise _too_big(limit)
    digest = hashlib.sha256()
    head = b""
    size = 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_text = True
    upload.seek(0)
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        digest.update(chunk)
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        if is_text:
            try:
                is_text = b"\x00" not in chunk and "\x00" not in decoder.decode(chunk)
            except UnicodeDecodeError:
                is_text = False
    upload.seek(0)
    if size == 0:
        raise ValidationFailed.on("file", _("The file is empty."))
    kind = filetype.guess(head)
    if kind is not None:
        content_type = ALLOWED_TYPES.get(kind.extension)
    else:
        if is_text:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                is_text = False
        content_type = (
            (CSV_TYPE if name.lower().endswith(".csv") else TEXT_TYPE) if is_text else None
        )
    if content_type is None:
        raise ValidationFailed.on(
            "file",
            _(
                "This kind of file is not accepted. Accepted: PDF, PNG, JPEG, GIF, WebP, HEIC, "
                "Word/Excel/PowerPoint and OpenDocument files, plain text and CSV in UTF-8."
            ),
        )
    return Inspected(content_type, size, digest.hexdigest())


def _too_big(limit: int) -> ValidationFailed:
    megabytes = limit / (1024 * 1024)
    return ValidationFailed.on(
        "file", _("The file is too large: at most %(size).1f MB.") % {"size": megabytes}
    )


# --- selectors ---------------------------------------------------------------------


def _spec(record_type: str) -> records.RecordSpec:
    spec = records.spec_for_name(record_type)
    if spec is None:
        choices = ", ".join(sorted(records.names()))
        raise ValidationFailed.on(
            "record_type", _("Unknown record type. Use one of: %(types)s.") % {"types": choices}
        )
    return spec


def parent_get(user: User, record_type: str, record_id: int) -> models.Model:
    """The visible record a file belongs to (archived too: its card is readable), or NotFound."""
    spec = _spec(record_type)
    readable: models.Manager[models.Model] = getattr(
        spec.model, "all_objects", spec.model._default_manager
    )
    return visibility.get_visible(user, readable.all(), record_id)


def attachments_for(user: User, record_type: str, record_id: int) -> models.QuerySet[Attachment]:
    """The files of one record the user can see (NotFound if the record is not visible)."""
    parent_get(user, record_type, record_id)
    return Attachment.objects.filter(record_type=record_type, record_id=record_id)


def attachment_get(user: User, attachment_id: int) -> Attachment:
    """One file whose record the user can see, or NotFound."""
    found = Attachment.objects.filter(pk=attachment_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    parent_get(user, found.record_type, found.record_id)
    return found


def _stored_name(attachment: Attachment) -> str:
    # Every saved attachment has a stored file; the name is never empty.
    return str(attachment.file.name)


def attachment_open(attachment: Attachment) -> File[bytes]:
    try:
        return default_storage.open(_stored_name(attachment), "rb")
    except FileNotFoundError:
        raise NotFound(_("The file is missing from storage.")) from None


# --- services ----------------------------------------------------------------------


def _acting_user(actor: Actor) -> User:
    if actor.user is None:
        raise NotFound(_("Not found."))
    return actor.user


def attachment_create(
    *, actor: Actor, record_type: str, record_id: int, upload: Upload
) -> Attachment:
    """Store a file on a record the actor can see and edit."""
    user = _acting_user(actor)
    parent = parent_get(user, record_type, record_id)
    visibility.require(user, record_type, "edit")
    if getattr(parent, "archived_at", None) is not None:
        raise Conflict(_("This record is in the archive; restore it to change it."))
    name = clean_file_name(upload.name)
    info = inspect_upload(upload, name)
    attachment = Attachment(
        record_type=record_type,
        record_id=parent.pk,
        original_name=name,
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        uploaded_by=user,
    )
    # The file is written first; if the row cannot be written, the file is removed.
    attachment.file.save(name, upload, save=False)  # type: ignore[arg-type]
    try:
        with transaction.atomic():
            attachment.save()
            audit.record(actor, AuditAction.UPDATE, parent, {"attachment": [None, name]})
    except BaseException:
        default_storage.delete(_stored_name(attachment))
        raise
    return attachment


def attachment_delete(*, actor: Actor, attachment_id: int) -> None:
    """Remove a file from a record the actor can see and edit (the stored file after commit)."""
    user = _acting_user(actor)
    with transaction.atomic():
        attachment = attachment_get(user, attachment_id)
        visibility.require(user, attachment.record_type, "edit")
        parent = parent_get(user, attachment.record_type, attachment.record_id)
        if getattr(parent, "archived_at", None) is not None:
            raise Conflict(_("This record is in the archive; restore it to change it."))
        stored = _stored_name(attachment)
        attachment.delete()
        audit.record(
            actor, AuditAction.UPDATE, parent, {"attachment": [attachment.original_name, None]}
        )
        transaction.on_commit(lambda: default_storage.delete(stored))


# --- timeline ----------------------------------------------------------------------


def timeline_source(
    record_type: str, record_id: int, before: tuple[dt.datetime, str, int] | None, limit: int
) -> list[Entry]:
    rows = Attachment.objects.filter(record_type=record_type, record_id=record_id)
    if before is not None:
        rows = rows.filter(before_q(before, "attachment", at_field="created_at"))
    rows = rows.select_related("uploaded_by").order_by("-created_at", "-id")[:limit]
    return [
        Entry(
            at=row.created_at,
            kind="attachment",
            id=row.pk,
            title=row.original_name,
            data={
                "content_type": row.content_type,
                "size": row.size,
                "uploaded_by": row.uploaded_by.username if row.uploaded_by else None,
            },
        )
        for row in rows
    ]
