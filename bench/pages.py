#!/usr/bin/env python3
"""Benchmark the web pages against the API and raw SQL on a seeded database.

    .venv/bin/python bench/pages.py --db sqlite --contacts 1000000 --reuse
    .venv/bin/python bench/pages.py --db postgres --contacts 1000000 --reuse

Uses the database of bench/run.py (seeds one unless --reuse finds it), starts
the production server, signs in through the sign-in form like a browser, and
times each page through HTTP next to the API call that reads the same data and
the same query in raw SQL, in the same run. Targets: a page's p50 within 2x of
its API call's, and its p95 under 100 ms. Writes bench/results/pages-<db>-<date>
.json and .md and prints the table.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    MAX_CHAR,
    RESULTS,
    Db,
    Http,
    arguments,
    cases,
    log,
    pct,
    prepare,
    q,
    sample,
    serve,
    stop,
    token_for,
)

COLUMN_LIMIT = 20
# Starts of the seeded activity subjects (kliento/demo/scale.py), each a range of the key.
SUBJECT_PREFIXES = ["call", "follow", "meeting on", "send", "offer", "imp"]
SORT_BOUND = 5_000  # kliento.core.column_sorts.SORT_BOUND
ACTIVITY_COLS = 'a.id, a.kind, a.subject, a."when", a.done, a.outcome, a.owner_id'
KIND_ORDER = (
    "CASE a.kind WHEN 'task' THEN 0 WHEN 'call' THEN 1 WHEN 'meeting' THEN 2 "
    "WHEN 'note' THEN 3 WHEN 'email' THEN 4 ELSE 5 END"
)


def sql_subject_search(db: Db, i: int) -> None:
    low = SUBJECT_PREFIXES[i % len(SUBJECT_PREFIXES)]
    db.all(
        'SELECT id, kind, subject, subject_key, "when", done, outcome FROM activities_activity '
        "WHERE subject_key >= ? AND subject_key < ? ORDER BY subject_key, id LIMIT 51",
        (low, low + MAX_CHAR),
    )


def sql_kind_sorted(low: Any, high: Any) -> Callable[[Db, int], None]:
    """What the activity list sorted by kind does: count up to the bound, then sort."""

    def run(db: Db, i: int) -> None:
        where = 'a."when" >= ? AND a."when" < ?'
        db.all(
            f"SELECT count(*) FROM (SELECT 1 FROM activities_activity a WHERE {where} LIMIT ?) t",
            (low, high, SORT_BOUND + 1),
        )
        db.all(
            f"SELECT {ACTIVITY_COLS} FROM activities_activity a WHERE {where} "
            f'ORDER BY {KIND_ORDER}, a."when", a.id LIMIT 51',
            (low, high),
        )

    return run


def sql_none_owned(db: Db, i: int) -> None:
    """What a user who owns no activities waits for: the owner index says so at once."""
    db.all(
        f"SELECT {ACTIVITY_COLS} FROM activities_activity a WHERE a.owner_id = ? "
        f'ORDER BY {KIND_ORDER}, a."when", a.id LIMIT 51',
        (-1,),
    )


def sql_bound_count(db: Db, i: int) -> None:
    db.all("SELECT count(*) FROM (SELECT 1 FROM activities_activity LIMIT ?) t", (SORT_BOUND + 1,))


def stored(db: Db, value: dt.datetime) -> Any:
    """A moment as the database stores it (SQLite: UTC text, as Django writes it)."""
    if db.kind == "sqlite":
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return value


def bound_days(db: Db, zone: str) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime, int]:
    """Whole days (in the admin's time zone) of activities, as many as keep the list within
    the bound: the largest list that a column without an index sorts."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    newest = db.all('SELECT max("when") FROM activities_activity')[0][0]
    newest = dt.datetime.fromisoformat(str(newest).replace(" ", "T"))
    first = (newest - dt.timedelta(days=60)).date()
    days, rows = 0, 0
    while True:
        low = dt.datetime.combine(first, dt.time(), tz)
        high = dt.datetime.combine(first + dt.timedelta(days=days + 1), dt.time(), tz)
        count = db.all(
            'SELECT count(*) FROM activities_activity WHERE "when" >= ? AND "when" < ?',
            (stored(db, low), stored(db, high)),
        )[0][0]
        if count > SORT_BOUND or days > 60:
            break
        days, rows = days + 1, count
    days = max(days, 1)
    low = dt.datetime.combine(first, dt.time(), tz)
    high = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), tz)
    return first, first + dt.timedelta(days=days - 1), low, high, rows


