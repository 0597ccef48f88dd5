"""Scale data: companies, a million contacts, deals and activities in a few minutes.

The ORM costs about ten times the driver (FACTS.md), so rows go in through
`executemany` on SQLite and `COPY` on PostgreSQL, each table in one transaction,
with its secondary indexes dropped first and rebuilt after (building an index
from sorted data beats updating it a row at a time). Every derived column is
filled as the services would fill it: name keys from `search_key`, team from
owner, lower-case unique e-mails, unique E.164 phones, version 1, custom {}.
Columns this module does not know take their model default, so a new nullable
or defaulted column does not break it; a new required one stops it with a clear error.
"""

from __future__ import annotations

import json
import random
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, models, transaction

from kliento.activities.choices import ActivityKind, Outcome
from kliento.activities.models import Activity
from kliento.core.choices import Role
from kliento.core.text import search_key
from kliento.customers.choices import ChannelKind, Relationship
from kliento.customers.models import Channel, Company, Contact
from kliento.demo import names
from kliento.demo.base import INDUSTRIAL, WINDOWS, Base, ensure_base
from kliento.sales.choices import StageKind
from kliento.sales.models import Deal, Stage, StageChange

CHUNK = 50_000
DAY = 86_400
# Phones: index n of a country -> a unique valid number (these ranges are not used by the story).
PHONE_PREFIX = {0: "+3712", 1: "+790", 2: "+4474"}
PHONE_DIGITS = {0: 7, 1: 8, 2: 8}
MAX_PER_COUNTRY = 2_000_000  # "+3712" + 7 digits stays in valid LV mobile ranges below 2M
COUNTRIES = ("LV", "RU", "GB")
RELATIONSHIPS = [
    r.value
    for r in (
        Relationship.PROSPECT,
        Relationship.PROSPECT,
        Relationship.CUSTOMER,
        Relationship.COLD,
        Relationship.FORMER,
        Relationship.PARTNER,
    )
]


# --- the database side ------------------------------------------------------------------------


class _Writer:
    """Bulk insert and index handling for one database vendor."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw: Any = connection.connection

    def ts(self, epoch: int) -> str:
        raise NotImplementedError

    def indexes(self, table: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def finish(self, tables: Iterable[str]) -> None:
        """After loading: sequences and statistics."""


class _SqliteWriter(_Writer):
    def ts(self, epoch: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))

    def indexes(self, table: str) -> list[tuple[str, str]]:
        rows = self.raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        return [(name, sql) for name, sql in rows]

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(columns))
        cols = ", ".join(f'"{c}"' for c in columns)
        self.raw.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)  # noqa: S608


class _PostgresWriter(_Writer):
    def ts(self, epoch: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))

    def indexes(self, table: str) -> list[tuple[str, str]]:
        with self.raw.cursor() as cur:
            cur.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = %s
                AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = (quote_ident(i.schemaname) || '.' ||
                                        quote_ident(i.indexname))::regclass
                    AND c.contype IN ('p', 'u', 'x')
                )
                """,
                (table,),
            )
            return [(name, sql) for name, sql in cur.fetchall()]

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        cols = ", ".join(f'"{c}"' for c in columns)
        with (
            self.raw.cursor() as cur,
            cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self, tables: Iterable[str]) -> None:
        with self.raw.cursor() as cur:
            for table in tables:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT max(id) FROM "{table}"))'
                )
                cur.execute(f'ANALYZE "{table}"')


def _writer() -> _Writer:
    if connection.vendor == "sqlite":
        return _SqliteWriter()
    if connection.vendor == "postgresql":
        return _PostgresWriter()
    raise RuntimeError(f"The scale seeder supports SQLite and PostgreSQL, not {connection.vendor}.")


@contextmanager
def _without_indexes(
    writer: _Writer, tables: Sequence[str], out: TextIO | None = None
) -> Iterator[None]:
    """Drop the tables' secondary indexes, and rebuild them (same transaction) afterwards."""
    saved = [ix for table in tables for ix in writer.indexes(table)]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if postgres:
            # Foreign keys are deferred: checked per row now instead of queued to commit,
            # because PostgreSQL refuses CREATE INDEX with checks still pending.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _ in saved:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    began = time.perf_counter()
    with connection.cursor() as cur:
        for _, sql in saved:
            cur.execute(sql)
        if postgres:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
    if out is not None:
        print(
            f"  rebuilt {len(saved)} indexes of {', '.join(tables)} "
            f"in {time.perf_counter() - began:,.1f} s",
            file=out,
            flush=True,
        )


