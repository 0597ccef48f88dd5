"""The authorization matrix of the pages: every page x every role x whose record it is.

The pages come from the URL configuration, so a new page without an entry in
PAGES fails `test_every_page_has_a_matrix_entry`. The expectations are those of
the API matrix (tests/authz.py): a record the role may not see is a 404 on every
page that names it and absent from every list; a visible record without the
right is a 403; otherwise the page answers `ok`. Signed-out visitors are sent to
the sign-in page from every page but the public ones.

List pages mark each row with `data-record="<type>-<id>"`; that marker is how
the test tells whether a record is listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kliento.core.choices import Role
from tests.authz import MAKERS, OWNERS, ROLES, World, make_world, rights_of, sees
from tests.factories import UserFactory

PAGE_APPS = ("core", "customers", "sales", "activities")


@dataclass(frozen=True)
class Page:
    """How a page is judged (the kinds of the API matrix):

    list      200; a target row is listed iff visible (`search` also finds it iff visible)
    detail    200 iff visible, else 404
    write     404 if not visible; 403 if visible without `right`; else `ok`
    create    `ok` if the role may create the record type, else 403
    global    `ok` for every role (not customer data)
    admin     `ok` for admin, 403 for the others
    mine      the caller's own rows only: `ok` for own, 404 for anyone else's
    public    sign-in and the like: the same for everyone, signed in or not
    """

    kind: str
    record: str | None = None
    right: str = "edit"
    ok: int = 200
    data: Callable[[World, Any], dict[str, Any]] | None = None  # the POSTed form
    kwargs: Callable[[World, Any], dict[str, Any]] | None = None  # URL arguments
    query: Callable[[World, Any], dict[str, Any]] | None = None
    search: str | None = None
    parent: str | None = None  # rights and visibility come from this record type
    needs: tuple[tuple[str, str], ...] = ()
    htmx: bool = False


PAGES: dict[str, Page] = {
    # --- core --------------------------------------------------------------------
    "GET core:home": Page("public", ok=302),
    "GET core:sign-in": Page("public", ok=302),  # a signed-in user is sent on
    "POST core:sign-out": Page("public", ok=302),
    "GET core:welcome": Page("public", ok=302),  # an admin exists: go and sign in
    "POST core:language": Page("public", ok=302, data=lambda w, t: {"language": "ru"}),
    "GET core:search": Page("global", query=lambda w, t: {"q": "zvaig"}),
    "GET core:notifications": Page("global"),
    "POST core:notification-read": Page("mine", "notification", ok=302),
    "POST core:notifications-read-all": Page("global", ok=302),
    # --- core: settings ----------------------------------------------------------
    # --- end core: settings ------------------------------------------------------
    # --- core: timeline and files --------------------------------------------------
    # --- end core: timeline and files ----------------------------------------------
    # --- activities: my day, list, calendar ------------------------------------------
    "GET activities:my-day": Page("global"),
    # --- end activities: my day, list, calendar --------------------------------------
    # --- activities: quick actions -----------------------------------------------------
    # --- end activities: quick actions -------------------------------------------------
    # --- customers ---------------------------------------------------------------
    # --- end customers -----------------------------------------------------------
    # --- sales: board and deals ------------------------------------------------------
    # --- end sales: board and deals --------------------------------------------------
    # --- sales: leads ------------------------------------------------------------------
    # --- end sales: leads --------------------------------------------------------------
}


def _named_patterns() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace in PAGE_APPS:
                names.add(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_page_has_a_matrix_entry():
    covered = {key.split(" ", 1)[1] for key in PAGES}
    missing = sorted(_named_patterns() - covered)
    stale = sorted(covered - _named_patterns())
    assert not missing, f"Add these pages to the page matrix: {missing}"
    assert not stale, f"These matrix entries name no page: {stale}"


def _record_of(page: Page) -> str | None:
    return page.parent or page.record


def expected_status(page: Page, role: str, relation: str) -> int:
    if page.kind in ("global", "public"):
        return page.ok
    if page.kind == "admin":
        return page.ok if role == Role.ADMIN else 403
    if page.kind == "mine":
        return page.ok if relation == "own" else 404
    record = _record_of(page)
    assert record is not None
    if page.kind == "create":
        return page.ok if rights_of(role, record).can_create else 403
    visible = sees(role, record, relation)
    if page.kind == "list":
        return 200
    if page.kind == "detail":
        return page.ok if visible else 404
    if not visible:
        return 404
    if not getattr(rights_of(role, record), f"can_{page.right}"):
        return 403
    if any(not getattr(rights_of(role, rt), f"can_{right}") for rt, right in page.needs):
        return 403
    return page.ok


def _cases() -> list[Any]:
    cases = []
    for key, page in PAGES.items():
        single = page.kind in ("global", "admin", "public", "create") or page.record is None
        relations = ["own"] if single else list(OWNERS)
        if _record_of(page) == "deal" and not single:
            relations.append("participant")
        cases.extend(
            pytest.param(key, role, rel, id=f"{key}-{role}-{rel}")
            for role in ROLES
            for rel in relations
        )
    return cases


def _pattern(name: str) -> URLPattern:
    namespace, url_name = name.split(":")
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == namespace:
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern) and inner.name == url_name:
                    return inner
    raise AssertionError(f"no page {name}")


def _url(key: str, page: Page, w: World, target: Any) -> str:
    name = key.split(" ", 1)[1]
    kwargs = page.kwargs(w, target) if page.kwargs else {}
    if not kwargs and target is not None and page.kind != "list":
        arguments = list(getattr(_pattern(name).pattern, "converters", {}))
        if arguments:
            kwargs = {arguments[0]: target.pk}
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize(("key", "role", "relation"), _cases())
def test_page_matrix(key: str, role: str, relation: str, db):
    page = PAGES[key]
    method = key.split(" ", 1)[0]
    w = make_world(role)
    UserFactory(role=Role.ADMIN)  # an install with an administrator: no first-run page
    target = None
    if page.record is not None and page.kind not in ("create", "global", "admin", "public"):
        target = MAKERS[page.record](w, relation)
    client = Client()
    client.force_login(w.actor)
    url = _url(key, page, w, target)
    query = page.query(w, target) if page.query else {}
    headers = {"HX-Request": "true"} if page.htmx else {}
    if method == "GET":
        response = client.get(url, query, headers=headers)
    else:
        data = page.data(w, target) if page.data else {}
        response = client.post(url, data, headers=headers)

    expected = expected_status(page, role, relation)
    assert response.status_code == expected, (
        f"{key} as {role} on a record of {relation}: expected {expected}, "
        f"got {response.status_code}: {response.content[:300]!r}"
    )
    if page.kind == "list" and target is not None:
        record = _record_of(page)
        marker = f'data-record="{record}-{target.pk}"'
        listed = marker in response.content.decode()
        assert listed == sees(role, record, relation), f"{key}: the list leaks or hides the row"
    if expected >= 400 and page.kind == "write" and target is not None:
        fresh = type(target).objects.filter(pk=target.pk).first()
        assert fresh is not None, "a refused delete removed the record"
        if hasattr(target, "version"):
            assert fresh.version == target.version, "a refused write changed the record"


@pytest.mark.parametrize("key", sorted(k for k, p in PAGES.items() if p.kind != "public"))
def test_signed_out_visitors_are_sent_to_sign_in(key: str, db):
    page = PAGES[key]
    w = make_world(Role.ADMIN)
    target = MAKERS[page.record](w, "own") if page.record else None
    url = _url(key, page, w, target)
    client = Client()
    method = key.split(" ", 1)[0]
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == 302, key
    assert response["Location"].startswith(reverse("core:sign-in")), key
    htmx = client.get(url, headers={"HX-Request": "true"}) if method == "GET" else None
    if htmx is not None:
        assert htmx.status_code == 401 and htmx["HX-Redirect"] == reverse("core:sign-in"), key
