"""Restoring an archived record from its card (core.archive)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kliento.core import archive
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.web.pages import actor_of, page


@require_POST
@page
def archive_restore(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    """Bring the record back with what was archived with it, and show its card."""
    try:
        spec = archive.archivable_spec(record_type)
    except ValidationFailed:
        raise NotFound(_("Not found.")) from None
    archive.restore(actor_of(request), spec.model, record_id)
    messages.success(request, _("Restored, with everything archived with it."))
    if spec.detail_url is None:
        return redirect("core:home")
    return redirect(reverse(spec.detail_url, args=[record_id]))