@dataclass
class _Table:
    """The columns of one table: those we generate, then the rest at their defaults."""

    model: type[models.Model]
    generated: list[str]
    columns: list[str]
    defaults: tuple[Any, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table


def _column(model: type[models.Model], attname: str) -> str:
    if attname == "id":
        return "id"
    field = model._meta.get_field(attname)
    assert isinstance(field, models.Field) and field.column  # a concrete column, not a relation
    return field.column


def _table(model: type[models.Model], generated: list[str]) -> _Table:
    columns = [_column(model, a) for a in generated]
    rest_cols: list[str] = []
    rest_vals: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.attname in generated or f.primary_key:
            continue
        if f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif isinstance(f, models.CharField | models.TextField) and f.blank:
            value = ""
        else:
            raise RuntimeError(
                f"The scale seeder does not know how to fill {model.__name__}.{f.name}; "
                "add it to kliento/demo/scale.py."
            )
        if isinstance(value, dict | list):
            value = json.dumps(value)
        elif isinstance(value, Decimal):
            value = str(value)
        rest_cols.append(str(f.column))
        rest_vals.append(value)
    return _Table(model, generated, columns + rest_cols, tuple(rest_vals))


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=models.Max("id"))["m"] or 0) + 1


# --- generating -------------------------------------------------------------------------------


@dataclass
class _Person:
    first: str
    last: str
    middle: str
    name_key: str
    first_key: str
    email_local: str


def _people(country: str) -> list[_Person]:
    firsts, lasts = {
        "LV": (names.LV_FIRST, names.LV_LAST),
        "RU": (names.RU_FIRST, names.RU_LAST),
        "GB": (names.GB_FIRST, names.GB_LAST),
    }[country]
    middles: list[tuple[str, str]] = names.RU_MIDDLE if country == "RU" else [("", "")]
    out = []
    for first, _, gender in firsts:
        for masculine, feminine, _ in lasts:
            last = masculine if gender == "m" else feminine
            for pair in middles:
                middle = pair[0] if gender == "m" else pair[1]
                out.append(
                    _Person(
                        first,
                        last,
                        middle,
                        search_key(last, first, middle),
                        search_key(first),
                        f"{names.ascii_of(first)}.{names.ascii_of(last)}",
                    )
                )
    return out


class _Progress:
    def __init__(self, out: TextIO, label: str, total: int) -> None:
        self.out, self.label, self.total = out, label, total
        self.start = time.perf_counter()
        self.done = 0

    def add(self, rows: int) -> None:
        self.done += rows
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed else 0
        print(
            f"  {self.label}: {self.done:>10,} / {self.total:,}  ({rate:,.0f} rows/s)",
            file=self.out,
            flush=True,
        )


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, CHUNK):
        yield start, min(total, start + CHUNK)


@dataclass
class _Run:
    """What every table's step shares: how rows go in, the random stream, the owners."""

    base: Base
    writer: _Writer
    r: Callable[[], float]  # the one random stream: the steps draw from it in table order
    now: int
    out: TextIO
    owner_ids: list[int]
    owner_teams: list[int | None]
    # Company names, deal titles and subjects repeat: each search_key is computed once.
    key_cache: dict[str, str] = field(default_factory=dict)
    loaded: list[str] = field(default_factory=list)  # tables filled, for writer.finish


@dataclass
class _Companies:
    first: int
    count: int
    owner: array[int]  # index into _Run.owner_ids
    name: list[str]


@dataclass
class _Contacts:
    first: int
    count: int
    people: list[list[_Person]]  # per country, as COUNTRIES
    person: array[int]  # index into people[country]
    company: array[int]  # company index + 1, or 0
    owner: array[int]  # index into _Run.owner_ids


@dataclass
class _Deals:
    first: int
    count: int
    stage: array[int]  # stage id, for the activities
    contact: array[int]  # contact index


