"""Real worker processes against the test database, and a real local SMTP server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
KLIENTO = str(Path(sys.executable).parent / "kliento")
# Short timings so the tests finish in seconds; retry must exceed timeout.
TIMEOUT, RETRY = 8, 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """The URL of the database the tests use right now (the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, logs: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    detail = logs() if callable(logs) else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{detail}")


class Mailbox:
    """Collects what the local SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        from email import message_from_bytes

        return [str(message_from_bytes(m)["Message-ID"]) for m in self.messages]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


class Workers:
    """Starts `kliento manage qcluster` processes; kills their process groups at the end."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str] | None = None, **extra_env: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            command or [KLIENTO, "manage", "qcluster"],
            cwd=REPO,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the cluster and its children
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the cluster and every process it forked (no clean shutdown)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.log_dir.glob("worker-*.log"))
        )

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def workers(transactional_db, smtp, tmp_path) -> Iterator[Workers]:
    from kliento.core import schedules

    schedules.sync()
    _, port = smtp
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kliento.settings.test",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "KLIENTO_TASK_TIMEOUT": str(TIMEOUT),
        "KLIENTO_TASK_RETRY": str(RETRY),
        "KLIENTO_WORKER_POLL": "0.2",
        "KLIENTO_WORKERS": "2",
        "KLIENTO_DATA_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("KLIENTO_TEST_TASK_DELAY", None)
    env.pop("KLIENTO_TEST_GUARD_CYCLE", None)
    pool = Workers(env, tmp_path)
    try:
        yield pool
    finally:
        # Before the test database is flushed: no worker may hold a connection or a lock.
        pool.stop_all()
