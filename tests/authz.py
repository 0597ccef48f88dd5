"""The world every authorization-matrix case runs in, shared by the API and page matrices.

An actor of the role under test, a teammate and an outsider of another team, a
pipeline with its stages, and makers that create a record owned by each of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kliento.activities.models import Activity
from kliento.core import records
from kliento.core.choices import Role, Scope
from kliento.core.models import Attachment, Notification, Team, User
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.choices import StageKind
from kliento.sales.models import Deal, DealParticipant, Lead, Pipeline, Stage
from tests.factories import UserFactory

ROLES = list(Role.values)
OWNERS = ["own", "team", "other"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the world each case runs in -------------------------------------------------


@dataclass
class World:
    actor: User
    teammate: User
    outsider: User
    pipeline: Pipeline
    stages: list[Stage]
    targets: dict[str, Any] = field(default_factory=dict)

    def owner_for(self, relation: str) -> User:
        return {
            "own": self.actor,
            "team": self.teammate,
            "other": self.outsider,
            "participant": self.outsider,
        }[relation]


def make_world(role: str) -> World:
    north, _ = Team.objects.get_or_create(name="North")
    south, _ = Team.objects.get_or_create(name="South")
    pipeline = Pipeline.objects.create(name="Windows")
    stages = [
        Stage.objects.create(pipeline=pipeline, name=n, position=i, probability=p, kind=k)
        for i, (n, p, k) in enumerate(
            [
                ("First call", 10, StageKind.OPEN),
                ("Measurement", 30, StageKind.OPEN),
                ("Won", 100, StageKind.WON),
                ("Lost", 0, StageKind.LOST),
            ]
        )
    ]
    return World(
        actor=UserFactory(role=role, team=north),
        teammate=UserFactory(role=Role.MANAGER, team=north),
        outsider=UserFactory(role=Role.MANAGER, team=south),
        pipeline=pipeline,
        stages=stages,
    )


def _owned(owner: User) -> dict[str, Any]:
    return {"owner": owner, "team_id": owner.team_id}


def make_company(w: World, relation: str) -> Company:
    return Company.objects.create(
        name="Zeta Glass", name_key=search_key("Zeta Glass"), **_owned(w.owner_for(relation))
    )


def make_contact(w: World, relation: str) -> Contact:
    return Contact.objects.create(
        first_name="Zane",
        last_name="Zvaigzne",
        name_key=search_key("Zvaigzne", "Zane"),
        first_name_key=search_key("Zane"),
        **_owned(w.owner_for(relation)),
    )


def make_lead(w: World, relation: str) -> Lead:
    return Lead.objects.create(
        title="Zoo windows",
        title_key=search_key("Zoo windows"),
        first_name="Zoe",
        **_owned(w.owner_for(relation)),
    )


def make_deal(w: World, relation: str) -> Deal:
    deal = Deal.objects.create(
        title="Zinc roof",
        title_key=search_key("Zinc roof"),
        pipeline=w.pipeline,
        stage=w.stages[0],
        stage_entered_at=timezone.now(),
        **_owned(w.owner_for(relation)),
    )
    if relation == "participant":
        DealParticipant.objects.create(deal=deal, user=w.actor, role="measurer")
    return deal


def make_activity(w: World, relation: str) -> Activity:
    when = timezone.now() + dt.timedelta(days=1)
    return Activity.objects.create(
        kind="call", subject="Zed call", due_at=when, when=when, **_owned(w.owner_for(relation))
    )


def make_attachment(w: World, relation: str) -> Attachment:
    deal = make_deal(w, relation)
    w.targets["parent"] = deal
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    return Attachment.objects.create(
        record_type="deal",
        record_id=deal.pk,
        file=upload,
        original_name="plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )


def make_notification(w: World, relation: str) -> Notification:
    return Notification.objects.create(
        user=w.owner_for(relation), key=f"t:{relation}", kind="reminder", title="Call"
    )


MAKERS: dict[str, Callable[[World, str], Any]] = {
    "company": make_company,
    "contact": make_contact,
    "lead": make_lead,
    "deal": make_deal,
    "activity": make_activity,
    "attachment": make_attachment,
    "notification": make_notification,
}


# --- what a role may see ---------------------------------------------------------


def rights_of(role: str, record_type: str):
    return records.default_rights(role, record_type)


def sees(role: str, record_type: str, relation: str) -> bool:
    scope = rights_of(role, record_type).scope
    if scope == Scope.NONE:
        return False
    if scope == Scope.ALL:
        return True
    if relation == "own":
        return True
    if relation == "participant":
        return record_type == "deal"
    return relation == "team" and scope == Scope.TEAM


def expected_status(
    kind: str,
    record: str | None,
    role: str,
    relation: str,
    *,
    ok: int,
    right: str = "edit",
    needs: tuple[tuple[str, str], ...] = (),
) -> int:
    """The status both matrices (API and pages) expect of one kind of endpoint.

    global/public: `ok` for everyone; admin: `ok` for admins, else 403; mine: `ok` on
    one's own, else 404; list/mine_list: 200 (what is listed is checked apart);
    create: `ok` with the create right, else 403; detail: `ok` if visible, else 404;
    write: 404 if not visible, 403 without `right` (or one of `needs`), else `ok`.
    """
    if kind in ("global", "public"):
        return ok
    if kind == "admin":
        return ok if role == Role.ADMIN else 403
    if kind == "mine":
        return ok if relation == "own" else 404
    if kind in ("list", "mine_list"):
        return 200
    assert record is not None
    if kind == "create":
        return ok if rights_of(role, record).can_create else 403
    visible = sees(role, record, relation)
    if kind == "detail":
        return ok if visible else 404
    if not visible:
        return 404
    if not getattr(rights_of(role, record), f"can_{right}"):
        return 403
    if any(not getattr(rights_of(role, rt), f"can_{r}") for rt, r in needs):
        return 403
    return ok
