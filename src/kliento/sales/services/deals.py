"""Writes of deals: create, update, delete, move between stages, participants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kliento.core import archive, audit, inputs, visibility, writes
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction
from kliento.core.errors import ErrorCollector, ValidationFailed
from kliento.core.models import User
from kliento.core.text import search_key
from kliento.customers.models import Company, Contact
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import (
    Deal,
    DealParticipant,
    DealReason,
    Lead,
    Pipeline,
    Stage,
    StageChange,
)
from kliento.sales.records import DEAL

AUDITED = (
    "title",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "company",
    "contact",
    "lead",
    "start_date",
    "expected_close_date",
    "closed_at",
    "won_reason",
    "lost_reason",
    "reason_text",
    "lost_at_stage",
    "custom",
    "owner",
    "team",
)
EDITABLE = frozenset(
    {
        "title",
        "amount",
        "currency",
        "company_id",
        "contact_id",
        "lead_id",
        "start_date",
        "expected_close_date",
        "custom",
        "owner_id",
    }
)
STAGE_KEYS = frozenset({"pipeline_id", "stage_id"})
MAX_PARTICIPANTS = 50
REASON_TEXT_MAX = 2000


def _apply(deal: Deal, data: Mapping[str, Any], actor: Actor, errors: ErrorCollector) -> None:
    """Check the editable fields in `data` and set them on `deal` (not saved)."""
    user = actor.user
    assert user is not None
    inputs.refuse_nul(data, errors, skip={"title"})
    if "title" in data or deal.pk is None:
        title = inputs.column_text(Deal, "title", data.get("title"), errors, required=True)
        if title is not None:
            deal.title = title
            deal.title_key = search_key(title)[:200]
    if "amount" in data:
        amount = inputs.money(data["amount"] if data["amount"] is not None else 0, "amount", errors)
        if amount is not None:
            deal.amount = amount
    if data.get("currency") is not None:
        currency = inputs.currency(data["currency"], "currency", errors)
        if currency is not None:
            deal.currency = currency
    links = (
        ("company_id", Company.objects.all()),
        ("contact_id", Contact.objects.all()),
        ("lead_id", Lead.objects.all()),
    )
    for field, queryset in links:
        if field in data:
            found = inputs.visible_record(user, queryset, data[field], field, errors)
            if data[field] is None or found is not None:
                setattr(deal, field, data[field])
    for field in ("start_date", "expected_close_date"):
        if field in data:
            value = data[field]
            setattr(deal, field, None if value is None else inputs.date(value, field, errors))
    if "custom" in data or deal.pk is None:
        custom = inputs.custom(DEAL, data.get("custom"), errors, current=deal.custom)
        if custom is not None:
            deal.custom = custom
    inputs.set_owner(deal, inputs.owner(user, data, errors, current=deal.owner_id))
    inputs.model_check(
        deal,
        errors,
        exclude=[
            "owner", "team", "pipeline", "stage", "company", "contact", "lead",
            "won_reason", "lost_reason", "lost_at_stage", "custom", "amount",
        ],
    )  # fmt: skip


@transaction.atomic
def deal_create(*, actor: Actor, data: Mapping[str, Any]) -> Deal:
    """A new deal at the given open stage, or at the pipeline's first open stage."""
    user = actor.user
    assert user is not None
    visibility.require(user, DEAL, "create")
    errors = ErrorCollector()
    inputs.check_keys(data, EDITABLE | STAGE_KEYS, errors)
    pipeline = stage = None
    pipeline_id = data.get("pipeline_id")
    if inputs.is_int(pipeline_id):
        pipeline = Pipeline.objects.filter(pk=pipeline_id, active=True).first()
    if pipeline is None:
        errors.add("pipeline_id", _("No such active pipeline."))
    else:
        stages = Stage.objects.filter(pipeline=pipeline)
        stage_id = data.get("stage_id")
        if stage_id is None:
            stage = stages.filter(kind=StageKind.OPEN).order_by("position").first()
        elif inputs.is_int(stage_id):
            stage = stages.filter(pk=stage_id).first()
        if stage is None:
            errors.add("stage_id", _("Not a stage of this pipeline."))
        elif stage.kind != StageKind.OPEN:
            errors.add("stage_id", _("A new deal starts at an open stage; move it to close it."))
    deal = Deal(currency=pipeline.default_currency if pipeline else "EUR", custom={})
    _apply(deal, data, actor, errors)
    errors.raise_if_any()
    assert pipeline is not None and stage is not None
    now = timezone.now()
    deal.pipeline, deal.stage, deal.status, deal.stage_entered_at = pipeline, stage, stage.kind, now
    deal.save()
    StageChange.objects.create(
        deal=deal, from_stage=None, to_stage=stage, by=user, actor_label=actor.label[:200], at=now
    )
    writes.created(actor, deal, AUDITED)
    return deal


def deal_update(*, actor: Actor, deal_id: int, version: object, data: Mapping[str, Any]) -> Deal:
    """Change the given fields of a deal read at `version` (stages change through deal_move)."""
    with writes.change(actor, Deal, deal_id, version=version, audited=AUDITED) as change:
        deal = change.record
        errors = ErrorCollector()
        inputs.check_keys(data, EDITABLE | STAGE_KEYS, errors)
        for key in STAGE_KEYS & set(data):
            errors.add(key, _("Move the deal to change its stage."))
        _apply(deal, data, actor, errors)
        errors.raise_if_any()
    return deal


