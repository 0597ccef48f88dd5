"""Every record type people edit together: two saves of one version, one wins, one gets a 409.

Each service writes through `core.writes`; the threads here are real database sessions
(on PostgreSQL the second waits for the first's row lock, on SQLite the guarded UPDATE
refuses it), so the test fails if any type's service slips past the version check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from kliento.activities import services as activity_services
from kliento.activities.models import Activity
from kliento.core.actors import Actor
from kliento.core.errors import Conflict
from kliento.core.models import AuditEvent
from kliento.customers import services as customer_services
from kliento.customers.models import Company, Contact
from kliento.sales import services as sales_services
from kliento.sales.models import Deal, Lead
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    LeadFactory,
    deal_for,
    make_pipeline,
)


@dataclass(frozen=True)
class Edited:
    record_type: str
    make: Callable[[Any], Any]
    # Saves `text` into the record read at version 1.
    save: Callable[[Actor, int, str], object]
    read: Callable[[int], str]


TYPES = [
    Edited(
        "contact",
        lambda owner: ContactFactory(owner=owner),
        lambda actor, pk, text: customer_services.contact_update(
            actor=actor, contact_id=pk, version=1, data={"last_name": text}
        ),
        lambda pk: Contact.objects.get(pk=pk).last_name,
    ),
    Edited(
        "company",
        lambda owner: CompanyFactory(owner=owner),
        lambda actor, pk, text: customer_services.company_update(
            actor=actor, company_id=pk, version=1, data={"name": text}
        ),
        lambda pk: Company.objects.get(pk=pk).name,
    ),
    Edited(
        "lead",
        lambda owner: LeadFactory(owner=owner),
        lambda actor, pk, text: sales_services.lead_update(
            actor=actor, lead_id=pk, version=1, data={"title": text}
        ),
        lambda pk: Lead.objects.get(pk=pk).title,
    ),
    Edited(
        "deal",
        lambda owner: deal_for(owner, make_pipeline()),
        lambda actor, pk, text: sales_services.deal_update(
            actor=actor, deal_id=pk, version=1, data={"title": text}
        ),
        lambda pk: Deal.objects.get(pk=pk).title,
    ),
    Edited(
        "activity",
        lambda owner: ActivityFactory(owner=owner),
        lambda actor, pk, text: activity_services.activity_update(
            actor=actor, activity_id=pk, version=1, data={"subject": text}
        ),
        lambda pk: Activity.objects.get(pk=pk).subject,
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edited", TYPES, ids=[t.record_type for t in TYPES])
def test_two_saves_of_one_version_one_wins_the_other_is_refused(edited, manager):
    record = edited.make(manager)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(text: str) -> None:
        try:
            barrier.wait(timeout=10)
            edited.save(Actor.of_user(manager), record.pk, text)
            outcomes[text] = "saved"
        except Conflict:
            outcomes[text] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("Mine", "Theirs")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(text for text, result in outcomes.items() if result == "saved")
    assert edited.read(record.pk) == winner
    assert type(record).objects.get(pk=record.pk).version == 2
    updates = AuditEvent.objects.filter(record_type=edited.record_type, record_id=record.pk)
    assert updates.filter(action="update").count() == 1
