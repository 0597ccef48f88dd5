"""The type-ahead picker of a linked contact or company: the listbox of matches as one types.

The matches come from the same finders as the global search, which read through the
list selectors (name-key range, exact e-mail or phone, the visibility rule checked
row by row), so a picker stays fast at a million rows and never offers a record the
user may not see. The widget itself is customers/_picker.html; its behaviour is the
"pickers" block of core/static/kliento/js/app.js.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kliento.core.errors import NotFound
from kliento.core.models import User
from kliento.core.web.pages import page, user_of
from kliento.core.web.search import Hit
from kliento.customers.search import find_companies, find_contacts

MAX_QUERY = 200
MAX_OPTIONS = 10
TEMPLATE = "customers/_picker.html#options"

FINDERS: dict[str, Callable[[User, str, int], list[Hit]]] = {
    "contact": find_contacts,
    "company": find_companies,
}


@dataclass(frozen=True)
class Option:
    pk: int
    record: str  # "<type>-<id>", the row marker the page matrix looks for
    title: str
    subtitle: str


def _option(hit: Hit) -> Option:
    return Option(int(hit.record.rpartition("-")[2]), hit.record, hit.title, hit.subtitle)


def _refusal(q: str) -> str:
    """Why `q` is not searched ("" when it may be); a NUL never gets here (RefuseNulMiddleware)."""
    if len(q) > MAX_QUERY:
        return _("At most %(max)d characters.") % {"max": MAX_QUERY}
    return ""


@require_GET
@page
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """At most MAX_OPTIONS visible matches of `q`; an empty `q` gets a hint and no query."""
    find = FINDERS.get(kind)
    if find is None:
        raise NotFound(_("Not found."))
    raw = request.GET.get("q", "")
    q = raw.strip()
    error = _refusal(raw)
    options: list[Option] = []
    if q and not error:
        options = [_option(hit) for hit in find(user_of(request), q, MAX_OPTIONS)]
    context = {"kind": kind, "q": q, "options": options, "error": error}
    return render(request, TEMPLATE, context, status=422 if error else 200)
