"""Two web servers and two workers on one database: nothing is done twice.

What a load balancer in front of several web processes may do to Kliento: send a
retried create to another server, or two people's moves of one deal to two
servers at once; and several worker machines share one queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from kliento.activities.models import Reminder
from kliento.core.choices import Role
from kliento.core.models import Notification, OutboxMessage
from kliento.core.tokens import token_issue
from kliento.customers.models import Contact
from kliento.sales.choices import StageKind
from kliento.sales.models import Deal, Pipeline, Stage, StageChange
from tests.factories import UserFactory
from tests.worker.conftest import KLIENTO, REPO, free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
REMINDERS = 12


class WebServer:
    """`kliento serve` (gunicorn) on a free port, with the test database."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.proc = subprocess.Popen(
            [KLIENTO, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            cwd=REPO,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1{path}"

    def call(self, method: str, path: str, token: str, body: object, **headers: str):
        data = json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - a local test server
            self.url(path),
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url("/openapi.json"), timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        # gunicorn and its workers: each holds a database connection.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture
def web_servers(workers, tmp_path):
    env = {**workers.env, "DJANGO_SETTINGS_MODULE": "kliento.settings.test"}
    servers = [WebServer(env, tmp_path / f"web-{i}.log") for i in range(2)]
    try:
        for server in servers:
            wait_for(server.ready, 30, "a web server", lambda s=server: s.log.read_text())
        yield servers
    finally:
        for server in servers:
            server.stop()


def _pipeline() -> list[Stage]:
    pipeline = Pipeline.objects.create(name="Windows")
    names = ["First call", "Measurement", "Approval"]
    stages = [
        Stage.objects.create(pipeline=pipeline, name=n, position=i, kind=StageKind.OPEN)
        for i, n in enumerate(names)
    ]
    Stage.objects.create(
        pipeline=pipeline, name="Won", position=3, kind=StageKind.WON, probability=100
    )
    Stage.objects.create(pipeline=pipeline, name="Lost", position=4, kind=StageKind.LOST)
    return stages


def test_two_web_servers_and_two_workers_do_nothing_twice(web_servers, workers, smtp):
    mailbox, _ = smtp
    a, b = web_servers
    user = UserFactory(role=Role.MANAGER, email="olga@example.com")
    _, token = token_issue(user=user, name="scale-out")
    first, second, third = _pipeline()

    # A create retried on the other server with the same Idempotency-Key makes one contact.
    body = {"first_name": "Jānis", "last_name": "Bērziņš"}
    status_a, made_a = a.call("POST", "/contacts", token, body, **{"Idempotency-Key": "k-1"})
    status_b, made_b = b.call("POST", "/contacts", token, body, **{"Idempotency-Key": "k-1"})
    assert (status_a, status_b) == (201, 201)
    assert made_a["id"] == made_b["id"]
    assert Contact.objects.count() == 1

    # Two people move one deal at once (same version read), through different servers:
    # one move wins, the other is refused as stale and changes nothing.
    status, deal = a.call(
        "POST", "/deals", token, {"title": "6 windows", "pipeline_id": first.pipeline_id}
    )
    assert status == 201
    results: list[int] = []

    def move(server: WebServer, target: Stage) -> None:
        code, _ = server.call(
            "POST",
            f"/deals/{deal['id']}/move",
            token,
            {"stage_id": target.pk, "version": deal["version"]},
        )
        results.append(code)

    threads = [threading.Thread(target=move, args=pair) for pair in ((a, second), (b, third))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert StageChange.objects.filter(deal_id=deal["id"]).exclude(from_stage=None).count() == 1
    assert Deal.objects.get(pk=deal["id"]).version == deal["version"] + 1

    # Meetings with reminders already due, created through both servers ...
    start = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    for i in range(REMINDERS):
        server = (a, b)[i % 2]
        status, _ = server.call(
            "POST",
            "/activities",
            token,
            {"kind": "meeting", "subject": f"Measure {i}", "start_at": start, "reminders": [5]},
        )
        assert status == 201
    assert Reminder.objects.count() == REMINDERS

    # ... are fired by two workers sharing the queue, each exactly once.
    workers.start(KLIENTO_TEST_GUARD_CYCLE="30")
    workers.start(KLIENTO_TEST_GUARD_CYCLE="30")
    wait_for(
        lambda: not Reminder.objects.filter(fired_at__isnull=True).exists(),
        60,
        "every reminder to fire",
        workers.logs,
    )
    wait_for(lambda: len(mailbox.messages) >= REMINDERS, 60, "the reminder e-mails", workers.logs)
    keys = list(Notification.objects.filter(user=user).values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == REMINDERS
    assert OutboxMessage.objects.count() == REMINDERS
    ids = Counter(mailbox.message_ids())
    assert len(ids) == REMINDERS
    assert max(ids.values()) == 1