@dataclass
class Browser:
    """A signed-in session over HTTP, as a browser holds one (cookies, no JavaScript)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def _send(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, raw.decode("utf-8", "replace"), elapsed

    def sign_in(self, username: str, password: str) -> None:
        status, html, _ = self._send("GET", "/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or token is None:
            raise SystemExit(f"bench: no sign-in form ({status})")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        status, _, _ = self._send(
            "POST",
            "/sign-in/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"bench: signing in as {username} failed ({status})")

    def get(self, path: str, htmx: bool = False) -> tuple[int, str, float]:
        return self._send("GET", path, headers={"HX-Request": "true"} if htmx else None)


@dataclass
class Pair:
    name: str
    label: str
    page: Callable[[int], tuple[str, bool]]  # i -> path, as htmx
    api: Callable[[int], str]
    sql: Callable[[Db, int], None]
    page_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    verdict: str = ""
    status: int = 200  # what the page and the API answer (422: a sort refused by its bound)
    who: str = "admin"  # the user signed in


def measure(pair: Pair, browser: Browser, api: Http, db: Db, requests: int, warmup: int) -> None:
    # Interleaved, so that a burst of load on the machine hits all three alike.
    for i in range(warmup + requests):
        path, htmx = pair.page(i)
        status, _, elapsed = browser.get(path, htmx)
        if status != pair.status:
            if len(pair.errors) < 3:
                pair.errors.append(f"GET {path} -> {status}")
        elif i >= warmup:
            pair.page_ms.append(elapsed)
        status, body, elapsed = api.call("GET", pair.api(i))
        if status != pair.status and len(pair.errors) < 3:
            pair.errors.append(f"GET {pair.api(i)} -> {status}: {str(body)[:100]}")
        elif i >= warmup:
            pair.api_ms.append(elapsed)
        started = time.perf_counter()
        pair.sql(db, i)
        if i >= warmup:
            pair.sql_ms.append(time.perf_counter() - started)


def judge(pair: Pair) -> None:
    if pair.errors or not pair.page_ms:
        pair.verdict = "FAIL (errors)"
        return
    fast = pct(pair.page_ms, 0.95) < 100
    if pair.status != 200:  # the page shows the list in its own order; the API only refuses
        pair.verdict = "PASS (p95 only)" if fast else "FAIL"
        return
    p50_ratio = pct(pair.page_ms, 0.5) / pct(pair.api_ms, 0.5)
    pair.verdict = "PASS" if p50_ratio <= 2.0 and fast else "FAIL"


def table(pairs: list[Pair]) -> str:
    lines = [
        "| page | page p50 | page p95 | API p50 | API p95 | SQL p50 | page/API p50 "
        "| page/SQL p50 | target: ≤ 2× API, p95 < 100 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in pairs:
        page50, api50, sql50 = pct(p.page_ms, 0.5), pct(p.api_ms, 0.5), pct(p.sql_ms, 0.5)
        lines.append(
            f"| {p.label} | {page50:.1f} | {pct(p.page_ms, 0.95):.1f} | {api50:.1f} | "
            f"{pct(p.api_ms, 0.95):.1f} | {sql50:.2f} | {page50 / api50:.2f}× | "
            f"{page50 / max(sql50, 1e-6):.0f}× | {p.verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0])
    prepared = prepare(args)

    import django

    django.setup()
    from django.urls import reverse

    from kliento.demo.base import DEMO_PASSWORD

    server, port = serve(prepared.env)
    db = Db(args.db, str(prepared.sqlite_file) if args.db == "sqlite" else prepared.url)
    try:
        api = Http(port, token_for(prepared.env, "admin"))
        browser = Browser(port)
        browser.sign_in("admin", DEMO_PASSWORD)
        sessions = {"admin": (browser, api)}
        s = sample(db, args.requests + args.warmup, seed=9)
        sql = {c.name: c.sql for c in cases(s, lambda record_type, given: ([], ()))}
        cursor = None  # the page 5,000 rows deep: the API's and the page's cursors are alike
        for _ in range(100):
            path = "/api/v1/contacts?limit=50" + (f"&cursor={q(cursor)}" if cursor else "")
            status, body, _ = api.call("GET", path)
            if status != 200 or not isinstance(body, dict) or not body.get("next_cursor"):
                raise SystemExit(f"bench: could not walk the contact list ({status})")
            cursor = body["next_cursor"]
        deep = q(cursor or "")
        n = len(s.contact_ids)
        pipeline_id = db.all("SELECT pipeline_id FROM sales_stage WHERE id = ?", (s.stage_id,))[0][
            0
        ]
        contacts = reverse("customers:contact-list")
        zone = db.all("SELECT time_zone FROM core_user WHERE username = 'admin'")[0][0]
        day1, day2, low, high, bounded = bound_days(db, zone)
        log(f"  activities from {day1} to {day2} ({zone}): {bounded:,} rows")
        span = f"when_after={day1}&when_before={day2}"
        api_span = f"when_after={q(low.isoformat())}&when_before={q(high.isoformat())}"
        column = reverse("sales:board-column", args=[pipeline_id, s.stage_id])
        activities = reverse("activities:activity-list")
        pairs = [
            Pair("list_page1", "contacts, page 1", lambda i: (contacts, False),
                 lambda i: "/api/v1/contacts?limit=50", sql["list_page1"]),
            Pair("list_deep", "contacts, 5,000 rows deep", lambda i: (
                f"{contacts}?cursor={deep}", True), lambda i: (
                f"/api/v1/contacts?limit=50&cursor={deep}"), sql["list_deep"]),
            Pair("board_column", "kanban column (one stage)", lambda i: (column, True), lambda i: (
                f"/api/v1/deals?stage={s.stage_id}&limit={COLUMN_LIMIT}"), sql["stage_deals"]),
            Pair("contact_detail", "contact card", lambda i: (
                reverse("customers:contact-detail", args=[s.contact_ids[i % n]]), False),
                lambda i: f"/api/v1/contacts/{s.contact_ids[i % n]}", sql["contact_detail"]),
            # The API has no subject search; its page by subject reads the same index.
            Pair("activity_search", "activities, subject search (as typed)", lambda i: (
                f"{activities}?q={q(SUBJECT_PREFIXES[i % len(SUBJECT_PREFIXES)])}", True),
                lambda i: "/api/v1/activities?limit=50&ordering=subject", sql_subject_search),
            Pair("kind_sorted", f"activities by kind, {bounded:,} rows (the bound)", lambda i: (
                f"{activities}?ordering=kind&{span}", True), lambda i: (
                f"/api/v1/activities?limit=50&ordering=kind&{api_span}"),
                sql_kind_sorted(stored(db, low), stored(db, high))),
            # A user who owns none of the million: the rule's own indexes find nothing at once.
            Pair("kind_sorted_few", "activities by kind, a user who owns none", lambda i: (
                f"{activities}?ordering=kind", True), lambda i: (
                "/api/v1/activities?limit=50&ordering=kind"), sql_none_owned, who="sergejs"),
            Pair("sort_refused", "activities by kind, all (refused: over the bound)", lambda i: (
                f"{activities}?ordering=kind", True), lambda i: (
                "/api/v1/activities?limit=50&ordering=kind"), sql_bound_count, status=422),
        ]  # fmt: skip
        for pair in pairs:
            log(f"  measuring {pair.label} …")
            if pair.who not in sessions:
                other = Browser(port)
                other.sign_in(pair.who, DEMO_PASSWORD)
                sessions[pair.who] = (other, Http(port, token_for(prepared.env, pair.who)))
            measure(pair, *sessions[pair.who], db, args.requests, args.warmup)
            judge(pair)
            for error in pair.errors:
                log(f"    error: {error}")
    finally:
        stop(server)
        db.close()

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    name = f"pages-{args.db}-{stamp}" if args.contacts >= 1_000_000 else (
        f"pages-{args.db}-{args.contacts}-{stamp}")  # fmt: skip
    report: dict[str, Any] = {
        "db": args.db,
        "contacts": args.contacts,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "server": "kliento serve (gunicorn, 2 sync workers), kliento.settings.prod, DEBUG off",
        "requests": args.requests,
        "warmup": args.warmup,
        "results": [
            {
                "name": p.name,
                "label": p.label,
                "page_p50_ms": round(pct(p.page_ms, 0.5), 2),
                "page_p95_ms": round(pct(p.page_ms, 0.95), 2),
                "api_p50_ms": round(pct(p.api_ms, 0.5), 2),
                "api_p95_ms": round(pct(p.api_ms, 0.95), 2),
                "sql_p50_ms": round(pct(p.sql_ms, 0.5), 3),
                "errors": p.errors,
                "verdict": p.verdict,
            }
            for p in pairs
        ],
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    md = (
        f"# Pages: {args.db}, {args.contacts:,} contacts ({stamp})\n\n"
        f"Production server (gunicorn, 2 workers, DEBUG off), one signed-in client, "
        f"{args.requests} requests per line after {args.warmup} warm-up, page, API and SQL "
        f"interleaved. Times in ms. The page of a list or a column is what htmx fetches "
        f"(the rows); page 1 and the card are whole pages with the layout.\n\n{table(pairs)}\n"
    )
    (RESULTS / f"{name}.md").write_text(md)
    print()
    print(md)
    return 1 if any(p.verdict != "PASS" for p in pairs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
