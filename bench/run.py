#!/usr/bin/env python3
"""Benchmark the REST API against the production server on a seeded database.

    .venv/bin/python bench/run.py --db sqlite --contacts 1000000
    .venv/bin/python bench/run.py --db postgres --contacts 1000000

Seeds a fresh database (SQLite: a file in bench/results/; PostgreSQL: the
database `kliento_bench`), starts `kliento serve` (gunicorn, 2 workers,
production settings, DEBUG off) on a free port, issues a token for the admin,
and times each operation through HTTP (p50/p95 over --requests requests after
--warmup) next to the same query in raw SQL through the database driver in the
same run. Writes bench/results/<db>-<date>.json and .md and prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
KLIENTO = [sys.executable, "-m", "kliento.cli"]
MAX_CHAR = "\U0010ffff"
LIST_COLS = (
    "c.id, c.first_name, c.last_name, c.middle_name, c.email, c.phone, c.company_id, "
    "co.name, c.owner_id, c.relationship, c.version, c.updated_at"
)
LIST_FROM = "customers_contact c LEFT JOIN customers_company co ON co.id = c.company_id"


def log(message: str) -> None:
    print(message, flush=True)


# --- the database ------------------------------------------------------------------------------


class Db:
    """Raw access through the driver, with '?' placeholders on both databases."""

    def __init__(self, kind: str, target: str) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.conn: Any = sqlite3.connect(target, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 10000")
        else:
            import psycopg

            self.conn = psycopg.connect(target, autocommit=True)

    def sql(self, text: str) -> str:
        return text if self.kind == "sqlite" else text.replace("?", "%s")

    def all(self, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.execute(self.sql(text), params)
        rows = cur.fetchall()
        cur.close()
        return rows

    def run(self, text: str, params: tuple[Any, ...] = ()) -> None:
        cur = self.conn.cursor()
        cur.execute(self.sql(text), params)
        cur.close()

    def begin(self) -> None:
        self.run("BEGIN IMMEDIATE" if self.kind == "sqlite" else "BEGIN")

    def commit(self) -> None:
        self.run("COMMIT")

    def close(self) -> None:
        self.conn.close()


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- the server and HTTP -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Http:
    port: int
    token: str

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:200]
        return response.status, parsed, elapsed


def wait_until_up(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: the server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("bench: the server did not answer in time")


# --- measuring ---------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index] * 1000


@dataclass
class Case:
    name: str
    label: str
    api: Callable[[int], tuple[str, str, Any]]  # i -> method, path, body
    status: int
    sql: Callable[[Db, int], None]
    target: str = ""
    client: str = "admin"  # whose token: "admin" (sees all) or "manager" (own team)
    api_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def measure(case: Case, http_: Http, db: Db, requests: int, warmup: int) -> None:
    for i in range(warmup + requests):
        method, path, body = case.api(i)
        status, parsed, elapsed = http_.call(method, path, body)
        if status != case.status:
            if len(case.errors) < 3:
                case.errors.append(f"{method} {path} -> {status}: {str(parsed)[:200]}")
            continue
        if i >= warmup:
            case.api_ms.append(elapsed)
    for i in range(warmup + requests):
        started = time.perf_counter()
        case.sql(db, i)
        elapsed = time.perf_counter() - started
        if i >= warmup:
            case.sql_ms.append(elapsed)


# --- the cases ---------------------------------------------------------------------------------


@dataclass
class Sample:
    prefixes: list[str]
    emails: list[str]
    phones: list[str]
    contact_ids: list[int]
    stage_id: int
    moves_api: list[tuple[int, int, int]]  # deal id, version, target stage
    moves_sql: list[tuple[int, int, int]]
    deep_key: tuple[str, int]
    admin_id: int
    manager: tuple[str, int, int]  # username, id, team id of a team-scoped manager
    deep_cursor: str = ""

    def at(self, values: list[Any], i: int) -> Any:
        """Request i's value of a sampled list: the samples repeat once all had their turn."""
        return values[i % len(self.contact_ids)]


