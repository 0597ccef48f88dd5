"""What the company and contact pages differ in: selectors, services, names, columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kliento.customers import records, selectors, services
from kliento.customers.services._common import SHARED_TEXT


@dataclass(frozen=True)
class Kind:
    record_type: str
    list_name: str  # the saved filters' list name
    title: Promise
    singular: Promise
    new_label: Promise
    icon: str
    list: Callable[..., Any]
    get: Callable[..., Any]
    rows: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    id_arg: str  # the services' keyword for the record id
    text_fields: tuple[str, ...]  # the plain text inputs of the form
    filters: tuple[str, ...]  # the list's filters (besides custom.<key>)

    def url(self, name: str) -> str:
        return f"customers:{self.record_type}-{name}"


_LIST_FILTERS = ("owner", "team", "tag", "source", "relationship")

CONTACT = Kind(
    record_type=records.CONTACT,
    list_name="contacts",
    title=_("Contacts"),
    singular=_("contact"),
    new_label=_("New contact"),
    icon="user",
    list=selectors.contact_list,
    get=selectors.contact_get,
    rows=selectors.contact_rows,
    create=services.contact_create,
    update=services.contact_update,
    delete=services.contact_delete,
    id_arg="contact_id",
    text_fields=("first_name", "last_name", "middle_name", "job_title", *SHARED_TEXT),
    filters=(*_LIST_FILTERS, "company"),
)

COMPANY = Kind(
    record_type=records.COMPANY,
    list_name="companies",
    title=_("Companies"),
    singular=_("company"),
    new_label=_("New company"),
    icon="building-2",
    list=selectors.company_list,
    get=selectors.company_get,
    rows=selectors.company_rows,
    create=services.company_create,
    update=services.company_update,
    delete=services.company_delete,
    id_arg="company_id",
    text_fields=("name", "website", *SHARED_TEXT),
    filters=_LIST_FILTERS,
)

KINDS = {k.record_type: k for k in (CONTACT, COMPANY)}
