"""Two people saving the same contact at the same moment: one wins, the other gets a conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kliento.core.actors import Actor
from kliento.core.errors import Conflict
from kliento.customers import services
from kliento.customers.models import Channel, Contact
from tests.factories import ContactFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_from_the_same_version_let_exactly_one_through(manager, colleague):
    contact = ContactFactory(owner=manager, last_name="Start")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user, name: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.contact_update(
                actor=Actor.of_user(user),
                contact_id=contact.pk,
                version=1,
                data={"last_name": name, "emails": [{"value": f"{name}@x.lv"}]},
            )
            outcomes[name] = "saved"
        except Conflict:
            outcomes[name] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(manager, "mine")),
        threading.Thread(target=save, args=(colleague, "theirs")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, result in outcomes.items() if result == "saved")
    contact.refresh_from_db()
    assert (contact.last_name, contact.version, contact.email) == (winner, 2, f"{winner}@x.lv")
    assert list(Channel.objects.filter(contact=contact).values_list("value", flat=True)) == [
        f"{winner}@x.lv"
    ]
    assert Contact.objects.count() == 1
