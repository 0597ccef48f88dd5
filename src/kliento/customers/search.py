"""Global-search finders of companies and contacts (registered in apps.py ready())."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kliento.core.errors import ValidationFailed
from kliento.core.models import User
from kliento.core.web.search import Finder, Hit
from kliento.customers import selectors


def find_companies(user: User, q: str, limit: int) -> list[Hit]:
    """Visible companies by name prefix, exact e-mail or phone (the list's own selector)."""
    try:
        found = selectors.company_list(user, q=q, limit=limit)
    except ValidationFailed:
        return []
    hits = []
    for company in found.items:
        primary = {c.kind: c.value for c in getattr(company, "primary_channels", [])}
        subtitle = " · ".join(p for p in (primary.get("email"), primary.get("phone")) if p)
        hits.append(
            Hit(
                record=f"company-{company.pk}",
                title=company.name,
                subtitle=subtitle,
                url=reverse("customers:company-detail", args=[company.pk]),
            )
        )
    return hits


def find_contacts(user: User, q: str, limit: int) -> list[Hit]:
    """Visible contacts by name prefix, exact e-mail or phone (the list's own selector)."""
    try:
        found = selectors.contact_list(user, q=q, limit=limit)
    except ValidationFailed:
        return []
    hits = []
    for contact in found.items:
        visible = contact.company is not None and getattr(contact, "company_visible", False)
        company = contact.company.name if contact.company is not None and visible else ""
        subtitle = " · ".join(p for p in (company, contact.email or contact.phone) if p)
        hits.append(
            Hit(
                record=f"contact-{contact.pk}",
                title=contact.full_name,
                subtitle=subtitle,
                url=reverse("customers:contact-detail", args=[contact.pk]),
            )
        )
    return hits


FINDERS = (
    Finder("company", _("Companies"), "building-2", find_companies, order=10),
    Finder("contact", _("Contacts"), "user", find_contacts, order=20),
)
