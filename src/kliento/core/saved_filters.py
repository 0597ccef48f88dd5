"""Saved filters: a user's named query strings of a list page, private to that user.

Each list page names itself (`list_name`: "contacts", "companies", "deals", ...);
a saved filter keeps only the parameters a list understands (`COMMON_PARAMS`, the
ones its app registers with `register`, and `custom.<key>`), never a cursor, so
opening it shows the list from its first page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from kliento.core.customfields import FILTER_PREFIX
from kliento.core.errors import ErrorCollector, NotFound, ValidationFailed
from kliento.core.models import SavedFilter, User

MAX_NAME = 80
MAX_QUERY = 1000
MAX_PER_LIST = 50
LIST_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
CUSTOM_KEY_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
# Parameters of every list page; an app adds its own with `register`.
COMMON_PARAMS = frozenset(
    {"q", "ordering", "owner", "team", "tag", "source", "relationship", "status", "stage"}
)
# Never part of a saved filter: paging and the form's own fields.
DROPPED = frozenset({"cursor", "csrfmiddlewaretoken", "list_name", "name", "next"})

_EXTRA: dict[str, frozenset[str]] = {}


def register(list_name: str, params: Iterable[str]) -> None:
    """Let the list `list_name` save `params` too (called from an app's ready())."""
    _EXTRA[list_name] = _EXTRA.get(list_name, frozenset()) | frozenset(params)


def known_params(list_name: str) -> frozenset[str]:
    return COMMON_PARAMS | _EXTRA.get(list_name, frozenset())


def clean_query(list_name: str, query: str, errors: ErrorCollector) -> str:
    """The query string with only the list's parameters (sorted, empty values dropped)."""
    if not isinstance(query, str) or "\x00" in query:
        errors.add("query", _("Must be text."))
        return ""
    if len(query) > MAX_QUERY:
        errors.add("query", _("At most %(max)d characters.") % {"max": MAX_QUERY})
        return ""
    params = QueryDict(query.lstrip("?"))
    allowed = known_params(list_name)
    kept = QueryDict(mutable=True)
    for key in sorted(params):
        if key in DROPPED:
            continue
        custom_key = key[len(FILTER_PREFIX) :] if key.startswith(FILTER_PREFIX) else None
        if key not in allowed and not (custom_key and CUSTOM_KEY_RE.match(custom_key)):
            errors.add("query", _("Unknown list parameter: %(name)s.") % {"name": key[:60]})
            continue
        values = [v for v in params.getlist(key) if v != ""]
        if any("\x00" in v for v in values):
            errors.add("query", _("Must not contain NUL characters."))
            continue
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def saved_filter_list(user: User, list_name: str) -> QuerySet[SavedFilter]:
    """One's own saved filters of one list, by name."""
    return SavedFilter.objects.filter(user=user, list_name=list_name).order_by("name", "id")


def saved_filter_create(*, user: User, list_name: str, name: str, query: str) -> SavedFilter:
    """Save `query` under `name`; a name already used in this list is refused (422)."""
    errors = ErrorCollector()
    if not isinstance(list_name, str) or not LIST_NAME_RE.match(list_name):
        errors.add("list_name", _("Unknown list."))
        list_name = ""
    clean_name = name.strip() if isinstance(name, str) else ""
    if not isinstance(name, str) or "\x00" in name:
        errors.add("name", _("Must be text."))
    elif not clean_name:
        errors.add("name", _("Give the filter a name."))
    elif len(clean_name) > MAX_NAME:
        errors.add("name", _("At most %(max)d characters.") % {"max": MAX_NAME})
    cleaned = clean_query(list_name, query, errors) if list_name else ""
    errors.raise_if_any()
    with transaction.atomic():
        mine = saved_filter_list(user, list_name)
        if mine.filter(name=clean_name).exists():
            raise ValidationFailed.on("name", _("You already have a filter with this name."))
        if mine.count() >= MAX_PER_LIST:
            raise ValidationFailed.on(
                "name", _("At most %(max)d saved filters per list.") % {"max": MAX_PER_LIST}
            )
        return SavedFilter.objects.create(
            user=user, list_name=list_name, name=clean_name, query=cleaned
        )


def saved_filter_delete(*, user: User, filter_id: int) -> SavedFilter:
    """Delete one of one's own saved filters; anyone else's does not exist (404)."""
    with transaction.atomic():
        found = SavedFilter.objects.filter(pk=filter_id, user=user).first()
        if found is None:
            raise NotFound(_("Not found."))
        found.delete()
    return found
