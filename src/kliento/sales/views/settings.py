"""Settings pages of sales (administrators only): pipelines with their stages, won/lost reasons."""

from __future__ import annotations

import re
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kliento.core.choices import Role
from kliento.core.errors import NotFound, ValidationFailed
from kliento.core.models import User
from kliento.core.rights import require_admin
from kliento.core.web.pages import actor_of, field_errors, page, render_page, user_of
from kliento.core.web.params import parse_int
from kliento.sales import selectors, services
from kliento.sales.choices import ReasonKind, StageKind
from kliento.sales.models import DealReason, Pipeline

BLANK_STAGES = 3  # empty rows offered for new stages
MAX_ROWS = 60
STAGE_INPUTS = ("name", "probability", "kind", "responsible_role", "expected_result")
_STAGE_ERROR = re.compile(r"^stages\.(\d+)\.(\w+)$")


def _number(raw: str) -> int | str | None:
    """A posted id or probability: None if blank, the number, else the text (refused by the
    service under the field's name)."""
    raw = raw.strip()
    if not raw:
        return None
    number = parse_int(raw, minimum=0)
    return raw if number is None else number


def _stage_rows(request: HttpRequest) -> list[dict[str, Any]]:
    """The stage rows as posted, in form order (each keeps its row number)."""
    count = min(parse_int(request.POST.get("stage_count", "").strip(), minimum=0) or 0, MAX_ROWS)
    rows = []
    for i in range(count):
        row: dict[str, Any] = {k: request.POST.get(f"stages-{i}-{k}", "") for k in STAGE_INPUTS}
        row.update(
            row=i,
            id=_number(request.POST.get(f"stages-{i}-id", "")),
            order=request.POST.get(f"stages-{i}-order", ""),
            remove=request.POST.get(f"stages-{i}-remove") == "on",
        )
        rows.append(row)
    return rows


