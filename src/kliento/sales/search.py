"""Global-search finders of the sales app (registered in apps.py ready())."""

from __future__ import annotations

from django.urls import reverse

from kliento.core.models import User
from kliento.core.templatetags.kliento import money
from kliento.core.web.search import Hit
from kliento.sales import selectors

# --- deals ---------------------------------------------------------------------------


def find_deals(user: User, q: str, limit: int) -> list[Hit]:
    """Visible deals whose title starts with `q`, by title (the deal list's own selector)."""
    found = selectors.deals_list(
        user,
        filters=selectors.DealFilters(q=q),
        params={},
        ordering="title",
        cursor=None,
        limit=limit,
    )
    return [
        Hit(
            record=f"deal-{deal.pk}",
            title=deal.title,
            subtitle=f"{deal.stage.name} · {money(deal.amount, deal.currency)}",
            url=reverse("sales:deal-detail", args=[deal.pk]),
        )
        for deal in found.items
    ]


# --- end deals -----------------------------------------------------------------------

# --- leads ---------------------------------------------------------------------------


def find_leads(user: User, q: str, limit: int) -> list[Hit]:
    """Visible leads by title prefix, exact e-mail or phone (the lead list's own selector)."""
    found = selectors.leads_list(
        user,
        filters=selectors.LeadFilters(q=q),
        params={},
        ordering="title",
        cursor=None,
        limit=limit,
    )
    hits = []
    for lead in found.items:
        person = " ".join(p for p in (lead.first_name, lead.last_name) if p)
        subtitle = " · ".join(
            p for p in (person, lead.company_name, lead.get_status_display()) if p
        )
        hits.append(
            Hit(
                record=f"lead-{lead.pk}",
                title=lead.title,
                subtitle=subtitle,
                url=reverse("sales:lead-detail", args=[lead.pk]),
            )
        )
    return hits


# --- end leads -----------------------------------------------------------------------
