"""The authorization matrix: every API operation x every role x whose record it is.

The operations come from the OpenAPI document, so a new endpoint without an entry
in OPERATIONS fails `test_every_operation_has_a_matrix_entry`. For each case the
expected answer is derived from the role's rights (core/rights.py) and the one
visibility rule: a record the role may not see is a 404 on every route (detail,
update, delete, actions, timeline, files) and absent from lists and searches; a
visible record without the right is a 403; otherwise the operation succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kliento.api import api as ninja_api
from tests.authz import (
    MAKERS,
    OWNERS,
    PDF,
    ROLES,
    World,
    make_deal,
    make_world,
    sees,
)
from tests.authz import expected_status as shared_expected_status
from tests.conftest import ApiClient
from tests.factories import DealReasonFactory

# --- operations --------------------------------------------------------------------

# How an operation is judged:
#   list      200; the target is listed (and found by `search`) iff visible
#   detail    200 iff visible, else 404
#   write     404 if not visible; 403 if visible without `right`; else `ok`
#   create    `ok` if the role may create the record type, else 403
#   global    200 for every role (not customer data)
#   admin     `ok` for admin, 403 for the others (not customer data)
#   mine      the caller's own rows only: `ok` for own, 404 for anyone else's
#   mine_list 200; lists the caller's own rows only
#   public    sign-in routes: the same answer for every role


@dataclass(frozen=True)
class Op:
    kind: str
    record: str | None = None
    right: str = "edit"
    ok: int = 200
    body: Callable[[World, Any], Any] | None = None
    search: str | None = None
    params: Callable[[World, Any], dict[str, Any]] | None = None
    parent: bool = False  # rights and visibility come from the target's parent record
    needs: tuple[tuple[str, str], ...] = ()  # extra (record_type, right) the operation needs
    archived: bool = False  # the target is in the archive


def _v(target: Any) -> int:
    return target.version


OPERATIONS: dict[str, Op] = {
    "GET /me": Op("global"),
    "GET /users": Op("global"),
    "GET /users/{user_id}": Op("global"),
    "GET /teams": Op("global"),
    # companies
    "GET /companies": Op("list", "company", search="zeta"),
    "POST /companies": Op("create", "company", ok=201, body=lambda w, t: {"name": "New Co"}),
    "GET /companies/{company_id}": Op("detail", "company"),
    "PATCH /companies/{company_id}": Op(
        "write", "company", body=lambda w, t: {"name": "Renamed", "version": _v(t)}
    ),
    "DELETE /companies/{company_id}": Op("write", "company", right="delete", ok=204),
    "GET /companies/{record_id}/timeline": Op("detail", "company"),
    # contacts
    "GET /contacts": Op("list", "contact", search="zvaig"),
    "POST /contacts": Op("create", "contact", ok=201, body=lambda w, t: {"first_name": "Nina"}),
    "GET /contacts/{contact_id}": Op("detail", "contact"),
    "PATCH /contacts/{contact_id}": Op(
        "write", "contact", body=lambda w, t: {"job_title": "CEO", "version": _v(t)}
    ),
    "DELETE /contacts/{contact_id}": Op("write", "contact", right="delete", ok=204),
    "GET /contacts/{record_id}/timeline": Op("detail", "contact"),
    # leads
    "GET /leads": Op("list", "lead", search="zoo"),
    "POST /leads": Op("create", "lead", ok=201, body=lambda w, t: {"title": "Web request"}),
    "GET /leads/{lead_id}": Op("detail", "lead"),
    "PATCH /leads/{lead_id}": Op(
        "write", "lead", body=lambda w, t: {"need": "6 windows", "version": _v(t)}
    ),
    "DELETE /leads/{lead_id}": Op("write", "lead", right="delete", ok=204),
    "POST /leads/{lead_id}/convert": Op(
        "write",
        "lead",
        ok=200,
        body=lambda w, t: {"create_contact": True, "deal": {"pipeline_id": w.pipeline.pk}},
        needs=(("contact", "create"), ("deal", "create")),
    ),
    "GET /leads/{record_id}/timeline": Op("detail", "lead"),
    # pipelines and reasons (configuration)
    "GET /pipelines": Op("global"),
    "GET /pipelines/{pipeline_id}": Op(
        "global", params=lambda w, t: {"pipeline_id": w.pipeline.pk}
    ),
    "POST /pipelines": Op(
        "admin",
        ok=201,
        body=lambda w, t: {
            "name": "Service",
            "stages": [
                {"name": "Open", "probability": 10, "kind": "open"},
                {"name": "Done", "probability": 100, "kind": "won"},
                {"name": "Dropped", "probability": 0, "kind": "lost"},
            ],
        },
    ),
    "PATCH /pipelines/{pipeline_id}": Op(
        "admin",
        params=lambda w, t: {"pipeline_id": w.pipeline.pk},
        body=lambda w, t: {"name": "Windows 2"},
    ),
    "GET /deal-reasons": Op("global"),
    "POST /deal-reasons": Op(
        "admin", ok=201, body=lambda w, t: {"kind": "lost", "name": "Too far"}
    ),
    "PATCH /deal-reasons/{reason_id}": Op(
        "admin",
        params=lambda w, t: {"reason_id": DealReasonFactory(kind="lost").pk},
        body=lambda w, t: {"name": "Too far away", "active": False},
    ),
    # deals
    "GET /deals": Op("list", "deal", search="zinc"),
    "POST /deals": Op(
        "create",
        "deal",
        ok=201,
        body=lambda w, t: {
            "title": "Balcony",
            "pipeline_id": w.pipeline.pk,
            "stage_id": w.stages[0].pk,
        },
    ),
    "GET /deals/{deal_id}": Op("detail", "deal"),
    "PATCH /deals/{deal_id}": Op(
        "write", "deal", body=lambda w, t: {"title": "Zinc roof 2", "version": _v(t)}
    ),
    "DELETE /deals/{deal_id}": Op("write", "deal", right="delete", ok=204),
    "POST /deals/{deal_id}/move": Op(
        "write", "deal", body=lambda w, t: {"stage_id": w.stages[1].pk, "version": _v(t)}
    ),
    "PUT /deals/{deal_id}/participants": Op(
        "write",
        "deal",
        body=lambda w, t: [
            {"user_id": w.actor.pk, "role": "measurer"},
            {"user_id": w.teammate.pk, "role": "installer"},
        ],
    ),
    "GET /deals/{deal_id}/stage-history": Op("detail", "deal"),
    "GET /deals/{record_id}/timeline": Op("detail", "deal"),
    # activities
    "GET /activities": Op("list", "activity"),
    "POST /activities": Op(
        "create", "activity", ok=201, body=lambda w, t: {"kind": "call", "subject": "Call back"}
    ),
    "GET /activities/{activity_id}": Op("detail", "activity"),
    "PATCH /activities/{activity_id}": Op(
        "write", "activity", body=lambda w, t: {"subject": "Call again", "version": _v(t)}
    ),
    "DELETE /activities/{activity_id}": Op("write", "activity", right="delete", ok=204),
    "POST /activities/{activity_id}/complete": Op(
        "write", "activity", body=lambda w, t: {"outcome": "successful"}
    ),
    # attachments: visibility and rights of the parent deal
    "POST /attachments": Op("write", "attachment", ok=201, parent=True),
    "GET /attachments": Op(
        "detail",
        "attachment",
        parent=True,
        params=lambda w, t: {"record_type": "deal", "record_id": w.targets["parent"].pk},
    ),
    "GET /attachments/{attachment_id}": Op("detail", "attachment", parent=True),
    "GET /attachments/{attachment_id}/download": Op("detail", "attachment", parent=True),
    "DELETE /attachments/{attachment_id}": Op("write", "attachment", ok=204, parent=True),
    # notifications: one's own only
    "GET /notifications": Op("mine_list", "notification"),
    "GET /notifications/unread-count": Op("global"),
    "POST /notifications/read-all": Op("global"),
    "POST /notifications/{notification_id}/read": Op("mine", "notification"),
    # custom fields (configuration)
    "GET /custom-fields": Op("global"),
    "POST /custom-fields": Op(
        "admin",
        ok=201,
        body=lambda w, t: {
            "record_type": "contact",
            "key": "cups",
            "label": "Cups",
            "field_type": "number",
        },
    ),
    "GET /custom-fields/{field_id}": Op("global"),
    "PATCH /custom-fields/{field_id}": Op("admin", body=lambda w, t: {"label": "Cups a day"}),
    "DELETE /custom-fields/{field_id}": Op("admin", ok=204),
    # the archive: an archived deal, listed, restored, deleted for good (admins)
    "GET /archive": Op("list", "deal", archived=True, params=lambda w, t: {"record_type": "deal"}),
    "POST /archive/{record_type}/{record_id}/restore": Op(
        "write", "deal", right="delete", archived=True, params=lambda w, t: {"record_type": "deal"}
    ),
    "DELETE /archive/{record_type}/{record_id}": Op(
        "admin", "deal", ok=204, archived=True, params=lambda w, t: {"record_type": "deal"}
    ),
    # the session (sign-in) is the same for every role
    "POST /session": Op("public"),
    "DELETE /session": Op("public", ok=204),
    "GET /session/csrf": Op("public"),
}

RECORD_OF_PARENT = {"attachment": "deal"}


def _api_operations() -> list[str]:
    schema = ninja_api.get_openapi_schema()
    prefix = "/api/v1"
    return sorted(
        f"{method.upper()} {path.removeprefix(prefix)}"
        for path, ops in schema["paths"].items()
        for method in ops
    )


def test_every_operation_has_a_matrix_entry():
    missing = [op for op in _api_operations() if op not in OPERATIONS]
    stale = [op for op in OPERATIONS if op not in _api_operations()]
    assert not missing, f"Add these operations to the authorization matrix: {missing}"
    assert not stale, f"These matrix entries name no operation: {stale}"


# --- expectations -------------------------------------------------------------------


def expected_status(op: Op, role: str, relation: str) -> int:
    record = RECORD_OF_PARENT.get(op.record, op.record) if op.parent else op.record
    ok = 200 if op.kind == "detail" else op.ok
    return shared_expected_status(
        op.kind, record, role, relation, ok=ok, right=op.right, needs=op.needs
    )


# --- cases ------------------------------------------------------------------------


def _cases() -> list[Any]:
    cases = []
    for name, op in OPERATIONS.items():
        relations = ["own"] if op.kind in ("global", "admin", "public", "create") else OWNERS
        record = RECORD_OF_PARENT.get(op.record or "", op.record) if op.parent else op.record
        if record == "deal":
            relations = [*relations, "participant"]
        cases.extend(
            pytest.param(name, role, rel, id=f"{name}-{role}-{rel}")
            for role in ROLES
            for rel in relations
        )
    return cases


def _path(name: str, w: World, target: Any, op: Op) -> tuple[str, str, dict[str, Any]]:
    method, template = name.split(" ", 1)
    params = op.params(w, target) if op.params else {}
    path = template
    for key, value in params.items():
        path = path.replace("{" + key + "}", str(value))
    if "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + str(target.pk) + path[end + 1 :]
    query = {k: v for k, v in params.items() if "{" + k + "}" not in template}
    return method, path, query


def _target(op: Op, w: World, relation: str) -> Any:
    if op.kind in ("global", "public", "create") or op.record is None:
        return None
    if op.kind == "admin" and not op.archived:
        return None
    target = MAKERS[op.record](w, relation)
    if op.archived:
        type(target).all_objects.filter(pk=target.pk).update(archived_at=timezone.now())
    return target


@pytest.mark.parametrize(("name", "role", "relation"), _cases())
def test_authorization_matrix(name: str, role: str, relation: str, db, django_user_model):
    op = OPERATIONS[name]
    w = make_world(role)
    target = _target(op, w, relation)
    if "{field_id}" in name:
        from kliento.core.models import CustomField

        target = CustomField.objects.create(
            record_type="contact", key="size", label="Size", field_type="text"
        )
    if "{user_id}" in name:
        target = w.outsider
    client = ApiClient(w.actor)
    method, path, query = _path(name, w, target, op)

    if name == "POST /attachments":
        deal = w.targets.get("parent") or make_deal(w, relation)
        upload = SimpleUploadedFile("dims.pdf", PDF, content_type="application/pdf")
        response = client.upload(
            path, {"file": upload}, {"record_type": "deal", "record_id": deal.pk}
        )
    elif name == "POST /session":
        response = ApiClient(None).post(
            path, {"username": w.actor.username, "password": "secret-pass-123"}
        )
    elif method == "GET":
        response = client.get(path, query)
    else:
        body = op.body(w, target) if op.body else None
        response = client.request(method, path, body)

    expected = expected_status(op, role, relation)
    assert response.status_code == expected, (
        f"{name} as {role} on a record of {relation}: expected {expected}, "
        f"got {response.status_code}: {response.content[:300]!r}"
    )

    if op.kind == "list":
        visible = sees(role, op.record, relation)
        listed = {row["id"] for row in response.json()["items"]}
        assert (target.pk in listed) == visible, f"{name}: list leaks or hides the record"
        if op.search:
            found = client.get(path, {"q": op.search})
            assert found.status_code == 200
            assert (target.pk in {r["id"] for r in found.json()["items"]}) == visible, (
                f"{name}: search leaks"
            )
    if op.kind == "mine_list":
        listed = {row["id"] for row in response.json()["items"]}
        assert (target.pk in listed) == (relation == "own"), "notifications of others are listed"
    if expected >= 400 and op.kind == "write" and op.record in MAKERS and target is not None:
        _assert_unchanged(target)


def _assert_unchanged(target: Any) -> None:
    """A refused write changed nothing: the row is still there with its version."""
    model = type(target)
    fresh = getattr(model, "all_objects", model.objects).filter(pk=target.pk).first()
    assert fresh is not None, "a refused delete removed the record"
    if hasattr(target, "version"):
        assert fresh.version == target.version, "a refused write changed the record"
