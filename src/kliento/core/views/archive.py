"""The archive's page: what was deleted, per record type, to restore or (admins) delete
for good; and restoring from an archived record's card (core.archive)."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kliento.core import archive, records, visibility
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.rights import is_admin
from kliento.core.web.pages import actor_of, page, render_page, user_of
from kliento.core.web.params import choice_param

PAGE_SIZE = 50


def _spec_of(record_type: str) -> records.RecordSpec:
    try:
        return archive.archivable_spec(record_type)
    except ValidationFailed:
        raise NotFound(_("Not found.")) from None


@require_GET
@page
def archive_page(request: HttpRequest) -> HttpResponse:
    """One record type's archive at a time, the latest archived first."""
    user = user_of(request)
    kinds = [
        s for s in sorted(records.specs(), key=lambda s: s.order) if archive.is_archivable(s.model)
    ]
    names = [s.name for s in kinds]
    chosen = choice_param(request.GET, "type", names) or names[0]
    spec = next(s for s in kinds if s.name == chosen)
    try:
        items, next_cursor = archive.archived_page(
            user, chosen, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except ValidationFailed:  # a tampered cursor: start from the top
        items, next_cursor = archive.archived_page(user, chosen, cursor=None, limit=PAGE_SIZE)
    labels = {s.name: s.label for s in records.specs()}
    rows = [
        {**dataclasses.asdict(item), "went_with_label": labels.get(item.went_with_type or "")}
        for item in items
    ]
    context = {
        "kinds": kinds,
        "spec": spec,
        "items": rows,
        "next_cursor": next_cursor,
        "can_restore": visibility.rights(user, chosen).can_delete,
        "can_purge": is_admin(user),
    }
    return render_page(request, "core/archive.html", context, partial="rows")


@require_POST
@page
def archive_purge(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """Delete an archived record for good (administrators), back to its archive page."""
    spec = _spec_of(record_type)
    archive.purge(actor_of(request), spec.model, record_id)
    messages.success(request, _("Deleted for good."))
    return redirect(f"{reverse('core:archive')}?type={spec.name}")


@require_POST
@page
def archive_restore(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """Bring the record back with what was archived with it, and show its card."""
    spec = _spec_of(record_type)
    archive.restore(actor_of(request), spec.model, record_id)
    messages.success(request, _("Restored, with everything archived with it."))
    if spec.detail_url is None:
        return redirect("core:home")
    return redirect(reverse(spec.detail_url, args=[record_id]))
