"""What pages read from the request: one strict parser per kind of value.

Every HTML view reads its query parameters and form values through these, with the
rules the API applies (ids are ASCII digits within 64 bits, dates are YYYY-MM-DD,
choices come from a fixed list), so no page can turn junk into a 500:

- a **query parameter** a page cannot read raises `BadParameter`, a 400 that names the
  parameter: a list shows it above the list, any other page as the problem page
  (`core.web.pages.page`). Nothing is read or written for it.
- a **form value** is never refused here: `form_id` passes a bad id on as the text it
  was, for the service to refuse under the field's name, and `id_field` adds a field
  error; the form comes back with the errors beside its fields (422) and nothing changes.

`safe_next` is the one check of a `next` address (ruff's TID251 bans the Django
function it wraps everywhere else).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kliento.core.errors import ErrorCollector, FieldError, ValidationFailed
from kliento.core.scalars import MAX_ID, MAX_INT, MIN_INT, parse_id, parse_int, well_formed

# The dates a page offers to navigate to (a calendar, a filter): wider than any CRM needs,
# narrow enough that a day's arithmetic never leaves what `datetime` holds.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(9000, 1, 1)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# What a `datetime-local` input sends: no zone (the user's), seconds optional.
_LOCAL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", re.ASCII)
T = TypeVar("T")

__all__ = [
    "MAX_DATE",
    "MAX_ID",
    "MIN_DATE",
    "BadParameter",
    "choice_param",
    "date_param",
    "form_id",
    "gather",
    "id_field",
    "id_param",
    "int_param",
    "parse_date",
    "parse_id",
    "parse_int",
    "parse_local_datetime",
    "safe_next",
    "text_param",
]


class BadParameter(ValidationFailed):
    """A query parameter the page cannot read: a 400 naming it, and nothing done."""

    status = 400

    @classmethod
    def of(cls, errors: Mapping[str, list[str]]) -> BadParameter:
        """All the reasons `gather` collected, as one refusal."""
        found = [FieldError(name, m) for name, messages in errors.items() for m in messages]
        return cls(found[0].message, found)


def _raw(params: Mapping[str, str], name: str) -> str:
    return (params.get(name) or "").strip()


def id_param(params: Mapping[str, str], name: str) -> int | None:
    """The id in `params[name]`; None when absent or blank; BadParameter for anything else."""
    raw = _raw(params, name)
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise BadParameter.on(name, _("Must be an id (a positive whole number)."))
    return value


def int_param(
    params: Mapping[str, str], name: str, *, minimum: int = MIN_INT, maximum: int = MAX_INT
) -> int | None:
    """The whole number in `params[name]` within [minimum, maximum]; None when blank."""
    raw = _raw(params, name)
    if not raw:
        return None
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise BadParameter.on(
            name,
            _("Must be a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum},
        )
    return value


def choice_param(
    params: Mapping[str, str], name: str, choices: Collection[str], *, message: str = ""
) -> str | None:
    """One of `choices`; None when blank; BadParameter (with `message`, if given) otherwise."""
    raw = _raw(params, name)
    if not raw:
        return None
    if raw not in choices:
        text = message or _("Must be one of: %(choices)s.") % {"choices": ", ".join(choices)}
        raise BadParameter.on(name, text)
    return raw


def parse_date(text: str) -> dt.date | None:
    """A YYYY-MM-DD date between MIN_DATE and MAX_DATE from text, else None."""
    if not _DATE.fullmatch(text):
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return value if MIN_DATE <= value <= MAX_DATE else None


def parse_local_datetime(text: str) -> dt.datetime | None:
    """A `datetime-local` value (YYYY-MM-DDTHH:MM) between MIN_DATE and MAX_DATE, naive (the
    caller gives it the user's zone), else None: the year 1 in a zone east of UTC would
    leave what a datetime holds when stored in UTC."""
    if not _LOCAL_DATETIME.fullmatch(text):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if MIN_DATE <= value.date() <= MAX_DATE else None


def date_param(params: Mapping[str, str], name: str) -> dt.date | None:
    """The YYYY-MM-DD date in `params[name]`; None when blank."""
    raw = _raw(params, name)
    if not raw:
        return None
    value = parse_date(raw)
    if value is None:
        raise BadParameter.on(
            name,
            _("Must be a date (YYYY-MM-DD) from %(min)s to %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
        )
    return value


def text_param(params: Mapping[str, str], name: str, *, max_length: int) -> str | None:
    """Free text such as a search, without surrounding blanks; None when blank."""
    raw = _raw(params, name)
    if not raw:
        return None
    if len(raw) > max_length:
        raise BadParameter.on(name, _("At most %(max)d characters.") % {"max": max_length})
    if not well_formed(raw):
        raise BadParameter.on(name, _("Must not contain NUL characters."))
    return raw


def gather(errors: dict[str, list[str]], read: Callable[[], T]) -> T | None:
    """`read()` (one of the *_param parsers), or None with its reasons added to `errors`:
    for a page that reports every bad parameter at once beside its control."""
    try:
        return read()
    except BadParameter as exc:
        for item in exc.errors:
            errors.setdefault(item.field, []).append(item.message)
        return None


# --- form values: the form shows the error beside the field ------------------------------


def form_id(value: str | None) -> int | str | None:
    """A posted id: None when blank, the id, or else the text as sent, for the service to
    refuse under the field's own name (so the form shows every error at once)."""
    raw = (value or "").strip()
    if not raw:
        return None
    found = parse_id(raw)
    return raw if found is None else found


def id_field(
    value: str | None, name: str, errors: ErrorCollector, *, required: bool = False
) -> int | None:
    """A posted id, or None with a field error in `errors` (blank is None, or required)."""
    raw = (value or "").strip()
    if not raw:
        if required:
            errors.add(name, _("This field is required."))
        return None
    found = parse_id(raw)
    if found is None:
        errors.add(name, _("Must be a positive whole number."))
    return found


# --- the way back ----------------------------------------------------------------------------


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address (posted, else in the query) if it is one of ours, else `default`.

    Ours: a path on this host ("/..."), or this host's address in the scheme the request
    came in (an https page never sends the user on to plain http).
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A bare word would be taken by redirect() for the name of a view (NoReverseMatch).
    if target.startswith(("/", "https://", "http://")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
