"""The rows of the activity list, built in Python (see core.web.cells): the template
engine spent two thirds of the page's time on fifty rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.templatetags.activities_web import DETAIL_PAGES
from kliento.core.web.cells import Dates, check_cell, esc, url_maker


def _about(activity: Any, urls: dict[str, Any]) -> str:
    """Links to the records the activity is about that the user may see (those that
    selectors.attach_visible_links kept), or a dash."""
    links = [
        f'<a href="{urls[record_type](record.pk)}">'
        f"{esc(getattr(record, 'title', None) or str(record))}</a>"
        for record_type, record in getattr(activity, "links", [])
    ]
    return ", ".join(links) or '<span class="muted">—</span>'


def activity_rows(items: Iterable[Any]) -> SafeString:
    edit = url_maker("activities:activity-edit")
    urls = {record_type: url_maker(name) for record_type, name in DETAIL_PAGES.items()}
    moments, days = Dates("SHORT_DATETIME_FORMAT", with_time=True), Dates()
    # The labels once per table: get_FOO_display() hashes the whole choice list each call.
    kinds = {value: esc(label) for value, label in ActivityKind.choices}
    outcomes = {value: esc(label) for value, label in Outcome.choices}
    done = f'<span class="chip chip-ok">{esc(_("Done"))}</span>'
    still_open = f'<span class="chip">{esc(_("Open"))}</span>'
    rows = []
    for a in items:
        outcome = outcomes.get(a.outcome, "") if a.outcome else ""
        rows.append(
            f'<tr data-record="activity-{a.pk}">{check_cell(a.pk, a.subject)}'
            f'<td>{moments(a.when)}</td><td><span class="chip">{kinds.get(a.kind, "")}'
            f'</span></td><td><a href="{edit(a.pk)}">{esc(a.subject)}</a></td>'
            f"<td>{_about(a, urls)}</td><td>{outcome}</td>"
            f"<td>{done if a.done else still_open}</td><td>{days(a.created_at)}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above passed through esc()
