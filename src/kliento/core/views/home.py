"""The address `/`: the first page of the main menu (the apps say which by their order)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from kliento.core.web import nav


def home(request: HttpRequest) -> HttpResponseRedirect:
    first = next((item for item in nav.items() if not item.admin_only), None)
    return HttpResponseRedirect(reverse(first.url_name) if first else reverse("core:settings"))
