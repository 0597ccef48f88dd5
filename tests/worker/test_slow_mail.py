"""A slow mail server never holds up web writes: no external call inside a transaction.

A real worker sends an e-mail to a real SMTP server that takes its time over
the message; meanwhile concurrent API writes must answer at once. On SQLite a
transaction is a database-wide write lock, so a send inside one made these
writes wait for the mail server and fail with "database is locked" (FACTS.md).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from kliento.core.models import OutboxMessage, OutboxStatus
from kliento.core.outbox_email import email_enqueue, message_id_for
from tests.conftest import ApiClient
from tests.factories import UserFactory
from tests.worker.conftest import Mailbox, free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MAIL_SERVER_DELAY = 10.0
# The worker here gets a task time-out above the mail server's delay.
TASK_TIMEOUT, TASK_RETRY = "20", "30"
WRITERS = 6


class SlowMailbox(Mailbox):
    """Accepts each message only after MAIL_SERVER_DELAY seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.receiving = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.receiving.set()
        await asyncio.sleep(MAIL_SERVER_DELAY)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> Iterator[tuple[SlowMailbox, int]]:
    """Overrides the suite's mail server for `workers`: this one is slow."""
    mailbox = SlowMailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def _write(client: ApiClient, index: int, results: list[tuple[int, float]]) -> None:
    try:
        started = time.monotonic()
        response = client.post("/contacts", {"last_name": f"Concurrent {index}"})
        results.append((response.status_code, time.monotonic() - started))
    finally:
        connection.close()  # this thread's own connection


def test_web_writes_answer_at_once_while_the_mail_server_is_slow(workers, smtp):
    mailbox, _ = smtp
    clients = [ApiClient(UserFactory(role="manager")) for _ in range(WRITERS)]
    assert clients[0].post("/contacts", {"last_name": "Warm-up"}).status_code == 201
    workers.start(KLIENTO_TASK_TIMEOUT=TASK_TIMEOUT, KLIENTO_TASK_RETRY=TASK_RETRY)

    # given a worker in the middle of handing an e-mail to a slow mail server
    message, _ = email_enqueue(key="slow:1:email", to="anna@example.com", subject="S", body="B")
    wait_for(mailbox.receiving.is_set, 40, "the worker to start sending", workers.logs)

    # when several API writes run at the same time
    results: list[tuple[int, float]] = []
    threads = [
        threading.Thread(target=_write, args=(client, i, results))
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then every write succeeded quickly, while the send was still in progress
    assert not mailbox.messages, "the writes must finish before the mail server answers"
    assert sorted(status for status, _ in results) == [201] * WRITERS
    slowest = max(seconds for _, seconds in results)
    assert slowest < MAIL_SERVER_DELAY / 3, f"a write took {slowest:.1f} s"

    # and the e-mail is then accepted once, with its stable Message-ID, and recorded
    wait_for(
        lambda: OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENT).exists(),
        MAIL_SERVER_DELAY + 20,
        "the e-mail to be recorded as sent",
        workers.logs,
    )
    assert mailbox.message_ids() == [message_id_for("slow:1:email")]
