"""The timeline card of a record's detail page: one page of entries, loaded by htmx.

The detail page renders only an empty card that asks for this fragment, so its
own query count does not depend on how long the record's history is. The
entries come from `kliento.core.timeline.timeline_page`, the same function the
API's timeline routes call, after the same visibility check (404 otherwise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kliento.core import records
from kliento.core.attachments import parent_get
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.timeline import Entry, look_of, timeline_page
from kliento.core.web.pages import page, user_of

PAGE_SIZE = 20
MAX_CURSOR = 500
MAX_VALUE = 200  # characters of a changed value shown on the card
KIND_ICONS = {"stage_change": "arrow-right-left", "attachment": "paperclip", "change": "pencil"}
TEMPLATE = "core/timeline/entries.html"
PAGE_TEMPLATE = "core/timeline/page.html"


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Item:
    """An entry as the card shows it: the entry, its icon and its prepared labels."""

    entry: Entry
    icon: str
    label: str = ""
    url: str = ""
    outcome: str = ""
    changes: list[Change] = field(default_factory=list)


def _field_label(model: type[models.Model], name: str) -> str:
    if name == "attachment":
        return _("File")
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
    return str(getattr(found, "verbose_name", None) or name.replace("_", " "))


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _items(model: type[models.Model], entries: list[Entry]) -> list[Item]:
    items = []
    for entry in entries:
        item = Item(entry=entry, icon=KIND_ICONS.get(entry.kind, "history"))
        look = look_of(entry)
        if look is not None:  # a kind of a higher app, which says how it looks
            item.icon, item.label, item.outcome = look.icon, look.label, look.detail
        elif entry.kind == "attachment":
            item.url = reverse("api:attachment_download", kwargs={"attachment_id": entry.id})
        elif entry.kind == "change" and entry.data.get("action") != "create":
            # A creation holds the whole first snapshot: its title says enough.
            changes = entry.data.get("changes") or {}
            item.changes = [
                Change(_field_label(model, name), _shown(v.get("before")), _shown(v.get("after")))
                for name, v in changes.items()
                if isinstance(v, dict)
            ]
        items.append(item)
    return items


@require_GET
@page
def timeline(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """One page of the record's timeline; `cursor` continues after the last page ("Older")."""
    spec = records.spec_for_name(record_type)
    if spec is None or not spec.timeline:
        raise NotFound(_("Not found."))
    record = parent_get(user_of(request), record_type, record_id)
    cursor = request.GET.get("cursor") or None
    if cursor is not None and len(cursor) > MAX_CURSOR:
        cursor = None
    try:
        entries, next_cursor = timeline_page(record_type, record.pk, cursor=cursor, limit=PAGE_SIZE)
    except ValidationFailed:  # a tampered cursor: start from the newest entry
        cursor = None
        entries, next_cursor = timeline_page(record_type, record.pk, cursor=None, limit=PAGE_SIZE)
    context = {
        "record_type": record_type,
        "record_id": record.pk,
        "record": record,
        "items": _items(spec.model, entries),
        "next_cursor": next_cursor,
    }
    htmx = getattr(request, "htmx", False)
    if not htmx:  # without JavaScript: a page of its own, "Older" a plain link
        return render(request, PAGE_TEMPLATE, context)
    # "Older" appends rows to the list the first page opened.
    name = f"{TEMPLATE}#rows" if cursor else TEMPLATE
    return render(request, name, context)
