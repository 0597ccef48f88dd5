"""The deal cards of the kanban board, built in Python (see core.web.cells).

A column holds 20 cards, each with its keyboard "Move to…" form; through the
template engine a column cost about as much as ten API calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kliento.core.templatetags.kliento import initials, money
from kliento.core.web.cells import url_maker
from kliento.sales.choices import StageKind
from kliento.sales.models import Deal, Stage
from kliento.sales.views.deals import LinkNames


@dataclass(frozen=True)
class CardContext:
    names: LinkNames
    stages: Sequence[Stage]
    today: dt.date
    may_edit: bool
    csrf_token: str
    back_url: str  # where the keyboard move form returns without JavaScript


_CARD = (
    '<li class="board-card" id="deal-card-{pk}" data-record="deal-{pk}" data-version="{version}" '
    'data-stage="{stage}" data-move-url="{move}"><a class="board-card-title" href="{detail}">'
    '{title}</a>{who}<div class="board-card-foot"><span class="num board-card-amount">{amount}'
    '</span>{date}<span class="board-owner" title="{owner}"><span aria-hidden="true">{initials}'
    '</span><span class="visually-hidden">{owner}</span></span></div>{form}</li>'
)
_FORM = (
    '<form class="board-move" method="post" action="{move}"><input type="hidden" '
    'name="csrfmiddlewaretoken" value="{csrf}"><input type="hidden" name="version" '
    'value="{version}"><input type="hidden" name="next" value="{back}"><label '
    'class="visually-hidden" for="move-{pk}">{label}</label><select id="move-{pk}" '
    'name="stage_id">{options}</select><button class="btn btn-sm" type="submit">{button}'
    "</button></form>"
)


def _who(deal: Deal, names: LinkNames) -> SafeString:
    parts = [
        n
        for n in (
            names.companies.get(deal.company_id or 0),
            names.contacts.get(deal.contact_id or 0),
        )
        if n
    ]
    if not parts:
        return SafeString("")
    return format_html(
        '<p class="board-card-who muted small">{}</p>',
        format_html_join(" · ", "{}", ([p] for p in parts)),
    )


def _date(deal: Deal, today: dt.date) -> SafeString:
    close = deal.expected_close_date
    if close is None:
        return SafeString("")
    late = deal.status == StageKind.OPEN and close < today
    return format_html(
        '<time class="board-card-date{}" datetime="{}">{}{}</time>',
        " overdue" if late else "",
        close.isoformat(),
        format_html('<span class="visually-hidden">{} </span>', _("Overdue:")) if late else "",
        date_format(close, "SHORT_DATE_FORMAT"),
    )


class CardRenderer:
    """Renders many cards with the URLs, options and labels worked out once."""

    def __init__(self, ctx: CardContext) -> None:
        self.ctx = ctx
        self.detail = url_maker("sales:deal-detail")
        self.move = url_maker("sales:deal-move")
        self.options = {
            s.pk: format_html('<option value="{}" data-kind="{}">{}</option>', s.pk, s.kind, s.name)
            for s in ctx.stages
        }
        self.move_button = _("Move")

    def _options(self, stage_id: int) -> SafeString:
        html = "".join(
            opt.replace("<option ", "<option selected ", 1) if pk == stage_id else opt
            for pk, opt in self.options.items()
        )
        return SafeString(html)

    def card(self, deal: Deal) -> SafeString:
        ctx = self.ctx
        move = self.move(deal.pk)
        owner = ctx.names.owners.get(deal.owner_id or 0, "")
        form = SafeString("")
        if ctx.may_edit:
            form = format_html(
                _FORM,
                move=move,
                csrf=ctx.csrf_token,
                version=deal.version,
                back=ctx.back_url,
                pk=deal.pk,
                label=_("Move “%(title)s” to") % {"title": deal.title},
                options=self._options(deal.stage_id),
                button=self.move_button,
            )
        return format_html(
            _CARD,
            pk=deal.pk,
            version=deal.version,
            stage=deal.stage_id,
            move=move,
            detail=self.detail(deal.pk),
            title=deal.title,
            who=_who(deal, ctx.names),
            amount=money(deal.amount, deal.currency),
            date=_date(deal, ctx.today),
            owner=owner,
            initials=initials(owner),
            form=form,
        )

    def cards(self, deals: Iterable[Deal]) -> SafeString:
        return SafeString("\n".join(self.card(d) for d in deals))
