"""Writes of companies: create, update (optimistic locking), delete; each audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kliento.core import inputs
from kliento.core.actors import Actor
from kliento.core.errors import ErrorCollector
from kliento.core.models import User
from kliento.core.text import search_key
from kliento.customers import records
from kliento.customers.models import Company
from kliento.customers.normalize import check_website
from kliento.customers.services import _common as c
from kliento.customers.services import _flow

AUDITED = (
    "name",
    "website",
    *c.SHARED_TEXT,
    "relationship",
    "custom",
    "owner",
    "team",
)


def _clean(
    data: Mapping[str, Any],
    current: Company | None,
    user: User,
    errors: ErrorCollector,
    out: c.Cleaned,
) -> None:
    if current is None or "name" in data:
        name = inputs.column_text(Company, "name", data.get("name"), errors, required=True)
        if name is not None:
            out.fields["name"] = name
    c.clean_texts(data, ("website",), Company, errors, out)
    if out.fields.get("website"):
        try:
            check_website(out.fields["website"])
        except ValueError as exc:
            errors.add("website", str(exc))
            del out.fields["website"]


def _derive(company: Company, cleaned: c.Cleaned) -> None:
    company.name_key = search_key(company.name)


COMPANY = _flow.Kind(
    model=Company,
    record_type=records.COMPANY,
    keys=frozenset({*c.SHARED_KEYS, "name", "website"}),
    audited=AUDITED,
    derive=_derive,
)


def company_create(*, actor: Actor, data: dict[str, Any]) -> Company:
    return _flow.create(COMPANY, _clean, actor=actor, data=data)


def company_update(
    *, actor: Actor, company_id: int, version: object, data: dict[str, Any]
) -> Company:
    """Apply the fields `data` names to the company the caller read at `version`."""
    return _flow.update(
        COMPANY, _clean, actor=actor, record_id=company_id, version=version, data=data
    )


def company_delete(*, actor: Actor, company_id: int) -> None:
    _flow.delete(COMPANY, actor=actor, record_id=company_id)