def deal_delete(*, actor: Actor, deal_id: int) -> None:
    """To the archive, with the activities logged on it."""
    archive.archive(actor, Deal, deal_id)


def _reason(reason_id: object, kind: str, field: str, errors: ErrorCollector) -> DealReason | None:
    if inputs.is_int(reason_id):
        found = DealReason.objects.filter(pk=reason_id, kind=kind, active=True).first()
        if found is not None:
            return found
    errors.add(field, _("Not an active reason of this kind."))
    return None


# The domain actions a move records, by the kind of stage it enters.
MOVE_ACTIONS: dict[str, str] = {
    StageKind.OPEN: "deal.moved",
    StageKind.WON: "deal.won",
    StageKind.LOST: "deal.lost",
}


def deal_move(
    *,
    actor: Actor,
    deal_id: int,
    stage_id: int,
    version: object,
    won_reason_id: int | None = None,
    lost_reason_id: int | None = None,
    reason_text: str = "",
) -> Deal:
    """Move a deal to another stage of its pipeline, keeping the history of moves.

    Won needs a won reason and lost a lost reason; a lost deal remembers the
    stage it was lost at; reopening clears the close date and reasons.
    """
    user = writes.acting_user(actor)
    # A stale version is refused first: whoever read an older deal learns that.
    with writes.change(actor, Deal, deal_id, version=version, audited=AUDITED) as change:
        deal = change.record
        target = Stage.objects.filter(pk=stage_id, pipeline_id=deal.pipeline_id).first()
        if target is None:
            raise ValidationFailed.on("stage_id", _("Not a stage of this deal's pipeline."))
        if target.pk == deal.stage_id:
            raise ValidationFailed.on("stage_id", _("The deal is at this stage already."))
        from_stage = deal.stage
        won, lost, reason = _move_reasons(target, won_reason_id, lost_reason_id, reason_text)
        now = timezone.now()
        deal.stage, deal.status, deal.stage_entered_at = target, target.kind, now
        deal.won_reason, deal.lost_reason = won, lost
        if target.kind == StageKind.OPEN:
            deal.closed_at, deal.lost_at_stage, deal.reason_text = None, None, ""
        else:
            deal.closed_at = now
            deal.reason_text = reason
            deal.lost_at_stage = from_stage if target.kind == StageKind.LOST else None
        change.action = MOVE_ACTIONS[target.kind]
        StageChange.objects.create(
            deal=deal,
            from_stage=from_stage,
            to_stage=target,
            by=user,
            actor_label=actor.label[:200],
            at=now,
        )
    return deal


def _move_reasons(
    target: Stage, won_reason_id: object, lost_reason_id: object, reason_text: object
) -> tuple[DealReason | None, DealReason | None, str]:
    """The won reason, lost reason and free text a move into `target` needs (else a 422)."""
    errors = ErrorCollector()
    reason = inputs.text(reason_text, "reason_text", REASON_TEXT_MAX, errors, multiline=True)
    won = lost = None
    if target.kind == StageKind.WON:
        won = _reason(won_reason_id, ReasonKind.WON, "won_reason_id", errors)
        if lost_reason_id is not None:
            errors.add("lost_reason_id", _("A won deal has no lost reason."))
    elif target.kind == StageKind.LOST:
        lost = _reason(lost_reason_id, ReasonKind.LOST, "lost_reason_id", errors)
        if won_reason_id is not None:
            errors.add("won_reason_id", _("A lost deal has no won reason."))
    else:
        for field, value in (("won_reason_id", won_reason_id), ("lost_reason_id", lost_reason_id)):
            if value is not None:
                errors.add(field, _("An open stage takes no reason."))
    errors.raise_if_any()
    return won, lost, reason or ""


@transaction.atomic
def deal_set_participants(
    *, actor: Actor, deal_id: int, participants: Sequence[Mapping[str, Any]]
) -> list[DealParticipant]:
    """Replace the users taking part in a deal, each with their part (measurer, installer...)."""
    deal = writes.locked(actor, Deal, deal_id, "edit")
    errors = ErrorCollector()
    if len(participants) > MAX_PARTICIPANTS:
        raise ValidationFailed.on("participants", _("At most %(n)d participants.") % {"n": 50})
    wanted: list[tuple[int, str]] = []
    for i, item in enumerate(participants):
        user_id = item.get("user_id")
        if not inputs.is_int(user_id):
            errors.add(f"{i}.user_id", _("Must be a user id."))
            continue
        role = inputs.column_text(
            DealParticipant, "role", item.get("role"), errors, where=f"{i}.role", required=True
        )
        if role is None:
            continue
        if (user_id, role) in wanted:
            errors.add(f"{i}", _("This user has this part already."))
            continue
        wanted.append((user_id, role))
    ids = {u for u, _r in wanted}
    active = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    for i, (user_id, _role) in enumerate(wanted):
        if user_id not in active:
            errors.add(f"{i}.user_id", _("No such active user."))
    errors.raise_if_any()
    old = sorted(DealParticipant.objects.filter(deal=deal).values_list("user_id", "role"))
    DealParticipant.objects.filter(deal=deal).delete()
    rows = DealParticipant.objects.bulk_create(
        [DealParticipant(deal=deal, user_id=u, role=r) for u, r in wanted]
    )
    new = sorted(wanted)
    if old != new:
        audit.record(
            actor,
            AuditAction.UPDATE,
            deal,
            {"participants": [[list(p) for p in old], [list(p) for p in new]]},
        )
    return rows
