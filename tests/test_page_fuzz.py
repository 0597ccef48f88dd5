"""Junk sent to every page of the page matrix: never a 5xx, and a refused POST changes nothing.

The pages come from `tests/test_page_matrix.PAGES` (read from the URL configuration),
so a new page is fuzzed as soon as it has its matrix entry. Each GET page gets its
matrix query plus junk values for the parameters the pages read; each form (POST)
gets its matrix form with junk in its own fields and in the ones forms read. The
values are what broke pages before: other scripts' digits ("²", "٣"), integers past
64 bits, negative numbers, lone surrogates, NUL, markup and SQL. Hypothesis draws
them with a fixed seed and few examples, so the run is short and the same every time.

Junk is sent as raw bytes (a lone surrogate cannot be encoded any other way), as a
browser or a script could send it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kliento.core.choices import Role
from tests.authz import MAKERS, make_world
from tests.factories import UserFactory
from tests.test_page_matrix import PAGES, Page, _pattern, _url, page_target

APPS = ("core", "customers", "sales", "activities")
EXAMPLES = 4  # drawn at random (a fixed seed) on top of the explicit examples

# What broke or could break a page: each value reaches every parameter below.
NASTY = [
    "²",
    "٣",
    "١٢",
    "２",
    str(2**64),
    str(2**63),
    "-1",
    "0",
    str(-(2**64)),
    "9" * 40,
    "1.5",
    "1e400",
    "NaN",
    "-Infinity",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "1; DROP TABLE core_user",
    "../../etc/passwd",
    "//evil.example/",
    "javascript:alert(1)",
    "true",
    "yes",
    "[]",
    "{}",
    " ",
    "",
    "WyJcdWQ4MDAiLCAiMSJd",  # a cursor holding a lone surrogate
    "WyI5OTk5OTk5OTk5OTk5OTk5OTk5OTkiXQ",  # a cursor holding an id past 64 bits
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "0001-01-01T00:00",
    "x" * 5000,
]
JUNK = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=12),
)
# The query parameters the pages read (filters, sorts, cursors, dates, ids, the way back).
QUERY_NAMES = [
    "q",
    "owner",
    "team",
    "idle",
    "cursor",
    "stage",
    "status",
    "channel",
    "source",
    "ordering",
    "date",
    "view",
    "pipeline",
    "kind",
    "done",
    "outcome",
    "when_after",
    "when_before",
    "relationship",
    "tag",
    "company",
    "contact",
    "record_type",
    "duplicates_exclude",
    "channel_kind",
    "channel_value",
    "custom.size",
    "ids",
    "start",
    "next",
    "limit",
]
# Fields many forms read, beyond each form's own.
FORM_NAMES = [
    "version",
    "owner_id",
    "ids",
    "action",
    "next",
    "stage_id",
    "company_id",
    "contact_id",
    "pipeline_id",
    "deal.pipeline_id",
    "team_id",
    "position",
    "stage_count",
    "stages-0-id",
    "stages-0-probability",
    "stages-0-order",
    "start",
    "end",
    "due_date",
    "due_time",
    "birthday",
    "amount",
    "custom.size",
    "custom.vip",
    "active",
]


def _encode(pairs: list[tuple[str, str]]) -> str:
    """A query string or form body, with anything (a lone surrogate too) percent-encoded."""
    return "&".join(
        f"{quote(k, safe='', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}"
        for k, v in pairs
    )


def _pairs(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (key, str(item))
        for key, value in data.items()
        for item in (value if isinstance(value, list | tuple) else [value])
    ]


def _fingerprint_sql() -> str:
    """One query that sums up every table of the apps: rows, the last id, the last change."""
    parts = []  # table and column names come from the models, not from input
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in APPS or meta.proxy or not meta.managed:
            continue
        table = connection.ops.quote_name(meta.db_table)
        pk = connection.ops.quote_name(meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({pk}) FROM {table})")  # noqa: S608
        names = {f.name for f in meta.concrete_fields}
        for column in ("updated_at", "version", "read_at"):
            if column in names:
                name = connection.ops.quote_name(column)
                parts.append(f"(SELECT MAX({name}) FROM {table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def _fingerprint(sql: str) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _setup(key: str) -> tuple[Client, str, Page, dict[str, Any], str]:
    """An administrator (every page opens for the role), the page's URL and its base input."""
    page = PAGES[key]
    w = make_world(Role.ADMIN)
    UserFactory(role=Role.ADMIN)
    target = page_target(page, w, "own")
    client = Client()
    client.force_login(w.actor)
    url = _url(key, page, w, target)
    method = key.split(" ", 1)[0]
    base = (page.data if method == "POST" else page.query) or (lambda w, t: {})
    return client, url, page, base(w, target), method


