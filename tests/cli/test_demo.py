"""`kliento demo` for real: web + worker start, serve the API, stop cleanly on SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(x) for x in text)
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _start(tmp_path: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(KLIENTO_DATA_DIR=str(tmp_path), KLIENTO_WORKER_POLL="0.5", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "kliento.cli", "demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Kliento is running at"):
            return process, lines
    process.kill()
    raise AssertionError("demo did not start:\n" + "".join(lines))


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_demo_serves_the_api_and_stops_on_sigterm(tmp_path):
    # A temporary SQLite database even when the suite runs on PostgreSQL.
    port = _free_port()

    # when: the first run migrates, loads the story and starts web + worker
    process, lines = _start(tmp_path, port)
    try:
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}" in banner
        assert "sign in as admin / kliento-demo" in banner
        assert "Loading the demo data" in banner
        status, body = _get(port, "/api/v1/openapi.json")
        assert status == 200
        assert json.loads(body)["info"]["title"] == "Kliento API"
        children = _children(process.pid)
        assert len(children) == 2

        # then: SIGTERM stops both children and the command exits 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    time.sleep(0.5)
    assert not any(_alive(pid) for pid in children)
    assert not _port_open(port)
    assert (tmp_path / "kliento.sqlite3").exists()


@pytest.mark.slow
def test_demo_second_run_reuses_the_data_and_stops_when_a_child_dies(tmp_path):
    port = _free_port()
    first, _ = _start(tmp_path, port)
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=60) == 0

    # when: started again on the same data
    process, lines = _start(tmp_path, port)
    try:
        assert "Demo data already loaded." in "".join(lines)
        assert "sign in as admin / kliento-demo" in "".join(lines)
        children = _children(process.pid)
        worker = next(
            pid
            for pid in children
            if "worker" in Path(f"/proc/{pid}/cmdline").read_text().split("\0")
        )

        # and the worker dies
        os.kill(worker, signal.SIGKILL)

        # then: the web server is stopped too and the command fails
        assert process.wait(timeout=60) != 0
    finally:
        if process.poll() is None:
            process.kill()
    time.sleep(0.5)
    assert not any(_alive(pid) for pid in children)
    assert not _port_open(port)
