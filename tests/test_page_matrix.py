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
from django.utils import timezone

from kliento.core import records
from kliento.core.choices import Role
from kliento.core.models import SavedFilter
from kliento.core.rights import ASSIGNING_ROLES
from tests.authz import MAKERS, OWNERS, ROLES, World, make_world, sees
from tests.authz import expected_status as shared_expected_status
from tests.factories import PDF, CustomFieldFactory, DealReasonFactory, UserFactory, upload

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

    `assign`: a write that gives records to someone else also needs a role that may
    assign (visibility.may_assign), else 403.
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
    assign: bool = False
    archived: bool = False  # the target is in the archive


PAGES: dict[str, Page] = {
    # --- core --------------------------------------------------------------------
    "GET core:home": Page("public", ok=302),
    "GET core:sign-in": Page("public", ok=302),  # a signed-in user is sent on
    "POST core:sign-out": Page("public", ok=302),
    "GET core:welcome": Page("public", ok=302),  # an admin exists: go and sign in
    "POST core:language": Page("public", ok=302, data=lambda w, t: {"language": "ru"}),
    "GET core:search": Page("list", "contact", query=lambda w, t: {"q": "zvaig"}),
    "GET core:notifications": Page("global"),
    "GET core:bell": Page("global"),
    "POST core:notification-read": Page("mine", "notification", ok=302),
    "POST core:notifications-read-all": Page("global", ok=302),
    "GET core:archive": Page("list", "deal", archived=True, query=lambda w, t: {"type": "deal"}),
    "POST core:archive-purge": Page(
        "admin",
        "deal",
        ok=302,
        archived=True,
        kwargs=lambda w, t: {"record_type": "deal", "record_id": t.pk},
    ),
    "POST core:archive-restore": Page(
        "write",
        "deal",
        right="delete",
        ok=302,
        archived=True,
        kwargs=lambda w, t: {"record_type": "deal", "record_id": t.pk},
    ),
    # --- core: settings ----------------------------------------------------------
    "GET core:settings": Page("admin"),
    "GET core:settings-users": Page("admin"),
    "GET core:settings-user-create": Page("admin"),
    "POST core:settings-user-create": Page(
        "admin",
        ok=302,
        data=lambda w, t: {
            "username": "newcomer",
            "password": "long-enough-9876",
            "password2": "long-enough-9876",
            "role": "manager",
            "team_id": str(w.actor.team_id),
            "language": "en",
            "time_zone": "UTC",
        },
    ),
    "GET core:settings-user-edit": Page("admin", kwargs=lambda w, t: {"user_id": w.teammate.pk}),
    "POST core:settings-user-edit": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {"user_id": w.teammate.pk},
        data=lambda w, t: {
            "first_name": "Anna",
            "last_name": "Berzina",
            "email": "anna@example.com",
            "role": "marketer",
            "team_id": str(w.teammate.team_id),
            "language": "ru",
            "time_zone": "Europe/Riga",
            "is_active": "on",
        },
    ),
    "POST core:settings-user-password": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {"user_id": w.teammate.pk},
        data=lambda w, t: {"password": "long-enough-9876", "password2": "long-enough-9876"},
    ),
    "POST core:settings-user-unlock": Page(
        "admin", ok=302, kwargs=lambda w, t: {"user_id": w.teammate.pk}
    ),
    "GET core:settings-teams": Page("admin"),
    "POST core:settings-team-create": Page("admin", ok=302, data=lambda w, t: {"name": "East"}),
    "GET core:settings-team-edit": Page("admin", kwargs=lambda w, t: {"team_id": w.actor.team_id}),
    "POST core:settings-team-edit": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {"team_id": w.actor.team_id},
        data=lambda w, t: {"name": "North-East"},
    ),
    "GET core:settings-roles": Page("admin"),
    "POST core:settings-roles": Page(
        "admin",
        ok=302,
        data=lambda w, t: {
            "role": "manager",
            **{f"{rt}-scope": "team" for rt in records.names()},  # every registered type
            "deal-can_create": "on",
        },
    ),
    "GET core:settings-fields": Page("admin"),
    "GET core:settings-field-create": Page("admin"),
    "POST core:settings-field-create": Page(
        "admin",
        ok=302,
        data=lambda w, t: {
            "record_type": "contact",
            "key": "shoe_size",
            "label": "Shoe size",
            "field_type": "number",
            "position": "1",
        },
    ),
    "GET core:settings-field-edit": Page(
        "admin", kwargs=lambda w, t: {"field_id": CustomFieldFactory().pk}
    ),
    "POST core:settings-field-edit": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {"field_id": CustomFieldFactory().pk},
        data=lambda w, t: {"label": "Renamed", "position": "2", "active": "on"},
    ),
    "POST core:settings-field-delete": Page(
        "admin", ok=302, kwargs=lambda w, t: {"field_id": CustomFieldFactory().pk}
    ),
    "GET core:settings-tokens": Page("admin"),
    "POST core:settings-token-create": Page(
        "admin", ok=302, data=lambda w, t: {"name": "Accounting export"}
    ),
    "POST core:settings-token-revoke": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {
            "token_id": w.teammate.api_tokens.create(
                name="sync", prefix="kl_abcdefg", key_hash="0" * 64
            ).pk
        },
    ),
    "GET sales:settings-pipelines": Page("admin"),
    "GET sales:settings-pipeline-create": Page("admin"),
    "POST sales:settings-pipeline-create": Page(
        "admin",
        ok=302,
        data=lambda w, t: {
            "name": "Service",
            "default_currency": "EUR",
            "stage_count": "3",
            **{
                f"stages-{i}-{k}": v
                for i, stage in enumerate(
                    [("Request", "20", "open"), ("Done", "100", "won"), ("Lost", "0", "lost")]
                )
                for k, v in zip(("name", "probability", "kind"), stage, strict=True)
            },
        },
    ),
    "GET sales:settings-pipeline-edit": Page(
        "admin", kwargs=lambda w, t: {"pipeline_id": w.pipeline.pk}
    ),
    "POST sales:settings-pipeline-edit": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {"pipeline_id": w.pipeline.pk},
        data=lambda w, t: {
            "name": "Windows and doors",
            "default_currency": "EUR",
            "active": "on",
            "stage_count": str(len(w.stages)),
            **{
                f"stages-{i}-{k}": v
                for i, s in enumerate(w.stages)
                for k, v in (
                    ("id", s.pk),
                    ("name", s.name),
                    ("probability", s.probability),
                    ("kind", s.kind),
                )
            },
        },
    ),
    "GET sales:settings-reasons": Page("admin"),
    "POST sales:settings-reasons": Page(
        "admin", ok=302, data=lambda w, t: {"kind": "lost", "name": "Too expensive"}
    ),
    "POST sales:settings-reason-edit": Page(
        "admin",
        ok=302,
        kwargs=lambda w, t: {"reason_id": DealReasonFactory(kind="lost").pk},
        data=lambda w, t: {"name": "Too far away"},
    ),
    # --- end core: settings ------------------------------------------------------
    # --- core: timeline and files --------------------------------------------------
    "GET core:timeline": Page(
        "detail",
        "contact",
        kwargs=lambda w, t: {"record_type": "contact", "record_id": t.pk},
        htmx=True,
    ),
    # --- end core: timeline and files ----------------------------------------------
    # --- activities: my day, list, calendar ------------------------------------------
    "GET activities:my-day": Page("global"),
    "GET activities:activity-list": Page("list", "activity"),
    "GET activities:calendar": Page(
        "list",
        "activity",
        query=lambda w, t: {"view": "day", "date": f"{t.when:%Y-%m-%d}", "owner": t.owner_id},
    ),
    "GET activities:activity-create": Page("create", "activity"),
    "POST activities:activity-create": Page(
        "create", "activity", ok=302, data=lambda w, t: {"kind": "task", "subject": "Matrix"}
    ),
    "GET activities:activity-edit": Page("detail", "activity"),
    "POST activities:activity-edit": Page(
        "write",
        "activity",
        ok=302,
        data=lambda w, t: {"version": t.version, "kind": "call", "subject": "Zed call 2"},
    ),
    "POST activities:complete": Page(
        "write", "activity", ok=302, data=lambda w, t: {"version": t.version}
    ),
    "POST activities:reschedule": Page(
        "write",
        "activity",
        htmx=True,
        data=lambda w, t: {"version": t.version, "start": "2026-03-04T10:00"},
    ),
    # bulk "mark done" needs the edit right (assign, for assigning roles only: its own tests)
    "POST activities:activity-bulk": Page(
        "write", "activity", ok=302, data=lambda w, t: {"ids": [t.pk], "action": "done"}
    ),
    "GET activities:activity-export": Page(
        "write", "activity", right="export", query=lambda w, t: {"ids": t.pk}
    ),
    "POST activities:activity-export": Page(
        "write", "activity", right="export", data=lambda w, t: {"ids": [t.pk]}
    ),
    # --- end activities: my day, list, calendar --------------------------------------
    # --- activities: quick actions -----------------------------------------------------
    # Activities need the activity create right on a record one sees; a contact's edit right
    # goes with it for every role. A file needs the edit right on the record, as in the API.
    "POST activities:log-call": Page(
        "write",
        "contact",
        needs=(("activity", "create"),),
        kwargs=lambda w, t: {"record_type": "contact", "record_id": t.pk},
        data=lambda w, t: {"subject": "Asked about the offer", "outcome": "successful"},
        htmx=True,
    ),
    "POST activities:add-task": Page(
        "write",
        "contact",
        needs=(("activity", "create"),),
        kwargs=lambda w, t: {"record_type": "contact", "record_id": t.pk},
        data=lambda w, t: {"subject": "Call back", "due_date": "2026-12-01", "due_time": "10:00"},
        htmx=True,
    ),
    "POST activities:add-note": Page(
        "write",
        "contact",
        needs=(("activity", "create"),),
        kwargs=lambda w, t: {"record_type": "contact", "record_id": t.pk},
        data=lambda w, t: {"text": "Prefers e-mail"},
        htmx=True,
    ),
    "POST activities:attach": Page(
        "write",
        "deal",
        kwargs=lambda w, t: {"record_type": "deal", "record_id": t.pk},
        data=lambda w, t: {"file": upload("plan.pdf", PDF)},
        htmx=True,
    ),
    # --- end activities: quick actions -------------------------------------------------
    # --- customers ---------------------------------------------------------------
    "GET customers:contact-list": Page("list", "contact"),
    "GET customers:contact-detail": Page("detail", "contact"),
    "GET customers:contact-create": Page("create", "contact"),
    "POST customers:contact-create": Page(
        "create", "contact", ok=302, data=lambda w, t: {"first_name": "Ann", "last_name": "Lee"}
    ),
    "GET customers:contact-edit": Page("write", "contact"),
    "POST customers:contact-edit": Page(
        "write",
        "contact",
        ok=302,
        data=lambda w, t: {"version": t.version, "first_name": "Zane", "last_name": "Zvaigzne"},
    ),
    "POST customers:contact-delete": Page("write", "contact", right="delete", ok=302),
    "GET customers:contact-duplicates": Page(
        "global",
        query=lambda w, t: {"channel_kind": "email", "channel_value": "zane@example.com"},
    ),
    "POST customers:contact-bulk": Page(
        "write", "contact", ok=302, data=lambda w, t: {"ids": [t.pk], "action": "tag", "tag": "vip"}
    ),
    "GET customers:contact-export": Page(
        "write", "contact", right="export", query=lambda w, t: {"ids": t.pk}
    ),
    "POST customers:contact-export": Page(
        "write", "contact", right="export", data=lambda w, t: {"ids": [t.pk]}
    ),
    "GET customers:company-list": Page("list", "company"),
    "GET customers:company-detail": Page("detail", "company"),
    "GET customers:company-create": Page("create", "company"),
    "POST customers:company-create": Page(
        "create", "company", ok=302, data=lambda w, t: {"name": "Acme"}
    ),
    "GET customers:company-edit": Page("write", "company"),
    "POST customers:company-edit": Page(
        "write", "company", ok=302, data=lambda w, t: {"version": t.version, "name": "Zeta Glass"}
    ),
    "POST customers:company-delete": Page("write", "company", right="delete", ok=302),
    "POST customers:company-bulk": Page(
        "write", "company", ok=302, data=lambda w, t: {"ids": [t.pk], "action": "tag", "tag": "vip"}
    ),
    "GET customers:company-export": Page(
        "write", "company", right="export", query=lambda w, t: {"ids": t.pk}
    ),
    "POST customers:company-export": Page(
        "write", "company", right="export", data=lambda w, t: {"ids": [t.pk]}
    ),
    # the type-ahead picker of a linked record: offers a contact iff the role sees it
    "GET customers:pick": Page(
        "list",
        "contact",
        kwargs=lambda w, t: {"kind": "contact"},
        query=lambda w, t: {"q": "zvaig"},
        htmx=True,
    ),
    # core: saved filters (one's own only; the delete URL names a filter of the actor's)
    "POST core:saved-filter-create": Page(
        "global",
        ok=302,
        data=lambda w, t: {"list_name": "contacts", "name": "Mine", "query": "owner=1"},
    ),
    "POST core:saved-filter-delete": Page(
        "global",
        ok=302,
        kwargs=lambda w, t: {
            "filter_id": SavedFilter.objects.create(user=w.actor, list_name="contacts", name="x").pk
        },
    ),
    # --- end customers -----------------------------------------------------------
    # --- sales: board and deals ------------------------------------------------------
    "GET sales:board": Page("list", "deal"),
    "GET sales:board-column": Page(
        "list",
        "deal",
        kwargs=lambda w, t: {"pipeline_id": w.pipeline.pk, "stage_id": w.stages[0].pk},
        htmx=True,
    ),
    "GET sales:deal-list": Page("list", "deal"),
    "GET sales:deal-detail": Page("detail", "deal"),
    "GET sales:deal-create": Page("create", "deal"),
    "POST sales:deal-create": Page(
        "create", "deal", ok=302, data=lambda w, t: {"title": "New", "pipeline_id": w.pipeline.pk}
    ),
    "GET sales:deal-edit": Page("write", "deal"),
    "POST sales:deal-edit": Page(
        "write", "deal", ok=302, data=lambda w, t: {"title": "Renamed", "version": t.version}
    ),
    "POST sales:deal-delete": Page("write", "deal", right="delete", ok=302),
    "POST sales:deal-move": Page(
        "write",
        "deal",
        data=lambda w, t: {"stage_id": w.stages[1].pk, "version": t.version},
        htmx=True,
    ),
    "POST sales:deal-bulk": Page(
        "write",
        "deal",
        ok=302,
        assign=True,
        data=lambda w, t: {"ids": [t.pk], "action": "assign", "owner_id": w.actor.pk},
    ),
    "GET sales:deal-export": Page(
        "write", "deal", right="export", query=lambda w, t: {"ids": t.pk}
    ),
    "POST sales:deal-export": Page(
        "write", "deal", right="export", data=lambda w, t: {"ids": [t.pk]}
    ),
    # --- end sales: board and deals --------------------------------------------------
    # --- sales: leads ------------------------------------------------------------------
    "GET sales:lead-list": Page("list", "lead", query=lambda w, t: {"q": "zoo"}),
    "GET sales:lead-create": Page("create", "lead"),
    "POST sales:lead-create": Page("create", "lead", ok=302, data=lambda w, t: {"title": "Web"}),
    "GET sales:lead-detail": Page("detail", "lead"),
    "GET sales:lead-edit": Page("write", "lead"),
    "POST sales:lead-edit": Page(
        "write",
        "lead",
        ok=302,
        data=lambda w, t: {"title": "Renamed", "status": "working", "version": t.version},
    ),
    "POST sales:lead-qualify": Page(
        "write",
        "lead",
        htmx=True,
        data=lambda w, t: {"need": "6 windows", "authority": "Owner", "version": t.version},
    ),
    "POST sales:lead-convert": Page(
        "write",
        "lead",
        ok=302,
        data=lambda w, t: {
            "create_contact": "on",
            "deal.pipeline_id": w.pipeline.pk,
            "version": t.version,
        },
        needs=(("contact", "create"), ("deal", "create")),
    ),
    "POST sales:lead-delete": Page("write", "lead", right="delete", ok=302),
    "POST sales:lead-bulk": Page(
        "write",
        "lead",
        ok=302,
        assign=True,
        data=lambda w, t: {"ids": [t.pk], "action": "assign", "owner_id": w.actor.pk},
    ),
    "GET sales:lead-export": Page(
        "write", "lead", right="export", query=lambda w, t: {"ids": t.pk}
    ),
    "POST sales:lead-export": Page(
        "write", "lead", right="export", data=lambda w, t: {"ids": [t.pk]}
    ),
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
    status = shared_expected_status(
        page.kind, _record_of(page), role, relation, ok=page.ok, right=page.right, needs=page.needs
    )
    if page.assign and status == page.ok and role not in ASSIGNING_ROLES:
        return 403
    return status


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


def page_target(page: Page, w: World, relation: str) -> Any:
    """The record a page acts on, of `relation` to the world's user (archived if asked)."""
    targeted = page.kind not in ("create", "global", "admin", "public") or page.archived
    if page.record is None or not targeted:
        return None
    target = MAKERS[page.record](w, relation)
    if page.archived:
        type(target).all_objects.filter(pk=target.pk).update(archived_at=timezone.now())
    return target


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
    target = page_target(page, w, relation)
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
        model = type(target)
        fresh = getattr(model, "all_objects", model.objects).filter(pk=target.pk).first()
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