def _send(client: Client, method: str, url: str, page: Page, pairs: list[tuple[str, str]]):
    headers = {"HX-Request": "true"} if page.htmx else {}
    body = _encode(pairs)
    if method == "GET":
        return client.get(f"{url}?{body}", headers=headers)
    return client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)


def _junk(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(st.tuples(st.sampled_from(names), JUNK), min_size=1, max_size=4)


# Sent every time, whatever Hypothesis draws: each of these in every parameter at once
# (the cases that broke pages), and forged cursors beside a page's own valid query.
EVERYWHERE = ["²", "٣", str(2**64), "\ud800", "a\x00b"]
CURSORS = ["WyJcdWQ4MDAiLCAiMSJd", "WyI5OTk5OTk5OTk5OTk5OTk5OTk5OTkiXQ"]


def _with_examples(check: Any, names: list[str], *, cursors: bool) -> Any:
    """`check` with the examples above added to what Hypothesis draws."""
    for value in EVERYWHERE:
        check = example(junk=[(name, value) for name in names])(check)
    if cursors:
        for cursor in CURSORS:
            check = example(junk=[("cursor", cursor)])(check)
        check = example(junk=[("cursor", CURSORS[0]), ("ordering", "-name")])(check)
    return check


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GET_PAGES = sorted(k for k in PAGES if k.startswith("GET "))
POST_PAGES = sorted(k for k in PAGES if k.startswith("POST "))


@pytest.mark.parametrize("key", GET_PAGES)
def test_junk_query_parameters_never_break_a_page(key: str, db):
    client, url, page, query, method = _setup(key)
    sql = _fingerprint_sql()

    def check(junk: list[tuple[str, str]]) -> None:
        replaced = {name for name, _value in junk}
        kept = [(k, v) for k, v in _pairs(query) if k not in replaced]
        before = _fingerprint(sql)
        response = _send(client, method, url, page, [*kept, *junk])
        assert response.status_code < 500, f"{key} {junk!r}: {response.status_code}"
        assert _fingerprint(sql) == before, f"{key} {junk!r}: a GET changed the database"

    FUZZ(given(junk=_junk(QUERY_NAMES))(_with_examples(check, QUERY_NAMES, cursors=True)))()


@pytest.mark.parametrize("key", POST_PAGES)
def test_junk_form_values_never_break_a_form_and_a_refusal_changes_nothing(key: str, db):
    client, url, page, form, method = _setup(key)
    names = sorted({*form, *FORM_NAMES})
    sql = _fingerprint_sql()

    def check(junk: list[tuple[str, str]]) -> None:
        replaced = {name for name, _value in junk}
        kept = [(k, v) for k, v in _pairs(form) if k not in replaced]
        before = _fingerprint(sql)
        response = _send(client, method, url, page, [*kept, *junk])
        assert response.status_code < 500, f"{key} {junk!r}: {response.status_code}"
        if response.status_code >= 400:
            assert _fingerprint(sql) == before, f"{key} {junk!r}: a refused form changed data"

    FUZZ(given(junk=_junk(names))(_with_examples(check, names, cursors=False)))()


def _id_pages() -> list[str]:
    """Pages whose address names a record by its id."""
    return sorted(
        key
        for key, page in PAGES.items()
        if page.record
        and page.kind in ("detail", "write")
        and any(
            isinstance(c, IntConverter)
            for c in getattr(_pattern(key.split(" ", 1)[1]).pattern, "converters", {}).values()
        )
    )


@pytest.mark.parametrize("key", _id_pages())
@pytest.mark.parametrize("pk", [2**63, 2**64 + 1, 10**30])
def test_an_id_past_64_bits_in_the_address_is_404(key: str, pk: int, db):
    client, url, page, data, method = _setup(key)
    sql = _fingerprint_sql()
    before = _fingerprint(sql)
    huge = _swap_id(url, pk)

    response = _send(client, method, huge, page, _pairs(data))

    assert response.status_code == 404, f"{key} {huge}: {response.status_code}"
    assert _fingerprint(sql) == before


def _swap_id(url: str, pk: int) -> str:
    """The URL with its last number replaced by `pk`."""
    parts = url.rstrip("/").split("/")
    index = max(i for i, part in enumerate(parts) if part.isascii() and part.isdigit())
    parts[index] = str(pk)
    return "/".join(parts) + "/"


def test_the_fingerprint_sees_a_change(db):
    """The check above can fail: a changed row changes the fingerprint."""
    w = make_world(Role.ADMIN)
    contact = MAKERS["contact"](w, "own")
    sql = _fingerprint_sql()
    before = _fingerprint(sql)

    type(contact).objects.filter(pk=contact.pk).update(version=models.F("version") + 1)

    assert _fingerprint(sql) != before