def _stages_data(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """What the service takes: the kept stages by their order number, and their form rows."""
    kept = [r for r in rows if not r["remove"] and (r["id"] is not None or r["name"].strip())]

    def order(row: dict[str, Any]) -> tuple[int, int]:
        number = parse_int(str(row["order"]).strip(), minimum=0, maximum=99999)
        return (99999 if number is None else number, row["row"])

    kept.sort(key=order)
    data = []
    for r in kept:
        item = {k: r[k] for k in STAGE_INPUTS}
        item["id"] = r["id"]
        item["probability"] = _number(r["probability"]) if r["probability"] else 0
        data.append(item)
    return data, [r["row"] for r in kept]


def _map_errors(exc: ValidationFailed, form_rows: list[int]) -> dict[str, list[str]]:
    """Service errors on stages.<n>.<field> shown on the form row they came from."""
    errors: dict[str, list[str]] = {}
    for name, messages_ in field_errors(exc).items():
        match = _STAGE_ERROR.match(name)
        if match and int(match[1]) < len(form_rows):
            name = f"stages-{form_rows[int(match[1])]}-{match[2]}"
        errors.setdefault(name, []).extend(messages_)
    return errors


def _attach_errors(rows: list[dict[str, Any]], errors: dict[str, list[str]]) -> None:
    for row in rows:
        prefix = f"stages-{row['row']}-"
        row["errors"] = {k[len(prefix) :]: v for k, v in errors.items() if k.startswith(prefix)}


def _existing_rows(pipeline: Pipeline | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if pipeline is not None:
        for stage in pipeline.stages.all():
            rows.append(
                {
                    "id": stage.pk,
                    "name": stage.name,
                    "probability": stage.probability,
                    "kind": stage.kind,
                    "responsible_role": stage.responsible_role,
                    "expected_result": stage.expected_result,
                    "order": len(rows) + 1,
                    "remove": False,
                }
            )
    return rows


def _with_blanks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    filled = [r for r in rows if r.get("id") is not None or str(r.get("name", "")).strip()]
    blank = {"id": None, "name": "", "probability": "", "kind": StageKind.OPEN}
    filled += [dict(blank) for _n in range(BLANK_STAGES)]
    for i, row in enumerate(filled):
        row["row"] = i
        row.setdefault("order", i + 1)
    return filled


def _form_context(**extra: Any) -> dict[str, Any]:
    return {
        "kinds": StageKind.choices,
        "roles": [("", _("Anyone")), *Role.choices],
        "errors": {},
        **extra,
    }


@require_GET
@page
def pipeline_list(request: HttpRequest) -> HttpResponse:
    user = require_admin(user_of(request))
    pipelines = list(selectors.pipelines_list(user))
    return render_page(request, "sales/settings_pipelines.html", {"pipelines": pipelines})


def _pipeline_values(request: HttpRequest, *, with_active: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": request.POST.get("name", "").strip(),
        "default_currency": request.POST.get("default_currency", "").strip().upper() or None,
    }
    if with_active:
        values["active"] = request.POST.get("active") == "on"
    return values


@require_http_methods(["GET", "POST"])
@page
def pipeline_create(request: HttpRequest) -> HttpResponse:
    require_admin(user_of(request))
    context = _form_context(creating=True)
    values: dict[str, Any] = {"name": "", "default_currency": "EUR"}
    rows: list[dict[str, Any]] = [
        {"id": None, "name": _("New"), "probability": 10, "kind": StageKind.OPEN},
        {"id": None, "name": _("Won"), "probability": 100, "kind": StageKind.WON},
        {"id": None, "name": _("Lost"), "probability": 0, "kind": StageKind.LOST},
    ]
    status = 200
    if request.method == "POST":
        values = _pipeline_values(request, with_active=False)
        rows = _stage_rows(request)
        stages, form_rows = _stages_data(rows)
        try:
            created = services.pipeline_create(
                actor=actor_of(request), data={**values, "stages": stages}
            )
        except ValidationFailed as exc:
            context["errors"], status = _map_errors(exc, form_rows), 422
        else:
            messages.success(request, _("Pipeline “%(name)s” created.") % {"name": created.name})
            return redirect("sales:settings-pipelines")
    rows = _with_blanks(rows) if status == 200 else rows
    _attach_errors(rows, context["errors"])
    context.update(values=values, rows=rows)
    return render_page(request, "sales/settings_pipeline_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@page
def pipeline_edit(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    user = require_admin(user_of(request))
    pipeline = selectors.pipeline_get(user, pipeline_id)
    context = _form_context(pipeline=pipeline)
    values: dict[str, Any] = {
        "name": pipeline.name,
        "default_currency": pipeline.default_currency,
        "active": pipeline.active,
    }
    rows = _existing_rows(pipeline)
    status = 200
    if request.method == "POST":
        values = _pipeline_values(request, with_active=True)
        rows = _stage_rows(request)
        stages, form_rows = _stages_data(rows)
        try:
            services.pipeline_update(
                actor=actor_of(request),
                pipeline_id=pipeline.pk,
                data={**values, "stages": stages},
            )
        except ValidationFailed as exc:
            context["errors"], status = _map_errors(exc, form_rows), 422
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:settings-pipelines")
    rows = _with_blanks(rows) if status == 200 else rows
    _attach_errors(rows, context["errors"])
    context.update(values=values, rows=rows)
    return render_page(request, "sales/settings_pipeline_form.html", context, status=status)


REASONS_TEMPLATE = "sales/settings_reasons.html"
_FLAGS = {"true": True, "false": False}


def _reasons_context(user: User, **extra: Any) -> dict[str, Any]:
    """The reasons by kind, active or not, and the form for a new one."""
    reasons = list(selectors.deal_reasons_list(user))
    return {
        "errors": {},
        "values": {"kind": ReasonKind.LOST, "name": ""},
        "groups": [
            (kind, label, [r for r in reasons if r.kind == kind])
            for kind, label in ReasonKind.choices
        ],
        "kinds": ReasonKind.choices,
        **extra,
    }


@require_http_methods(["GET", "POST"])
@page
def reason_list(request: HttpRequest) -> HttpResponse:
    user = require_admin(user_of(request))
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        values = {"kind": request.POST.get("kind", ""), "name": request.POST.get("name", "")}
        try:
            reason = services.deal_reason_create(actor=actor_of(request), **values)
        except ValidationFailed as exc:
            extra, status = {"errors": field_errors(exc), "values": values}, 422
        else:
            messages.success(request, _("Reason “%(name)s” added.") % {"name": reason.name})
            return redirect("sales:settings-reasons")
    return render_page(request, REASONS_TEMPLATE, _reasons_context(user, **extra), status=status)


def _reason_in(context: dict[str, Any], reason_id: int) -> DealReason:
    for _kind, _label, rows in context["groups"]:
        for reason in rows:
            if reason.pk == reason_id:
                return cast(DealReason, reason)
    raise NotFound(_("Not found."))


@require_POST
@page
def reason_edit(request: HttpRequest, reason_id: int) -> HttpResponse:
    """Rename (`name`) or (de)activate (`active`: true/false) one reason.

    htmx gets the reason's row back; a plain post goes back to the list, or shows
    it with the row's errors.
    """
    user = require_admin(user_of(request))
    name = request.POST.get("name")
    active = _FLAGS.get(request.POST.get("active", ""))
    try:
        if "active" in request.POST and active is None:
            raise ValidationFailed.on("active", _("Invalid value."))
        reason = services.deal_reason_update(
            actor=actor_of(request), reason_id=reason_id, name=name, active=active
        )
    except ValidationFailed as exc:
        context = _reasons_context(
            user, edit_id=reason_id, edit_name=name, edit_errors=field_errors(exc)
        )
        context["r"] = _reason_in(context, reason_id)
        return render_page(request, REASONS_TEMPLATE, context, partial="reason-row", status=422)
    if getattr(request, "htmx", False):
        return render_page(request, REASONS_TEMPLATE, {"r": reason}, partial="reason-row")
    messages.success(request, _("Changes saved."))
    return redirect("sales:settings-reasons")
