"""Writes of the customer base (companies, contacts); each one transaction with an audit row."""

from kliento.customers.services.companies import company_create, company_delete, company_update
from kliento.customers.services.contacts import contact_create, contact_delete, contact_update

__all__ = [
    "company_create",
    "company_delete",
    "company_update",
    "contact_create",
    "contact_delete",
    "contact_update",
]
