"""The timeline of a record: entries from every app, newest first, one page at a time.

Apps register a source in their `ready()`; a source returns the entries of one
record older than a point in time. Core cannot import higher apps, so it only
merges what the sources give.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kliento.core.errors import ValidationFailed


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # "activity", "stage_change", "attachment", "change", ...
    id: int
    title: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[dt.datetime, str, int]:
        return (self.at, self.kind, self.id)


# source(record_type, record_id, before, limit) -> entries with sort_key < before, newest first
Source = Callable[[str, int, tuple[dt.datetime, str, int] | None, int], list[Entry]]
_sources: list[Source] = []


def register_source(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


@dataclass(frozen=True)
class Look:
    """How the card shows an entry of an app's own kind: its icon, a label, a detail."""

    icon: str
    label: str = ""
    detail: str = ""


Presenter = Callable[[Entry], Look]
_presenters: dict[str, Presenter] = {}


def register_presenter(kind: str, presenter: Presenter) -> None:
    """The app that makes entries of `kind` says how they look; core knows no app's kinds."""
    _presenters[kind] = presenter


def look_of(entry: Entry) -> Look | None:
    presenter = _presenters.get(entry.kind)
    return presenter(entry) if presenter is not None else None


def before_q(
    before: tuple[dt.datetime, str, int], kind: str, *, at_field: str = "at", id_field: str = "pk"
) -> Q:
    """The rows of one source (all of `kind`) whose sort key lies before `before`.

    Sources use it so that every page continues exactly where the last one ended.
    """
    at, before_kind, before_id = before
    if kind < before_kind:
        return Q(**{f"{at_field}__lte": at})
    if kind > before_kind:
        return Q(**{f"{at_field}__lt": at})
    return Q(**{f"{at_field}__lt": at}) | Q(**{at_field: at, f"{id_field}__lt": before_id})


def _encode(key: tuple[dt.datetime, str, int]) -> str:
    raw = json.dumps([key[0].isoformat(), key[1], key[2]])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[dt.datetime, str, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        at = dt.datetime.fromisoformat(raw[0])
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, str(raw[1]), int(raw[2])
    except Exception:
        raise ValidationFailed.on(
            "cursor", _("The cursor is not valid for this timeline.")
        ) from None


def timeline_page(
    record_type: str, record_id: int, *, cursor: str | None, limit: int
) -> tuple[list[Entry], str | None]:
    """One page of a record's timeline. The caller has checked the record is visible."""
    if not 1 <= limit <= 200:
        raise ValidationFailed.on("limit", _("limit must be between 1 and %(max)d.") % {"max": 200})
    before = _decode(cursor) if cursor else None
    entries: list[Entry] = []
    for source in _sources:
        entries.extend(source(record_type, record_id, before, limit + 1))
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    next_cursor = _encode(page[-1].sort_key) if len(entries) > limit else None
    return page, next_cursor


def audit_source(
    record_type: str, record_id: int, before: tuple[dt.datetime, str, int] | None, limit: int
) -> list[Entry]:
    """Audited changes of the record: what changed, before -> after, and who did it."""
    from kliento.core.choices import AuditAction
    from kliento.core.events import action_label
    from kliento.core.models import AuditEvent

    rows = AuditEvent.objects.filter(record_type=record_type, record_id=record_id)
    # An added file is already on the timeline as the attachment itself.
    rows = rows.exclude(Q(changes__has_key="attachment") & Q(changes__attachment__0=None))
    if before is not None:
        rows = rows.filter(before_q(before, "change"))
    titles: dict[str, str] = {
        AuditAction.CREATE: _("Created"),
        AuditAction.UPDATE: _("Changed"),
        AuditAction.DELETE: _("Deleted"),
    }
    entries = []
    for row in rows.order_by("-at", "-id")[:limit]:
        changes = row.changes if isinstance(row.changes, dict) else {}
        # A domain action ("deal.won") is titled by the label its app registered.
        title = titles.get(row.action) or action_label(row.action)
        if set(changes) == {"attachment"}:
            title = _("File removed")
        entries.append(
            Entry(
                at=row.at,
                kind="change",
                id=row.pk,
                title=title,
                data={
                    "action": row.action,
                    "actor": row.actor_label,
                    "actor_kind": row.actor_kind,
                    "changes": {
                        k: {"before": v[0], "after": v[1]}
                        if isinstance(v, list) and len(v) == 2
                        else {"before": None, "after": v}
                        for k, v in changes.items()
                    },
                },
            )
        )
    return entries
