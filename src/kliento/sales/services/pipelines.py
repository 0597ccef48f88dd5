"""Writes of pipelines, their stages and the won/lost reasons (admins only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kliento.core import audit, inputs
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, Role
from kliento.core.errors import ErrorCollector, NotFound
from kliento.core.models import User
from kliento.core.rights import require_admin
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import Deal, DealReason, Pipeline, Stage, StageChange

MAX_STAGES = 50
STAGE_FIELDS = ("name", "probability", "responsible_role", "expected_result", "kind")


def _require_admin(actor: Actor) -> User:
    return require_admin(actor.user)


def _state(pipeline: Pipeline) -> dict[str, Any]:
    """What the audit keeps of a pipeline: its settings and its stages in order."""
    return {
        "name": pipeline.name,
        "default_currency": pipeline.default_currency,
        "active": pipeline.active,
        "position": pipeline.position,
        "stages": [
            {"id": s.pk, **{name: getattr(s, name) for name in STAGE_FIELDS}}
            for s in pipeline.stages.order_by("position")
        ],
    }


def _audit(actor: Actor, action: str, record_type: str, pk: int, before: dict[str, Any],
           after: dict[str, Any]) -> None:  # fmt: skip
    changes = audit.diff(before, after)
    if changes or action != AuditAction.UPDATE:
        audit.record_of(actor, action, record_type, pk, changes)


def _clean_stages(
    stages: object, errors: ErrorCollector, existing: Mapping[int, Stage]
) -> list[dict[str, Any]]:
    """The stages in their new order, each checked; `id` names a stage kept from before."""
    if not isinstance(stages, Sequence) or isinstance(stages, str):
        errors.add("stages", _("Must be a list of stages."))
        return []
    if len(stages) > MAX_STAGES:
        errors.add("stages", _("At most %(n)d stages.") % {"n": MAX_STAGES})
        return []
    cleaned: list[dict[str, Any]] = []
    names: set[str] = set()
    ids: set[int] = set()
    for i, raw in enumerate(stages):
        where = f"stages.{i}"
        if not isinstance(raw, Mapping):
            errors.add(where, _("Must be an object."))
            continue
        cleaned.append(_clean_stage(raw, where, errors, existing, ids=ids, names=names))
    kinds = {s["kind"] for s in cleaned}
    if cleaned and not {StageKind.OPEN, StageKind.WON, StageKind.LOST} <= kinds:
        errors.add("stages", _("A pipeline needs at least one open, one won and one lost stage."))
    if not cleaned and not errors.errors:
        errors.add("stages", _("A pipeline needs at least one open, one won and one lost stage."))
    return cleaned


def _clean_stage(
    raw: Mapping[str, Any],
    where: str,
    errors: ErrorCollector,
    existing: Mapping[int, Stage],
    *,
    ids: set[int],
    names: set[str],
) -> dict[str, Any]:
    """One stage of the list at `where` ("stages.<i>"), defaults filled in.

    `ids` and `names` are those of the stages before it: each grows by this stage's.
    """
    item = {k: raw.get(k) for k in ("id", *STAGE_FIELDS)}
    stage_id = item["id"]
    if stage_id is not None:
        if stage_id not in existing or stage_id in ids:
            errors.add(f"{where}.id", _("Not a stage of this pipeline."))
        ids.add(stage_id)
    _check_stage_name(item["name"], f"{where}.name", errors, names)
    probability = item["probability"] if item["probability"] is not None else 0
    if not inputs.is_int(probability) or not 0 <= probability <= 100:
        errors.add(f"{where}.probability", _("Must be a whole number from 0 to 100."))
    item["probability"] = probability
    role = item["responsible_role"] or ""
    if role not in ("", *Role.values):
        errors.add(f"{where}.responsible_role", _("Not a known role."))
    item["responsible_role"] = role
    result = item["expected_result"] or ""
    if not isinstance(result, str) or len(result) > 300:
        errors.add(f"{where}.expected_result", _("At most 300 characters."))
    else:
        inputs.safe_characters(result, f"{where}.expected_result", errors, multiline=False)
    item["expected_result"] = result
    kind = item["kind"] or StageKind.OPEN
    if kind not in StageKind.values:
        errors.add(f"{where}.kind", _("Must be open, won or lost."))
    item["kind"] = kind
    return item


def _check_stage_name(name: object, field: str, errors: ErrorCollector, names: set[str]) -> None:
    """Refuse a missing, too long, unsafe or repeated name; add a good one to `names`."""
    # Names compare without case and surrounding blanks: "Won" and " won" are the same stage.
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors.add(field, _("A name of 1 to 120 characters is required."))
    elif not inputs.safe_characters(name.strip(), field, errors, multiline=False):
        pass
    elif name.strip().casefold() in names:
        errors.add(field, _("Two stages may not have the same name."))
    else:
        names.add(name.strip().casefold())


def _clean_pipeline(
    data: Mapping[str, Any], errors: ErrorCollector, pipeline: Pipeline | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data or pipeline is None:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            errors.add("name", _("A name of 1 to 120 characters is required."))
        elif inputs.safe_characters(name, "name", errors, multiline=False):
            taken = Pipeline.objects.filter(name=name)
            if pipeline is not None:
                taken = taken.exclude(pk=pipeline.pk)
            if taken.exists():
                errors.add("name", _("Another pipeline has this name."))
            out["name"] = name
    if data.get("default_currency") is not None:
        out["default_currency"] = inputs.currency(
            data["default_currency"], "default_currency", errors
        )
    for flag, kind in (("active", bool), ("position", int)):
        if data.get(flag) is not None:
            if not isinstance(data[flag], kind) or (kind is int and data[flag] < 0):
                errors.add(flag, _("Invalid value."))
            out[flag] = data[flag]
    return out


def _write_stages(pipeline: Pipeline, cleaned: list[dict[str, Any]]) -> None:
    kept = {s["id"] for s in cleaned if s["id"] is not None}
    existing = list(pipeline.stages.all())
    # Move every kept stage out of the way first: positions and names are unique per pipeline.
    for stage in existing:
        if stage.pk in kept:
            Stage.objects.filter(pk=stage.pk).update(
                position=100000 + stage.pk, name=f"~{stage.pk}"
            )
    Stage.objects.filter(pipeline=pipeline).exclude(pk__in=kept).delete()
    for position, item in enumerate(cleaned):
        values = {k: item[k] for k in STAGE_FIELDS}
        values["name"] = values["name"].strip()
        if item["id"] is not None:
            Stage.objects.filter(pk=item["id"]).update(position=position, **values)
        else:
            Stage.objects.create(pipeline=pipeline, position=position, **values)


@transaction.atomic
def pipeline_create(*, actor: Actor, data: Mapping[str, Any]) -> Pipeline:
    """A new pipeline with its stages in the given order."""
    _require_admin(actor)
    errors = ErrorCollector()
    values = _clean_pipeline(data, errors, None)
    stages = _clean_stages(data.get("stages"), errors, {})
    for i, item in enumerate(stages):
        if item["id"] is not None:
            errors.add(f"stages.{i}.id", _("A new pipeline has no stages yet."))
    errors.raise_if_any()
    pipeline = Pipeline.objects.create(**values)
    _write_stages(pipeline, stages)
    _audit(actor, AuditAction.CREATE, "pipeline", pipeline.pk, {}, _state(pipeline))
    return pipeline


@transaction.atomic
def pipeline_update(*, actor: Actor, pipeline_id: int, data: Mapping[str, Any]) -> Pipeline:
    """Rename, (de)activate, or replace and reorder the stages of a pipeline.

    A stage left out is removed, which is refused while deals are in it or its
    history names it. A stage holding deals keeps its kind, since the deals'
    status is copied from it.
    """
    _require_admin(actor)
    pipeline = Pipeline.objects.select_for_update().filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("Not found."))
    before = _state(pipeline)
    errors = ErrorCollector()
    values = _clean_pipeline(data, errors, pipeline)
    if data.get("stages") is not None:
        existing = {s.pk: s for s in pipeline.stages.all()}
        stages = _clean_stages(data["stages"], errors, existing)
        kept = {s["id"] for s in stages if s["id"] is not None}
        in_use = _stages_in_use(list(existing))
        for stage_id, stage in existing.items():
            if stage_id not in kept and stage_id in in_use:
                errors.add(
                    "stages",
                    _("The stage “%(name)s” has deals or history and cannot be removed.")
                    % {"name": stage.name},
                )
        for i, item in enumerate(stages):
            old = existing.get(item["id"])
            if old is not None and old.pk in in_use and old.kind != item["kind"]:
                errors.add(f"stages.{i}.kind", _("A stage with deals keeps its kind."))
        errors.raise_if_any()
        _write_stages(pipeline, stages)
    errors.raise_if_any()
    if values:
        for key, value in values.items():
            setattr(pipeline, key, value)
        pipeline.save(update_fields=list(values))
    _audit(actor, AuditAction.UPDATE, "pipeline", pipeline.pk, before, _state(pipeline))
    return pipeline


def _stages_in_use(stage_ids: list[int]) -> set[int]:
    used = set(Deal.objects.filter(stage_id__in=stage_ids).values_list("stage_id", flat=True))
    used |= set(
        Deal.objects.filter(lost_at_stage_id__in=stage_ids).values_list(
            "lost_at_stage_id", flat=True
        )
    )
    for column in ("from_stage_id", "to_stage_id"):
        used |= set(
            StageChange.objects.filter(**{f"{column}__in": stage_ids}).values_list(
                column, flat=True
            )
        )
    return used


def _clean_reason_name(
    name: object, kind: str, errors: ErrorCollector, reason: DealReason | None = None
) -> str:
    """The stripped name, checked and unique within its kind (`reason` itself aside)."""
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors.add("name", _("A name of 1 to 200 characters is required."))
        return ""
    if not inputs.safe_characters(name.strip(), "name", errors, multiline=False):
        return ""
    taken = DealReason.objects.filter(kind=kind, name=name.strip())
    if reason is not None:
        taken = taken.exclude(pk=reason.pk)
    if taken.exists():
        errors.add("name", _("This reason exists already."))
    return name.strip()


@transaction.atomic
def deal_reason_create(*, actor: Actor, kind: str, name: str) -> DealReason:
    """A new reason deals are won or lost for."""
    _require_admin(actor)
    errors = ErrorCollector()
    if kind not in ReasonKind.values:
        errors.add("kind", _("Must be won or lost."))
    cleaned = _clean_reason_name(name, kind, errors)
    errors.raise_if_any()
    reason = DealReason.objects.create(kind=kind, name=cleaned)
    _audit(actor, AuditAction.CREATE, "deal_reason", reason.pk, {},
           {"kind": kind, "name": cleaned, "active": True})  # fmt: skip
    return reason


@transaction.atomic
def deal_reason_update(
    *, actor: Actor, reason_id: int, name: str | None = None, active: bool | None = None
) -> DealReason:
    """Rename a reason, or take it out of (or back into) the choices when closing a deal.

    Deals closed for a deactivated reason keep it; it is only no longer offered.
    """
    _require_admin(actor)
    reason = DealReason.objects.select_for_update().filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("Not found."))
    before = {"name": reason.name, "active": reason.active}
    errors = ErrorCollector()
    changed: list[str] = []
    if name is not None:
        reason.name = _clean_reason_name(name, reason.kind, errors, reason)
        changed.append("name")
    if active is not None:
        if not isinstance(active, bool):
            errors.add("active", _("Invalid value."))
        reason.active = active
        changed.append("active")
    errors.raise_if_any()
    if changed:
        reason.save(update_fields=changed)
    after = {"name": reason.name, "active": reason.active}
    _audit(actor, AuditAction.UPDATE, "deal_reason", reason.pk, before, after)
    return reason