def sample(db: Db, n: int, seed: int) -> Sample:
    rng = random.Random(seed)
    top = db.all("SELECT max(id), min(id) FROM customers_contact")[0]
    ids = [rng.randint(top[1], top[0]) for _ in range(n)]
    marks = ",".join("?" * len(ids))
    rows = db.all(
        f"SELECT id, last_name, email, phone FROM customers_contact WHERE id IN ({marks})",
        tuple(ids),
    )
    rows = (rows * (n // max(1, len(rows)) + 1))[:n]
    stage = db.all(
        "SELECT s.id, s.pipeline_id, s.position FROM sales_stage s JOIN sales_pipeline p "
        "ON p.id = s.pipeline_id WHERE s.kind = 'open' ORDER BY p.position, s.position LIMIT 1"
    )[0]
    target = db.all(
        "SELECT id FROM sales_stage WHERE pipeline_id = ? AND kind = 'open' AND position > ? "
        "ORDER BY position LIMIT 1",
        (stage[1], stage[2]),
    )[0][0]
    deals = db.all(
        "SELECT id, version FROM sales_deal WHERE stage_id = ? ORDER BY id LIMIT ?",
        (stage[0], 2 * n),
    )
    if len(deals) < 2 * n:
        raise SystemExit("bench: not enough open deals to move; seed more contacts")
    moves = [(d[0], d[1], target) for d in deals]
    deep = db.all(
        "SELECT name_key, id FROM customers_contact ORDER BY name_key, id LIMIT 1 OFFSET 4999"
    )[0]
    return Sample(
        prefixes=[r[1][:3] for r in rows],
        emails=[r[2] for r in rows],
        phones=[r[3] for r in rows],
        contact_ids=[r[0] for r in rows],
        stage_id=stage[0],
        moves_api=moves[:n],
        moves_sql=moves[n:],
        deep_key=(deep[0], deep[1]),
        admin_id=db.all("SELECT id FROM core_user WHERE username = 'admin'")[0][0],
        manager=db.all(
            "SELECT username, id, team_id FROM core_user WHERE role = 'manager' "
            "AND team_id IS NOT NULL ORDER BY id LIMIT 1"
        )[0],
    )


def q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


ModelRows = Callable[[str, list[str]], tuple[list[str], tuple[Any, ...]]]


def cases(s: Sample, model_rows: ModelRows) -> list[Case]:
    # Built in three groups to keep each builder short; the order is the report's.
    return [*_list_cases(s), *_record_cases(s), *_write_cases(s, model_rows)]


def _list_cases(s: Sample) -> list[Case]:
    """Searches and list pages, as the admin and as a team-scoped manager."""
    at = s.at

    # Like the API: the last-name (name key) matches in name order; when they do not
    # fill the page, the other first-name matches by first name, each an index range.
    def sql_search_name(db: Db, i: int) -> None:
        lo = at(s.prefixes, i).casefold()
        hi = lo + MAX_CHAR
        rows = db.all(
            f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.name_key >= ? AND c.name_key < ? "
            "ORDER BY c.name_key, c.id LIMIT 51",
            (lo, hi),
        )
        if len(rows) < 51:
            db.all(
                f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.first_name_key >= ? "
                "AND c.first_name_key < ? AND NOT (c.name_key >= ? AND c.name_key < ?) "
                "ORDER BY c.first_name_key, c.name_key, c.id LIMIT ?",
                (lo, hi, lo, hi, 51 - len(rows)),
            )

    def sql_by_channel(kind: str, values: list[str]) -> Callable[[Db, int], None]:
        column = "email" if kind == "email" else "phone"

        def run(db: Db, i: int) -> None:
            db.all(
                f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.id IN (SELECT contact_id FROM "
                "customers_channel WHERE kind = ? AND normalized = ?) "
                "ORDER BY c.name_key, c.id LIMIT 51",
                (kind, at(values, i)),
            )
            db.all(
                f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.{column} = ? "
                "ORDER BY c.name_key, c.id LIMIT 51",
                (at(values, i),),
            )

        return run

    # A team-scoped manager: like the API, the team's rows and one's own rows outside
    # the team are read as two index-ordered parts; a search checks the rule per row.
    _, manager_id, team_id = s.manager

    def sql_manager_page1(db: Db, i: int) -> None:
        db.all(
            f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.team_id = ? "
            "ORDER BY c.name_key, c.id LIMIT 51",
            (team_id,),
        )
        db.all(
            f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE (c.owner_id = ? AND c.team_id < ?) "
            "OR (c.owner_id = ? AND c.team_id > ?) OR (c.owner_id = ? AND c.team_id IS NULL) "
            "ORDER BY c.name_key, c.id LIMIT 51",
            (manager_id, team_id, manager_id, team_id, manager_id),
        )

    def sql_manager_search(db: Db, i: int) -> None:
        lo = at(s.prefixes, i).casefold()
        db.all(
            f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.name_key >= ? AND c.name_key < ? "
            "AND (+c.owner_id = ? OR +c.team_id = ?) ORDER BY c.name_key, c.id LIMIT 51",
            (lo, lo + MAX_CHAR, manager_id, team_id),
        )

    def sql_page1(db: Db, i: int) -> None:
        db.all(f"SELECT {LIST_COLS} FROM {LIST_FROM} ORDER BY c.name_key, c.id LIMIT 51")

    def sql_deep(db: Db, i: int) -> None:
        key, pk = s.deep_key
        db.all(
            f"SELECT {LIST_COLS} FROM {LIST_FROM} WHERE c.name_key >= ? AND "
            "(c.name_key > ? OR c.id > ?) ORDER BY c.name_key, c.id LIMIT 51",
            (key, key, pk),
        )

    def sql_stage(db: Db, i: int) -> None:
        db.all(
            "SELECT d.id, d.title, d.amount, d.currency, d.stage_id, d.status, d.owner_id, "
            "d.company_id, d.contact_id, d.version, d.updated_at FROM sales_deal d "
            "WHERE d.stage_id = ? ORDER BY d.id LIMIT 51",
            (s.stage_id,),
        )

    return [
        Case("search_name", "search by name prefix", lambda i: (
            "GET", f"/api/v1/contacts?q={q(at(s.prefixes, i))}", None), 200, sql_search_name,
            "p95 < 50 ms"),
        Case("search_email", "search by e-mail", lambda i: (
            "GET", f"/api/v1/contacts?q={q(at(s.emails, i))}", None), 200,
            sql_by_channel("email", s.emails), "p95 < 50 ms"),
        Case("search_phone", "search by phone", lambda i: (
            "GET", f"/api/v1/contacts?q={q(at(s.phones, i))}", None), 200,
            sql_by_channel("phone", s.phones), "p95 < 50 ms"),
        Case("list_page1", "list, page 1", lambda i: (
            "GET", "/api/v1/contacts?limit=50", None), 200, sql_page1, "p95 < 30 ms"),
        Case("list_deep", "list, 5,000 rows deep", lambda i: (
            "GET", f"/api/v1/contacts?limit=50&cursor={q(s.deep_cursor)}", None), 200,
            sql_deep, "p95 <= 1.2 x page 1"),
        Case("manager_page1", "manager: list, page 1", lambda i: (
            "GET", "/api/v1/contacts?limit=50", None), 200, sql_manager_page1,
            "p95 < 30 ms", client="manager"),
        Case("manager_search", "manager: search by name prefix", lambda i: (
            "GET", f"/api/v1/contacts?q={q(at(s.prefixes, i))}", None), 200,
            sql_manager_search, "p95 < 50 ms", client="manager"),
        Case("stage_deals", "one stage's deals", lambda i: (
            "GET", f"/api/v1/deals?stage={s.stage_id}&limit=50", None), 200, sql_stage,
            "p95 < 30 ms"),
    ]  # fmt: skip


def _record_cases(s: Sample) -> list[Case]:
    """One contact's pages: its detail and its timeline."""
    at = s.at

    def sql_detail(db: Db, i: int) -> None:
        pk = at(s.contact_ids, i)
        db.all(
            "SELECT c.*, co.name FROM customers_contact c LEFT JOIN customers_company co "
            "ON co.id = c.company_id WHERE c.id = ?",
            (pk,),
        )
        db.all("SELECT * FROM customers_channel WHERE contact_id = ?", (pk,))
        db.all(
            "SELECT t.name FROM customers_tag t JOIN customers_contact_tags ct "
            "ON ct.tag_id = t.id WHERE ct.contact_id = ?",
            (pk,),
        )
        db.all("SELECT * FROM customers_importantdate WHERE contact_id = ?", (pk,))

    def sql_timeline(db: Db, i: int) -> None:
        pk = at(s.contact_ids, i)
        db.all(
            'SELECT id, kind, subject, outcome, done, owner_id, "when" FROM activities_activity '
            'WHERE contact_id = ? ORDER BY "when" DESC, id DESC LIMIT 51',
            (pk,),
        )
        db.all(
            "SELECT id, at, actor_label, changes FROM core_auditevent WHERE record_type = "
            "'contact' AND record_id = ? ORDER BY id DESC LIMIT 51",
            (pk,),
        )
        db.all(
            "SELECT id, original_name, created_at FROM core_attachment WHERE record_type = "
            "'contact' AND record_id = ? ORDER BY created_at DESC LIMIT 51",
            (pk,),
        )

    return [
        Case("contact_detail", "contact detail", lambda i: (
            "GET", f"/api/v1/contacts/{at(s.contact_ids, i)}", None), 200, sql_detail),
        Case("contact_timeline", "contact timeline", lambda i: (
            "GET", f"/api/v1/contacts/{at(s.contact_ids, i)}/timeline", None), 200,
            sql_timeline),
    ]  # fmt: skip


def _write_cases(s: Sample, model_rows: ModelRows) -> list[Case]:
    """Creating a contact and moving a deal, each with what the API writes besides."""
    n = len(s.contact_ids)

    def api_create(i: int) -> tuple[str, str, Any]:
        body = {
            "first_name": "Bench",
            "last_name": f"Kalniņa {i}",
            "emails": [{"value": f"bench.api.{i}.{s.stage_id}@example.com"}],
            "phones": [{"value": f"+371670{i:05d}"}],
        }
        return "POST", "/api/v1/contacts", body

    def sql_create(db: Db, i: int) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        email, phone = f"bench.sql.{i}@example.com", f"+371671{i:05d}"
        mine = {
            "first_name": "Bench", "last_name": f"Kalniņa {i}", "name_key": f"kalniņa {i} bench",
            "first_name_key": "bench", "email": email, "phone": phone, "owner_id": s.admin_id,
            "team_id": None, "created_at": now, "updated_at": now,
        }  # fmt: skip
        cols, values = model_rows("contact", list(mine))
        row = {**mine, **dict(zip(cols[len(mine) :], values, strict=True))}
        db.begin()
        names = list(row)
        marks = ",".join("?" * len(names))
        returning = " RETURNING id" if db.kind == "postgres" else ""
        got = db.all(
            f"INSERT INTO customers_contact ({','.join(names)}) VALUES ({marks}){returning}",
            tuple(row.values()),
        ) if returning else None  # fmt: skip
        if got is None:
            db.run(
                f"INSERT INTO customers_contact ({','.join(names)}) VALUES ({marks})",
                tuple(row.values()),
            )
            pk = db.all("SELECT last_insert_rowid()")[0][0]
        else:
            pk = got[0][0]
        for kind, value in (("email", email), ("phone", phone)):
            db.run(
                "INSERT INTO customers_channel (contact_id, kind, value, normalized, label, "
                "is_primary) VALUES (?, ?, ?, ?, '', ?)",
                (pk, kind, value, value, True),
            )
        db.run(
            "INSERT INTO core_auditevent (at, actor_kind, actor_label, action, record_type, "
            "record_id, changes) VALUES (?, 'token', 'admin (bench)', 'create', 'contact', ?, ?)",
            (now, pk, json.dumps({"first_name": [None, "Bench"]})),
        )
        db.commit()

    def api_move(i: int) -> tuple[str, str, Any]:
        deal, version, target = s.moves_api[i % n]
        return "POST", f"/api/v1/deals/{deal}/move", {"stage_id": target, "version": version}

    def sql_move(db: Db, i: int) -> None:
        deal, version, target = s.moves_sql[i % n]
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        lock = " FOR UPDATE" if db.kind == "postgres" else ""
        db.begin()
        db.all(f"SELECT id, stage_id, version FROM sales_deal WHERE id = ?{lock}", (deal,))
        db.run(
            "UPDATE sales_deal SET stage_id = ?, status = 'open', stage_entered_at = ?, "
            "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
            (target, now, now, deal, version),
        )
        db.run(
            "INSERT INTO sales_stagechange (deal_id, from_stage_id, to_stage_id, actor_label, at) "
            "VALUES (?, ?, ?, 'bench', ?)",
            (deal, s.stage_id, target, now),
        )
        db.run(
            "INSERT INTO core_auditevent (at, actor_kind, actor_label, action, record_type, "
            "record_id, changes) VALUES (?, 'token', 'admin (bench)', 'update', 'deal', ?, ?)",
            (now, deal, json.dumps({"stage": [s.stage_id, target]})),
        )
        db.commit()
        # Each deal moves once; the next round uses fresh versions.
        s.moves_sql[i % n] = (deal, version + 1, target)

    def moved(i: int) -> tuple[str, str, Any]:
        method, path, body = api_move(i)
        deal, version, target = s.moves_api[i % n]
        s.moves_api[i % n] = (deal, version + 1, target)
        return method, path, body

    return [
        Case("create_contact", "create contact", api_create, 201, sql_create, "p95 < 30 ms"),
        Case("move_deal", "move deal", moved, 200, sql_move, "p95 < 30 ms"),
    ]


def judge(results: dict[str, Case]) -> None:
    for case in results.values():
        if not case.target:
            continue
        p95 = pct(case.api_ms, 0.95)
        if case.errors or not case.api_ms:
            case.target += " — FAIL (errors)"
            continue
        if case.name == "list_deep":
            ok = p95 <= 1.2 * pct(results["list_page1"].api_ms, 0.95)
        else:
            limit = 50 if case.target.startswith("p95 < 50") else 30
            ok = p95 < limit
        case.target += " — PASS" if ok else " — FAIL"


def table(cases_: list[Case]) -> str:
    lines = [
        "| operation | API p50 ms | API p95 ms | SQL p50 ms | SQL p95 ms | ratio p50 | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for c in cases_:
        a50, a95, s50, s95 = (
            pct(c.api_ms, 0.5),
            pct(c.api_ms, 0.95),
            pct(c.sql_ms, 0.5),
            pct(c.sql_ms, 0.95),
        )
        ratio = a50 / s50 if s50 else float("nan")
        lines.append(
            f"| {c.label} | {a50:.1f} | {a95:.1f} | {s50:.2f} | {s95:.2f} | {ratio:.0f}x | "
            f"{c.target or '—'} |"
        )
    return "\n".join(lines)


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/kliento_bench")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    if args.contacts < 1000 or args.requests < 1:
        parser.error("--contacts must be at least 1000 and --requests at least 1")
    return args


@dataclass
class Prepared:
    env: dict[str, str]
    url: str
    sqlite_file: Path
    seed_seconds: float | None


def prepare(args: argparse.Namespace) -> Prepared:
    """A seeded database (fresh unless --reuse) and the environment of the production server."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="kliento-bench-"))  # media and static files
    sqlite_file = RESULTS / f"bench-{args.contacts}.sqlite3"
    url = f"sqlite:///{sqlite_file}" if args.db == "sqlite" else args.pg_url
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="kliento.settings.prod",
        KLIENTO_SECRET_KEY=secrets.token_urlsafe(48),
        KLIENTO_SSL_REDIRECT="false",
        KLIENTO_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT / "src"),
    )
    os.environ.update(env)

    seed_seconds = None
    if not (args.reuse and (args.db == "postgres" or sqlite_file.exists())):
        if args.db == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        else:
            fresh_postgres(url)
        log(f"Seeding {args.contacts:,} contacts on {args.db} …")
        subprocess.run([*KLIENTO, "manage", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        subprocess.run(
            [*KLIENTO, "seed", "--contacts", str(args.contacts)], env=env, check=True, cwd=ROOT
        )
        seed_seconds = round(time.perf_counter() - started, 1)
    else:  # the schema may have moved on since the database was seeded
        subprocess.run([*KLIENTO, "manage", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    return Prepared(env, url, sqlite_file, seed_seconds)


def token_for(env: dict[str, str], username: str) -> str:
    return subprocess.run(
        [*KLIENTO, "token", username, "--name", "bench"],
        env=env, check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout.strip()  # fmt: skip


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    server = subprocess.Popen(
        [*KLIENTO, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=env, cwd=ROOT
    )
    wait_until_up(port, server)
    return server, port


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0])
    prepared = prepare(args)
    env, url, sqlite_file, seed_seconds = (
        prepared.env, prepared.url, prepared.sqlite_file, prepared.seed_seconds
    )  # fmt: skip

    import django

    django.setup()
    from kliento.core.records import spec_for_name
    from kliento.demo.scale import _table

    def model_rows(record_type: str, given: list[str]) -> tuple[list[str], tuple[Any, ...]]:
        spec = spec_for_name(record_type)
        assert spec is not None
        t = _table(spec.model, given)
        return t.columns, t.defaults

    token = token_for(env, "admin")
    server, port = serve(env)
    db = Db(args.db, str(sqlite_file) if args.db == "sqlite" else url)
    try:
        client = Http(port, token)
        s = sample(db, args.requests + args.warmup, seed=9)
        clients = {"admin": client, "manager": Http(port, token_for(env, s.manager[0]))}
        # The deep page: follow the cursors 100 pages of 50 (rows 5,001..5,050 come next).
        cursor = None
        for _ in range(100):
            path = "/api/v1/contacts?limit=50" + (f"&cursor={q(cursor)}" if cursor else "")
            status, body, _ = client.call("GET", path)
            if status != 200 or not isinstance(body, dict) or not body.get("next_cursor"):
                log(f"bench: could not walk the contact list ({status}): {str(body)[:200]}")
                break
            cursor = body["next_cursor"]
        s.deep_cursor = cursor or ""
        all_cases = cases(s, model_rows)
        for case in all_cases:
            log(f"  measuring {case.label} …")
            measure(case, clients[case.client], db, args.requests, args.warmup)
            for error in case.errors:
                log(f"    error: {error}")
        judge({c.name: c for c in all_cases})
    finally:
        stop(server)
        db.close()

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    report = {
        "db": args.db,
        "contacts": args.contacts,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed_seconds": seed_seconds,
        "server": "kliento serve (gunicorn, 2 sync workers), kliento.settings.prod, DEBUG off",
        "requests": args.requests,
        "warmup": args.warmup,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "results": [
            {
                "name": c.name,
                "label": c.label,
                "api_p50_ms": round(pct(c.api_ms, 0.5), 2),
                "api_p95_ms": round(pct(c.api_ms, 0.95), 2),
                "sql_p50_ms": round(pct(c.sql_ms, 0.5), 3),
                "sql_p95_ms": round(pct(c.sql_ms, 0.95), 3),
                "ratio_p50": round(pct(c.api_ms, 0.5) / max(pct(c.sql_ms, 0.5), 1e-6), 1),
                "ratio_p95": round(pct(c.api_ms, 0.95) / max(pct(c.sql_ms, 0.95), 1e-6), 1),
                "ok_requests": len(c.api_ms),
                "errors": c.errors,
                "target": c.target,
            }
            for c in all_cases
        ],
    }
    name = (
        f"{args.db}-{stamp}" if args.contacts >= 1_000_000 else f"{args.db}-{args.contacts}-{stamp}"
    )
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    seeded = f", seeded in {seed_seconds} s" if seed_seconds is not None else ""
    md = (
        f"# Benchmark: {args.db}, {args.contacts:,} contacts ({stamp})\n\n"
        f"Production server (gunicorn, 2 workers, DEBUG off), one client, {args.requests} "
        f"requests per line after {args.warmup} warm-up{seeded}. SQL = the same query through "
        f"the driver in the same run; ratio = API p50 / SQL p50.\n\n{table(all_cases)}\n"
    )
    (RESULTS / f"{name}.md").write_text(md)
    print()
    print(md)
    failed = any("FAIL" in c.target for c in all_cases) or any(c.errors for c in all_cases)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