def seed(
    *,
    contacts: int,
    seed: int = 1,
    companies: int | None = None,
    deals: int | None = None,
    activities: int | None = None,
    out: TextIO | None = None,
) -> dict[str, Any]:
    """Add `contacts` contacts and proportional companies (1/20), deals (1/5), activities (1x)."""
    out = out or sys.stdout
    if contacts < 1:
        raise ValueError("contacts must be 1 or more")
    n_comp = companies if companies is not None else max(1, contacts // 20)
    n_deal = deals if deals is not None else max(1, contacts // 5)
    n_act = activities if activities is not None else contacts
    began, cpu_began = time.perf_counter(), time.process_time()
    run = _start(out, seed)
    comp_first = _next_id(Company)
    cont_first = _next_id(Contact)
    if cont_first + contacts >= 3 * MAX_PER_COUNTRY:
        raise ValueError(f"the seeder makes unique phones for up to {3 * MAX_PER_COUNTRY:,} ids")
    with _fast_sqlite():
        print(
            f"Seeding {n_comp:,} companies, {contacts:,} contacts, {n_deal:,} deals, "
            f"{n_act:,} activities on {connection.vendor} …",
            file=out,
            flush=True,
        )
        # Each step draws from the one random stream in turn: the order keeps the data repeatable.
        comps = _seed_companies(run, comp_first, n_comp)
        conts = _seed_contacts(run, comps, cont_first, contacts)
        deals_ = _seed_deals(run, comps, conts, n_deal)
        _seed_activities(run, comps, conts, deals_, n_act)
        run.writer.finish(run.loaded)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    total = n_comp + 3 * contacts + 2 * n_deal + n_act
    print(
        f"Done: {total:,} rows in {seconds:,.1f} s ({total / seconds:,.0f} rows/s; "
        f"{cpu:,.1f} s of CPU in this process).",
        file=out,
        flush=True,
    )
    return {
        "companies": n_comp,
        "contacts": contacts,
        "channels": 2 * contacts,
        "deals": n_deal,
        "stage_changes": n_deal,
        "activities": n_act,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
    }


def _start(out: TextIO, seed: int) -> _Run:
    """The base data (users, pipelines), the writer, the random stream and the owners."""
    base = ensure_base()
    writer = _writer()
    rng = random.Random(seed)  # noqa: S311 - repeatable fake data
    owners = [
        u
        for u in base.users.values()
        if u.role == Role.MANAGER and u.team_id is not None and u.is_active
    ]
    return _Run(
        base=base,
        writer=writer,
        r=rng.random,
        now=int(time.time()),
        out=out,
        owner_ids=[u.pk for u in owners],
        owner_teams=[u.team_id for u in owners],
    )


@contextmanager
def _fast_sqlite() -> Iterator[None]:
    """On SQLite outside a transaction: settings for bulk loading, restored when the block ends."""
    fast = not connection.in_atomic_block and connection.vendor == "sqlite"
    journal = ""
    if fast:
        # Outside a transaction: bigger cache, in-memory sorts for index builds, and no
        # per-row foreign-key lookups (the rows reference ids made right here).
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -1000000")  # 1 GB: index builds stay in memory
            cur.execute("PRAGMA temp_store = MEMORY")
            cur.execute("PRAGMA foreign_keys = OFF")
            # WAL would write every new page twice (log, then checkpoint); a rollback
            # journal only saves pages that existed. Only possible with no other connection.
            cur.execute("PRAGMA journal_mode")
            journal = cur.fetchone()[0]
            if journal == "wal":
                cur.execute("PRAGMA journal_mode = DELETE")
    try:
        yield
    finally:
        if fast:
            with connection.cursor() as cur:
                cur.execute("PRAGMA foreign_keys = ON")
                if journal == "wal":
                    cur.execute("PRAGMA journal_mode = WAL")


def _seed_companies(run: _Run, comp_first: int, n_comp: int) -> _Companies:
    """Companies, each with a random owner and a made-up name."""
    r, now, writer, key_cache = run.r, run.now, run.writer, run.key_cache
    owner_ids, owner_teams, n_own = run.owner_ids, run.owner_teams, len(run.owner_ids)
    comp_owner = array("i", (int(r() * n_own) for _ in range(n_comp)))
    comp_name: list[str] = []
    t = _table(
        Company,
        ["id", "name", "name_key", "owner_id", "team_id", "region", "industry", "segment",
         "relationship", "source", "version", "custom", "created_at", "updated_at"],
    )  # fmt: skip
    stems, kinds = names.COMPANY_STEMS, names.COMPANY_KINDS
    progress = _Progress(run.out, "companies", n_comp)
    with transaction.atomic(), _without_indexes(writer, [t.name], run.out):
        for lo, hi in _chunks(n_comp):
            rows = []
            for i in range(lo, hi):
                country = COUNTRIES[i % 3]
                name = (
                    f"{stems[int(r() * len(stems))]} {stems[int(r() * len(stems))]} "
                    f"{kinds[int(r() * len(kinds))]} {names.LEGAL_FORMS[country][i % 2]}"
                )
                key = key_cache.get(name)
                if key is None:
                    key = key_cache[name] = search_key(name)
                comp_name.append(name)
                o = comp_owner[i]
                created = writer.ts(now - int(r() * 3 * 365 * DAY))
                rows.append(
                    (comp_first + i, name, key, owner_ids[o], owner_teams[o],
                     names.REGIONS[country][i % len(names.REGIONS[country])],
                     names.INDUSTRIES[i % len(names.INDUSTRIES)],
                     names.SEGMENTS[i % 3], RELATIONSHIPS[i % len(RELATIONSHIPS)],
                     names.SOURCES[i % len(names.SOURCES)], 1, "{}", created, created,
                     *t.defaults)
                )  # fmt: skip
            writer.insert(t.name, t.columns, rows)
            progress.add(len(rows))
    run.loaded.append(t.name)
    return _Companies(comp_first, n_comp, comp_owner, comp_name)


def _seed_contacts(run: _Run, comps: _Companies, cont_first: int, contacts: int) -> _Contacts:
    """Contacts, and the primary e-mail and phone of each."""
    r, now, writer = run.r, run.now, run.writer
    owner_ids, owner_teams, n_own = run.owner_ids, run.owner_teams, len(run.owner_ids)
    comp_first, n_comp, comp_owner = comps.first, comps.count, comps.owner
    people = [_people(c) for c in COUNTRIES]
    sizes = [len(p) for p in people]
    cont_person = array("i", bytes(4 * contacts))
    cont_company = array("i", bytes(4 * contacts))  # company index + 1, or 0
    cont_owner = array("i", bytes(4 * contacts))
    chan_first = _next_id(Channel)
    tc = _table(
        Contact,
        ["id", "first_name", "last_name", "middle_name", "name_key", "first_name_key",
         "company_id", "job_title", "email", "phone", "owner_id", "team_id", "region",
         "relationship", "source", "version", "custom", "created_at", "updated_at"],
    )  # fmt: skip
    th = _table(
        Channel,
        ["id", "contact_id", "company_id", "kind", "value", "normalized", "label",
         "is_primary"],
    )  # fmt: skip
    email, phone = ChannelKind.EMAIL.value, ChannelKind.PHONE.value
    domains = [names.EMAIL_DOMAINS[c] for c in COUNTRIES]
    regions = [names.REGIONS[c] for c in COUNTRIES]
    titles = names.JOB_TITLES
    progress = _Progress(run.out, "contacts (+2 channels each)", contacts)
    with transaction.atomic(), _without_indexes(writer, [tc.name, th.name], run.out):
        for lo, hi in _chunks(contacts):
            rows, chans = [], []
            for i in range(lo, hi):
                cid = cont_first + i
                c = cid % 3
                n = cid // 3
                pi = int(r() * sizes[c])
                p = people[c][pi]
                cont_person[i] = pi
                if r() < 0.5:
                    ci = int(r() * n_comp)
                    cont_company[i] = ci + 1
                    company_id: int | None = comp_first + ci
                    o = comp_owner[ci]
                    job = titles[int(r() * len(titles))]
                else:
                    company_id, o, job = None, int(r() * n_own), ""
                cont_owner[i] = o
                dom = domains[c]
                mail = f"{p.email_local}.{n}@{dom[n % len(dom)]}"
                tel = PHONE_PREFIX[c] + str(n).zfill(PHONE_DIGITS[c])
                created = writer.ts(now - int(r() * 2 * 365 * DAY))
                rows.append(
                    (cid, p.first, p.last, p.middle, p.name_key, p.first_key, company_id,
                     job, mail, tel, owner_ids[o], owner_teams[o],
                     regions[c][n % len(regions[c])], RELATIONSHIPS[n % 6],
                     names.SOURCES[n % 6], 1, "{}", created, created, *tc.defaults)
                )  # fmt: skip
                h = chan_first + 2 * i
                chans.append((h, cid, None, email, mail, mail, "", True, *th.defaults))
                chans.append((h + 1, cid, None, phone, tel, tel, "", True, *th.defaults))
            writer.insert(tc.name, tc.columns, rows)
            writer.insert(th.name, th.columns, chans)
            progress.add(len(rows))
    run.loaded += [tc.name, th.name]
    return _Contacts(cont_first, contacts, people, cont_person, cont_company, cont_owner)


def _seed_deals(run: _Run, comps: _Companies, conts: _Contacts, n_deal: int) -> _Deals:
    """Deals, and the stage change that put each one where it is."""
    r, now, writer, key_cache, base = run.r, run.now, run.writer, run.key_cache, run.base
    owner_ids, owner_teams = run.owner_ids, run.owner_teams
    comp_first, comp_name = comps.first, comps.name
    cont_first, contacts, people = conts.first, conts.count, conts.people
    cont_person, cont_company, cont_owner = conts.person, conts.company, conts.owner
    pipelines = [
        (base.pipelines[WINDOWS].pk, base.stages[WINDOWS]),
        (base.pipelines[INDUSTRIAL].pk, base.stages[INDUSTRIAL]),
    ]
    deal_first = _next_id(Deal)
    sc_first = _next_id(StageChange)
    td = _table(
        Deal,
        ["id", "title", "title_key", "pipeline_id", "stage_id", "status", "amount",
         "currency", "company_id", "contact_id", "owner_id", "team_id", "start_date",
         "expected_close_date", "closed_at", "stage_entered_at", "won_reason_id",
         "lost_reason_id", "lost_at_stage_id", "version", "custom", "created_at",
         "updated_at"],
    )  # fmt: skip
    ts_ = _table(StageChange, ["id", "deal_id", "from_stage_id", "to_stage_id", "by_id", "at"])
    won_ids = [x.pk for x in base.won_reasons]
    lost_ids = [x.pk for x in base.lost_reasons]
    products = [
        "Steel profiles",
        "Bearings",
        "Hydraulic parts",
        "Pipe fittings",
        "Fasteners",
        "Conveyor parts",
    ]
    deal_info = array("i", bytes(4 * n_deal))  # stage id, for the activities below
    deal_contact = array("i", bytes(4 * n_deal))
    progress = _Progress(run.out, "deals (+1 stage change each)", n_deal)
    with transaction.atomic(), _without_indexes(writer, [td.name, ts_.name], run.out):
        for lo, hi in _chunks(n_deal):
            rows, changes = [], []
            for i in range(lo, hi):
                k = int(r() * contacts)
                deal_contact[i] = k
                pipe_ix = i % 2
                pipeline_id, stages = pipelines[pipe_ix]
                stage = _deal_stage(r, stages)
                deal_info[i] = stage.pk
                o = cont_owner[k]
                ci = cont_company[k]
                p = people[(cont_first + k) % 3][cont_person[k]]
                if pipe_ix == 0:
                    count = 1 + int(r() * 10)
                    title = f"{count} window{'s' if count > 1 else ''} for {p.last}"
                    amount = str(count * (380 + int(r() * 340))) + ".00"
                else:
                    title = f"{products[int(r() * 6)]} for {comp_name[ci - 1] if ci else p.last}"
                    amount = str(1000 * (5 + int(r() * 245))) + ".00"
                key = key_cache.get(title)
                if key is None:
                    key = key_cache[title] = search_key(title)
                start = now - int(r() * 365 * DAY)
                entered = start + int(r() * (now - start))
                closed = writer.ts(entered) if stage.kind != StageKind.OPEN else None
                won = won_ids[i % len(won_ids)] if stage.kind == StageKind.WON else None
                lost = lost_ids[i % len(lost_ids)] if stage.kind == StageKind.LOST else None
                lost_at = stages[i % 3].pk if lost else None
                did = deal_first + i
                created = writer.ts(start)
                rows.append(
                    (did, title, key, pipeline_id, stage.pk, str(stage.kind), amount, "EUR",
                     comp_first + ci - 1 if ci else None, cont_first + k, owner_ids[o],
                     owner_teams[o], time.strftime("%Y-%m-%d", time.gmtime(start)),
                     time.strftime("%Y-%m-%d", time.gmtime(start + 90 * DAY)), closed,
                     writer.ts(entered), won, lost, lost_at, 1, "{}", created, created,
                     *td.defaults)
                )  # fmt: skip
                changes.append(
                    (
                        sc_first + i,
                        did,
                        None,
                        stage.pk,
                        owner_ids[o],
                        writer.ts(entered),
                        *ts_.defaults,
                    )
                )
            writer.insert(td.name, td.columns, rows)
            writer.insert(ts_.name, ts_.columns, changes)
            progress.add(len(rows))
    run.loaded += [td.name, ts_.name]
    return _Deals(deal_first, n_deal, deal_info, deal_contact)


def _deal_stage(r: Callable[[], float], stages: list[Stage]) -> Stage:
    """A random stage: most deals are open; about a fifth are closed."""
    x = r()
    if x < 0.12:
        return next(s for s in stages if s.kind == StageKind.WON)
    if x < 0.22:
        return next(s for s in stages if s.kind == StageKind.LOST)
    opens = [s for s in stages if s.kind == StageKind.OPEN]
    return opens[int(r() * len(opens))]


def _seed_activities(
    run: _Run, comps: _Companies, conts: _Contacts, deals: _Deals, n_act: int
) -> None:
    """Activities: the first ones belong to deals, the rest to contacts."""
    r, now, writer, key_cache = run.r, run.now, run.writer, run.key_cache
    owner_ids, owner_teams = run.owner_ids, run.owner_teams
    comp_first = comps.first
    cont_first, contacts, cont_owner, cont_company = (
        conts.first, conts.count, conts.owner, conts.company
    )  # fmt: skip
    deal_first, n_deal, deal_info, deal_contact = (
        deals.first, deals.count, deals.stage, deals.contact
    )  # fmt: skip
    ta = _table(
        Activity,
        ["id", "kind", "subject", "subject_key", "due_at", "start_at", "end_at", "done",
         "done_at", "outcome", "contact_id", "company_id", "deal_id", "deal_stage_id", "when",
         "owner_id", "team_id", "version", "custom", "created_at", "updated_at"],
    )  # fmt: skip
    act_first = _next_id(Activity)
    kinds_cycle = [
        (ActivityKind.CALL.value, "Call about the offer"),
        (ActivityKind.MEETING.value, "Meeting on site"),
        (ActivityKind.TASK.value, "Send the documents"),
        (ActivityKind.CALL.value, "Follow-up call"),
        (ActivityKind.NOTE.value, "Impressions after the talk"),
        (ActivityKind.EMAIL.value, "Offer sent by e-mail"),
    ]
    outcomes = [
        Outcome.SUCCESSFUL.value,
        Outcome.SUCCESSFUL.value,
        Outcome.NO_ANSWER.value,
        Outcome.RESCHEDULED.value,
        Outcome.FAILED.value,
    ]
    meeting, task, call = "meeting", "task", "call"
    progress = _Progress(run.out, "activities", n_act)
    with transaction.atomic(), _without_indexes(writer, [ta.name], run.out):
        for lo, hi in _chunks(n_act):
            rows = []
            for i in range(lo, hi):
                if i < n_deal:
                    k = deal_contact[i]
                    deal_id: int | None = deal_first + i
                    stage_id: int | None = deal_info[i]
                else:
                    k = int(r() * contacts)
                    deal_id = stage_id = None
                kind, subject = kinds_cycle[i % 6]
                subject_key = key_cache.get(subject)
                if subject_key is None:
                    subject_key = key_cache[subject] = search_key(subject)
                at = now - int(r() * 365 * DAY) + (int(r() * 30 * DAY) if i % 10 == 0 else 0)
                done = at < now
                when = writer.ts(at)
                timed = kind in (meeting, call)
                o = cont_owner[k]
                ci = cont_company[k]
                created = writer.ts(min(at, now) - DAY)
                rows.append(
                    (act_first + i, kind, subject, subject_key, when if kind == task else None,
                     when if timed else None, writer.ts(at + 1800) if timed else None,
                     done, writer.ts(at + 3600) if done else None,
                     outcomes[i % 5] if done and timed else "", cont_first + k,
                     comp_first + ci - 1 if ci else None, deal_id, stage_id, when,
                     owner_ids[o], owner_teams[o], 1, "{}", created, created, *ta.defaults)
                )  # fmt: skip
            writer.insert(ta.name, ta.columns, rows)
            progress.add(len(rows))
    run.loaded.append(ta.name)
