"""What every list's bulk actions and CSV export share.

A list page posts the ids of its checked rows; `selected_ids` reads them, `apply_all`
changes every record through its service in one transaction (all or nothing), and
`export_csv` streams either the selected rows or the whole current filter, page after
page through the list's selector, as a CSV a spreadsheet cannot run as formulas.
Who may see which row and who may export stays with the visibility rule: the list
supplies the selector calls, this module only the flow.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kliento.core import visibility
from kliento.core.errors import ValidationFailed
from kliento.core.models import User
from kliento.core.pagination import Page
from kliento.core.web.pages import field_errors, user_of
from kliento.core.web.params import form_id, parse_id

MAX_SELECTED = 500
EXPORT_MAX_ROWS = 100_000
# A cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

R = TypeVar("R")
M = TypeVar("M", bound=Model)


def selected_ids(values: Sequence[str]) -> list[int]:
    """The checked rows' ids: at least one, at most MAX_SELECTED, positive whole numbers."""
    if not values:
        raise ValidationFailed.on("ids", _("Select at least one row."))
    if len(values) > MAX_SELECTED:
        raise ValidationFailed.on("ids", _("At most %(max)d rows at once.") % {"max": MAX_SELECTED})
    ids = [parse_id(v.strip()) for v in values]
    if None in ids:
        raise ValidationFailed.on("ids", _("Must be ids."))
    return list(dict.fromkeys(i for i in ids if i is not None))


def error_text(exc: ValidationFailed) -> str:
    return " ".join(m for ms in field_errors(exc).values() for m in ms)


def apply_all(records: Iterable[R], change: Callable[[R], object]) -> int:
    """`change` each record (through its service: rules, audit, versions); all or nothing."""
    done = 0
    with transaction.atomic():
        for record in records:
            change(record)
            done += 1
    return done


def say_changed(request: HttpRequest, count: int) -> None:
    messages.success(
        request,
        ngettext("%(count)d record changed.", "%(count)d records changed.", count)
        % {"count": count},
    )


def bulk_owner(request: HttpRequest) -> int | str | None:
    """The new owner of a bulk assign as the services take it (they refuse a bad one)."""
    return form_id(request.POST.get("owner_id"))


# --- CSV -------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def filter_pages(
    first: Page[M], more: Callable[[str], Page[M]], *, max_rows: int = EXPORT_MAX_ROWS
) -> Iterator[list[M]]:
    """The rows of a filter, page after page (`more(cursor)`), at most `max_rows`."""
    found, sent = first, 0
    while True:
        rows = found.items[: max_rows - sent]
        sent += len(rows)
        yield rows
        if not found.next_cursor or sent >= max_rows:
            return
        found = more(found.next_cursor)


@dataclass(frozen=True)
class Export:
    """How one list exports: its record type, file name, columns and selector calls."""

    record_type: str
    file_stem: str
    header: Callable[[], list[str]]
    # (user, records) -> the page's rows (names of linked records etc. read in bulk)
    rows: Callable[[User, list[Any]], Iterable[Sequence[Any]]]
    selected: Callable[[User, list[int]], list[Any]]  # NotFound for a row one may not see
    # (user, cursor) -> a page of the current filter; ValidationFailed for a bad filter
    page: Callable[[User, str | None], Page[Any]]


def _csv(
    export: Export, user: User, header: list[str], pages: Iterator[list[Any]]
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])  # Excel reads UTF-8
    for records in pages:
        for row in export.rows(user, records):
            yield writer.writerow([safe_cell(v) for v in row])


def export_csv(request: HttpRequest, export: Export, *, back: str) -> HttpResponseBase:
    """The checked rows (`ids`, GET or POST) or else the whole current filter, as CSV.

    An invisible row is a 404 before the export right is checked, as on every page; a
    bad filter sends the user back to the list (`back`) with the reason.
    """
    user = user_of(request)
    source = request.POST if request.method == "POST" else request.GET
    try:
        chosen = source.getlist("ids")
        if chosen or request.method == "POST":
            records = export.selected(user, selected_ids(chosen))
            visibility.require(user, export.record_type, "export")
            pages: Iterator[list[Any]] = iter([records])
        else:
            visibility.require(user, export.record_type, "export")
            first = export.page(user, None)
            pages = filter_pages(first, lambda cursor: export.page(user, cursor))
    except ValidationFailed as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        _csv(export, user, export.header(), pages), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_stem}-{stamp}.csv"'
    return response
